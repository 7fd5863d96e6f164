"""The register of personal data breaches (RGPD art. 33.5), kept by the platform's operator.
Every write is audited in the same transaction."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit.log import audit_record, audit_unchanged, audited
from saas.core.errors import ValidationFailed
from shared_apps.platform_audit.models import Breach

BREACH_FIELDS = (
    "occurred_at",
    "discovered_at",
    "nature",
    "people_affected",
    "data_affected",
    "consequences",
    "measures",
    "cnil_notified_at",
    "cnil_not_notified_reason",
    "people_informed_at",
)


def _validate(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    discovered: datetime | None = values.get("discovered_at")
    occurred: datetime | None = values.get("occurred_at")
    if occurred and discovered and occurred > discovered:
        errors["occurred_at"] = [_("A breach cannot occur after it was discovered.")]
    for name in ("cnil_notified_at", "people_informed_at"):
        when = values.get(name)
        if when and discovered and when < discovered:
            errors[name] = [_("This date is before the breach was discovered.")]
    if values.get("cnil_notified_at") and values.get("cnil_not_notified_reason", "").strip():
        errors["cnil_not_notified_reason"] = [
            _("The CNIL was notified: leave the reason for not notifying empty.")
        ]
    if errors:
        raise ValidationFailed(_("Check the dates of the breach."), fields=errors)


@transaction.atomic
@audited
def breach_record(
    *,
    recorded_by_user_id: int | None,
    discovered_at: datetime,
    nature: str,
    people_affected: str,
    data_affected: str,
    consequences: str,
    measures: str,
    occurred_at: datetime | None = None,
    cnil_notified_at: datetime | None = None,
    cnil_not_notified_reason: str = "",
    people_informed_at: datetime | None = None,
) -> Breach:
    values: dict[str, Any] = {
        "discovered_at": discovered_at,
        "occurred_at": occurred_at,
        "nature": nature.strip(),
        "people_affected": people_affected.strip(),
        "data_affected": data_affected.strip(),
        "consequences": consequences.strip(),
        "measures": measures.strip(),
        "cnil_notified_at": cnil_notified_at,
        "cnil_not_notified_reason": (cnil_not_notified_reason or "").strip(),
        "people_informed_at": people_informed_at,
    }
    _validate(values)
    breach = Breach.objects.create(recorded_by_user_id=recorded_by_user_id, **values)
    audit_record(action="console.breach_recorded", target=breach)
    return breach


@transaction.atomic
@audited
def breach_update(*, breach: Breach, **values: Any) -> Breach:
    """Complete or correct an entry (typically: the CNIL notified, people informed). `values`
    are fields of BREACH_FIELDS; anything else is refused."""
    unknown = set(values) - set(BREACH_FIELDS)
    if unknown:
        raise TypeError(f"unknown breach fields: {sorted(unknown)}")
    merged = {name: values.get(name, getattr(breach, name)) for name in BREACH_FIELDS}
    if merged["cnil_not_notified_reason"] is None:
        merged["cnil_not_notified_reason"] = ""
    _validate(merged)
    changed = [name for name in BREACH_FIELDS if getattr(breach, name) != merged[name]]
    for name in changed:
        setattr(breach, name, merged[name])
    if changed:
        breach.save(update_fields=[*changed, "updated_at"])
        audit_record(action="console.breach_updated", target=breach, details={"fields": changed})
    else:
        audit_unchanged()
    return breach
