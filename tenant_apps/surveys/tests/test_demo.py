"""The demo data shows feedback given and an announcement (seeded twice: idempotent)."""

import os

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import tenant_context

from tenant_apps.surveys.models import Announcement, SurveyInvitation, SurveyResponse
from tenants.models import Program


@pytest.mark.django_db
def test_the_demo_shows_feedback_given_and_an_announcement(django_capture_on_commit_callbacks):
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("demo_seed", "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115
        connection.set_schema_to_public()

    for slug in ("ucanss-2027", "banque-mentorat"):
        with tenant_context(Program.objects.get(slug=slug)):
            assert Announcement.objects.count() == 1
            assert SurveyResponse.objects.filter(survey__kind="meeting").count() == 1
            assert SurveyInvitation.objects.filter(answered_at__isnull=True).count() == 1
        connection.set_schema_to_public()
