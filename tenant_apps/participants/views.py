from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from saas.core.decorators import public_view
from saas.core.errors import ValidationFailed
from saas.core.forms import EmailAuthenticationForm
from tenant_apps.participants.forms import ExistingPasswordForm, SetPasswordForm
from tenant_apps.participants.services import access_link_find, access_link_redeem

login_view = public_view(
    LoginView.as_view(
        template_name="participants/login.html",
        authentication_form=EmailAuthenticationForm,
        redirect_authenticated_user=True,
    )
)


@public_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "participants/home.html")


@never_cache
def my_space(request: HttpRequest) -> HttpResponse:
    return render(request, "participants/my_space.html", {"participant": request.user.participant})


@public_view
@never_cache
@sensitive_post_parameters("password", "password_confirm")
def access_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the email. GET never consumes it (mail scanners follow links); the POST
    sets the password (or checks the existing one), activates the participant and logs in."""
    link = access_link_find(token=token)
    if link is None or not link.is_usable:
        return render(request, "participants/link_invalid.html", status=410)
    user = link.participant.user
    form_class = ExistingPasswordForm if user.has_usable_password() else SetPasswordForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = access_link_redeem(
                token=token,
                password=form.cleaned_data["password"],
                password_confirm=form.cleaned_data.get("password_confirm", ""),
            )
        except ValidationFailed as exc:
            for field, messages in exc.fields.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            login(request, user, backend="tenant_apps.participants.backends.ParticipantBackend")
            return redirect("my-space")
    return render(request, "participants/access_link.html", {"form": form, "link_user": user})
