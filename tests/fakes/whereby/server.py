"""A local stand-in for Whereby Embedded (shared/contracts/whereby.md), small enough to read.

It implements every REST endpoint of the contract with the same validation, status codes and
shapes, keeps meetings in memory, enforces the bearer key and the per-minute points budget,
serves a small embeddable HTML page at each room URL, and delivers signed webhooks
(`room.client.joined` when a room page is opened, `room.client.left` when it is closed,
`room.client.knocked` / `room.client.knockCancelled` at a locked room's door) to the platform.

Room names are Whereby's: the lower-cased `roomNamePrefix` glued to the generated id with no
separator (prefix `Customer0348-` gives `/customer0348-72b919c2-…`).

Locked rooms (`isLocked`): the host URL (`?roomKey=`) enters directly; anyone else gets a
"knocking" page that waits until the host lets them in (the host's page lists the knocks with a
button each; tests can call `admit()`), then enters the room.

Tests drive the failures they need (`rate_limit_next`, `fail_next`, `slow_next`,
`drop_next`) from Python, or over HTTP under `/_fake/` when the fake runs in another process.

Standard library and httpx only: no Django, so that it runs alone (`python -m
tests.fakes.whereby`) in the local stack.
"""

import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

PREFIX_RE = re.compile(r"^[a-z0-9-]{1,39}$")
ROOM_MODES = {"normal", "group"}
ROOM_NAME_PATTERNS = {"uuid", "human-short"}
FIELDS = {"hostRoomUrl", "viewerRoomUrl"}
POINTS = {"GET": 1, "DELETE": 2, "POST": 3}
ROOM_LIFETIME_AFTER_END = timedelta(hours=1)  # deactivated one hour after endDate


