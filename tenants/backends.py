"""Authentication of client administrators on the public site (issue 14). Like the staff
backend it works only on the public schema; `get_user` repeats the check on every request, so
a role withdrawn (or a session replayed on a programme's host) gives nothing."""

from shared_apps.accounts.backends import PasswordBackend
from shared_apps.accounts.selectors import User


class ClientAdministratorBackend(PasswordBackend):
    serves_public_site = True

    def admit(self, user: User) -> User | None:
        return None if user.is_staff or not self._has_role(user.pk) else user

    def get_user(self, user_id: int) -> User | None:
        if not self.is_here():
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
