"""Private messages of a pair: plain text with clickable links (escaped first), an email that
says only that a message is waiting (at most one per thread every 15 minutes, switchable off),
unread counts, counts only for the manager; exported, erased and purged with the pair."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenant_apps.matching.models import Match
from tenant_apps.mentoring.models import Message, Profile
from tenant_apps.mentoring.services import MESSAGE_EMAIL_EVERY, message_send
from tenant_apps.mentoring.tasks import send_message_emails_task
from tenant_apps.mentoring.tests.conftest import in_programme, logged_in
from tenant_apps.notifications.models import Email

SECRET = "Mon code de porte est 4512"


def run_email_task(program, now=None):
    """The beat's per-programme task, run in the programme (as the worker would)."""
    from tenant_apps.mentoring.services import message_emails_send

    if now is None:
        return in_programme(program, lambda: send_message_emails_task.apply().get())
    return in_programme(program, lambda: message_emails_send(now=now))


def emails_to(program, address):
    return in_programme(
        program, lambda: list(Email.objects.filter(to=address, template="message_waiting"))
    )


@pytest.mark.django_db
def test_messages_both_ways_with_a_contentless_email(pair, django_capture_on_commit_callbacks):
    lea = logged_in(pair.program, "lea.martin@a.example")
    hugo = logged_in(pair.program, "hugo.bernard@a.example")
    thread = f"/binome/{pair.match.pk}/messages/"

    # when Léa writes, and the beat task runs
    with django_capture_on_commit_callbacks(execute=True):
        response = lea.post(thread, {"body": SECRET})
        assert response.status_code == 302
        assert run_email_task(pair.program) == 1

    # then Hugo got one email that says a message is waiting, without its content
    (email,) = emails_to(pair.program, "hugo.bernard@a.example")
    for part in (email.subject, email.body_text, email.body_html):
        assert SECRET not in part and "4512" not in part
    assert "Léa Martin" in email.body_text
    assert thread in email.body_text
    assert any(m.to == ["hugo.bernard@a.example"] for m in mail.outbox)
    # and he reads it on the thread, and answers; Léa reads the answer
    assert SECRET in hugo.get(thread).content.decode()
    hugo.post(thread, {"body": "Bien reçu"})
    assert "Bien reçu" in lea.get(thread).content.decode()


@pytest.mark.django_db
def test_at_most_one_email_per_thread_every_15_minutes(pair):
    now = timezone.now()

    # given Léa wrote and Hugo was emailed
    in_programme(pair.program, lambda: message_send(match=pair.match, by=pair.mentee, body="1"))
    assert run_email_task(pair.program, now) == 1
    # when she writes again 5 minutes later and the job runs again (twice)
    in_programme(pair.program, lambda: message_send(match=pair.match, by=pair.mentee, body="2"))
    assert run_email_task(pair.program, now + timedelta(minutes=5)) == 0
    assert run_email_task(pair.program, now + timedelta(minutes=5)) == 0
    # then a second email only once 15 minutes passed — and only one
    later = now + MESSAGE_EMAIL_EVERY + timedelta(seconds=1)
    assert run_email_task(pair.program, later) == 1
    assert run_email_task(pair.program, later) == 0
    assert len(emails_to(pair.program, "hugo.bernard@a.example")) == 2


@pytest.mark.django_db
def test_no_email_when_read_already_or_switched_off(pair):
    now = timezone.now()
    hugo = logged_in(pair.program, "hugo.bernard@a.example")

    # given Léa wrote and Hugo read the thread before the job ran
    in_programme(pair.program, lambda: message_send(match=pair.match, by=pair.mentee, body="1"))
    hugo.get(f"/binome/{pair.match.pk}/messages/")
    assert run_email_task(pair.program, now + timedelta(minutes=1)) == 0

    # and when Hugo switched the emails off in his presentation, a new message sends none
    response = hugo.post("/profil/presentation/", {"bio": "", "job_title": "", "entity": ""})
    assert response.status_code == 302
    assert (
        in_programme(
            pair.program, lambda: Profile.objects.get(participant=pair.mentor)
        ).notify_messages
        is False
    )
    in_programme(pair.program, lambda: message_send(match=pair.match, by=pair.mentee, body="2"))
    assert run_email_task(pair.program, now + timedelta(hours=1)) == 0
    assert emails_to(pair.program, "hugo.bernard@a.example") == []


@pytest.mark.django_db
def test_links_are_clickable_and_everything_else_escaped(pair):
    body = 'Voir https://exemple.fr/a?x=1&y=2. <script>alert(1)</script> javascript:alert(2) "ok"'
    in_programme(pair.program, lambda: message_send(match=pair.match, by=pair.mentee, body=body))
    content = (
        logged_in(pair.program, "hugo.bernard@a.example")
        .get(f"/binome/{pair.match.pk}/messages/")
        .content.decode()
    )
    assert (
        '<a href="https://exemple.fr/a?x=1&amp;y=2" rel="nofollow noopener noreferrer">'
        "https://exemple.fr/a?x=1&amp;y=2</a>." in content
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)" not in content
    assert 'href="javascript' not in content


@pytest.mark.django_db
def test_the_manager_sees_counts_never_content(pair, manager_client):
    in_programme(pair.program, lambda: message_send(match=pair.match, by=pair.mentee, body=SECRET))
    # the manager's follow-up page counts the pair's messages
    page = manager_client.get("/gestion/accompagnement/").content.decode()
    assert SECRET not in page
    assert ">1</td>" in page
    # and the thread itself is not theirs to open
    assert manager_client.get(f"/binome/{pair.match.pk}/messages/").status_code == 404