def webhook_signature(*, secret: str, body: bytes, timestamp: int) -> str:
    """The `Whereby-Signature` header for `body`: t=<unix seconds>,v1=<hex HMAC-SHA256 of
    "t.body" keyed by the webhook secret>."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class BadRequest(Exception):
    pass


@dataclass
class FakeMeeting:
    meeting_id: str
    room_name: str
    room_key: str
    viewer_key: str
    start_date: datetime
    end_date: datetime
    room_mode: str
    is_locked: bool
    deleted: bool = False
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    # knock id -> {"displayName", "externalId", "participantId", "status"} where status is
    # "waiting", "admitted" (until the knocker enters), "entered", "refused" or "cancelled"
    knocks: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Delivery:
    event: dict[str, Any]
    status: int | None  # None: the platform could not be reached
    attempts: int


class FakeWhereby:
    """The fake, as an object a test can start, configure and inspect."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = "local-fake-key",
        webhook_url: str = "",
        webhook_secret: str = "",
        webhook_host: str = "",
        room_host: str = "whereby.localhost",
        subdomain: str = "binome",
        points_per_minute: int = 1000,
        webhook_retry_delay: float = 0.5,
    ) -> None:
        self.api_key = api_key
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.webhook_host = webhook_host
        self.room_host = room_host
        self.subdomain = subdomain
        self.points_per_minute = points_per_minute
        self.webhook_retry_delay = webhook_retry_delay
        self.meetings: dict[str, FakeMeeting] = {}
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status) of the API
        self.deliveries: list[Delivery] = []
        self._lock = threading.RLock()
        self._next_id = 52755922
        self._points: list[tuple[float, int]] = []
        self._rate_limited: list[float] = []  # Retry-After of the next forced 429s
        self._failures: list[tuple[int, str]] = []  # (status, method or "") of forced failures
        self._slow: list[float] = []  # delay before answering the next POSTs (after creating)
        self._drops = 0  # how many of the next POSTs create the room and never answer
        self._delivery_threads: list[threading.Thread] = []
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def room_origin(self) -> str:
        return f"http://{self.subdomain}.{self.room_host}:{self.port}"

    def start(self) -> "FakeWhereby":
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self.wait_for_deliveries()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeWhereby":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests ask for -----------------------------------------------------------------

    def rate_limit_next(self, count: int = 1, *, retry_after: float = 1) -> None:
        with self._lock:
            self._rate_limited += [retry_after] * count

    def fail_next(self, count: int = 1, *, status: int = 503, method: str = "") -> None:
        """The next `count` API calls (of `method`, or any) fail with `status`."""
        with self._lock:
            self._failures += [(status, method.upper())] * count

    def slow_next(self, count: int = 1, *, seconds: float = 1.0) -> None:
        """The next POSTs create the room, then wait `seconds` before answering: a client
        that times out does not know whether the room exists."""
        with self._lock:
            self._slow += [seconds] * count

    def drop_next(self, count: int = 1) -> None:
        """The next `count` POSTs create the room, then close the connection without an
        answer: the answer is lost, the room exists."""
        with self._lock:
            self._drops += count

    def take_drop(self) -> bool:
        with self._lock:
            if self._drops:
                self._drops -= 1
                return True
            return False

    def knocks(self, meeting_id: str) -> list[dict[str, Any]]:
        """The knocks waiting at the door of a locked room (knock id, display name...)."""
        with self._lock:
            meeting = self.meetings.get(meeting_id)
            if meeting is None:
                return []
            return [
                {"knockId": knock_id, **knock}
                for knock_id, knock in meeting.knocks.items()
                if knock["status"] == "waiting"
            ]

    def admit(self, meeting_id: str, knock_id: str, *, is_admitted: bool = True) -> bool:
        """What the host does with a knock: let in (or refuse). False if no such knock waits."""
        with self._lock:
            meeting = self.meetings.get(meeting_id)
            knock = meeting.knocks.get(knock_id) if meeting is not None else None
            if meeting is None or knock is None or knock["status"] != "waiting" or meeting.deleted:
                return False
            knock["status"] = "admitted" if is_admitted else "refused"
            return True

    def knock_cancel(self, meeting_id: str, knock_id: str) -> None:
        """The knocker left the door before being let in: room.client.knockCancelled."""
        with self._lock:
            meeting = self.meetings.get(meeting_id)
            knock = meeting.knocks.get(knock_id) if meeting is not None else None
            if knock is None or knock["status"] != "waiting":
                return
            knock["status"] = "cancelled"
        self.emit(
            meeting_id,
            "room.client.knockCancelled",
            wait=False,
            displayName=knock["displayName"],
            participantId=knock["participantId"],
            externalId=knock["externalId"],
            roleName="visitor",
        )

    def knock_status(self, meeting_id: str, knock_id: str) -> str:
        with self._lock:
            meeting = self.meetings.get(meeting_id)
            knock = meeting.knocks.get(knock_id) if meeting is not None else None
            return "unknown" if knock is None else str(knock["status"])

    def reset(self) -> None:
        with self._lock:
            self.meetings.clear()
            self.requests.clear()
            self.deliveries.clear()
            self._points.clear()
            self._rate_limited.clear()
            self._failures.clear()
            self._slow.clear()
            self._drops = 0

    def live_meetings(self) -> list[FakeMeeting]:
        with self._lock:
            return [m for m in self.meetings.values() if not m.deleted]

    def issued_urls(self) -> set[str]:
        """Every room URL the fake has handed out (room and host URLs, and the bare room
        path): what must never appear in an email, an ICS file or a log line."""
        with self._lock:
            urls = set()
            for meeting in self.meetings.values():
                body = self.meeting_body(meeting, ["hostRoomUrl", "viewerRoomUrl"])
                urls |= {body["roomUrl"], body["hostRoomUrl"], body["viewerRoomUrl"]}
                urls.add(meeting.room_name)
                urls.add(meeting.room_key)
            return urls

    def room_url(self, meeting: FakeMeeting) -> str:
        return f"{self.room_origin}{meeting.room_name}"

    def meeting_body(self, meeting: FakeMeeting, fields: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "meetingId": meeting.meeting_id,
            "roomName": meeting.room_name,
            "roomUrl": self.room_url(meeting),
            "startDate": iso_utc(meeting.start_date),
            "endDate": iso_utc(meeting.end_date),
        }
        if "hostRoomUrl" in fields:
            body["hostRoomUrl"] = f"{self.room_url(meeting)}?roomKey={meeting.room_key}"
        if "viewerRoomUrl" in fields:
            body["viewerRoomUrl"] = f"{self.room_url(meeting)}?viewerKey={meeting.viewer_key}"
        return body

    # --- webhooks ---------------------------------------------------------------------------

    def emit(self, meeting_id: str, event_type: str, *, wait: bool = True, **data: Any) -> None:
        """Send a signed webhook about `meeting_id` to the platform (no-op without a URL)."""
        meeting = self.meetings.get(meeting_id)
        if meeting is None or not self.webhook_url:
            return
        event = {
            "id": str(uuid.uuid4()),
            "apiVersion": "1.0",
            "createdAt": iso_utc(datetime.now(UTC)),
            "type": event_type,
            "data": {
                "meetingId": meeting.meeting_id,
                "roomName": meeting.room_name,
                "subdomain": self.subdomain,
                **data,
            },
        }
        thread = threading.Thread(target=self.deliver, args=(event,), daemon=True)
        with self._lock:
            self._delivery_threads.append(thread)
        thread.start()
        if wait:
            thread.join()

    def deliver(self, event: dict[str, Any]) -> Delivery:
        """POST `event` signed, retried twice with backoff on a 5xx or no answer (5 s timeout),
        as Whereby does. The same event id is sent on every attempt."""
        body = json.dumps(event, ensure_ascii=False).encode()
        status: int | None = None
        attempts = 0
        for attempt in range(3):
            attempts += 1
            headers = {
                "Content-Type": "application/json",
                "Whereby-Signature": webhook_signature(
                    secret=self.webhook_secret, body=body, timestamp=int(time.time())
                ),
            }
            if self.webhook_host:
                headers["Host"] = self.webhook_host
            try:
                answer = httpx.post(self.webhook_url, content=body, headers=headers, timeout=5)
                status = answer.status_code
            except httpx.HTTPError:
                status = None
            if status is not None and status < 500:
                break
            if attempt < 2:
                time.sleep(self.webhook_retry_delay * 2**attempt)
        delivery = Delivery(event=event, status=status, attempts=attempts)
        with self._lock:
            self.deliveries.append(delivery)
        return delivery

    def wait_for_deliveries(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                threads = [t for t in self._delivery_threads if t.is_alive()]
                self._delivery_threads = threads
            if not threads or time.monotonic() > deadline:
                return
            threads[0].join(max(0.0, deadline - time.monotonic()))

    # --- the API ----------------------------------------------------------------------------

    def _rate_limit(self, method: str) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        now = time.monotonic()
        with self._lock:
            if self._rate_limited:
                retry_after = self._rate_limited.pop(0)
                return self._too_many(retry_after, remaining=0)
            self._points = [(t, p) for t, p in self._points if now - t < 60]
            used = sum(p for _t, p in self._points)
            cost = POINTS.get(method, 1)
            if used + cost > self.points_per_minute:
                oldest = self._points[0][0] if self._points else now
                return self._too_many(max(1.0, 60 - (now - oldest)), remaining=0)
            self._points.append((now, cost))
        return None

    def _too_many(
        self, retry_after: float, *, remaining: int
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        seconds = max(0, round(retry_after))
        headers = {
            "Retry-After": str(seconds),
            "X-RateLimit-Limit": str(self.points_per_minute),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(time.time()) + seconds),
        }
        body = {
            "error": "Rate limit active, please wait before making more requests",
            "data": {"msLeft": int(retry_after * 1000)},
        }
        return 429, headers, body

    def api(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes, auth: str
    ) -> tuple[int, dict[str, str], dict[str, Any] | None, float]:
        """(status, headers, JSON body or None, seconds to wait before answering)."""
        if auth != f"Bearer {self.api_key}" or not self.api_key:
            return 401, {}, {"error": "Unauthorized"}, 0
        limited = self._rate_limit(method)
        if limited is not None:
            return (*limited, 0)
        with self._lock:
            failure = next((f for f in self._failures if f[1] in ("", method)), None)
            if failure is not None:
                self._failures.remove(failure)
                return failure[0], {}, {"error": "Internal server error"}, 0
        parts = [p for p in path.split("/") if p]  # ["meetings"] or ["meetings", "<id>"]
        try:
            if parts == ["meetings"] and method == "POST":
                return self._create(body)
            if parts == ["meetings"] and method == "GET":
                return (*self._list(query), 0)
            if len(parts) == 2 and parts[0] == "meetings" and method == "GET":
                return (*self._get(parts[1], query), 0)
            if len(parts) == 2 and parts[0] == "meetings" and method == "DELETE":
                return (*self._delete(parts[1]), 0)
        except BadRequest as exc:
            return 400, {}, {"error": str(exc)}, 0
        if parts[:1] == ["meetings"] and len(parts) <= 2:
            return 405, {}, {"error": "Method not allowed"}, 0
        return 404, {}, {"error": "Not found"}, 0

    def _create(self, raw: bytes) -> tuple[int, dict[str, str], dict[str, Any], float]:
        try:
            data = json.loads(raw or b"null")
        except ValueError:
            raise BadRequest("Body must be JSON") from None
        if not isinstance(data, dict):
            raise BadRequest("Body must be a JSON object")
        end_date = parse_iso(data.get("endDate"))
        if "endDate" not in data:
            raise BadRequest('"endDate" is required')
        if end_date is None:
            raise BadRequest('"endDate" must be an ISO 8601 date with a time zone')
        now = datetime.now(UTC)
        if end_date <= now:
            raise BadRequest('"endDate" must not be in the past')
        room_mode = data.get("roomMode", "normal")
        if room_mode not in ROOM_MODES:
            raise BadRequest('"roomMode" must be "normal" or "group"')
        is_locked = data.get("isLocked", False)
        if not isinstance(is_locked, bool):
            raise BadRequest('"isLocked" must be a boolean')
        prefix = data.get("roomNamePrefix", "")
        if not isinstance(prefix, str):
            raise BadRequest('"roomNamePrefix" must be a string')
        prefix = prefix.removeprefix("/").lower()
        if prefix and not PREFIX_RE.match(prefix):
            raise BadRequest('"roomNamePrefix" must be at most 39 characters among a-z, 0-9 and -')
        pattern = data.get("roomNamePattern", "uuid")
        if pattern not in ROOM_NAME_PATTERNS:
            raise BadRequest('"roomNamePattern" must be "uuid" or "human-short"')
        fields = data.get("fields", [])
        if not isinstance(fields, list) or any(f not in FIELDS for f in fields):
            raise BadRequest('"fields" may only contain "hostRoomUrl" and "viewerRoomUrl"')
        if pattern == "uuid":
            suffix = str(uuid.uuid4())
        else:
            suffix = "-".join(secrets.token_hex(2) for _ in range(3))
        room_name = f"/{prefix}{suffix}"  # glued, no separator: as Whereby does
        with self._lock:
            meeting_id = str(self._next_id)
            self._next_id += 1
            meeting = FakeMeeting(
                meeting_id=meeting_id,
                room_name=room_name,
                room_key=secrets.token_urlsafe(18),
                viewer_key=secrets.token_urlsafe(18),
                start_date=now,
                end_date=end_date.astimezone(UTC),
                room_mode=room_mode,
                is_locked=is_locked,
            )
            self.meetings[meeting_id] = meeting
            delay = self._slow.pop(0) if self._slow else 0.0
        return 201, {}, self.meeting_body(meeting, fields), delay

    def _fields(self, query: dict[str, list[str]]) -> list[str]:
        requested = [f for value in query.get("fields", []) for f in value.split(",") if f]
        if any(f not in FIELDS for f in requested):
            raise BadRequest('"fields" may only contain "hostRoomUrl" and "viewerRoomUrl"')
        return requested

    def _get(
        self, meeting_id: str, query: dict[str, list[str]]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        fields = self._fields(query)
        meeting = self.meetings.get(meeting_id)
        if meeting is None or meeting.deleted:
            return 404, {}, {"error": "Meeting not found"}
        return 200, {}, self.meeting_body(meeting, fields)

    def _delete(self, meeting_id: str) -> tuple[int, dict[str, str], None]:
        with self._lock:
            meeting = self.meetings.get(meeting_id)
            if meeting is None:
                return 404, {}, None
            meeting.deleted = True
        return 204, {}, None

    def _list(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], dict[str, Any]]:
        raw_limit = (query.get("limit") or ["50"])[0]
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            raise BadRequest('"limit" must be between 1 and 100')
        limit = int(raw_limit)
        raw_cursor = (query.get("cursor") or [""])[0]
        if raw_cursor and not raw_cursor.isdigit():
            raise BadRequest('"cursor" is not valid')
        start = int(raw_cursor or 0)
        with self._lock:
            live = [m for m in self.meetings.values() if not m.deleted]
        page = live[start : start + limit]
        body: dict[str, Any] = {"results": [self.meeting_body(m, []) for m in page]}
        if start + limit < len(live):
            body["cursor"] = str(start + limit)
        return 200, {}, body

    # --- rooms ------------------------------------------------------------------------------

    def room_page(self, path: str, query: dict[str, list[str]]) -> tuple[int, str]:
        meeting = next(
            (m for m in self.meetings.values() if m.room_name == path and not m.deleted), None
        )
        if meeting is None or datetime.now(UTC) > meeting.end_date + ROOM_LIFETIME_AFTER_END:
            return 404, _page("Salle introuvable", "<p>Cette salle n’existe pas ou plus.</p>")
        display_name = (query.get("displayName") or [""])[0][:100]
        external_id = (query.get("externalId") or [""])[0][:36]
        is_host = hmac.compare_digest((query.get("roomKey") or [""])[0], meeting.room_key)
        participant_id = str(uuid.uuid4())
        if meeting.is_locked and not is_host:
            # Knocking: only a knock the host let in (and only once) enters the room.
            knock_id = (query.get("knock") or [""])[0]
            with self._lock:
                knock = meeting.knocks.get(knock_id)
                is_admitted = knock is not None and knock["status"] == "admitted"
                if knock is not None and is_admitted:
                    knock["status"] = "entered"
                    participant_id = knock["participantId"]
            if not is_admitted:
                return 200, self._knock_page(meeting, display_name, external_id, participant_id)
        with self._lock:
            meeting.clients[participant_id] = {"externalId": external_id, "host": is_host}
            number = len(meeting.clients)
        data = {
            "displayName": display_name,
            "participantId": participant_id,
            "roomSessionId": f"session-{meeting.meeting_id}",
            "metadata": (query.get("metadata") or [""])[0],
            "externalId": external_id,
            "roleName": "host" if is_host else "visitor",
            "numClients": number,
        }
        self.emit(meeting.meeting_id, "room.client.joined", wait=False, **data)
        base = f"/_fake/rooms/{meeting.meeting_id}"
        leave = f"{base}/left/{participant_id}"
        body = (
            f'<p id="room" data-meeting="{html.escape(meeting.meeting_id)}">'
            f"Salle de visio simulée — {html.escape(display_name) or 'invité'}"
            f"{' (hôte)' if is_host else ''}</p>"
            f"<script>addEventListener('pagehide', function () {{"
            f" navigator.sendBeacon('{leave}'); }});</script>"
        )
        if is_host and meeting.is_locked:
            body += self._door(meeting)
        return 200, _page("Whereby (simulation)", body)

    def _door(self, meeting: FakeMeeting) -> str:
        """The host's view of the door: one "let in" button per knock, refreshed every second."""
        base = f"/_fake/rooms/{meeting.meeting_id}/knocks"
        key = json.dumps(meeting.room_key)
        return (
            '<section aria-label="À la porte"><ul id="knocks"></ul></section>'
            "<script>(function () {"
            f" var base = {json.dumps(base)}, key = {key};"
            " function admit(id) { fetch(base + '/' + id + '/admit', {method: 'POST',"
            " body: JSON.stringify({roomKey: key})}).then(refresh); }"
            " function refresh() { fetch(base + '?roomKey=' + encodeURIComponent(key))"
            ".then(function (r) { return r.json(); }).then(function (data) {"
            " var list = document.getElementById('knocks'); list.textContent = '';"
            " data.knocks.forEach(function (k) { var li = document.createElement('li');"
            " var b = document.createElement('button'); b.type = 'button';"
            " b.textContent = 'Faire entrer ' + (k.displayName || 'un invité');"
            " b.addEventListener('click', function () { admit(k.knockId); });"
            " li.appendChild(b); list.appendChild(li); }); }); }"
            " refresh(); setInterval(refresh, 1000); })();</script>"
        )

    def _knock_page(
        self, meeting: FakeMeeting, display_name: str, external_id: str, participant_id: str
    ) -> str:
        """A knock at a locked room's door: room.client.knocked, then the page waits for the
        host's answer and enters (with its one-time knock id) once let in."""
        knock_id = secrets.token_urlsafe(12)
        with self._lock:
            meeting.knocks[knock_id] = {
                "displayName": display_name,
                "externalId": external_id,
                "participantId": participant_id,
                "status": "waiting",
            }
        self.emit(
            meeting.meeting_id,
            "room.client.knocked",
            wait=False,
            displayName=display_name,
            participantId=participant_id,
            externalId=external_id,
            roleName="visitor",
        )
        base = json.dumps(f"/_fake/rooms/{meeting.meeting_id}/knocks/{knock_id}")
        body = (
            f'<p id="knocking" data-knock="{html.escape(knock_id)}">'
            "Salle verrouillée — vous avez frappé à la porte, l’hôte va vous faire entrer…</p>"
            "<script>(function () {"
            f" var base = {base}, done = false;"
            " var timer = setInterval(function () { fetch(base).then(function (r) {"
            " return r.json(); }).then(function (data) {"
            " if (data.status === 'admitted') { done = true; clearInterval(timer);"
            " var url = new URL(location.href);"
            f" url.searchParams.set('knock', {json.dumps(knock_id)}); location.replace(url); }}"
            " else if (data.status === 'refused') { done = true; clearInterval(timer);"
            " document.getElementById('knocking').textContent = 'L’hôte a refusé l’entrée.'; }"
            " }); }, 500);"
            " addEventListener('pagehide', function () {"
            " if (!done) { navigator.sendBeacon(base + '/cancel'); } }); })();</script>"
        )
        return _page("Whereby (simulation) — à la porte", body)

    def client_left(self, meeting_id: str, participant_id: str) -> None:
        meeting = self.meetings.get(meeting_id)
        if meeting is None:
            return
        with self._lock:
            client = meeting.clients.pop(participant_id, None)
            number = len(meeting.clients)
        if client is not None:
            self.emit(
                meeting_id,
                "room.client.left",
                wait=False,
                participantId=participant_id,
                externalId=client["externalId"],
                roleName="host" if client["host"] else "visitor",
                numClients=number,
            )


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main>{body}</main></body></html>"
    )


