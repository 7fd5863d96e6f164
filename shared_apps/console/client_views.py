"""The client administrator's pages (issue 14), on the public domain, and the super-admin's
side of that role (inviting one from the organisation's page). A client administrator sees
its organisation's programmes only as figures read from the statistics snapshots in `public`
(`tenants.client_admin.client_overview`): no request here enters a programme schema except
the DPO documents and the manager invitation, which act in one of its own programmes."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from saas.core.decorators import public_view, staff_required
from saas.core.errors import ApplicationError
from saas.core.forms import form_saved
from saas.core.pagination import page_of
from shared_apps.accounts.middleware import otp_exempt
from shared_apps.console.register_views import (
    program_among,
    register_response,
    technical_faq_response,
)
from tenants.client_admin import (
    client_admin_invite,
    client_document_download_record,
    client_manager_invite,
    client_overview,
    client_programs,
    client_roles_of,
    client_snapshots_refresh,
)
from tenants.models import Client, Program
from tenants.snapshots import snapshots_take


def client_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A logged-in client administrator (not a super-admin), else 403. The organisation is
    one of the person's own (`?client=<id>` when they have several), put on the request."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or user.is_staff:
            raise PermissionDenied
        roles = client_roles_of(user=user)
        if not roles:
            raise PermissionDenied
        wanted = request.GET.get("client") or request.POST.get("client") or ""
        client = next((c for c in roles if str(c.pk) == wanted), roles[0])
        request.client_roles = roles  # type: ignore[attr-defined]
        request.administered = client  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    wrapped.client_admin_view = True  # type: ignore[attr-defined]
    return wrapped


FIGURE_LABELS = [
    ("registered", gettext_lazy("Registered")),
    ("active", gettext_lazy("Active (90 days)")),
    ("mentors", gettext_lazy("Mentors")),
    ("mentees", gettext_lazy("Mentees")),
    ("matched_rate", gettext_lazy("Mentees matched")),
    ("pairs_active", gettext_lazy("Active pairs")),
    ("pairs_ended", gettext_lazy("Ended pairs")),
    ("meetings_held_month", gettext_lazy("Meetings held this month")),
    ("meetings_held_period", gettext_lazy("Meetings held (90 days)")),
]


@client_admin_required
@never_cache
def client_home(request: HttpRequest) -> HttpResponse:
    client: Client = request.administered  # type: ignore[attr-defined]
    overview = client_overview(client=client)
    rows = [
        {
            "program": row.program,
            "cells": [(label, row.figures[key]) for key, label in FIGURE_LABELS],
        }
        for row in overview.rows
    ]
    totals = [(label, overview.totals[key]) for key, label in FIGURE_LABELS]
    listing = page_of(request, rows)  # the totals are over every programme; the rows a page
    return render(
        request,
        "console/client_home.html",
        {
            "administered": client,
            "roles": request.client_roles,  # type: ignore[attr-defined]
            "labels": [label for _key, label in FIGURE_LABELS],
            "rows": listing.rows,
            "listing": listing,
            "totals": totals,
            "computed_at": overview.computed_at,
        },
    )


@client_admin_required
@require_POST
def client_refresh(request: HttpRequest) -> HttpResponse:
    client: Client = request.administered  # type: ignore[attr-defined]
    client_snapshots_refresh(client=client)
    messages.success(request, _("The figures have been computed again."))
    return redirect(f"{reverse_lazy('client-home')}?client={client.pk}")


@client_admin_required
@never_cache
def client_register_download(request: HttpRequest, program_id: int) -> HttpResponse:
    client: Client = request.administered  # type: ignore[attr-defined]
    program = program_among(client_programs(client=client), program_id)
    response = register_response(request, program)
    client_document_download_record(client=client, document="register", program=program)
    return response


@client_admin_required
@never_cache
def client_technical_faq_download(request: HttpRequest) -> HttpResponse:
    client: Client = request.administered  # type: ignore[attr-defined]
    response = technical_faq_response(request, client_id=client.pk)
    client_document_download_record(client=client, document="technical_faq")
    return response


class ManagerInviteForm(forms.Form):
    program = forms.TypedChoiceField(label=gettext_lazy("Programme"), coerce=int)
    email = forms.EmailField(label=gettext_lazy("Manager's email address"))

    def __init__(self, *args: Any, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["program"]).choices = [
            (p.pk, p.name) for p in programs if p.status == Program.Status.READY
        ]


@client_admin_required
def client_manager_new(request: HttpRequest) -> HttpResponse:
    client: Client = request.administered  # type: ignore[attr-defined]
    form = ManagerInviteForm(request.POST or None, programs=client_programs(client=client))
    if form_saved(
        request,
        form,
        lambda: client_manager_invite(
            client=client,
            program_id=form.cleaned_data["program"],
            email=form.cleaned_data["email"],
        ),
        _("The invitation has been sent."),
    ):
        return redirect(f"{reverse_lazy('client-home')}?client={client.pk}")
    return render(
        request, "console/client_manager_form.html", {"form": form, "administered": client}
    )


class ClientWelcomeView(PasswordResetConfirmView):
    """The link of a client administrator's invitation: choose a password (Django's token,
    moved out of the URL into the session at once, single-use), then sign in."""

    template_name = "console/client_welcome.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(
            self.request,
            _("Your password is set. Sign in, then set up two-step verification."),
        )
        return super().form_valid(form)


_client_welcome_view = ClientWelcomeView.as_view()


@public_view
@otp_exempt
def client_welcome(request: HttpRequest, token: str) -> HttpResponseBase:
    """One path parameter, `<uidb64>.<token>` (the log redaction filters it as one secret);
    Django's view then moves the token into the session and redirects to `<uidb64>.set-password`."""
    uidb64, _dot, secret = token.partition(".")
    return _client_welcome_view(request, uidb64=uidb64, token=secret)


# --- The super-admin's side ------------------------------------------------------------------


class ClientAdminInviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Client administrator's email address"))


@staff_required
@require_POST
def client_admin_new(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    form = ClientAdminInviteForm(request.POST)
    if form.is_valid():
        try:
            client_admin_invite(client=client, email=form.cleaned_data["email"], by=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The client administrator has been invited."))
    else:
        messages.error(request, _("Enter a valid email address."))
    return redirect("console:client-edit", client_id=client.pk)


@staff_required
@require_POST
def snapshots_refresh(request: HttpRequest) -> HttpResponse:
    result = snapshots_take()
    messages.success(
        request,
        _("Statistics computed for %(count)s programmes.") % {"count": result["programmes"]},
    )
    return redirect("console:programs")
