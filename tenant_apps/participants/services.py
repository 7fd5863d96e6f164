import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.core.errors import Conflict, ValidationFailed
from shared_apps.accounts.selectors import User
from shared_apps.accounts.services import membership_set, user_get_or_create
from tenant_apps.notifications.services import email_queue
from tenant_apps.participants.models import AccessLink, Participant

ACCESS_LINK_LIFETIME = timedelta(hours=48)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def access_link_create(*, participant: Participant, purpose: str) -> tuple[AccessLink, str]:
    """A new single-use link; returns the row and the clear token (256 bits, never stored)."""
    token = secrets.token_urlsafe(32)
    link = AccessLink.objects.create(
        participant=participant,
        purpose=purpose,
        token_hash=token_hash(token),
        expires_at=timezone.now() + ACCESS_LINK_LIFETIME,
    )
    return link, token


@transaction.atomic
def participant_invite(
    *,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    invited_by: Participant | None = None,
) -> Participant:
    """Invite a person into this programme: shared identity (created if new), participant row,
    public membership index, and an email with the link to their secure space."""
    user, _created = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
    participant = Participant.objects.filter(user=user).first()
    if participant is not None and participant.status != Participant.Status.INVITED:
        raise Conflict(_("This person is already a participant of the programme."))
    if participant is None:
        participant = Participant.objects.create(user=user, role=role)
    membership_set(user=user, is_active=False)
    link, token = access_link_create(participant=participant, purpose=AccessLink.Purpose.INVITATION)
    email_queue(
        to=user.email,
        template="invitation",
        context={
            "participant": participant,
            "invited_by": invited_by.user.get_full_name() if invited_by else "",
            "link_url": participant_link_url(token),
            "expires_at": link.expires_at,
            "has_password": user.has_usable_password(),
        },
        has_secret=True,
    )
    return participant


def participant_link_url(token: str) -> str:
    return connection.tenant.url(reverse("access-link", kwargs={"token": token}))


def access_link_find(*, token: str) -> AccessLink | None:
    """The link for `token`, usable or not (the view tells expired from unknown)."""
    return (
        AccessLink.objects.select_related("participant__user")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def access_link_redeem(*, token: str, password: str, password_confirm: str = "") -> User:
    """Use a link once: the first time it sets the password; a person who already has a Binôme
    identity (another programme) proves it with their existing password instead. Activates the
    participant. Raises ValidationFailed and changes nothing when anything is wrong."""
    link = (
        AccessLink.objects.select_for_update()
        .select_related("participant__user")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None or not link.is_usable:
        raise ValidationFailed(_("This link has expired or has already been used."))
    participant = link.participant
    user = participant.user
    if participant.status == Participant.Status.DEACTIVATED or not user.is_active:
        raise ValidationFailed(_("This link has expired or has already been used."))
    if user.has_usable_password():
        if not user.check_password(password):
            raise ValidationFailed(
                _("Wrong password."), fields={"password": [_("Wrong password.")]}
            )
    else:
        if password != password_confirm:
            raise ValidationFailed(
                _("The two passwords differ."),
                fields={"password_confirm": [_("The two passwords differ.")]},
            )
        try:
            password_validation.validate_password(password, user)
        except DjangoValidationError as exc:
            messages = list(exc.messages)
            raise ValidationFailed(" ".join(messages), fields={"password": messages}) from exc
        user.set_password(password)
        user.save(update_fields=["password"])
    now = timezone.now()
    link.used_at = now
    link.save(update_fields=["used_at"])
    if participant.status == Participant.Status.INVITED:
        participant.status = Participant.Status.ACTIVE
        participant.activated_at = now
        participant.save(update_fields=["status", "activated_at"])
    membership_set(user=user, is_active=True)
    return user


@transaction.atomic
def participant_deactivate(*, participant: Participant) -> Participant:
    participant.status = Participant.Status.DEACTIVATED
    participant.save(update_fields=["status"])
    membership_set(user=participant.user, is_active=False)
    return participant


@transaction.atomic
def participant_add(*, user: User, role: str) -> Participant:
    """Add an existing identity as an active participant (demo data, tests, and the flows that
    have already verified the person). Idempotent."""
    now = timezone.now()
    participant, created = Participant.objects.get_or_create(
        user=user, defaults={"role": role, "status": Participant.Status.ACTIVE, "activated_at": now}
    )
    if not created and participant.status != Participant.Status.ACTIVE:
        participant.status = Participant.Status.ACTIVE
        participant.activated_at = now
        participant.save(update_fields=["status", "activated_at"])
    membership_set(user=user, is_active=True)
    return participant
