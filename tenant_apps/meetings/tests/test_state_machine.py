"""The meeting's state machine, through its services: every allowed transition, and every
forbidden one refused with the right error and nothing changed (meeting, slots, emails); and,
for every state, person and time, the meeting page offers exactly what the services allow."""

import re
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, override
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.core.errors import ApplicationError, Conflict, NotAllowed, ValidationFailed
from tenant_apps.meetings.models import Meeting, MeetingSlot
from tenant_apps.meetings.services.answering import meeting_accept, meeting_decline
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.moving import meeting_move_propose
from tenant_apps.meetings.services.outcome import meeting_outcome_set
from tenant_apps.meetings.tests.factories import confirmed, person, proposed, slot
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import Participant

AFTER_START = timedelta(minutes=10)


def build(pair, state: str) -> Meeting:
    """A meeting of `pair` in `state`, reached through the services. The mentee proposes; in
    move_proposed, the mentor proposed the move."""
    if state == "proposed":
        return proposed(pair)
    if state == "declined":
        return meeting_decline(meeting=proposed(pair), by=pair.mentor)
    meeting = confirmed(pair)
    if state == "confirmed":
        return meeting
    if state == "move_proposed":
        return meeting_move_propose(
            meeting=meeting, by=pair.mentor, slots=[slot(timedelta(days=3))]
        )
    if state == "cancelled":
        return meeting_cancel(meeting=meeting, by=pair.mentee, reason="Empêchement")
    assert meeting.starts_at is not None  # confirmed above
    with time_machine.travel(meeting.starts_at + AFTER_START):
        return meeting_outcome_set(meeting=meeting, by=pair.mentee, is_held=state == "held")


def act(meeting: Meeting, action: str, by: Participant) -> Meeting:
    if action == "accept":
        last = meeting.slots.order_by("-proposal_round", "starts_at").first()
        assert last is not None
        return meeting_accept(meeting=meeting, by=by, slot_id=last.pk)
    if action == "decline":
        return meeting_decline(meeting=meeting, by=by, reason="Pas disponible")
    if action == "move":
        return meeting_move_propose(meeting=meeting, by=by, slots=[slot(timedelta(days=5))])
    if action == "cancel":
        return meeting_cancel(meeting=meeting, by=by, reason="Empêchement")
    if action == "cancel_without_reason":
        return meeting_cancel(meeting=meeting, by=by, reason="  ")
    if action in ("held", "not_held"):
        return meeting_outcome_set(meeting=meeting, by=by, is_held=action == "held")
    raise AssertionError(action)


def actor(pair, who: str) -> Participant:
    if who == "outsider":  # another participant of the same programme
        return person("noe.outsider@a.example", Participant.Role.MENTEE, "Noé", "Dehors")
    return getattr(pair, who)


def snapshot(meeting: Meeting) -> tuple:
    return (
        Meeting.objects.filter(pk=meeting.pk).values().get(),
        list(MeetingSlot.objects.filter(meeting=meeting).values()),
        Email.objects.count(),
    )