@pytest.mark.django_db
def test_an_ended_pair_keeps_its_thread_readable_but_closed(pair):
    in_programme(pair.program, lambda: message_send(match=pair.match, by=pair.mentee, body="1"))
    in_programme(
        pair.program,
        lambda: Match.objects.filter(pk=pair.match.pk).update(
            status=Match.Status.ENDED, ended_at=timezone.now()
        ),
    )
    lea = logged_in(pair.program, "lea.martin@a.example")
    assert lea.get(f"/binome/{pair.match.pk}/messages/").status_code == 200
    assert lea.post(f"/binome/{pair.match.pk}/messages/", {"body": "2"}).status_code == 404
    assert in_programme(pair.program, lambda: Message.objects.count()) == 1


@pytest.mark.django_db
def test_messages_are_deleted_after_the_retention_once_the_pair_ended(pair):
    from tenant_apps.privacy.tasks import apply_retention_task

    def given():
        message_send(match=pair.match, by=pair.mentee, body="ancien")
        Match.objects.filter(pk=pair.match.pk).update(
            status=Match.Status.ENDED, ended_at=timezone.now() - timedelta(days=370)
        )

    in_programme(pair.program, given)
    # when the daily retention job runs (12 months by default)
    counts = in_programme(pair.program, lambda: apply_retention_task.apply().get())
    # then the messages are gone, and a second run finds nothing
    assert counts["messages_deleted"] == 1
    assert in_programme(pair.program, lambda: Message.objects.count()) == 0
    assert (
        in_programme(pair.program, lambda: apply_retention_task.apply().get())["messages_deleted"]
        == 0
    )


@pytest.mark.django_db
def test_a_recent_pair_keeps_its_messages(pair):
    from tenant_apps.privacy.tasks import apply_retention_task

    def given():
        message_send(match=pair.match, by=pair.mentee, body="récent")
        Match.objects.filter(pk=pair.match.pk).update(
            status=Match.Status.ENDED, ended_at=timezone.now() - timedelta(days=300)
        )

    in_programme(pair.program, given)
    counts = in_programme(pair.program, lambda: apply_retention_task.apply().get())
    assert counts["messages_deleted"] == 0
    assert in_programme(pair.program, lambda: Message.objects.count()) == 1


@pytest.mark.django_db
def test_messages_are_exported_and_erased_with_the_person(pair):
    from tenant_apps.privacy.services.erasure import participant_erase
    from tenant_apps.privacy.services.export import participant_export

    def given():
        message_send(match=pair.match, by=pair.mentee, body="De Léa")
        message_send(match=pair.match, by=pair.mentor, body="De Hugo")
        return participant_export(participant=pair.mentee)

    exported = in_programme(pair.program, given)
    bodies = sorted(row["body"] for row in exported["data"]["mentoring.Message"])
    assert bodies == ["De Hugo", "De Léa"]
    # when Léa is erased, her messages go (Hugo's own stay until the retention)
    in_programme(pair.program, lambda: participant_erase(participant=pair.mentee, by=pair.mentee))
    left = in_programme(pair.program, lambda: list(Message.objects.values_list("body", flat=True)))
    assert left == ["De Hugo"]


@pytest.mark.django_db
def test_the_thread_reads_a_fixed_number_of_queries(pair):
    hugo = logged_in(pair.program, "hugo.bernard@a.example")

    def add(count):
        def work():
            for index in range(count):
                message_send(match=pair.match, by=pair.mentee, body=f"https://exemple.fr/{index}")

        in_programme(pair.program, work)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert hugo.get(f"/binome/{pair.match.pk}/messages/").status_code == 200
        connection.set_schema_to_public()
        return len(queries)

    count_queries()  # warm: the programme's settings cached, nothing to read yet
    add(1)
    one = count_queries()  # one new message: shown, and recorded as read (an upsert)
    add(19)
    twenty = count_queries()
    assert twenty == one, (one, twenty)


@pytest.mark.django_db
def test_reading_an_up_to_date_thread_writes_nothing(pair):
    hugo = logged_in(pair.program, "hugo.bernard@a.example")
    lea = logged_in(pair.program, "lea.martin@a.example")
    thread = f"/binome/{pair.match.pk}/messages/"

    def statements(client):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(thread).status_code == 200
        connection.set_schema_to_public()
        return [q["sql"].split()[0] for q in queries.captured_queries]

    def unread_shown():
        return "non lu" in hugo.get(f"/binome/{pair.match.pk}/").content.decode()

    # given Léa wrote: Hugo sees it unread, opens the thread, and it is read
    in_programme(pair.program, lambda: message_send(match=pair.match, by=pair.mentee, body="1"))
    assert unread_shown()
    assert "INSERT" in statements(hugo)
    assert not unread_shown()
    # when he comes back with nothing new, or Léa reads her own message: nothing is written
    for client in (hugo, lea, hugo):
        written = [s for s in statements(client) if s not in ("SET", "SELECT")]
        assert written == [], written
    # and Léa's next message is unread again, then read again
    in_programme(pair.program, lambda: message_send(match=pair.match, by=pair.mentee, body="2"))
    assert unread_shown()
    statements(hugo)
    assert not unread_shown()
