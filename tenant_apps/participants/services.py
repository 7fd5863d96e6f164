import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_exempt, audit_record, audit_unchanged, audited
from saas.core.errors import Conflict, NotAllowed, ValidationFailed
from saas.core.tenancy import connection
from shared_apps.accounts.security import session_version_bump
from shared_apps.accounts.selectors import User, email_normalize, user_by_email
from shared_apps.accounts.services import membership_set, user_get_or_create
from tenant_apps.notifications.services import email_queue
from tenant_apps.participants.models import AccessLink, Participant
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.selectors import program_settings
from tenants.links import program_url

LINK_LIFETIME = {
    AccessLink.Purpose.INVITATION: timedelta(hours=48),
    AccessLink.Purpose.REGISTRATION: timedelta(hours=48),
    AccessLink.Purpose.PASSWORD_RESET: timedelta(hours=1),
}
LINK_ROUTES = {
    AccessLink.Purpose.INVITATION: "access-link",
    AccessLink.Purpose.REGISTRATION: "access-link",
    AccessLink.Purpose.PASSWORD_RESET: "password-reset-confirm",
}


@audit_exempt("pure: hashes a token")
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@audit_exempt("queues an email inside the caller's action, which audits or is exempt")
def email_about_other(
    *, to: Participant, other: Participant, template: str, **context: Any
) -> None:
    """An email to a participant about another person (their pair, mentor or mentee): greeted
    by name, the other named as the pages name them, and reached by the other's erasure."""
    email_queue(
        to=to.user.email,
        template=template,
        context={"participant": to, "other_name": other.display_name, **context},
        about=[other.pk],
    )


