"""Account pages, on the console and on every programme site: second factor (verify, set up,
recovery codes), password change, log out everywhere."""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from saas.core.audit import audit_record
from shared_apps.accounts.forms import OtpSetupForm, OtpTokenForm, PasswordChangeForm
from shared_apps.accounts.middleware import (
    SESSION_HAS_2FA,
    otp_exempt,
    two_factor_required,
)
from shared_apps.accounts.otp import (
    has_two_factor,
    otp_verify,
    recovery_codes_generate,
    recovery_codes_left,
    totp_device_confirm,
    totp_device_start,
    totp_qr_svg,
    totp_secret_base32,
    two_factor_disable,
)
from shared_apps.accounts.security import (
    client_ip,
    login_failure_record,
    login_throttle_state,
    sessions_end_everywhere,
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


@otp_exempt
@never_cache
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if login_throttle_state(email=user.email, ip=ip).is_locked:
            form.add_error(None, _("Too many failed attempts. Try again in an hour."))
        elif (device := otp_verify(user=user, token=form.cleaned_data["token"])) is not None:
            _verified(request, device)
            return redirect(_next_url(request))
        else:
            login_failure_record(email=user.email, ip=ip)
            form.add_error("token", _("This code is not valid, or has already been used."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@otp_exempt
@never_cache
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator. Someone who already has one must give a code first."""
    user = request.user
    if has_two_factor(user) and not user.is_verified():
        return redirect("otp-verify")
    device = TOTPDevice.objects.filter(
        pk=request.session.get(SETUP_DEVICE), user=user, confirmed=False
    ).first()
    form = OtpSetupForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        codes = totp_device_confirm(device=device, token=form.cleaned_data["token"])
        if codes is not None:
            del request.session[SETUP_DEVICE]
            _verified(request, device)
            audit_record(action="2fa.enabled", target=user)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request, "/compte/")},
            )
        form.add_error("token", _("This code is not valid. Check the time of your phone."))
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
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "has_two_factor": has_two_factor(user),
        "is_required": two_factor_required(request),
        "codes_left": recovery_codes_left(user=user),
    }
    return render(request, "accounts/account.html", context)


@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    if not has_two_factor(request.user):
        return redirect("account")
    codes = recovery_codes_generate(user=request.user)
    audit_record(action="2fa.recovery_codes_renewed", target=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/compte/"})


@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    if two_factor_required(request):
        messages.error(request, _("Two-step verification is required for you here."))
    else:
        two_factor_disable(user=request.user)
        audit_record(action="2fa.disabled", target=request.user)
        request.session[SESSION_HAS_2FA] = False
        messages.success(request, _("Two-step verification is off."))
    return redirect("account")


@never_cache
@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        user.set_password(form.cleaned_data["new_password"])
        user.save(update_fields=["password"])
        update_session_auth_hash(request, user)  # this session stays; the others end
        audit_record(action="auth.password_changed", target=user)
        messages.success(request, _("Your password has been changed."))
        return redirect("account")
    return render(request, "accounts/password_change.html", {"form": form})


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    sessions_end_everywhere(user=request.user)
    audit_record(action="auth.logout_everywhere", target=request.user)
    logout(request)
    messages.success(request, _("You have been logged out on every device and programme."))
    return redirect("login")
