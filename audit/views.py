"""The audit log as people read it: actions and people in words, times in the viewer's time
zone with the zone named. The CSV download keeps the codes (and UTC times) for tools."""

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_csv, audit_events, audit_record
from saas.core.pagination import keyset_page

PAGE_SIZE = 200
TIME_ZONE_SESSION_KEY = "audit_time_zone"
TIME_ZONES = [
    "Europe/Paris",
    "UTC",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Europe/London",
]


def _words(values: Iterable[Any]) -> str:
    return ", ".join(str(value) for value in values)


def _detail(key: str, default: Any = "") -> Callable[[dict[str, Any]], str]:
    """The words for an action whose detail is one value of its details: `details[key]`."""
    return lambda details: str(details.get(key, default))


def _domains(details: dict[str, Any]) -> str:
    parts = [f"+ {d}" for d in details.get("added", [])]
    parts += [f"− {d}" for d in details.get("removed", [])]
    return _words(parts)


def _changes(details: dict[str, Any]) -> str:
    changes = details.get("changes", {})
    return _words(
        f"{FIELD_LABELS().get(field, field)} {old} → {new}" for field, (old, new) in changes.items()
    )


def _fields(details: dict[str, Any]) -> str:
    return _words(FIELD_LABELS().get(field, field) for field in details.get("fields", []))


def FIELD_LABELS() -> dict[str, str]:
    return {
        "allow_email_subdomains": _("sub-domains of the allowed domains"),
        "registration_roles": _("who can register"),
        "primary_color": _("colour"),
        "logo": _("logo"),
        "language": _("language"),
        "matching_mode": _("matching mode"),
        "matching_objective": _("matching objective"),
        "request_expiry_days": _("request expiry"),
        "privacy_intro": _("privacy notice introduction"),
        "ends_on": _("end date"),
        "retention_inactive_warn_months": _("warning of inactive accounts (months)"),
        "retention_inactive_erase_months": _("erasure of inactive accounts (months)"),
        "retention_after_end_months": _("anonymisation after the end (months)"),
        "retention_unverified_days": _("unverified registrations (days)"),
    }


# action code -> sentence (with %(actor)s) and, optionally, the words for its details
Sentence = tuple[str, Callable[[dict[str, Any]], str] | None]


