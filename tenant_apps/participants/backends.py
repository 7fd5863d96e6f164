"""Authentication on a programme's site: the right password AND an active Participant in this
programme's schema. A person who is not in this programme gets exactly what a wrong password
gets (the form's generic message)."""

from shared_apps.accounts.backends import PasswordBackend
from shared_apps.accounts.selectors import User
from tenant_apps.participants.models import Participant


def active_participant(*, user_id: int) -> Participant | None:
    return (
        Participant.objects.select_related("user")
        .filter(user_id=user_id, status=Participant.Status.ACTIVE, user__is_active=True)
        .first()
    )


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
