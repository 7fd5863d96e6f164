"""Every query the project compiles once per process (saas.core.prepared.PreparedQuery) is the
ORM's: its SQL and parameters equal a fresh compilation of its queryset, and run on real rows it
gives what the queryset gives. Found by import, like the isolation walk finds URLs: a new
prepared query is covered without being listed here."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db.models import Q
from django.urls import get_resolver
from django.utils.module_loading import import_string
from django.utils.timezone import now
from django_tenants.utils import tenant_context

from saas.core.prepared import PreparedQuery
from saas.core.tenancy import connection
from tenant_apps.matching.selectors import active_matches_for
from tenant_apps.matching.services import match_create_manual, match_end
from tenant_apps.meetings import selectors as meeting_selectors
from tenant_apps.meetings.models import JOIN_CLOSES_AFTER, Meeting
from tenant_apps.meetings.services.answering import meeting_decline
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.tests.factories import Pair, confirmed, pair_create, person, proposed
from tenant_apps.mentoring import selectors
from tenant_apps.mentoring.services import goal_create, message_send, thread_mark_read
from tenant_apps.participants.models import Participant

pytestmark = pytest.mark.django_db


def _all_prepared() -> list[PreparedQuery]:
    """Load what a web worker loads (the URL patterns of both sites, the auth backends)."""
    for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
        get_resolver(urlconf).url_patterns  # noqa: B018 (imports every view module)
    for backend in settings.AUTHENTICATION_BACKENDS:
        import_string(backend)
    return list(PreparedQuery.everyone)


def test_the_project_has_prepared_queries_and_finds_them():
    names = {repr(prepared) for prepared in _all_prepared()}
    assert {
        "<PreparedQuery tenant_apps.participants.backends._active_participants>",
        "<PreparedQuery tenant_apps.mentoring.selectors._pair_with_unread>",
        "<PreparedQuery tenant_apps.mentoring.selectors._active_pairs_counted>",
        "<PreparedQuery tenant_apps.meetings.selectors._upcoming>",
        "<PreparedQuery tenant_apps.meetings.selectors._called_off>",
        "<PreparedQuery tenant_apps.meetings.selectors._past>",
        "<PreparedQuery tenant_apps.mentoring.selectors._profile>",
        "<PreparedQuery tenant_apps.mentoring.selectors._live_meetings>",
        "<PreparedQuery tenant_apps.surveys.selectors._pending_newest>",
    } <= names


@pytest.mark.parametrize("prepared", _all_prepared(), ids=repr)
def test_each_prepared_query_is_the_orms_sql(prepared):
    if not prepared.paged:
        assert prepared.sql() == prepared.queryset().query.sql_with_params(), prepared
        return
    # a paged one: the ORM writes a slice's numbers at the very end of the SQL; the prepared
    # query has parameters there instead
    sql, params = prepared.queryset()[11:18].query.sql_with_params()
    assert sql.endswith(" LIMIT 7 OFFSET 11"), sql
    assert prepared.sql() == (
        sql.removesuffix(" LIMIT 7 OFFSET 11") + " LIMIT %s OFFSET %s",
        params,
    )


def test_a_pair_with_its_unread_messages_and_goals_as_the_orm_gives_them(world):
    lea = pair_create(
        world.program_a,
        mentee=("lea.prepared@a.example", "Léa", "Prepared"),
        mentor=("hugo.prepared@a.example", "Hugo", "Prepared"),
    )
    with tenant_context(world.program_a):
        for body in ("Bonjour", "Ça va ?", "À jeudi"):
            message_send(match=lea.match, by=lea.mentor, body=body)
        thread_mark_read(match=lea.match, by=lea.mentee, now=now())
        message_send(match=lea.match, by=lea.mentor, body="Et le compte rendu ?")
        message_send(match=lea.match, by=lea.mentee, body="Le voici")
        goal_create(match=lea.match, by=lea.mentee, title="Préparer l'entretien")
        for person, other in ((lea.mentee, lea.mentor), (lea.mentor, lea.mentee)):
            got = selectors.pair_with_unread_for(participant=person, match_id=lea.match.pk)
            orm = selectors._pair_with_unread(person.pk, lea.match.pk).get()
            assert (got.pk, got.unread_count) == (orm.pk, orm.unread_count)
            assert got.mentee.user.email == lea.mentee.user.email
            assert selectors.other_in(got, person).user.email == other.user.email
            states = selectors.pair_states(participant=person, now=now())
            orm_pairs = list(selectors._active_pairs_counted(person.pk))
            assert [(s.match.pk, s.unread, s.goals) for s in states] == [
                (m.pk, m.unread_count, m.goal_count) for m in orm_pairs
            ]
        # sending marks one's thread read: the mentee has nothing unread, the mentor one
        unread = {
            person.pk: selectors.pair_with_unread_for(
                participant=person, match_id=lea.match.pk
            ).unread_count
            for person in (lea.mentee, lea.mentor)
        }
        assert unread == {lea.mentee.pk: 0, lea.mentor.pk: 1}
        assert selectors.pair_states(participant=lea.mentee, now=now())[0].goals == 1
        # someone outside the pair gets nothing
        outsider = Participant.objects.get(user=world.mentee_a)
        assert selectors.pair_with_unread_for(participant=outsider, match_id=lea.match.pk) is None
        assert selectors.pair_states(participant=outsider, now=now()) == []
    # nor does the same id in another programme, for a person of both
    with tenant_context(world.program_b):
        both_in_b = Participant.objects.get(user=world.both)
        assert selectors.pair_with_unread_for(participant=both_in_b, match_id=lea.match.pk) is None
    connection.set_schema_to_public()


def test_the_meetings_lists_as_the_orm_gives_them(world):
    """Every kind of meeting, each list read a page at a time, at several moments: the
    prepared lists give what the ORM's querysets give."""
    lea = pair_create(
        world.program_a,
        mentee=("lea.meetings@a.example", "Léa", "Meetings"),
        mentor=("hugo.meetings@a.example", "Hugo", "Meetings"),
    )
    with tenant_context(world.program_a):
        for days in (1, 2, 4, 9):
            confirmed(lea, starts_in=timedelta(days=days))
        proposed(lea, starts_in=timedelta(days=3), slots=2)
        meeting_cancel(
            meeting=confirmed(lea, starts_in=timedelta(days=5)), by=lea.mentor, reason="Congés"
        )
        sick = confirmed(lea, starts_in=timedelta(days=1, hours=4))
        meeting_cancel(meeting=sick, by=lea.mentee, reason="Malade")
        declined = proposed(lea, starts_in=timedelta(days=6), slots=2)
        meeting_decline(meeting=declined, by=lea.mentor, reason="Pas disponible")
        checked = 0
        for later in (
            timedelta(0),
            timedelta(days=2),
            timedelta(days=5, hours=2),
            timedelta(days=30),
        ):
            with time_machine.travel(now() + later):
                moment = now()
                ends_after = moment - JOIN_CLOSES_AFTER
                for person in (lea.mentee, lea.mentor):
                    upcoming = meeting_selectors.upcoming_meetings(participant=person, now=moment)
                    orm = meeting_selectors._upcoming(person.pk, ends_after)
                    assert {m.pk for m in upcoming} == {m.pk for m in orm}
                    assert all(m.match.mentee.user.email == lea.mentee.user.email for m in upcoming)
                    past = meeting_selectors.past_meetings(participant=person, now=moment)
                    orm_past = meeting_selectors._past(person.pk, moment, ends_after)
                    off = meeting_selectors.called_off_meetings(participant=person, now=moment)
                    orm_off = meeting_selectors._called_off(person.pk, moment)
                    for start, stop in ((0, 2), (2, 4), (4, 6), (0, 20)):
                        assert [m.pk for m in past[start:stop]] == [
                            m.pk for m in orm_past[start:stop]
                        ]
                        assert [m.pk for m in off[start:stop]] == [
                            m.pk for m in orm_off[start:stop]
                        ]
                    checked += len(past[0:20]) + len(off[0:20]) + len(upcoming)
        # the lists were not empty, and change with the time
        assert checked > 0
        assert meeting_selectors.past_meetings(participant=lea.mentee, now=now())[0:20] == []
        later = now() + timedelta(days=30)
        # a month later, all is past but the proposal nobody answered (it waits, upcoming)
        assert len(meeting_selectors.past_meetings(participant=lea.mentee, now=later)[0:20]) == 7
        assert len(meeting_selectors.upcoming_meetings(participant=lea.mentee, now=later)) == 1
        # someone outside the pair gets nothing
        outsider = Participant.objects.get(user=world.mentee_a)
        assert meeting_selectors.upcoming_meetings(participant=outsider, now=later) == []
        assert meeting_selectors.past_meetings(participant=outsider, now=later)[0:20] == []
    connection.set_schema_to_public()


