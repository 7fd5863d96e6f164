"""Meetings: the writes, one module per concern. The state machine itself is on the model
(`Meeting.can_accept(by)`, `can_move(by, now)`, …; see models.py): each service asks the
model's guard and raises its refusal, so that what a page offers and what a service allows
cannot drift apart.

- proposing: `meeting_propose`
- answering: `meeting_accept`, `meeting_decline` (a proposal or a proposed move)
- moving: `meeting_move_propose`
- cancelling: `meeting_cancel`
- outcome: `meeting_outcome_set`, `meeting_video_event_handle` (WHEREBY_EVENT_HANDLER),
  `external_id_for`
- notes: `meeting_note_save`, `meeting_next_steps_save`
- reminders: `meetings_due_process`, `meeting_reminder_send` (the periodic job)
- room: `meeting_room_sync`, `meeting_room_prepare` (the video room, through tenant_apps.video's
  `room_create` / `room_delete` only)
- invitations: the emails and their calendar invitation (ICS); `when_label`, `meeting_page_url`
- erasure: `meetings_person_erase` (called by tenant_apps.privacy)

Every write is keyword-only, atomic, and queues its side effects (emails, Whereby calls) on
commit. Refusals raise saas.core.errors and change nothing.

The package is the meetings app's one door: callers in other apps import the services from
`tenant_apps.meetings.services`, which re-exports every public service of its modules (the
modules themselves import each other, never this package).
"""

from tenant_apps.meetings.services.answering import meeting_accept, meeting_decline
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.erasure import meetings_person_erase
from tenant_apps.meetings.services.invitations import meeting_page_url, when_label
from tenant_apps.meetings.services.moving import meeting_move_propose
from tenant_apps.meetings.services.notes import meeting_next_steps_save, meeting_note_save
from tenant_apps.meetings.services.outcome import (
    external_id_for,
    meeting_outcome_set,
    meeting_video_event_handle,
)
from tenant_apps.meetings.services.proposing import meeting_propose
from tenant_apps.meetings.services.reminders import meeting_reminder_send, meetings_due_process
from tenant_apps.meetings.services.room import meeting_room_prepare, meeting_room_sync

__all__ = [
    "external_id_for",
    "meeting_accept",
    "meeting_cancel",
    "meeting_decline",
    "meeting_move_propose",
    "meeting_next_steps_save",
    "meeting_note_save",
    "meeting_outcome_set",
    "meeting_page_url",
    "meeting_propose",
    "meeting_reminder_send",
    "meeting_room_prepare",
    "meeting_room_sync",
    "meeting_video_event_handle",
    "meetings_due_process",
    "meetings_person_erase",
    "when_label",
]
