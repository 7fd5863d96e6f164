"""Authentication of client administrators on the public site (issue 14). Like the staff
backend it works only on the public schema; `get_user` repeats the check on every request, so
a role withdrawn (or a session replayed on a programme's host) gives nothing."""

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from shared_apps.accounts.backends import credentials_check, on_public_schema
from shared_apps.accounts.selectors import User


class ClientAdministratorBackend(BaseBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not on_public_schema():
            return None
        user = credentials_check(email=username or kwargs.get("email"), password=password)
        if user is None or user.is_staff or not self._has_role(user.pk):
            return None
        return user

    def get_user(self, user_id: int) -> User | None:
        if not on_public_schema():
            return None
        return (
            User.objects.filter(
                pk=user_id,
                is_active=True,
                is_staff=False,
                client_roles__is_active=True,
            )
            .distinct()
            .first()
        )

    @staticmethod
    def _has_role(user_id: int) -> bool:
        return User.objects.filter(pk=user_id, client_roles__is_active=True).exists()