def _handler_for(fake: FakeWhereby) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeWhereby/1.0"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: room paths and keys must not end up in logs."""

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(
            self,
            status: int,
            headers: dict[str, str],
            payload: dict[str, Any] | str | None,
            content_type: str = "application/json",
        ) -> None:
            data = b""
            if isinstance(payload, dict):
                data = json.dumps(payload).encode()
            elif isinstance(payload, str):
                data = payload.encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)

        def _dispatch(self, method: str) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query, keep_blank_values=True)
            body = self._body()
            if url.path.startswith("/v1/"):
                status, headers, payload, delay = fake.api(
                    method, url.path[3:], query, body, self.headers.get("Authorization", "")
                )
                with fake._lock:
                    fake.requests.append((method, url.path, status))
                if delay:
                    time.sleep(delay)
                if status == 201 and fake.take_drop():
                    self.close_connection = True  # the room exists; its answer is lost
                    return
                self._send(status, headers, payload)
            elif url.path.startswith("/_fake/"):
                self._control(method, url.path, body, url.query)
            elif method == "GET":
                status, page = fake.room_page(url.path, query)
                self._send(status, {"Cache-Control": "no-store"}, page, "text/html; charset=utf-8")
            else:
                self._send(405, {}, {"error": "Method not allowed"})

        def _knocks(self, method: str, parts: list[str], data: dict[str, Any], key: str) -> None:
            """/_fake/rooms/<id>/knocks[/<knock>[/admit|/refuse|/cancel]]: the door of a locked
            room, for the pages the fake serves. Listing and answering need the room key (only
            the host does it); the knocker reads its own status and cancels its knock."""
            meeting = fake.meetings.get(parts[1])
            if meeting is None:
                self._send(404, {}, {"error": "Not found"})
                return
            is_host = hmac.compare_digest(str(data.get("roomKey", key)), meeting.room_key)
            if method == "GET" and len(parts) == 3:
                if not is_host:
                    self._send(403, {}, {"error": "Forbidden"})
                    return
                knocks = [
                    {"knockId": k["knockId"], "displayName": k["displayName"]}
                    for k in fake.knocks(meeting.meeting_id)
                ]
                self._send(200, {"Cache-Control": "no-store"}, {"knocks": knocks})
            elif method == "GET" and len(parts) == 4:
                status = fake.knock_status(meeting.meeting_id, parts[3])
                self._send(200, {"Cache-Control": "no-store"}, {"status": status})
            elif method == "POST" and len(parts) == 5 and parts[4] in ("admit", "refuse"):
                if not is_host:
                    self._send(403, {}, {"error": "Forbidden"})
                    return
                is_admitted = parts[4] == "admit"
                done = fake.admit(meeting.meeting_id, parts[3], is_admitted=is_admitted)
                self._send(204 if done else 404, {}, None)
            elif method == "POST" and len(parts) == 5 and parts[4] == "cancel":
                fake.knock_cancel(meeting.meeting_id, parts[3])
                self._send(204, {}, None)
            else:
                self._send(404, {}, {"error": "Not found"})

        def _control(self, method: str, path: str, raw: bytes, query: str = "") -> None:
            """Test controls for a fake running in another process (local stack), and the
            door of locked rooms."""
            try:
                data = json.loads(raw or b"{}")
            except ValueError:
                data = {}
            if not isinstance(data, dict):
                data = {}
            parts = [p for p in path.split("/") if p][1:]
            if len(parts) >= 3 and parts[0] == "rooms" and parts[2] == "knocks":
                key = (parse_qs(query).get("roomKey") or [""])[0]
                self._knocks(method, parts, data, key)
                return
            if method == "POST" and parts == ["rate-limit"]:
                count, retry_after = int(data.get("count", 1)), float(data.get("retryAfter", 1))
                fake.rate_limit_next(count, retry_after=retry_after)
            elif method == "POST" and parts == ["fail"]:
                count, status = int(data.get("count", 1)), int(data.get("status", 503))
                fake.fail_next(count, status=status, method=str(data.get("method", "")))
            elif method == "POST" and parts == ["drop"]:
                fake.drop_next(int(data.get("count", 1)))
            elif method == "POST" and parts == ["reset"]:
                fake.reset()
            elif method == "POST" and len(parts) == 4 and parts[::2] == ["rooms", "left"]:
                fake.client_left(parts[1], parts[3])
            elif method == "GET" and parts == ["health"]:
                self._send(200, {}, {"status": "ok"})
                return
            else:
                self._send(404, {}, {"error": "Not found"})
                return
            self._send(204, {}, None)

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        def do_PUT(self) -> None:
            self._dispatch("PUT")

        def do_PATCH(self) -> None:
            self._dispatch("PATCH")

    return Handler
