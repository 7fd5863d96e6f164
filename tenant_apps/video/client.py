"""The Whereby Embedded REST client (shared/contracts/whereby.md), on httpx.

- Timeouts on every call; network errors and 5xx answers are retried with exponential backoff;
  a 429 waits for its `Retry-After` (when longer than `max_wait`, `WherebyRateLimited` carries
  it so that the Celery task retries later instead of holding a worker).
- Creating a room is not idempotent at Whereby, so `meeting_create` is made so here: the caller
  gives a room-name prefix unique to what the room is for, and whenever an attempt may have
  created a room without us learning it (a timeout after sending, a 5xx), the rooms are listed
  and one with that prefix is adopted instead of creating a second. Whereby names a room
  `/<prefix lower-cased><generated id>`, glued with no separator: a prefix must end with its
  own terminator (`-`), and a room is ours only when its name is exactly our prefix followed by
  a generated id (a UUID), so that `…m1s1-` never takes `…m1s10-…` for its room.
- Rooms are created locked by default (`isLocked`): guests knock, the host URL admits them.
- Room URLs are keys to the rooms: no exception message, log line or repr here contains one.
"""

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from django.conf import settings

# What a non-idempotent call's `recover` finds when the call happened after all.
Recovered = TypeVar("Recovered")

_GENERATED_ID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _check_prefix(room_name_prefix: str) -> str:
    """The prefix as Whereby stores it (lower-cased, no leading "/"), which must end with its
    terminator: Whereby glues the generated id right after it."""
    prefix = room_name_prefix.removeprefix("/").lower()
    if not prefix.endswith("-"):
        raise ValueError("a room name prefix must end with its terminator '-'")
    return prefix


def room_name_matches(*, room_name: str, room_name_prefix: str) -> bool:
    """Whether `room_name` is exactly `room_name_prefix` followed by a generated id."""
    prefix = _check_prefix(room_name_prefix)
    name = room_name.removeprefix("/").lower()
    return name.startswith(prefix) and bool(_GENERATED_ID_RE.fullmatch(name[len(prefix) :]))


class WherebyError(Exception):
    """Whereby did not do what we asked."""


class WherebyUnavailable(WherebyError):
    """Network error, timeout or 5xx after the retries: worth trying again later."""


class WherebyRateLimited(WherebyUnavailable):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Whereby rate limit: retry after {retry_after:.0f} s")
        self.retry_after = retry_after


