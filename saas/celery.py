"""Tenant-aware Celery: a task runs in the schema it was sent from (tenant-schemas-celery puts
the schema in the message headers). Periodic jobs fan out: one beat task lists the programmes,
one task per programme does the work."""

import os

from celery import signals
from tenant_schemas_celery.app import CeleryApp

from saas.core.observability import celery_context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.dev")

app = CeleryApp("saas")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Tasks log the request id and user id of the request that queued them, and the worker logs
# in JSON like the web process (saas.core.observability.celery_context).
signals.before_task_publish.connect(celery_context.task_headers_add, weak=False)
signals.task_prerun.connect(celery_context.task_context_bind, weak=False)
signals.task_postrun.connect(celery_context.task_context_reset, weak=False)
signals.setup_logging.connect(celery_context.worker_logging_setup, weak=False)
