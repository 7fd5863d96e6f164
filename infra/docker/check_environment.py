"""Deploy-time check of the connection URLs a pod received (first step of the migration Job).

    python infra/docker/check_environment.py      # exit 0 = usable, 1 = not (reasons on stderr)

Standard library only, and it does not load Django: a DATABASE_URL that Django cannot parse
must be reported as such, not as a traceback from the settings. It catches the failure that
Secret Manager invites: `scaleway_secret_version.data` is stored base64-encoded in the
Terraform state, so a Secret built from it hands the pods `cG9zdGdyZXM6Ly8...` instead of
`postgres://...`. The check names the variable and says when the value decodes from base64
to a URL, without ever printing the value.
"""

import base64
import binascii
import os
import sys
from urllib.parse import urlsplit

DATABASE_SCHEMES = frozenset({"postgres", "postgresql", "pgsql"})
REDIS_SCHEMES = frozenset({"redis", "rediss"})
BROKER_SCHEMES = REDIS_SCHEMES | {"amqp", "amqps"}

# (variable, accepted schemes, required)
CHECKED: tuple[tuple[str, frozenset[str], bool], ...] = (
    ("DATABASE_URL", DATABASE_SCHEMES, True),
    ("REDIS_URL", REDIS_SCHEMES, False),
    ("CELERY_BROKER_URL", BROKER_SCHEMES, False),
)


def _url_problem(value: str, schemes: frozenset[str]) -> str | None:
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError on a non-numeric port
    except ValueError as error:
        return f"does not parse as a URL ({error})"
    if parts.scheme not in schemes:
        shown = parts.scheme or "no scheme"
        return f"has {shown!r} where {'/'.join(sorted(schemes))}:// is expected"
    if not parts.hostname:
        return "names no host"
    if port == 0:
        return "has port 0"
    if schemes is DATABASE_SCHEMES and not parts.path.strip("/"):
        return "names no database"
    return None


def _decodes_to_url(value: str, schemes: frozenset[str]) -> bool:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    return _url_problem(decoded, schemes) is None


def problems(environ: dict[str, str]) -> list[str]:
    found = []
    for name, schemes, required in CHECKED:
        value = environ.get(name, "")
        if not value:
            if required:
                found.append(f"{name} is not set")
            continue
        problem = _url_problem(value, schemes)
        if problem is None:
            continue
        message = f"{name} {problem}"
        if _decodes_to_url(value, schemes):
            message += (
                "; it is base64-encoded (a Secret built from `scaleway_secret_version.data`?)"
            )
        found.append(message)
    return found


def main() -> int:
    found = problems(dict(os.environ))
    for line in found:
        print(f"environment: {line}", file=sys.stderr)
    if found:
        return 1
    print("environment: connection URLs parse.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
