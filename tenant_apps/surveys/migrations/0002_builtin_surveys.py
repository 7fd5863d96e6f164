"""The settings row and the four surveys every programme starts with (the manager rewords them
and their questions with the questionnaire's editor). A handful of rows per schema: safe on
thousands of schemas. Reversible: the rows (and their question sets) are removed."""

from django.db import migrations

OPTIONS_GOALS = ["Oui", "En partie", "Non"]
OPTIONS_REASON = [
    "Les objectifs sont atteints",
    "Le programme se termine",
    "Manque de temps",
    "Le binôme ne fonctionnait pas",
    "Changement de poste ou départ",
    "Autre raison",
]

# kind, title, introduction, [(key, label, kind, required, choices)]
BUILTIN = [
    (
        "meeting",
        "Après chaque rendez-vous",
        "Une question après chaque rendez-vous tenu.",
        [
            ("retour-rdv-utile", "Ce rendez-vous vous a-t-il été utile ?", "scale", True, []),
            ("retour-rdv-commentaire", "Un commentaire ? (facultatif)", "text", False, []),
        ],
    ),
    (
        "checkin",
        "Point d'étape du binôme",
        "Où en est votre binôme ? Deux minutes pour nous le dire.",
        [
            ("retour-point-note", "Comment se passe votre binôme ?", "scale", True, []),
            ("retour-point-aide", "Qu'est-ce qui vous aiderait ? (facultatif)", "text", False, []),
        ],
    ),
    (
        "pair_end",
        "Fin de l'accompagnement",
        "Votre binôme s'est terminé : votre avis nous aide à améliorer le programme.",
        [
            (
                "retour-fin-recommandation",
                "Recommanderiez-vous ce programme à un·e collègue ?",
                "nps",
                True,
                [],
            ),
            ("retour-fin-objectifs", "Vos objectifs ont-ils été atteints ?", "single", False,
             OPTIONS_GOALS),
            ("retour-fin-raison", "Pourquoi le binôme s'est-il arrêté ?", "single", False,
             OPTIONS_REASON),
            ("retour-fin-commentaire", "Un commentaire ? (facultatif)", "text", False, []),
        ],
    ),
    (
        "programme_end",
        "Fin du programme",
        "Le programme se termine : quel bilan en faites-vous ?",
        [
            (
                "retour-programme-recommandation",
                "Recommanderiez-vous ce programme à un·e collègue ?",
                "nps",
                True,
                [],
            ),
            ("retour-programme-bilan", "Que retenez-vous du programme ? (facultatif)", "text",
             False, []),
        ],
    ),
]  # fmt: skip


def _slug(label: str) -> str:
    from django.utils.text import slugify

    return slugify(label)[:50]


def create(apps, schema_editor):
    Question = apps.get_model("programs", "Question")
    QuestionSet = apps.get_model("programs", "QuestionSet")
    Survey = apps.get_model("surveys", "Survey")
    SurveySettings = apps.get_model("surveys", "SurveySettings")
    SurveySettings.objects.get_or_create(pk=1)
    questions = Question._default_manager
    for kind, title, intro, items in BUILTIN:
        if Survey.objects.filter(kind=kind).exists():
            continue
        question_set = QuestionSet.objects.create()
        Survey.objects.create(kind=kind, title=title, intro=intro, question_set=question_set)
        for position, (key, label, question_kind, required, options) in enumerate(items, 1):
            unique, index = key, 1
            while questions.filter(key=unique).exists():  # a manager's question may use it
                index += 1
                unique = f"{key}-{index}"
            questions.create(
                question_set=question_set,
                key=unique,
                label=label,
                kind=question_kind,
                is_required=required,
                position=position,
                audience="both",
                choices=[{"value": _slug(o), "label": o} for o in options],
            )
    # Check the deferred foreign keys now: a caller that drops the schema in the same
    # transaction (a provisioning that failed later) must not find pending trigger events.
    schema_editor.connection.check_constraints()


def remove(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    QuestionSet = apps.get_model("programs", "QuestionSet")
    set_ids = list(Survey.objects.values_list("question_set_id", flat=True))
    Survey.objects.all().delete()
    Question = apps.get_model("programs", "Question")
    Question._default_manager.filter(question_set_id__in=set_ids).delete()
    QuestionSet.objects.filter(pk__in=set_ids).delete()
    schema_editor.connection.check_constraints()
    apps.get_model("surveys", "SurveySettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("programs", "0010_question_sets"),
    ]

    operations = [migrations.RunPython(create, remove)]
