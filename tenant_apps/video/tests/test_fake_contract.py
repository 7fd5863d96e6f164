"""The fake Whereby against shared/contracts/whereby.md: endpoints, validation, status codes,
shapes, the bearer key, the rate limit, room pages and signed webhooks. Plain HTTP from the
test (httpx), no Django involved: this is what our client is tested against."""

import hashlib
import hmac
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.fakes.whereby import FakeWhereby

KEY = "contract-key"


@pytest.fixture
def fake():
    with FakeWhereby(api_key=KEY, webhook_retry_delay=0.01) as server:
        yield server


def api(fake, key=KEY):
    return httpx.Client(base_url=fake.base_url + "/", headers={"Authorization": f"Bearer {key}"})


def future(hours=2):
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def test_requests_without_the_right_bearer_key_are_refused(fake):
    # given no key, then a wrong key
    # when they call the API
    missing = httpx.get(fake.base_url + "/meetings")
    wrong = api(fake, key="nope").post("meetings", json={"endDate": future()})

    # then 401, and nothing was created
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert fake.live_meetings() == []


def test_create_answers_201_with_the_documented_shape(fake):
    # given a valid body asking for the host URL
    body = {
        "endDate": future(),
        "roomMode": "normal",
        "roomNamePrefix": "/Binome--p-abc--m1s0",
        "fields": ["hostRoomUrl"],
    }

    # when it is posted
    answer = api(fake).post("meetings", json=body)

    # then 201: meetingId is a string, the prefix was stripped of "/" and lower-cased, dates are
    # UTC, the host URL is there and the viewer URL is not
    assert answer.status_code == 201
    data = answer.json()
    assert isinstance(data["meetingId"], str)
    assert re.fullmatch(r"/binome--p-abc--m1s0[0-9a-f-]{36}", data["roomName"])
    assert data["roomUrl"] == f"{fake.room_origin}{data['roomName']}"
    assert data["hostRoomUrl"].startswith(data["roomUrl"] + "?roomKey=")
    assert "viewerRoomUrl" not in data
    assert data["endDate"].endswith("Z") and data["startDate"].endswith("Z")
    assert set(data) == {"meetingId", "roomName", "roomUrl", "startDate", "endDate", "hostRoomUrl"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, '"endDate" is required'),
        ({"endDate": "tomorrow"}, '"endDate" must be an ISO 8601 date with a time zone'),
        ({"endDate": "2020-01-01T00:00:00Z"}, '"endDate" must not be in the past'),
        ({"endDate": "FUTURE", "roomMode": "huge"}, '"roomMode" must be "normal" or "group"'),
        ({"endDate": "FUTURE", "isLocked": "yes"}, '"isLocked" must be a boolean'),
        ({"endDate": "FUTURE", "roomNamePrefix": "a" * 40}, '"roomNamePrefix" must be at most'),
        ({"endDate": "FUTURE", "roomNamePrefix": "été"}, '"roomNamePrefix" must be at most'),
        ({"endDate": "FUTURE", "roomNamePattern": "x"}, '"roomNamePattern" must be'),
        ({"endDate": "FUTURE", "fields": ["roomKey"]}, '"fields" may only contain'),
    ],
)
def test_create_refuses_an_invalid_body_with_400(fake, body, message):
    # given an invalid body
    body = {k: (future() if v == "FUTURE" else v) for k, v in body.items()}

    # when it is posted
    answer = api(fake).post("meetings", json=body)

    # then 400 with a message, and nothing was created
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(message)
    assert fake.live_meetings() == []


def test_create_refuses_a_body_that_is_not_json(fake):
    answer = api(fake).post("meetings", content=b"endDate=soon")
    assert answer.status_code == 400


def test_get_returns_the_meeting_with_the_fields_asked_for_and_404_when_unknown(fake):
    # given a meeting
    created = api(fake).post("meetings", json={"endDate": future()}).json()

    # when it is read, with and without fields, and an unknown one is read
    plain = api(fake).get(f"meetings/{created['meetingId']}")
    both = api(fake).get(
        f"meetings/{created['meetingId']}", params={"fields": "hostRoomUrl,viewerRoomUrl"}
    )
    unknown = api(fake).get("meetings/1")

    # then
    assert plain.status_code == 200 and plain.json() == created
    assert {"hostRoomUrl", "viewerRoomUrl"} <= set(both.json())
    assert unknown.status_code == 404


def test_delete_answers_204_with_no_body_and_again_when_already_deleted(fake):
    # given a meeting
    meeting_id = api(fake).post("meetings", json={"endDate": future()}).json()["meetingId"]

    # when it is deleted twice
    first = api(fake).delete(f"meetings/{meeting_id}")
    second = api(fake).delete(f"meetings/{meeting_id}")

    # then 204 both times, empty, and it is gone
    assert (first.status_code, second.status_code) == (204, 204)
    assert first.content == b"" and second.content == b""
    assert api(fake).get(f"meetings/{meeting_id}").status_code == 404
    assert api(fake).delete("meetings/999").status_code == 404


