"""Subprocessors and where they keep data: the one place that the processing register
(RGPD Art. 30, DESIGN §5) and the legal pages read.

The list is worked out from the settings of the running deployment — error tracking follows
ERROR_TRACKING (GlitchTip self-hosted on Scaleway by default, Sentry SaaS as an option),
Scaleway's e-mail only when e-mail goes through Scaleway TEM, and so on — so what we publish
cannot drift from what is deployed. A provider that the settings point at but that is not
described here (an SMTP relay, an error tracker that is neither ours nor Sentry's) is still
listed, marked as outside the EU until someone documents it.

Each row also names the provider's group and, when that group is outside the EU, the foreign
law it is exposed to (a US group's EU subsidiary is reachable by the CLOUD Act): a transfer
statement that hides it would be false by omission.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from saas.core.observability.sentry import (
    GLITCHTIP,
    NONE,
    SENTRY,
    dsn_host,
    dsn_is_eu,
    error_tracking_mode,
)

DEFAULT_SCALEWAY_REGION = "fr-par"  # infra/terraform/environments/production: var.region
SCALEWAY_REGIONS: dict[str, Promise] = {
    "fr-par": _("France (Paris, region fr-par)"),
    "nl-ams": _("Netherlands (Amsterdam, region nl-ams)"),
    "pl-waw": _("Poland (Warsaw, region pl-waw)"),
}
TEM_BACKEND = "anymail.backends.scaleway.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
LOCAL_MAIL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "mailpit"})
NO_TRANSFER = _("None: the data stays in the EU (GDPR applies directly)")
SCALEWAY_GROUP = _("iliad group (France)")
US_GROUP_EXPOSURE = _(
    "a company of a US group: US laws with extraterritorial reach (CLOUD Act, FISA section "
    "702) may compel it to disclose data, wherever the data is stored"
)


@dataclass(frozen=True)
class Subprocessor:
    name: str  # the legal entity
    service: str | Promise  # what it does for the platform
    data: str | Promise  # which data it handles
    location: str | Promise  # where that data is stored and processed
    transfer_basis: str | Promise  # RGPD chapter V basis for any transfer outside the EU
    is_eu_only: bool  # every bit of the data stays in the EU / EEA
    group: str | Promise = ""  # who owns the provider (and its infrastructure), and where
    exposure: str | Promise = ""  # foreign law that can reach the data despite its location


def scaleway_region() -> str:
    anymail = getattr(settings, "ANYMAIL", {}) or {}
    return (
        getattr(settings, "SCALEWAY_REGION", "")
        or anymail.get("SCALEWAY_REGION")
        or DEFAULT_SCALEWAY_REGION
    )


def _scaleway_location() -> str | Promise:
    region = scaleway_region()
    return SCALEWAY_REGIONS.get(region, region)


def _scaleway(service: str | Promise, data: str | Promise) -> Subprocessor:
    region_is_known = scaleway_region() in SCALEWAY_REGIONS
    return Subprocessor(
        name="Scaleway SAS",
        service=service,
        data=data,
        location=_scaleway_location(),
        transfer_basis=NO_TRANSFER if region_is_known else _("To be documented"),
        is_eu_only=region_is_known,
        group=SCALEWAY_GROUP,
    )


def _uses_object_storage() -> bool:
    storage = settings.STORAGES.get("default", {})
    return "s3" in storage.get("BACKEND", "").lower()


def _email() -> Subprocessor | None:
    if settings.EMAIL_BACKEND == TEM_BACKEND:
        return _scaleway(
            _("Transactional e-mail (Scaleway TEM)"),
            _("Recipients' e-mail addresses and the content of the platform's e-mails"),
        )
    host = getattr(settings, "EMAIL_HOST", "")
    if settings.EMAIL_BACKEND == SMTP_BACKEND and host and host not in LOCAL_MAIL_HOSTS:
        return Subprocessor(
            name=host,
            service=_("E-mail delivery (SMTP relay)"),
            data=_("Recipients' e-mail addresses and the content of the platform's e-mails"),
            location=_("Not documented: describe this provider in saas/core/subprocessors.py"),
            transfer_basis=_("To be documented"),
            is_eu_only=False,
        )
    return None


def _error_tracking() -> Subprocessor | None:
    dsn = settings.SENTRY_DSN
    mode = error_tracking_mode(
        dsn=dsn,
        declared=getattr(settings, "ERROR_TRACKING", ""),
        base_domain=settings.BASE_DOMAIN,
    )
    data = _(
        "Technical error reports, scrubbed of names, e-mail addresses, tokens, signed "
        "links and video room addresses; no request bodies, no cookies"
    )
    if mode == NONE:
        return None
    if mode == GLITCHTIP:
        return _scaleway(
            _(
                "Error monitoring: GlitchTip (open source), self-hosted in the platform's own "
                "cluster with its own database"
            ),
            data,
        )
    if mode == SENTRY:
        location: str | Promise
        if dsn_is_eu(dsn):
            location = _(
                "EU (Germany, Frankfurt) for error reports; some account and organisation "
                "metadata is stored in the United States"
            )
        else:
            location = _("United States (the DSN %(host)s is not Sentry's EU region)") % {
                "host": dsn_host(dsn) or "?"
            }
        return Subprocessor(
            name="Functional Software, Inc. (Sentry)",
            service=_("Error monitoring (Sentry SaaS)"),
            data=data,
            location=location,
            transfer_basis=_(
                "Standard contractual clauses (Sentry's data processing addendum) and the "
                "EU-US Data Privacy Framework"
            ),
            is_eu_only=False,
            group=_("Functional Software, Inc. (United States)"),
            exposure=US_GROUP_EXPOSURE,
        )
    return Subprocessor(
        name=dsn_host(dsn) or "?",
        service=_("Error monitoring"),
        data=data,
        location=_("Not documented: describe this provider in saas/core/subprocessors.py"),
        transfer_basis=_("To be documented"),
        is_eu_only=False,
    )


def _whereby() -> Subprocessor | None:
    if not getattr(settings, "WHEREBY_API_KEY", ""):
        return None
    return Subprocessor(
        name="Whereby AS",
        service=_("Video meetings"),
        data=_(
            "Meeting rooms, participants' display names and connection data; audio, video "
            "and chat are not stored (cloud recording is never enabled)"
        ),
        location=_(
            "EEA: the service is hosted on Amazon Web Services in Ireland (EU); Whereby AS "
            "is established in Norway (EEA, the GDPR applies there)"
        ),
        transfer_basis=_("None: the data stays in the EEA (GDPR applies directly)"),
        is_eu_only=True,
        group=_(
            "Whereby AS (Norway); its hosting provider Amazon Web Services belongs to "
            "Amazon.com, Inc. (United States)"
        ),
        exposure=_("Amazon Web Services (hosting of the video service) is %(exposure)s")
        % {"exposure": US_GROUP_EXPOSURE},
    )


def every_location_in_eea(rows: list[Subprocessor]) -> bool:
    """True only when every subprocessor keeps every bit of the data in the EU / EEA: the one
    condition under which "no transfer outside the EU/EEA" may be written."""
    return all(row.is_eu_only for row in rows)


def subprocessors() -> list[Subprocessor]:
    """The subprocessors of this deployment, in the order the register lists them."""
    rows = [
        _scaleway(
            _("Hosting: application containers, load balancer, secrets"),
            _("All the platform's data, while it is processed"),
        ),
        _scaleway(
            _("Database: managed PostgreSQL and Redis, with their backups"),
            _("All the platform's data"),
        ),
    ]
    if _uses_object_storage():
        rows.append(
            _scaleway(
                _("File storage (Object Storage)"),
                _("Uploaded files and exports"),
            )
        )
    optional = (_email(), _whereby(), _error_tracking())
    rows += [row for row in optional if row is not None]
    return rows
