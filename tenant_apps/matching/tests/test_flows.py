"""Questionnaire, profiles and both matching modes, through the pages people use."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connections
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.core.errors import Conflict
from saas.core.tenancy import connection
from shared_apps.accounts.models import User
from tenant_apps.matching.models import Match, MatchBan, MatchRequest
from tenant_apps.matching.services import request_accept, requests_expire
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.participants.services import participant_add
from tenant_apps.programs.models import ProgramSettings, Question


def _person(email: str, role: str, **fields) -> Participant:
    user = User.objects.create_user(email=email, password=PASSWORD, first_name=email[:5])
    participant = participant_add(user=user, role=role)
    for name, value in fields.items():
        setattr(participant, name, value)
    if fields:
        participant.save()
    return participant


def _answer(participant: Participant, key: str, value) -> None:
    Answer.objects.update_or_create(
        participant=participant, question=Question.objects.get(key=key), defaults={"value": value}
    )


@pytest.fixture
def cohort(world):
    """Programme A with a two-question questionnaire, three mentees and two mentors."""
    with tenant_context(world.program_a):
        Question.objects.create(
            key="metier",
            label="Métier",
            kind="single",
            audience="both",
            criterion="same",
            weight=3,
            choices=[{"value": v, "label": v} for v in ("rh", "it", "compta")],
        )
        Question.objects.create(
            key="service",
            label="Service",
            kind="single",
            audience="both",
            criterion="same",
            weight=0,
            hard_rule="must_differ",
            is_sensitive=True,
            choices=[{"value": v, "label": v} for v in ("nord", "sud")],
        )
        people = {
            "lea": _person("lea@a.example", "mentee"),
            "max": _person("max@a.example", "mentee"),
            "noe": _person("noe@a.example", "mentee"),
            "rita": _person("rita@a.example", "mentor", capacity=1),
            "ugo": _person("ugo@a.example", "mentor", capacity=2),
        }
        for name, metier, service in [
            ("lea", "rh", "nord"),
            ("max", "it", "sud"),
            ("noe", "it", "nord"),
            ("rita", "rh", "sud"),
            ("ugo", "it", "nord"),
        ]:
            _answer(people[name], "metier", metier)
            _answer(people[name], "service", service)
    connection.set_schema_to_public()
    return people


def _pairs(program) -> dict[tuple[str, str], str]:
    with tenant_context(program):
        rows = Match.objects.values_list("mentee__user__email", "mentor__user__email", "status")
        pairs = {(a.split("@")[0], b.split("@")[0]): status for a, b, status in rows}
    connection.set_schema_to_public()
    return pairs


@pytest.mark.django_db
def test_manager_runs_reviews_and_publishes(
    world, cohort, manager_client, django_capture_on_commit_callbacks
):
    # when the manager runs the matching
    response = manager_client.post("/gestion/binomes/lancer/")
    assert response.status_code == 302
    # then every mentee is proposed the best mentor with room, never one of their own service
    # (noe and ugo are both "nord": the hard rule keeps them apart)
    pairs = _pairs(world.program_a)
    assert pairs[("lea", "rita")] == "proposed"
    assert pairs[("max", "ugo")] == "proposed"
    assert ("noe", "ugo") not in pairs
    page = manager_client.get("/gestion/binomes/").content.decode()
    assert "Métier" in page and "Service" not in page  # sensitive criterion never displayed
    # the manager removes lea–rita (never again) and locks max–ugo, then runs again
    with tenant_context(world.program_a):
        removed = Match.objects.get(mentee=cohort["lea"])
        kept = Match.objects.get(mentee=cohort["max"])
    connection.set_schema_to_public()
    manager_client.post(f"/gestion/binomes/{kept.pk}/verrouiller/")
    manager_client.post(f"/gestion/binomes/{removed.pk}/retirer/")
    manager_client.post("/gestion/binomes/lancer/")
    with tenant_context(world.program_a):
        assert MatchBan.objects.filter(mentee=cohort["lea"], mentor=cohort["rita"]).exists()
        assert Match.objects.get(pk=kept.pk).is_locked
    assert ("lea", "rita") not in _pairs(world.program_a)
    assert _pairs(world.program_a)[("max", "ugo")] == "proposed"
    # publishing first says what will happen, to how many people, and changes nothing
    proposed = sum(1 for status in _pairs(world.program_a).values() if status == "proposed")
    mail.outbox.clear()
    for ask in (manager_client.get, manager_client.post):  # a bare POST (stale page) only asks too
        confirm = ask("/gestion/binomes/publier/")
        page = confirm.content.decode()
        assert confirm.status_code == 200
        assert f"{proposed} binômes deviennent actifs" in page
        assert f"{2 * proposed} personnes reçoivent un email" in page
        assert set(_pairs(world.program_a).values()) == {"proposed"}
    assert mail.outbox == []
    # publishing, once confirmed, activates the pairs and tells both people
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post("/gestion/binomes/publier/", {"confirmed": "1"})
    assert set(_pairs(world.program_a).values()) == {"active"}
    told = sorted(m.to[0] for m in mail.outbox)
    assert "max@a.example" in told and "ugo@a.example" in told
    # and every step is in the programme's audit log, by the manager
    with tenant_context(world.program_a):
        from audit.models import AuditEvent

        logged = list(
            AuditEvent.objects.filter(action__startswith="matching.")
            .order_by("id")
            .values_list("action", "actor_user_id", "details")
        )
    connection.set_schema_to_public()
    assert [action for action, _, _ in logged] == [
        "matching.run",
        "matching.proposal_locked",
        "matching.proposal_removed",
        "matching.run",
        "matching.published",
    ]
    assert {actor for _, actor, _ in logged} == {world.manager_a.pk}
    assert logged[-1][2] == {"pairs": proposed, "people_emailed": 2 * proposed}


@pytest.mark.django_db
def test_ending_a_pair_frees_the_mentor_and_they_are_never_proposed_again(
    world, cohort, manager_client
):
    from tenant_apps.matching.services import match_create_manual

    with tenant_context(world.program_a):
        match = match_create_manual(mentee=cohort["lea"], mentor=cohort["rita"])
    connection.set_schema_to_public()
    refused = manager_client.post(
        f"/gestion/binomes/{match.pk}/terminer/", {"reason": ""}, follow=True
    )
    assert "Donnez une raison." in refused.content.decode()
    manager_client.post(f"/gestion/binomes/{match.pk}/terminer/", {"reason": "Changement de poste"})
    with tenant_context(world.program_a):
        from audit.models import AuditEvent

        assert list(
            AuditEvent.objects.filter(target_id=str(match.pk), action__startswith="matching.")
            .order_by("id")
            .values_list("action", flat=True)
        ) == ["matching.manual_pair_created", "matching.pair_ended"]
    connection.set_schema_to_public()
    manager_client.post("/gestion/binomes/lancer/")
    pairs = _pairs(world.program_a)
    assert pairs[("lea", "rita")] == "ended"
    assert ("lea", "rita") in pairs and list(pairs).count(("lea", "rita")) == 1
    assert any(mentor == "rita" and status == "proposed" for (_, mentor), status in pairs.items())


@pytest.fixture
def choice_mode(world, cohort):
    with tenant_context(world.program_a):
        ProgramSettings.objects.filter(id=1).update(matching_mode="choice", request_expiry_days=3)
    connection.set_schema_to_public()
    return cohort


def _client_for(world, email):
    client = host_client(world.program_a)
    http_login(client, email, PASSWORD)
    return client


@pytest.mark.django_db
def test_mentee_sees_suggestions_with_room_and_asks_a_mentor(world, choice_mode):
    people = choice_mode
    lea = _client_for(world, "lea@a.example")
    page = lea.get("/binome/").content.decode()
    # rita (same job, other service) is suggested with the reason; ugo is of lea's own service:
    # the hard rule keeps him out, and the sensitive answer itself is never shown
    assert "rita@" in page and "Métier" in page
    assert "ugo@" not in page and "nord" not in page
    # a mentor without room is not suggested, and asking them anyway is refused
    with tenant_context(world.program_a):
        Match.objects.create(mentee=people["max"], mentor=people["rita"], status="active")
    connection.set_schema_to_public()
    assert "rita@" not in lea.get("/binome/").content.decode()
    refused = lea.post(f"/binome/demander/{people['rita'].pk}/", follow=True)
    assert "Ce mentor ne peut pas recevoir votre demande" in refused.content.decode()
    with tenant_context(world.program_a):
        assert not MatchRequest.objects.filter(mentee=people["lea"]).exists()
        zoe = _person("zoe@a.example", "mentor", capacity=1)
        _answer(zoe, "metier", "rh")
    connection.set_schema_to_public()
    assert lea.post(f"/binome/demander/{zoe.pk}/", {"message": "Bonjour !"}).status_code == 302
    with tenant_context(world.program_a):
        request = MatchRequest.objects.get(mentee=people["lea"], status="pending")
    assert (request.mentor_id, request.message) == (zoe.pk, "Bonjour !")


@pytest.mark.django_db
def test_first_acceptance_wins_and_other_requests_are_withdrawn(
    world, choice_mode, django_capture_on_commit_callbacks
):
    people = choice_mode
    extra = {}
    with tenant_context(world.program_a):
        extra["zoe"] = _person("zoe@a.example", "mentor", capacity=3)
        _answer(extra["zoe"], "metier", "rh")
        _answer(extra["zoe"], "service", "sud")
    connection.set_schema_to_public()
    lea = _client_for(world, "lea@a.example")
    for mentor in ("rita", "zoe"):
        target = people.get(mentor) or extra[mentor]
        assert lea.post(f"/binome/demander/{target.pk}/").status_code == 302
    mail.outbox.clear()
    zoe = _client_for(world, "zoe@a.example")
    with tenant_context(world.program_a):
        to_zoe = MatchRequest.objects.get(mentor=extra["zoe"])
        to_rita = MatchRequest.objects.get(mentor=people["rita"])
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        assert zoe.post(f"/binome/demandes/{to_zoe.pk}/accepter/").status_code == 302
    with tenant_context(world.program_a):
        assert MatchRequest.objects.get(pk=to_rita.pk).status == "withdrawn"
        assert Match.objects.get(mentee=people["lea"]).mentor_id == extra["zoe"].pk
    assert [m.to for m in mail.outbox] == [["lea@a.example"]]
    # rita can no longer accept
    rita = _client_for(world, "rita@a.example")
    late = rita.post(f"/binome/demandes/{to_rita.pk}/accepter/", follow=True)
    assert "Cette demande n’attend plus de réponse." in late.content.decode()
    # and nobody else can answer for a mentor
    with tenant_context(world.program_a):
        other = MatchRequest.objects.create(
            mentee=people["max"],
            mentor=people["rita"],
            expires_at=timezone.now() + timedelta(days=1),
        )
    connection.set_schema_to_public()
    assert lea.post(f"/binome/demandes/{other.pk}/accepter/").status_code == 403


@pytest.mark.django_db
def test_unanswered_requests_expire_once_and_the_mentee_is_told(
    world, choice_mode, django_capture_on_commit_callbacks
):
    people = choice_mode
    lea = _client_for(world, "lea@a.example")
    assert lea.post(f"/binome/demander/{people['rita'].pk}/").status_code == 302
    mail.outbox.clear()
    with (
        time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)),
        tenant_context(world.program_a),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert requests_expire() == 1
        assert requests_expire() == 0  # the job running twice does the work once
        assert MatchRequest.objects.get(mentee=people["lea"]).status == "expired"
    assert [m.to for m in mail.outbox] == [["lea@a.example"]]
    assert "expiré" in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_fourth_pending_request_is_refused(world, choice_mode):
    people = choice_mode
    with tenant_context(world.program_a):
        for index in range(3):
            mentor = _person(f"m{index}@a.example", "mentor", capacity=2)
            _answer(mentor, "metier", "rh")
            MatchRequest.objects.create(
                mentee=people["lea"], mentor=mentor, expires_at=timezone.now() + timedelta(days=3)
            )
    connection.set_schema_to_public()
    lea = _client_for(world, "lea@a.example")
    response = lea.post(f"/binome/demander/{people['rita'].pk}/", follow=True)
    assert "3 réponses au plus" in response.content.decode()
    with tenant_context(world.program_a):
        assert MatchRequest.objects.filter(mentee=people["lea"]).count() == 3


@pytest.mark.django_db
def test_participant_of_another_programme_gets_nothing(world, choice_mode, password):
    people = choice_mode
    outsider = host_client(world.program_b)
    http_login(outsider, world.mentee_b.email, password)
    outsider.defaults["HTTP_HOST"] = world.program_a.host
    assert outsider.post(f"/binome/demander/{people['rita'].pk}/").status_code == 302
    with tenant_context(world.program_a):
        assert not MatchRequest.objects.exists()


@pytest.mark.django_db
def test_concurrent_acceptances_never_exceed_capacity(world, django_db_blocker):
    """Two mentees' requests accepted at the same instant by a mentor with room for one: one
    wins, the other is refused — real concurrent transactions, committed data."""
    program = world.program_b
    made: dict = {}
    outcomes: list = []

    def in_thread(work):
        def run():
            try:
                with tenant_context(program):
                    work()
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def setup():
        made["mentor"] = _person("busy@b.example", "mentor", capacity=1)
        for name in ("m1", "m2"):
            made[name] = _person(f"{name}@b.example", "mentee")
            made[f"r{name}"] = MatchRequest.objects.create(
                mentee=made[name],
                mentor=made["mentor"],
                expires_at=timezone.now() + timedelta(days=1),
            )

    in_thread(setup).join()
    barrier = threading.Barrier(2)

    def accept(key):
        def work():
            barrier.wait()
            try:
                request_accept(request=made[key], by=made["mentor"])
                outcomes.append("accepted")
            except Conflict:
                outcomes.append("refused")

        return work

    try:
        threads = [in_thread(accept("rm1")), in_thread(accept("rm2"))]
        for thread in threads:
            thread.join(timeout=30)
        counted = {}

        def count():
            counted["active"] = Match.objects.filter(mentor=made["mentor"], status="active").count()

        in_thread(count).join()
        assert sorted(outcomes) == ["accepted", "refused"]
        assert counted["active"] == 1
    finally:

        def cleanup():
            Match.objects.filter(mentor=made["mentor"]).delete()
            MatchRequest.objects.filter(mentor=made["mentor"]).delete()
            users = [made[k].user_id for k in ("mentor", "m1", "m2")]
            Participant.objects.filter(user_id__in=users).delete()
            from shared_apps.accounts.models import ProgramMembership

            ProgramMembership.objects.filter(user_id__in=users).delete()
            User.objects.filter(pk__in=users).delete()

        in_thread(cleanup).join()


@pytest.mark.django_db
def test_expiry_job_fans_out_to_programmes_only(world):
    from tenants.tasks import expire_requests_everywhere_task

    # given a request past its delay in A (tenants/tests/test_beat_fan_out.py: only the
    # programmes with one get a task)
    with tenant_context(world.program_a):
        mentee = _person("late-mentee@a.example", Participant.Role.MENTEE)
        mentor = _person("late-mentor@a.example", Participant.Role.MENTOR)
        request = MatchRequest.objects.create(
            mentee=mentee, mentor=mentor, expires_at=timezone.now() - timedelta(minutes=1)
        )
    connection.set_schema_to_public()
    # the copy runs in A's schema, not in public, where the tables do not exist
    assert expire_requests_everywhere_task.delay().get() == 1
    with tenant_context(world.program_a):
        request.refresh_from_db()
        assert request.status == MatchRequest.Status.EXPIRED
