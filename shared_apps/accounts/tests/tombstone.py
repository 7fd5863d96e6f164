"""What an erased identity must look like (a tombstone, `services.user_erase_if_unused`): the
row stays, with nothing of the person in it or tied to it, and nobody can use it."""

from django.db import models
from django_otp.plugins.otp_totp.models import TOTPDevice

from shared_apps.accounts.models import (
    ERASED_DATE_JOINED,
    AccountSecurityEvent,
    ProgramMembership,
    RecoveryCodeDevice,
    SignInLink,
    User,
)
from shared_apps.accounts.selectors import user_by_email


def assert_identity_erased(pk: int, *, email: str, names: tuple[str, ...] = ()) -> User:
    user = User.objects.get(pk=pk)
    # no personal data left in any column of the row
    for field in User._meta.concrete_fields:
        value = str(getattr(user, field.attname)).lower()
        for needle in (email, email.split("@")[0], *names):
            assert needle.lower() not in value, (field.name, value)
    assert user.email.startswith("erased-") and user.email.endswith("@erased.invalid")
    assert user.is_erased
    assert (user.first_name, user.last_name) == ("", "")
    assert not user.has_usable_password()
    assert not (user.is_active or user.is_staff or user.is_superuser)
    assert user.last_login is None and user.date_joined == ERASED_DATE_JOINED
    # nothing in public tied to the person any more
    for model in (
        TOTPDevice,
        RecoveryCodeDevice,
        AccountSecurityEvent,
        SignInLink,
        ProgramMembership,
    ):
        assert not model.objects.filter(user_id=pk).exists(), model
    for relation in User._meta.related_objects:
        if relation.on_delete is not models.DO_NOTHING:  # programme schemas: moved by erasure
            related = relation.related_model._base_manager.filter(**{relation.field.name: pk})
            assert not related.exists(), relation
    # and nobody finds it by the address
    assert user_by_email(email=email) is None
    assert user_by_email(email=user.email) is None
    return user
