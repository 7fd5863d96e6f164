"""Writes on the shared identity: the account changes a person makes on the console or on any
programme site (password, second factor, sessions), each with its audit row in the same
transaction, and the steps tenant apps call (never the reverse)."""

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.log import audit_exempt, audit_record, audit_unchanged, audited
from saas.core.errors import NotAllowed
from saas.core.tenancy import connection
from shared_apps.accounts.models import (
    ERASED_DATE_JOINED,
    ProgramMembership,
    User,
    email_normalize,
    erased_email,
)
from shared_apps.accounts.otp import (
    has_two_factor,
    recovery_codes_generate,
    totp_device_confirm,
    two_factor_disable,
)
from shared_apps.accounts.security import session_version_bump
from shared_apps.accounts.selectors import two_factor_required_reasons

# --- The person's own account changes ------------------------------------------------------------


@transaction.atomic
@audited
def password_change(*, user: User, new_password: str) -> User:
    """Set a new password (checked by the caller: the current one, the validators). Every other
    session of the person ends at its next request: the password is part of the session hash."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(action="auth.password_changed", target=user)
    return user


@transaction.atomic
@audited
def totp_enable(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a new authenticator with its first code: it replaces any earlier one and comes
    with ten fresh recovery codes (returned to be shown once). None when the code is wrong
    (nothing changes but django-otp's count of wrong codes); raises Throttled while django-otp
    makes the person wait."""
    codes = totp_device_confirm(device=device, token=token)
    if codes is None:
        audit_unchanged()
        return None
    audit_record(action="2fa.enabled", target=device.user)
    return codes


@transaction.atomic
@audited
def totp_disable(*, user: User) -> None:
    """Remove the authenticator and the recovery codes. Refused (NotAllowed, saying why) while
    any of the person's programmes or roles requires two-step verification."""
    reasons = two_factor_required_reasons(user=user)
    if reasons:
        raise NotAllowed(
            _("Two-step verification cannot be turned off: %(reasons)s.")
            % {"reasons": "; ".join(reasons)}
        )
    two_factor_disable(user=user)
    audit_record(action="2fa.disabled", target=user)


