"""Account pages, on the console and on every programme site: second factor (verify, set up,
recovery codes), password change, log out everywhere, the "confirm it's you" step that
sensitive changes need, and the emailed sign-in link."""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.log import audit_record
from saas.core.decorators import public_view
from saas.core.errors import NotAllowed, Throttled
from shared_apps.accounts.forms import (
    OtpSetupForm,
    OtpTokenForm,
    PasswordChangeForm,
    ReauthenticateForm,
)
from shared_apps.accounts.http import AuthenticatedHttpRequest
from shared_apps.accounts.middleware import (
    SESSION_HAS_2FA,
    SESSION_REAUTH_AT,
    otp_exempt,
    two_factor_required,
)
from shared_apps.accounts.models import User
from shared_apps.accounts.otp import (
    has_two_factor,
    otp_verify,
    recovery_codes_left,
    totp_device_start,
    totp_qr_svg,
    totp_secret_base32,
    wait_message,
)
from shared_apps.accounts.security import (
    client_ip,
    login_failure_record,
    login_gate,
    signin_link_find,
    signin_link_redeem,
)
from shared_apps.accounts.selectors import two_factor_required_reasons
from shared_apps.accounts.services import (
    password_change,
    recovery_codes_regenerate,
    sessions_end_everywhere,
    totp_disable,
    totp_enable,
)

SETUP_DEVICE = "binome_totp_setup"


def _next_url(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _verified(request: HttpRequest, device: object) -> None:
    otp_login(request, device)
    request.session.cycle_key()  # a new session key once the second factor is given
    request.session[SESSION_HAS_2FA] = True
    request.session[SESSION_REAUTH_AT] = int(time.time())


def _clear_token(form: Any) -> None:
    """A refused code is not shown again: the field comes back empty."""
    form.data = form.data.copy()
    form.data["token"] = ""


def is_recently_authenticated(request: HttpRequest) -> bool:
    proved_at = request.session.get(SESSION_REAUTH_AT, 0)
    return time.time() - proved_at <= settings.RECENT_AUTH_SECONDS


def recent_auth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sensitive account changes need the password (and the second factor when the person
    has one) given in the last few minutes, not just an open session: a stolen session, or a
    script running in it, cannot switch 2FA off or change the password. Otherwise the person
    is sent to the "confirm it's you" page, which brings them back (to the account page after
    a POST, which cannot be replayed)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_recently_authenticated(request):
            return view(request, *args, **kwargs)
        target = request.get_full_path() if request.method == "GET" else reverse("account")
        return redirect(f"{reverse('reauthenticate')}?{urlencode({'next': target})}")

    return wrapped


def _wait_if_gated(user: User, ip: str) -> None:
    """Throttled: a signed-in person's code or password check, while too many recent failures
    (theirs, or from their network) close the gate."""
    gate = login_gate(email=user.email, ip=ip, has_grant=True)
    if gate.wait_seconds:
        raise Throttled(wait_message(gate.wait_seconds), wait_seconds=gate.wait_seconds)


@otp_exempt
@never_cache
def otp_verify_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        try:
            _wait_if_gated(user, ip)
            device = otp_verify(user=user, token=form.cleaned_data["token"])
        except Throttled as exc:
            form.add_error("token", str(exc.message))
        else:
            if device is not None:
                _verified(request, device)
                return redirect(_next_url(request))
            login_failure_record(email=user.email, ip=ip)
            form.add_error("token", _("This code is not valid, or has already been used."))
        _clear_token(form)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@otp_exempt
@never_cache
def otp_setup_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator. Someone who already has one must give a code first; anyone
    must have proved who they are in the last minutes (a new device replaces the old one)."""
    user = request.user
    if has_two_factor(user) and not user.is_verified():
        return redirect("otp-verify")
    if not is_recently_authenticated(request):
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('reauthenticate')}?{query}")
    device = TOTPDevice.objects.filter(
        pk=request.session.get(SETUP_DEVICE), user=user, confirmed=False
    ).first()
    form = OtpSetupForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            codes = totp_enable(device=device, token=form.cleaned_data["token"])
        except Throttled as exc:
            form.add_error("token", str(exc.message))
            _clear_token(form)
            codes = None
        else:
            if codes is None:
                form.add_error("token", _("This code is not valid. Check the time of your phone."))
                _clear_token(form)
        if codes is not None:
            del request.session[SETUP_DEVICE]
            _verified(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request, "/compte/")},
            )
    if device is None:
        device = totp_device_start(user=user)
        request.session[SETUP_DEVICE] = device.pk
    context = {
        "form": form,
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret_base32(device),
        "is_required": two_factor_required(request),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@never_cache
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "has_two_factor": has_two_factor(user),
        "is_required": two_factor_required(request) or bool(two_factor_required_reasons(user=user)),
        "codes_left": recovery_codes_left(user=user),
    }
    return render(request, "accounts/account.html", context)


@require_POST
@recent_auth_required
def recovery_codes_renew(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        codes = recovery_codes_regenerate(user=request.user)
    except NotAllowed:
        return redirect("account")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/compte/"})


@require_POST
@recent_auth_required
def two_factor_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Refused while any of the person's programmes or roles requires it (all of them, not
    only this site's: the authenticator is the same everywhere)."""
    try:
        totp_disable(user=request.user)
    except NotAllowed as exc:
        messages.error(request, str(exc.message))
    else:
        request.session[SESSION_HAS_2FA] = False
        messages.success(request, _("Two-step verification is off."))
    return redirect("account")


@never_cache
@sensitive_post_parameters()
@recent_auth_required
def password_change_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = password_change(user=request.user, new_password=form.cleaned_data["new_password"])
        update_session_auth_hash(request, user)  # this session stays; the others end
        messages.success(request, _("Your password has been changed."))
        return redirect("account")
    return render(request, "accounts/password_change.html", {"form": form})


@require_POST
def logout_everywhere(request: AuthenticatedHttpRequest) -> HttpResponse:
    sessions_end_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("You have been logged out on every device and programme."))
    return redirect("login")


