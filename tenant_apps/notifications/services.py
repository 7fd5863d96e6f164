import html
from collections.abc import Iterable
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Cast, Replace
from django.template import Context
from django.template.backends.django import Template as DjangoBackendTemplate
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.log import audit_exempt
from saas.core.tasks import enqueue_on_commit
from saas.core.tenancy import connection
from tenant_apps.notifications.models import Email
from tenant_apps.programs.branding import brand_colors
from tenant_apps.programs.selectors import program_logo_path, program_settings


@audit_exempt("pure: words the greeting of an email")
def greeting(*, first_name: str = "") -> str:
    """How every email starts: "Bonjour Camille," when the first name is known, else
    "Bonjour,". The one place that says it, so that no two emails greet differently."""
    first_name = " ".join((first_name or "").split())
    if first_name:
        return _("Hello %(name)s,") % {"name": first_name}
    return _("Hello,")


def _recipient_first_name(context: dict[str, Any]) -> str:
    if context.get("recipient_name"):
        return str(context["recipient_name"])
    participant = context.get("participant")
    user = participant.user if participant is not None else context.get("user")
    return getattr(user, "first_name", "") or ""


def _subject_render(template_name: str, context: dict[str, Any]) -> str:
    """An email subject is plain text: rendered without HTML autoescaping (a programme called
    "Dupont & Fils" or a person called O'Brien must not arrive as `&amp;` or `&#x27;`), on one
    line."""
    backend_template = cast(DjangoBackendTemplate, get_template(template_name))
    engine_template = backend_template.template  # the Django engine's Template
    subject = engine_template.render(Context(context, autoescape=False))
    return " ".join(subject.split())


@audit_exempt("queues an email for an action that its caller audits")
def email_queue(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str | None = None,
    has_secret: bool = False,
    attachments: list[dict[str, str]] | None = None,
    about: Iterable[int] = (),
) -> Email:
    """Render `notifications/email/<template>.{subject.txt,txt,html}` and put it in the outbox.

    Call it inside the transaction of the action: the row commits or rolls back with it, and
    the sending task is queued only on commit. `attachments` are text files:
    `{"filename", "content", "mimetype"}` (a calendar invitation is sent as
    `text/calendar; method=REQUEST` or `CANCEL`). `about`: the ids of the participants the
    message names besides its recipient, so that erasing one of them reaches it. The greeting
    comes from `greeting()`, with the first name of the context's `recipient_name`,
    `participant` or `user`.
    """
    from tenant_apps.notifications.tasks import send_email_task

    program = connection.tenant
    program_config = program_settings()
    context = {
        "program": program,
        "site_url": program.url(),
        "brand_color": program_config.primary_color,
        "brand_text_color": brand_colors(program_config.primary_color).text,
        "logo_url": program.url(logo) if (logo := program_logo_path()) else "",
        **context,
    }
    # The programme's language (French unless the manager chose English).
    with translation.override(language or program_config.language or settings.LANGUAGE_CODE):
        context["greeting"] = greeting(first_name=_recipient_first_name(context))
        subject = _subject_render(f"notifications/email/{template}.subject.txt", context)
        body_text = render_to_string(f"notifications/email/{template}.txt", context)
        body_html = render_to_string(f"notifications/email/{template}.html", context)
    email = Email.objects.create(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
        has_secret=has_secret,
        attachments=list(attachments or []),
        about=sorted(set(about)),
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


@audit_exempt("a step of the person's erasure, which its caller audits")
@transaction.atomic
def emails_person_erase(*, participant_id: int, email: str, names: Iterable[str] = ()) -> int:
    """Erasure of a person from the outbox: the messages sent to them go; the messages to
    others that name them — tagged `about` them, or whose subject, bodies or attachments hold
    their address or name — are not sent any more if still waiting (deleted), and keep only
    their envelope (recipient, template, dates) once sent: subject, bodies and attachments are
    dropped, as for a message that carried a secret. Returns how many rows were touched."""
    needles = {email, *(n for n in names if n.strip())}
    needles |= {html.escape(n) for n in needles}
    # Calendar lines are folded at 75 octets ("\r\n " inside the stored JSON): unfold them.
    rows = Email.objects.annotate(
        attachments_text=Replace(
            Cast("attachments", output_field=TextField()),
            Value(r"\r\n ", output_field=TextField()),
            Value("", output_field=TextField()),
            output_field=TextField(),
        )
    )
    names_them = Q(about__contains=[participant_id])
    for needle in needles:
        names_them |= (
            Q(subject__icontains=needle)
            | Q(body_text__icontains=needle)
            | Q(body_html__icontains=needle)
            | Q(attachments_text__icontains=needle)
        )
    to_them = Email.objects.filter(to__iexact=email)
    count = to_them.count()
    to_them.delete()
    concerned = Email.objects.filter(pk__in=rows.filter(names_them).values("pk"))
    count += concerned.count()
    concerned.exclude(status=Email.Status.SENT).delete()
    concerned.filter(status=Email.Status.SENT).update(
        subject="", body_text="", body_html="", attachments=[], about=[]
    )
    return count
