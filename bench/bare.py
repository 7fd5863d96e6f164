"""Bare Django, the baseline of bench/scale.py: one JSON view, no middleware, no database, no
template — what the same gunicorn configuration serves when the application costs nothing.

    gunicorn -c infra/docker/gunicorn.conf.py bench.bare:application

Settings are configured here, in code (DJANGO_SETTINGS_MODULE is ignored)."""

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-bare-not-a-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )
    django.setup()


def ok(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("", ok), path("bare/", ok)]

from django.core.wsgi import get_wsgi_application  # noqa: E402 (after settings.configure)

application = get_wsgi_application()
