from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from saas.core.audit_views import audit_log_response
from tenant_apps.participants.views import manager_required


@manager_required
@never_cache
def manage_audit_log(request: HttpRequest) -> HttpResponse:
    return audit_log_response(request, "audit_log.html")