@audit_exempt("a step of the invite, registration and reset services, which audit or are exempt")
def access_link_create(*, participant: Participant, purpose: str) -> tuple[AccessLink, str]:
    """A new single-use link (256 bits of randomness; only its SHA-256 is stored). Earlier
    unused links of the same purpose stop working. Returns the row and its absolute URL."""
    now = timezone.now()
    AccessLink.objects.filter(
        participant=participant, purpose=purpose, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    link = AccessLink.objects.create(
        participant=participant,
        purpose=purpose,
        token_hash=token_hash(token),
        expires_at=now + LINK_LIFETIME[AccessLink.Purpose(purpose)],
    )
    url = program_url(connection.tenant, LINK_ROUTES[AccessLink.Purpose(purpose)], args=[token])
    return link, url


@audit_exempt("a read: finds a link by its token")
def access_link_find(*, token: str, purposes: tuple[str, ...]) -> AccessLink | None:
    """The link for `token` among `purposes`, usable or not (the view tells expired from
    unknown only to the person who holds the link)."""
    return (
        AccessLink.objects.select_related("participant__user")
        .filter(token_hash=token_hash(token), purpose__in=purposes)
        .first()
    )


def _link_email(*, participant: Participant, purpose: str, template: str) -> None:
    link, url = access_link_create(participant=participant, purpose=purpose)
    user = participant.user
    email_queue(
        to=user.email,
        template=template,
        context={
            "participant": participant,
            "link_url": url,
            "expires_at": link.expires_at,
            "has_password": user.has_usable_password(),
        },
        has_secret=True,
    )


# --- Invitation by a manager and registration by the person ------------------------------------


@transaction.atomic
@audited
def participant_invite(
    *,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    joined_via: str = Participant.JoinedVia.INVITATION,
) -> Participant:
    """Invite a person into this programme: shared identity (created if new), participant row,
    public membership index, and an email with the link to their secure space. An address
    outside the programme's allowed domains (when it has some) is refused, nothing written.
    Inviting someone still waiting again sends a new link: the previous one stops working."""
    refusal = invitation_domain_refusal(email=email, settings=program_settings())
    if refusal:
        raise ValidationFailed(refusal, fields={"email": [refusal]})
    user, _created = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
    participant = Participant.objects.filter(user=user).first()
    if participant is not None and participant.status != Participant.Status.INVITED:
        raise Conflict(_("This person is already a participant of the programme."))
    if participant is None:
        participant = Participant.objects.create(user=user, role=role, joined_via=joined_via)
    membership_set(user=user, is_active=False)
    _link_email(
        participant=participant, purpose=AccessLink.Purpose.INVITATION, template="invitation"
    )
    audit_record(
        action="participant.invited",
        target=participant,
        details={"role": role, "via": joined_via},
    )
    return participant


@audit_exempt("pure: checks an address against the settings")
def email_domain_is_allowed(*, email: str, settings: ProgramSettings) -> bool:
    domain = email_normalize(email).rpartition("@")[2]
    for allowed in settings.allowed_email_domains:
        allowed = allowed.lower().strip().lstrip("@").lstrip(".")
        if domain == allowed or (
            settings.allow_email_subdomains and domain.endswith(f".{allowed}")
        ):
            return True
    return False


@audit_exempt("pure: reads the settings")
def invitation_domain_refusal(*, email: str, settings: ProgramSettings) -> str:
    """Why `email` cannot be invited here ("" when it can): a programme that lists its allowed
    email domains takes no address outside them, personal addresses included."""
    if not settings.allowed_email_domains or email_domain_is_allowed(
        email=email, settings=settings
    ):
        return ""
    return _("“%(email)s” is not in the programme’s allowed email domains (%(domains)s).") % {
        "email": email_normalize(email),
        "domains": ", ".join(settings.allowed_email_domains),
    }


@audit_exempt("pure: reads the settings")
def registration_roles(settings: ProgramSettings) -> list[str]:
    if settings.registration_roles == ProgramSettings.RegistrationRoles.BOTH:
        return [Participant.Role.MENTEE, Participant.Role.MENTOR]
    return [settings.registration_roles]


@transaction.atomic
@audited
def participant_register(
    *, first_name: str, last_name: str, email: str, role: str, has_consented: bool
) -> None:
    """Registration from the public form. The answer never tells whether the address already
    has an account: a new person gets the link to their secure space, someone already
    registered here gets a reminder instead. Refusals raise ValidationFailed and write
    nothing."""
    settings = program_settings()
    errors: dict[str, list[str]] = {}
    if not settings.is_registration_open:
        raise NotAllowed(_("Registration for this programme is closed."))
    if not first_name.strip():
        errors["first_name"] = [_("Enter your first name.")]
    if not last_name.strip():
        errors["last_name"] = [_("Enter your last name.")]
    if not email_domain_is_allowed(email=email, settings=settings):
        errors["email"] = [
            _(
                "Use your professional email address: registration is open only to the email "
                "addresses of the organisations taking part in the programme."
            )
        ]
    if role not in registration_roles(settings):
        errors["role"] = [_("Choose a role offered by this programme.")]
    if not has_consented:
        errors["consent"] = [_("You must accept the privacy notice to register.")]
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)

    existing = user_by_email(email=email)
    participant = (
        Participant.objects.filter(user=existing).first() if existing is not None else None
    )
    if participant is not None:
        _registration_reminder(participant=participant)
        audit_unchanged()
        return
    user, _created = user_get_or_create(
        email=email, first_name=first_name.strip(), last_name=last_name.strip()
    )
    participant = Participant.objects.create(
        user=user,
        role=role,
        joined_via=Participant.JoinedVia.REGISTRATION,
        privacy_consent_at=timezone.now(),
    )
    membership_set(user=user, is_active=False)
    _link_email(
        participant=participant,
        purpose=AccessLink.Purpose.REGISTRATION,
        template="registration",
    )
    audit_record(
        action="participant.registered",
        target=participant,
        actor_user_id=user.pk,
        details={"role": role},
    )


def _registration_reminder(*, participant: Participant) -> None:
    """Someone registers with an address already known here: tell the owner, not the form."""
    if participant.status == Participant.Status.INVITED:
        purpose = (
            AccessLink.Purpose.REGISTRATION
            if participant.joined_via == Participant.JoinedVia.REGISTRATION
            else AccessLink.Purpose.INVITATION
        )
        _link_email(participant=participant, purpose=purpose, template="registration")
    elif participant.status == Participant.Status.ACTIVE:
        email_queue(
            to=participant.user.email,
            template="already_registered",
            context={"participant": participant},
        )


@audit_exempt(
    "emails a new link to a known person; the answer and the log stay the same for anyone "
    "(recording who asked would tell which addresses exist)"
)
@transaction.atomic
def access_link_resend(*, email: str) -> None:
    """ "Send me a new link": only a person still waiting for activation here gets one; the
    answer is the same for everyone."""
    participant = (
        Participant.objects.select_related("user")
        .filter(user__email=email_normalize(email), status=Participant.Status.INVITED)
        .first()
    )
    if participant is not None:
        _registration_reminder(participant=participant)


def _validated_new_password(user: User, password: str, password_confirm: str) -> None:
    if password != password_confirm:
        message = _("The two passwords differ.")
        raise ValidationFailed(message, fields={"password_confirm": [message]})
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        messages = list(exc.messages)
        raise ValidationFailed(" ".join(messages), fields={"password": messages}) from exc