ALLOWED = [
    # (from, action, by, at, to)
    ("proposed", "accept", "mentor", None, "confirmed"),
    ("proposed", "decline", "mentor", None, "declined"),
    ("proposed", "cancel", "mentee", None, "cancelled"),
    ("proposed", "cancel", "mentor", None, "cancelled"),
    ("confirmed", "move", "mentee", None, "move_proposed"),
    ("confirmed", "move", "mentor", None, "move_proposed"),
    ("confirmed", "cancel", "mentor", None, "cancelled"),
    ("confirmed", "held", "mentor", AFTER_START, "held"),
    ("confirmed", "not_held", "mentee", AFTER_START, "not_held"),
    ("move_proposed", "accept", "mentee", None, "confirmed"),
    ("move_proposed", "decline", "mentee", None, "confirmed"),
    ("move_proposed", "cancel", "mentee", None, "cancelled"),
    ("move_proposed", "held", "mentee", AFTER_START, "held"),
    ("held", "not_held", "mentor", AFTER_START, "not_held"),
    ("held", "held", "mentor", AFTER_START, "held"),
    ("not_held", "held", "mentee", AFTER_START, "held"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action", "who", "at", "expected"), ALLOWED)
def test_allowed_transition(pair, state, action, who, at, expected):
    with tenant_context(pair.program):
        # given a meeting in `state`
        meeting = build(pair, state)
        before = Meeting.objects.get(pk=meeting.pk)

        # when the action is taken by that person (after the start when `at` says so)
        clock = time_machine.travel(meeting.starts_at + at) if at else nullcontext()
        with clock:
            act(meeting, action, actor(pair, who))

        # then the meeting is in the expected state
        after = Meeting.objects.get(pk=meeting.pk)
        assert after.status == expected
        if (state, action) == ("move_proposed", "accept"):
            assert after.starts_at != before.starts_at and after.sequence == before.sequence + 1
        if (state, action) == ("move_proposed", "decline"):
            assert (after.starts_at, after.sequence) == (before.starts_at, before.sequence)
        if action == "cancel":
            assert after.cancel_reason == "Empêchement" and after.cancelled_at is not None
    connection.set_schema_to_public()


FORBIDDEN = [
    # (state, action, by, at, error)
    ("proposed", "accept", "mentee", None, NotAllowed),  # one does not accept one's own proposal
    ("proposed", "accept", "outsider", None, NotAllowed),
    ("proposed", "decline", "mentee", None, NotAllowed),
    ("proposed", "move", "mentor", None, Conflict),
    ("proposed", "held", "mentee", None, Conflict),
    ("proposed", "cancel", "outsider", None, NotAllowed),
    ("proposed", "cancel_without_reason", "mentee", None, ValidationFailed),
    ("confirmed", "accept", "mentor", None, Conflict),
    ("confirmed", "decline", "mentor", None, Conflict),
    ("confirmed", "held", "mentee", None, Conflict),  # before the start
    ("confirmed", "held", "outsider", AFTER_START, NotAllowed),
    ("confirmed", "move", "mentee", AFTER_START, Conflict),  # it has started
    ("confirmed", "move", "outsider", None, NotAllowed),
    ("confirmed", "cancel", "mentee", timedelta(hours=2), Conflict),  # it is over
    ("confirmed", "cancel_without_reason", "mentor", None, ValidationFailed),
    ("move_proposed", "accept", "mentor", None, NotAllowed),  # the mentor proposed the move
    ("move_proposed", "decline", "mentor", None, NotAllowed),
    ("move_proposed", "move", "mentee", None, Conflict),
    ("declined", "accept", "mentor", None, Conflict),
    ("declined", "decline", "mentor", None, Conflict),
    ("declined", "move", "mentee", None, Conflict),
    ("declined", "cancel", "mentee", None, Conflict),
    ("declined", "held", "mentee", None, Conflict),
    ("cancelled", "accept", "mentor", None, Conflict),
    ("cancelled", "decline", "mentor", None, Conflict),
    ("cancelled", "move", "mentee", None, Conflict),
    ("cancelled", "cancel", "mentee", None, Conflict),
    ("cancelled", "held", "mentee", AFTER_START, Conflict),
    ("held", "accept", "mentor", None, Conflict),
    ("held", "decline", "mentor", None, Conflict),
    ("held", "move", "mentee", None, Conflict),
    ("held", "cancel", "mentee", None, Conflict),
    ("not_held", "move", "mentor", None, Conflict),
    ("not_held", "cancel", "mentor", None, Conflict),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action", "who", "at", "error"), FORBIDDEN)
def test_forbidden_transition_is_refused_and_changes_nothing(pair, state, action, who, at, error):
    with tenant_context(pair.program):
        # given a meeting in `state`
        meeting = build(pair, state)
        by = actor(pair, who)
        before = snapshot(meeting)

        # when the action is attempted
        clock = time_machine.travel(meeting.starts_at + at) if at else nullcontext()
        with clock, pytest.raises(error) as refused:
            act(Meeting.objects.get(pk=meeting.pk), action, by)

        # then it is refused with a message, and nothing changed
        assert str(refused.value.message)
        assert snapshot(meeting) == before
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_accepting_a_time_that_has_passed_is_refused(pair):
    with tenant_context(pair.program):
        meeting = proposed(pair, starts_in=timedelta(hours=1))
        before = snapshot(meeting)
        passed = meeting.slots.get()
        with (
            time_machine.travel(passed.starts_at + timedelta(minutes=1)),
            pytest.raises(ValidationFailed),
        ):
            meeting_accept(meeting=meeting, by=pair.mentor, slot_id=passed.pk)
        assert snapshot(meeting) == before
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_time_of_an_earlier_round_cannot_be_accepted(pair):
    # given a confirmed meeting whose move the mentor proposed
    with tenant_context(pair.program):
        meeting = build(pair, "move_proposed")
        old_slot = meeting.slots.get(proposal_round=0)
        before = snapshot(meeting)

        # when the mentee "accepts" the original slot again
        with pytest.raises(ValidationFailed):
            meeting_accept(meeting=meeting, by=pair.mentee, slot_id=old_slot.pk)

        # then nothing changed
        assert snapshot(meeting) == before
    connection.set_schema_to_public()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("times", "msgid"),
    [
        ([], "Propose at least one time."),
        ([slot(timedelta(days=d)) for d in (1, 2, 3, 4)], "Propose at most three times."),
        ([slot(timedelta(days=-1))], "Propose times in the future."),
        ([slot(timedelta(days=400))], "Propose times within the next year."),
        ([slot(timedelta(days=1), minutes=5)], "A meeting lasts between 15 minutes and 4 hours."),
        (
            [slot(timedelta(days=1), minutes=300)],
            "A meeting lasts between 15 minutes and 4 hours.",
        ),
        ([slot(timedelta(days=1)), slot(timedelta(days=1))], "The same time is proposed twice."),
    ],
)
def test_invalid_proposals_are_refused(pair, times, msgid):
    from tenant_apps.meetings.services.proposing import meeting_propose

    with tenant_context(pair.program):
        emails = Email.objects.count()
        with override("fr"), pytest.raises(ValidationFailed) as refused:
            meeting_propose(match=pair.match, by=pair.mentee, slots=times)
        with override("fr"):
            assert str(refused.value.message) == gettext(msgid)
        assert Meeting.objects.count() == 0
        assert Email.objects.count() == emails
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_only_the_pair_of_an_active_match_can_propose(pair):
    from tenant_apps.matching.services import match_end
    from tenant_apps.meetings.services.proposing import meeting_propose

    with tenant_context(pair.program):
        outsider = actor(pair, "outsider")
        with pytest.raises(NotAllowed):
            meeting_propose(match=pair.match, by=outsider, slots=[slot(timedelta(days=1))])
        with pytest.raises(ValidationFailed):
            meeting_propose(
                match=pair.match, by=pair.mentee, slots=[slot(timedelta(days=1))], time_zone="Mars"
            )
        match_end(match=pair.match, reason="Fin du programme")
        with pytest.raises(Conflict):
            meeting_propose(match=pair.match, by=pair.mentee, slots=[slot(timedelta(days=1))])
        assert Meeting.objects.count() == 0
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_notes_are_private_and_next_steps_shared(pair):
    from tenant_apps.meetings.selectors import note_for
    from tenant_apps.meetings.services.notes import meeting_next_steps_save, meeting_note_save

    with tenant_context(pair.program):
        meeting = confirmed(pair)
        meeting_note_save(meeting=meeting, by=pair.mentee, text="Parler de ma mobilité")
        meeting_note_save(meeting=meeting, by=pair.mentee, text="Parler de ma mobilité interne")
        meeting_next_steps_save(meeting=meeting, by=pair.mentor, text="Lire le guide RH")
        with pytest.raises(NotAllowed):
            meeting_note_save(meeting=meeting, by=actor(pair, "outsider"), text="x")

        assert note_for(meeting=meeting, participant=pair.mentee).text == (
            "Parler de ma mobilité interne"
        )
        assert note_for(meeting=meeting, participant=pair.mentor) is None
        assert Meeting.objects.get(pk=meeting.pk).next_steps == "Lire le guide RH"
    connection.set_schema_to_public()


# --- what the page offers is what the services allow -------------------------------------------
# For every state × person × time, the meeting page (the template, through the view's flags)
# and the services (through the model's guards) must agree on each action: a button the
# service would refuse, or an allowed action without its button, fails the test.

STATES = ["proposed", "confirmed", "move_proposed", "declined", "cancelled", "held", "not_held"]
PEOPLE = ["mentee", "mentor", "outsider"]
TIMES = {  # from the meeting's start (for a proposal: from its first proposed time)
    "a day before": timedelta(days=-1),
    "after the start": AFTER_START,
    "after the end": timedelta(hours=2),
}
# What each action is on the page: the form or link that performs it.
OFFERS = {
    "accept": "/accepter/",
    "decline": "/refuser/",
    "move": "/deplacer/",
    "cancel": "/annuler/",
    "held": 'name="outcome" value="held"',
    "not_held": 'name="outcome" value="not_held"',
    "next_steps": "/suites/",
    "note": "/notes/",
    "join": "/visio",
}


class _RolledBack(Exception):
    pass


def _attempt(meeting: Meeting, action: str, by: Participant) -> bool:
    """Whether the service does `action` (it is then rolled back)."""
    from tenant_apps.meetings.services.notes import meeting_next_steps_save, meeting_note_save

    meeting = Meeting.objects.get(pk=meeting.pk)
    try:
        with transaction.atomic():
            if action == "next_steps":
                meeting_next_steps_save(meeting=meeting, by=by, text="Relire le CV")
            elif action == "note":
                meeting_note_save(meeting=meeting, by=by, text="Penser au CV")
            else:
                act(meeting, action, by)
            raise _RolledBack
    except _RolledBack:
        return True
    except ApplicationError as refused:
        assert str(refused.message)
        return False


def _offered(client, meeting: Meeting, who: str) -> dict[str, bool]:
    """What the meeting page shows `who`: each action's button or link; the join page and the
    move and cancel forms open only where the page links to them."""
    page = client.get(f"/rendez-vous/{meeting.pk}/")
    if who == "outsider":
        assert page.status_code == 404
        return dict.fromkeys([*OFFERS, "move_form", "cancel_form", "join_page"], False)
    assert page.status_code == 200
    html = page.content.decode()
    prefix = f"/rendez-vous/{meeting.pk}"
    offered = {
        action: (marker if marker.startswith("name=") else prefix + marker) in html
        for action, marker in OFFERS.items()
    }
    if offered["accept"]:  # the button of the time the service is asked to accept
        last = meeting.slots.order_by("-proposal_round", "starts_at").first()
        assert last is not None
        offered["accept"] = f'name="slot" value="{last.pk}"' in html
    offered["move_form"] = client.get(f"{prefix}/deplacer/").status_code == 200
    offered["cancel_form"] = client.get(f"{prefix}/annuler/").status_code == 200
    offered["join_page"] = client.get(f"{prefix}/visio").status_code == 200
    return offered


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_the_page_offers_exactly_what_the_services_allow(pair, state):
    with tenant_context(pair.program):
        # given a meeting in `state`, and a third participant of the programme
        meeting = build(pair, state)
        people = {who: actor(pair, who) for who in PEOPLE}
        emails = {who: people[who].user.email for who in PEOPLE}
        start = meeting.starts_at or meeting.slots.order_by("starts_at").first().starts_at
    connection.set_schema_to_public()

    disagreements = []
    for who in PEOPLE:
        for moment, offset in TIMES.items():
            with time_machine.travel(start + offset):
                # when that person opens the meeting page at that moment
                client = host_client(pair.program)
                http_login(client, emails[who], PASSWORD)
                offered = _offered(client, meeting, who)
                connection.set_schema_to_public()

                # and each action is attempted through its service (then rolled back)
                with tenant_context(pair.program):
                    by = Participant.objects.get(pk=people[who].pk)
                    allowed = {a: _attempt(meeting, a, by) for a in OFFERS if a != "join"}
                    now = timezone.now()
                    current = Meeting.objects.get(pk=meeting.pk)
                    allowed["move_form"] = current.can_move(by, now)
                    allowed["cancel_form"] = current.can_cancel(by, now)
                    allowed["join_page"] = current.can_join(by, now)
                    allowed["join"] = allowed["join_page"]
                connection.set_schema_to_public()

            # then the page offers an action exactly when its service does it
            disagreements += [
                f"{state}, {who}, {moment}: {action} "
                + ("offered but refused" if offered[action] else "allowed but not offered")
                for action in offered
                if offered[action] != allowed[action]
            ]
    assert disagreements == []


@pytest.mark.django_db
def test_the_table_catches_a_button_the_service_refuses(pair, monkeypatch):
    # given a template flag that drifts from its guard (the page offers the move of a meeting
    # that has started)
    monkeypatch.setattr(Meeting, "can_move", lambda self, by, now: True)
    with tenant_context(pair.program):
        meeting = confirmed(pair)
    connection.set_schema_to_public()

    # when the mentee opens the page after the start
    with time_machine.travel(meeting.starts_at + AFTER_START):
        client = host_client(pair.program)
        http_login(client, "lea.martin@a.example", PASSWORD)
        offered = _offered(client, meeting, "mentee")
        connection.set_schema_to_public()
        with tenant_context(pair.program):
            allowed = _attempt(meeting, "move", pair.mentee)
        connection.set_schema_to_public()

    # then the comparison the table makes sees the disagreement
    assert offered["move"] is True and allowed is False


def test_templates_compare_no_status():
    # given the meeting pages' templates (the emails compare the kind of notice, not a status)
    root = Path(__file__).resolve().parent.parent / "templates" / "meetings"
    statuses = "|".join(STATES)
    comparison = re.compile(rf"\bstatus\s*(==|!=|in\b)|(==|!=)\s*[\"']({statuses})[\"']")

    # when they are searched for a comparison with a status
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if comparison.search(line.replace("value == status", ""))
    ]

    # then there is none: they read the model's flags (is_cancelled, can_*...)
    assert found == []