def _catalogue() -> dict[str, Sentence]:
    return {
        "auth.login": (_("%(actor)s logged in"), None),
        "auth.login_failed": (_("A login failed"), None),
        "auth.password_reset": (_("%(actor)s reset their password"), None),
        "auth.password_changed": (_("%(actor)s changed their password"), None),
        "auth.logout_everywhere": (_("%(actor)s logged out everywhere"), None),
        "auth.reauthenticated": (_("%(actor)s confirmed their identity"), None),
        "2fa.enabled": (_("%(actor)s turned two-step verification on"), None),
        "2fa.disabled": (_("%(actor)s turned two-step verification off"), None),
        "2fa.recovery_codes_renewed": (_("%(actor)s made new recovery codes"), None),
        "audit.exported": (_("%(actor)s downloaded the audit log"), None),
        "console.client_created": (
            _("%(actor)s created the organisation %(detail)s"),
            _detail("name"),
        ),
        "console.program_created": (
            _("%(actor)s created the programme %(detail)s"),
            _detail("name"),
        ),
        "console.program_ready": (_("The programme was ready"), None),
        "console.program_failed": (_("The creation of the programme failed"), None),
        "console.program_retried": (_("%(actor)s retried the creation of the programme"), None),
        "console.program_deleted": (
            _("%(actor)s deleted the failed programme %(detail)s"),
            _detail("slug"),
        ),
        "console.program_pause": (_("%(actor)s paused the programme"), None),
        "console.program_resume": (_("%(actor)s resumed the programme"), None),
        "console.program_archive": (
            _("%(actor)s archived the programme: %(detail)s"),
            _detail("reason"),
        ),
        "console.program_restored": (_("%(actor)s restored the archived programme"), None),
        "console.person_exported": (_("%(actor)s exported a person's data"), None),
        "console.person_erased": (_("%(actor)s erased a person everywhere"), None),
        "snapshots.taken": (
            _("Programme statistics were computed (%(detail)s programmes)"),
            _detail("programmes"),
        ),
        "client_admin.invited": (_("%(actor)s invited a client administrator"), None),
        "client_admin.manager_invited": (
            _("%(actor)s invited a programme manager from the client page"),
            None,
        ),
        "client_admin.document_downloaded": (
            _("%(actor)s downloaded a DPO document: %(detail)s"),
            _detail("document"),
        ),
        "client_admin.snapshots_requested": (
            _("%(actor)s asked for fresh programme statistics"),
            None,
        ),
        "programs.domains_changed": (
            _("%(actor)s changed the allowed domains: %(detail)s"),
            _domains,
        ),
        "programs.registration_opened": (_("%(actor)s opened registration"), None),
        "programs.registration_closed": (_("%(actor)s closed registration"), None),
        "programs.two_factor_policy_changed": (
            _("%(actor)s changed the two-step verification policy: %(detail)s"),
            lambda d: f"{d.get('from', '')} → {d.get('to', '')}",
        ),
        "programs.branding_changed": (_("%(actor)s changed the branding: %(detail)s"), _fields),
        "programs.retention_changed": (
            _("%(actor)s changed the retention periods: %(detail)s"),
            _changes,
        ),
        "programs.settings_changed": (_("%(actor)s changed the settings: %(detail)s"), _fields),
        "outcomes.exported": (
            _("%(actor)s downloaded the export of %(detail)s"),
            lambda d: f"{d.get('kind', '')} ({d.get('format', '')}, {d.get('rows', '')})",
        ),
        "outcomes.monthly_report_sent": (
            _("The monthly report of %(detail)s was sent to the managers"),
            _detail("month"),
        ),
        "programs.question_created": (
            _("%(actor)s added the question “%(detail)s”"),
            _detail("key"),
        ),
        "programs.question_changed": (
            _("%(actor)s changed the question “%(detail)s”"),
            _detail("key"),
        ),
        "programs.question_moved": (_("%(actor)s moved the question “%(detail)s”"), _detail("key")),
        "programs.question_archived": (
            _("%(actor)s archived the question “%(detail)s”"),
            _detail("key"),
        ),
        "programs.question_restored": (
            _("%(actor)s restored the question “%(detail)s”"),
            _detail("key"),
        ),
        "matching.run": (
            _("%(actor)s ran the matching: %(detail)s"),
            lambda d: _("%(pairs)s pairs proposed") % {"pairs": d.get("proposed", 0)},
        ),
        "matching.published": (
            _("%(actor)s published the pairs: %(detail)s"),
            lambda d: _("%(pairs)s pairs, both people emailed") % {"pairs": d.get("pairs", 0)},
        ),
        "matching.proposal_added": (_("%(actor)s proposed a pair by hand"), None),
        "matching.proposal_locked": (_("%(actor)s locked a proposed pair"), None),
        "matching.proposal_unlocked": (_("%(actor)s unlocked a proposed pair"), None),
        "matching.proposal_removed": (_("%(actor)s removed a proposed pair"), None),
        "matching.manual_pair_created": (_("%(actor)s paired two people by hand"), None),
        "matching.pair_ended": (_("%(actor)s ended a pair"), None),
        "matching.request_sent": (_("%(actor)s asked a mentor"), None),
        "matching.request_accepted": (_("%(actor)s accepted a mentee's request"), None),
        "matching.request_declined": (_("%(actor)s declined a mentee's request"), None),
        "matching.requests_expired": (
            _("Requests without an answer expired: %(detail)s"),
            _detail("count", 0),
        ),
        # mentoring (issue 13): the manager's actions and the reminder job (never content)
        "mentoring.goal_template_created": (_("%(actor)s offered a goal template"), None),
        "mentoring.goal_template_changed": (_("%(actor)s changed a goal template"), None),
        "mentoring.goal_template_archived": (_("%(actor)s stopped offering a goal template"), None),
        "mentoring.goal_template_restored": (_("%(actor)s offered a goal template again"), None),
        "mentoring.settings_changed": (
            _("%(actor)s changed the follow-up settings: %(detail)s"),
            _changes,
        ),
        "mentoring.nudges_sent": (
            _("Reminders sent to quiet pairs: %(detail)s"),
            _detail("count", 0),
        ),
        "mentoring.pairs_viewed": (_("%(actor)s viewed the follow-up of the pairs"), None),
        "participant.invited": (_("%(actor)s invited a participant"), None),
        "participant.registered": (_("%(actor)s registered"), None),
        "participant.activated": (_("%(actor)s opened their secure space"), None),
        "participant.added": (_("%(actor)s added a participant"), None),
        "participant.deactivated": (_("%(actor)s deactivated a participant"), None),
        "participant.reactivated": (_("%(actor)s reactivated a participant"), None),
        "participant.profile_viewed": (_("%(actor)s viewed a participant's profile"), None),
        "participant.updated": (_("%(actor)s changed a participant's settings"), None),
        "api.key_created": (_("%(actor)s created an API key"), None),
        "api.key_revoked": (_("%(actor)s revoked an API key"), None),
        "api.write": (
            _("An API key wrote: %(detail)s"),
            lambda d: f"{d.get('operation', '')} ({d.get('key', '')})",
        ),
        "api.webhook_created": (_("%(actor)s registered a webhook endpoint"), None),
        "api.webhook_deleted": (_("%(actor)s deleted a webhook endpoint"), None),
        "api.webhook_enabled": (_("%(actor)s enabled a webhook endpoint again"), None),
        "api.webhook_tested": (_("%(actor)s sent a test event to a webhook endpoint"), None),
        "participants.imported": (_("%(actor)s imported participants"), None),
        "meeting.cancelled": (_("%(actor)s cancelled a meeting"), None),
        "meetings.list_viewed": (_("%(actor)s viewed the programme's meetings"), None),
        # tenant_apps.surveys
        "surveys.survey_changed": (
            _("%(actor)s changed a survey: %(detail)s"),
            lambda d: ", ".join(d.get("fields", [])),
        ),
        "surveys.programme_end_sent": (
            _("%(actor)s sent the end-of-programme survey: %(detail)s"),
            lambda d: _("%(count)s people asked") % {"count": d.get("people", 0)},
        ),
        "surveys.programme_end_scheduled": (
            _("%(actor)s scheduled the end-of-programme survey for %(detail)s"),
            _detail("on"),
        ),
        "surveys.settings_changed": (
            _("%(actor)s changed the feedback settings: %(detail)s"),
            _changes,
        ),
        "surveys.announcement_sent": (
            _("%(actor)s sent an announcement: %(detail)s"),
            lambda d: _("%(count)s people") % {"count": d.get("recipients", 0)},
        ),
        "surveys.results_viewed": (_("%(actor)s viewed a survey's named answers"), None),
        "privacy.exported": (_("%(actor)s downloaded their data"), None),
        "privacy.erased": (_("A person's data was erased"), None),
        "privacy.retention_applied": (_("The retention rules were applied"), None),
        "privacy.restore_reconciled": (
            _("The programme was reconciled after a restore from a backup: %(detail)s"),
            lambda d: _("%(count)s people erased again") % {"count": d.get("erased", 0)},
        ),
    }


