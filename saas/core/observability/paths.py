"""Sign-in tokens never reach a log line.

Invitation, registration and password-reset links carry their token in the URL path
(`/acces/<token>/`), and every log line that names a path would keep it: gunicorn's access
log, the closing line of each request, Django's "Not Found: /acces/…" and runserver's lines.
Which paths carry a secret is read from the two URLconfs, not from a hand list: a path
parameter whose name says it is a secret (`token`, `key`, `signature`…) is one. Such a
parameter's value is logged as `[Filtered]`.

- `redact_path(path)`: a request's path, resolved exactly as Django resolves it;
- `redact_resolved(path, match)`: the same when the request was already resolved;
- `redact_paths_in_text(text)`: every secret-bearing path inside a log message.

The walk in saas/tests/test_log_redaction.py fails on a path parameter that is neither an
integer, nor reviewed as public (`PUBLIC_PARAMETERS`), nor a secret.
"""

import functools
import re
from collections.abc import Iterator
from typing import Any

from saas.core.observability.scrubbing import FILTERED, scrub_text

# A path parameter is secret when its name contains one of these.
SECRET_PARAMETER_PARTS = ("token", "secret", "signature", "signed", "key", "uidb64", "code")
# Path parameters reviewed as naming nothing secret (besides integers, which never are).
# (`kind` and `file_format`: the manager's exports, a fixed vocabulary — participants.csv …)
PUBLIC_PARAMETERS = frozenset({"name", "action", "answer", "kind", "file_format"})

_PARAMETER_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_SEGMENT = r"[^/\s?#\"'<>]+"


def is_secret_parameter(name: str) -> bool:
    return any(part in name.lower() for part in SECRET_PARAMETER_PARTS)


def _urlconfs() -> tuple[str, ...]:
    from django.conf import settings

    return tuple(dict.fromkeys((settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF)))


def routes(urlconf: str) -> Iterator[str]:
    """Every route of `urlconf`, includes expanded (`compte/double-authentification/`)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    yield from walk(get_resolver(urlconf).url_patterns, "")


def secret_routes() -> list[str]:
    """The routes of both URL worlds that carry a secret in their path."""
    return [
        route
        for urlconf in _urlconfs()
        for route in routes(urlconf)
        if any(is_secret_parameter(m.group("name")) for m in _PARAMETER_RE.finditer(route))
    ]


def _route_regex(route: str) -> str:
    """A route as a regular expression over text: secret parameters become a named group."""
    parts, position, index = [], 0, 0
    for match in _PARAMETER_RE.finditer(route):
        parts.append(re.escape(route[position : match.start()]))
        if is_secret_parameter(match.group("name")):
            parts.append(f"(?P<secret{index}>{_SEGMENT})")
            index += 1
        else:
            parts.append(_SEGMENT)
        position = match.end()
    tail = route[position:]
    # Without its final slash too: Django's redirect to the slashed URL logs the bare one.
    parts.append(re.escape(tail[:-1]) + "/?" if tail.endswith("/") else re.escape(tail))
    return "/" + "".join(parts)


@functools.cache
def _secret_paths_re() -> re.Pattern[str] | None:
    alternatives = [f"(?:{_route_regex(route)})" for route in secret_routes()]
    if not alternatives:
        return None
    # One alternative per route; group names must be unique across alternatives.
    numbered = []
    for number, alternative in enumerate(alternatives):
        numbered.append(re.sub(r"\(\?P<secret(\d+)>", rf"(?P<s{number}_\1>", alternative))
    return re.compile(rf"(?:{'|'.join(numbered)})(?=[?#\s\"'<>),;\]]|$)")


def _replace_secrets(match: re.Match[str]) -> str:
    text, start = match.group(0), match.start()
    spans = sorted(
        (match.span(name) for name, value in match.groupdict().items() if value is not None),
        reverse=True,
    )
    for begin, end in spans:
        text = text[: begin - start] + FILTERED + text[end - start :]
    return text


def redact_paths_in_text(text: str) -> str:
    """`text` with the secret of every secret-bearing path replaced by [Filtered]. Falls back
    on the generic token patterns when the URLconfs cannot be read (Django not set up)."""
    if not text or "/" not in text:
        return text
    try:
        pattern = _secret_paths_re()
    except Exception:  # settings not configured, URLconf not importable: patterns only
        return scrub_text(text)
    return pattern.sub(_replace_secrets, text) if pattern is not None else text


def _redact_values(path: str, values: list[str]) -> str:
    for value in values:
        if value:
            path = re.sub(rf"(?<=/){re.escape(value)}(?=/|$)", FILTERED, path)
    return path


def redact_resolved(path: str, match: Any) -> str:
    """`path` of a request Django resolved to `match` (a ResolverMatch), secrets filtered."""
    values = [str(v) for k, v in (match.kwargs or {}).items() if is_secret_parameter(k)]
    return _redact_values(path, values)


def redact_path(path: str) -> str:
    """A request's path with its secret segments replaced by [Filtered]: resolved against
    both URLconfs as Django would; a path that resolves nowhere (`/acces/<token>` before the
    redirect that adds its slash) is matched against every secret route as text."""
    if not path:
        return path
    try:
        from django.urls import Resolver404, get_resolver

        resolved, values = False, []
        for urlconf in _urlconfs():
            try:
                match = get_resolver(urlconf).resolve(path)
            except Resolver404:
                continue
            resolved = True
            values += [str(v) for k, v in match.kwargs.items() if is_secret_parameter(k)]
    except Exception:  # Django not set up (gunicorn before the application loaded)
        return scrub_text(path)
    return _redact_values(path, values) if resolved else redact_paths_in_text(path)
