"""Remove personal data and secrets from text and structures before they leave the process
(Sentry events and breadcrumbs, JSON log lines).

Pure functions, no Django: they are used from the settings (Sentry is initialised there) and
from logging handlers. Three layers:

- keys: a value stored under a personal or secret key (`email`, `first_name`, `token`,
  `room_url`, `password`…) is replaced whatever it looks like;
- patterns: e-mail addresses, URLs (video rooms entirely; query string values, user info and
  token-looking path segments otherwise), Django signed values, random tokens and hashes,
  PostgreSQL's `Key (column)=(value)` details;
- known values: names and addresses of the people loaded while the request or task ran
  (`saas.core.observability.context`), which no pattern can recognise.
"""

import functools
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

FILTERED = "[Filtered]"
VIDEO_ROOM = "[Filtered video room]"

# Hosts whose URLs are video rooms: the URL is the key to the room (DESIGN §4). Whereby's, and
# our local fake's (tests.fakes.whereby serves its rooms on *.whereby.localhost).
VIDEO_HOST_SUFFIXES = ("whereby.com", "whereby.localhost")

# Keys (lower-cased, without "_", "-" and ".") whose value is personal or secret.
_SENSITIVE_KEY_PARTS = (
    "email",
    "mail",
    "firstname",
    "lastname",
    "fullname",
    "displayname",
    "username",
    "givenname",
    "familyname",
    "surname",
    "prenom",
    "phone",
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "signature",
    "cookie",
    "sessionid",
    "csrf",
    "authorization",
    "roomurl",
    "roomkey",
    "roomname",
    "linkurl",
    "signedurl",
    "otp",
)
# Exact keys only: "name" alone is too often a task's or a programme's name to filter.
_SENSITIVE_KEYS_EXACT = frozenset({"sig", "link", "ip", "ipaddress", "remoteaddr"})

# Any scheme: postgres://, amqp://, rediss:// URLs lose their user info too.
_URL_RE = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s\"'<>`]+", re.IGNORECASE)
# The domain ends with a name, not a number: "guest:**@127.0.0.1" is not an address.
_EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}\b")
# A random token: 20+ base64url characters mixing upper case, lower case and digits
# (secrets.token_urlsafe, signatures), or 32+ hex digits (hashes, uuid4().hex).
_TOKEN = (
    r"(?:(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[0-9])"
    r"[A-Za-z0-9_-]{20,}|[0-9a-fA-F]{32,})"
)
_TOKEN_RE = re.compile(rf"(?<![\w-]){_TOKEN}(?![\w-])")
# django.core.signing: value:timestamp:signature or value:signature.
_SIGNED_RE = re.compile(rf"(?<![\w-])[\w-]+(?::[\w-]+)?:{_TOKEN}(?![\w-])")
_PG_DETAIL_RE = re.compile(r"(Key \([^)]*\))=\((?:[^()]|\([^()]*\))*\)")
_URL_TRAILING = ".,;:!?)]}"
# A Whereby room name on its own (the URL's path: with the subdomain, it opens the room). Ours
# all start with "binome--" (tenant_apps.video.services.room_name_prefix).
_VIDEO_ROOM_NAME_RE = re.compile(r"/?(?<![\w-])binome--[a-z0-9-]+", re.IGNORECASE)


def is_sensitive_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    normalised = re.sub(r"[\s_.\-]", "", key.lower())
    return normalised in _SENSITIVE_KEYS_EXACT or any(
        part in normalised for part in _SENSITIVE_KEY_PARTS
    )


def is_video_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == suffix or host.endswith("." + suffix) for suffix in VIDEO_HOST_SUFFIXES)


def _scrub_path(path: str) -> str:
    path = _EMAIL_RE.sub(FILTERED, path)
    path = _SIGNED_RE.sub(FILTERED, path)
    return _TOKEN_RE.sub(FILTERED, path)


def scrub_query(query: str) -> str:
    """Keep the parameter names, never their values."""
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    if not pairs:
        return FILTERED
    return urlencode([(_scrub_path(name), FILTERED) for name, _value in pairs], safe="[]")


def scrub_url(url: str) -> str:
    """A URL without what identifies a person or opens a door: a video room URL is dropped
    whole; otherwise user info, query values, fragment and token-looking segments go."""
    trailing = ""
    while url and url[-1] in _URL_TRAILING:
        trailing = url[-1] + trailing
        url = url[:-1]
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return FILTERED + trailing
    if is_video_host(host):
        return VIDEO_ROOM + trailing
    netloc = host + (f":{port}" if port else "")
    scrubbed = urlunsplit(
        (parts.scheme, netloc, _scrub_path(parts.path), scrub_query(parts.query), "")
    )
    return scrubbed + trailing


@functools.lru_cache(maxsize=64)
def _known_values_re(values: frozenset[str]) -> re.Pattern[str] | None:
    words = sorted({v.strip() for v in values if v and len(v.strip()) >= 2}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def scrub_text(text: str, known: Iterable[str] = ()) -> str:
    """`text` without personal data or secrets: see the module docstring."""
    if not text:
        return text
    text = _URL_RE.sub(lambda match: scrub_url(match.group(0)), text)
    text = _VIDEO_ROOM_NAME_RE.sub(VIDEO_ROOM, text)
    text = _PG_DETAIL_RE.sub(rf"\1=({FILTERED})", text)
    text = _EMAIL_RE.sub(FILTERED, text)
    text = _SIGNED_RE.sub(FILTERED, text)
    text = _TOKEN_RE.sub(FILTERED, text)
    if known and (pattern := _known_values_re(frozenset(known))) is not None:
        text = pattern.sub(FILTERED, text)
    return text


def scrub_data(value: Any, known: Iterable[str] = (), *, depth: int = 0) -> Any:
    """A copy of a JSON-like structure with sensitive keys filtered and every string scrubbed."""
    known = known if isinstance(known, frozenset) else frozenset(known)
    if depth > 20:
        return FILTERED
    if isinstance(value, str):
        return scrub_text(value, known)
    if isinstance(value, dict):
        return {
            key: (
                FILTERED
                if is_sensitive_key(key) and item not in (None, "", [], {})
                else scrub_data(item, known, depth=depth + 1)
            )
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(scrub_data(item, known, depth=depth + 1) for item in value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return scrub_text(repr(value), known)


def safe_params(params: Any) -> Any:
    """Parameters of a log message: numbers and booleans stay (ids, counts), anything else is
    filtered, since a string parameter is where names and addresses come in."""
    if isinstance(params, dict):
        return {key: safe_params(item) for key, item in params.items()}
    if isinstance(params, (list, tuple)):
        return tuple(safe_params(item) for item in params)
    if params is None or isinstance(params, (bool, int, float)):
        return params
    return FILTERED


def format_safely(template: str, params: Any) -> str:
    """`template % params` with `safe_params`; the template alone if it does not format."""
    if params in (None, (), [], {}):
        return template
    try:
        formatted: str = template % safe_params(params)
        return formatted
    except (TypeError, ValueError, KeyError):
        return template
