"""The matching app's personal data, for the privacy app's export and erasure
(saas.core.personal_data)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from saas.core.personal_data import Erase, Identity, Item, Source, item, when
from tenant_apps.matching.models import Match, MatchBan, MatchRequest
from tenant_apps.matching.selectors import in_pair

# --- in words ------------------------------------------------------------------------------------


def other_side(pair: Any, me: Any) -> Any:
    """The other person of a pair (or a request, a ban) that `me` is in."""
    return pair.mentor if pair.mentee_id == me.pk else pair.mentee


def _your_role(row: Any, me: Any) -> str:
    return _("mentee") if row.mentee_id == me.pk else _("mentor")


def match_in_words(row: Any, me: Any) -> Item:
    summary = row.explanation.get("summary", "") if isinstance(row.explanation, dict) else ""
    return item(
        _("With %(name)s") % {"name": other_side(row, me).display_name},
        (_("Your role in this pair"), _your_role(row, me)),
        (_("Status"), row.get_status_display()),
        (_("How the pair was made"), row.get_source_display()),
        (_("Why this pair"), summary),
        (_("Proposed on"), when(row.created_at)),
        (_("Started on"), when(row.activated_at)),
        (_("Ended on"), when(row.ended_at)),
        (_("Reason for ending"), row.end_reason),
    )


def match_request_in_words(row: Any, me: Any) -> Item:
    is_sender = row.mentee_id == me.pk
    heading = (_("Your request to %(name)s") if is_sender else _("Request from %(name)s")) % {
        "name": other_side(row, me).display_name
    }
    return item(
        heading,
        (_("Status"), row.get_status_display()),
        (_("Message"), row.message),
        (_("Sent on"), when(row.created_at)),
        (_("Answered on"), when(row.answered_at)),
    )


def match_ban_in_words(row: Any, me: Any) -> Item:
    return item(
        _("A proposed pair set aside by the programme's managers"),
        (_("Date"), when(row.created_at)),
    )


# --- erasure -------------------------------------------------------------------------------------


def _erase_matches(participant: Any, identity: Identity) -> None:
    """Open pairs and proposals end with the reason "erasure"; the free text of pairs that had
    ended already goes."""
    pairs = Match.objects.filter(mentee=participant) | Match.objects.filter(mentor=participant)
    now = timezone.now()
    for match in Match.objects.select_for_update().filter(pk__in=pairs.values("pk")):
        match.explanation = []
        if match.status == Match.Status.ENDED:
            if match.end_reason != Match.ERASURE:  # a manager's free text about the pair
                match.end_reason = ""
        else:
            match.status, match.ended_at = Match.Status.ENDED, now
            match.end_reason = Match.ERASURE
        match.save(update_fields=["end_reason", "explanation", "status", "ended_at"])


# --- the hooks -----------------------------------------------------------------------------------


PAIR_PEOPLE = ("mentee__user", "mentor__user")

EXPORT: dict[str, Source] = {
    "matching.Match": Source(
        rows=in_pair, section="pairs", present=match_in_words, related=PAIR_PEOPLE
    ),
    "matching.MatchRequest": Source(
        rows=in_pair,
        section="pairs",
        present=match_request_in_words,
        related=PAIR_PEOPLE,
    ),
    "matching.MatchBan": Source(rows=in_pair, section="pairs", present=match_ban_in_words),
}

ERASE: dict[str, Erase | str] = {
    "matching.MatchRequest": Erase(
        lambda p, i: (
            MatchRequest.objects.filter(mentee=p) | MatchRequest.objects.filter(mentor=p)
        ).delete(),
        order=30,
    ),
    "matching.MatchBan": Erase(
        lambda p, i: (
            MatchBan.objects.filter(mentee=p) | MatchBan.objects.filter(mentor=p)
        ).delete(),
        order=30,
    ),
    # After the meetings (order 40): a pair ends once its upcoming meetings are cancelled.
    "matching.Match": Erase(_erase_matches, order=50),
}
