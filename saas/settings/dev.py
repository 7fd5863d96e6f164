"""Local development: `python3 dev.py run`. Plain HTTP on *.localhost:8000."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-a-secret")
os.environ.setdefault("SITE_SCHEME", "http")
os.environ.setdefault("SITE_PORT", "8000")
os.environ.setdefault("DJANGO_DEBUG", "true")

from saas.settings.base import *  # noqa: F403

INTERNAL_IPS = ["127.0.0.1"]
