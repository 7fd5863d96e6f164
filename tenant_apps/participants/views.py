from base64 import b64decode, b64encode

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from audit.log import audit_record
from saas.core.decorators import manager_required, public_view
from saas.core.errors import ApplicationError, ValidationFailed
from saas.core.forms import form_add_errors, form_result, form_saved, service_called
from saas.core.pagination import page_of, searched
from saas.core.tasks import enqueue_on_commit
from shared_apps.accounts.forms import EmailAuthenticationForm
from shared_apps.accounts.http import AuthenticatedHttpRequest
from shared_apps.accounts.security import client_ip, rate_limit_exceeded
from tenant_apps.participants.forms import (
    EmailForm,
    ExistingPasswordForm,
    ImportForm,
    InviteForm,
    RegistrationForm,
    SetPasswordForm,
)
from tenant_apps.participants.imports import ImportReport, import_preview, participants_import
from tenant_apps.participants.models import AccessLink, Participant
from tenant_apps.participants.selectors import participants_for_manager
from tenant_apps.participants.services import (
    access_link_find,
    access_link_redeem,
    access_link_resend,
    participant_deactivate,
    participant_invite,
    participant_reactivate,
    participant_register,
    password_reset_confirm,
    registration_roles,
)
from tenant_apps.participants.tasks import send_password_reset_task
from tenant_apps.programs.selectors import program_settings, program_settings_cached

EMAIL_FORMS_PER_HOUR = 20  # registration, new link, password reset: per IP address

login_view = public_view(
    LoginView.as_view(
        template_name="participants/login.html",
        authentication_form=EmailAuthenticationForm,
        redirect_authenticated_user=True,
        next_page="my-space",
    )
)


def _posted_in_limit(request: HttpRequest, form: forms.Form, action: str) -> bool:
    """A public form that sends email: posted, valid, and within the attempts allowed per hour
    from the person's network (else the refusal is shown on the form)."""
    if request.method != "POST" or not form.is_valid():
        return False
    if rate_limit_exceeded(action=action, key=client_ip(request), limit=EMAIL_FORMS_PER_HOUR):
        form.add_error(None, _("Too many attempts from your network. Try again in an hour."))
        return False
    return True


@public_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "participants/home.html", {"settings": program_settings_cached()})


