"""Nudges: a pair with no meeting for N days (30 by default, per programme) gets one reminder
each, once per quiet period; the manager sees the list of such pairs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.mentoring.models import MentoringSettings, Nudge
from tenant_apps.mentoring.tasks import send_nudges_task
from tenant_apps.mentoring.tests.conftest import in_programme
from tenant_apps.notifications.models import Email


def started_days_ago(pair, days):
    in_programme(
        pair.program,
        lambda: Match.objects.filter(pk=pair.match.pk).update(
            activated_at=timezone.now() - timedelta(days=days),
            created_at=timezone.now() - timedelta(days=days),
        ),
    )


def nudge_emails(pair):
    return in_programme(
        pair.program,
        lambda: sorted(Email.objects.filter(template="pair_nudge").values_list("to", flat=True)),
    )


@pytest.mark.django_db
def test_a_quiet_pair_gets_one_reminder_each_once(pair):
    # given a pair started 40 days ago that never met
    started_days_ago(pair, 40)

    # when the daily job runs twice
    sent = in_programme(pair.program, lambda: send_nudges_task.apply().get())
    again = in_programme(pair.program, lambda: send_nudges_task.apply().get())

    # then each person got one email (no room URL, no content), recorded; the second run sent none
    assert (sent, again) == (2, 0)
    assert nudge_emails(pair) == ["hugo.bernard@a.example", "lea.martin@a.example"]
    body = in_programme(pair.program, lambda: Email.objects.filter(template="pair_nudge").first())
    assert "whereby" not in body.body_text.lower()
    assert f"/binome/{pair.match.pk}/" in body.body_text
    assert in_programme(pair.program, lambda: Nudge.objects.count()) == 2
    assert (
        in_programme(
            pair.program, lambda: AuditEvent.objects.filter(action="mentoring.nudges_sent").count()
        )
        == 1
    )


@pytest.mark.django_db
def test_a_recent_pair_or_one_with_a_meeting_coming_is_left_alone(pair):
    started_days_ago(pair, 20)
    assert in_programme(pair.program, lambda: send_nudges_task.apply().get()) == 0
    # a pair quiet for 40 days but with a proposal waiting is not nudged
    started_days_ago(pair, 40)
    from tenant_apps.meetings.tests.factories import proposed

    in_programme(pair.program, lambda: proposed(pair))
    assert in_programme(pair.program, lambda: send_nudges_task.apply().get()) == 0
    assert nudge_emails(pair) == []


@pytest.mark.django_db
def test_a_new_quiet_period_after_a_meeting_gets_a_new_reminder(pair):
    started_days_ago(pair, 100)
    in_programme(pair.program, lambda: send_nudges_task.apply().get())

    # given they met 35 days ago (after the first reminder)
    def met():
        from tenant_apps.meetings.models import Meeting

        start = timezone.now() - timedelta(days=35)
        Meeting.objects.create(
            match=pair.match,
            proposed_by=pair.mentee,
            status=Meeting.Status.HELD,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )

    in_programme(pair.program, met)
    # when the job runs, then both get a new reminder for this new period
    assert in_programme(pair.program, lambda: send_nudges_task.apply().get()) == 2
    assert len(nudge_emails(pair)) == 4


@pytest.mark.django_db
def test_the_number_of_days_is_the_programmes_and_the_manager_sees_the_list(pair, manager_client):
    started_days_ago(pair, 40)
    # the manager sees the pair as quiet
    page = manager_client.get("/gestion/accompagnement/").content.decode()
    assert "Léa Martin" in page and "Hugo Bernard" in page
    # when the manager sets 60 days (audited)
    response = manager_client.post(
        "/gestion/accompagnement/", {"nudge_after_days": 60, "message_retention_months": 12}
    )
    assert response.status_code == 302
    assert (
        in_programme(pair.program, lambda: MentoringSettings.objects.get().nudge_after_days) == 60
    )
    assert (
        in_programme(
            pair.program,
            lambda: AuditEvent.objects.filter(action="mentoring.settings_changed").count(),
        )
        == 1
    )
    # then the pair is not quiet any more, and nobody is reminded
    assert in_programme(pair.program, lambda: send_nudges_task.apply().get()) == 0
    assert (
        "Léa Martin"
        not in manager_client.get("/gestion/accompagnement/")
        .content.decode()
        .split('id="counts-title"')[0]
    )
    # an out-of-range value is refused and changes nothing
    manager_client.post(
        "/gestion/accompagnement/", {"nudge_after_days": 2, "message_retention_months": 12}
    )
    assert (
        in_programme(pair.program, lambda: MentoringSettings.objects.get().nudge_after_days) == 60
    )


@pytest.mark.django_db
def test_the_follow_up_page_is_for_managers_and_reads_a_fixed_number_of_queries(
    pair, manager_client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import PASSWORD, host_client, http_login

    client = host_client(pair.program)
    http_login(client, "lea.martin@a.example", PASSWORD)
    assert client.get("/gestion/accompagnement/").status_code == 403
    started_days_ago(pair, 40)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get("/gestion/accompagnement/").status_code == 200
        connection.set_schema_to_public()
        return len(queries)

    count_queries()  # the first visit creates the programme's mentoring settings row
    one = count_queries()

    def more():
        from tenant_apps.mentoring.services import goal_create, message_send

        for index in range(20):
            message_send(match=pair.match, by=pair.mentee, body=str(index))
            goal_create(match=pair.match, by=pair.mentor, title=str(index))
            start = timezone.now() - timedelta(days=200 + index)
            Meeting.objects.create(
                match=pair.match, proposed_by=pair.mentee, status="held",
                starts_at=start, ends_at=start + timedelta(hours=1),
            )  # fmt: skip

    in_programme(pair.program, more)
    assert count_queries() == one
