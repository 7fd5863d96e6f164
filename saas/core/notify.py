"""Messages about the shared identity, sent from wherever the event happened: a programme's
outbox on a programme site, a plain email after commit on the console."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils.translation import gettext as _

from shared_apps.accounts.selectors import user_by_email


def account_locked_notify(*, email: str) -> None:
    user = user_by_email(email=email)
    if user is None:
        return
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
        from tenant_apps.notifications.services import email_queue

        email_queue(to=user.email, template="account_locked", context={"user": user})
        return
    subject = _("Your Binôme account is locked for an hour")
    body = _(
        "Someone failed to log in to your Binôme account many times. It is locked for an hour. "
        "If it was not you, change your password once the lock ends."
    )
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    )
