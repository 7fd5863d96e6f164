from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.views import audit_log_response
from saas.core.decorators import manager_required, public_view
from saas.core.forms import service_called
from saas.core.pagination import page_of
from shared_apps.accounts.http import AuthenticatedHttpRequest
from tenant_apps.participants.models import Participant
from tenant_apps.privacy.register import register_build
from tenant_apps.privacy.services.erasure import participant_erase

# --- the programme's legal pages (public) --------------------------------------------------------


@public_view
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice, generated from the processing register (and the manager's intro)."""
    return render(request, "privacy/privacy.html", {"register": register_build()})


@public_view
def subprocessors_page(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/subprocessors.html", {"register": register_build()})


@public_view
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/legal.html", {"register": register_build()})


# --- the manager's erasure of a participant ------------------------------------------------------


@manager_required
@require_POST
def manage_participant_erase(
    request: AuthenticatedHttpRequest, participant_id: int
) -> HttpResponse:
    """Erase a participant of the programme, confirmed with a typed word (the participants
    page's "Erase" button)."""
    participant = get_object_or_404(Participant.objects.select_related("user"), pk=participant_id)
    if participant.pk == request.user.participant.pk:
        messages.error(request, _("You cannot change your own access."))
        return redirect("manage-participants")
    if request.POST.get("confirm", "").strip().upper() not in {"EFFACER", "ERASE"}:
        messages.error(request, _("Type the word EFFACER to confirm."))
    else:
        service_called(
            request,
            lambda: participant_erase(participant=participant, by=request.user.participant),
            _("Done."),
        )
    return redirect("manage-participants")


# --- the person's own data and the manager's privacy pages ---------------------------------------


@manager_required
@never_cache
def manage_audit_log(request: HttpRequest) -> HttpResponse:
    return audit_log_response(request, "audit_log.html")


@never_cache
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Right of access: everything about me in this programme, readable or as JSON."""
    import json

    from audit.log import audit_record
    from tenant_apps.privacy.services.export import participant_export, participant_export_readable

    participant = request.user.participant
    if request.GET.get("format") == "json":
        audit_record(action="privacy.exported", target=participant, details={"format": "json"})
        export = participant_export(participant=participant)
        response = HttpResponse(
            json.dumps(export, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
        return response
    # Recorded first: the journal on the page shows this consultation too.
    audit_record(action="privacy.exported", target=participant, details={"format": "html"})
    sections = participant_export_readable(participant=participant)
    return render(request, "privacy/my_data.html", {"sections": sections})


@never_cache
def erase_me(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Right to erasure, by the person: confirmed with their password and a typed word."""
    from django.contrib.auth import logout

    participant = request.user.participant
    error = ""
    if request.method == "POST":
        confirmed = request.POST.get("confirm", "").strip().upper() in {"EFFACER", "ERASE"}
        if not request.user.check_password(request.POST.get("password", "")):
            error = _("Wrong password.")
        elif not confirmed:
            error = _("Type the word EFFACER to confirm.")
        else:
            participant_erase(participant=participant, by=participant)
            logout(request)
            return redirect("erased")
    return render(request, "privacy/erase_me.html", {"error": error})


def erased(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/erased.html")


erased = public_view(erased)


@manager_required
@never_cache
def manage_register(request: HttpRequest) -> HttpResponse:
    from tenant_apps.privacy.register import register_markdown

    register = register_build()
    if request.GET.get("format") == "md":
        response = HttpResponse(
            register_markdown(register), content_type="text/markdown; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="registre-des-traitements.md"'
        return response
    return render(request, "privacy/register.html", {"register": register})


@manager_required
@never_cache
def manage_retention(request: HttpRequest) -> HttpResponse:
    """Dry run: what the daily retention job would do today. Changes nothing."""
    from tenant_apps.privacy.services.retention import retention_plan
    from tenant_apps.programs.selectors import program_settings

    plan = retention_plan()
    concerned = [(p, _("warned")) for p in plan.to_warn] + [(p, _("erased")) for p in plan.to_erase]
    listing = page_of(request, concerned)  # the plan counts everyone; the names a page
    return render(
        request,
        "privacy/retention.html",
        {"plan": plan, "config": program_settings(), "concerned": listing.rows, "listing": listing},
    )
