"""The shared identity's rows (public schema), for the privacy app's export and erasure
(saas.core.personal_data): exported as the export's "account" section, erased with the
identity once no programme is left (`user_erase_if_unused`: the row is anonymised in place, a
tombstone without personal data, never deleted). The second factor's devices of
django-otp are declared here, the app that uses them."""

from saas.core.personal_data import Erase, Source

EXPORT: dict[str, Source] = {
    # Exported per programme without anything that would reveal the person's other programmes.
    "accounts.User": Source(rows=None, reason_excluded="exported as the account section"),
    "accounts.ProgramMembership": Source(
        rows=None, reason_excluded="would reveal other programmes; in the platform export"
    ),
    "otp_totp.TOTPDevice": Source(rows=None, reason_excluded="secret; shown as 2FA on/off"),
    "accounts.RecoveryCodeDevice": Source(rows=None, reason_excluded="secret; shown as 2FA on/off"),
    "accounts.AccountSecurityEvent": Source(
        rows=None, reason_excluded="account-level: exported in the account section"
    ),
    "accounts.SignInLink": Source(
        rows=None, reason_excluded="secret; its sending and use are account security events"
    ),
}

ERASE: dict[str, Erase | str] = {
    "accounts.User": (
        "anonymised in place when no membership remains (user_erase_if_unused): a tombstone "
        "without personal data, that cannot sign in; not deleted, which would lock every "
        "programme's participants table"
    ),
    "accounts.ProgramMembership": "this programme's row deleted by user_erase_if_unused",
    "otp_totp.TOTPDevice": "deleted when the identity is erased",
    "accounts.RecoveryCodeDevice": "deleted when the identity is erased",
    "accounts.AccountSecurityEvent": "deleted when the identity is erased; purged after 90 days",
    "accounts.SignInLink": "deleted when the identity is erased; purged after 90 days",
}
