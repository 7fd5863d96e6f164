from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from saas.core.audit import audit_csv, audit_events, audit_record

PAGE_SIZE = 200


def audit_log_response(request: HttpRequest, template: str) -> HttpResponse:
    """The audit log, filtered by action prefix and period; `?format=csv` downloads it."""
    action = request.GET.get("action", "").strip()[:60]
    days = request.GET.get("days", "30")
    days = int(days) if days.isdigit() and 0 < int(days) <= 400 else 30
    events = audit_events(action=action, since=timezone.now() - timezone.timedelta(days=days))
    if request.GET.get("format") == "csv":
        audit_record(action="audit.exported", details={"filter": action, "days": days})
        response = HttpResponse(audit_csv(events), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="journal-audit.csv"'
        return response
    return render(
        request,
        template,
        {"events": events[:PAGE_SIZE], "action": action, "days": days, "page_size": PAGE_SIZE},
    )
