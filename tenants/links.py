"""Absolute links to a programme's pages, built the same way in a request, an eager task run
inside the console's request, a worker or a shell.

`reverse()` uses the URLconf of the current thread: inside a console request that is the public
site's, which has none of the programme's routes. Links are therefore reversed against the
programme URLconf explicitly, and scheme, host and port come from the settings, never from the
request being served.
"""

from collections.abc import Sequence
from typing import Any

from django.urls import reverse

from tenants.models import Program

PROGRAM_URLCONF = "saas.urls_tenants"


def program_path(
    name: str, *, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None
) -> str:
    """The path of the programme-site route `name`, whatever URLconf is active."""
    return reverse(name, urlconf=PROGRAM_URLCONF, args=list(args) or None, kwargs=kwargs)


def program_url(
    program: Program,
    name: str,
    kwargs: dict[str, Any] | None = None,
    *,
    args: Sequence[Any] = (),
) -> str:
    """`https://<slug>.<BASE_DOMAIN>[:SITE_PORT]/<route>` for the route `name` of `program`."""
    return program.url(program_path(name, args=args, kwargs=kwargs))
