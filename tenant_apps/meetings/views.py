"""Meeting pages: my meetings, proposing, the meeting page (answer, move, cancel, outcome,
notes, next steps), the join page with the embedded video room, and the managers' list.

The room's URL is put in exactly one response: the join page's iframe, for one of the two
people, during the meeting's window."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from csp.decorators import csp_replace
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.log import audit_record
from saas.core.decorators import manager_required
from saas.core.errors import ApplicationError
from saas.core.forms import form_result, form_saved, service_called
from saas.core.pagination import page_of, page_slice, searched
from tenant_apps.meetings.forms import (
    CancelForm,
    DeclineForm,
    MeetingTextForm,
    NextStepsForm,
    NoteForm,
    ProposeForm,
    SlotsForm,
)
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.panels import meeting_panels
from tenant_apps.meetings.selectors import (
    JoinRefusal,
    called_off_meetings,
    current_slots,
    join_refusal,
    join_window,
    meeting_for_participant,
    meetings_for_manager,
    note_for,
    pairs_for,
    past_meetings,
    upcoming_meetings,
)
from tenant_apps.meetings.services.answering import meeting_accept, meeting_decline
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.moving import meeting_move_propose
from tenant_apps.meetings.services.notes import meeting_next_steps_save, meeting_note_save
from tenant_apps.meetings.services.outcome import external_id_for, meeting_outcome_set
from tenant_apps.meetings.services.proposing import meeting_propose
from tenant_apps.meetings.services.room import meeting_room_prepare
from tenant_apps.participants.models import Participant
from tenant_apps.participants.pages import own_or_404, participant_or_404
from tenant_apps.video.services import room_embed_url, room_origin

CAMERA_FEATURES = ("camera", "microphone", "display-capture", "fullscreen", "autoplay")


def _meeting_or_404(request: HttpRequest, meeting_id: int) -> tuple[Participant, Meeting]:
    return own_or_404(request, meeting_for_participant, meeting_id=meeting_id)


def _act(
    request: HttpRequest, meeting: Meeting, action: Callable[[], Any], done: str
) -> HttpResponse:
    service_called(request, action, done)
    return redirect("meeting-detail", meeting_id=meeting.pk)


def _refused(request: HttpRequest, meeting: Meeting, refusal: ApplicationError) -> HttpResponse:
    messages.error(request, str(refusal.message))
    return redirect("meeting-detail", meeting_id=meeting.pk)


# --- my meetings -------------------------------------------------------------------------------


@never_cache
def meetings_list(request: HttpRequest) -> HttpResponse:
    participant = participant_or_404(request)
    now = timezone.now()
    upcoming = upcoming_meetings(participant=participant, now=now)
    past_listing = page_slice(
        request, past_meetings(participant=participant, now=now), per_page=20, param="past_page"
    )
    called_off_listing = page_slice(
        request,
        called_off_meetings(participant=participant, now=now),
        per_page=20,
        param="called_off_page",
    )
    past, called_off = past_listing.rows, called_off_listing.rows
    context = {
        "upcoming": [(m, m.other(participant)) for m in upcoming],
        "called_off": [(m, m.other(participant)) for m in called_off],
        "past": [(m, m.other(participant)) for m in past],
        "past_listing": past_listing,
        "called_off_listing": called_off_listing,
        "has_pair": pairs_for(participant=participant).exists(),
        "participant": participant,
    }
    return render(request, "meetings/meetings.html", context)


@never_cache
def meeting_propose_view(request: HttpRequest) -> HttpResponse:
    participant = participant_or_404(request)
    pairs = list(pairs_for(participant=participant))
    if not pairs:
        return render(request, "meetings/propose.html", {"form": None})
    form = ProposeForm(request.POST or None, participant=participant, pairs=pairs)
    meeting = form_result(
        request,
        form,
        lambda: meeting_propose(
            match=form.chosen_pair(),
            by=participant,
            slots=form.slots(),
            time_zone=form.cleaned_data["time_zone"],
        ),
    )
    if meeting is not None:
        messages.success(request, _("Your proposal has been sent."))
        return redirect("meeting-detail", meeting_id=meeting.pk)
    return render(request, "meetings/propose.html", {"form": form})


# --- one meeting ---------------------------------------------------------------------------------


def _join_context(meeting: Meeting, participant: Participant) -> dict[str, Any]:
    now = timezone.now()
    refusal = join_refusal(meeting=meeting, participant=participant, now=now)
    if refusal == JoinRefusal.PREPARING and meeting is not None:  # (it always is then)
        meeting_room_prepare(meeting=meeting)
    window = join_window(meeting=meeting)
    return {
        "meeting": meeting,
        "can_join": refusal is None,
        "join_opens_later": refusal == JoinRefusal.TOO_EARLY,
        "join_is_preparing": refusal == JoinRefusal.PREPARING,
        "join_is_over": refusal == JoinRefusal.OVER,
        "join_opens_at": window[0] if window else None,
        "is_joinable_later": refusal in (JoinRefusal.TOO_EARLY, JoinRefusal.PREPARING),
    }


def meeting_actions(meeting: Meeting, participant: Participant, now: datetime) -> dict[str, bool]:
    """What the meeting page offers `participant` at `now`: the model's predicates, which the
    services' guards mirror (meetings/tests/test_state_machine.py checks they agree)."""
    return {
        "can_accept": meeting.can_accept(participant),
        "can_decline": meeting.can_decline(participant),
        "can_move": meeting.can_move(participant, now),
        "can_cancel": meeting.can_cancel(participant, now),
        "can_mark": meeting.can_mark_outcome(participant, now),
        "can_edit_steps": meeting.can_edit_next_steps(participant),
        "can_write_note": meeting.can_write_note(participant),
    }


