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
    # Whom participants write to (accessibility statement); the platform's contact otherwise.
    contact_email = models.EmailField(blank=True)

    class MatchingMode(models.TextChoices):
        MANAGER = "manager", _("The manager proposes the pairs")
        CHOICE = "choice", _("Mentees choose their mentor")

    class MatchingObjective(models.TextChoices):
        SCORE = "score", _("Best total affinity")
        MATCHES = "matches", _("As many pairs as possible, then the best affinity")

    matching_mode = models.CharField(
        max_length=10, choices=MatchingMode.choices, default=MatchingMode.MANAGER
    )
    matching_objective = models.CharField(
        max_length=10, choices=MatchingObjective.choices, default=MatchingObjective.MATCHES
    )
    request_expiry_days = models.PositiveSmallIntegerField(default=3)

    # RGPD: the privacy notice's introduction (the rest is generated from the register), and
    # the retention rules the daily job applies (safe defaults).
    privacy_intro = models.TextField(blank=True)
    retention_inactive_warn_months = models.PositiveSmallIntegerField(default=22)
    retention_inactive_erase_months = models.PositiveSmallIntegerField(default=24)
    retention_after_end_months = models.PositiveSmallIntegerField(default=12)
    retention_unverified_days = models.PositiveSmallIntegerField(default=7)
    # invited, never came: erased this many days after their last invitation expired
    retention_invited_days = models.PositiveSmallIntegerField(default=30)
    # deactivated by a manager: erased this many months after the deactivation
    retention_deactivated_months = models.PositiveSmallIntegerField(default=12)
    # the email outbox (sent, failed, never sent, envelope-only rows): deleted after N days
    retention_outbox_days = models.PositiveSmallIntegerField(default=90)
    ends_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="settings_singleton")]

    def __str__(self) -> str:
        return "programme settings"


class QuestionSet(models.Model):
    """A set of questions written with the questionnaire's editor but asked elsewhere: the
    questions of a survey (tenant_apps.surveys owns the set through a one-to-one link and says
    what it is called). The registration questionnaire is the questions with no set."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"question set {self.pk}"


class RegistrationQuestionManager(models.Manager["Question"]):
    """`Question.objects`: the registration questionnaire only (matching, profiles, the
    register). A survey's questions are reached through their set (`question_set.questions`)
    or `Question.all_forms`."""

    def get_queryset(self) -> models.QuerySet["Question"]:
        return super().get_queryset().filter(question_set__isnull=True)


class Question(models.Model):
    """A question of the programme's questionnaire. Those that feed matching say how (the
    criterion), how much (the weight) and whether they are a hard rule. Editing or archiving a
    question keeps the answers already given.

    The same editor writes the questions of surveys: such a question belongs to a
    `QuestionSet` and is never used for matching nor shown on profiles."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Free text")
        NUMBER = "number", _("Number")
        YES_NO = "yes_no", _("Yes / no")
        # Surveys only (tenant_apps.surveys): a score from 1 to 5, and the 0–10 recommendation.
        SCALE = "scale", _("Score from 1 to 5")
        NPS = "nps", _("Recommendation from 0 to 10")

    class Audience(models.TextChoices):
        MENTEES = "mentee", _("Mentees")
        MENTORS = "mentor", _("Mentors")
        BOTH = "both", _("Mentees and mentors")

    class Criterion(models.TextChoices):
        NONE = "", _("Not used for matching")
        SAME = "same", _("Same answer")
        OVERLAP = "overlap", _("Choices in common")
        COVERS = "covers", _("The mentor's answer covers the mentee's need")
        DISTANCE = "distance", _("Close numbers")

    class HardRule(models.TextChoices):
        NONE = "", _("No")
        MUST_MATCH = "must_match", _("Must match")
        MUST_DIFFER = "must_differ", _("Must differ")

    question_set = models.ForeignKey(
        QuestionSet,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questions",
        help_text="None: the registration questionnaire.",
    )
    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(_("question"), max_length=300)
    mentor_label = models.CharField(
        _("question as asked to mentors"),
        max_length=300,
        blank=True,
        help_text=_("Optional: another wording for mentors (e.g. “Skills you can share”)."),
    )
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    audience = models.CharField(
        _("asked to"), max_length=10, choices=Audience.choices, default=Audience.BOTH
    )
    is_required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(default=0)
    is_archived = models.BooleanField(default=False)
    criterion = models.CharField(
        _("matching criterion"), max_length=10, choices=Criterion.choices, blank=True
    )
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=1, default=1)
    hard_rule = models.CharField(
        _("hard rule"), max_length=12, choices=HardRule.choices, blank=True
    )
    number_range = models.PositiveIntegerField(
        _("range for “close numbers”"),
        null=True,
        blank=True,
        help_text=_("Numbers this far apart or more count as not close at all."),
    )
    is_sensitive = models.BooleanField(_("used for matching, never displayed"), default=False)
    # Shown on the person's profile to the people they are or could be paired with. A
    # "never displayed" (sensitive) answer is never shown, even with this flag: see
    # `is_shown_on_profile` (the profile selector reads that, never this field alone).
    show_on_profile = models.BooleanField(_("shown on profiles"), default=False)
    is_reporting_dimension = models.BooleanField(
        _("break the dashboard's figures down by this question"),
        default=False,
        help_text=_("Single choice or yes / no questions; groups of fewer than 5 are hidden."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Every question (the default: reverse relations and get_object_or_404 see them all), and
    # the registration questionnaire only.
    all_forms = models.Manager()
    objects = RegistrationQuestionManager()

    class Meta:
        ordering = ["position", "pk"]
        default_manager_name = "all_forms"

    def __str__(self) -> str:
        return self.label

    def label_for(self, role: str) -> str:
        return self.mentor_label if role == "mentor" and self.mentor_label else self.label

    @property
    def is_shown_on_profile(self) -> bool:
        """Shown on profiles: flagged by the manager and not "never displayed"."""
        return self.show_on_profile and not self.is_sensitive

    def is_for(self, role: str) -> bool:
        return self.audience in (self.Audience.BOTH, role)
