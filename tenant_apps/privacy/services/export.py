"""Right of access and portability: everything about one person in this programme.

Each app that holds data about a person says, in its privacy hooks (EXPORT), how to find that
person's rows of each of its models; the columns below never leave the platform, whatever the
model (secrets, hashes, video room URLs). A test discovers every model with a relation to a
participant or a user from the model registry and fails if one has no hook — a new model must
say how it is exported (or why it is not).

Each entry also says how its rows read on the "Mes données" page: the section they belong to
and the function that puts one row in words (another test checks that every exported model has
one). The JSON download keeps the raw rows, complete.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_exempt
from saas.core.personal_data import SECTION_TITLES, Item, Source, item, when, yes_no
from tenant_apps.privacy.hooks import export_sources

if TYPE_CHECKING:
    from tenant_apps.participants.models import Participant

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


def _others_omitted(row: Model, source: Source, participant: "Participant") -> frozenset[str]:
    if not source.omit_unless_own or getattr(row, "actor_user_id", None) == participant.user_id:
        return frozenset()
    return source.omit_unless_own


def _source_rows(label: str, source: Source, participant: "Participant") -> Any:
    assert source.rows is not None
    model = apps.get_model(label)
    rows = model._default_manager.filter(source.rows(participant)).distinct()
    return rows.order_by("pk")


@audit_exempt("a read: the page that serves it records privacy.exported")
def participant_export(*, participant: "Participant") -> dict[str, Any]:
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
    for label, source in export_sources().items():
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


@audit_exempt("a read: the page that serves it records privacy.exported")
def participant_export_readable(*, participant: "Participant") -> list[Section]:
    """The same data as participant_export, in words, by section (the "Mes données" page)."""
    from shared_apps.accounts.otp import has_two_factor

    user = participant.user
    account = item(
        "",
        (_("Email address"), user.email),
        (_("First name"), user.first_name),
        (_("Last name"), user.last_name),
        (_("Account created on"), when(user.date_joined)),
        (_("Two-step verification"), yes_no(has_two_factor(user))),
    )
    sections = {key: Section(key, str(title), []) for key, title in SECTION_TITLES.items()}
    sections["account"].items.append(account)
    for label, source in export_sources().items():
        if source.rows is None or source.present is None:
            continue
        rows = _source_rows(label, source, participant)
        if source.related:
            rows = rows.select_related(*source.related)
        sections[source.section].items.extend(source.present(row, participant) for row in rows)
    return list(sections.values())
