"""Where a webhook may be sent: a public HTTPS host, checked when it is registered and again
before every delivery (DNS may change in between), on every address the name resolves to.

Tests receive on 127.0.0.1: only the explicit test setting WEBHOOK_ALLOW_LOOPBACK_FOR_TESTS
lets loopback through (and plain http to it); it exists in saas/settings/test.py only."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _test_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK_FOR_TESTS", False)) and (
        address.is_loopback
    )


def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def address_refusal(url: str) -> str:
    """Why `url` may not receive webhooks ("" when it may)."""
    refusal, _addresses = _check(url)
    return refusal


def pinned(url: str) -> tuple[str, str, str, str]:
    """(refusal, url to connect to, Host header, TLS server name): the address checked is the
    address connected to, so a name that resolves elsewhere between the check and the
    connection (DNS rebinding) cannot reach a private host."""
    refusal, addresses = _check(url)
    if refusal:
        return refusal, "", "", ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = f"{host}:{parts.port}" if parts.port else host
    return "", parts._replace(netloc=netloc).geturl(), host_header, host


def _check(url: str) -> tuple[str, list[ipaddress.IPv4Address | ipaddress.IPv6Address]]:
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        return _("Enter a valid address."), []
    host = parts.hostname or ""
    if not host or parts.username or parts.password:
        return _("Enter a valid address."), []
    try:
        addresses = resolve(host, port)
    except (socket.gaierror, UnicodeError, ValueError):
        return _("This address does not resolve to a host."), []
    if not addresses:
        return _("This address does not resolve to a host."), []
    if all(_test_loopback(address) for address in addresses):
        scheme_ok = parts.scheme in ("http", "https")
        return ("" if scheme_ok else _("The address must use HTTPS.")), addresses
    if parts.scheme != "https":
        return _("The address must use HTTPS."), []
    if not all(_is_public(address) for address in addresses):
        refusal = _("The address must be a public host (no private, loopback or local address).")
        return refusal, []
    return "", addresses
