"""What a participant's browser must reach, for the client's IT (the "network requirements"
page and the DPO pack), generated from the settings: the platform's own domain and wildcard,
and — when video is on — the destinations Whereby documents for its embedded rooms.

Whereby's rows restate Whereby's own documentation ("Firewall & Security", docs.whereby.com,
read in 2026) and nothing more: outbound connections only, TCP 443 for the pages, signalling
(secure WebSockets) and TURN over TLS, UDP 443 for TURN, optionally UDP 1024–65535 for direct
media, no static IP range. When Whereby changes its list, change it here.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

WHEREBY_DOCUMENTATION = (
    "https://docs.whereby.com/whereby-101/faq-and-troubleshooting/firewall-and-security"
)
WHEREBY_SIGNALLING = (
    "*.sfu.whereby.com",
    "*.sfu.svc.whereby.com",
    "*.srv.whereby.com",
    "*.svc.whereby.com",
    "*.appearin.net",
)
WHEREBY_TURN = ("*.turn.whereby.com", "*.turn.svc.whereby.com")
WHEREBY_OTHER = (
    "*.posthog.com",
    "*.sentry.io",
    "*.helpscout.net",
    "*.amazonaws.net",
    "*.cloudfront.net",
)


@dataclass(frozen=True)
class Destination:
    purpose: str | Promise
    hosts: tuple[str, ...]
    port: str  # "443/TCP"
    need: str | Promise  # required / recommended / optional


def platform_port() -> str:
    if settings.SITE_PORT:
        return f"{settings.SITE_PORT}/TCP"
    return "443/TCP" if settings.SITE_SCHEME == "https" else "80/TCP"


def video_is_whereby() -> bool:
    return bool(getattr(settings, "WHEREBY_API_KEY", ""))


def network_requirements() -> list[Destination]:
    base = settings.BASE_DOMAIN
    rows = [
        Destination(
            purpose=_("The platform: pages, sign-in, the programmes' sites"),
            hosts=(base, f"*.{base}"),
            port=platform_port(),
            need=_("required"),
        )
    ]
    if not video_is_whereby():
        return rows
    required, recommended, optional = _("required"), _("recommended"), _("optional")
    rows += [
        Destination(
            purpose=_("Video: the Whereby room shown inside the meeting page"),
            hosts=("*.whereby.com",),
            port="443/TCP",
            need=required,
        ),
        Destination(
            purpose=_("Video: signalling (secure WebSockets, wss)"),
            hosts=WHEREBY_SIGNALLING,
            port="443/TCP",
            need=required,
        ),
        Destination(
            purpose=_("Video: TURN relay over TLS"),
            hosts=WHEREBY_TURN,
            port="443/TCP",
            need=required,
        ),
        Destination(
            purpose=_("Video: TURN relay over UDP (better sound and picture)"),
            hosts=WHEREBY_TURN,
            port="443/UDP",
            need=recommended,
        ),
        Destination(
            purpose=_("Video: direct media to Whereby's servers (best quality)"),
            hosts=(str(_("Whereby's media servers (no fixed address range)")),),
            port="1024-65535/UDP",
            need=optional,
        ),
        Destination(
            purpose=_(
                "Video: other services that Whereby's room page loads (avatars, support, "
                "Whereby's own statistics and error reports)"
            ),
            hosts=WHEREBY_OTHER,
            port="443/TCP",
            need=recommended,
        ),
    ]
    return rows


def network_notes() -> list[str | Promise]:
    notes: list[str | Promise] = [
        _(
            "Connections are outbound only, from the browser: nothing needs to be opened "
            "inbound, no port forwarding, nothing to install."
        ),
        _(
            "A network that lets browsers reach the web over HTTPS (TCP 443) needs no change; "
            "a network that filters by domain name must allow the destinations above."
        ),
    ]
    if video_is_whereby():
        notes += [
            _(
                "Whereby has no fixed range of IP addresses; firewalls that filter UDP by IP "
                "address cannot allow its media by domain name, and video then falls back to "
                "the TURN relay over TCP 443."
            ),
            _(
                "Proxies that inspect HTTPS must let WebSocket connections through to the "
                "signalling domains."
            ),
        ]
    return notes
