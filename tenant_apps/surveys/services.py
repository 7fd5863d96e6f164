"""Writes of the feedback app: inviting people to surveys (after a held meeting, the check-ins,
the end of a pair, the end of the programme), reminding them at most twice, storing answers
(without any link to the person when the survey is aggregated-only), the manager's settings
and announcements, and the person's erasure and the retention rule.

An answer writes no audit row: who answered when would name the author of an aggregated-only
answer. The managers' actions are audited.
"""

from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.db.models.functions import TruncDay
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_exempt, audit_record, audit_unchanged, audited
from saas.core.errors import Conflict, NotAllowed, ValidationFailed
from saas.core.tenancy import connection
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.notifications.services import email_queue
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import Question
from tenant_apps.surveys.models import (
    Announcement,
    Audience,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    audience_roles,
)
from tenant_apps.surveys.selectors import survey_questions, survey_settings

TOKEN_MAX_AGE = timedelta(days=90)
MAX_REMINDERS = 2
MEETING_LOOKBACK = timedelta(days=14)  # held meetings older than this get no feedback request
SCALE = range(1, 6)
NPS = range(0, 11)

# --- Links answerable from the email --------------------------------------------------------------


def _token_salt() -> str:
    # A token of one programme means nothing in another.
    return f"binome.surveys.answer:{connection.schema_name}"


@audit_exempt("pure: signs a link")
def answer_token(*, invitation: SurveyInvitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=_token_salt(), compress=True)


