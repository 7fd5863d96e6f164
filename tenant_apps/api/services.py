"""Writes of the API app: keys, webhook endpoints and their deliveries, the API's own updates.

Participants, pairs and meetings are changed through their own apps' services (invite,
deactivate, manual pair, end), so their audit rows and emails stay what they are."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_exempt, audit_record, audit_unchanged, audited
from saas.core.errors import ValidationFailed
from shared_apps.accounts.services import user_name_set
from tenant_apps.api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from tenant_apps.api.network import address_refusal, pinned
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_deactivate, participant_reactivate

KEY_PREFIX = "bnm"
LAST_USED_EVERY = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- API keys ------------------------------------------------------------------------------------


@transaction.atomic
@audited
def api_key_create(
    *,
    name: str,
    scope: str,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key; the clear value is returned once and never stored (SHA-256 of its 256-bit
    secret, found by its public prefix)."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the key a name.")]
    if scope not in ApiKey.Scope.values:
        errors["scope"] = [_("Choose read or read and write.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry date must be in the future.")]
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name.strip()[:100],
        prefix=prefix,
        secret_hash=_hash(secret),
        scope=scope,
        expires_at=expires_at,
    )
    audit_record(action="api.key_created", target=key, details={"scope": scope})
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


@transaction.atomic
@audited
def api_key_revoke(*, key: ApiKey) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(action="api.key_revoked", target=key)
    else:
        audit_unchanged()
    return key


@audit_exempt("a read that only refreshes the key's last-used time, at most once a minute")
def api_key_authenticate(*, raw: str) -> ApiKey | None:
    """The usable key `raw` names in this programme, or None (unknown, wrong secret, revoked,
    expired). The comparison runs in constant time."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    key = ApiKey.objects.filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(parts[2])):
        return None
    if not key.is_usable:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


@transaction.atomic
@audited
def api_key_write_record(*, key: ApiKey, method: str, operation: str) -> None:
    """Every use of a write scope leaves a row: which key, which operation."""
    audit_record(
        action="api.write",
        target=key,
        details={"key": key.prefix, "method": method, "operation": operation},
    )


@transaction.atomic
@audited
def participant_settings_update(
    *, participant: Participant, capacity: int | None = None, is_available: bool | None = None
) -> Participant:
    """The API's update of a participant: a mentor's capacity and the availability."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    fields: list[str] = []
    if capacity is not None:
        if participant.role != Participant.Role.MENTOR:
            message = _("Only a mentor has a capacity.")
            raise ValidationFailed(message, fields={"capacity": [message]})
        if not 1 <= capacity <= 10:
            message = _("A mentor takes from 1 to 10 mentees.")
            raise ValidationFailed(message, fields={"capacity": [message]})
        participant.capacity = capacity
        fields.append("capacity")
    if is_available is not None:
        participant.is_available = is_available
        fields.append("is_available")
    if not fields:
        audit_unchanged()
        return participant
    participant.save(update_fields=fields)
    audit_record(action="participant.updated", target=participant, details={"fields": fields})
    return participant


# --- Webhooks -----------------------------------------------------------------------------------


@transaction.atomic
@audited
def webhook_endpoint_create(*, url: str, events: list[str]) -> WebhookEndpoint:
    errors: dict[str, list[str]] = {}
    refusal = address_refusal(url)
    if refusal:
        errors["url"] = [refusal]
    unknown = [event for event in events if event not in WebhookEndpoint.Event.values]
    if not events or unknown:
        errors["events"] = [_("Choose at least one event.")]
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    endpoint = WebhookEndpoint.objects.create(
        url=url, events=sorted(set(events)), secret=secrets.token_hex(32)
    )
    audit_record(action="api.webhook_created", target=endpoint, details={"events": events})
    return endpoint


@transaction.atomic
@audited
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    audit_record(action="api.webhook_deleted", target=endpoint)
    endpoint.delete()


@transaction.atomic
@audited
def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.is_active = True
    endpoint.disabled_at = None
    endpoint.consecutive_failures = 0
    endpoint.save(update_fields=["is_active", "disabled_at", "consecutive_failures"])
    audit_record(action="api.webhook_enabled", target=endpoint)
    return endpoint


def _queue(deliveries: list[WebhookDelivery]) -> None:
    from saas.core.tasks import enqueue_on_commit
    from tenant_apps.api.tasks import webhook_deliver_task

    for delivery in deliveries:
        enqueue_on_commit(webhook_deliver_task, delivery_id=delivery.pk)


@audit_exempt("queues the delivery of an event whose action its own service audited")
@transaction.atomic
def webhook_event_emit(*, event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery per active endpoint that chose `event`, sent by Celery after commit.
    `data` holds ids and codes only."""
    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        if event in endpoint.events:
            deliveries.append(
                WebhookDelivery.objects.create(
                    endpoint=endpoint, event=event, payload={"event": event, "data": data}
                )
            )
    _queue(deliveries)
    return deliveries


