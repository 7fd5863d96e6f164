from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project layer (CONVENTIONS §11): what stands on every app and that no app imports —
    health and readiness, the error pages, the demo data and the deploy-time checks. The
    settings, the two URL worlds, Celery and the CLI sit beside it in `saas/`."""

    name = "saas.project"
    label = "project"
