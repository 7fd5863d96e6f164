from smtplib import SMTPException

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Email
from tenant_apps.notifications.services import email_queue, email_send


@pytest.mark.django_db
def test_email_is_written_with_the_action_and_sent_after_commit(
    world, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        tenant_context(world.program_a),
    ):
        email = email_queue(
            to="x@a.example",
            template="invitation",
            context={"link_url": "https://x", "expires_at": None},
            has_secret=False,
        )
    # nothing is sent before the commit
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["x@a.example"]
    assert "Programme A" in mail.outbox[0].subject
    with tenant_context(world.program_a):
        assert Email.objects.get(pk=email.pk).status == Email.Status.SENT


@pytest.mark.django_db
def test_rolled_back_action_sends_nothing(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.program_a):
        with pytest.raises(RuntimeError), transaction.atomic():
            email_queue(
                to="y@a.example",
                template="invitation",
                context={"link_url": "https://x", "expires_at": None},
            )
            raise RuntimeError("the action failed")
        assert not Email.objects.filter(to="y@a.example").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_sending_twice_sends_once(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with tenant_context(world.program_a):
        with django_capture_on_commit_callbacks(execute=False):
            email = email_queue(
                to="z@a.example",
                template="invitation",
                context={"link_url": "https://x", "expires_at": None},
            )
        email_send(email_id=email.pk)
        email_send(email_id=email.pk)
    connection.set_schema_to_public()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_failed_send_is_counted_and_retried_later(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMultiAlternatives

    def refuse(self, fail_silently=False):
        raise SMTPException("server busy")

    with tenant_context(world.program_a):
        with django_capture_on_commit_callbacks(execute=False):
            email = email_queue(
                to="w@a.example",
                template="invitation",
                context={"link_url": "https://x", "expires_at": None},
            )
        monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
        with pytest.raises(SMTPException):
            email_send(email_id=email.pk)
        email.refresh_from_db()
        assert (email.status, email.attempts, email.last_error) == ("pending", 1, "SMTPException")
        monkeypatch.undo()
        email_send(email_id=email.pk)
        email.refresh_from_db()
        assert (email.status, email.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_emails_follow_the_programme_language(world, django_capture_on_commit_callbacks):
    from tenant_apps.programs.models import ProgramSettings

    with tenant_context(world.program_a):
        ProgramSettings.objects.filter(id=1).update(language="en")
        with django_capture_on_commit_callbacks(execute=False):
            english = email_queue(
                to="en@a.example",
                template="invitation",
                context={"link_url": "https://x", "expires_at": None},
            )
    with tenant_context(world.program_b), django_capture_on_commit_callbacks(execute=False):
        french = email_queue(
            to="fr@b.example",
            template="invitation",
            context={"link_url": "https://x", "expires_at": None},
        )
    assert english.subject == "Your access to Programme A"
    assert "Hello," in english.body_text and "<p>Hello,</p>" in english.body_html
    assert french.subject == "Votre accès à Programme B"
    assert "Bonjour," in french.body_text


@pytest.mark.django_db
def test_erasing_a_person_reaches_every_row_that_names_them_and_only_those(world):
    from tenant_apps.notifications.services import emails_person_erase

    folded_ics = (
        "BEGIN:VCALENDAR\r\nATTENDEE;CN=Someone;ROLE=REQ-PARTICIPANT:mailto:xavier\r\n e.q@a.examp"
        "le\r\nEND:VCALENDAR\r\n"
    )
    calendar = {"filename": "invitation.ics", "content": folded_ics, "mimetype": "text/calendar"}
    with tenant_context(world.program_a):
        # given rows to her, rows to others about her (tagged, or naming her in the subject,
        # the HTML or a folded calendar line), sent or not, and rows about someone else
        def row(to, status="sent", **fields):
            defaults = {"subject": "s", "body_text": "b", "template": "meeting"}
            return Email.objects.create(to=to, status=status, **{**defaults, **fields})

        to_her = row("xaviere.q@a.example")
        tagged = row("mentor@a.example", about=[42])
        subject = row("mentor@a.example", status="pending", subject="Rendez-vous avec Xavière Q")
        html = row("mentor@a.example", body_html="<p>Quenouille-D&#x27;Arc Xavière</p>")
        ics = row("mentor@a.example", attachments=[calendar])
        other = row("mentor@a.example", subject="Rendez-vous avec Xavier Q", about=[43])

        # when she is erased from the outbox
        touched = emails_person_erase(
            participant_id=42,
            email="xaviere.q@a.example",
            names=["Xavière Q", "Quenouille-D'Arc Xavière"],
        )

        # then what was sent keeps only its envelope, what waited is not sent, the rest stays
        assert touched == 5
        assert not Email.objects.filter(pk__in=[to_her.pk, subject.pk]).exists()
        for kept in Email.objects.filter(pk__in=[tagged.pk, html.pk, ics.pk]):
            assert (kept.to, kept.status, kept.template) == ("mentor@a.example", "sent", "meeting")
            assert (kept.subject, kept.body_text, kept.body_html, kept.attachments) == (
                "",
                "",
                "",
                [],
            )
        assert Email.objects.get(pk=other.pk).subject == "Rendez-vous avec Xavier Q"
    connection.set_schema_to_public()
