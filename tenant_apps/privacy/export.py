"""Right of access and portability: everything about one person in this programme.

Each model that holds data about a person is listed in SOURCES, with how to find that person's
rows and which columns never leave the platform (secrets, hashes, video room URLs). A test
discovers every model with a relation to a participant or a user from the model registry and
fails if one is missing here — a new model must say how it is exported (or why it is not).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model, Q
from django.utils import timezone

from tenant_apps.participants.models import Participant

# Columns that are never exported: secrets, hashes, and the video room URLs (they never leave
# the platform).
NEVER_EXPORTED = frozenset(
    {
        "password",
        "token_hash",
        "code_hash",
        "key",
        "bin_key",
        "video_room_url",
        "video_host_room_url",
        "video_meeting_id",
        "video_room_prefix",
        "body_text",
        "body_html",
        "attachments",
    }
)


@dataclass(frozen=True)
class Source:
    """How to find one person's rows of a model."""

    rows: Callable[[Participant], Q] | None
    reason_excluded: str = ""  # for a model deliberately not exported per programme
    omit: frozenset[str] = field(default_factory=frozenset)


def _pair_side(prefix: str) -> Callable[[Participant], Q]:
    return lambda p: Q(**{f"{prefix}mentee": p}) | Q(**{f"{prefix}mentor": p})


SOURCES: dict[str, Source] = {
    "participants.Participant": Source(rows=lambda p: Q(pk=p.pk)),
    "participants.Answer": Source(rows=lambda p: Q(participant=p)),
    "participants.AccessLink": Source(rows=lambda p: Q(participant=p)),
    "matching.Match": Source(rows=_pair_side("")),
    "matching.MatchRequest": Source(rows=_pair_side("")),
    "matching.MatchBan": Source(rows=_pair_side("")),
    "meetings.Meeting": Source(rows=_pair_side("match__")),
    "meetings.MeetingSlot": Source(rows=_pair_side("meeting__match__")),
    # Only the person's own private notes: the other person's notes are theirs.
    "meetings.MeetingNote": Source(rows=lambda p: Q(author=p)),
    "meetings.MeetingAttendance": Source(rows=lambda p: Q(participant=p)),
    "notifications.Email": Source(rows=lambda p: Q(to=p.user.email)),
    "privacy.AuditEvent": Source(rows=lambda p: Q(actor_user_id=p.user_id)),
    # Shared identity (public schema): exported as the "account" section, per programme
    # without anything that would reveal the person's other programmes.
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


def _value(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


def _row(instance: Model, omit: frozenset[str]) -> dict[str, Any]:
    return {
        f.name: _value(getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
        if f.name not in NEVER_EXPORTED and f.name not in omit
    }


def participant_export(*, participant: Participant) -> dict[str, Any]:
    """The person's data in this programme, as plain JSON-ready values."""
    from shared_apps.accounts.otp import has_two_factor
    from shared_apps.accounts.selectors import security_events_of

    user = participant.user
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "two_factor": has_two_factor(user),
            "security_events": [
                {"kind": kind, "at": at.isoformat()} for kind, at in security_events_of(user=user)
            ],
        },
        "data": {},
    }
    for label, source in SOURCES.items():
        if source.rows is None:
            continue
        model = apps.get_model(label)
        rows = model._default_manager.filter(source.rows(participant)).distinct()
        data["data"][label] = [_row(row, source.omit) for row in rows.order_by("pk")]
    return data
