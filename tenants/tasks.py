from celery import shared_task

from tenants.services import program_pool_refill, program_provision


@shared_task(acks_late=True)
def program_provision_task(*, program_id: int) -> None:
    program_provision(program_id=program_id)


@shared_task(acks_late=True, ignore_result=True)
def program_pool_refill_task() -> None:
    program_pool_refill()
