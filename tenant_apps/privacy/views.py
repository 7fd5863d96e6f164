from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from saas.core.audit_views import audit_log_response
from tenant_apps.participants.views import manager_required


@manager_required
@never_cache
def manage_audit_log(request: HttpRequest) -> HttpResponse:
    return audit_log_response(request, "audit_log.html")


@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    """Right of access: everything about me in this programme, readable or as JSON."""
    import json

    from django.shortcuts import render

    from saas.core.audit import audit_record
    from tenant_apps.privacy.export import participant_export

    participant = request.user.participant
    export = participant_export(participant=participant)
    if request.GET.get("format") == "json":
        audit_record(action="privacy.exported", target=participant, details={"format": "json"})
        response = HttpResponse(
            json.dumps(export, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
        return response
    audit_record(action="privacy.exported", target=participant, details={"format": "html"})
    return render(request, "privacy/my_data.html", {"export": export})
