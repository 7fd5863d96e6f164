"""Right of access and portability: everything about one person in this programme.

Each model that holds data about a person is listed in SOURCES, with how to find that person's
rows and which columns never leave the platform (secrets, hashes, video room URLs). A test
discovers every model with a relation to a participant or a user from the model registry and
fails if one is missing here — a new model must say how it is exported (or why it is not).

Each entry also says how its rows read on the "Mes données" page: the section they belong to
and the function of privacy.readable that puts one row in words (another test checks that
every exported model has one). The JSON download keeps the raw rows, complete.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.participants.models import Participant
from tenant_apps.privacy import readable
from tenant_apps.privacy.readable import SECTION_TITLES, Item

SECTIONS = tuple(SECTION_TITLES)
TABLE_SECTIONS = frozenset({"messages", "access", "journal"})

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
        "about",  # the outbox's tags: ids of other participants
    }
)


@dataclass(frozen=True)
class Source:
    """How to find one person's rows of a model."""

    rows: Callable[[Participant], Q] | None
    reason_excluded: str = ""  # for a model deliberately not exported per programme
    omit: frozenset[str] = field(default_factory=frozenset)
    # Left out of the rows the person did not do themselves: who else acted (their address,
    # their request) is that other person's data, or an unknown network's.
    omit_unless_own: frozenset[str] = field(default_factory=frozenset)
    # How the rows read on the "Mes données" page: a section of readable.SECTION_TITLES, a
    # function of privacy.readable, and the relations it reads (fetched with the rows).
    section: str = ""
    present: Callable[[Any, Participant], Item] | None = None
    related: tuple[str, ...] = ()


def _pair_side(prefix: str) -> Callable[[Participant], Q]:
    return lambda p: Q(**{f"{prefix}mentee": p}) | Q(**{f"{prefix}mentor": p})


_PAIR_PEOPLE = ("mentee__user", "mentor__user")
_MEETING_PEOPLE = ("match__mentee__user", "match__mentor__user")

SOURCES: dict[str, Source] = {
    "participants.Participant": Source(
        rows=lambda p: Q(pk=p.pk), section="profile", present=readable.participant
    ),
    "participants.Answer": Source(
        rows=lambda p: Q(participant=p),
        section="profile",
        present=readable.answer,
        related=("question",),
    ),
    "participants.AccessLink": Source(
        rows=lambda p: Q(participant=p), section="access", present=readable.access_link
    ),
    "matching.Match": Source(
        rows=_pair_side(""), section="pairs", present=readable.match, related=_PAIR_PEOPLE
    ),
    "matching.MatchRequest": Source(
        rows=_pair_side(""),
        section="pairs",
        present=readable.match_request,
        related=_PAIR_PEOPLE,
    ),
    "matching.MatchBan": Source(rows=_pair_side(""), section="pairs", present=readable.match_ban),
    "meetings.Meeting": Source(
        rows=_pair_side("match__"),
        section="meetings",
        present=readable.meeting,
        related=_MEETING_PEOPLE,
    ),
    "meetings.MeetingSlot": Source(
        rows=_pair_side("meeting__match__"), section="meetings", present=readable.meeting_slot
    ),
    # Only the person's own private notes: the other person's notes are theirs.
    "meetings.MeetingNote": Source(
        rows=lambda p: Q(author=p),
        section="meetings",
        present=readable.meeting_note,
        related=("meeting",),
    ),
    "meetings.MeetingAttendance": Source(
        rows=lambda p: Q(participant=p), section="meetings", present=readable.meeting_attendance
    ),
    "notifications.Email": Source(
        rows=lambda p: Q(to=p.user.email), section="messages", present=readable.email
    ),
    # tenant_apps.surveys: the person's invitations ("has answered" markers) and the answers
    # they gave with their name; aggregated-only answers hold no link to anyone, so they
    # cannot be (and are not) anyone's. The announcements a manager wrote.
    "surveys.SurveyInvitation": Source(
        rows=lambda p: Q(participant=p),
        section="feedback",
        present=readable.survey_invitation,
        related=("survey",),
        omit=frozenset({"occasion"}),
    ),
    "surveys.SurveyResponse": Source(
        rows=lambda p: Q(participant=p),
        section="feedback",
        present=readable.survey_response,
        related=("survey",),
    ),
    "surveys.Announcement": Source(
        rows=lambda p: Q(author=p), section="feedback", present=readable.announcement
    ),
    # What the person did, and what was done about them (target: their participant row).
    "privacy.AuditEvent": Source(
        rows=lambda p: (
            Q(actor_user_id=p.user_id)
            | Q(target_type="participants.participant", target_id=str(p.pk))
        ),
        section="journal",
        present=readable.audit_event,
        omit_unless_own=frozenset({"ip", "request_id"}),
    ),
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


def _others_omitted(row: Model, source: Source, participant: Participant) -> frozenset[str]:
    if not source.omit_unless_own or getattr(row, "actor_user_id", None) == participant.user_id:
        return frozenset()
    return source.omit_unless_own


def _source_rows(label: str, source: Source, participant: Participant) -> Any:
    assert source.rows is not None
    model = apps.get_model(label)
    rows = model._default_manager.filter(source.rows(participant)).distinct()
    return rows.order_by("pk")


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
        rows = _source_rows(label, source, participant)
        data["data"][label] = [
            _row(row, source.omit | _others_omitted(row, source, participant)) for row in rows
        ]
    return data


@dataclass
class Section:
    key: str
    title: str
    items: list[Item]

    @property
    def plain_facts(self) -> list[tuple[str, str]]:
        """Facts of the rows without a heading (the account, the answers), as one list."""
        return [fact for item in self.items if not item.heading for fact in item.facts]

    @property
    def cards(self) -> list[Item]:
        return [item for item in self.items if item.heading]

    @property
    def is_table(self) -> bool:
        """Long lists of short rows (messages, journal, links) read best as a table."""
        return self.key in TABLE_SECTIONS


def participant_export_readable(*, participant: Participant) -> list[Section]:
    """The same data as participant_export, in words, by section (the "Mes données" page)."""
    from shared_apps.accounts.otp import has_two_factor

    user = participant.user
    account = readable.item(
        "",
        (_("Email address"), user.email),
        (_("First name"), user.first_name),
        (_("Last name"), user.last_name),
        (_("Account created on"), readable.when(user.date_joined)),
        (_("Two-step verification"), readable.yes_no(has_two_factor(user))),
    )
    sections = {key: Section(key, str(title), []) for key, title in SECTION_TITLES.items()}
    sections["account"].items.append(account)
    for label, source in SOURCES.items():
        if source.rows is None or source.present is None:
            continue
        rows = _source_rows(label, source, participant)
        if source.related:
            rows = rows.select_related(*source.related)
        sections[source.section].items.extend(source.present(row, participant) for row in rows)
    return list(sections.values())
