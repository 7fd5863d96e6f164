"""The manager marks a questionnaire question as a reporting dimension (programs 0008)."""

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.programs.models import Question

pytestmark = pytest.mark.django_db


def form(**extra):
    return {
        "label": "Votre site",
        "mentor_label": "",
        "help_text": "",
        "kind": "single",
        "choices_text": "Lyon\nLille",
        "audience": "both",
        "criterion": "",
        "weight": "1",
        "hard_rule": "",
        "is_reporting_dimension": "on",
        **extra,
    }


def test_a_single_choice_question_becomes_a_dimension_offered_on_the_dashboard(
    world, manager_client
):
    assert manager_client.post("/gestion/questionnaire/nouvelle/", form()).status_code == 302
    with tenant_context(world.program_a):
        question = Question.objects.get()
    assert question.is_reporting_dimension is True
    page = manager_client.get("/espace/").content.decode()
    assert f'<option value="{question.key}">Votre site</option>' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "text", "choices_text": ""}, "Seules les questions à choix unique"),
        ({"is_sensitive": "on"}, "Une réponse sensible n’est jamais affichée"),
    ],
)
def test_a_free_text_or_sensitive_question_cannot_be_a_dimension(
    world, manager_client, changes, message
):
    response = manager_client.post("/gestion/questionnaire/nouvelle/", form(**changes))
    assert message in response.content.decode()
    with tenant_context(world.program_a):
        assert not Question.objects.exists()