@never_cache
def my_space(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's home as a guide: the next step, what waits for them or for the other
    person, what is coming — from the providers the apps above register (participants.home)."""
    from django.utils import timezone

    from tenant_apps.participants.home import home_build

    participant = request.user.participant
    home = home_build(participant=participant, now=timezone.now())
    return render(request, "participants/my_space.html", {"participant": participant, "home": home})


# --- Registration and links ----------------------------------------------------------------------


@public_view
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    settings = program_settings()
    if not settings.is_registration_open:
        return render(request, "participants/registration_closed.html", status=403)
    form = RegistrationForm(request.POST or None, roles=registration_roles(settings))
    if _posted_in_limit(request, form, "register"):
        data = form.cleaned_data
        try:
            participant_register(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                has_consented=data["consent"],
            )
        except ApplicationError as exc:
            form_add_errors(form, exc)
        else:
            return redirect("register-done")
    return render(request, "participants/register.html", {"form": form})


@public_view
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "participants/check_email.html")


@public_view
@never_cache
@sensitive_post_parameters("password", "password_confirm")
def access_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the email. GET never consumes it (mail scanners follow links); the POST
    sets the password (or checks the existing one), activates the participant and logs in."""
    link = access_link_find(
        token=token, purposes=(AccessLink.Purpose.INVITATION, AccessLink.Purpose.REGISTRATION)
    )
    if link is None or not link.is_usable:
        return render(request, "participants/link_invalid.html", {"form": EmailForm()}, status=410)
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
            form_add_errors(form, exc)
        else:
            login(request, user, backend="tenant_apps.participants.backends.ParticipantBackend")
            # Newcomers answer the programme's questionnaire right away (they can come back
            # to it later from their space).
            from tenant_apps.participants.profiles import questions_for

            if questions_for(participant=user.participant):
                messages.info(
                    request, _("Welcome! Tell us a little about you to find your pairing.")
                )
                return redirect("profile")
            return redirect("my-space")
    return render(request, "participants/access_link.html", {"form": form, "link_user": user})


@public_view
@never_cache
def link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a new link to the secure space (the old one expired or was used)."""
    form = EmailForm(request.POST or None)
    if _posted_in_limit(request, form, "link"):
        access_link_resend(email=form.cleaned_data["email"])
        return redirect("register-done")
    return render(request, "participants/link_request.html", {"form": form})


@public_view
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if _posted_in_limit(request, form, "reset"):
        # The lookup and the email happen in a task: the same work here for every address,
        # so the answer time does not tell who is an active participant.
        enqueue_on_commit(send_password_reset_task, email=form.cleaned_data["email"])
        return render(request, "participants/password_reset_sent.html")
    return render(request, "participants/password_reset.html", {"form": form})


@public_view
@never_cache
@sensitive_post_parameters("password", "password_confirm")
def password_reset_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    link = access_link_find(token=token, purposes=(AccessLink.Purpose.PASSWORD_RESET,))
    if link is None or not link.is_usable:
        return render(
            request, "participants/password_reset_invalid.html", {"form": EmailForm()}, status=410
        )
    form = SetPasswordForm(request.POST or None)
    if form_saved(
        request,
        form,
        lambda: password_reset_confirm(
            token=token,
            password=form.cleaned_data["password"],
            password_confirm=form.cleaned_data["password_confirm"],
        ),
        _("Your password has been changed. Log in with your new password."),
    ):
        return redirect("login")
    return render(request, "participants/password_reset_confirm.html", {"form": form})


# --- The manager's space -------------------------------------------------------------------------


@manager_required
@never_cache
def manage_participants(request: HttpRequest) -> HttpResponse:
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    role = role if role in Participant.Role.values else ""
    status = status if status in Participant.Status.values else ""
    listing = page_of(
        request,
        searched(
            request,
            participants_for_manager(role=role, status=status),
            ("user__first_name", "user__last_name", "user__email"),
        ),
    )
    context = {
        "participants": listing.rows,
        "listing": listing,
        "roles": Participant.Role.choices,
        "statuses": Participant.Status.choices,
        "role": role,
        "status": status,
        "invite_form": InviteForm(),
        "import_form": ImportForm(),
    }
    return render(request, "participants/manage_participants.html", context)


@manager_required
def manage_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    participant = form_result(
        request,
        form,
        lambda: participant_invite(
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        ),
    )
    if participant is not None:
        email = participant.display_email
        if participant.links.filter(purpose=AccessLink.Purpose.INVITATION).count() > 1:
            message = _("New invitation sent to %(email)s: the previous link no longer works.") % {
                "email": email
            }
        else:
            message = _("Invitation sent to %(email)s.") % {"email": email}
        messages.success(request, message)
        return redirect("manage-participants")
    return render(request, "participants/manage_invite.html", {"form": form})


IMPORT_SALT = "binome.participants.import"


@manager_required
def manage_import(request: HttpRequest) -> HttpResponse:
    """Step 1: upload and see the report (nothing written). Step 2: confirm, and the accepted
    lines are imported together. The file travels signed between the two steps."""
    if request.method == "POST" and "payload" in request.POST:
        try:
            data = b64decode(signing.loads(request.POST["payload"], salt=IMPORT_SALT, max_age=3600))
        except signing.BadSignature:
            messages.error(request, _("The import expired. Upload the file again."))
            return redirect("manage-import")
        try:
            report = participants_import(data=data)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("manage-import")
        messages.success(
            request,
            _("%(count)d people invited.") % {"count": len(report.accepted)},
        )
        return render(request, "participants/manage_import.html", {"report": report, "done": True})
    form = ImportForm(request.POST or None, request.FILES or None)
    preview: ImportReport | None = None
    payload: str | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            preview = import_preview(data=data)
        except ApplicationError as exc:
            form.add_error("file", str(exc.message))
        else:
            payload = signing.dumps(b64encode(data).decode(), salt=IMPORT_SALT, compress=True)
    return render(
        request,
        "participants/manage_import.html",
        {"form": form, "report": preview, "payload": payload},
    )


@manager_required
@require_POST
def manage_participant_action(
    request: AuthenticatedHttpRequest, participant_id: int, action: str
) -> HttpResponse:
    participant = get_object_or_404(Participant.objects.select_related("user"), pk=participant_id)
    if participant.pk == request.user.participant.pk:
        messages.error(request, _("You cannot change your own access."))
        return redirect("manage-participants")
    if action == "desactiver":
        service_called(request, lambda: participant_deactivate(participant=participant), _("Done."))
    elif action == "reactiver":
        service_called(request, lambda: participant_reactivate(participant=participant), _("Done."))
    else:  # "effacer" is the privacy app's (same URL, tenant_apps.privacy.urls)
        raise Http404
    return redirect("manage-participants")


@never_cache
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My profile: the programme's questionnaire for my role, capacity, availability."""
    from tenant_apps.participants.forms import ProfileForm
    from tenant_apps.participants.profiles import answers_of, profile_save, questions_for

    participant = request.user.participant
    questions = questions_for(participant=participant)
    form = ProfileForm(
        request.POST or None,
        participant=participant,
        questions=questions,
        answers=answers_of(participant=participant),
    )
    if form_saved(
        request,
        form,
        lambda: profile_save(
            participant=participant,
            raw_answers=form.answers(),
            capacity=form.cleaned_data.get("capacity"),
            is_available=form.cleaned_data["is_available"],
        ),
        _("Your profile is saved."),
    ):
        return redirect("profile")
    return render(request, "participants/profile.html", {"form": form})


@manager_required
@never_cache
def manage_participant(request: HttpRequest, participant_id: int) -> HttpResponse:
    """A manager looks at one participant's profile (audited). Sensitive answers stay hidden."""
    from tenant_apps.participants.profiles import answers_of, questions_for

    participant = get_object_or_404(Participant.objects.select_related("user"), pk=participant_id)
    answers = answers_of(participant=participant)
    rows = [
        (
            question.label_for(participant.role),
            "" if question.is_sensitive else answers.get(question.key),
            question.is_sensitive,
        )
        for question in questions_for(participant=participant)
    ]
    audit_record(action="participant.profile_viewed", target=participant)
    return render(
        request, "participants/manage_participant.html", {"person": participant, "rows": rows}
    )
