"""Tenant-aware Celery: a task runs in the schema it was sent from (tenant-schemas-celery puts
the schema in the message headers). Periodic jobs fan out: one beat task lists the programmes,
one task per programme does the work."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.dev")

app = CeleryApp("saas")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