def _actor_names(events: list[Any]) -> dict[int, str]:
    ids = {event.actor_user_id for event in events if event.actor_user_id}
    # an erased identity (accounts.models.ERASED_EMAIL_DOMAIN: audit sits below accounts) is
    # named like a deleted account, never by its placeholder address
    users = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .exclude(email__endswith="@erased.invalid")
        .only("first_name", "last_name", "email")
    )
    return {user.pk: (user.get_full_name() or user.email) for user in users}


def events_describe(events: list[Any]) -> list[Any]:
    """Give each event `actor_name` and `sentence` (one query for the people)."""
    names = _actor_names(events)
    catalogue = _catalogue()
    for event in events:
        if event.actor_user_id:
            event.actor_name = names.get(event.actor_user_id) or _("a deleted account")
        elif event.actor_label:  # an actor that is not a person (audit.log.AuditActor)
            event.actor_name = event.actor_label
        elif event.actor_role == "system" or not event.actor_role:
            event.actor_name = _("Binôme (automatic)")
        else:
            event.actor_name = event.actor_role
        template, detail = catalogue.get(
            event.action, (_("%(actor)s: action “%(detail)s”"), lambda d: "")
        )
        detail_text = detail(event.details or {}) if detail else ""
        if event.action not in catalogue:
            detail_text = event.action
        sentence = template % {"actor": event.actor_name, "detail": detail_text}
        event.sentence = sentence[:1].upper() + sentence[1:]
    return events


def viewer_time_zone(request: HttpRequest) -> str:
    """The time zone chosen by the viewer (remembered in their session), else the site's."""
    chosen = request.GET.get("tz", "").strip()
    if chosen:
        try:
            ZoneInfo(chosen)
        except (ZoneInfoNotFoundError, ValueError):
            chosen = ""
        else:
            request.session[TIME_ZONE_SESSION_KEY] = chosen
    return (
        chosen or request.session.get(TIME_ZONE_SESSION_KEY) or timezone.get_current_timezone_name()
    )


def audit_log_response(request: HttpRequest, template: str) -> HttpResponse:
    """The audit log, filtered by action prefix and period; `?format=csv` downloads it."""
    action = request.GET.get("action", "").strip()[:60]
    days_asked = request.GET.get("days", "30")
    days = int(days_asked) if days_asked.isdigit() and 0 < int(days_asked) <= 400 else 30
    events = audit_events(action=action, since=timezone.now() - timedelta(days=days))
    if request.GET.get("format") == "csv":
        audit_record(action="audit.exported", details={"filter": action, "days": days})
        response = HttpResponse(audit_csv(events), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="journal-audit.csv"'
        return response
    time_zone = viewer_time_zone(request)
    listing = keyset_page(request, events, per_page=PAGE_SIZE)
    return render(
        request,
        template,
        {
            "events": events_describe(listing.rows),
            "listing": listing,
            "action": action,
            "days": days,
            "page_size": PAGE_SIZE,
            "time_zone": time_zone,
            "time_zones": TIME_ZONES if time_zone in TIME_ZONES else [time_zone, *TIME_ZONES],
        },
    )
