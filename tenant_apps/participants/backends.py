"""Authentication on a programme's site: the right password AND an active Participant in this
programme's schema. A person who is not in this programme gets exactly what a wrong password
gets (the form's generic message)."""

from django.db.models import QuerySet

from saas.core.prepared import PreparedQuery
from shared_apps.accounts.backends import PasswordBackend
from shared_apps.accounts.selectors import User
from tenant_apps.participants.models import Participant


def _active_participants(user_id: int) -> QuerySet[Participant]:
    # No ORDER BY: user_id is unique in a programme (a one-to-one field).
    return (
        Participant.objects.select_related("user")
        .filter(user_id=user_id, status=Participant.Status.ACTIVE, user__is_active=True)
        .order_by()[:1]
    )


# Compiled once per process: this query runs on every signed-in request (saas/core/prepared.py).
_active_participant = PreparedQuery(_active_participants, user_id=-2_147_483_000)


def active_participant(*, user_id: int) -> Participant | None:
    """The participant with their account, if both are active in this programme; one query."""
    return _active_participant.first(user_id=user_id)


class ParticipantBackend(PasswordBackend):
    serves_public_site = False

    def admit(self, user: User) -> User | None:
        participant = active_participant(user_id=user.pk)
        if participant is None:
            return None
        user.participant = participant
        return user

    def get_user(self, user_id: int) -> User | None:
        """Runs on every request: one query, and a deactivated participant is anonymous at once."""
        if not self.is_here():
            return None
        participant = active_participant(user_id=user_id)
        if participant is None:
            return None
        user = participant.user
        user.participant = participant
        return user
