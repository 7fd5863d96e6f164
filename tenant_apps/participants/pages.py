"""What the pages of a participant's own space (in every app) need from the request."""

from collections.abc import Callable
from typing import TypeVar

from django.http import Http404, HttpRequest

from tenant_apps.participants.models import Participant

T = TypeVar("T")


def participant_or_404(request: HttpRequest) -> Participant:
    """The participant signed in to this programme; anyone else finds no page here."""
    participant = getattr(request.user, "participant", None)
    if participant is None:
        raise Http404
    return participant


def own_or_404(
    request: HttpRequest, find: Callable[..., T | None], **key: int
) -> tuple[Participant, T]:
    """The signed-in participant and what `find(participant=…, **key)` gives them (their
    meeting, pair, goal…); 404 when it is not theirs, as when it does not exist."""
    participant = participant_or_404(request)
    found = find(participant=participant, **key)
    if found is None:
        raise Http404
    return participant, found
