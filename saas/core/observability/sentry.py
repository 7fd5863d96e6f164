"""Sentry, on only when SENTRY_DSN is set (saas/settings/sentry.py calls `sentry_init`).

What is sent is decided here, not in Sentry's project settings: no personal data by default
(`send_default_pii=False`), no local variables, no request bodies, and `before_send` /
`before_breadcrumb` / `before_send_transaction` scrub what is left — messages, exception
values, URLs, query strings, headers, extras, breadcrumbs and spans (see `scrubbing`). Each
event is tagged with the programme's schema, the release and the request id, which is also
in the JSON logs.

Where the events go is the deployment's choice, `ERROR_TRACKING` (see `error_tracking_mode`):
`glitchtip` — GlitchTip, open source, speaks the Sentry protocol, self-hosted in our own
cluster with its own database (infra/terraform/modules/glitchtip), the default of production:
nothing leaves France; `sentry` — Sentry SaaS (EU region expected; startup warns otherwise),
listed with its US metadata; `none`. The register (saas.core.subprocessors) reads the mode.
"""

import logging
import warnings
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.transport import Transport

from saas.core.observability import context

if TYPE_CHECKING:
    from sentry_sdk._types import Event, Hint
from saas.core.observability.paths import redact_paths_in_text
from saas.core.observability.scrubbing import (
    FILTERED,
    format_safely,
    is_sensitive_key,
    safe_params,
    scrub_data,
    scrub_query,
    scrub_text,
    scrub_url,
)

logger = logging.getLogger(__name__)

EU_INGEST_DOMAIN = "de.sentry.io"  # Sentry's EU region (Frankfurt): o<org>.ingest.de.sentry.io
USER_MODEL = "accounts.User"  # settings.AUTH_USER_MODEL (not readable while settings load)
# Contexts filled by the SDK itself (ids, runtime, OS): kept as they are.
_SDK_CONTEXTS = frozenset({"trace", "runtime", "os", "device", "app", "otel", "response"})


GLITCHTIP = "glitchtip"
SENTRY = "sentry"
NONE = "none"
ERROR_TRACKING_MODES = (GLITCHTIP, SENTRY, NONE)
SENTRY_SAAS_DOMAIN = "sentry.io"
CLUSTER_DOMAIN = ".svc.cluster.local"  # a Kubernetes service of our own cluster


def dsn_host(dsn: str) -> str:
    return (urlsplit(dsn).hostname or "").lower()


def dsn_is_sentry_saas(dsn: str) -> bool:
    host = dsn_host(dsn)
    return host == SENTRY_SAAS_DOMAIN or host.endswith("." + SENTRY_SAAS_DOMAIN)


def dsn_is_self_hosted(dsn: str, *, base_domain: str) -> bool:
    """A DSN that names our own cluster (a Kubernetes service) or our own domain."""
    host = dsn_host(dsn)
    base = base_domain.lower()
    return bool(host) and (
        host.endswith(CLUSTER_DOMAIN) or host == base or host.endswith("." + base)
    )


def error_tracking_mode(*, dsn: str, declared: str, base_domain: str) -> str:
    """Where error reports go: `glitchtip`, `sentry`, `none` — or `other` for a DSN that is
    neither Sentry's nor ours (listed as undocumented, outside the EU, until described).

    `declared` is the `ERROR_TRACKING` setting; empty means "derive it from the DSN". No DSN
    is always none (nothing is sent, whatever is declared); a `*.sentry.io` host → sentry, a
    host of our own cluster or domain → glitchtip.
    A declaration that the DSN contradicts is refused (ValueError): the register must not say
    "self-hosted" while events go to Sentry's servers.
    """
    declared = (declared or "").strip().lower()
    if declared and declared not in ERROR_TRACKING_MODES:
        raise ValueError(
            f"ERROR_TRACKING={declared!r}: expected one of {', '.join(ERROR_TRACKING_MODES)}"
        )
    if not dsn:
        return NONE  # declared but no DSN yet (GlitchTip's first deploy): nothing is sent
    if declared == NONE:
        raise ValueError("ERROR_TRACKING=none but SENTRY_DSN is set")
    if dsn_is_sentry_saas(dsn):
        if declared == GLITCHTIP:
            raise ValueError("ERROR_TRACKING=glitchtip but SENTRY_DSN points at sentry.io")
        return SENTRY
    if declared == SENTRY:
        raise ValueError("ERROR_TRACKING=sentry but SENTRY_DSN does not point at sentry.io")
    if declared == GLITCHTIP or dsn_is_self_hosted(dsn, base_domain=base_domain):
        return GLITCHTIP
    return "other"


def dsn_is_eu(dsn: str) -> bool:
    host = (urlsplit(dsn).hostname or "").lower()
    return host == EU_INGEST_DOMAIN or host.endswith("." + EU_INGEST_DOMAIN)


