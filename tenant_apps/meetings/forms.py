from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenant_apps.matching.models import Match
from tenant_apps.participants.models import Participant

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The zones people of a French programme are in (metropolitan France, overseas, neighbours).
TIME_ZONES = [
    ("Europe/Paris", _("France (Paris)")),
    ("Europe/London", _("United Kingdom, Ireland, Portugal (London)")),
    ("America/Guadeloupe", _("Guadeloupe, Martinique")),
    ("America/Cayenne", _("French Guiana")),
    ("Indian/Reunion", _("Réunion")),
    ("Indian/Mayotte", _("Mayotte")),
    ("Pacific/Noumea", _("New Caledonia")),
    ("Pacific/Tahiti", _("French Polynesia (Tahiti)")),
    ("UTC", _("UTC")),
]
DURATIONS = [
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1 hour 30 minutes")),
    (120, _("2 hours")),
]
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a time zone: the form reads it in the chosen zone
    (Django's field would read it in the server's)."""

    def to_python(self, value: object) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        try:
            return datetime.strptime(str(value).strip(), DATETIME_INPUT)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def _datetime_field(label: "StrOrPromise", *, required: bool) -> forms.DateTimeField:
    return WallClockDateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )


class SlotsForm(forms.Form):
    """Up to three times, read in the chosen time zone (Europe/Paris by default)."""

    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONES, initial="Europe/Paris")
    duration = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, initial=60
    )
    slot_1 = _datetime_field(_("First possible time"), required=True)
    slot_2 = _datetime_field(_("Second possible time (optional)"), required=False)
    slot_3 = _datetime_field(_("Third possible time (optional)"), required=False)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        zone = ZoneInfo(data.get("time_zone") or "Europe/Paris")
        for name in ("slot_1", "slot_2", "slot_3"):
            value = data.get(name)
            if value is None:
                continue
            # The wall-clock time in the chosen zone; a time skipped by a clock change (02:30
            # on the last Sunday of March in Paris) does not exist and is refused.
            wall = value
            local = wall.replace(tzinfo=zone)
            if local.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) != wall:
                self.add_error(name, _("This time does not exist in this time zone."))
                continue
            data[name] = local
        return data

    def slots(self) -> list[tuple[datetime, datetime]]:
        duration = timedelta(minutes=self.cleaned_data["duration"])
        starts = [self.cleaned_data.get(name) for name in ("slot_1", "slot_2", "slot_3")]
        return [(start, start + duration) for start in starts if start is not None]


class ProposeForm(SlotsForm):
    match = forms.TypedChoiceField(label=_("With"), coerce=int)

    field_order = ["match", "time_zone", "duration", "slot_1", "slot_2", "slot_3"]

    def __init__(
        self, *args: Any, participant: Participant, pairs: list[Match], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pairs = {pair.pk: pair for pair in pairs}
        match_field = cast(forms.TypedChoiceField, self.fields["match"])
        match_field.choices = [
            (
                pair.pk,
                (pair.mentor if pair.mentee_id == participant.pk else pair.mentee).display_name,
            )
            for pair in pairs
        ]

    def chosen_pair(self) -> Match:
        return self.pairs[self.cleaned_data["match"]]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        help_text=_("The other person will read it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


class MeetingTextForm(forms.Form):
    """One of the meeting page's text boxes: it may be emptied, 10,000 characters at most. A
    subclass says what the box is and the messages its page shows."""

    label: "StrOrPromise" = ""
    help: "StrOrPromise" = ""
    too_long: "StrOrPromise" = ""
    saved: "StrOrPromise" = ""

    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = self.label
        self.fields["text"].help_text = self.help


class NoteForm(MeetingTextForm):
    prefix = "note"
    label = _("My private notes")
    help = _("Only you can read them.")
    too_long = _("Your notes are too long.")
    saved = _("Your notes are saved.")


class NextStepsForm(MeetingTextForm):
    prefix = "steps"
    label = _("Agreed next steps")
    help = _("Shared: both of you can read and edit them.")
    too_long = _("The next steps are too long.")
    saved = _("The next steps are saved.")
