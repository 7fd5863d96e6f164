"""Pages of the relationship: my presentation, the pair page, the pair's thread, goals, the
mentors a mentee can browse, and the manager's pages (quiet pairs and counts, goal templates).

A manager never reads a pair's page, thread or goals: those views answer 404 to anyone who is
not one of the two people."""

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST

from audit.log import audit_record
from saas.core.decorators import manager_required
from saas.core.errors import ApplicationError
from saas.core.forms import form_add_errors, form_saved, service_called
from saas.core.pagination import page_of
from tenant_apps.matching.models import Match, MatchRequest
from tenant_apps.matching.services import suggestions_for
from tenant_apps.mentoring.forms import (
    GoalEditForm,
    GoalForm,
    GoalFromTemplateForm,
    GoalTemplateForm,
    MentoringSettingsForm,
    MessageForm,
    ProfileForm,
)
from tenant_apps.mentoring.models import LANGUAGE_CHOICES, Goal, GoalTemplate, photo_path
from tenant_apps.mentoring.selectors import (
    can_see_profile,
    engaged_pairs,
    goal_for,
    goal_templates,
    goals_of,
    mentoring_settings,
    other_in,
    pair_for,
    pair_meetings,
    pair_with_unread_for,
    profile_cards,
    profile_of,
    quiet_pairs_describe,
    quiet_pairs_rows,
    shared_in_words,
    thread_before,
)
from tenant_apps.mentoring.services import (
    goal_create,
    goal_delete,
    goal_status_set,
    goal_template_archive,
    goal_template_save,
    goal_update,
    mentoring_settings_update,
    message_send,
    profile_photo_remove,
    profile_photo_set,
    profile_update,
    thread_mark_read,
)
from tenant_apps.participants.forms import RequestForm
from tenant_apps.participants.models import Participant
from tenant_apps.participants.pages import own_or_404, participant_or_404
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.selectors import program_settings_cached


def _pair_or_404(request: HttpRequest, match_id: int) -> tuple[Participant, Match]:
    return own_or_404(request, pair_for, match_id=match_id)


# --- my presentation -----------------------------------------------------------------------------


