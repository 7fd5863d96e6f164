"""The audit log's rows about a person, for the privacy app's export and erasure
(saas.core.personal_data)."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saas.core.personal_data import Erase, Item, Source, item, when

ACTIONS = {
    "auth.login": gettext_lazy("Logged in"),
    "auth.login_failed": gettext_lazy("Failed log-in"),
    "auth.logout_everywhere": gettext_lazy("Logged out on every device"),
    "auth.password_changed": gettext_lazy("Password changed"),
    "auth.password_reset": gettext_lazy("New password chosen with a reset link"),
    "participant.invited": gettext_lazy("Invitation sent"),
    "participant.deactivated": gettext_lazy("Access deactivated"),
    "participant.reactivated": gettext_lazy("Access reactivated"),
    "participant.profile_viewed": gettext_lazy("Your profile was viewed by a manager"),
    "privacy.exported": gettext_lazy("Consultation of your data"),
    "meetings.list_viewed": gettext_lazy("Meetings list viewed"),
    "meeting.cancelled": gettext_lazy("Meeting cancelled"),
}
ACTORS = {
    "manager": gettext_lazy("a programme manager"),
    "mentor": gettext_lazy("a mentor"),
    "mentee": gettext_lazy("a mentee"),
    "super-admin": gettext_lazy("the platform's administrators"),
    "system": gettext_lazy("the platform"),
    "api_key": gettext_lazy("an API key of the programme"),
}


def audit_event_in_words(row: Any, me: Any) -> Item:
    action = ACTIONS.get(row.action)
    what = str(action) if action else _("Other recorded action (%(code)s)") % {"code": row.action}
    if row.actor_user_id == me.user_id:
        who = _("you")
    else:
        who = str(ACTORS.get(row.actor_role, _("someone else")))
    return item(what, (_("Date"), when(row.created_at)), (_("By"), who))


EXPORT: dict[str, Source] = {
    # What the person did, and what was done about them (target: their participant row).
    "audit.AuditEvent": Source(
        rows=lambda p: (
            Q(actor_user_id=p.user_id)
            | Q(target_type="participants.participant", target_id=str(p.pk))
        ),
        section="journal",
        present=audit_event_in_words,
        omit_unless_own=frozenset({"ip", "request_id"}),
    ),
}

ERASE: dict[str, Erase | str] = {
    "audit.AuditEvent": "kept (ids only, no personal data); purged after 12 months",
}
