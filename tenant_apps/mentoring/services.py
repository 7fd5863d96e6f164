"""Writes of the relationship: profiles, messages, goals, goal templates, nudges, settings.

What the two people of a pair do between themselves (messages, goals) is their own activity,
not programme state: it is not audited (the audit log holds no content). What a manager does
(goal templates, settings) is. Emails go through the outbox and never carry a message's content
or a room's address."""

from datetime import date, datetime, timedelta
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_count, audit_exempt, audit_record, audit_unchanged, audited
from saas.core.errors import Conflict, NotAllowed, ValidationFailed
from tenant_apps.matching.models import Match
from tenant_apps.mentoring.models import (
    LANGUAGE_CHOICES,
    Goal,
    GoalTemplate,
    MentoringSettings,
    Message,
    Nudge,
    Profile,
    ThreadState,
    photo_path,
)
from tenant_apps.mentoring.photos import photo_prepare
from tenant_apps.mentoring.selectors import mentoring_settings, message_emails_due, quiet_pairs
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import email_about_other

PAIR_CONTENT = (
    "what the two people of a pair write between themselves (content is personal, never in "
    "the audit log); not programme state"
)
OWN_PROFILE = "a person's own profile, written by themself; not programme state"
MESSAGE_EMAIL_EVERY = timedelta(minutes=15)
MAX_MESSAGE_LENGTH = 5000
DAYS_PER_MONTH = 30.4375  # as tenant_apps.privacy.retention counts months


def _require_person(match: Match, by: Participant) -> None:
    if not match.involves(by):
        raise NotAllowed(_("Only the two people of this pair can do this."))


def _require_active(match: Match) -> None:
    if match.status != Match.Status.ACTIVE:
        raise Conflict(_("This pair has ended."))


# --- profiles ------------------------------------------------------------------------------------


def _profile_locked(participant: Participant) -> Profile:
    Profile.objects.get_or_create(participant=participant)
    return Profile.objects.select_for_update().get(participant=participant)


@audit_exempt(OWN_PROFILE)
@transaction.atomic
def profile_update(
    *,
    participant: Participant,
    bio: str,
    job_title: str,
    entity: str,
    languages: list[str],
    notify_messages: bool,
) -> Profile:
    errors: dict[str, list[str]] = {}
    if len(bio) > 1000:
        errors["bio"] = [_("1,000 characters at most.")]
    if len(job_title) > 150:
        errors["job_title"] = [_("150 characters at most.")]
    if len(entity) > 150:
        errors["entity"] = [_("150 characters at most.")]
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    profile = _profile_locked(participant)
    profile.bio = bio.strip()
    profile.job_title = " ".join(job_title.split())
    profile.entity = " ".join(entity.split())
    # known codes only, in the list's order
    profile.languages = [code for code, _label in LANGUAGE_CHOICES if code in set(languages)]
    profile.notify_messages = notify_messages
    profile.save()
    return profile


@audit_exempt(OWN_PROFILE)
@transaction.atomic
def profile_photo_set(*, participant: Participant, file: IO[bytes], size: int | None) -> Profile:
    """Check, resize and strip the upload, then store it under the person's files prefix (the
    programme's storage): replaced in place, deleted with the person."""
    data = photo_prepare(file, size=size)
    profile = _profile_locked(participant)
    path = photo_path(participant)
    default_storage.delete(path)
    stored = default_storage.save(path, ContentFile(data))
    if stored != path:  # a concurrent upload: keep ours under the one name
        default_storage.delete(stored)
        raise Conflict(_("Another upload of your photo is under way. Try again."))
    profile.photo_updated_at = timezone.now()
    profile.save(update_fields=["photo_updated_at", "updated_at"])
    return profile


@audit_exempt(OWN_PROFILE)
@transaction.atomic
def profile_photo_remove(*, participant: Participant) -> Profile:
    profile = _profile_locked(participant)
    default_storage.delete(photo_path(participant))
    profile.photo_updated_at = None
    profile.save(update_fields=["photo_updated_at", "updated_at"])
    return profile


# --- messages ------------------------------------------------------------------------------------


@audit_exempt(PAIR_CONTENT)
@transaction.atomic
def message_send(*, match: Match, by: Participant, body: str) -> Message:
    """Add a message to the pair's thread. The other person learns by email that a message is
    waiting (never what it says), at most once per MESSAGE_EMAIL_EVERY: see
    `message_emails_send`, run by beat."""
    _require_person(match, by)
    _require_active(match)
    body = body.strip()
    if not body:
        raise ValidationFailed(_("Write a message."), fields={"body": [_("Write a message.")]})
    if len(body) > MAX_MESSAGE_LENGTH:
        too_long = _("%(count)d characters at most.") % {"count": MAX_MESSAGE_LENGTH}
        raise ValidationFailed(too_long, fields={"body": [too_long]})
    message = Message.objects.create(match=match, author=by, body=body)
    # Writing is reading: the author has seen the thread up to their own message.
    ThreadState.objects.update_or_create(
        match=match, participant=by, defaults={"read_at": message.created_at}
    )
    return message


