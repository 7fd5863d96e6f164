"""How a view says who may reach it. Views are deny-by-default (LoginRequiredMiddleware)."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = TypeVar("View", bound=Callable[..., Any])


def public_view(view: View) -> View:
    """Mark a view as meant for anonymous visitors (home, login, registration, legal pages).

    The isolation walk (tests/test_isolation.py) reads this mark; every unmarked pattern must
    refuse an anonymous visitor and a participant of another programme.
    """
    view = login_not_required(view)
    view.is_public = True  # type: ignore[attr-defined]
    return view


def staff_required(view: View) -> View:
    """Super-admin console views: a logged-in staff user, else 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated or not request.user.is_staff:
            raise PermissionDenied
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return wrapped  # type: ignore[return-value]


def manager_required(view: View) -> View:
    """Programme management views: a logged-in manager of this programme, else 403. Reads the
    `participant` that the programme's authentication backend puts on the user (no app import:
    the kernel sits under every app)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        participant = getattr(request.user, "participant", None)
        if participant is None or not participant.is_manager:
            raise PermissionDenied
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return wrapped  # type: ignore[return-value]
