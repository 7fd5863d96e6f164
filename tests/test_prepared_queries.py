"""Every query the project compiles once per process (saas.core.prepared.PreparedQuery) is the
ORM's: its SQL and parameters equal a fresh compilation of its queryset, and run on real rows it
gives what the queryset gives. Found by import, like the isolation walk finds URLs: a new
prepared query is covered without being listed here."""

import pytest
from django.conf import settings
from django.urls import get_resolver
from django.utils.module_loading import import_string
from django.utils.timezone import now
from django_tenants.utils import tenant_context

from saas.core.prepared import PreparedQuery
from saas.core.tenancy import connection
from tenant_apps.meetings.tests.factories import pair_create
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
    } <= names


@pytest.mark.parametrize("prepared", _all_prepared(), ids=repr)
def test_each_prepared_query_is_the_orms_sql(prepared):
    assert prepared.sql() == prepared.queryset().query.sql_with_params(), prepared


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