@audit_exempt(PAIR_CONTENT)
def thread_mark_read(*, match: Match, by: Participant, now: datetime | None = None) -> None:
    """`by` has read the thread up to `now`. The messages page calls it when the other person
    wrote since `by` last read: one statement (an upsert on the unique (match, participant)),
    not a transaction with a select-for-update and an update."""
    _require_person(match, by)
    ThreadState.objects.bulk_create(
        [ThreadState(match=match, participant=by, read_at=now or timezone.now())],
        update_conflicts=True,
        unique_fields=["match", "participant"],
        update_fields=["read_at"],
    )


@audit_exempt("delivery: tells people a message is waiting (no content); messages aren't audited")
def message_emails_send(*, now: datetime | None = None) -> int:
    """One email per (pair, person) with unread messages, at most one per MESSAGE_EMAIL_EVERY
    per thread, to people who did not switch them off. The email says that a message is
    waiting and links to the thread: no content, no name of anything written. Idempotent: the
    sent time is written with the email, under the thread state's row lock."""
    now = now or timezone.now()
    sent = 0
    for due in message_emails_due(now=now, every=MESSAGE_EMAIL_EVERY):
        with transaction.atomic():
            state, _created = ThreadState.objects.get_or_create(
                match_id=due.match_id, participant_id=due.recipient_id
            )
            state = ThreadState.objects.select_for_update().get(pk=state.pk)
            if state.emailed_at and state.emailed_at > now - MESSAGE_EMAIL_EVERY:
                continue  # another run sent it meanwhile
            match = Match.objects.select_related("mentee__user", "mentor__user").get(
                pk=due.match_id
            )
            recipient = match.mentee if match.mentee_id == due.recipient_id else match.mentor
            other = match.mentor if recipient.pk == match.mentee_id else match.mentee
            email_about_other(
                to=recipient,
                other=other,
                template="message_waiting",
                thread_url=match_thread_url(match),
            )
            state.emailed_at = now
            state.save(update_fields=["emailed_at"])
            sent += 1
    return sent


@audit_exempt("pure: builds a link")
def match_thread_url(match: Match) -> str:
    from django.urls import reverse

    from saas.core.tenancy import connection

    url: str = connection.tenant.url(reverse("pair-messages", args=[match.pk]))
    return url


# --- goals ---------------------------------------------------------------------------------------


def _goal_fields(title: str, description: str) -> tuple[str, str]:
    title = " ".join(title.split())
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the goal a title.")]
    elif len(title) > 200:
        errors["title"] = [_("200 characters at most.")]
    if len(description) > 2000:
        errors["description"] = [_("2,000 characters at most.")]
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    return title, description.strip()


@audit_exempt(PAIR_CONTENT)
@transaction.atomic
def goal_create(
    *,
    match: Match,
    by: Participant,
    title: str = "",
    description: str = "",
    target_date: date | None = None,
    template: GoalTemplate | None = None,
) -> Goal:
    """A goal for the pair, typed or taken from one of the manager's templates."""
    _require_person(match, by)
    _require_active(match)
    if template is not None:
        if template.is_archived:
            raise Conflict(_("This goal template is no longer offered."))
        title = title or template.title
        description = description or template.description
    title, description = _goal_fields(title, description)
    return Goal.objects.create(
        match=match,
        title=title,
        description=description,
        target_date=target_date,
        template=template,
    )


@audit_exempt(PAIR_CONTENT)
@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    by: Participant,
    title: str,
    description: str,
    target_date: date | None,
    status: str,
) -> Goal:
    goal = Goal.objects.select_for_update().select_related("match").get(pk=goal.pk)
    _require_person(goal.match, by)
    _require_active(goal.match)
    if status not in Goal.Status.values:
        raise ValidationFailed(_("Choose a status."), fields={"status": [_("Choose a status.")]})
    goal.title, goal.description = _goal_fields(title, description)
    goal.target_date = target_date
    goal.status = status
    goal.save()
    return goal


@audit_exempt(PAIR_CONTENT)
@transaction.atomic
def goal_status_set(*, goal: Goal, by: Participant, status: str) -> Goal:
    goal = Goal.objects.select_for_update().select_related("match").get(pk=goal.pk)
    _require_person(goal.match, by)
    _require_active(goal.match)
    if status not in Goal.Status.values:
        raise ValidationFailed(_("Choose a status."), fields={"status": [_("Choose a status.")]})
    goal.status = status
    goal.save(update_fields=["status", "updated_at"])
    return goal


@audit_exempt(PAIR_CONTENT)
@transaction.atomic
def goal_delete(*, goal: Goal, by: Participant) -> None:
    goal = Goal.objects.select_for_update().select_related("match").get(pk=goal.pk)
    _require_person(goal.match, by)
    _require_active(goal.match)
    goal.delete()


