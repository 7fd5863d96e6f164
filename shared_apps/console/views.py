"""The super-admin console, on the public domain. Staff users only (everything here is
deny-by-default; tests/test_isolation.py walks the public URLconf too)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from saas.core.decorators import public_view, staff_required
from saas.core.errors import ApplicationError, ValidationFailed
from saas.core.forms import form_result, form_saved
from saas.core.pagination import page_of, searched
from shared_apps.accounts.forms import EmailAuthenticationForm
from shared_apps.console.forms import BreachForm, ClientForm, ProgramForm
from shared_apps.console.selectors import (
    program_for_console,
    program_history,
    program_people_count,
    programs_for_console_rows,
    with_participant_counts,
)
from shared_apps.platform_audit.models import Breach
from shared_apps.platform_audit.selectors import breaches
from shared_apps.platform_audit.services import BREACH_FIELDS, breach_record, breach_update
from tenants.client_admin import client_administrators, client_roles_of, platform_totals
from tenants.models import Client, Program
from tenants.services import (
    ARCHIVE_UNDO_DAYS,
    client_create,
    client_update,
    program_create,
    program_delete,
    program_failure_explanation,
    program_restore,
    program_restore_deadline,
    program_retry,
    program_set_status,
)


class ConsoleLoginView(LoginView):
    """The public site's sign-in: super-admins land on the console, client administrators on
    their organisation's page."""

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if user.is_authenticated and not user.is_staff and client_roles_of(user=user):
            return str(reverse_lazy("client-home"))
        return super().get_default_redirect_url()


login_view = public_view(
    ConsoleLoginView.as_view(
        template_name="console/login.html",
        authentication_form=EmailAuthenticationForm,
        redirect_authenticated_user=True,
        next_page="console:programs",
    )
)


@public_view
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_staff:
        return redirect("console:programs")
    if request.user.is_authenticated and client_roles_of(user=request.user):
        return redirect("client-home")
    return render(request, "console/home.html")


