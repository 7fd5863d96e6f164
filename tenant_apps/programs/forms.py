import re
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from tenant_apps.programs.branding import brand_colors
from tenant_apps.programs.icons import image_size, is_size_allowed
from tenant_apps.programs.models import ProgramSettings, Question
from tenant_apps.programs.questionnaire import QUESTION_FIELDS
from tenant_apps.programs.services import EDITABLE_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
PERSONAL_EMAIL_PROVIDERS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "hotmail.com", "hotmail.fr",
        "outlook.com", "outlook.fr", "live.com", "live.fr", "msn.com", "icloud.com", "me.com",
        "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "neuf.fr", "laposte.net", "bbox.fr",
        "aol.com", "gmx.fr", "gmx.com", "protonmail.com", "proton.me", "yandex.com",
    }
)  # fmt: skip


class QuestionsForm(forms.Form):
    """A form with one field a programme question, named `q_<key>` (the profile questionnaire,
    a survey); `answers()` gives them back by question key."""

    def add_question(self, question: Question, field: forms.Field) -> None:
        self.fields[f"q_{question.key}"] = field

    def answers(self) -> dict[str, Any]:
        return {
            name.removeprefix("q_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_")
        }


def number_answer_field() -> forms.CharField:
    # Text, so that "12,5" (French decimal comma) is accepted; the service parses it.
    return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}))


