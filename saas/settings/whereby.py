"""Whereby Embedded (video rooms of the meetings): the real API when WHEREBY_API_KEY is set;
otherwise our fake (tests.fakes.whereby), which `python3 dev.py run`, the tests and
docker compose start. See shared/contracts/whereby.md and docs/architecture.md § Meetings."""

import environ

env = environ.Env()

WHEREBY_API_KEY = env("WHEREBY_API_KEY", default="")
# The key the client sends when there is none: only our fake accepts it.
WHEREBY_FAKE_API_KEY = "local-fake-key"
WHEREBY_BASE_URL = (
    env("WHEREBY_BASE_URL", default="")
    or env("WHEREBY_API_URL", default="")  # the contract's name for the same thing
    or ("https://api.whereby.dev/v1" if WHEREBY_API_KEY else "http://127.0.0.1:8090/v1")
)
# Webhooks are refused while this is empty (the fake signs with the same value locally).
WHEREBY_WEBHOOK_SECRET = env("WHEREBY_WEBHOOK_SECRET", default="")
WHEREBY_WEBHOOK_TOLERANCE_SECONDS = 300  # older (or later) signatures are refused
# The ids of handled webhook events (de-duplication) are deleted after this many days: far
# beyond the tolerance above, so a replay of a deleted event is refused by its signature.
WHEREBY_WEBHOOK_EVENT_RETENTION_DAYS = env.int("WHEREBY_WEBHOOK_EVENT_RETENTION_DAYS", default=30)
WHEREBY_TIMEOUT_SECONDS = env.float("WHEREBY_TIMEOUT_SECONDS", default=10.0)
WHEREBY_RETRY_ATTEMPTS = 4
WHEREBY_RETRY_BACKOFF_SECONDS = 0.5
WHEREBY_RETRY_AFTER_MAX_SECONDS = 30  # a longer Retry-After makes the task retry later
# Webhook events, once verified and de-duplicated by tenant_apps.video, are handed to this
# function (meetings → video: video never imports meetings).
WHEREBY_EVENT_HANDLER = "tenant_apps.meetings.services.outcome.meeting_video_event_handle"
