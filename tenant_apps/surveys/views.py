from datetime import datetime, time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.log import audit_record
from saas.core.decorators import public_view
from saas.core.errors import ApplicationError, Conflict
from saas.core.forms import form_add_errors, form_saved
from saas.core.pagination import page_of
from shared_apps.accounts.http import AuthenticatedHttpRequest
from tenant_apps.participants.views import manager_required
from tenant_apps.surveys.forms import (
    AnnouncementForm,
    AnswerForm,
    ProgrammeEndForm,
    SurveyForm,
    SurveySettingsForm,
)
from tenant_apps.surveys.models import Announcement, Survey, SurveyInvitation
from tenant_apps.surveys.selectors import (
    MIN_GROUP,
    announcements_for,
    headline_figures,
    pending_invitations,
    survey_questions,
    survey_results,
    survey_settings,
)
from tenant_apps.surveys.services import (
    announcement_send,
    invitation_from_token,
    programme_end_survey_schedule,
    survey_answer,
    survey_settings_update,
    survey_update,
)

# --- Participants -------------------------------------------------------------------------------


@never_cache
def feedback(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the person has to answer, and the manager's announcements."""
    participant = request.user.participant
    return render(
        request,
        "surveys/feedback.html",
        {
            "pending": list(pending_invitations(participant=participant)),
            "announcements": announcements_for(participant=participant),
        },
    )


def _answer_page(
    request: HttpRequest, invitation: SurveyInvitation, *, action: str, initial: dict
) -> HttpResponse:
    survey, participant = invitation.survey, invitation.participant
    if invitation.is_answered:
        return render(request, "surveys/answered.html", {"survey": survey}, status=200)
    questions = survey_questions(survey=survey, role=participant.role)
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        role=participant.role,
        initial_answers=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer(invitation=invitation, raw_answers=form.answers())
        except Conflict:
            return render(request, "surveys/answered.html", {"survey": survey})
        except ApplicationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your answer is saved."))
            return render(request, "surveys/answered.html", {"survey": survey, "is_new": True})
    return render(
        request,
        "surveys/answer.html",
        {"survey": survey, "invitation": invitation, "form": form, "action": action},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer_page(request: AuthenticatedHttpRequest, surveyinvitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(
        SurveyInvitation.objects.select_related("survey", "participant", "meeting"),
        pk=surveyinvitation_id,
        participant=request.user.participant,
        survey__is_active=True,
    )
    return _answer_page(request, invitation, action=request.path, initial={})


@public_view
@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the email: opens without logging in. A GET only shows the form (filled in
    with the score clicked in the email); only the POST stores the answer."""
    invitation = invitation_from_token(token=token)
    if invitation is None or not invitation.survey.is_active:
        return render(request, "surveys/link_invalid.html", status=410)
    initial = {}
    note = request.GET.get("note", "")
    questions = survey_questions(survey=invitation.survey, role=invitation.participant.role)
    if note.isdigit() and questions and questions[0].kind in ("scale", "nps"):
        initial[questions[0].key] = note
    return _answer_page(request, invitation, action=request.get_full_path(), initial=initial)


# --- The manager --------------------------------------------------------------------------------


@manager_required
@never_cache
def manage_surveys(request: HttpRequest) -> HttpResponse:
    figures = headline_figures()
    return render(
        request,
        "surveys/manage_surveys.html",
        {
            "surveys": [figures[s.kind] for s in Survey.objects.all() if s.kind in figures],
            "settings": survey_settings(),
            "min_group": MIN_GROUP,
        },
    )


@manager_required
@never_cache
def manage_survey(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    form = SurveyForm(request.POST or None, instance=Survey.objects.get(pk=survey.pk))
    send_form = ProgrammeEndForm()
    if request.method == "POST" and form.is_valid():
        survey_update(survey=survey, data=form.cleaned_data)
        messages.success(request, _("Survey saved."))
        return redirect("manage-survey", survey.pk)
    return render(
        request,
        "surveys/manage_survey.html",
        {"survey": survey, "form": form, "send_form": send_form},
    )


@manager_required
@require_http_methods(["POST"])
def manage_survey_send(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The end-of-programme survey: now, or on a date."""
    survey = get_object_or_404(Survey, pk=survey_id, kind=Survey.Kind.PROGRAMME_END)
    form = ProgrammeEndForm(request.POST)
    when = None
    if form.is_valid() and form.cleaned_data["send_on"]:
        when = timezone.make_aware(datetime.combine(form.cleaned_data["send_on"], time(9)))
    try:
        count = programme_end_survey_schedule(survey=survey, when=when)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        if when is None:
            messages.success(request, _("Survey sent to %(count)d people.") % {"count": count})
        else:
            messages.success(request, _("Survey scheduled."))
    return redirect("manage-survey", survey.pk)


@manager_required
@never_cache
def manage_survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    results = survey_results(survey=survey)
    if results.named:  # a manager reads answers with names: that is recorded
        audit_record(
            action="surveys.results_viewed",
            target=survey,
            details={"kind": survey.kind, "rows": len(results.named)},
        )
    listing = page_of(request, results.named)  # the aggregates need every row; the names a page
    return render(
        request,
        "surveys/manage_results.html",
        {"results": results, "named": listing.rows, "listing": listing, "min_group": MIN_GROUP},
    )


@manager_required
@never_cache
def manage_survey_settings(request: HttpRequest) -> HttpResponse:
    form = SurveySettingsForm(request.POST or None, instance=survey_settings())
    if form_saved(
        request,
        form,
        lambda: survey_settings_update(data=form.cleaned_data),
        _("Settings saved."),
    ):
        return redirect("manage-surveys")
    return render(request, "surveys/manage_settings.html", {"form": form})


@manager_required
@never_cache
def manage_announcements(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Write, preview, send. The first POST shows the preview; only "send" sends."""
    form = AnnouncementForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("step") == "send":
            try:
                announcement = announcement_send(
                    author=request.user.participant,
                    title=data["title"],
                    body=data["body"],
                    audience=data["audience"],
                )
            except ApplicationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Announcement sent to %(count)d people.")
                    % {"count": announcement.recipients},
                )
                return redirect("manage-announcements")
        else:
            preview = Announcement(
                title=data["title"].strip(), body=data["body"].strip(), audience=data["audience"]
            )
    listing = page_of(request, Announcement.objects.all())
    return render(
        request,
        "surveys/manage_announcements.html",
        {
            "form": form,
            "preview": preview,
            "announcements": listing.rows,
            "listing": listing,
        },
    )
