"""The request of a view behind the login (every view that is not `@public_view`)."""

from django.http import HttpRequest

from shared_apps.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """`request.user` is the signed-in person, never AnonymousUser: the login-required
    middleware sends everyone else to the sign-in page before the view runs. A type only
    (Django builds the request): annotate a view's `request` with it."""

    user: User