def text_answer_field() -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def lines_field(label: "StrOrPromise", help_text: "StrOrPromise") -> forms.CharField:
    """A list typed one entry a line (optional; the form splits it)."""
    return forms.CharField(
        label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class LogoField(forms.ImageField):
    """An image whose declared dimensions are checked before Pillow decodes or verifies it."""

    def to_python(self, data: Any) -> Any:
        if data not in self.empty_values and hasattr(data, "read"):
            size = image_size(data)
            if size is not None and not is_size_allowed(size):
                raise forms.ValidationError(
                    _("The logo must be 4,096 × 4,096 pixels at most."), code="too_large"
                )
        return super().to_python(data)


# name -> (lowest, highest, the error)
OPTIONAL_RETENTION_BOUNDS = {
    "retention_invited_days": (1, 365, _("From 1 to 365 days.")),
    "retention_deactivated_months": (1, 60, _("From 1 to 60 months.")),
    "retention_outbox_days": (7, 365, _("From 7 to 365 days.")),
}


class ProgramSettingsForm(forms.ModelForm):
    allowed_email_domains_text = lines_field(
        _("Email domains allowed to register"), _("One domain per line, for example exemple.fr")
    )

    class Meta:
        model = ProgramSettings
        # The domains are typed one a line, in allowed_email_domains_text.
        fields = [f for f in EDITABLE_FIELDS if f != "allowed_email_domains"]
        labels = {
            "is_registration_open": _("Registration is open"),
            "registration_roles": _("Who can register"),
            "allow_email_subdomains": _("Also accept sub-domains (e.g. paris.exemple.fr)"),
            "two_factor_policy": _("Two-step verification for participants"),
            "primary_color": _("Main colour"),
            "logo": _("Logo"),
            "language": _("Language of the emails"),
            "contact_email": _("Contact address for participants (accessibility, questions)"),
            "matching_mode": _("How pairs are made"),
            "matching_objective": _("What the matching run aims for"),
            "request_expiry_days": _("Days a mentor has to answer a request"),
            "privacy_intro": _("Introduction of the privacy notice (optional)"),
            "retention_inactive_warn_months": _("Warn inactive accounts after (months)"),
            "retention_inactive_erase_months": _("Erase inactive accounts after (months)"),
            "retention_after_end_months": _("Anonymise the programme after its end (months)"),
            "retention_unverified_days": _("Delete unconfirmed registrations after (days)"),
            "retention_invited_days": _(
                "Erase people who never accepted their invitation, after it expired (days)"
            ),
            "retention_deactivated_months": _("Erase deactivated people after (months)"),
            "retention_outbox_days": _("Delete outbox emails after (days)"),
            "ends_on": _("End of the programme"),
        }
        help_texts = {
            "primary_color": _(
                "Header and buttons; their text is white or near-black, whichever reads better."
            ),
            "logo": _(
                "PNG or JPEG, 1 MB and 4,096 × 4,096 pixels at most. Shown in the header, on "
                "the login page and in emails, with the programme's name as its text."
            ),
        }
        field_classes = {"logo": LogoField}
        widgets = {
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "language": forms.Select(choices=settings.LANGUAGES),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "privacy_intro": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allowed_email_domains_text"].initial = "\n".join(
            self.instance.allowed_email_domains
        )
        self.order_fields(["allowed_email_domains_text"])
        # Retention periods added later: a form posted without them keeps the current value.
        for name in OPTIONAL_RETENTION_BOUNDS:
            self.fields[name].required = False

    def data_for_service(self) -> dict[str, Any]:
        """The validated values for `program_settings_update`. Like a model form's save, a
        field with a default that the post left out keeps its value (checkboxes excepted)."""
        data: dict[str, Any] = {}
        for name in self.Meta.fields:
            field = self[name].field
            omitted = field.widget.value_omitted_from_data(
                self.data, self.files, self.add_prefix(name)
            )
            model_field = ProgramSettings._meta.get_field(name)
            assert isinstance(model_field, models.Field)  # the form's fields are the model's
            value = self.cleaned_data.get(name)
            if model_field.has_default() and omitted and value in field.empty_values:
                continue
            data[name] = value
        data["allowed_email_domains"] = self.cleaned_data["allowed_email_domains_text"]
        return data

    def clean_allowed_email_domains_text(self) -> list[str]:
        domains: list[str] = []
        for raw in self.cleaned_data["allowed_email_domains_text"].split():
            domain = raw.strip().lower().lstrip("@")
            if not DOMAIN_RE.match(domain):
                raise forms.ValidationError(
                    _("“%(value)s” is not a domain name."), params={"value": raw}
                )
            if domain in PERSONAL_EMAIL_PROVIDERS:
                raise forms.ValidationError(
                    _("“%(value)s” is a personal email provider, not an organisation."),
                    params={"value": raw},
                )
            if domain not in domains:
                domains.append(domain)
        return domains

    def clean_request_expiry_days(self) -> int:
        days = self.cleaned_data["request_expiry_days"]
        if not 1 <= days <= 30:
            raise forms.ValidationError(_("From 1 to 30 days."))
        return days

    def _clean_optional_retention(self, name: str) -> int:
        value = self.cleaned_data.get(name)
        if value is None:
            return getattr(self.instance, name)
        low, high, message = OPTIONAL_RETENTION_BOUNDS[name]
        if not low <= value <= high:
            raise forms.ValidationError(message)
        return value

    def clean_retention_invited_days(self) -> int:
        return self._clean_optional_retention("retention_invited_days")

    def clean_retention_deactivated_months(self) -> int:
        return self._clean_optional_retention("retention_deactivated_months")

    def clean_retention_outbox_days(self) -> int:
        return self._clean_optional_retention("retention_outbox_days")

    def clean_retention_inactive_erase_months(self) -> int:
        erase = self.cleaned_data["retention_inactive_erase_months"]
        warn = self.cleaned_data.get("retention_inactive_warn_months") or 0
        if not 1 <= erase <= 60 or erase <= warn:
            raise forms.ValidationError(_("From 1 to 60 months, and later than the warning."))
        return erase

    def clean_primary_color(self) -> str:
        color = self.cleaned_data["primary_color"].lower()
        colors = brand_colors(color)
        if not colors.is_usable:
            raise forms.ValidationError(
                _(
                    "No text is readable on this colour: white or black text reaches only "
                    "%(ratio)s:1 of contrast, 4.5:1 is needed. Choose a darker or a lighter "
                    "shade."
                ),
                code="low_contrast",
                params={"ratio": number_format(colors.text_contrast, 1)},
            )
        return color

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > 1024 * 1024:
            raise forms.ValidationError(_("The logo must be smaller than 1 MB."))
        return logo

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        domains_are_valid = "allowed_email_domains_text" in data  # else its error says why
        if (
            data.get("is_registration_open")
            and domains_are_valid
            and not data["allowed_email_domains_text"]
        ):
            self.add_error(
                "allowed_email_domains_text",
                _("Registration needs at least one allowed email domain."),
            )
        return data


class QuestionForm(forms.ModelForm):
    choices_text = lines_field(_("Choices"), _("For choice questions: one choice per line."))

    class Meta:
        model = Question
        # The choices are typed one a line, in choices_text.
        fields = [f for f in QUESTION_FIELDS if f != "choices"]

    def __init__(self, *args: Any, in_set: bool = False, **kwargs: Any) -> None:
        """`in_set`: a survey's question — no matching fields, and the survey-only kinds."""
        from tenant_apps.programs.questionnaire import MATCHING_FIELDS, SURVEY_KINDS

        super().__init__(*args, **kwargs)
        self.fields["choices_text"].initial = "\n".join(
            choice["label"] for choice in self.instance.choices
        )
        self.order_fields(["label", "mentor_label", "help_text", "kind", "choices_text"])
        self.fields["weight"].widget.attrs.update(min="0", max="10", step="0.5")
        if in_set:
            for name in MATCHING_FIELDS:
                del self.fields[name]
        else:
            kind_field = cast(forms.ChoiceField, self.fields["kind"])
            offered = cast("list[tuple[str, str]]", kind_field.choices)  # with the blank choice
            kind_field.choices = [
                (value, label) for value, label in offered if value not in SURVEY_KINDS
            ]

    def clean_weight(self) -> Any:
        weight = self.cleaned_data["weight"]
        if weight is not None and not 0 <= weight <= 10:
            raise forms.ValidationError(_("Give a weight from 0 to 10."))
        return weight

    def data_for_service(self) -> dict[str, Any]:
        from tenant_apps.programs.questionnaire import choices_parse

        data = {
            field: self.cleaned_data[field] for field in self.Meta.fields if field in self.fields
        }
        old = {choice["label"]: choice["value"] for choice in self.instance.choices}
        choices = choices_parse(self.cleaned_data["choices_text"])
        # A reworded choice keeps its stored value only if its label is unchanged; answers
        # given to a removed choice stay stored and shown as given.
        data["choices"] = [
            {"value": old.get(choice["label"], choice["value"]), "label": choice["label"]}
            for choice in choices
        ]
        return data
