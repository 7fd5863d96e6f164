from django.db.models import QuerySet

from shared_apps.accounts.selectors import participant_counts
from tenants.models import Program


def programs_for_console(*, status: str = "", client_id: int | None = None) -> list[Program]:
    """Every programme (spares and the public row excluded) with its participant count: two
    queries whatever the number of programmes."""
    queryset: QuerySet[Program] = (
        Program.objects.exclude(status=Program.Status.SPARE)
        .exclude(schema_name="public")
        .select_related("client")
        .order_by("client__name", "name")
    )
    if status:
        queryset = queryset.filter(status=status)
    if client_id:
        queryset = queryset.filter(client_id=client_id)
    programs = list(queryset)
    counts = participant_counts(program_ids=[program.pk for program in programs])
    for program in programs:
        program.participant_count = counts.get(program.pk, 0)
    return programs


def program_for_console(*, program_id: int) -> Program | None:
    return (
        Program.objects.exclude(status=Program.Status.SPARE)
        .exclude(schema_name="public")
        .select_related("client")
        .filter(pk=program_id)
        .first()
    )
