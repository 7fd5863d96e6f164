"""Authentication on the public site: super-admins only.

Programme sites use tenant_apps.participants.backends.ParticipantBackend. Each backend refuses
to work outside its own schema, so a session forged or replayed on the wrong host is anonymous.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from saas.core.tenancy import connection
from shared_apps.accounts.models import User, email_normalize


def credentials_check(*, email: str | None, password: str | None) -> User | None:
    """The user if the password is right and the account active. Costs one password hash
    whether or not the address exists, so timing does not tell who has an account."""
    if not email or password is None:
        return None
    user = User.objects.filter(email=email_normalize(email)).first()
    if user is None:
        User().set_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def on_public_schema() -> bool:
    return connection.schema_name == settings.PUBLIC_SCHEMA_NAME


class PasswordBackend(BaseBackend):
    """Email and password, on one side of the public/programme line only: `admit` says
    whether the right credentials are enough for this site."""

    serves_public_site: bool

    def is_here(self) -> bool:
        return on_public_schema() == self.serves_public_site

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not self.is_here():
            return None
        user = credentials_check(email=username or kwargs.get("email"), password=password)
        return None if user is None else self.admit(user)

    def admit(self, user: User) -> User | None:
        raise NotImplementedError


class StaffBackend(PasswordBackend):
    serves_public_site = True

    def admit(self, user: User) -> User | None:
        return user if user.is_staff else None

    def get_user(self, user_id: int) -> User | None:
        if not self.is_here():
            return None
        return User.objects.filter(pk=user_id, is_active=True, is_staff=True).first()
