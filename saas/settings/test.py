"""Test settings: real PostgreSQL (DATABASE_URL, or the embedded one started by `dev.py test`)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("SITE_SCHEME", "http")
os.environ.setdefault("BASE_DOMAIN", "binome.test")
os.environ["CELERY_BROKER_URL"] = ""  # eager, except in the queue tests (tests/test_celery_*)
os.environ.setdefault("PROGRAM_POOL_SIZE", "0")

from saas.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; argon2 in use
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=None)}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = CACHES["global"]["KEY_PREFIX"] = f"test{os.getpid()}"  # noqa: F405
# Each test process (a pytest-xdist worker: its own test database, whose programmes may have
# the same schema names as another worker's) writes its uploads in a folder of its own.
_TEST_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "main")
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / ".local" / f"test-media-{_TEST_PROCESS}"))  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# The queue tests switch eagerness off and start a worker on this broker: RabbitMQ in CI
# (TEST_BROKER_URL), Kombu's in-memory transport on a machine without one. One queue per run so
# that concurrent test runs on one broker do not take each other's messages.
CELERY_BROKER_URL = os.environ.get("TEST_BROKER_URL") or "memory://localhost//"
CELERY_TASK_DEFAULT_QUEUE = f"binome-test-{os.getpid()}"

# Webhook receivers in the tests listen on 127.0.0.1: only here may a webhook go to loopback.
WEBHOOK_ALLOW_LOOPBACK_FOR_TESTS = True