@never_cache
def profile_edit(request: HttpRequest) -> HttpResponse:
    participant = participant_or_404(request)
    profile = profile_of(participant=participant)
    initial = {
        "bio": profile.bio,
        "job_title": profile.job_title,
        "entity": profile.entity,
        "languages": profile.languages,
        "notify_messages": profile.notify_messages,
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile_update(
                participant=participant,
                bio=data["bio"],
                job_title=data["job_title"],
                entity=data["entity"],
                languages=data["languages"],
                notify_messages=data["notify_messages"],
            )
            if data["remove_photo"]:
                profile_photo_remove(participant=participant)
            elif data["photo"]:
                profile_photo_set(
                    participant=participant, file=data["photo"], size=data["photo"].size
                )
        except ApplicationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Your presentation is saved."))
            return redirect("profile-edit")
    card = profile_cards(participants=[participant])[participant.pk]
    return render(request, "mentoring/profile_edit.html", {"form": form, "card": card})


@cache_control(private=True, max_age=3600)
def profile_photo(request: HttpRequest, participant_id: int) -> FileResponse:
    """A person's photo, to whoever may see their profile (logged in here; never a public
    URL)."""
    viewer = participant_or_404(request)
    owner = get_object_or_404(Participant, pk=participant_id)
    if not can_see_profile(viewer=viewer, owner=owner):
        raise Http404
    if not profile_of(participant=owner).has_photo:
        raise Http404
    path = photo_path(owner)
    if not default_storage.exists(path):
        raise Http404
    return FileResponse(default_storage.open(path, "rb"), content_type="image/jpeg")


# --- the pair page -------------------------------------------------------------------------------


@never_cache
def pair_page(request: HttpRequest, match_id: int) -> HttpResponse:
    participant, match = own_or_404(request, pair_with_unread_for, match_id=match_id)
    other = other_in(match, participant)
    card = profile_cards(participants=[other])[other.pk]
    templates = list(goal_templates())
    is_active = match.status == Match.Status.ACTIVE
    now = timezone.now()
    context = {
        "participant": participant,
        "match": match,
        "other": other,
        "card": card,
        "shared": shared_in_words(match.explanation),
        "meetings": pair_meetings(match=match),
        "now": now,
        "goals": goals_of(match=match),
        "statuses": Goal.Status.choices,
        "goal_form": GoalForm(prefix="goal") if is_active else None,
        "template_form": GoalFromTemplateForm(
            prefix="tpl", templates=goal_templates(), shown=templates
        )
        if is_active and templates
        else None,
        "unread": match.unread_count,  # type: ignore[attr-defined]
        "is_active": is_active,
    }
    return render(request, "mentoring/pair.html", context)


@never_cache
def pair_messages(request: HttpRequest, match_id: int) -> HttpResponse:
    participant, match = own_or_404(request, pair_with_unread_for, match_id=match_id)
    is_active = match.status == Match.Status.ACTIVE
    form = MessageForm(request.POST or None) if is_active else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                message_send(match=match, by=participant, body=form.cleaned_data["body"])
            except ApplicationError as exc:
                form_add_errors(form, exc)
            else:
                return redirect(f"{request.path}#latest")
    elif match.unread_count:  # type: ignore[attr-defined]
        # Only when the other person wrote since the last reading: viewing an up-to-date
        # thread writes nothing (no transaction, no WAL flush on every view).
        thread_mark_read(match=match, by=participant)
    asked = request.GET.get("avant", "")
    before = int(asked) if asked.isdigit() and len(asked) < 12 else None
    messages_list, has_older = thread_before(match=match, before=before)
    context = {
        "participant": participant,
        "match": match,
        "other": other_in(match, participant),
        "messages_list": messages_list,
        "older_href": f"?avant={messages_list[0].pk}" if has_older else "",
        "is_older_page": before is not None,
        "form": form,
    }
    return render(request, "mentoring/messages.html", context)


# --- goals ---------------------------------------------------------------------------------------


@require_POST
def goal_add(request: HttpRequest, match_id: int) -> HttpResponse:
    participant, match = _pair_or_404(request, match_id)
    if "tpl-template" in request.POST:
        form: Any = GoalFromTemplateForm(request.POST, prefix="tpl", templates=goal_templates())
        if form.is_valid():
            template = form.cleaned_data["template"]
            service_called(
                request,
                lambda: goal_create(match=match, by=participant, template=template),
                _("Goal added."),
            )
        else:
            messages.error(request, _("Choose one of the goals offered."))
    else:
        form = GoalForm(request.POST, prefix="goal")
        if form.is_valid():
            data = form.cleaned_data
            service_called(
                request,
                lambda: goal_create(
                    match=match,
                    by=participant,
                    title=data["title"],
                    description=data["description"],
                    target_date=data["target_date"],
                ),
                _("Goal added."),
            )
        else:
            messages.error(request, _("Give the goal a title (200 characters at most)."))
    return redirect(f"{match_url(match)}#goals")


def match_url(match: Match) -> str:
    from django.urls import reverse

    return reverse("pair", args=[match.pk])


def _goal_or_404(request: HttpRequest, goal_id: int) -> tuple[Participant, Goal]:
    return own_or_404(request, goal_for, goal_id=goal_id)


@never_cache
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    participant, goal = _goal_or_404(request, goal_id)
    form = GoalEditForm(
        request.POST or None,
        initial={
            "title": goal.title,
            "description": goal.description,
            "target_date": goal.target_date,
            "status": goal.status,
        },
    )
    if form_saved(
        request,
        form,
        lambda: goal_update(
            goal=goal,
            by=participant,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            target_date=form.cleaned_data["target_date"],
            status=form.cleaned_data["status"],
        ),
        _("Goal saved."),
    ):
        return redirect(f"{match_url(goal.match)}#goals")
    context = {"form": form, "goal": goal, "other": other_in(goal.match, participant)}
    return render(request, "mentoring/goal_edit.html", context)


@require_POST
def goal_status(request: HttpRequest, goal_id: int) -> HttpResponse:
    participant, goal = _goal_or_404(request, goal_id)
    status = request.POST.get("status", "")
    service_called(
        request,
        lambda: goal_status_set(goal=goal, by=participant, status=status),
        _("Status updated."),
    )
    back = request.POST.get("next", "")
    if back.startswith("/rendez-vous/") and back[13:].rstrip("/").isdigit():
        return redirect(back)  # from a meeting page: back to it
    return redirect(f"{match_url(goal.match)}#goals")


@require_POST
def goal_remove(request: HttpRequest, goal_id: int) -> HttpResponse:
    participant, goal = _goal_or_404(request, goal_id)
    service_called(request, lambda: goal_delete(goal=goal, by=participant), _("Goal deleted."))
    return redirect(f"{match_url(goal.match)}#goals")


# --- mentors a mentee can browse (mentee-choice programmes) --------------------------------------


@never_cache
def mentor_browse(request: HttpRequest) -> HttpResponse:
    participant = participant_or_404(request)
    settings = program_settings_cached()
    is_choosing = (
        participant.role == Participant.Role.MENTEE
        and settings.matching_mode == ProgramSettings.MatchingMode.CHOICE
        and participant.is_available
        and not Match.objects.filter(mentee=participant, status=Match.Status.ACTIVE).exists()
    )
    if not is_choosing:
        return render(request, "mentoring/mentors.html", {"is_choosing": False})
    found = suggestions_for(mentee=participant, k=50)
    cards = profile_cards(participants=[mentor for mentor, _s in found])
    entity = request.GET.get("entity", "").strip()[:150]
    language = request.GET.get("language", "").strip()[:5]
    entities = sorted({c.profile.entity for c in cards.values() if c.profile.entity})
    shown = []
    for mentor, suggestion in found:
        card = cards[mentor.pk]
        if entity and card.profile.entity != entity:
            continue
        if language and language not in card.profile.languages:
            continue
        shown.append(
            {
                "mentor": mentor,
                "card": card,
                "score": round(suggestion.score),
                "reasons": shared_in_words(suggestion.explanation),
            }
        )
    pending = MatchRequest.objects.filter(
        mentee=participant, status=MatchRequest.Status.PENDING
    ).count()
    context = {
        "is_choosing": True,
        "suggestions": shown,
        "total": len(found),
        "entities": entities,
        "languages": LANGUAGE_CHOICES,
        "entity": entity,
        "language": language,
        "pending": pending,
        "request_form": RequestForm(),
    }
    return render(request, "mentoring/mentors.html", context)


# --- the manager ---------------------------------------------------------------------------------


@manager_required
@never_cache
def manage_mentoring(request: HttpRequest) -> HttpResponse:
    """Quiet pairs (no meeting for N days) and every active pair's counts: messages, goals —
    never their content."""
    settings = mentoring_settings()
    form = MentoringSettingsForm(
        request.POST or None,
        initial={
            "nudge_after_days": settings.nudge_after_days,
            "message_retention_months": settings.message_retention_months,
        },
    )
    if form_saved(
        request,
        form,
        lambda: mentoring_settings_update(**form.cleaned_data),
        _("Settings saved."),
    ):
        return redirect("manage-mentoring")
    now = timezone.now()
    quiet_listing = page_of(
        request,
        quiet_pairs_rows(now=now, days=settings.nudge_after_days),
        param="quiet_page",
    )
    quiet = quiet_pairs_describe(rows=quiet_listing.rows, now=now)
    pairs_listing = page_of(request, engaged_pairs(now=now), param="pairs_page")
    pairs = pairs_listing.rows
    audit_record(action="mentoring.pairs_viewed", details={"rows": len(pairs)})
    context = {
        "form": form,
        "quiet": quiet,
        "pairs": pairs,
        "quiet_listing": quiet_listing,
        "pairs_listing": pairs_listing,
        "settings": settings,
    }
    return render(request, "mentoring/manage_mentoring.html", context)


@manager_required
@never_cache
def manage_goal_templates(request: HttpRequest) -> HttpResponse:
    form = GoalTemplateForm(request.POST or None)
    if form_saved(
        request,
        form,
        lambda: goal_template_save(template=None, **form.cleaned_data),
        _("Goal template added."),
    ):
        return redirect("manage-goal-templates")
    listing = page_of(request, goal_templates(include_archived=True))
    return render(
        request,
        "mentoring/manage_goal_templates.html",
        {"form": form, "templates": listing.rows, "listing": listing},
    )


@manager_required
@never_cache
def manage_goal_template(request: HttpRequest, goaltemplate_id: int) -> HttpResponse:
    template = get_object_or_404(GoalTemplate, pk=goaltemplate_id)
    form = GoalTemplateForm(
        request.POST or None,
        initial={"title": template.title, "description": template.description},
    )
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action in ("archive", "restore"):
            service_called(
                request,
                lambda: goal_template_archive(template=template, is_archived=action == "archive"),
                _("Goal template archived.")
                if action == "archive"
                else _("Goal template restored."),
            )
            return redirect("manage-goal-templates")
        if form_saved(
            request,
            form,
            lambda: goal_template_save(template=template, **form.cleaned_data),
            _("Goal template saved."),
        ):
            return redirect("manage-goal-templates")
    return render(
        request, "mentoring/manage_goal_template.html", {"form": form, "template": template}
    )
