"""A valid POST of the manager's settings page (/gestion/parametres/), for the tests that change
one thing on it: `{**SETTINGS, "field": "value"}`."""

SETTINGS = {
    "allowed_email_domains_text": "a.example",
    "registration_roles": "both",
    "two_factor_policy": "optional",
    "primary_color": "#1d4e89",
    "language": "fr",
    "matching_mode": "manager",
    "matching_objective": "matches",
    "request_expiry_days": "3",
    "retention_inactive_warn_months": "22",
    "retention_inactive_erase_months": "24",
    "retention_after_end_months": "12",
    "retention_unverified_days": "7",
}
