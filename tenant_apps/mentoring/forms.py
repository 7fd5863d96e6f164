from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.mentoring.models import LANGUAGE_CHOICES, Goal, GoalTemplate
from tenant_apps.mentoring.services import MAX_MESSAGE_LENGTH


class ProfileForm(forms.Form):
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    entity = forms.CharField(
        label=_("Organisation or branch"),
        max_length=150,
        required=False,
        help_text=_("For example your regional branch or your department."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    bio = forms.CharField(
        label=_("A few words about you"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "1,000 characters at most. Shown to the people you are or could be paired with."
        ),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 5 MB at most. It is cropped square and its metadata "
                    "(place, camera) removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )  # fmt: skip
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)
    notify_messages = forms.BooleanField(
        label=_("Email me when a message is waiting (at most one email every 15 minutes)"),
        required=False,
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text; links become clickable. Only the two of you can read it."),
    )


class GoalTemplateForm(forms.Form):
    """A goal the programme offers (and the start of every goal's form)."""

    title = forms.CharField(label=_("Goal"), max_length=200)
    description = forms.CharField(
        label=_("Description (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GoalForm(GoalTemplateForm):
    target_date = forms.DateField(
        label=_("Target date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class GoalEditForm(GoalForm):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)


class GoalFromTemplateForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Start from a goal offered by the programme"),
        queryset=GoalTemplate.objects.none(),
    )

    def __init__(
        self,
        *args: Any,
        templates: Any = None,
        shown: Sequence[GoalTemplate] | None = None,
        **kwargs: Any,
    ) -> None:
        """`templates`: the queryset a choice is checked against; `shown`: the same rows
        already read for the page, offered as they are (else the select reads them again,
        through a server-side cursor: three more round trips)."""
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Any]", self.fields["template"])
        if templates is not None:
            field.queryset = templates
        if shown is not None:
            field.choices = [("", field.empty_label), *((t.pk, str(t)) for t in shown)]


class MentoringSettingsForm(forms.Form):
    nudge_after_days = forms.IntegerField(
        label=_("Remind a pair after this many days without a meeting"),
        min_value=7,
        max_value=365,
    )
    message_retention_months = forms.IntegerField(
        label=_("Keep a pair's messages this many months after the pair ended"),
        min_value=1,
        max_value=60,
    )