@otp_exempt
@never_cache
@sensitive_post_parameters("password")
def reauthenticate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Confirm it's you": the password, and a code from the authenticator (or a recovery
    code) when the person has one. Counted like failed sign-ins."""
    user = request.user
    needs_code = has_two_factor(user)
    form = ReauthenticateForm(request.POST or None, needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        try:
            _wait_if_gated(user, ip)
            is_password_right = user.check_password(form.cleaned_data["password"])
            device = (
                otp_verify(user=user, token=form.cleaned_data["token"])
                if needs_code and is_password_right
                else None
            )
        except Throttled as exc:
            form.add_error(None, str(exc.message))
        else:
            if is_password_right and (device is not None or not needs_code):
                request.session[SESSION_REAUTH_AT] = int(time.time())
                audit_record(action="auth.reauthenticated", target=user)
                return redirect(_next_url(request, reverse("account")))
            login_failure_record(email=user.email, ip=ip)
            form.add_error(None, _("Wrong password or code."))
        if needs_code:
            _clear_token(form)
    return render(
        request, "accounts/reauthenticate.html", {"form": form, "next": _next_url(request)}
    )


@public_view
@never_cache
def signin_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link emailed while the account is under attack. Opening it (GET) changes
    nothing, as mail scanners follow links; the button (POST) lets this browser sign in."""
    if signin_link_find(token=token) is None:
        return render(request, "accounts/signin_link_invalid.html", status=410)
    if request.method == "POST":
        signin_link_redeem(token=token, session=request.session, ip=client_ip(request))
        messages.success(request, _("You can now sign in from this device with your password."))
        return redirect("login")
    return render(request, "accounts/signin_link.html")