def test_list_pages_with_a_cursor_and_checks_the_limit(fake):
    # given three meetings
    ids = [
        api(fake).post("meetings", json={"endDate": future()}).json()["meetingId"] for _ in "abc"
    ]

    # when they are listed two by two
    first = api(fake).get("meetings", params={"limit": 2}).json()
    second = api(fake).get("meetings", params={"limit": 2, "cursor": first["cursor"]}).json()

    # then every meeting comes once, and limits outside 1-100 are refused
    assert [m["meetingId"] for m in first["results"] + second["results"]] == ids
    assert "cursor" not in second
    assert api(fake).get("meetings", params={"limit": 0}).status_code == 400
    assert api(fake).get("meetings", params={"limit": 101}).status_code == 400
    assert len(api(fake).get("meetings").json()["results"]) == 3  # default 50


def test_a_forced_429_carries_retry_after_and_the_rate_limit_headers(fake):
    # given the next call is rate limited
    fake.rate_limit_next(retry_after=7)

    # when two calls are made
    limited = api(fake).post("meetings", json={"endDate": future()})
    after = api(fake).post("meetings", json={"endDate": future()})

    # then the first is a 429 as documented, the second goes through
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert all(
        name in limited.headers
        for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
    )
    assert limited.json()["error"].startswith("Rate limit active")
    assert limited.json()["data"]["msLeft"] == 7000
    assert after.status_code == 201
    assert len(fake.live_meetings()) == 1


def test_the_points_budget_per_minute_is_enforced():
    # given an organisation with 5 points a minute (POST costs 3, GET 1)
    with FakeWhereby(api_key=KEY, points_per_minute=5) as fake:
        client = api(fake)
        # when it creates a room, reads twice, then creates again
        statuses = [
            client.post("meetings", json={"endDate": future()}).status_code,
            client.get("meetings").status_code,
            client.get("meetings").status_code,
            client.post("meetings", json={"endDate": future()}).status_code,
        ]
    # then the last call is over budget
    assert statuses == [201, 200, 200, 429]


def test_the_room_name_is_the_prefix_glued_to_the_id_as_whereby_does(fake):
    # given the contract's own example prefix
    body = {"endDate": future(), "roomNamePrefix": "Customer0348-"}

    # when a room is created
    data = api(fake).post("meetings", json=body).json()

    # then the lower-cased prefix and the generated id, with no separator added
    assert re.fullmatch(
        r"/customer0348-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        data["roomName"],
    )


def room_origin(fake):
    return fake.base_url.removesuffix("/v1")


def test_a_locked_room_makes_guests_knock_until_the_host_lets_them_in():
    receiver = _Receiver([])
    with FakeWhereby(
        api_key=KEY, webhook_url=receiver.url, webhook_secret="s", webhook_retry_delay=0.01
    ) as fake:
        # given a locked room, with its host URL
        body = {"endDate": future(), "isLocked": True, "fields": ["hostRoomUrl"]}
        data = api(fake).post("meetings", json=body).json()
        origin, path = room_origin(fake), data["roomName"]
        host_query = data["hostRoomUrl"].split("?", 1)[1]

        # when a guest opens the plain room URL
        guest = httpx.get(f"{origin}{path}", params={"displayName": "Léa", "externalId": "p1"})
        knock_id = re.search(r'data-knock="([^"]+)"', guest.text).group(1)
        status = httpx.get(f"{origin}/_fake/rooms/{data['meetingId']}/knocks/{knock_id}")
        # and someone without the key tries to let the guest in, or to list the door
        door = f"{origin}/_fake/rooms/{data['meetingId']}/knocks"
        forged = httpx.post(f"{door}/{knock_id}/admit", json={"roomKey": "guess"})
        listed_without_key = httpx.get(door)
        # and a second try with a made-up knock id
        made_up = httpx.get(f"{origin}{path}", params={"knock": "made-up"})

        # then the guest waits at the door (no room), the knock is visible to the host only
        assert guest.status_code == 200
        assert 'id="room"' not in guest.text and 'id="knocking"' in guest.text
        assert status.json() == {"status": "waiting"}
        assert (forged.status_code, listed_without_key.status_code) == (403, 403)
        assert 'id="room"' not in made_up.text
        host_view = httpx.get(f"{door}?{host_query}").json()["knocks"]
        assert [k["displayName"] for k in host_view] == ["Léa", ""]

        # when the host opens the host URL, and lets the guest in
        host = httpx.get(f"{origin}{path}?{host_query}&displayName=Hugo")
        admitted = httpx.post(
            f"{door}/{knock_id}/admit", json={"roomKey": host_query.split("=", 1)[1]}
        )
        entered = httpx.get(f"{origin}{path}", params={"displayName": "Léa", "knock": knock_id})
        replayed = httpx.get(f"{origin}{path}", params={"knock": knock_id})
        fake.wait_for_deliveries()
    receiver.close()

    # then the host entered directly, the guest once let in (a knock opens the door once)
    assert 'id="room"' in host.text and "(hôte)" in host.text
    assert admitted.status_code == 204
    assert 'id="room"' in entered.text and "(hôte)" not in entered.text
    assert 'id="room"' not in replayed.text
    # and the platform heard the knocks and who joined
    types = sorted(json.loads(body)["type"] for _headers, body in receiver.received)
    assert types == ["room.client.joined"] * 2 + ["room.client.knocked"] * 3


