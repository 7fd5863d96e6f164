from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from saas.core.audit_views import audit_log_response
from saas.core.decorators import public_view
from shared_apps.accounts.http import AuthenticatedHttpRequest
from tenant_apps.participants.views import manager_required


@manager_required
@never_cache
def manage_audit_log(request: HttpRequest) -> HttpResponse:
    return audit_log_response(request, "audit_log.html")


@never_cache
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Right of access: everything about me in this programme, readable or as JSON."""
    import json

    from django.shortcuts import render

    from saas.core.audit import audit_record
    from tenant_apps.privacy.export import participant_export, participant_export_readable

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
    from django.shortcuts import redirect, render
    from django.utils.translation import gettext as _

    from tenant_apps.privacy.erasure import participant_erase

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
    from django.shortcuts import render

    return render(request, "privacy/erased.html")


erased = public_view(erased)


@manager_required
@never_cache
def manage_register(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import render

    from tenant_apps.privacy.register import register_build, register_markdown

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
    from django.shortcuts import render

    from tenant_apps.privacy.retention import retention_plan
    from tenant_apps.programs.selectors import program_settings

    return render(
        request,
        "privacy/retention.html",
        {"plan": retention_plan(), "config": program_settings()},
    )
