"""The Whereby webhook, on the public host: Whereby sends every event of the platform to one
URL. The programme is found from the room name's prefix, then the event is handled in its
schema."""

import logging
import time

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from saas.core.decorators import public_view
from tenant_apps.video.selectors import program_for_room
from tenant_apps.video.services import webhook_event_receive
from tenant_apps.video.webhooks import (
    InvalidEvent,
    InvalidSignature,
    event_parse,
    signature_verify,
)

logger = logging.getLogger(__name__)


@public_view
@csrf_exempt
@require_POST
def whereby_webhook(request: HttpRequest) -> JsonResponse:
    body = request.body  # the raw bytes: re-serialised JSON would not match the signature
    try:
        signature_verify(
            body=body,
            header=request.headers.get("Whereby-Signature", ""),
            secret=settings.WHEREBY_WEBHOOK_SECRET,
            now=time.time(),
            tolerance_seconds=settings.WHEREBY_WEBHOOK_TOLERANCE_SECONDS,
        )
    except InvalidSignature as exc:
        logger.warning("Whereby webhook refused: %s", str(exc))
        return JsonResponse({"error": "invalid signature"}, status=401)
    try:
        event = event_parse(body)
    except InvalidEvent:
        return JsonResponse({"error": "invalid event"}, status=400)
    program = program_for_room(room_name=event.room_name)
    if program is None:
        # Acknowledged (a 2xx stops Whereby's retries) and ignored: the room is not one of a
        # ready programme (gone, closed, the public schema, or not ours at all).
        logger.info("Whereby event %s for no ready programme: ignored", event.type)
        return JsonResponse({"status": "ignored"})
    with tenant_context(program):
        is_new = webhook_event_receive(event=event)
    return JsonResponse({"status": "ok" if is_new else "duplicate"})
