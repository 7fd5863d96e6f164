"""The programme's own settings, in its schema. Name and sub-domain live on tenants.Program."""

from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class ProgramSettings(models.Model):
    """One row per schema (enforced by the constant primary key)."""

    class TwoFactorPolicy(models.TextChoices):
        OFF = "off", _("Off")
        OPTIONAL = "optional", _("Optional")
        REQUIRED = "required", _("Required")

    class RegistrationRoles(models.TextChoices):
        MENTEE = "mentee", _("Mentees only")
        MENTOR = "mentor", _("Mentors only")
        BOTH = "both", _("Mentees and mentors")

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    allowed_email_domains = ArrayField(models.CharField(max_length=253), default=list, blank=True)
    allow_email_subdomains = models.BooleanField(default=False)
    is_registration_open = models.BooleanField(default=False)
    registration_roles = models.CharField(
        max_length=6, choices=RegistrationRoles.choices, default=RegistrationRoles.BOTH
    )
    two_factor_policy = models.CharField(
        max_length=10, choices=TwoFactorPolicy.choices, default=TwoFactorPolicy.OPTIONAL
    )
    primary_color = models.CharField(max_length=7, default="#1d4e89", validators=[color_validator])
    logo = models.ImageField(upload_to="branding/", blank=True)
    language = models.CharField(max_length=5, default="fr")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="settings_singleton")]

    def __str__(self) -> str:
        return "programme settings"
