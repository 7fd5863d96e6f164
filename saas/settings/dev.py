"""Local development: `python3 dev.py run`. Plain HTTP on *.localhost:$PORT (8000)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-a-secret")
os.environ.setdefault("SITE_SCHEME", "http")
# Links in emails and pages point at the port the platform runs on (`PORT`, as for runserver).
os.environ.setdefault("SITE_PORT", os.environ.get("PORT") or "8000")
os.environ.setdefault("DJANGO_DEBUG", "true")

from saas.settings.base import *  # noqa: F403

INTERNAL_IPS = ["127.0.0.1"]
