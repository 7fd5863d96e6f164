import json
from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST

from saas.core.accessibility import platform_contact, statement_context
from saas.core.decorators import manager_required, public_view
from saas.core.forms import form_saved
from saas.core.tenancy import connection
from tenant_apps.programs.branding import brand_colors
from tenant_apps.programs.forms import ProgramSettingsForm, QuestionForm
from tenant_apps.programs.icons import ICON_NAMES, LOGO_PATH, icon_path, icons_generate
from tenant_apps.programs.models import Question, QuestionSet
from tenant_apps.programs.questionnaire import (
    question_archive,
    question_move,
    question_save,
    question_set_describe,
)
from tenant_apps.programs.selectors import (
    program_brand_color,
    program_settings,
    program_settings_cached,
)
from tenant_apps.programs.services import program_settings_update


@public_view
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    program = connection.tenant
    contacts = [program_settings_cached().contact_email, platform_contact()]
    context = statement_context(
        organisation=program.client.name if program.client else program.name,
        service=_("the site “%(name)s”") % {"name": program.name},
        contacts=[
            contact
            for index, contact in enumerate(contacts)
            if contact and contact not in contacts[:index]
        ],
    )
    return render(request, "accessibility.html", context)


@public_view
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    program = connection.tenant
    settings = program_settings()
    version = int(settings.updated_at.timestamp())
    data = {
        "name": program.name,
        "short_name": program.name if len(program.name) <= 12 else program.name.split()[0][:12],
        "description": _("%(name)s, on Binôme") % {"name": program.name},
        "lang": "fr",
        "start_url": "/espace/?source=app",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": settings.primary_color,
        "icons": [
            {"src": f"/icones/192.png?v={version}", "sizes": "192x192", "type": "image/png"},
            {"src": f"/icones/512.png?v={version}", "sizes": "512x512", "type": "image/png"},
            {
                "src": f"/icones/512-maskable.png?v={version}",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


def _stored_image(path: str) -> FileResponse:
    """A stored branding image, drawn once if a programme has none yet (created before they were
    stored); never decoded here."""
    if not default_storage.exists(path):
        icons_generate(name=connection.tenant.name, settings=program_settings())
        if not default_storage.exists(path):
            raise Http404
    return FileResponse(default_storage.open(path, "rb"), content_type="image/png")


@public_view
@cache_control(max_age=86400)
def icon(request: HttpRequest, name: str) -> FileResponse:
    if name not in ICON_NAMES:
        raise Http404
    return _stored_image(icon_path(name))


@public_view
@cache_control(max_age=86400)
def logo(request: HttpRequest) -> FileResponse:
    """The programme's logo as shown in pages and emails (re-encoded, at most 480 × 160)."""
    if not program_settings_cached().logo:
        raise Http404
    return _stored_image(LOGO_PATH)


@public_view
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """At the root so that its scope is the whole programme site. It caches only the offline
    page and static files — never a personal page."""
    script = render(
        request,
        "programs/sw.js",
        {"offline_url": "/hors-ligne/", "static_css": static("css/binome.css")},
        content_type="application/javascript",
    )
    script["Service-Worker-Allowed"] = "/"
    return script


@public_view
@cache_control(max_age=86400)
def theme_css(request: HttpRequest) -> HttpResponse:
    """The programme's colour as CSS custom properties (the CSP allows no inline style)."""
    colors = brand_colors(program_brand_color())
    return HttpResponse(
        f":root {{ --brand: {colors.background}; --brand-contrast: {colors.text};"
        f" --brand-link: {colors.link}; }}\n",
        content_type="text/css",
    )


@public_view
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/offline.html")


@manager_required
@never_cache
def manage_settings(request: HttpRequest) -> HttpResponse:
    form = ProgramSettingsForm(
        request.POST or None, request.FILES or None, instance=program_settings()
    )
    if request.method == "POST" and form.is_valid():
        program_settings_update(program_settings=form.instance, data=form.data_for_service())
        messages.success(request, _("Settings saved."))
        return redirect("manage-settings")
    return render(
        request,
        "programs/manage_settings.html",
        {"form": form, "registration_url": connection.tenant.url("/inscription/")},
    )


# --- The questionnaire, edited by the manager -----------------------------------------------------
# One editor for the registration questionnaire and for the questions of each survey (a
# QuestionSet owned by tenant_apps.surveys, which names it through question_set_owners).


def _editor_context(question_set: QuestionSet | None) -> dict[str, Any]:
    if question_set is None:
        return {
            "question_set": None,
            "editor_title": _("Questionnaire"),
            "back_url": reverse("manage-questionnaire"),
            "new_url": reverse("manage-question-new"),
        }
    title, owner_url = question_set_describe(question_set=question_set)
    return {
        "question_set": question_set,
        "editor_title": title,
        "owner_url": owner_url,
        "back_url": reverse("manage-question-set", args=[question_set.pk]),
        "new_url": reverse("manage-question-set-new", args=[question_set.pk]),
    }


def _editor_list(request: HttpRequest, question_set: QuestionSet | None) -> HttpResponse:
    questions = Question.all_forms.filter(question_set=question_set)
    return render(
        request,
        "programs/manage_questionnaire.html",
        {
            **_editor_context(question_set),
            "questions": [q for q in questions if not q.is_archived],
            "archived": [q for q in questions if q.is_archived],
        },
    )


@manager_required
@never_cache
def manage_questionnaire(request: HttpRequest) -> HttpResponse:
    return _editor_list(request, None)


@manager_required
@never_cache
def manage_question_set(request: HttpRequest, questionset_id: int) -> HttpResponse:
    return _editor_list(request, get_object_or_404(QuestionSet, pk=questionset_id))


def _editor_question(
    request: HttpRequest, question: Question | None, question_set: QuestionSet | None
) -> HttpResponse:
    context = _editor_context(question_set)
    form = QuestionForm(
        request.POST or None, instance=question or Question(), in_set=question_set is not None
    )
    if form_saved(
        request,
        form,
        lambda: question_save(
            question=question, data=form.data_for_service(), question_set=question_set
        ),
        _("Question saved."),
    ):
        return redirect(context["back_url"])
    return render(
        request, "programs/manage_question.html", {**context, "form": form, "question": question}
    )


@manager_required
def manage_question(request: HttpRequest, question_id: int | None = None) -> HttpResponse:
    question = get_object_or_404(Question.all_forms, pk=question_id) if question_id else None
    return _editor_question(request, question, question.question_set if question else None)


@manager_required
def manage_question_set_new(request: HttpRequest, questionset_id: int) -> HttpResponse:
    return _editor_question(request, None, get_object_or_404(QuestionSet, pk=questionset_id))


@manager_required
@require_POST
def manage_question_action(request: HttpRequest, question_id: int, action: str) -> HttpResponse:
    question = get_object_or_404(Question.all_forms, pk=question_id)
    if action in {"monter", "descendre"}:
        question_move(question=question, offset=-1 if action == "monter" else 1)
    elif action in {"archiver", "restaurer"}:
        question_archive(question=question, is_archived=action == "archiver")
    else:
        raise Http404
    return redirect(_editor_context(question.question_set)["back_url"])