@transaction.atomic
@audited
def webhook_test_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """The "send a test event" button: a `ping` to this endpoint, whatever it subscribed to."""
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="ping", payload={"event": "ping", "data": {}}
    )
    audit_record(action="api.webhook_tested", target=endpoint)
    _queue([delivery])
    return delivery


@audit_exempt("pure: computes a signature")
def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>` — Whereby's scheme."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@audit_exempt("delivery of an event already recorded; writes the delivery log only")
def webhook_attempt_result(
    *, delivery: WebhookDelivery, ok: bool, response_status: int | None, error: str
) -> bool:
    """Record one attempt. Returns whether another attempt should follow (the task retries).
    After WEBHOOK_DISABLE_AFTER failed deliveries in a row the endpoint is disabled."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        delivery.attempts += 1
        delivery.response_status = response_status
        delivery.error = error[:200]
        if ok:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
            endpoint.consecutive_failures = 0
            endpoint.save(update_fields=["consecutive_failures"])
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            endpoint.consecutive_failures += 1
            if endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER:
                endpoint.is_active = False
                endpoint.disabled_at = timezone.now()
            endpoint.save(update_fields=["consecutive_failures", "is_active", "disabled_at"])
        delivery.save(
            update_fields=["attempts", "response_status", "error", "status", "delivered_at"]
        )
    return not ok and delivery.status == WebhookDelivery.Status.PENDING


@audit_exempt("delivery of an event already recorded; writes the delivery log only")
def webhook_deliver(*, delivery_id: int) -> bool:
    """One attempt, outside any transaction (no lock held while the client answers). The
    address is checked again first: a name that now resolves to a private address gets
    nothing. Returns whether to try again later."""
    import json
    import time

    import httpx

    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return False
    endpoint = delivery.endpoint
    if not endpoint.is_active and delivery.event != "ping":
        return False
    refusal, connect_url, host_header, server_name = pinned(endpoint.url)
    if refusal:
        return webhook_attempt_result(
            delivery=delivery, ok=False, response_status=None, error="address refused"
        )
    body = json.dumps(
        {
            "id": str(delivery.event_id),
            "event": delivery.event,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload.get("data", {}),
        },
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Binome-Webhooks/1",
        "Host": host_header,
        "Binome-Event": delivery.event,
        "Binome-Delivery": str(delivery.event_id),
        "Binome-Signature": signature_header(
            secret=endpoint.secret, body=body, timestamp=int(time.time())
        ),
    }
    try:
        with httpx.Client(timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as client:
            request = client.build_request(
                "POST",
                connect_url,
                content=body,
                headers=headers,
                extensions={"sni_hostname": server_name},
            )
            response = client.send(request, follow_redirects=False)
    except httpx.HTTPError as exc:
        return webhook_attempt_result(
            delivery=delivery, ok=False, response_status=None, error=type(exc).__name__
        )
    ok = 200 <= response.status_code < 300
    return webhook_attempt_result(
        delivery=delivery,
        ok=ok,
        response_status=response.status_code,
        error="" if ok else f"HTTP {response.status_code}",
    )


@transaction.atomic
@audited
def participant_directory_update(
    *,
    participant: Participant,
    first_name: str | None = None,
    last_name: str | None = None,
    is_active: bool | None = None,
) -> Participant:
    """What an identity provider changes through SCIM: the name, and access (active false
    deactivates through the participants service; true reactivates)."""
    participant = Participant.objects.select_related("user").get(pk=participant.pk)
    changed = False
    if first_name is not None or last_name is not None:
        user_name_set(user=participant.user, first_name=first_name, last_name=last_name)
        audit_record(action="participant.updated", target=participant, details={"fields": ["name"]})
        changed = True
    if is_active is False and participant.status != Participant.Status.DEACTIVATED:
        participant = participant_deactivate(participant=participant)
        changed = True
    elif is_active is True and participant.status == Participant.Status.DEACTIVATED:
        participant_reactivate(participant=participant)
        changed = True
    if not changed:
        audit_unchanged()
    return Participant.objects.select_related("user").get(pk=participant.pk)
