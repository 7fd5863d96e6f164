"""Production email goes through django-anymail's Scaleway TEM backend: exercised here for real
against a loopback fake of the TEM API."""

import pytest
from django.test import override_settings
from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Email
from tenant_apps.notifications.services import email_queue, email_send
from tests.fakes.tem import fake_tem


def _tem_settings(fake, key="tem-secret"):
    return override_settings(
        EMAIL_BACKEND="anymail.backends.scaleway.EmailBackend",
        ANYMAIL={
            "SCALEWAY_SECRET_KEY": key,
            "SCALEWAY_PROJECT_ID": "11111111-2222-3333-4444-555555555555",
            "SCALEWAY_REGION": "fr-par",
            "SCALEWAY_API_URL": fake.base_url,
        },
        DEFAULT_FROM_EMAIL="Binôme <no-reply@binome.test>",
    )


def _queued(world, django_capture_on_commit_callbacks) -> Email:
    with tenant_context(world.program_a), django_capture_on_commit_callbacks(execute=False):
        return email_queue(
            to="lea@a.example",
            template="invitation",
            context={"link_url": "https://prog-a.binome.test/acces/x/", "expires_at": None},
            has_secret=True,
        )


@pytest.mark.django_db
def test_outbox_email_is_sent_through_tem_in_france(world, django_capture_on_commit_callbacks):
    with fake_tem() as fake, _tem_settings(fake):
        email = _queued(world, django_capture_on_commit_callbacks)
        with tenant_context(world.program_a):
            email_send(email_id=email.pk)
            email.refresh_from_db()
    assert email.status == Email.Status.SENT
    (request,) = fake.received
    assert request["region"] == "fr-par"
    assert request["to"] == [{"email": "lea@a.example"}]
    assert request["from"] == {"email": "no-reply@binome.test", "name": "Binôme"}
    assert request["subject"] == "Votre accès à Programme A"
    assert "https://prog-a.binome.test/acces/x/" in request["text"]
    assert request["html"].startswith("<!DOCTYPE html>")


@pytest.mark.django_db
def test_tem_outage_keeps_the_email_for_a_retry(world, django_capture_on_commit_callbacks):
    from anymail.exceptions import AnymailAPIError

    with fake_tem() as fake, _tem_settings(fake):
        email = _queued(world, django_capture_on_commit_callbacks)
        fake.fail_with = 503
        with tenant_context(world.program_a), pytest.raises(AnymailAPIError):
            email_send(email_id=email.pk)
        with tenant_context(world.program_a):
            email.refresh_from_db()
            assert (email.status, email.attempts) == (Email.Status.PENDING, 1)
            assert "https://prog-a.binome.test/acces/x/" in email.body_text  # kept for the retry
            fake.fail_with = None
            email_send(email_id=email.pk)
            email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert email.body_text == ""  # the link is erased once sent
    assert len(fake.received) == 1


@pytest.mark.django_db
def test_wrong_tem_key_is_an_error_not_a_silent_success(world, django_capture_on_commit_callbacks):
    from anymail.exceptions import AnymailAPIError

    with fake_tem(secret_key="the-real-one") as fake, _tem_settings(fake, key="a-wrong-one"):
        email = _queued(world, django_capture_on_commit_callbacks)
        with tenant_context(world.program_a), pytest.raises(AnymailAPIError):
            email_send(email_id=email.pk)
    assert fake.received == []
