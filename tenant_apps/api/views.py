"""The manager's page for machine access: API keys and webhooks (in a session with the second
factor given: managers must have one, and the page checks it again)."""

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from saas.core.decorators import manager_required
from saas.core.errors import ApplicationError
from saas.core.forms import form_add_errors
from saas.core.pagination import page_of
from tenant_apps.api.forms import ApiKeyForm, WebhookEndpointForm
from tenant_apps.api.selectors import api_keys, webhook_endpoints
from tenant_apps.api.services import (
    api_key_create,
    api_key_revoke,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_enable,
    webhook_test_send,
)


def _require_second_factor(request: HttpRequest) -> None:
    if not request.user.is_verified():  # type: ignore[union-attr]
        raise PermissionDenied


def _expiry(day: Any) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


@manager_required
@never_cache
def manage_api(request: HttpRequest) -> HttpResponse:
    _require_second_factor(request)
    key_form = ApiKeyForm(prefix="key")
    hook_form = WebhookEndpointForm(prefix="hook")
    new_key = ""
    if request.method == "POST" and request.POST.get("form") == "key":
        key_form = ApiKeyForm(request.POST, prefix="key")
        if key_form.is_valid():
            try:
                _key, new_key = api_key_create(
                    name=key_form.cleaned_data["name"],
                    scope=key_form.cleaned_data["scope"],
                    expires_at=_expiry(key_form.cleaned_data["expires_on"]),
                )
                key_form = ApiKeyForm(prefix="key")
            except ApplicationError as exc:
                form_add_errors(key_form, exc)
    elif request.method == "POST" and request.POST.get("form") == "hook":
        hook_form = WebhookEndpointForm(request.POST, prefix="hook")
        if hook_form.is_valid():
            try:
                webhook_endpoint_create(
                    url=hook_form.cleaned_data["url"], events=hook_form.cleaned_data["events"]
                )
                messages.success(request, _("The webhook endpoint is registered."))
                return redirect("manage-api")
            except ApplicationError as exc:
                form_add_errors(hook_form, exc)
    keys = page_of(request, api_keys(), param="keys_page")
    endpoints = page_of(request, webhook_endpoints(), param="endpoints_page")
    response = render(
        request,
        "api/manage.html",
        {
            "keys": keys.rows,
            "keys_listing": keys,
            "endpoints": endpoints.rows,
            "endpoints_listing": endpoints,
            "key_form": key_form,
            "hook_form": hook_form,
            "new_key": new_key,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@manager_required
@require_POST
def api_key_revoke_view(request: HttpRequest, apikey: int) -> HttpResponse:
    _require_second_factor(request)
    api_key_revoke(key=get_object_or_404(api_keys(), pk=apikey))
    messages.success(request, _("The key is revoked."))
    return redirect("manage-api")


@manager_required
@never_cache
def webhook_detail(request: HttpRequest, webhookendpoint: int) -> HttpResponse:
    pk = webhookendpoint
    _require_second_factor(request)
    endpoint = get_object_or_404(webhook_endpoints(), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "test":
            webhook_test_send(endpoint=endpoint)
            messages.success(request, _("A test event was sent."))
        elif action == "enable":
            webhook_endpoint_enable(endpoint=endpoint)
            messages.success(request, _("The endpoint is enabled again."))
        elif action == "delete":
            webhook_endpoint_delete(endpoint=endpoint)
            messages.success(request, _("The webhook endpoint is deleted."))
            return redirect("manage-api")
        return redirect("manage-webhook", webhookendpoint=pk)
    deliveries = page_of(request, endpoint.deliveries.all(), per_page=20)
    return render(
        request,
        "api/webhook.html",
        {"endpoint": endpoint, "deliveries": deliveries.rows, "listing": deliveries},
    )