@staff_required
def programs(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Program.Status.values:
        status = ""
    client_asked = request.GET.get("client", "")
    client_id = int(client_asked) if client_asked.isdigit() else None
    listing = page_of(
        request,
        searched(
            request,
            programs_for_console_rows(status=status, client_id=client_id),
            ("name", "schema_name", "client__name"),
        ),
    )
    context = {
        "programs": with_participant_counts(listing.rows),
        "listing": listing,
        "clients": Client.objects.all(),
        "statuses": [c for c in Program.Status.choices if c[0] != Program.Status.SPARE],
        "status": status,
        "client_id": client_id,
        "totals": platform_totals(),
    }
    return render(request, "console/programs.html", context)


@staff_required
def client_new(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    client = form_result(request, form, lambda: client_create(**form.cleaned_data))
    if client is not None:
        messages.success(request, _("Organisation “%(name)s” created.") % {"name": client})
        return redirect("console:program-new")
    return render(request, "console/client_form.html", {"form": form})


@staff_required
def program_new(request: HttpRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None, initial={"client": request.GET.get("client")})
    program = form_result(
        request,
        form,
        lambda: program_create(
            client_id=form.cleaned_data["client"].pk,
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"],
            manager_email=form.cleaned_data["manager_email"],
        ),
    )
    if program is not None:
        messages.success(request, _("Programme “%(name)s” is being created.") % {"name": program})
        return redirect("console:program-detail", program_id=program.pk)
    return render(request, "console/program_form.html", {"form": form})


def _program_or_404(program_id: int) -> Program:
    program = program_for_console(program_id=program_id)
    if program is None:
        raise Http404
    return program


def _program_context(program: Program) -> dict[str, Any]:
    return {
        "managed": program,
        "failure_explanation": (
            program_failure_explanation(program) if program.status == Program.Status.FAILED else ""
        ),
        "restore_deadline": _restorable_until(program),
        "history": program_history(program=program),
        "status_changed_by": _person_name(program.status_changed_by_user_id),
    }


def _person_name(user_id: int | None) -> str:
    from shared_apps.accounts.selectors import User

    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None or user.is_erased:
        return ""
    return user.get_full_name() or user.email


def _restorable_until(program: Program) -> Any:
    deadline = program_restore_deadline(program)
    return deadline if deadline is not None and deadline > timezone.now() else None


@staff_required
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program_or_404(program_id)
    template = (
        "console/_program_status.html"
        if request.headers.get("HX-Request")
        else ("console/program_detail.html")
    )
    return render(request, template, _program_context(program))


# Actions that change what people can do ask first, on a page of their own (works without JS).
CONFIRMED_ACTIONS = {"pause", "archive", "delete"}


def _retry_message(request: HttpRequest, program: Program) -> None:
    """Eager tasks have already run when the retry returns; a worker may not have yet."""
    program.refresh_from_db()
    if program.status == Program.Status.READY:
        messages.success(request, _("The programme is ready."))
    elif program.status == Program.Status.FAILED:
        messages.error(
            request,
            _("The creation failed again. %(explanation)s")
            % {"explanation": program_failure_explanation(program)},
        )
    else:
        messages.info(
            request, _("The creation has started again; this page updates when it is done.")
        )


def _confirm(request: HttpRequest, program: Program, action: str, error: str = "") -> HttpResponse:
    people = program_people_count(program=program)
    return render(
        request,
        "console/program_confirm.html",
        {
            "managed": program,
            "action": action,
            "people": people,
            "people_total": people["active"] + people["invited"],
            "undo_days": ARCHIVE_UNDO_DAYS,
            "reason": request.POST.get("reason", ""),
            "error": error,
        },
        status=400 if error else 200,
    )


@staff_required
def program_action(request: HttpRequest, program_id: int, action: str) -> HttpResponse:
    program = _program_or_404(program_id)
    if action not in {"retry", "pause", "resume", "archive", "restore", "delete"}:
        raise Http404
    if request.method == "GET":
        if action not in CONFIRMED_ACTIONS:
            return redirect("console:program-detail", program_id=program.pk)
        return _confirm(request, program, action)
    if request.method != "POST":
        return HttpResponse(status=405)
    name = program.name
    try:
        if action == "retry":
            program_retry(program=program)
        elif action == "delete":
            program_delete(program=program)
        elif action == "restore":
            program_restore(program=program, by=request.user)
        else:
            program_set_status(
                program=program,
                action=action,
                by=request.user,
                reason=request.POST.get("reason", ""),
            )
    except ValidationFailed as exc:
        return _confirm(request, program, action, error=str(exc.message))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("console:program-detail", program_id=program.pk)
    if action == "delete":
        messages.success(
            request,
            _("Programme “%(name)s” deleted; its sub-domain is free again.") % {"name": name},
        )
        return redirect("console:programs")
    if action == "retry":
        _retry_message(request, program)
    else:
        messages.success(request, str(ACTION_DONE[action]))
    return redirect("console:program-detail", program_id=program.pk)


ACTION_DONE = {
    "pause": gettext_lazy("The programme is paused: its pages are closed until you resume it."),
    "resume": gettext_lazy("The programme is open again."),
    "archive": gettext_lazy("The programme is archived."),
    "restore": gettext_lazy("The programme is restored, with the status it had before."),
}


@staff_required
@never_cache
def audit_log(request: HttpRequest) -> HttpResponse:
    """The platform's audit log (console actions, super-admin logins)."""
    from audit.views import audit_log_response

    return audit_log_response(request, "audit_log.html")


@staff_required
def clients(request: HttpRequest) -> HttpResponse:
    listing = page_of(
        request, searched(request, Client.objects.order_by("name", "pk"), ("name", "dpo_name"))
    )
    return render(request, "console/clients.html", {"clients": listing.rows, "listing": listing})


@staff_required
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    initial = {f: getattr(client, f) for f in ("name", "address", "dpo_name", "dpo_email")}
    form = ClientForm(request.POST or None, initial=initial)
    if form_saved(request, form, lambda: client_update(client=client, **form.cleaned_data)):
        messages.success(request, _("Organisation “%(name)s” saved.") % {"name": client})
        return redirect("console:clients")
    listing = page_of(request, client_administrators(client=client))
    return render(
        request,
        "console/client_form.html",
        {"form": form, "client": client, "administrators": listing.rows, "listing": listing},
    )


@staff_required
@never_cache
def breach_list(request: HttpRequest) -> HttpResponse:
    """The register of personal data breaches: every entry, and a form to record one."""
    form = BreachForm(request.POST or None)
    if form_saved(
        request,
        form,
        lambda: breach_record(recorded_by_user_id=request.user.pk, **form.cleaned_data),
        _("The breach has been recorded."),
    ):
        return redirect("console:breaches")
    listing = page_of(request, breaches())
    return render(
        request,
        "console/breaches.html",
        {"breaches": listing.rows, "listing": listing, "form": form},
    )


@staff_required
@never_cache
def breach_edit(request: HttpRequest, breach_id: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=breach_id)
    initial = {name: getattr(breach, name) for name in BREACH_FIELDS}
    form = BreachForm(request.POST or None, initial=initial)
    if form_saved(
        request,
        form,
        lambda: breach_update(breach=breach, **form.cleaned_data),
        _("The breach has been updated."),
    ):
        return redirect("console:breaches")
    return render(request, "console/breach_form.html", {"breach": breach, "form": form})