@never_cache
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    participant, meeting = _meeting_or_404(request, meeting_id)
    now = timezone.now()
    note = note_for(meeting=meeting, participant=participant)
    slots = list(current_slots(meeting=meeting)) if meeting.is_waiting_for_answer else []
    context = {
        **_join_context(meeting, participant),
        **meeting_actions(meeting, participant, now),
        "participant": participant,
        "other": meeting.other(participant),
        "slots": slots,
        # the times that can still be taken: the others are shown without a button
        "open_slot_ids": {s.pk for s in slots if meeting.can_accept_slot(participant, s, now)},
        "decline_form": DeclineForm(prefix="decline"),
        "note_form": NoteForm(initial={"text": note.text if note else ""}),
        "next_steps_form": NextStepsForm(initial={"text": meeting.next_steps}),
        "attendance": meeting.attendance.select_related("participant__user"),
        "panels": meeting_panels(meeting=meeting, participant=participant),
    }
    return render(request, "meetings/meeting.html", context)


@never_cache
def meeting_join_status(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The join area of the meeting page, polled by htmx: the button appears at the right time
    (it links to the join page; the room's URL is never in this fragment)."""
    participant, meeting = _meeting_or_404(request, meeting_id)
    return render(request, "meetings/_join.html", _join_context(meeting, participant))


@require_POST
def meeting_accept_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    participant, meeting = _meeting_or_404(request, meeting_id)
    slot_id = request.POST.get("slot", "")
    if not slot_id.isdigit():
        messages.error(request, _("Choose one of the proposed times."))
        return redirect("meeting-detail", meeting_id=meeting.pk)
    return _act(
        request,
        meeting,
        lambda: meeting_accept(meeting=meeting, by=participant, slot_id=int(slot_id)),
        _("The meeting is confirmed. The invitation is on its way to your mailbox."),
    )


@require_POST
def meeting_decline_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    participant, meeting = _meeting_or_404(request, meeting_id)
    form = DeclineForm(request.POST, prefix="decline")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        meeting,
        lambda: meeting_decline(meeting=meeting, by=participant, reason=reason),
        _("Your answer has been sent."),
    )


@never_cache
def meeting_move_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    participant, meeting = _meeting_or_404(request, meeting_id)
    if request.method != "POST" and (refusal := meeting.move_refusal(participant, timezone.now())):
        return _refused(request, meeting, refusal)  # no form for what the service would refuse
    form = SlotsForm(
        request.POST or None,
        initial={"time_zone": meeting.time_zone, "duration": _duration_minutes(meeting)},
    )
    if form_saved(
        request,
        form,
        lambda: meeting_move_propose(
            meeting=meeting,
            by=participant,
            slots=form.slots(),
            time_zone=form.cleaned_data["time_zone"],
        ),
        _("Your proposal has been sent."),
    ):
        return redirect("meeting-detail", meeting_id=meeting.pk)
    context = {"form": form, "meeting": meeting, "other": meeting.other(participant)}
    return render(request, "meetings/move.html", context)


def _duration_minutes(meeting: Meeting) -> int:
    if meeting.starts_at is None or meeting.ends_at is None:
        return 60
    return int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)


@never_cache
def meeting_cancel_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    participant, meeting = _meeting_or_404(request, meeting_id)
    if request.method != "POST" and (
        refusal := meeting.cancel_refusal(participant, timezone.now())
    ):
        return _refused(request, meeting, refusal)  # no form for what the service would refuse
    form = CancelForm(request.POST or None)
    if form_saved(
        request,
        form,
        lambda: meeting_cancel(meeting=meeting, by=participant, reason=form.cleaned_data["reason"]),
        _("The meeting is cancelled."),
    ):
        return redirect("meeting-detail", meeting_id=meeting.pk)
    context = {"form": form, "meeting": meeting, "other": meeting.other(participant)}
    return render(request, "meetings/cancel.html", context)


@require_POST
def meeting_outcome_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    participant, meeting = _meeting_or_404(request, meeting_id)
    outcome = request.POST.get("outcome")
    if outcome not in ("held", "not_held"):
        messages.error(request, _("Say whether the meeting took place."))
        return redirect("meeting-detail", meeting_id=meeting.pk)
    return _act(
        request,
        meeting,
        lambda: meeting_outcome_set(meeting=meeting, by=participant, is_held=outcome == "held"),
        _("Saved."),
    )