@audit_exempt("reads a signed link; writes nothing")
def invitation_from_token(*, token: str) -> SurveyInvitation | None:
    try:
        data = signing.loads(token, salt=_token_salt(), max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    return (
        SurveyInvitation.objects.select_related("survey", "participant__user")
        .filter(pk=data["i"], participant__status=Participant.Status.ACTIVE)
        .first()
    )


def _answer_url(invitation: SurveyInvitation, score: int | None = None) -> str:
    path = f"/retours/lien/{answer_token(invitation=invitation)}/"
    if score is not None:
        path += f"?note={score}"
    url: str = connection.tenant.url(path)
    return url


# --- Invitations --------------------------------------------------------------------------------


def _invite(
    survey: Survey,
    participant: Participant,
    occasion: str,
    *,
    now: datetime,
    match: Match | None = None,
    meeting: Meeting | None = None,
) -> SurveyInvitation | None:
    """Ask `participant` once for this occasion (None when already asked, or not for them)."""
    if not survey.is_active or participant.status != Participant.Status.ACTIVE:
        return None
    if not survey.is_for(participant.role):
        return None
    invitation, created = SurveyInvitation.objects.get_or_create(
        survey=survey,
        participant=participant,
        occasion=occasion,
        defaults={"match": match, "meeting": meeting, "last_sent_at": now},
    )
    if not created:
        return None
    _email(invitation, reminder=False)
    return invitation


def _email(invitation: SurveyInvitation, *, reminder: bool) -> None:
    survey, participant = invitation.survey, invitation.participant
    context: dict[str, Any] = {
        "participant": participant,
        "survey_title": survey.title,
        "kind": survey.kind,
        "is_anonymous": survey.is_anonymous,
        "answer_url": _answer_url(invitation),
        "is_reminder": reminder,
    }
    template = "survey_reminder" if reminder else "survey_invitation"
    if survey.kind == Survey.Kind.MEETING and invitation.meeting_id:
        meeting = invitation.meeting
        assert meeting is not None
        first = next(iter(survey_questions(survey=survey, role=participant.role)), None)
        if first is not None and first.kind == Question.Kind.SCALE:
            context["question"] = first.label_for(participant.role)
            context["score_links"] = [(s, _answer_url(invitation, s)) for s in SCALE]
        context["meeting_day"] = meeting.starts_at
        context["time_zone"] = meeting.time_zone
        if not reminder:
            template = "meeting_feedback"
    # The link answers without logging in: the message is emptied once sent.
    email_queue(to=participant.user.email, template=template, context=context, has_secret=True)


def _survey(kind: str) -> Survey | None:
    return Survey.objects.filter(kind=kind, is_active=True).first()


@audit_exempt("invites to a survey when a pair ends; the ending is audited (matching.pair_ended)")
def pair_end_invite(*, match: Match, now: datetime | None = None) -> int:
    now = now or timezone.now()
    survey = _survey(Survey.Kind.PAIR_END)
    if survey is None:
        return 0
    people = Participant.objects.select_related("user").filter(
        pk__in=[match.mentee_id, match.mentor_id]
    )
    return sum(
        1
        for person in people
        if _invite(survey, person, f"pair_end:{match.pk}", now=now, match=match)
    )


@audit_exempt("signal receiver: hands over to pair_end_invite")
def pair_ended_receive(sender: Any, match: Match, **kwargs: Any) -> None:
    """Receiver of tenant_apps.matching.signals.pair_ended (in match_end's transaction)."""
    pair_end_invite(match=match)


def _meeting_feedback(now: datetime) -> int:
    survey = _survey(Survey.Kind.MEETING)
    if survey is None:
        return 0
    meetings = list(
        Meeting.objects.filter(status=Meeting.Status.HELD, ends_at__gte=now - MEETING_LOOKBACK)
        .select_related("match__mentee__user", "match__mentor__user")
        .order_by("pk")
    )
    if not meetings:
        return 0
    asked = set(
        SurveyInvitation.objects.filter(
            survey=survey, occasion__in=[f"meeting:{m.pk}" for m in meetings]
        ).values_list("participant_id", "occasion")
    )
    count = 0
    for meeting in meetings:
        occasion = f"meeting:{meeting.pk}"
        for person in (meeting.match.mentee, meeting.match.mentor):
            if (person.pk, occasion) in asked:
                continue
            with transaction.atomic():
                if _invite(survey, person, occasion, now=now, match=meeting.match, meeting=meeting):
                    count += 1
    return count


@audit_exempt("pure: computes which check-in is due")
def checkin_round(*, activated_at: datetime, now: datetime, first: int, every: int) -> int:
    """Which check-in is due (1 at day `first`, 2 at `first + every`…), 0 before the first."""
    days = (now - activated_at).days
    if days < first:
        return 0
    return (days - first) // every + 1


def _checkins(now: datetime) -> int:
    survey = _survey(Survey.Kind.CHECKIN)
    if survey is None:
        return 0
    config = survey_settings()
    first, every = config.checkin_first_days, config.checkin_every_days
    pairs = list(
        Match.objects.filter(
            status=Match.Status.ACTIVE,
            activated_at__lte=now - timedelta(days=first),
        ).select_related("mentee__user", "mentor__user")
    )
    due = {}
    for match in pairs:
        assert match.activated_at is not None
        index = checkin_round(activated_at=match.activated_at, now=now, first=first, every=every)
        due[match] = f"checkin:{match.pk}:{index}"
    asked = set(
        SurveyInvitation.objects.filter(survey=survey, occasion__in=due.values()).values_list(
            "participant_id", "occasion"
        )
    )
    count = 0
    for match, occasion in due.items():
        for person in (match.mentee, match.mentor):
            if (person.pk, occasion) not in asked:
                with transaction.atomic():
                    if _invite(survey, person, occasion, now=now, match=match):
                        count += 1
    return count


def _programme_end_send(survey: Survey, now: datetime) -> int:
    people = Participant.objects.select_related("user").filter(
        status=Participant.Status.ACTIVE, role__in=audience_roles(survey.audience)
    )
    count = sum(1 for person in people if _invite(survey, person, "programme_end", now=now))
    survey.sent_at = now
    survey.save(update_fields=["sent_at"])
    return count


def _programme_end(now: datetime) -> int:
    count = 0
    for survey in Survey.objects.filter(
        kind=Survey.Kind.PROGRAMME_END,
        is_active=True,
        sent_at__isnull=True,
        scheduled_for__lte=now,
    ):
        with transaction.atomic():
            survey = Survey.objects.select_for_update().get(pk=survey.pk)
            if survey.sent_at is None:
                count += _programme_end_send(survey, now)
    return count


@audit_exempt("delivery: reminds people of invitations already recorded")
def reminders_send(*, now: datetime | None = None) -> int:
    """Remind who has not answered, `reminder_after_days` after the invitation or the last
    reminder; at most two reminders, then stop. Safe to run twice: each reminder is counted
    under a conditional update before its email is queued, in the same transaction."""
    now = now or timezone.now()
    after = timedelta(days=survey_settings().reminder_after_days)
    due = SurveyInvitation.objects.filter(
        answered_at__isnull=True,
        reminders_sent__lt=MAX_REMINDERS,
        last_sent_at__lte=now - after,
        survey__is_active=True,
        participant__status=Participant.Status.ACTIVE,
    ).select_related("survey", "participant__user", "meeting")
    count = 0
    for invitation in due:
        with transaction.atomic():
            updated = SurveyInvitation.objects.filter(
                pk=invitation.pk,
                answered_at__isnull=True,
                reminders_sent=invitation.reminders_sent,
                last_sent_at=invitation.last_sent_at,
            ).update(reminders_sent=F("reminders_sent") + 1, last_sent_at=now)
            if updated:
                _email(invitation, reminder=True)
                count += 1
    return count


@audit_exempt(
    "scheduling job: asks for feedback on meetings and pairs already recorded, sends what a "
    "manager scheduled (audited then) and the reminders"
)
def surveys_due_process(*, now: datetime | None = None) -> dict[str, int]:
    """In one programme: feedback on held meetings, check-ins due, the end-of-programme survey
    when its date has come, reminders. Idempotent (one invitation per person and occasion)."""
    now = now or timezone.now()
    return {
        "meeting_feedback": _meeting_feedback(now),
        "checkins": _checkins(now),
        "programme_end": _programme_end(now),
        "reminders": reminders_send(now=now),
    }


# --- Answers ------------------------------------------------------------------------------------


def _clean_one(question: Question, raw: Any) -> tuple[Any, str | None]:
    allowed = {choice["value"] for choice in question.choices}
    if raw in (None, "", []):
        return None, (_("This question needs an answer.") if question.is_required else None)
    kind = question.kind
    if kind in (Question.Kind.SCALE, Question.Kind.NPS, Question.Kind.NUMBER):
        try:
            number = float(str(raw).replace(",", "."))
        except ValueError:
            return None, _("Enter a number.")
        if kind == Question.Kind.NUMBER:
            return number, None
        bounds = SCALE if kind == Question.Kind.SCALE else NPS
        if not number.is_integer() or int(number) not in bounds:
            return None, _("Choose one of the scores.")
        return int(number), None
    if kind == Question.Kind.SINGLE:
        return (raw, None) if raw in allowed else (None, _("Choose one of the options."))
    if kind == Question.Kind.MULTIPLE:
        values = sorted({v for v in raw if v in allowed})
        return (values, None) if values else (None, _("Choose among the options."))
    if kind == Question.Kind.YES_NO:
        return raw in (True, "yes", "true", "on", "1"), None
    return str(raw).strip()[:2000], None


@audit_exempt("pure: checks answers against the questions")
def answers_clean(*, questions: list[Question], raw_answers: dict[str, Any]) -> dict[str, Any]:
    cleaned, errors = {}, {}
    for question in questions:
        value, error = _clean_one(question, raw_answers.get(question.key))
        if error:
            errors[f"q_{question.key}"] = [error]
        elif value is not None:
            cleaned[question.key] = value
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    return cleaned


@audit_exempt(
    "a participant's answer: an audit row (who, when) would name the author of an "
    "aggregated-only answer"
)
@transaction.atomic
def survey_answer(
    *, invitation: SurveyInvitation, raw_answers: dict[str, Any], now: datetime | None = None
) -> SurveyResponse:
    """Store the answers once. For an aggregated-only survey the response holds the role and
    the month only, and the invitation keeps only the day it was answered."""
    now = now or timezone.now()
    invitation = (
        SurveyInvitation.objects.select_for_update()
        .select_related("survey", "participant")
        .get(pk=invitation.pk)
    )
    survey, participant = invitation.survey, invitation.participant
    if invitation.answered_at is not None:
        raise Conflict(_("You have already answered. Thank you!"))
    if not survey.is_active or participant.status != Participant.Status.ACTIVE:
        raise NotAllowed(_("This survey is closed."))
    cleaned = answers_clean(
        questions=survey_questions(survey=survey, role=participant.role), raw_answers=raw_answers
    )
    today = timezone.localdate(now)
    if survey.is_anonymous:
        response = SurveyResponse.objects.create(
            survey=survey, role=participant.role, answers=cleaned, submitted_on=today.replace(day=1)
        )
        invitation.answered_at = timezone.localtime(now).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    else:
        response = SurveyResponse.objects.create(
            survey=survey,
            participant=participant,
            role=participant.role,
            match_id=invitation.match_id,
            meeting_id=invitation.meeting_id,
            answers=cleaned,
            submitted_on=today,
            submitted_at=now,
        )
        invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    return response


# --- The manager's side -------------------------------------------------------------------------

SURVEY_FIELDS = ("title", "intro", "audience", "is_anonymous", "is_active")


def _anonymise(responses: Any) -> None:
    """Answers lose everything that ties them to a person (and their time of day)."""
    for response in responses.select_for_update():
        response.participant = None
        response.match = None
        response.meeting = None
        response.submitted_at = None
        response.submitted_on = response.submitted_on.replace(day=1)
        response.save(
            update_fields=["participant", "match", "meeting", "submitted_at", "submitted_on"]
        )


@transaction.atomic
@audited
def survey_update(*, survey: Survey, data: dict[str, Any]) -> Survey:
    """Change a survey's wording, audience, anonymity or whether it is sent. Turning a survey
    aggregated-only also strips the names from the answers already given."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    changed = [f for f in SURVEY_FIELDS if f in data and getattr(survey, f) != data[f]]
    if not changed:
        audit_unchanged()
        return survey
    became_anonymous = "is_anonymous" in changed and data["is_anonymous"]
    for name in changed:
        setattr(survey, name, data[name])
    survey.save(update_fields=[*changed, "updated_at"])
    if became_anonymous:
        _anonymise(SurveyResponse.objects.filter(survey=survey, participant__isnull=False))
        SurveyInvitation.objects.filter(survey=survey, answered_at__isnull=False).update(
            answered_at=TruncDay("answered_at")
        )
    audit_record(
        action="surveys.survey_changed",
        target=survey,
        details={"kind": survey.kind, "fields": changed},
    )
    return survey


@transaction.atomic
@audited
def programme_end_survey_schedule(
    *, survey: Survey, when: datetime | None, now: datetime | None = None
) -> int:
    """Send the end-of-programme survey now (`when` None) or on a date (the job sends it).
    Returns how many people were asked now."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.kind != Survey.Kind.PROGRAMME_END:
        raise NotAllowed(_("Only the end-of-programme survey is sent by the manager."))
    if survey.sent_at is not None:
        raise Conflict(_("This survey has already been sent."))
    if not survey.is_active:
        raise NotAllowed(_("This survey is switched off."))
    if when is not None and when <= now:
        when = None
    survey.scheduled_for = when or now
    survey.save(update_fields=["scheduled_for", "updated_at"])
    count = _programme_end_send(survey, now) if when is None else 0
    audit_record(
        action="surveys.programme_end_sent" if when is None else "surveys.programme_end_scheduled",
        target=survey,
        details={"people": count} if when is None else {"on": when.date().isoformat()},
    )
    return count


SETTINGS_BOUNDS = {
    "checkin_first_days": (7, 365),
    "checkin_every_days": (7, 365),
    "reminder_after_days": (1, 30),
    "retention_months": (1, 60),
}


@transaction.atomic
@audited
def survey_settings_update(*, data: dict[str, int]) -> None:
    config = survey_settings()
    errors = {
        name: [_("From %(low)d to %(high)d.") % {"low": low, "high": high}]
        for name, (low, high) in SETTINGS_BOUNDS.items()
        if name in data and not low <= data[name] <= high
    }
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    changed = {
        name: [getattr(config, name), data[name]]
        for name in SETTINGS_BOUNDS
        if name in data and getattr(config, name) != data[name]
    }
    if not changed:
        audit_unchanged()
        return
    for name, (_old, new) in changed.items():
        setattr(config, name, new)
    config.save()
    audit_record(action="surveys.settings_changed", details={"changes": changed})


@transaction.atomic
@audited
def announcement_send(
    *, author: Participant, title: str, body: str, audience: str, now: datetime | None = None
) -> Announcement:
    """The manager writes to everyone, to mentors or to mentees: an email to each active
    person (through the outbox) and the announcement on their feedback page."""
    title, body = title.strip(), body.strip()
    errors = {}
    if not title:
        errors["title"] = [_("Give a title.")]
    if not body:
        errors["body"] = [_("Write the message.")]
    if audience not in Audience.values:
        errors["audience"] = [_("Choose who receives it.")]
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    if not author.is_manager:
        raise NotAllowed(_("Only a manager writes announcements."))
    people = list(
        Participant.objects.select_related("user").filter(
            status=Participant.Status.ACTIVE, role__in=audience_roles(audience)
        )
    )
    announcement = Announcement.objects.create(
        title=title,
        body=body,
        audience=audience,
        author=author,
        sent_at=now or timezone.now(),
        recipients=len(people),
    )
    for person in people:
        email_queue(
            to=person.user.email,
            template="announcement",
            context={
                "participant": person,
                "title": title,
                "body": body,
                "page_url": connection.tenant.url("/retours/"),
            },
        )
    audit_record(
        action="surveys.announcement_sent",
        target=announcement,
        details={"audience": audience, "recipients": len(people)},
    )
    return announcement


# --- Erasure and retention ----------------------------------------------------------------------


@audit_exempt("a step of participant erasure, audited by the erasure (privacy.erased)")
def surveys_person_erase(*, participant: Participant) -> None:
    """The person's invitations go; their named answers stay as anonymous statistics (no
    person, pair, meeting, time of day) without their free text; their announcements stay,
    without an author."""
    SurveyInvitation.objects.filter(participant=participant).delete()
    texts = set(
        Question.all_forms.filter(
            question_set__survey__isnull=False, kind=Question.Kind.TEXT
        ).values_list("key", flat=True)
    )
    rows = SurveyResponse.objects.filter(participant=participant)
    for response in rows.select_for_update():
        response.answers = {k: v for k, v in response.answers.items() if k not in texts}
        response.save(update_fields=["answers"])
    _anonymise(rows)
    Announcement.objects.filter(author=participant).update(author=None)


@audit_exempt("a step of the retention job, audited by it (privacy.retention_applied)")
def surveys_retention_apply(*, now: datetime | None = None) -> int:
    """Answers, invitations and announcements older than the programme's period go."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=round(survey_settings().retention_months * 30.4375))
    deleted = SurveyResponse.objects.filter(submitted_on__lt=cutoff.date()).delete()[0]
    deleted += SurveyInvitation.objects.filter(created_at__lt=cutoff).delete()[0]
    deleted += Announcement.objects.filter(sent_at__lt=cutoff).delete()[0]
    return deleted


@audit_exempt("pure: states the retention rule for the register")
def surveys_retention_rules() -> list[dict[str, str]]:
    months = survey_settings().retention_months
    return [
        {
            "data": _("Survey answers, survey invitations and announcements"),
            "rule": _("deleted after %(months)d months") % {"months": months},
        }
    ]
