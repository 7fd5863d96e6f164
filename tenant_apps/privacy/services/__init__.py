"""The privacy app's services, by concern: `export` (right of access), `erasure` (right to
erasure), `retention` (the daily rules and their dry run). What other apps hold about a person
comes from their privacy hooks (tenant_apps.privacy.hooks)."""