@transaction.atomic
@audited
def access_link_redeem(*, token: str, password: str, password_confirm: str = "") -> User:
    """Use an invitation or registration link once: the first time it sets the password; a
    person who already has a Binôme identity (another programme) proves it with their existing
    password instead. Activates the participant. Raises ValidationFailed and changes nothing
    when anything is wrong."""
    link = (
        AccessLink.objects.select_for_update()
        .select_related("participant__user")
        .filter(
            token_hash=token_hash(token),
            purpose__in=[AccessLink.Purpose.INVITATION, AccessLink.Purpose.REGISTRATION],
        )
        .first()
    )
    if link is None or not link.is_usable:
        raise ValidationFailed(_("This link has expired or has already been used."))
    participant = link.participant
    user = participant.user
    if (
        participant.status in (Participant.Status.DEACTIVATED, Participant.Status.ERASED)
        or not user.is_active
    ):
        raise ValidationFailed(_("This link has expired or has already been used."))
    if user.has_usable_password():
        if not user.check_password(password):
            message = _("Wrong password.")
            raise ValidationFailed(message, fields={"password": [message]})
    else:
        _validated_new_password(user, password, password_confirm)
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
    audit_record(action="participant.activated", target=participant, actor_user_id=user.pk)
    return user


# --- Password reset ------------------------------------------------------------------------------


@audit_exempt(
    "emails a new link to a known person; the answer and the log stay the same for anyone "
    "(recording who asked would tell which addresses exist)"
)
@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Email a reset link to an active participant of this programme; same answer for anyone."""
    participant = (
        Participant.objects.select_related("user")
        .filter(
            user__email=email_normalize(email),
            user__is_active=True,
            status=Participant.Status.ACTIVE,
        )
        .first()
    )
    if participant is not None:
        _link_email(
            participant=participant,
            purpose=AccessLink.Purpose.PASSWORD_RESET,
            template="password_reset",
        )


@transaction.atomic
@audited
def password_reset_confirm(*, token: str, password: str, password_confirm: str) -> User:
    """Set a new password from a reset link. Every session of the person ends; they then log in
    with the new password — and their second factor, which a reset never bypasses."""
    link = (
        AccessLink.objects.select_for_update()
        .select_related("participant__user")
        .filter(token_hash=token_hash(token), purpose=AccessLink.Purpose.PASSWORD_RESET)
        .first()
    )
    if link is None or not link.is_usable or link.participant.status != "active":
        raise ValidationFailed(_("This link has expired or has already been used."))
    user = link.participant.user
    _validated_new_password(user, password, password_confirm)
    user.set_password(password)
    user.save(update_fields=["password"])
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    session_version_bump(user=user)
    audit_record(action="auth.password_reset", target=user, actor_user_id=user.pk)
    return user


# --- Membership changes --------------------------------------------------------------------------


@transaction.atomic
@audited
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
    audit_record(action="participant.added", target=participant, details={"role": role})
    return participant


def _refuse_if_erased(participant: Participant) -> None:
    """An erased person's row only keeps the statistics: it never gets access back."""
    if participant.is_erased:
        raise Conflict(_("This person's data has been erased: they cannot be reactivated."))


@transaction.atomic
@audited
def participant_deactivate(*, participant: Participant) -> Participant:
    """The person loses access to this programme at once: their sessions here stop working at
    the next request (the backend requires an active participant)."""
    participant = (
        Participant.objects.select_for_update().select_related("user").get(pk=participant.pk)
    )
    _refuse_if_erased(participant)
    participant.status = Participant.Status.DEACTIVATED
    participant.deactivated_at = timezone.now()
    participant.save(update_fields=["status", "deactivated_at"])
    membership_set(user=participant.user, is_active=False)
    audit_record(action="participant.deactivated", target=participant)
    return participant


@transaction.atomic
@audited
def participant_reactivate(*, participant: Participant) -> Participant:
    participant = (
        Participant.objects.select_for_update().select_related("user").get(pk=participant.pk)
    )
    _refuse_if_erased(participant)
    if participant.status != Participant.Status.DEACTIVATED:
        raise Conflict(_("This participant is not deactivated."))
    participant.status = (
        Participant.Status.ACTIVE
        if participant.activated_at is not None
        else Participant.Status.INVITED
    )
    participant.deactivated_at = None
    participant.save(update_fields=["status", "deactivated_at"])
    membership_set(user=participant.user, is_active=participant.status == "active")
    audit_record(action="participant.reactivated", target=participant)
    return participant
