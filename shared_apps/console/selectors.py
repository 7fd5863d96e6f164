from typing import Any

from django.db.models import QuerySet

from shared_apps.accounts.selectors import participant_counts
from tenants.models import Program


def programs_for_console_rows(
    *, status: str = "", client_id: int | None = None
) -> QuerySet[Program]:
    """Every programme (spares and the public row excluded), by organisation and name."""
    queryset: QuerySet[Program] = (
        Program.objects.exclude(status=Program.Status.SPARE)
        .exclude(schema_name="public")
        .select_related("client")
        .order_by("client__name", "name", "pk")
    )
    if status:
        queryset = queryset.filter(status=status)
    if client_id:
        queryset = queryset.filter(client_id=client_id)
    return queryset


def programs_with_data_rows() -> QuerySet[Program]:
    """The programmes that hold people's data (see tenants.models.programs_with_data), as a
    queryset for a page of them."""
    return (
        Program.objects.exclude(schema_name="public")
        .filter(status__in=[Program.Status.READY, Program.Status.PAUSED, Program.Status.ARCHIVED])
        .select_related("client")
        .order_by("client__name", "name", "pk")
    )


def with_participant_counts(programs: list[Program]) -> list[Program]:
    """`programs`, each with its `participant_count` (one query)."""
    counts = participant_counts(program_ids=[program.pk for program in programs])
    for program in programs:
        program.participant_count = counts.get(program.pk, 0)
    return programs


def programs_for_console(*, status: str = "", client_id: int | None = None) -> list[Program]:
    """Every programme with its participant count: two queries whatever the number."""
    return with_participant_counts(
        list(programs_for_console_rows(status=status, client_id=client_id))
    )


def program_for_console(*, program_id: int) -> Program | None:
    return (
        Program.objects.exclude(status=Program.Status.SPARE)
        .exclude(schema_name="public")
        .select_related("client")
        .filter(pk=program_id)
        .first()
    )


LIFECYCLE_ACTIONS = (
    "console.program_created",
    "console.program_ready",
    "console.program_failed",
    "console.program_retried",
    "console.program_pause",
    "console.program_resume",
    "console.program_archive",
    "console.program_restored",
)


def program_people_count(*, program: Program) -> dict[str, int]:
    """How many people a change of the programme's status reaches: active participants and
    people invited who have not opened their link yet (public index, one query)."""
    from django.db.models import Count, Q

    from shared_apps.accounts.models import ProgramMembership

    counts = ProgramMembership.objects.filter(program_id=program.pk).aggregate(
        active=Count("id", filter=Q(is_active=True)),
        invited=Count("id", filter=Q(is_active=False)),
    )
    return {"active": counts["active"] or 0, "invited": counts["invited"] or 0}


def program_history(*, program: Program) -> list[Any]:
    """The programme's lifecycle in the platform audit log (when, what, by whom), newest
    first, each event carrying `actor_name`."""
    from audit.models import AuditEvent

    events = list(
        AuditEvent.objects.filter(program_id=program.pk, action__in=LIFECYCLE_ACTIONS)[:50]
    )
    from audit.views import events_describe

    return events_describe(events)
