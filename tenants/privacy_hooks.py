"""The client administrator role (public schema), for the privacy app's export and erasure
(saas.core.personal_data). It is a platform role, not programme data: it is not exported per
programme, and it goes when the identity is erased (accounts.services.user_tombstone)."""

from saas.core.personal_data import Erase, Source

EXPORT: dict[str, Source] = {
    "tenants.ClientAdministrator": Source(
        rows=None, reason_excluded="platform role, not programme data; in the platform export"
    ),
}

ERASE: dict[str, Erase | str] = {
    "tenants.ClientAdministrator": "deleted when the identity is erased (user_tombstone)",
}
