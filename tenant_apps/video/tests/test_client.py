"""Our Whereby client against the fake (never a mocked httpx): create, read, delete, the
Retry-After of a 429, retries on 5xx and network errors, and the adoption that keeps an
ambiguous creation from making two rooms."""

import socket
from datetime import UTC, datetime, timedelta

import pytest

from tenant_apps.video.client import (
    WherebyClient,
    WherebyRateLimited,
    WherebyRefused,
    WherebyUnavailable,
    whereby_client,
)

PREFIX = "binome--p-0123456789ab--m7s0--"  # ends with its terminator


def end_date():
    return datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)


def client_for(fake, **options):
    waits = []
    options = {"attempts": 4, "backoff": 0.01, "sleep": waits.append, **options}
    return WherebyClient(base_url=fake.base_url, api_key=fake.api_key, **options), waits


def posts(fake):
    return [r for r in fake.requests if r[0] == "POST"]


def test_create_get_and_delete_a_room(whereby_fake):
    # given the client configured by the settings (no WHEREBY_API_KEY: the fake)
    with whereby_client() as client:
        # when a room is created, read back, deleted, and deleted again
        room = client.meeting_create(end_date=end_date(), room_name_prefix=PREFIX)
        read = client.meeting_get(meeting_id=room.meeting_id)
        client.meeting_delete(meeting_id=room.meeting_id)
        client.meeting_delete(meeting_id=room.meeting_id)
        gone = client.meeting_get(meeting_id=room.meeting_id)

    # then the room had our prefix, the host URL and the endDate asked for
    assert room.room_name.startswith(f"/{PREFIX}")
    assert room.host_room_url.startswith(room.room_url + "?roomKey=")
    assert abs(room.end_date - end_date()) < timedelta(seconds=2)
    assert read == room
    assert gone is None
    assert whereby_fake.live_meetings() == []
    # and the body sent followed the contract
    (meeting,) = whereby_fake.meetings.values()
    assert meeting.room_mode == "normal"
    assert meeting.is_locked  # guests knock; the host URL lets the host in
    assert repr(room) == f"Room(meeting_id={room.meeting_id!r})"  # never the URLs


def test_a_429_waits_for_retry_after_then_succeeds(whereby_fake):
    # given Whereby rate-limits the next call for 2 seconds
    whereby_fake.rate_limit_next(retry_after=2)
    client, waits = client_for(whereby_fake)

    # when a room is created
    room = client.meeting_create(end_date=end_date(), room_name_prefix=PREFIX)

    # then the client waited exactly Retry-After, and one room exists
    assert waits == [2.0]
    assert [m.meeting_id for m in whereby_fake.live_meetings()] == [room.meeting_id]


def test_a_retry_after_longer_than_the_client_waits_is_handed_to_the_caller(whereby_fake):
    # given a 429 asking for 120 seconds, more than the client waits in place
    whereby_fake.rate_limit_next(retry_after=120)
    client, waits = client_for(whereby_fake, max_wait=30)

    # when a room is created
    with pytest.raises(WherebyRateLimited) as refused:
        client.meeting_create(end_date=end_date(), room_name_prefix=PREFIX)

    # then the task can retry in 120 s; nothing was created and nobody slept
    assert refused.value.retry_after == 120
    assert waits == []
    assert whereby_fake.live_meetings() == []


def test_5xx_answers_are_retried_with_backoff_and_one_room_is_made(whereby_fake):
    # given Whereby fails twice with a 503 (before creating anything)
    whereby_fake.fail_next(2, status=503, method="POST")
    client, waits = client_for(whereby_fake, backoff=0.01)

    # when a room is created
    client.meeting_create(end_date=end_date(), room_name_prefix=PREFIX)

    # then three POSTs with exponential waits between them; after each ambiguous failure the
    # client looked for a room made anyway (none), and one room exists
    assert [r[2] for r in posts(whereby_fake)] == [503, 503, 201]
    assert [r[0] for r in whereby_fake.requests] == ["POST", "GET", "POST", "GET", "POST"]
    assert waits == [0.01, 0.02]
    assert len(whereby_fake.live_meetings()) == 1


def test_persistent_5xx_gives_up_as_unavailable(whereby_fake):
    whereby_fake.fail_next(10, status=502, method="POST")
    client, _waits = client_for(whereby_fake, attempts=3)

    with pytest.raises(WherebyUnavailable):
        client.meeting_create(end_date=end_date(), room_name_prefix=PREFIX)

    assert len(posts(whereby_fake)) == 3
    assert whereby_fake.live_meetings() == []


