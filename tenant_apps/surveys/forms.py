from typing import Any, cast

from django import forms
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from tenant_apps.programs.forms import QuestionsForm, number_answer_field, text_answer_field
from tenant_apps.programs.models import Question
from tenant_apps.surveys.models import Announcement, Audience, Survey, SurveySettings


class AnswerForm(QuestionsForm):
    """A survey's questions for one role (the service checks the answers, all at once)."""

    def __init__(
        self, *args: Any, questions: list[Question], role: str, initial_answers: dict, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            choices = [(c["value"], c["label"]) for c in question.choices]
            field: forms.Field
            if question.kind == Question.Kind.SCALE:
                field = forms.ChoiceField(
                    choices=[(str(n), str(n)) for n in range(1, 6)], widget=forms.RadioSelect
                )
                help_text: str | Promise
                help_text = _("1: not at all — 5: very much")
            elif question.kind == Question.Kind.NPS:
                field = forms.ChoiceField(
                    choices=[(str(n), str(n)) for n in range(0, 11)], widget=forms.RadioSelect
                )
                help_text = _("0: not at all likely — 10: extremely likely")
            elif question.kind == Question.Kind.SINGLE:
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
                help_text = ""
            elif question.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple
                )
                help_text = ""
            elif question.kind == Question.Kind.YES_NO:
                field = forms.ChoiceField(
                    choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect
                )
                help_text = ""
            elif question.kind == Question.Kind.NUMBER:
                field = number_answer_field()
                help_text = ""
            else:
                field = text_answer_field()
                help_text = ""
            field.required = False  # the service says which answers are missing
            field.label = question.label_for(role) + (" *" if question.is_required else "")
            # Typed by the manager: escaped here (Django's form templates print help as is).
            field.help_text = escape(" ".join(p for p in (question.help_text, str(help_text)) if p))
            field.initial = initial_answers.get(question.key)
            self.add_question(question, field)


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "intro", "audience", "is_anonymous", "is_active"]
        labels = {"is_active": _("Send this survey")}
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}


class ProgrammeEndForm(forms.Form):
    send_on = forms.DateField(
        label=_("Send on (leave empty to send now)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = SurveySettings
        fields = [
            "checkin_first_days",
            "checkin_every_days",
            "reminder_after_days",
            "retention_months",
        ]


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["audience", "title", "body"]
        widgets = {
            "audience": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 8}),
        }
        labels = {"audience": _("Send to")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["audience"]).choices = [
            (Audience.EVERYONE, _("Everyone (mentees and mentors)")),
            (Audience.MENTORS, _("Mentors")),
            (Audience.MENTEES, _("Mentees")),
        ]
        self.fields["audience"].initial = Audience.EVERYONE
