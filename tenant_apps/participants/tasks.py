from celery import shared_task

from tenant_apps.participants.services import password_reset_request


@shared_task(acks_late=True, ignore_result=True)
def send_password_reset_task(*, email: str) -> None:
    """In the programme it was sent from: look the address up and email a reset link to an
    active participant. Done here rather than in the request, so that the page answers in the
    same time whether or not the address belongs to someone."""
    password_reset_request(email=email)
