from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from saas.core.decorators import manager_required
from saas.core.errors import ApplicationError
from saas.core.forms import service_called
from saas.core.pagination import page_of, searched
from shared_apps.accounts.http import AuthenticatedHttpRequest
from tenant_apps.matching.models import Match, MatchRequest
from tenant_apps.matching.selectors import (
    PAIR_QUERY_MIN,
    PAIR_ROLES,
    PairChoices,
    active_matches_for,
    matches_for_manager,
    pair_choices,
    requests_for_mentor,
    requests_of_mentee,
)
from tenant_apps.matching.services import (
    MatchingRunReport,
    match_create_manual,
    match_end,
    matching_run,
    proposal_add,
    proposal_lock,
    proposal_remove,
    proposals_publish,
    request_accept,
    request_create,
    request_decline,
    suggestions_for,
)
from tenant_apps.participants.forms import RequestForm
from tenant_apps.participants.models import Participant
from tenant_apps.programs.selectors import program_settings_cached

# --- Participants --------------------------------------------------------------------------------


@never_cache
def my_pairing(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mentee: my mentor, or my suggestions and requests. Mentor: my mentees and the requests
    waiting for my answer."""
    participant: Participant = request.user.participant
    if participant.role == Participant.Role.MANAGER:
        return redirect("manage-matches")
    settings = program_settings_cached()
    context: dict[str, object] = {
        "participant": participant,
        "matches": active_matches_for(participant=participant),
        "mode": settings.matching_mode,
    }
    if participant.role == Participant.Role.MENTEE:
        requests = list(requests_of_mentee(mentee=participant))
        context["requests"] = requests
        has_mentor = any(True for _m in context["matches"])  # type: ignore[attr-defined]
        if settings.matching_mode == "choice" and not has_mentor and participant.is_available:
            context["suggestions"] = suggestions_for(mentee=participant)
            context["pending"] = sum(r.status == MatchRequest.Status.PENDING for r in requests)
            context["request_form"] = RequestForm()
    else:
        context["requests"] = requests_for_mentor(mentor=participant).filter(
            status=MatchRequest.Status.PENDING
        )
    return render(request, "matching/my_pairing.html", context)


@require_POST
def request_send(request: AuthenticatedHttpRequest, mentor_id: int) -> HttpResponse:
    mentor = get_object_or_404(Participant, pk=mentor_id, role=Participant.Role.MENTOR)
    form = RequestForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    service_called(
        request,
        lambda: request_create(mentee=request.user.participant, mentor=mentor, message=message),
        _("Your request has been sent."),
    )
    return redirect("my-pairing")


@require_POST
def request_answer(request: AuthenticatedHttpRequest, request_id: int, answer: str) -> HttpResponse:
    match_request = get_object_or_404(MatchRequest, pk=request_id)
    me = request.user.participant
    if match_request.mentor_id != me.pk:
        raise PermissionDenied
    if answer == "accepter":
        service_called(
            request, lambda: request_accept(request=match_request, by=me), _("Request accepted.")
        )
    elif answer == "refuser":
        service_called(
            request, lambda: request_decline(request=match_request, by=me), _("Request declined.")
        )
    else:
        raise Http404
    return redirect("my-pairing")


# --- The manager ----------------------------------------------------------------------------------


@manager_required
@never_cache
def manage_matches(request: HttpRequest) -> HttpResponse:
    names = (
        "mentee__user__first_name",
        "mentee__user__last_name",
        "mentor__user__first_name",
        "mentor__user__last_name",
    )
    matches = searched(request, matches_for_manager(), names)
    lists = {
        key: page_of(request, matches.filter(status=status), param=f"{key}_page")
        for key, status in (
            ("proposed", Match.Status.PROPOSED),
            ("active", Match.Status.ACTIVE),
            ("ended", Match.Status.ENDED),
        )
    }
    return render(
        request,
        "matching/manage_matches.html",
        {
            **{key: listing.rows for key, listing in lists.items()},
            **{f"{key}_listing": listing for key, listing in lists.items()},
            "listing": lists["active"],
            "proposed_total": matches_for_manager().filter(status=Match.Status.PROPOSED).count(),
            "pair": {role: _pair_choices(request.GET, role) for role in PAIR_ROLES},
            "pair_now": request.GET.get("now") == "1",
            "pair_query_min": PAIR_QUERY_MIN,
            "settings": program_settings_cached(),
        },
    )


# The manual pair: a search per role, not a list of everyone (issue 17 point 4). The form works
# without JavaScript: its search buttons post to manage_add, which comes back to the page with
# both searches and both choices in the query string; with htmx, manage_pair_search answers as
# the manager types.
PAIR_STATE = ("mentee_q", "mentee", "mentor_q", "mentor", "now")


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 19 else None


def _pair_choices(data: QueryDict, role: str) -> PairChoices:
    return pair_choices(
        role=role, query=data.get(f"{role}_q", ""), chosen_id=_id(data.get(role, ""))
    )


def _pair_form_url(data: QueryDict) -> str:
    """The pairs page with the pairing form as it was posted: searches and choices kept."""
    kept = {name: data.get(name, "").strip()[:100] for name in PAIR_STATE}
    query = urlencode({name: value for name, value in kept.items() if value})
    return reverse("manage-matches") + (f"?{query}" if query else "") + "#add-title"


@manager_required
@never_cache
def manage_pair_search(request: HttpRequest, role: str) -> HttpResponse:
    """The people of `role` the manager may pair, matching `?<role>_q=` (an HTML fragment of
    radios for the pairing form, and the count for its live region); the chosen one kept.
    The fragment is for htmx; opened any other way (a new tab, a bookmark) the same search
    is shown in the whole pairs page."""
    if request.headers.get("HX-Request") != "true":
        return redirect(_pair_form_url(request.GET))
    return render(
        request, "matching/_pair_search.html", {"choices": _pair_choices(request.GET, role)}
    )


RUN_LEFT_OUT = {
    "no_mentor": ngettext_lazy(
        "%(count)d mentee waiting, but no mentor is available.",
        "%(count)d mentees waiting, but no mentor is available.",
        "count",
    ),
    "hard_rule": ngettext_lazy(
        "%(count)d mentee with no compatible mentor (a hard rule, or a pair already made or "
        "refused).",
        "%(count)d mentees with no compatible mentor (a hard rule, or a pair already made or "
        "refused).",
        "count",
    ),
    "nothing_in_common": ngettext_lazy(
        "%(count)d mentee with no answer in common with any mentor who has room.",
        "%(count)d mentees with no answer in common with any mentor who has room.",
        "count",
    ),
    "no_room": ngettext_lazy(
        "%(count)d mentee whose compatible mentors have no place left.",
        "%(count)d mentees whose compatible mentors have no place left.",
        "count",
    ),
    "mentees_not_activated": ngettext_lazy(
        "%(count)d mentee has not activated their account yet.",
        "%(count)d mentees have not activated their account yet.",
        "count",
    ),
    "mentees_unavailable": ngettext_lazy(
        "%(count)d mentee is not available for a pairing at the moment.",
        "%(count)d mentees are not available for a pairing at the moment.",
        "count",
    ),
    "mentors_not_activated": ngettext_lazy(
        "%(count)d mentor has not activated their account yet.",
        "%(count)d mentors have not activated their account yet.",
        "count",
    ),
    "mentors_unavailable": ngettext_lazy(
        "%(count)d mentor is not available at the moment.",
        "%(count)d mentors are not available at the moment.",
        "count",
    ),
    "mentors_full": ngettext_lazy(
        "%(count)d mentor has no place left.", "%(count)d mentors have no place left.", "count"
    ),
}


def _run_messages(report: MatchingRunReport) -> tuple[list[str], list[str]]:
    """The run in words: what was proposed; then who was left out and why (counts only)."""
    if report.proposed:
        done = [
            ngettext(
                "%(count)d new proposal is ready for your review.",
                "%(count)d new proposals are ready for your review.",
                report.proposed,
            )
            % {"count": report.proposed}
        ]
    else:
        done = [_("No new proposal.")]
    if report.locked:
        done.append(
            ngettext(
                "%(count)d locked proposal kept.", "%(count)d locked proposals kept.", report.locked
            )
            % {"count": report.locked}
        )
    counts = {**report.unmatched, **report.left_out}
    left_out = [
        str(wording % {"count": counts[key]})
        for key, wording in RUN_LEFT_OUT.items()
        if counts.get(key)
    ]
    return done, left_out


@manager_required
@require_POST
def manage_run(request: HttpRequest) -> HttpResponse:
    try:
        report = matching_run()
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("manage-matches")
    done, left_out = _run_messages(report)
    for line in done:
        messages.success(request, line)
    if left_out:
        messages.info(request, _("Left out of this run, and why:"))
    for line in left_out:
        messages.info(request, line)
    return redirect("manage-matches")


@manager_required
@never_cache
def manage_publish(request: HttpRequest) -> HttpResponse:
    """Publishing emails everyone concerned and cannot be taken back: a page says so and asks
    first (a POST that does not come from it only shows that page)."""
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            count = proposals_publish()
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("manage-matches")
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d pair published: both people have been told by email.",
                    "%(count)d pairs published: both people of each pair have been told by email.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("No proposal to publish."))
        return redirect("manage-matches")
    listing = page_of(request, matches_for_manager().filter(status=Match.Status.PROPOSED))
    total = listing.total or 0
    return render(
        request,
        "matching/publish_confirm.html",
        {"proposed": listing.rows, "listing": listing, "total": total, "people": 2 * total},
    )


@manager_required
@require_POST
def manage_add(request: HttpRequest) -> HttpResponse:
    """The pairing form: its search buttons (`action=chercher`) only come back to the page with
    the searches and choices kept; otherwise pair the two people chosen. A refusal comes back
    the same way, with the reason, so that neither choice is lost."""
    back = _pair_form_url(request.POST)
    if request.POST.get("action") == "chercher":
        return redirect(back)
    ids = {role: _id(request.POST.get(role, "")) for role in PAIR_ROLES}
    people = Participant.objects.select_related("user").in_bulk(
        [pk for pk in ids.values() if pk is not None]
    )
    mentee, mentor = (people.get(ids[role] or 0) for role in PAIR_ROLES)
    if mentee is None or mentor is None:
        messages.error(request, _("Choose a mentee and a mentor: search for each by name."))
        return redirect(back)
    if request.POST.get("now"):
        done = service_called(
            request, lambda: match_create_manual(mentee=mentee, mentor=mentor), _("Pair created.")
        )
    else:
        done = service_called(
            request, lambda: proposal_add(mentee=mentee, mentor=mentor), _("Proposal added.")
        )
    return redirect("manage-matches") if done else redirect(back)


@manager_required
@require_POST
def manage_match_action(request: HttpRequest, match_id: int, action: str) -> HttpResponse:
    match = get_object_or_404(Match, pk=match_id)
    if action == "verrouiller":
        service_called(request, lambda: proposal_lock(match=match, is_locked=True), _("Locked."))
    elif action == "deverrouiller":
        service_called(request, lambda: proposal_lock(match=match, is_locked=False), _("Unlocked."))
    elif action == "retirer":
        service_called(request, lambda: proposal_remove(match=match), _("Proposal removed."))
    elif action == "terminer":
        reason = request.POST.get("reason", "")
        service_called(request, lambda: match_end(match=match, reason=reason), _("Pairing ended."))
    else:
        raise Http404
    return redirect("manage-matches")
