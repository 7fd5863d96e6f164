"""The super-admin's view of every programme's processing register (project layer: it enters
programme schemas, which the shared console app must not import)."""

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django_tenants.utils import tenant_context

from saas.core.decorators import staff_required
from tenants.models import Program


def _programs() -> list[Program]:
    return list(
        Program.objects.exclude(schema_name="public")
        .filter(status__in=[Program.Status.READY, Program.Status.PAUSED, Program.Status.ARCHIVED])
        .select_related("client")
        .order_by("client__name", "name")
    )


@staff_required
@never_cache
def registers(request: HttpRequest) -> HttpResponse:
    return render(request, "console/registers.html", {"programs": _programs()})


@staff_required
@never_cache
def register_download(request: HttpRequest, program_id: int) -> HttpResponse:
    from tenant_apps.privacy.register import register_build, register_markdown

    program = next((p for p in _programs() if p.pk == program_id), None)
    if program is None:
        raise Http404
    with tenant_context(program):
        text = register_markdown(register_build())
    connection.set_schema_to_public()
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registre-{program.slug}.md"'
    return response
