from django.db.models import QuerySet

from shared_apps.platform_audit.models import Breach


def breaches() -> QuerySet[Breach]:
    return Breach.objects.all()


def breach_count() -> int:
    return Breach.objects.count()
