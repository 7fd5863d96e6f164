"""The demo data shows feedback given and an announcement (seeded twice: idempotent). In the
manager-led programme, the feedback is on the mentoring demo's pair (it met a week ago), and the
pair at risk (paired 45 days ago, never met) is asked its first check-in."""

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
            # this app's own demo answer, once; the dashboard's demo cohort (outcomes.demo)
            # rated about half of its held meetings too
            rated = SurveyResponse.objects.filter(survey__kind="meeting")
            given = rated.filter(
                answers__contains={"retour-rdv-commentaire": "Très concret, merci !"}
            )
            assert given.count() == 1
            assert rated.count() > 20
            pending = SurveyInvitation.objects.filter(answered_at__isnull=True)
            # the dashboard's demo cohort (tenant_apps.outcomes.demo) has held meetings and
            # long pairs too: each of its people is asked as well
            assert pending.filter(survey__kind="meeting").count() >= 1
            if slug == "ucanss-2027":  # the relationship demo's pair at risk, among others
                assert pending.filter(
                    survey__kind="checkin", participant__user__email="mentee2@ucanss.fr"
                ).exists()
            assert (
                pending.count() == pending.filter(survey__kind__in=["meeting", "checkin"]).count()
            )
        connection.set_schema_to_public()