def test_the_guide_reads_the_meetings_of_active_pairs_only(world):
    """The guide's meetings query reaches the person's active pairs through the pair itself
    (a fixed shape), where it used to take their ids: the same meetings."""
    lea = pair_create(
        world.program_a,
        mentee=("lea.guide@a.example", "Léa", "Guide"),
        mentor=("hugo.guide@a.example", "Hugo", "Guide"),
    )
    with tenant_context(world.program_a):
        confirmed(lea, starts_in=timedelta(days=2))
        proposed(lea, starts_in=timedelta(days=4))
        # Hugo's other pair, ended, with a proposal nobody answered
        zoe = person("zoe.guide@a.example", Participant.Role.MENTEE, "Zoé", "Guide")
        ended = match_create_manual(mentee=zoe, mentor=lea.mentor)
        proposed(Pair(lea.program, zoe, lea.mentor, ended), starts_in=timedelta(days=6))
        match_end(match=ended, reason="Fin du programme")
        for someone in (lea.mentee, lea.mentor, zoe):
            active = active_matches_for(participant=someone)
            orm = Meeting.objects.filter(match__in=active).filter(
                Q(status__in=selectors.ANSWERABLE) | Q(status__in=selectors.MET)
            )
            got = selectors._live_meetings_prepared.all(participant_id=someone.pk)
            assert [m.pk for m in got] == [m.pk for m in orm.order_by("starts_at", "pk")]
        states = selectors.pair_states(participant=lea.mentor, now=now())
        assert [s.match.pk for s in states] == [lea.match.pk]
        assert (len(states[0].upcoming), len(states[0].to_answer)) == (1, 1)
        assert selectors.pair_states(participant=zoe, now=now()) == []
    connection.set_schema_to_public()
