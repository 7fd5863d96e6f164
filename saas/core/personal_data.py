"""What an app declares about the personal data it holds, so that the privacy app can export
and erase a person without knowing the app: each app that holds rows about a person has a
`privacy_hooks.py` module with

    EXPORT: dict[str, Source]        # model label -> how the person's rows are found and read
    ERASE: dict[str, Erase | str]    # model label -> the erasure step, or why the rows stay

`tenant_apps.privacy.hooks` finds these modules through the app registry; tests discover every
model that refers to a participant or a user and fail when one has no entry, or when an app
declares another of our apps' models.

Only the vocabulary lives here (the kernel): the types, and the small helpers that put a row in
words on the "Mes données" page (an Item: an optional heading and (label, value) facts; facts
with an empty value are left out).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Fact = tuple[str, str]


@dataclass
class Item:
    heading: str = ""
    facts: list[Fact] = field(default_factory=list)


# The "Mes données" page's sections, in order.
SECTION_TITLES = {
    "account": gettext_lazy("Your account"),
    "profile": gettext_lazy("Your profile and your answers"),
    "pairs": gettext_lazy("Your pairs"),
    "meetings": gettext_lazy("Your meetings"),
    "relationship": gettext_lazy("Your presentation, messages and goals"),
    "feedback": gettext_lazy("Your feedback and announcements"),
    "messages": gettext_lazy("Messages sent to you"),
    "access": gettext_lazy("Access links"),
    "journal": gettext_lazy("Journal"),
}


@dataclass(frozen=True)
class Source:
    """How to find one person's rows of a model (`rows` gets the participant), and how they
    read; `rows=None` with `reason_excluded` for a model deliberately not exported per
    programme."""

    rows: Callable[[Any], Q] | None
    reason_excluded: str = ""
    omit: frozenset[str] = field(default_factory=frozenset)
    # Left out of the rows the person did not do themselves: who else acted (their address,
    # their request) is that other person's data, or an unknown network's.
    omit_unless_own: frozenset[str] = field(default_factory=frozenset)
    # How the rows read on the "Mes données" page: a key of SECTION_TITLES, a function
    # (row, the person asking) -> Item, and the relations it reads (fetched with the rows).
    section: str = ""
    present: Callable[[Any, Any], Item] | None = None
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Identity:
    """Who the person was, captured before their row is tied to the anonymous placeholder:
    what erasure steps look for in places that hold copies (the outbox)."""

    email: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Erase:
    """One erasure step: `step(participant, identity)`, run after the participant row is tied
    to the placeholder, in increasing `order` across apps (equal orders: app order)."""

    step: Callable[[Any, Identity], Any]
    order: int


def when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def item(heading: Any = "", *facts: tuple[Any, Any]) -> Item:
    return Item(
        heading=str(heading),
        facts=[(str(label), str(value)) for label, value in facts if value not in ("", None)],
    )
