from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from saas.core.audit import audit_exempt
from saas.core.tasks import enqueue_on_commit
from tenant_apps.notifications.models import Email


@audit_exempt("queues an email for an action that its caller audits")
def email_queue(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str | None = None,
    has_secret: bool = False,
    attachments: list[dict[str, str]] | None = None,
) -> Email:
    """Render `notifications/email/<template>.{subject.txt,txt,html}` and put it in the outbox.

    Call it inside the transaction of the action: the row commits or rolls back with it, and
    the sending task is queued only on commit. `attachments` are text files:
    `{"filename", "content", "mimetype"}` (a calendar invitation is sent as
    `text/calendar; method=REQUEST` or `CANCEL`).
    """
    from tenant_apps.notifications.tasks import send_email_task
    from tenant_apps.programs.selectors import program_settings

    program = connection.tenant
    program_config = program_settings()
    context = {
        "program": program,
        "site_url": program.url(),
        "brand_color": program_config.primary_color,
        **context,
    }
    # The programme's language (French unless the manager chose English).
    with translation.override(language or program_config.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"notifications/email/{template}.subject.txt", context)
        body_text = render_to_string(f"notifications/email/{template}.txt", context)
        body_html = render_to_string(f"notifications/email/{template}.html", context)
    email = Email.objects.create(
        to=to,
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        template=template,
        has_secret=has_secret,
        attachments=list(attachments or []),
    )
    enqueue_on_commit(send_email_task, email_id=email.pk)
    return email


def _attachment_part(attachment: dict[str, str]) -> MIMEBase:
    """A MIME part for a stored text attachment, its parameters kept (`method=REQUEST` is how
    calendar clients recognise an invitation)."""
    mimetype, *parameters = (part.strip() for part in attachment["mimetype"].split(";"))
    maintype, _slash, subtype = mimetype.partition("/")
    part: MIMEBase
    if maintype == "text":
        part = MIMEText(attachment["content"], subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(attachment["content"].encode())
        encoders.encode_base64(part)
    for parameter in parameters:
        name, _equals, value = parameter.partition("=")
        if name and value:
            part.set_param(name.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
    return part


@audit_exempt("delivery of a queued email; the outbox row records it")
def email_send(*, email_id: int) -> Email | None:
    """Send one outbox row. Idempotent: a row already sent is left alone, and the row lock
    (held while the message goes out) stops two workers from sending the same message."""
    try:
        with transaction.atomic():
            email = Email.objects.select_for_update(skip_locked=True).filter(pk=email_id).first()
            if email is None or email.status == Email.Status.SENT:
                return email
            message = EmailMultiAlternatives(
                subject=email.subject, body=email.body_text, to=[email.to]
            )
            if email.body_html:
                message.attach_alternative(email.body_html, "text/html")
            for attachment in email.attachments:
                message.attach(_attachment_part(attachment))
            message.send()
            email.status = Email.Status.SENT
            email.sent_at = timezone.now()
            email.attempts += 1
            fields = ["status", "sent_at", "attempts"]
            if email.has_secret:
                email.body_text = email.body_html = ""
                fields += ["body_text", "body_html"]
            email.save(update_fields=fields)
            return email
    except Exception as exc:
        Email.objects.filter(pk=email_id).update(
            attempts=F("attempts") + 1, last_error=type(exc).__name__
        )
        raise


@audit_exempt("delivery bookkeeping of a queued email; the outbox row records it")
def email_mark_failed(*, email_id: int, error: str) -> None:
    Email.objects.filter(pk=email_id).exclude(status=Email.Status.SENT).update(
        status=Email.Status.FAILED, last_error=error[:1000]
    )
