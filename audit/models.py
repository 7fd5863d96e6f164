from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """No bulk update or delete from the application; the database refuses them too (trigger),
    except inside `audit_purge()` (the retention job)."""

    def update(self, **kwargs: object) -> int:
        raise PermissionError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


class AuditEvent(models.Model):
    """Who did what, when (UTC), from where, on what. One table per schema: a programme's
    events in its schema, the platform's (console, super-admin logins) in `public`. Details
    never repeat personal data that an erasure would have to find again."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_role = models.CharField(max_length=20, blank=True)
    # An actor that is not a person says who it is here ("API key «HR system»"); empty for
    # people (their name is read from actor_user_id) and for the platform.
    actor_label = models.CharField(max_length=120, blank=True, default="")
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # Platform events about a programme (public schema only; empty in a programme's schema).
    program_id = models.BigIntegerField(null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")