class WherebyRefused(WherebyError):
    """A 4xx answer: the request is wrong (or the key is), retrying will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Whereby refused the request ({status}): {message[:200]}")
        self.status = status


@dataclass(frozen=True, repr=False)
class Room:
    meeting_id: str
    room_name: str
    room_url: str
    host_room_url: str
    end_date: datetime

    def __repr__(self) -> str:  # never the URLs
        return f"Room(meeting_id={self.meeting_id!r})"


def _parse_date(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _room(data: dict[str, Any]) -> Room:
    try:
        return Room(
            meeting_id=str(data["meetingId"]),
            room_name=str(data.get("roomName", "")),
            room_url=str(data["roomUrl"]),
            host_room_url=str(data.get("hostRoomUrl", "")),
            end_date=_parse_date(str(data["endDate"])),
        )
    except (KeyError, TypeError, ValueError):
        raise WherebyError("Whereby answered with an unexpected body") from None


def retry_after_seconds(value: str | None, *, default: float) -> float:
    """`Retry-After` in seconds (a number of seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


class WherebyClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.5,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "WherebyClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the endpoints ----------------------------------------------------------------------

    def meeting_create(
        self,
        *,
        end_date: datetime,
        room_name_prefix: str,
        room_mode: str = "normal",
        is_locked: bool = True,
        fields: tuple[str, ...] = ("hostRoomUrl",),
        adopt_existing: bool = False,
    ) -> Room:
        """A room with `room_name_prefix` (unique per use, ending with its terminator: see the
        module docstring), locked unless asked otherwise. With `adopt_existing` (an earlier
        attempt may have created it), look for it first."""
        _check_prefix(room_name_prefix)
        if adopt_existing and (room := self.meeting_find(room_name_prefix=room_name_prefix)):
            return room
        body = {
            "endDate": end_date.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "roomMode": room_mode,
            "isLocked": is_locked,
            "roomNamePrefix": room_name_prefix,
            "fields": list(fields),
        }
        answer = self._send(
            "POST",
            "meetings",
            json=body,
            recover=lambda: self.meeting_find(room_name_prefix=room_name_prefix),
        )
        if isinstance(answer, Room):
            return answer
        if answer.status_code != 201:
            raise self._refused(answer)
        return _room(answer.json())

    def meeting_get(
        self, *, meeting_id: str, fields: tuple[str, ...] = ("hostRoomUrl",)
    ) -> Room | None:
        answer = self._send(
            "GET", f"meetings/{meeting_id}", params={"fields": ",".join(fields)} if fields else None
        )
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise self._refused(answer)
        return _room(answer.json())

    def meeting_delete(self, *, meeting_id: str) -> None:
        """Idempotent: a room already deleted (204) or unknown (404) is fine."""
        answer = self._send("DELETE", f"meetings/{meeting_id}")
        if answer.status_code not in (204, 404):
            raise self._refused(answer)

    def meetings_list(self, *, limit: int = 100) -> Iterator[dict[str, Any]]:
        cursor = ""
        while True:
            params = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
            answer = self._send("GET", "meetings", params=params)
            if answer.status_code != 200:
                raise self._refused(answer)
            data = answer.json()
            yield from data.get("results", [])
            cursor = data.get("cursor") or ""
            if not cursor:
                return

    def meeting_find(self, *, room_name_prefix: str) -> Room | None:
        """The live room named `room_name_prefix` + a generated id, with its host URL."""
        _check_prefix(room_name_prefix)
        for item in self.meetings_list():
            name = str(item.get("roomName") or urlsplit(str(item.get("roomUrl", ""))).path)
            if room_name_matches(room_name=name, room_name_prefix=room_name_prefix):
                return self.meeting_get(meeting_id=str(item["meetingId"]))
        return None

    # --- transport --------------------------------------------------------------------------

    def _refused(self, answer: httpx.Response) -> WherebyRefused:
        try:
            message = str(answer.json().get("error", ""))
        except ValueError:
            message = ""
        return WherebyRefused(answer.status_code, message)

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        recover: Callable[[], Recovered | None] | None = None,
    ) -> httpx.Response | Recovered:
        """One call with retries. `recover` (for a call that is not idempotent) is asked, after
        an attempt whose effect is unknown, whether it happened anyway."""
        for attempt in range(1, self.attempts + 1):
            is_last = attempt == self.attempts
            is_ambiguous = False
            try:
                answer = self._http.request(method, path, json=json, params=params)
            except httpx.TransportError as exc:
                # A connection that never opened sent nothing; anything later may have.
                is_ambiguous = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                if is_last:
                    message = f"Whereby unreachable ({type(exc).__name__})"
                    raise WherebyUnavailable(message) from None
                wait = self.backoff * 2 ** (attempt - 1)
            else:
                if answer.status_code == 429:
                    wait = retry_after_seconds(
                        answer.headers.get("Retry-After"), default=self.backoff * 2**attempt
                    )
                    if is_last or wait > self.max_wait:
                        raise WherebyRateLimited(wait)
                elif answer.status_code >= 500:
                    is_ambiguous = True
                    if is_last:
                        raise WherebyUnavailable(f"Whereby answered {answer.status_code}")
                    wait = self.backoff * 2 ** (attempt - 1)
                else:
                    return answer
            self.sleep(wait)
            if is_ambiguous and recover is not None and (found := recover()) is not None:
                return found
        raise AssertionError("unreachable")  # pragma: no cover


def whereby_client(**overrides: Any) -> WherebyClient:
    """The client configured by the settings (saas/settings/whereby.py): the real API with
    WHEREBY_API_KEY, our fake otherwise."""
    options: dict[str, Any] = {
        "base_url": settings.WHEREBY_BASE_URL,
        "api_key": settings.WHEREBY_API_KEY or settings.WHEREBY_FAKE_API_KEY,
        "timeout": settings.WHEREBY_TIMEOUT_SECONDS,
        "attempts": settings.WHEREBY_RETRY_ATTEMPTS,
        "backoff": settings.WHEREBY_RETRY_BACKOFF_SECONDS,
        "max_wait": settings.WHEREBY_RETRY_AFTER_MAX_SECONDS,
    }
    return WherebyClient(**(options | overrides))
