from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.forms import NEW_PASSWORD_HELP, password_field
from tenant_apps.participants.imports import MAX_BYTES
from tenant_apps.participants.models import Participant
from tenant_apps.programs.forms import QuestionsForm, number_answer_field, text_answer_field


class SetPasswordForm(forms.Form):
    password = password_field(_("Choose a password"), new=True, help_text=NEW_PASSWORD_HELP)
    password_confirm = password_field(_("Confirm the password"), new=True)


class ExistingPasswordForm(forms.Form):
    password = password_field(
        _("Your Binôme password"),
        help_text=_("You already use Binôme in another programme: use the same password."),
    )


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class RegistrationForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Professional email address"),
        help_text=_("The address given by your employer."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    role = forms.ChoiceField(
        label=_("I would like to take part as"), widget=forms.RadioSelect, choices=()
    )
    consent = forms.BooleanField(required=False)

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Participant.Role.choices)
        # Any participant role is accepted by the form; the service says which ones this
        # programme offers, with a clear message. Only the offered ones are shown.
        role_field = cast(forms.ChoiceField, self.fields["role"])
        role_field.choices = [
            (role, labels[role]) for role in (Participant.Role.MENTEE, Participant.Role.MENTOR)
        ]
        self.fields["role"].widget.choices = [(role, labels[role]) for role in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]
            self.fields["role"].widget = forms.HiddenInput()
        self.fields["consent"].label = format_html(
            '{} <a href="{}">{}</a>',
            _("I have read and I accept the"),
            reverse("privacy"),
            _("privacy notice of the programme"),
        )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email, prénom, nom, rôle (mentee, mentor or manager). Separated by ; or , "
            "— UTF-8 or Windows-1252 (Excel)."
        ),
    )

    def clean_file(self) -> Any:
        """The size is checked before the file is read into memory."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload


class ProfileForm(QuestionsForm):
    """The questionnaire for this participant's role, plus capacity (mentors) and
    availability. Sensitive questions say that the answer is never shown."""

    def __init__(
        self, *args: Any, participant: Participant, questions: list, answers: dict, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            label = question.label_for(participant.role)
            help_text = question.help_text
            if question.is_sensitive:
                never_shown = _("Used for matching, never shown to anyone.")
                help_text = " ".join(part for part in (help_text, str(never_shown)) if part)
            choices = [(c["value"], c["label"]) for c in question.choices]
            initial = answers.get(question.key)
            field: forms.Field
            if question.kind == "single":
                field = forms.ChoiceField(
                    choices=[("", "—"), *choices],
                    widget=forms.RadioSelect if len(choices) <= 5 else forms.Select,
                )
            elif question.kind == "multiple":
                field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple
                )
            elif question.kind == "number":
                field = number_answer_field()
            elif question.kind == "yes_no":
                field = forms.TypedChoiceField(
                    choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
                    widget=forms.RadioSelect,
                )
                initial = {True: "yes", False: "no"}.get(initial, "") if initial is not None else ""
            else:
                field = text_answer_field()
            if (
                question.kind == "single"
                and isinstance(field, forms.ChoiceField)
                and isinstance(field.widget, forms.RadioSelect)
            ):
                field.choices = choices
            field.required = False  # the service says which answers are missing, all at once
            field.label = label + (" *" if question.is_required else "")
            # Django's form templates print help texts as they are (`|safe`): the manager
            # typed this one, so it is escaped here.
            field.help_text = escape(help_text)
            field.initial = initial
            self.add_question(question, field)
        if participant.role == Participant.Role.MENTOR:
            self.fields["capacity"] = forms.IntegerField(
                label=_("How many mentees can you follow at a time?"),
                min_value=1,
                max_value=10,
                initial=participant.capacity,
            )
        self.fields["is_available"] = forms.BooleanField(
            label=_("I am available for a new pairing"),
            required=False,
            initial=participant.is_available,
        )


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("A word for the mentor (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
