"""The rows of the manager's exports: participants (status and dates, no secret), pairs and
meetings (never a room URL, never a note). Written through saas.core.exports."""

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant

KINDS = ("participants", "pairs", "meetings")


def _when(moment: Any) -> str:
    return moment.isoformat() if moment else ""


def participants_table() -> tuple[list[str], Iterator[list[Any]]]:
    header = [_("Number"), _("Name"), _("Email address"), _("Role"), _("Status"),
              _("Joined via"), _("Joined on"), _("Registered on"), _("Deactivated on"),
              _("Last active on")]  # fmt: skip
    people = (
        Participant.objects.select_related("user")
        .order_by("pk")
        .only("pk", "role", "status", "joined_via", "created_at", "activated_at",
              "deactivated_at", "last_active_at", "user__email", "user__first_name",
              "user__last_name")
    )  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for person in people.iterator(chunk_size=2000):
            yield [person.pk, person.display_name, person.display_email,
                   person.get_role_display(), person.get_status_display(),
                   person.get_joined_via_display(), _when(person.created_at),
                   _when(person.activated_at), _when(person.deactivated_at),
                   _when(person.last_active_at)]  # fmt: skip

    return header, rows()


def pairs_table() -> tuple[list[str], Iterator[list[Any]]]:
    header = [_("Pair"), _("Mentee"), _("Mentor"), _("Status"), _("Paired by"), _("Score"),
              _("Proposed on"), _("Active since"), _("Ended on"), _("Reason for ending"),
              _("Meetings held")]  # fmt: skip
    pairs = (
        Match.objects.select_related("mentee__user", "mentor__user")
        .annotate(held=Count("meetings", filter=Q(meetings__status=Meeting.Status.HELD)))
        .order_by("pk")
    )

    def rows() -> Iterator[list[Any]]:
        for pair in pairs.iterator(chunk_size=2000):
            yield [pair.pk, pair.mentee.display_name, pair.mentor.display_name,
                   pair.get_status_display(), pair.get_source_display(), pair.score,
                   _when(pair.created_at), _when(pair.activated_at), _when(pair.ended_at),
                   pair.end_reason_display, pair.held]  # fmt: skip

    return header, rows()


def meetings_table() -> tuple[list[str], Iterator[list[Any]]]:
    header = [_("Meeting"), _("Pair"), _("Status"), _("Starts at"), _("Ends at"),
              _("Time zone"), _("Confirmed on"), _("Cancelled on"), _("Outcome recorded by"),
              _("Outcome recorded on")]  # fmt: skip
    # Never the room's URLs, nor notes or next steps: only what a report needs.
    meetings = Meeting.objects.order_by("pk").only(
        "pk", "match_id", "status", "starts_at", "ends_at", "time_zone", "confirmed_at",
        "cancelled_at", "outcome_source", "outcome_at",
    )  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for meeting in meetings.iterator(chunk_size=2000):
            yield [meeting.pk, meeting.match_id, meeting.get_status_display(),
                   _when(meeting.starts_at), _when(meeting.ends_at), meeting.time_zone,
                   _when(meeting.confirmed_at), _when(meeting.cancelled_at),
                   meeting.get_outcome_source_display(), _when(meeting.outcome_at)]  # fmt: skip

    return header, rows()


TABLES = {"participants": participants_table, "pairs": pairs_table, "meetings": meetings_table}
