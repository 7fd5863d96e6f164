from datetime import timedelta
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# The platform's audit events moved to the `audit` app (audit.AuditEvent, in `public` and in
# every programme's schema); this app keeps the register of breaches.


class Breach(models.Model):
    """One entry of the register of personal data breaches (RGPD art. 33.5): every breach is
    recorded, notified to the CNIL or not (the reason is then written down). Kept by the
    platform's operator in `public`: it describes, never copies, the data affected."""

    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    discovered_at = models.DateTimeField(_("discovered at"))
    nature = models.TextField(_("nature of the breach"))
    people_affected = models.TextField(_("people affected (categories, approximate number)"))
    data_affected = models.TextField(_("data affected (categories, approximate number)"))
    consequences = models.TextField(_("likely consequences"))
    measures = models.TextField(_("measures taken or proposed"))
    cnil_notified_at = models.DateTimeField(_("CNIL notified at"), null=True, blank=True)
    cnil_not_notified_reason = models.TextField(
        _("why the CNIL was not notified"), blank=True, default=""
    )
    people_informed_at = models.DateTimeField(_("people informed at"), null=True, blank=True)
    recorded_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-discovered_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.discovered_at:%Y-%m-%d} — {self.nature[:60]}"

    @property
    def notification_deadline(self) -> Any:
        """72 hours after the breach was discovered (art. 33.1)."""
        return self.discovered_at + timedelta(hours=72)