@transaction.atomic
@audited
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes (returned to be shown once); the old ones stop working. Only for
    a person with two-step verification."""
    if not has_two_factor(user):
        raise NotAllowed(_("Set up two-step verification first."))
    codes = recovery_codes_generate(user=user)
    audit_record(action="2fa.recovery_codes_renewed", target=user)
    return codes


@transaction.atomic
@audited
def sessions_end_everywhere(*, user: User) -> None:
    """Log out everywhere: every session of the person, in every programme and on the
    console, ends at its next request."""
    session_version_bump(user=user)
    audit_record(action="auth.logout_everywhere", target=user)


# --- Steps of other apps' services ----------------------------------------------------------------


@audit_exempt("a step of the participant services (invite, register), which audit")
def user_get_or_create(*, email: str, **defaults: Any) -> tuple[User, bool]:
    """The one account of a person; created with an unusable password when new."""
    email = email_normalize(email)
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(email=email, password=None, **defaults)
    return user, True


@audit_exempt("updates the public index for a participant change audited by its caller")
@transaction.atomic
def membership_set(*, user: User, is_active: bool) -> ProgramMembership:
    """Record in the public index that `user` is (or no longer is) in the current programme."""
    program = connection.tenant
    membership, _ = ProgramMembership.objects.update_or_create(
        user=user, program_id=program.pk, defaults={"is_active": is_active}
    )
    return membership


@audit_exempt("rebuilds the public index after a restore, audited by its caller")
@transaction.atomic
def memberships_reconcile(
    *, wanted: dict[int, bool], dry_run: bool = False
) -> tuple[int, int, int]:
    """Make the current programme's public index say what `wanted` says (user id → active),
    e.g. after its schema was restored from a backup: missing rows are added, rows that
    disagree are updated, the active rows of people not in `wanted` are made inactive. Returns
    (added, changed, made inactive); `dry_run` only counts."""
    program_id = connection.tenant.pk
    indexed = dict(
        ProgramMembership.objects.filter(program_id=program_id).values_list("user_id", "is_active")
    )
    added = [user_id for user_id in wanted if user_id not in indexed]
    changed = [
        user_id for user_id, active in wanted.items() if indexed.get(user_id, active) != active
    ]
    gone = [user_id for user_id, active in indexed.items() if active and user_id not in wanted]
    if not dry_run:
        ProgramMembership.objects.bulk_create(
            ProgramMembership(user_id=user_id, program_id=program_id, is_active=wanted[user_id])
            for user_id in added
        )
        for active in (True, False):
            ProgramMembership.objects.filter(
                program_id=program_id,
                user_id__in=[user_id for user_id in changed if wanted[user_id] is active],
            ).update(is_active=active)
        ProgramMembership.objects.filter(program_id=program_id, user_id__in=gone).update(
            is_active=False
        )
    return len(added), len(changed), len(gone)


@audit_exempt("a step of erasure, audited by the erasure (privacy.erased)")
@transaction.atomic
def user_erase_if_unused(*, user: User, program_id: int) -> bool:
    """Drop the person's membership of `program_id`; erase the shared identity when no
    programme is left. Returns True when the identity was erased.

    The row is not deleted but anonymised in place (a tombstone: no personal data, cannot sign
    in, found by no lookup). Deleting it would make PostgreSQL check the foreign key of every
    programme schema's participant table (the one FK from tenants to public, DESIGN §8): one
    lock per table and index in each schema, about 4,000 locks and 2 s with 1,000 programmes,
    more than a stock server's lock table from about 1,600. Updating the row takes locks in
    `public` only."""
    ProgramMembership.objects.filter(user=user, program_id=program_id).delete()
    if ProgramMembership.objects.filter(user=user).exists() or user.is_staff:
        return False
    if user.is_erased:
        return False
    user_tombstone(user=user)
    return True


@audit_exempt("a step of erasure, audited by the erasure (privacy.erased)")
@transaction.atomic
def user_tombstone(*, user: User) -> None:
    """Strip the identity of everything about the person, keeping the row (see above): a
    unique undeliverable address, no names, no usable password, inactive, no dates; every
    public row tied to the person (2FA devices and recovery codes, security events, sign-in
    links, memberships, organisation roles) deleted. Rows in programme schemas that point at
    the user (DO_NOTHING) are never touched: the erasure has already moved them."""
    for relation in User._meta.related_objects:
        if relation.on_delete is models.DO_NOTHING:
            continue
        relation.related_model._base_manager.filter(**{relation.field.name: user}).delete()
    user.email = erased_email(prefix="erased-")
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.date_joined = ERASED_DATE_JOINED
    user.save(
        update_fields=[
            "email",
            "first_name",
            "last_name",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "last_login",
            "date_joined",
        ]
    )
    session_version_bump(user=user)


@audit_exempt("queues an email about an event kept in the account security log")
def account_email_queue(*, user: User, template: str, site_url: str) -> None:
    """An email about the account itself (a warning, a sign-in link), sent by the platform from
    the public schema once the current transaction commits: never through a programme's
    outbox, so no programme keeps a message about someone who may not be its member."""
    from django.conf import settings

    from shared_apps.accounts.tasks import send_account_email_task

    user_id = user.pk
    transaction.on_commit(
        lambda: send_account_email_task.apply_async(
            kwargs={"user_id": user_id, "template": template, "site_url": site_url},
            headers={"_schema_name": settings.PUBLIC_SCHEMA_NAME},
        )
    )


ACCOUNT_EMAILS = ("account_attacked", "signin_link")


@audit_exempt("delivers an account email already queued; nothing changes state")
def account_email_send(*, user_id: int, template: str, site_url: str) -> bool:
    """Render and send one account email (in the platform's language). A sign-in link's token
    is made here, in the worker, so it never travels through the queue. Returns False when the
    account no longer exists."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from shared_apps.accounts.security import signin_link_create

    if template not in ACCOUNT_EMAILS:
        raise ValueError(template)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    context: dict[str, Any] = {"user": user, "site_url": site_url}
    if template == "signin_link":
        token = signin_link_create(user=user)
        context["link_url"] = site_url.rstrip("/") + reverse("signin-link", args=[token])
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"accounts/email/{template}.subject.txt", context)
        body = render_to_string(f"accounts/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


@audit_exempt("a step of the programme's SCIM update, audited by its caller")
@transaction.atomic
def user_name_set(*, user: User, first_name: str | None, last_name: str | None) -> User:
    """The person's name as their organisation's directory gives it (SCIM)."""
    fields = []
    if first_name is not None:
        user.first_name = first_name.strip()[:150]
        fields.append("first_name")
    if last_name is not None:
        user.last_name = last_name.strip()[:150]
        fields.append("last_name")
    if fields:
        user.save(update_fields=fields)
    return user