def _text_save(
    request: HttpRequest, meeting_id: int, form: MeetingTextForm, save: Callable[..., object]
) -> HttpResponse:
    """The two text boxes of the meeting page: my notes, the shared next steps."""
    participant, meeting = _meeting_or_404(request, meeting_id)
    if not form.is_valid():
        messages.error(request, str(form.too_long))
        return redirect("meeting-detail", meeting_id=meeting.pk)
    text = form.cleaned_data["text"]
    return _act(
        request, meeting, lambda: save(meeting=meeting, by=participant, text=text), str(form.saved)
    )


@require_POST
def meeting_note_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _text_save(request, meeting_id, NoteForm(request.POST), meeting_note_save)


@require_POST
def meeting_next_steps_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _text_save(request, meeting_id, NextStepsForm(request.POST), meeting_next_steps_save)


# --- the video room ------------------------------------------------------------------------------


def _refusal_message(refusal: str, meeting: Meeting | None) -> str:
    if refusal == JoinRefusal.CANCELLED:
        return _("This meeting was cancelled: its video room is closed.")
    if refusal == JoinRefusal.NOT_CONFIRMED:
        return _("This meeting is not confirmed yet: its video room opens once it is.")
    if refusal == JoinRefusal.TOO_EARLY:
        return _("The video room opens 15 minutes before the start of the meeting.")
    if refusal == JoinRefusal.OVER:
        return _("This meeting is over: its video room is closed.")
    if refusal == JoinRefusal.PREPARING:
        return _("The video room is being prepared. Try again in a minute.")
    return _("Only the two people of this meeting can join its video room.")


def _embed(request: HttpRequest, meeting: Meeting, participant: Participant) -> HttpResponseBase:
    """The page with the room in an iframe: the host URL for the mentor, the person's name and
    the French interface. Its CSP lets this page, and only this one, frame the room's origin;
    its Permissions-Policy lets that origin use the camera and the microphone."""
    is_mentor = participant.pk == meeting.match.mentor_id
    room_url = meeting.video_host_room_url if is_mentor else meeting.video_room_url
    src = room_embed_url(
        room_url=room_url,
        display_name=participant.user.get_full_name() or _("Participant"),
        external_id=external_id_for(participant),
        lang="fr",
    )
    origin = room_origin(room_url)

    @csp_replace({"frame-src": [origin]})
    def page(request: HttpRequest) -> HttpResponse:
        context = {"meeting": meeting, "other": meeting.other(participant), "room_src": src}
        response = render(request, "meetings/join.html", context)
        response["Permissions-Policy"] = ", ".join(
            f'{feature}=(self "{origin}")' for feature in CAMERA_FEATURES
        )
        response["Referrer-Policy"] = "no-referrer"
        return response

    return page(request)


@never_cache
def meeting_join(request: HttpRequest, meeting_id: int) -> HttpResponseBase:
    """/rendez-vous/<id>/visio: only the two people of the meeting, logged in to this
    programme, from 15 minutes before the start to 30 minutes after the end. Anyone else gets
    a refusal page without the room's URL."""
    participant = getattr(request.user, "participant", None)
    meeting = (
        meeting_for_participant(participant=participant, meeting_id=meeting_id)
        if participant is not None
        else None
    )
    refusal = join_refusal(meeting=meeting, participant=participant, now=timezone.now())
    if refusal == JoinRefusal.PREPARING and meeting is not None:  # (it always is then)
        meeting_room_prepare(meeting=meeting)
    if refusal is not None:
        context = {
            "message": _refusal_message(refusal, meeting),
            "meeting": meeting if refusal != JoinRefusal.NOT_YOURS else None,
            "refusal": refusal,
        }
        status = 409 if refusal == JoinRefusal.PREPARING else 403
        return render(request, "meetings/join_refused.html", context, status=status)
    assert meeting is not None and participant is not None  # no refusal: both are known
    return _embed(request, meeting, participant)


# --- managers ------------------------------------------------------------------------------------


@manager_required
@never_cache
def manage_meetings(request: HttpRequest) -> HttpResponse:
    """The programme's meetings: who, when, status — never notes nor the video room."""
    status = request.GET.get("status", "")
    status = status if status in Meeting.Status.values else ""
    names = (
        "match__mentee__user__first_name",
        "match__mentee__user__last_name",
        "match__mentor__user__first_name",
        "match__mentor__user__last_name",
    )
    listing = page_of(request, searched(request, meetings_for_manager(status=status), names))
    meetings = listing.rows
    # A manager reading who meets whom (DESIGN §3: views of other people's data are audited).
    audit_record(action="meetings.list_viewed", details={"status": status, "rows": len(meetings)})
    context = {
        "meetings": meetings,
        "listing": listing,
        "statuses": Meeting.Status.choices,
        "status": status,
    }
    return render(request, "meetings/manage_meetings.html", context)