def test_an_unlocked_room_lets_anyone_with_its_url_in(fake):
    data = api(fake).post("meetings", json={"endDate": future()}).json()

    page = httpx.get(f"{room_origin(fake)}{data['roomName']}")

    assert 'id="room"' in page.text


def test_a_knock_given_up_is_cancelled():
    receiver = _Receiver([])
    with FakeWhereby(
        api_key=KEY, webhook_url=receiver.url, webhook_secret="s", webhook_retry_delay=0.01
    ) as fake:
        body = {"endDate": future(), "isLocked": True}
        data = api(fake).post("meetings", json=body).json()
        guest = httpx.get(f"{room_origin(fake)}{data['roomName']}", params={"externalId": "p1"})
        knock_id = re.search(r'data-knock="([^"]+)"', guest.text).group(1)

        # when the guest leaves the door
        door = f"{room_origin(fake)}/_fake/rooms/{data['meetingId']}/knocks/{knock_id}"
        httpx.post(f"{door}/cancel")
        fake.wait_for_deliveries()

        # then the host can no longer let them in
        assert fake.admit(data["meetingId"], knock_id) is False
    receiver.close()
    types = [json.loads(body)["type"] for _headers, body in receiver.received]
    # Whereby may deliver events out of order (contracts/whereby.md); the fake sends each event
    # from its own thread, so the two can arrive either way round.
    assert sorted(types) == ["room.client.knockCancelled", "room.client.knocked"]


def test_a_dropped_answer_still_creates_the_room(fake):
    fake.drop_next()

    with pytest.raises(httpx.TransportError):
        api(fake).post("meetings", json={"endDate": future()})

    assert len(fake.live_meetings()) == 1


def test_the_room_url_serves_an_embeddable_page_until_the_room_is_deleted(fake):
    # given a room
    data = api(fake).post("meetings", json={"endDate": future(), "fields": ["hostRoomUrl"]}).json()
    path = data["roomName"]

    # when its page is opened (the browser resolves *.whereby.localhost to this machine)
    page = httpx.get(f"{fake.base_url.removesuffix('/v1')}{path}", params={"displayName": "Léa"})
    api(fake).delete(f"meetings/{data['meetingId']}")
    gone = httpx.get(f"{fake.base_url.removesuffix('/v1')}{path}")

    # then an HTML page that may be framed, then 404
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "X-Frame-Options" not in page.headers
    assert "Léa" in page.text
    assert gone.status_code == 404


class _Receiver:
    """A tiny HTTP endpoint standing for the platform: keeps what it receives."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/whereby"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_webhooks_are_signed_and_retried_twice_on_5xx_with_the_same_id():
    # given a platform that fails twice, then accepts
    receiver = _Receiver([503, 500, 200])
    secret = "whsec-test"
    with FakeWhereby(
        api_key=KEY,
        webhook_url=receiver.url,
        webhook_secret=secret,
        webhook_host="binome.test",
        webhook_retry_delay=0.01,
    ) as fake:
        meeting_id = api(fake).post("meetings", json={"endDate": future()}).json()["meetingId"]

        # when a client joins
        fake.emit(meeting_id, "room.client.joined", displayName="Zoé", externalId="p1")
    receiver.close()

    # then three deliveries of one event, each signed over the raw body, for the given host
    assert [d.status for d in fake.deliveries] == [200]
    assert fake.deliveries[0].attempts == 3
    assert len(receiver.received) == 3
    ids = {json.loads(body)["id"] for _headers, body in receiver.received}
    assert len(ids) == 1
    headers, body = receiver.received[-1]
    assert headers["Host"] == "binome.test"
    timestamp, signature = re.fullmatch(
        r"t=(\d+),v1=([0-9a-f]{64})", headers["Whereby-Signature"]
    ).groups()
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert signature == expected
    event = json.loads(body)
    assert event["type"] == "room.client.joined" and event["apiVersion"] == "1.0"
    assert {"meetingId", "roomName", "subdomain", "displayName", "externalId"} <= set(event["data"])
    assert "Zoé".encode() in body  # not escaped: the signature covers the bytes as sent
