"""The REST API through HTTP, with real keys: reads, writes through the owning services,
ETags, errors, languages, rate limit, and where a key does not work."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from conftest import host_client, http_login
from tenant_apps.api.models import ApiKey
from tenant_apps.api.tests.helpers import api_client, make_key
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import Participant

pytestmark = pytest.mark.django_db


def _in(program, function):
    with tenant_context(program):
        result = function()
    connection.set_schema_to_public()
    return result


def test_a_read_key_lists_the_participants_of_its_programme(world):
    # given a read key of programme A
    _key, raw = make_key(world.program_a, scope="read")
    # when it lists the participants
    response = api_client(world.program_a, raw).get("/api/v1/participants/")
    # then A's people are there, B's only person is not, with the documented fields
    assert response.status_code == 200
    emails = {row["email"] for row in response.json()["results"]}
    assert world.mentee_a.email in emails and world.manager_a.email in emails
    assert world.mentee_b.email not in emails
    assert set(response.json()["results"][0]) == {
        "id",
        "email",
        "name",
        "role",
        "status",
        "capacity",
        "is_available",
        "created_at",
        "updated_at",
    }


def test_filters_and_cursor_pages(world):
    _key, raw = make_key(world.program_a, scope="read")
    client = api_client(world.program_a, raw)
    # when filtering by role
    mentors = client.get("/api/v1/participants/", {"role": "mentor"}).json()["results"]
    assert [row["email"] for row in mentors] == [world.both.email]
    # by a date in the future: nobody changed since
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert client.get("/api/v1/participants/", {"updated_since": future}).json()["results"] == []
    # pages of one, followed by their cursor, give everyone once
    page = client.get("/api/v1/participants/", {"limit": 1}).json()
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert len(seen) == len(set(seen)) == _in(world.program_a, Participant.objects.count)


def test_a_bad_filter_gets_the_common_error_body_in_the_asked_language(world):
    _key, raw = make_key(world.program_a, scope="read")
    client = api_client(world.program_a, raw)
    response = client.get("/api/v1/participants/", {"status": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()) == {"code", "message", "fields"}
    assert "status" in response.json()["fields"]
    # and a refused key is explained in French to a French client
    refused = api_client(world.program_a, "bnm_000000000000_wrong").get(
        "/api/v1/participants/", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert refused.status_code == 401
    assert refused.json()["message"] == "Clé d’API invalide, expirée ou révoquée."
    english = api_client(world.program_a, "bnm_000000000000_wrong").get(
        "/api/v1/participants/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["message"] == "Invalid, expired or revoked API key."


def test_etag_gives_304_until_something_changes(world):
    _key, raw = make_key(world.program_a, scope="write")
    client = api_client(world.program_a, raw)
    first = client.get("/api/v1/statistics/")
    etag = first["ETag"]
    # when asked again with the tag
    again = client.get("/api/v1/statistics/", HTTP_IF_NONE_MATCH=etag)
    # then nothing is sent again
    assert again.status_code == 304 and again.content == b""
    # once someone is invited, the counts and so the tag change
    client.post("/api/v1/participants/", {"email": "new@a.example", "role": "mentee"})
    changed = client.get("/api/v1/statistics/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_write_key_invites_through_the_service_and_each_write_is_audited(world):
    key, raw = make_key(world.program_a, scope="write")
    client = api_client(world.program_a, raw)
    # when the HR system creates a participant
    response = client.post(
        "/api/v1/participants/",
        {"email": "Nadia.Ben@a.example", "role": "mentee", "first_name": "Nadia"},
        content_type="application/json",
    )
    # then she is invited (row, invitation email) and both audit rows are written
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "invited"
    assert response.json()["email"] == "nadia.ben@a.example"

    def state():
        participant = Participant.objects.get(user__email="nadia.ben@a.example")
        return (
            participant.status,
            Email.objects.filter(to="nadia.ben@a.example", template="invitation").count(),
            list(AuditEvent.objects.filter(action="api.write").values_list("details", flat=True)),
            AuditEvent.objects.filter(action="participant.invited", actor_role="api_key").count(),
        )

    status, emails, writes, invited = _in(world.program_a, state)
    assert status == "invited" and emails == 1 and invited == 1
    assert writes == [{"key": key.prefix, "method": "POST", "operation": "participants.invite"}]


def test_a_write_through_the_api_names_the_key_as_the_actor(world, password):
    # given a write key named after the HR system
    _key, raw = make_key(world.program_a, scope="write", name="SIRH Workday")
    mentor_id = _in(world.program_a, lambda: Participant.objects.get(user=world.both).pk)
    # when it deactivates a participant
    response = api_client(world.program_a, raw).post(
        f"/api/v1/participants/{mentor_id}/deactivate/"
    )
    assert response.status_code == 200, response.content
    # then the rows of that request name the key as the actor: no user id, role api_key
    rows = _in(
        world.program_a,
        lambda: list(
            AuditEvent.objects.filter(action__in=["participant.deactivated", "api.write"])
            .order_by("pk")
            .values_list("action", "actor_user_id", "actor_role", "actor_label")
        ),
    )
    assert rows == [
        ("participant.deactivated", None, "api_key", "API key «SIRH Workday»"),
        ("api.write", None, "api_key", "API key «SIRH Workday»"),
    ]
    # and the manager's audit log says so, in words and in the CSV
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, password, second_factor=True)
    page = manager.get("/gestion/journal/", {"action": "participant.deactivated"})
    assert "API key «SIRH Workday»" in page.content.decode()
    csv = manager.get("/gestion/journal/", {"format": "csv"}).content.decode()
    assert "actor_label" in csv.splitlines()[0] and ";API key «SIRH Workday»;" in csv


def test_deactivate_and_update(world):
    _key, raw = make_key(world.program_a, scope="write")
    client = api_client(world.program_a, raw)
    mentor_id = _in(world.program_a, lambda: Participant.objects.get(user=world.both).pk)
    updated = client.patch(
        f"/api/v1/participants/{mentor_id}/", {"capacity": 4}, content_type="application/json"
    )
    assert updated.status_code == 200 and updated.json()["capacity"] == 4
    wrong = client.patch(
        f"/api/v1/participants/{mentor_id}/", {"capacity": 40}, content_type="application/json"
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid"
    response = client.post(f"/api/v1/participants/{mentor_id}/deactivate/")
    assert response.status_code == 200 and response.json()["status"] == "deactivated"
    assert _in(world.program_a, lambda: Participant.objects.get(pk=mentor_id).status) == (
        "deactivated"
    )


def test_pairs_are_made_and_ended_through_the_matching_services(world):
    _key, raw = make_key(world.program_a, scope="write")
    client = api_client(world.program_a, raw)
    mentee_id, mentor_id = _in(
        world.program_a,
        lambda: (
            Participant.objects.get(user=world.mentee_a).pk,
            Participant.objects.get(user=world.both).pk,
        ),
    )
    created = client.post(
        "/api/v1/pairs/",
        {"mentee_id": mentee_id, "mentor_id": mentor_id},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "active" and created.json()["source"] == "manual"
    # the same pair again is a conflict, in the common body
    again = client.post(
        "/api/v1/pairs/",
        {"mentee_id": mentee_id, "mentor_id": mentor_id},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    pair_id = created.json()["id"]
    ended = client.post(
        f"/api/v1/pairs/{pair_id}/end/", {"reason": "moved"}, content_type="application/json"
    )
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert _in(world.program_a, lambda: Match.objects.get(pk=pair_id).status) == "ended"
    listed = client.get("/api/v1/pairs/").json()["results"]
    assert [row["id"] for row in listed] == [pair_id]


def test_meetings_never_show_a_room(world):
    _key, raw = make_key(world.program_a, scope="read")

    def meeting():
        mentee = Participant.objects.get(user=world.mentee_a)
        mentor = Participant.objects.get(user=world.both)
        match = Match.objects.create(mentee=mentee, mentor=mentor, status="active")
        now = timezone.now()
        return Meeting.objects.create(
            match=match,
            proposed_by=mentee,
            status="confirmed",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            video_room_url="https://fake.whereby.localhost/binome--secret-room",
            video_host_room_url="https://fake.whereby.localhost/binome--secret-room?roomKey=k",
            video_meeting_id="secret-meeting-id",
            video_room_prefix="binome--p--m1s1--",
        )

    created = _in(world.program_a, meeting)
    response = api_client(world.program_a, raw).get("/api/v1/meetings/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [created.pk]
    body = response.content.decode()
    assert "whereby" not in body and "secret" not in body and "roomKey" not in body


def test_keys_refused_elsewhere_and_when_not_usable(world):
    _key, raw_b = make_key(world.program_b, scope="write")
    revoked, raw_revoked = make_key(world.program_a, scope="write")
    _in(
        world.program_a,
        lambda: ApiKey.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now()),
    )
    expired, raw_expired = make_key(world.program_a, scope="write")
    _in(
        world.program_a,
        lambda: ApiKey.objects.filter(pk=expired.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        ),
    )
    before = _in(world.program_a, Participant.objects.count)
    for raw in (raw_b, raw_revoked, raw_expired, None, "Basic abc"):
        client = api_client(world.program_a, raw if raw != "Basic abc" else None)
        if raw == "Basic abc":
            client.defaults["HTTP_AUTHORIZATION"] = raw
        assert client.get("/api/v1/participants/").status_code == 401, raw
        created = client.post("/api/v1/participants/", {"email": "x@a.example", "role": "mentee"})
        assert created.status_code == 401, raw
    assert _in(world.program_a, Participant.objects.count) == before
    # B's key works on B's host, and nowhere on the console
    assert api_client(world.program_b, raw_b).get("/api/v1/participants/").status_code == 200
    console = host_client(None)
    console.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw_b}"
    assert console.get("/api/v1/participants/").status_code == 404


def test_a_read_key_may_not_write(world):
    _key, raw = make_key(world.program_a, scope="read")
    before = _in(world.program_a, Participant.objects.count)
    response = api_client(world.program_a, raw).post(
        "/api/v1/participants/", {"email": "x@a.example", "role": "mentee"}
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert _in(world.program_a, Participant.objects.count) == before


def test_the_key_is_stored_hashed_and_its_use_recorded_once_a_minute(world):
    key, raw = make_key(world.program_a, scope="read")
    assert raw.startswith(f"bnm_{key.prefix}_") and len(raw) > 50
    stored = _in(world.program_a, lambda: ApiKey.objects.get(pk=key.pk))
    assert raw.split("_", 2)[2] not in str(stored.__dict__)
    assert stored.last_used_at is None
    client = api_client(world.program_a, raw)
    client.get("/api/v1/statistics/")
    first = _in(world.program_a, lambda: ApiKey.objects.get(pk=key.pk).last_used_at)
    client.get("/api/v1/statistics/")
    assert _in(world.program_a, lambda: ApiKey.objects.get(pk=key.pk).last_used_at) == first
    assert first is not None


@override_settings(API_KEY_RATE="3/min")
def test_rate_limit_per_key_answers_429_with_retry_after(world):
    _key, raw = make_key(world.program_a, scope="read")
    _other, raw_other = make_key(world.program_a, scope="read")
    client = api_client(world.program_a, raw)
    statuses = [client.get("/api/v1/statistics/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/statistics/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"
    # another key has its own budget
    assert api_client(world.program_a, raw_other).get("/api/v1/statistics/").status_code == 200
