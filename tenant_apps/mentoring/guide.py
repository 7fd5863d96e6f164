"""The mentoring's part of the participant's home (tenant_apps.participants.home): the next step
computed from the person's state, whose turn it is, upcoming meetings and unread messages.

    complete the questionnaire (100) → answer a request / a meeting proposal (90)
    → choose a mentor (70) or wait for one → propose the first meeting (60)
    → plan the next meeting (50) → set shared goals (40) → introduce yourself (30)

Priority 80 is left free for "give feedback on a meeting" (the surveys app): a pending feedback
comes before proposing or planning meetings. A mentor gets these items for each mentee.
A fixed number of queries whatever the number of pairs, meetings, messages or goals."""

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenant_apps.matching.models import MatchRequest
from tenant_apps.meetings.services import when_label
from tenant_apps.mentoring.selectors import PairState, pair_states, profile_of, quiet_pairs
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.selectors import program_settings_cached, questionnaire_cached

Item = dict[str, Any]


def _item(
    kind: str, priority: int, title: str, body: str = "", url: str = "", action: str = ""
) -> Item:
    return {
        "kind": kind,
        "priority": priority,
        "title": title,
        "body": body,
        "url": url,
        "action_label": action,
    }


def _questionnaire_items(participant: Participant) -> list[Item]:
    questions = [q for q in questionnaire_cached() if q.is_required and q.is_for(participant.role)]
    if not questions:
        return []
    answered = set(
        Answer.objects.filter(participant=participant, question__in=questions)
        .exclude(value__isnull=True)
        .values_list("question_id", flat=True)
    )
    missing = [q for q in questions if q.pk not in answered]
    if not missing:
        return []
    return [
        _item(
            "next_step",
            100,
            _("Complete your questionnaire"),
            ngettext(
                "%(count)d required question is still unanswered: your answers are how we find "
                "your pairing.",
                "%(count)d required questions are still unanswered: your answers are how we "
                "find your pairing.",
                len(missing),
            )
            % {"count": len(missing)},
            reverse("profile"),
            _("Answer the questionnaire"),
        )
    ]


def _requests_items(participant: Participant, settings: ProgramSettings) -> list[Item]:
    items: list[Item] = []
    if participant.role == Participant.Role.MENTOR:
        for request in MatchRequest.objects.filter(
            mentor=participant, status=MatchRequest.Status.PENDING
        ).select_related("mentee__user"):
            items.append(
                _item(
                    "next_step",
                    90,
                    _("Answer %(name)s's request") % {"name": request.mentee.display_name},
                    _("%(name)s would like you to be their mentor. Your turn to answer.")
                    % {"name": request.mentee.display_name},
                    reverse("my-pairing"),
                    _("Answer"),
                )
            )
        return items
    pending = list(
        MatchRequest.objects.filter(
            mentee=participant, status=MatchRequest.Status.PENDING
        ).select_related("mentor__user")
    )
    for request in pending:
        items.append(
            _item(
                "waiting",
                20,
                _("Waiting for %(name)s's answer") % {"name": request.mentor.display_name},
                _("Their turn: they have until %(date)s to answer your request.")
                % {"date": when_label(request.expires_at, "Europe/Paris")},
                reverse("my-pairing"),
                _("See my requests"),
            )
        )
    if settings.matching_mode == ProgramSettings.MatchingMode.CHOICE:
        if not pending and participant.is_available:
            items.append(
                _item(
                    "next_step",
                    70,
                    _("Choose your mentor"),
                    _("Browse the mentors suggested for you and ask the one you prefer."),
                    reverse("mentor-browse"),
                    _("See the mentors"),
                )
            )
    else:
        items.append(
            _item(
                "waiting",
                20,
                _("Your mentor is being chosen"),
                _("The programme team proposes the pairs; you will be told by email."),
            )
        )
    return items


