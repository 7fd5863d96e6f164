"""The super-admin's pages that read inside programmes: every programme's processing register,
the technical FAQ, and one person across every programme (export, erasure).

The console sits above the tenant apps (CONVENTIONS §11, the import-linter layers in
pyproject.toml): it may enter programme schemas and call the privacy app; nothing below
imports it."""

import json
from collections.abc import Iterable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_tenants.utils import tenant_context

from saas.core.decorators import staff_required
from saas.core.documents import markdown_to_docx, markdown_to_pdf
from saas.core.pagination import page_of, searched
from saas.core.tenancy import connection
from shared_apps.accounts.selectors import user_by_email
from shared_apps.console.selectors import programs_with_data_rows
from tenant_apps.privacy.faq import technical_faq_build, technical_faq_markdown
from tenant_apps.privacy.register import register_build, register_markdown
from tenants.models import Program
from tenants.people import person_erase_everywhere, person_export_everywhere

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@staff_required
@never_cache
def registers(request: HttpRequest) -> HttpResponse:
    listing = page_of(
        request, searched(request, programs_with_data_rows(), ("name", "client__name"))
    )
    return render(request, "console/registers.html", {"programs": listing.rows, "listing": listing})


def document_response(text: str, *, name: str, output: str, title: str) -> HttpResponse:
    """One of the DPO's documents, as Markdown, DOCX or PDF (same content)."""
    if output == "docx":
        content: bytes | str = markdown_to_docx(text)
        content_type = DOCX_TYPE
    elif output == "pdf":
        content = markdown_to_pdf(text, title=title)
        content_type = "application/pdf"
    else:
        output, content, content_type = "md", text, "text/markdown; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{output}"'
    return response


def program_among(programs: Iterable[Program], program_id: int) -> Program:
    """The programme `program_id` when it is one of `programs` (those the person may read),
    else 404."""
    program = next((p for p in programs if p.pk == program_id), None)
    if program is None:
        raise Http404
    return program


def register_response(request: HttpRequest, program: Program) -> HttpResponse:
    """The programme's processing register, read in its schema, in the format asked for."""
    with tenant_context(program):
        text = register_markdown(register_build())
    connection.set_schema_to_public()
    return document_response(
        text,
        name=f"registre-{program.slug}",
        output=request.GET.get("format", "md"),
        title=program.name,
    )


def technical_faq_response(request: HttpRequest, *, client_id: int | None = None) -> HttpResponse:
    """The technical FAQ (every programme, or only `client_id`'s), in the format asked for."""
    text = technical_faq_markdown(technical_faq_build(client_id=client_id))
    return document_response(
        text, name="faq-technique", output=request.GET.get("format", "md"), title="FAQ"
    )


@staff_required
@never_cache
def register_download(request: HttpRequest, program_id: int) -> HttpResponse:
    # One row, not every programme (a console of 1,000 programmes).
    program = programs_with_data_rows().filter(pk=program_id).first()
    if program is None:
        raise Http404
    return register_response(request, program)


@staff_required
@never_cache
def technical_faq_download(request: HttpRequest) -> HttpResponse:
    return technical_faq_response(request)


@staff_required
@never_cache
def person(request: HttpRequest) -> HttpResponse:
    """A super-admin answers a request about one person across every programme: the full
    export (JSON), or erasure everywhere (typed confirmation). Both are audited."""
    email = (request.GET.get("email") or request.POST.get("email") or "").strip()
    user = user_by_email(email=email) if email else None
    if user is not None and request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(person_export_everywhere(user=user), ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="export-personne.json"'
        return response
    if user is not None and request.method == "POST":
        if request.POST.get("confirm", "").strip().upper() not in {"EFFACER", "ERASE"}:
            messages.error(request, _("Type the word EFFACER to confirm."))
        else:
            person_erase_everywhere(user=user)
            messages.success(request, _("The person's data has been erased everywhere."))
            return redirect("console-person")
    programs = [m.program for m in user.memberships.select_related("program")] if user else []
    return render(
        request, "console/person.html", {"email": email, "person": user, "programs": programs}
    )