def sentry_init(
    *,
    dsn: str,
    environment: str = "production",
    release: str = "",
    traces_sample_rate: float = 0.0,
    transport: Transport | None = None,
) -> bool:
    """Start Sentry when `dsn` is set; returns whether it was started. `transport` is for
    tests (a transport that keeps envelopes instead of sending them)."""
    if not dsn:
        return False
    if dsn_is_sentry_saas(dsn) and not dsn_is_eu(dsn):
        logger.warning(
            "SENTRY_DSN does not point at Sentry's EU ingest (*.ingest.%s): error reports "
            "may be stored outside the EU. Use the DSN of an EU-region organisation.",
            EU_INGEST_DOMAIN,
        )
    options: dict[str, Any] = {"transport": transport} if transport is not None else {}
    with warnings.catch_warnings():
        # sentry-sdk 2.75 prefers `data_collection`; `send_default_pii=False` still means "no
        # personal data by default" and is understood by every 2.x release.
        warnings.filterwarnings("ignore", "The send_default_pii option", DeprecationWarning)
        sentry_sdk.init(
            dsn=dsn,
            environment=environment,
            release=release or None,
            traces_sample_rate=traces_sample_rate,
            integrations=[DjangoIntegration(), CeleryIntegration()],
            send_default_pii=False,
            include_local_variables=False,
            max_request_body_size="never",
            before_send=before_send,
            before_breadcrumb=before_breadcrumb,
            before_send_transaction=before_send_transaction,
            **options,
        )
    # Every person loaded while a request or task runs is remembered, so that their name can
    # be removed from an error message (no pattern recognises a name).
    from django.db.models.signals import post_init

    post_init.connect(
        context.user_loaded, sender=USER_MODEL, dispatch_uid="binome-observability-user-loaded"
    )
    return True


# --- Scrubbing an event ------------------------------------------------------------------------


def _drop_frame_variables(container: Any) -> None:
    for value in (container or {}).get("values", []) or []:
        for frame in (value.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)


def _scrub_request(request: dict[str, Any], known: frozenset[str]) -> None:
    if isinstance(request.get("url"), str):
        request["url"] = scrub_url(redact_paths_in_text(request["url"]))
    if isinstance(request.get("query_string"), str):
        request["query_string"] = scrub_query(request["query_string"])
    elif request.get("query_string"):
        request["query_string"] = FILTERED
    for key in ("data", "cookies", "fragment"):
        request.pop(key, None)
    env = request.get("env")
    if isinstance(env, dict):
        request["env"] = {k: v for k, v in env.items() if k in {"SERVER_NAME", "SERVER_PORT"}}
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {
            name: (
                FILTERED
                if is_sensitive_key(name)
                else scrub_text(value, known)
                if isinstance(value, str)
                else value
            )
            for name, value in headers.items()
        }


def _scrub_breadcrumb(crumb: dict[str, Any], known: frozenset[str], record: Any = None) -> None:
    if record is not None and isinstance(getattr(record, "msg", None), str):
        crumb["message"] = scrub_text(format_safely(record.msg, record.args), known)
    elif isinstance(crumb.get("message"), str):
        crumb["message"] = scrub_text(redact_paths_in_text(crumb["message"]), known)
    data = crumb.get("data")
    if isinstance(data, dict):
        data = scrub_data(data, known)
        if data.get("http.query"):
            data["http.query"] = scrub_query(str(data["http.query"]))
        if data.get("http.fragment"):
            data["http.fragment"] = FILTERED
        crumb["data"] = data


def _scrub_event(event: dict[str, Any]) -> dict[str, Any]:
    known, overflowed = context.personal_values()

    if isinstance(event.get("message"), str):
        event["message"] = FILTERED if overflowed else scrub_text(event["message"], known)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        template = str(logentry.get("message") or "")
        params = logentry.get("params")
        logentry["message"] = scrub_text(template, known)
        logentry["formatted"] = scrub_text(format_safely(template, params), known)
        logentry["params"] = safe_params(params) if params else params

    for value in (event.get("exception") or {}).get("values", []) or []:
        if isinstance(value.get("value"), str):
            value["value"] = FILTERED if overflowed else scrub_text(value["value"], known)
    _drop_frame_variables(event.get("exception"))
    _drop_frame_variables(event.get("threads"))

    if isinstance(event.get("request"), dict):
        _scrub_request(event["request"], known)
    if event.get("extra"):
        event["extra"] = scrub_data(event["extra"], known)
    contexts = event.get("contexts")
    if isinstance(contexts, dict):
        event["contexts"] = {
            name: value if name in _SDK_CONTEXTS else scrub_data(value, known)
            for name, value in contexts.items()
        }
    if isinstance(event.get("user"), dict):
        event["user"] = {k: v for k, v in event["user"].items() if k == "id"}
    if isinstance(event.get("transaction"), str):
        event["transaction"] = scrub_text(redact_paths_in_text(event["transaction"]), known)

    breadcrumbs = event.get("breadcrumbs")
    crumbs = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    for crumb in crumbs or []:
        if isinstance(crumb, dict):
            _scrub_breadcrumb(crumb, known)
    for span in event.get("spans") or []:
        if isinstance(span.get("description"), str):
            span["description"] = scrub_text(span["description"], known)
        if isinstance(span.get("data"), dict):
            span["data"] = scrub_data(span["data"], known)

    tags = event.get("tags")
    if not isinstance(tags, dict):
        tags = event["tags"] = {}
    if programme := context.programme_schema():
        tags["programme"] = programme
    if event.get("release"):
        tags["release"] = event["release"]
    if request_id := context.current().request_id:
        tags["request_id"] = request_id
    return event


# sentry-sdk types an event as a TypedDict; the scrubber walks it as the plain dict it is.
def before_send(event: "Event", hint: "Hint") -> "Event | None":
    return cast("Event | None", _scrub_event(cast(dict[str, Any], event)))


def before_send_transaction(event: "Event", hint: "Hint") -> "Event | None":
    return cast("Event | None", _scrub_event(cast(dict[str, Any], event)))


def before_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any] | None) -> dict[str, Any]:
    known, _overflowed = context.personal_values()
    _scrub_breadcrumb(crumb, known, record=(hint or {}).get("log_record"))
    return crumb
