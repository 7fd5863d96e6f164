"""Whereby webhooks: the signature, checked on the raw body, and the event, parsed into a small
value that carries no personal data (the display name is dropped)."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime


class InvalidSignature(Exception):
    pass


class InvalidEvent(Exception):
    pass


@dataclass(frozen=True)
class VideoEvent:
    id: str
    type: str
    created_at: datetime
    meeting_id: str
    room_name: str
    external_id: str = ""
    role_name: str = ""
    participant_id: str = ""
    num_clients: int | None = None


def signature_verify(
    *, body: bytes, header: str, secret: str, now: float, tolerance_seconds: int
) -> None:
    """`Whereby-Signature: t=<unix seconds>,v1=<hex>` with v1 = HMAC-SHA256(secret, "t." + body).
    Raises InvalidSignature when it is missing, malformed, stale (or from the future) or wrong.
    Compared in constant time; several v1 values are accepted (secret rotation)."""
    if not secret:
        raise InvalidSignature("no webhook secret configured")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        name, _sep, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value.strip())
    if timestamp is None or not candidates:
        raise InvalidSignature("missing or malformed signature")
    if abs(now - timestamp) > tolerance_seconds:
        raise InvalidSignature("stale signature")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    digest = expected.hexdigest()
    if not any(hmac.compare_digest(digest, candidate) for candidate in candidates):
        raise InvalidSignature("signature mismatch")


def _text(value: object, limit: int = 200) -> str:
    return value[:limit] if isinstance(value, str) else ""


def event_parse(body: bytes) -> VideoEvent:
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidEvent("the body is not JSON") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("data"), dict):
        raise InvalidEvent("not a Whereby event")
    data = envelope["data"]
    event_id, event_type = _text(envelope.get("id"), 100), _text(envelope.get("type"), 60)
    meeting_id, room_name = _text(data.get("meetingId"), 64), _text(data.get("roomName"), 200)
    if not (event_id and event_type and meeting_id and room_name):
        raise InvalidEvent("id, type, data.meetingId and data.roomName are required")
    try:
        created = str(envelope.get("createdAt", "")).replace("Z", "+00:00")
        created_at = datetime.fromisoformat(created)
    except ValueError:
        created_at = datetime.now(UTC)
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    num_clients = data.get("numClients")
    return VideoEvent(
        id=event_id,
        type=event_type,
        created_at=created_at,
        meeting_id=meeting_id,
        room_name=room_name,
        external_id=_text(data.get("externalId"), 36),
        role_name=_text(data.get("roleName"), 30),
        participant_id=_text(data.get("participantId"), 64),
        num_clients=num_clients if isinstance(num_clients, int) else None,
    )
