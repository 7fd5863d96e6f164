"""The mentoring part of the demo data (`demo_seed` calls `seed_mentoring` in each programme):
presentations, goal templates, a pair with messages and goals and a held meeting, and a pair
at risk (no meeting for longer than the programme's reminder delay). Idempotent."""

from datetime import timedelta

from django.utils import timezone

from tenant_apps.matching.models import Match
from tenant_apps.meetings.demo import held_meeting_create
from tenant_apps.meetings.models import Meeting
from tenant_apps.mentoring.models import Goal, GoalTemplate, Message, Profile
from tenant_apps.mentoring.selectors import mentoring_settings
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import Question

PRESENTATIONS = {
    "mentor1": ("Responsable des ressources humaines", "Caisse de Lyon", ["fr", "en"],
                "Vingt ans en ressources humaines, dont dix à accompagner des managers."),
    "mentor2": ("Cheffe de projet informatique", "Caisse de Nantes", ["fr", "es"],
                "J'aime transmettre ce que j'ai appris en conduite de projet."),
    "mentee1": ("Chargé de recrutement", "Caisse de Lille", ["fr"],
                "Deux ans dans le métier, je souhaite évoluer vers le management."),
    "mentee2": ("Développeuse", "Caisse de Bordeaux", ["fr", "en"],
                "Je veux apprendre à piloter un projet de bout en bout."),
}  # fmt: skip
TEMPLATES = [
    ("Préparer mon entretien annuel", "Lister mes réussites et mes souhaits d'évolution."),
    ("Développer mon réseau", "Rencontrer trois personnes d'autres branches."),
    ("Prendre la parole en réunion", ""),
]


def _person(domain: str, local: str) -> Participant | None:
    return Participant.objects.filter(user__email=f"{local}@{domain}").first()


def _pair(mentee: Participant, mentor: Participant, *, days_ago: int) -> Match:
    now = timezone.now()
    match = Match.objects.filter(mentee=mentee, mentor=mentor).first()
    if match is None:
        match = Match.objects.create(
            mentee=mentee,
            mentor=mentor,
            status=Match.Status.ACTIVE,
            source=Match.Source.MANUAL,
            activated_at=now - timedelta(days=days_ago),
        )
    return match


def seed_mentoring(*, domain: str) -> None:
    """Inside the programme's tenant_context, after the people and the questionnaire exist."""
    Question.objects.filter(key__in=["metier", "sujets"]).update(show_on_profile=True)
    for local, (job, entity, languages, bio) in PRESENTATIONS.items():
        person = _person(domain, local)
        if person is not None:
            Profile.objects.update_or_create(
                participant=person,
                defaults={"job_title": job, "entity": entity, "languages": languages, "bio": bio},
            )
    for title, description in TEMPLATES:
        GoalTemplate.objects.get_or_create(title=title, defaults={"description": description})
    people = {local: _person(domain, local) for local in PRESENTATIONS}
    if not all(people.values()):
        return
    mentee1, mentor1 = people["mentee1"], people["mentor1"]
    mentee2, mentor2 = people["mentee2"], people["mentor2"]
    assert mentee1 and mentor1 and mentee2 and mentor2
    now = timezone.now()
    # A living pair: a held meeting a week ago, messages both ways, two goals.
    lively = _pair(mentee1, mentor1, days_ago=21)
    if not Meeting.objects.filter(match=lively).exists():
        held_meeting_create(
            match=lively,
            proposed_by=mentee1,
            now=now,
            days_ago=7,
            next_steps="Lucas prépare la liste de ses réussites de l'année.",
        )
    if not Message.objects.filter(match=lively).exists():
        for author, body in [
            (mentee1, "Bonjour Karim, merci d'avoir accepté ! Quand seriez-vous disponible ?"),
            (mentor1, "Bonjour Lucas, avec plaisir. Voici un article pour préparer : "
                      "https://www.service-public.fr/particuliers/vosdroits/F31575"),
            (mentee1, "Merci, je le lis avant notre rendez-vous."),
        ]:  # fmt: skip
            Message.objects.create(match=lively, author=author, body=body)
    if not Goal.objects.filter(match=lively).exists():
        template = GoalTemplate.objects.filter(title=TEMPLATES[0][0]).first()
        Goal.objects.create(
            match=lively,
            title=TEMPLATES[0][0],
            description=TEMPLATES[0][1],
            template=template,
            status=Goal.Status.IN_PROGRESS,
            target_date=(now + timedelta(days=60)).date(),
        )
        Goal.objects.create(match=lively, title="Animer ma première réunion d'équipe")
    # A pair at risk: paired long ago, never met.
    quiet_days = mentoring_settings().nudge_after_days + 15
    _pair(mentee2, mentor2, days_ago=quiet_days)