def _pair_items(states: list[PairState]) -> list[Item]:
    items: list[Item] = []
    for state in states:
        name = state.other.display_name
        pair_url = reverse("pair", args=[state.match.pk])
        for meeting in state.to_answer:
            items.append(
                _item(
                    "next_step",
                    90,
                    _("Answer %(name)s's meeting proposal") % {"name": name},
                    _("Your turn: choose one of the proposed times, or decline."),
                    reverse("meeting-detail", args=[meeting.pk]),
                    _("Answer"),
                )
            )
        for meeting in state.waiting_other:
            items.append(
                _item(
                    "waiting",
                    20,
                    _("Waiting for %(name)s to answer your meeting proposal") % {"name": name},
                    _("Their turn: you will be told by email when they answer."),
                    reverse("meeting-detail", args=[meeting.pk]),
                    _("See the proposal"),
                )
            )
        for meeting in state.upcoming:
            items.append(
                _item(
                    "info",
                    35,
                    _("Meeting with %(name)s") % {"name": name},
                    when_label(meeting.starts_at, meeting.time_zone),  # type: ignore[arg-type]
                    reverse("meeting-detail", args=[meeting.pk]),
                    _("See the meeting"),
                )
            )
        is_idle = not (state.upcoming or state.to_answer or state.waiting_other)
        if is_idle and not state.has_met:
            items.append(
                _item(
                    "next_step",
                    60,
                    _("Propose a first meeting to %(name)s") % {"name": name},
                    _("Offer up to three times; %(name)s chooses one.") % {"name": name},
                    reverse("meeting-propose"),
                    _("Propose a meeting"),
                )
            )
        elif is_idle:
            items.append(
                _item(
                    "next_step",
                    50,
                    _("Plan your next meeting with %(name)s") % {"name": name},
                    _("No meeting is planned yet."),
                    reverse("meeting-propose"),
                    _("Propose a meeting"),
                )
            )
        if not state.goals:
            items.append(
                _item(
                    "next_step",
                    40,
                    _("Set your shared goals with %(name)s") % {"name": name},
                    _("Two or three goals give your meetings a direction."),
                    pair_url,
                    _("Set goals"),
                )
            )
        if state.unread:
            items.append(
                _item(
                    "info",
                    45,
                    ngettext(
                        "%(count)d unread message from %(name)s",
                        "%(count)d unread messages from %(name)s",
                        state.unread,
                    )
                    % {"count": state.unread, "name": name},
                    "",
                    reverse("pair-messages", args=[state.match.pk]),
                    _("Read"),
                )
            )
        else:
            items.append(
                _item(
                    "info",
                    10,
                    _("Your pair with %(name)s") % {"name": name},
                    _("Profile, what you share, meetings, goals and messages."),
                    pair_url,
                    _("Open the pair page"),
                )
            )
    return items


def mentoring_home_items(participant: Participant, now: datetime) -> list[Item]:
    """The provider registered with tenant_apps.participants.home."""
    if participant.is_manager:
        quiet = len(quiet_pairs(now=now))
        if not quiet:
            return []
        return [
            _item(
                "info",
                50,
                ngettext(
                    "%(count)d pair has not met for a while",
                    "%(count)d pairs have not met for a while",
                    quiet,
                )
                % {"count": quiet},
                "",
                reverse("manage-mentoring"),
                _("See the pairs"),
            )
        ]
    settings = program_settings_cached()
    items = _questionnaire_items(participant)
    states = pair_states(participant=participant, now=now)
    if participant.role == Participant.Role.MENTOR or not states:
        items += _requests_items(participant, settings)
    items += _pair_items(states)
    profile = profile_of(participant=participant)
    if not (profile.bio or profile.job_title or profile.has_photo):
        items.append(
            _item(
                "next_step",
                30,
                _("Introduce yourself"),
                _("A photo, your job and a few words help your pair know you."),
                reverse("profile-edit"),
                _("Edit my presentation"),
            )
        )
    return items


def meeting_goals_panel(meeting: Any, participant: Participant) -> Item | None:
    """The pair's goals on the meeting page, with a quick status update that comes back to the
    meeting (registered with tenant_apps.meetings.panels). One query."""
    from tenant_apps.matching.models import Match
    from tenant_apps.mentoring.models import Goal

    match = meeting.match
    return {
        "template": "mentoring/_meeting_goals.html",
        "goals": list(Goal.objects.filter(match=match)),
        "statuses": Goal.Status.choices,
        "pair_url": reverse("pair", args=[match.pk]),
        "back": reverse("meeting-detail", args=[meeting.pk]),
        "is_active": match.status == Match.Status.ACTIVE,
    }
