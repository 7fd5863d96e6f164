"""The isolation walk: every URL pattern of a URLconf, requested by visitors who must be
refused. Reads the patterns from the resolver, so a new URL is covered without editing a list.
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

SAMPLES = {
    "int": "1",
    "slug": "sample",
    "str": "sample",
    "path": "sample/path",
    "uuid": str(uuid.UUID(int=1)),
}
CONVERTER_RE = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
REFUSALS = {302, 401, 403, 404, 405, 410}


@dataclass(frozen=True)
class Endpoint:
    route: str
    url: str
    view: object
    name: str | None

    @property
    def is_public(self) -> bool:
        return bool(getattr(self.view, "is_public", False))

    @property
    def is_client_admin_view(self) -> bool:
        """A client administrator's own page (shared_apps.console.client_views)."""
        return bool(getattr(self.view, "client_admin_view", False))


def _sample_url(route: str) -> str:
    def replace(match: re.Match[str]) -> str:
        converter = match.group("conv") or "str"
        if converter not in SAMPLES:
            raise AssertionError(f"no sample value for converter {converter!r} in {route!r}")
        return SAMPLES[converter]

    return "/" + CONVERTER_RE.sub(replace, route)


def endpoints(urlconf: str) -> Iterator[Endpoint]:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[Endpoint]:
        for pattern in patterns:
            if not isinstance(pattern.pattern, RoutePattern):
                raise AssertionError(
                    f"{pattern!r}: use path() (route patterns) so the isolation walk can build "
                    "a URL for it"
                )
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield Endpoint(route, _sample_url(route), pattern.callback, pattern.name)

    yield from walk(get_resolver(urlconf).url_patterns, "")


def refusal_problems(client: Client, endpoint: Endpoint, *, who: str) -> list[str]:
    """What is wrong with the answers `client` gets on `endpoint` (empty when refused)."""
    problems = []
    client.raise_request_exception = False  # a 500 is a finding, not a crash of the walk
    for method in ("get", "post"):
        response = getattr(client, method)(endpoint.url)
        status = response.status_code
        if endpoint.is_public:
            if status >= 500:
                problems.append(f"{method.upper()} {endpoint.url} ({who}): {status}")
            continue
        if status not in REFUSALS:
            problems.append(f"{method.upper()} {endpoint.url} ({who}): {status}, not refused")
        elif status == 302 and "/connexion/" not in response["Location"]:
            problems.append(
                f"{method.upper()} {endpoint.url} ({who}): redirect to {response['Location']}, "
                "not to login"
            )
    return problems


def client_admin_problems(
    client: Client, endpoint: Endpoint, *, who: str, forbidden: list[str]
) -> list[str]:
    """A client administrator's answers: their own pages must not fail nor show any of
    `forbidden` (other organisations' programmes, participants' addresses); every other
    protected page must refuse them."""
    own = endpoint.is_client_admin_view or getattr(endpoint.view, "__module__", "").startswith(
        "shared_apps.accounts."
    )  # their pages, and their own account's
    if not own:
        return refusal_problems(client, endpoint, who=who)
    problems = []
    client.raise_request_exception = False
    for method in ("get", "post"):
        response = getattr(client, method)(endpoint.url)
        if response.status_code >= 500:
            problems.append(f"{method.upper()} {endpoint.url} ({who}): {response.status_code}")
            continue
        body = response.content.decode(errors="replace")
        problems += [
            f"{method.upper()} {endpoint.url} ({who}): shows {text!r}"
            for text in forbidden
            if text in body
        ]
    return problems