def test_network_errors_are_retried_then_reported_as_unavailable():
    # given nothing listens on the port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits = []
    client = WherebyClient(
        base_url=f"http://127.0.0.1:{port}/v1", api_key="k", backoff=0.01, sleep=waits.append
    )

    # when the client calls
    with pytest.raises(WherebyUnavailable):
        client.meeting_delete(meeting_id="1")

    # then it tried four times with backoff in between
    assert waits == [0.01, 0.02, 0.04]


def test_a_timeout_after_whereby_created_the_room_adopts_it_instead_of_making_another(
    whereby_fake,
):
    # given Whereby creates the room but answers after the client's timeout
    whereby_fake.slow_next(seconds=1.0)
    client, _waits = client_for(whereby_fake, timeout=0.3)

    # when a room is created
    room = client.meeting_create(end_date=end_date(), room_name_prefix=PREFIX)

    # then the room made during the timed-out call was found by its prefix and kept
    assert len(posts(whereby_fake)) == 1
    assert [m.meeting_id for m in whereby_fake.live_meetings()] == [room.meeting_id]
    assert room.host_room_url


def test_adopt_existing_finds_a_room_made_by_an_earlier_attempt(whereby_fake):
    # given a room made with our prefix by an attempt whose answer was lost
    client, _waits = client_for(whereby_fake)
    earlier = client.meeting_create(end_date=end_date(), room_name_prefix=PREFIX)

    # when the creation is retried with adopt_existing
    again = client.meeting_create(end_date=end_date(), room_name_prefix=PREFIX, adopt_existing=True)
    other = client.meeting_create(
        end_date=end_date(), room_name_prefix=PREFIX.removesuffix("--") + "1--", adopt_existing=True
    )

    # then the same room comes back (a prefix that only starts the same is another room)
    assert again == earlier
    assert other.meeting_id != earlier.meeting_id
    assert len(posts(whereby_fake)) == 2


def test_a_room_of_a_longer_key_is_not_taken_for_ours(whereby_fake):
    # given the room of meeting 1, sequence 10, made by an earlier attempt
    client, _waits = client_for(whereby_fake)
    ten = client.meeting_create(end_date=end_date(), room_name_prefix="binome--p-ab--m1s10--")

    # when the room of meeting 1, sequence 1 is looked for, then created with adoption
    found = client.meeting_find(room_name_prefix="binome--p-ab--m1s1--")
    one = client.meeting_create(
        end_date=end_date(), room_name_prefix="binome--p-ab--m1s1--", adopt_existing=True
    )

    # then m1s10's room is not m1s1's
    assert found is None
    assert one.meeting_id != ten.meeting_id


def test_a_prefix_without_its_terminator_is_refused(whereby_fake):
    client, _waits = client_for(whereby_fake)

    with pytest.raises(ValueError):
        client.meeting_create(end_date=end_date(), room_name_prefix="binome--p-ab--m1s1")

    assert posts(whereby_fake) == []


def test_a_lost_answer_makes_one_room_which_is_the_one_returned(whereby_fake):
    # given Whereby creates the room but the answer never arrives (connection dropped)
    whereby_fake.drop_next()
    client, _waits = client_for(whereby_fake)

    # when a room is created
    room = client.meeting_create(end_date=end_date(), room_name_prefix=PREFIX)

    # then the room made by the lost call was recognised and adopted: one room, returned
    assert len(posts(whereby_fake)) == 1
    assert [m.meeting_id for m in whereby_fake.live_meetings()] == [room.meeting_id]
    assert room.host_room_url.startswith(room.room_url + "?roomKey=")


def test_a_wrong_key_is_refused_without_retrying(whereby_fake):
    client = WherebyClient(base_url=whereby_fake.base_url, api_key="wrong", backoff=0.01)

    with pytest.raises(WherebyRefused) as refused:
        client.meeting_create(end_date=end_date(), room_name_prefix=PREFIX)

    assert refused.value.status == 401
    assert len(posts(whereby_fake)) == 1


def test_a_past_end_date_is_refused_as_a_bad_request(whereby_fake):
    client, _waits = client_for(whereby_fake)

    with pytest.raises(WherebyRefused) as refused:
        client.meeting_create(
            end_date=datetime.now(UTC) - timedelta(hours=1), room_name_prefix=PREFIX
        )

    assert refused.value.status == 400
    assert "past" in str(refused.value)
