"""Session lifetime and the second factor, enforced for every view that is not public."""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from shared_apps.accounts.backends import on_public_schema

SESSION_STARTED = "binome_started"
SESSION_SEEN = "binome_seen"
SESSION_HAS_2FA = "binome_has_2fa"
SESSION_REAUTH_AT = "binome_reauth_at"  # when the person last proved who they are
TOUCH_EVERY_SECONDS = 60


def session_mark_login(request: HttpRequest, *, has_two_factor: bool) -> None:
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now
    request.session[SESSION_HAS_2FA] = has_two_factor
    # The password alone is a full proof only for someone without a second factor.
    if has_two_factor:
        request.session.pop(SESSION_REAUTH_AT, None)
    else:
        request.session[SESSION_REAUTH_AT] = now
    request.session.set_expiry(settings.SESSION_IDLE_SECONDS)


class SessionTimeoutMiddleware:
    """30 minutes idle, 12 hours in all; the session row itself expires with the idle limit,
    refreshed at most once a minute so a busy page does not write on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SESSION_STARTED, now)
            seen = request.session.get(SESSION_SEEN, now)
            if (
                now - seen > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_ABSOLUTE_SECONDS
            ):
                logout(request)
                messages.info(request, _("Your session has expired. Please log in again."))
            elif now - seen >= TOUCH_EVERY_SECONDS:
                request.session[SESSION_SEEN] = now
                request.session.set_expiry(settings.SESSION_IDLE_SECONDS)
        return self.get_response(request)


def otp_exempt(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view reachable before the second factor is given (verify, set up, log out)."""
    view.otp_exempt = True  # type: ignore[attr-defined]
    return view


def two_factor_required(request: HttpRequest) -> bool:
    if not hasattr(request, "_two_factor_required"):
        user = request.user
        if on_public_schema():
            required = import_string(settings.PUBLIC_TWO_FACTOR_REQUIRED)(user)
        else:
            required = import_string(settings.TWO_FACTOR_REQUIRED)(user)
        request._two_factor_required = required  # type: ignore[attr-defined]
    return request._two_factor_required  # type: ignore[attr-defined]


class TwoFactorMiddleware:
    """A logged-in person who has an authenticator must give a code before anything else; one
    who must have one (super-admins, managers, participants of a programme whose policy says
    so) must set it up first. Public and exempt views stay reachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view, "is_public", False) or getattr(view, "otp_exempt", False):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        query = urlencode({"next": request.get_full_path()})
        if request.session.get(SESSION_HAS_2FA):
            return redirect(f"{reverse('otp-verify')}?{query}")
        if two_factor_required(request):
            return redirect(f"{reverse('otp-setup')}?{query}")
        return None
