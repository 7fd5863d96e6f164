"""A person never has two confirmed meetings at the same time: proposals and acceptances that
would overlap are refused with a message that says which time and who is not available."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils.translation import gettext, override
from django_tenants.utils import tenant_context

from saas.core.errors import Conflict
from tenant_apps.matching.services import match_create_manual
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services.answering import meeting_accept
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.invitations import when_label
from tenant_apps.meetings.services.moving import meeting_move_propose
from tenant_apps.meetings.services.proposing import meeting_propose
from tenant_apps.meetings.tests.factories import confirmed, person, slot
from tenant_apps.participants.models import Participant


@pytest.fixture
def second_pair(pair):
    """The same mentor (Hugo) also mentors Zoé."""
    with tenant_context(pair.program):
        zoe = person("zoe.petit@a.example", Participant.Role.MENTEE, "Zoé", "Petit")
        match = match_create_manual(mentee=zoe, mentor=pair.mentor)
    connection.set_schema_to_public()
    return zoe, match


def statuses():
    return sorted(Meeting.objects.values_list("status", flat=True))


@pytest.mark.django_db
def test_a_time_when_the_other_person_is_taken_is_refused_with_a_clear_message(pair, second_pair):
    zoe, zoe_match = second_pair
    with tenant_context(pair.program):
        # given Hugo has a confirmed meeting with Léa in two days, 10:00-11:00
        taken = confirmed(pair)
        overlapping = (taken.starts_at + timedelta(minutes=30), taken.ends_at + timedelta(hours=1))

        # when Zoé proposes to Hugo a time that starts in the middle of it
        with override("fr"), pytest.raises(Conflict) as refused:
            meeting_propose(match=zoe_match, by=zoe, slots=[overlapping])

        # then she is told Hugo is not available then, without saying with whom
        with override("fr"):
            expected = gettext(
                "%(name)s already has another meeting at %(when)s. Choose another time."
            ) % {"name": "Hugo Bernard", "when": when_label(overlapping[0], "Europe/Paris")}
        assert str(refused.value.message) == expected
        assert "Léa" not in expected
        assert statuses() == ["confirmed"]
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_time_overlapping_ones_own_meeting_is_refused(pair, second_pair):
    _zoe, zoe_match = second_pair
    with tenant_context(pair.program):
        # given Hugo has a confirmed meeting with Léa
        taken = confirmed(pair)

        # when Hugo proposes the same time to Zoé
        with override("fr"), pytest.raises(Conflict) as refused:
            meeting_propose(
                match=zoe_match, by=pair.mentor, slots=[(taken.starts_at, taken.ends_at)]
            )

        # then he is reminded of his own meeting at that time
        with override("fr"):
            expected = gettext("You already have another meeting at %(when)s.") % {
                "when": when_label(taken.starts_at, "Europe/Paris")
            }
        assert str(refused.value.message) == expected
        assert statuses() == ["confirmed"]
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_back_to_back_meetings_are_fine_and_cancelled_ones_free_the_time(pair, second_pair):
    zoe, zoe_match = second_pair
    with tenant_context(pair.program):
        # given Hugo's meeting with Léa
        taken = confirmed(pair)

        # when Zoé proposes the hour right after it, then Léa's meeting is cancelled and Zoé
        # proposes the very same hour
        after = meeting_propose(
            match=zoe_match,
            by=zoe,
            slots=[(taken.ends_at, taken.ends_at + timedelta(hours=1))],
        )
        meeting_cancel(meeting=taken, by=pair.mentee, reason="Malade")
        same = meeting_propose(match=zoe_match, by=zoe, slots=[(taken.starts_at, taken.ends_at)])

        # then both proposals stand
        assert after.status == same.status == Meeting.Status.PROPOSED
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_accepting_is_refused_when_the_time_was_taken_meanwhile(pair, second_pair):
    zoe, zoe_match = second_pair
    with tenant_context(pair.program):
        # given Léa and Zoé both proposed the same time to Hugo
        times = [slot(timedelta(days=4))]
        from_lea = meeting_propose(match=pair.match, by=pair.mentee, slots=times)
        from_zoe = meeting_propose(match=zoe_match, by=zoe, slots=times)

        # when Hugo accepts Léa's, then Zoé's
        meeting_accept(meeting=from_lea, by=pair.mentor, slot_id=from_lea.slots.get().pk)
        with pytest.raises(Conflict):
            meeting_accept(meeting=from_zoe, by=pair.mentor, slot_id=from_zoe.slots.get().pk)

        # then only Léa's is confirmed; Zoé's still waits for another answer
        assert Meeting.objects.get(pk=from_lea.pk).status == Meeting.Status.CONFIRMED
        assert Meeting.objects.get(pk=from_zoe.pk).status == Meeting.Status.PROPOSED
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_moving_a_meeting_onto_its_own_time_range_is_not_an_overlap(pair, second_pair):
    zoe, zoe_match = second_pair
    with tenant_context(pair.program):
        # given Hugo's meeting with Léa, and one with Zoé the next day
        taken = confirmed(pair)
        zoe_meeting = meeting_propose(match=zoe_match, by=zoe, slots=[slot(timedelta(days=3))])
        meeting_accept(meeting=zoe_meeting, by=pair.mentor, slot_id=zoe_meeting.slots.get().pk)

        # when Léa moves hers by 30 minutes (overlapping its own old time) and then onto Zoé's
        half_hour_later = (
            taken.starts_at + timedelta(minutes=30),
            taken.ends_at + timedelta(minutes=30),
        )
        moved = meeting_move_propose(meeting=taken, by=pair.mentee, slots=[half_hour_later])
        meeting_accept(meeting=moved, by=pair.mentor, slot_id=moved.slots.get(proposal_round=1).pk)
        zoe_meeting = Meeting.objects.get(pk=zoe_meeting.pk)
        with pytest.raises(Conflict):
            meeting_move_propose(
                meeting=Meeting.objects.get(pk=taken.pk),
                by=pair.mentee,
                slots=[(zoe_meeting.starts_at, zoe_meeting.ends_at)],
            )

        # then the first move went through, the second was refused
        assert Meeting.objects.get(pk=taken.pk).starts_at == half_hour_later[0]
        assert Meeting.objects.get(pk=taken.pk).status == Meeting.Status.CONFIRMED
    connection.set_schema_to_public()