# --- the manager ---------------------------------------------------------------------------------


@transaction.atomic
@audited
def goal_template_save(
    *, template: GoalTemplate | None, title: str, description: str
) -> GoalTemplate:
    title, description = _goal_fields(title, description)
    if template is None:
        template = GoalTemplate.objects.create(title=title, description=description)
        audit_record(action="mentoring.goal_template_created", target=template)
        return template
    template = GoalTemplate.objects.select_for_update().get(pk=template.pk)
    if (template.title, template.description) == (title, description):
        audit_unchanged()
        return template
    template.title, template.description = title, description
    template.save(update_fields=["title", "description"])
    audit_record(action="mentoring.goal_template_changed", target=template)
    return template


@transaction.atomic
@audited
def goal_template_archive(*, template: GoalTemplate, is_archived: bool) -> GoalTemplate:
    template = GoalTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_archived == is_archived:
        audit_unchanged()
        return template
    template.is_archived = is_archived
    template.save(update_fields=["is_archived"])
    audit_record(
        action="mentoring.goal_template_archived"
        if is_archived
        else "mentoring.goal_template_restored",
        target=template,
    )
    return template


@transaction.atomic
@audited
def mentoring_settings_update(
    *, nudge_after_days: int, message_retention_months: int
) -> MentoringSettings:
    errors: dict[str, list[str]] = {}
    if not 7 <= nudge_after_days <= 365:
        errors["nudge_after_days"] = [_("From 7 to 365 days.")]
    if not 1 <= message_retention_months <= 60:
        errors["message_retention_months"] = [_("From 1 to 60 months.")]
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    mentoring_settings()
    settings = MentoringSettings.objects.select_for_update().get(id=1)
    changes = {
        name: [getattr(settings, name), value]
        for name, value in (
            ("nudge_after_days", nudge_after_days),
            ("message_retention_months", message_retention_months),
        )
        if getattr(settings, name) != value
    }
    if not changes:
        audit_unchanged()
        return settings
    for name, (_old, new) in changes.items():
        setattr(settings, name, new)
    settings.save()
    audit_record(action="mentoring.settings_changed", details={"changes": changes})
    return settings


# --- nudges --------------------------------------------------------------------------------------


@transaction.atomic
@audited
def nudges_send(*, now: datetime | None = None) -> int:
    """Each person of a pair with no meeting for the programme's number of days (and none
    coming) gets one reminder for this quiet period: the `Nudge` row (unique per pair, person
    and period) is written with the email, so a second run sends nothing."""
    now = now or timezone.now()
    sent = 0
    for quiet in quiet_pairs(now=now):
        if quiet.nudged:
            continue
        match = quiet.match
        for person, other in ((match.mentee, match.mentor), (match.mentor, match.mentee)):
            _nudge, created = Nudge.objects.get_or_create(
                match=match, participant=person, quiet_since=quiet.quiet_since
            )
            if not created:
                continue
            email_about_other(
                to=person,
                other=other,
                template="pair_nudge",
                days=quiet.days,
                pair_url=_pair_url(match),
            )
            sent += 1
    return audit_count(action="mentoring.nudges_sent", count=sent)


def _pair_url(match: Match) -> str:
    from django.urls import reverse

    from saas.core.tenancy import connection

    url: str = connection.tenant.url(reverse("pair", args=[match.pk]))
    return url


# --- privacy (called by tenant_apps.privacy: erasure and retention) ------------------------------


@audit_exempt("a step of participant erasure, audited by the erasure (privacy.erased)")
@transaction.atomic
def mentoring_person_erase(*, participant: Participant) -> None:
    """The person's profile (their photo goes with their files), the messages they wrote,
    their place in threads and their reminders. The pair's goals are the pair's: their text
    goes, the statuses stay as statistics."""
    Profile.objects.filter(participant=participant).delete()
    Message.objects.filter(author=participant).delete()
    ThreadState.objects.filter(participant=participant).delete()
    Nudge.objects.filter(participant=participant).delete()
    pairs = Match.objects.filter(mentee=participant) | Match.objects.filter(mentor=participant)
    Goal.objects.filter(match__in=pairs.values("pk")).update(
        title=_("Goal"), description="", template=None
    )


@audit_exempt("a step of the retention job, audited by it (privacy.retention_applied)")
@transaction.atomic
def messages_retention_purge(*, now: datetime | None = None) -> int:
    """Messages of pairs that ended more than the programme's message retention ago go, with
    the read marks of those threads."""
    now = now or timezone.now()
    months = mentoring_settings().message_retention_months
    before = now - timedelta(days=round(months * DAYS_PER_MONTH))
    ended = Match.objects.filter(status=Match.Status.ENDED, ended_at__lt=before)
    deleted, _by_model = Message.objects.filter(match__in=ended.values("pk")).delete()
    ThreadState.objects.filter(match__in=ended.values("pk")).delete()
    return deleted
