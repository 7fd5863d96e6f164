"""Exports of a survey's answers (CSV and XLSX): without any name, number, role or date for an
aggregated-only survey (sorted by the answers, nothing under 5 answers), with the person for a
named one; formula cells neutralised; each download audited."""

import io

import openpyxl
import pytest
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from tenant_apps.outcomes.tests.factories import at, branch_question, person
from tenant_apps.surveys.models import Survey
from tenant_apps.surveys.services import survey_answer, survey_update
from tenant_apps.surveys.tests.factories import invite

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil","clic")'
# (score, comment) in the order people answer: not the order of the export
ANSWERS = [(4, "Zèle"), (2, HOSTILE), (5, "Bien"), (1, "@SUM(A1)"), (3, "Moyen"), (5, "Aller")]


def people(question, count):
    return [
        person("mentee", joined=at("01-02"), registered=at("01-03"), branch="north",
               question=question, name=f"Nommé{index}")
        for index in range(count)
    ]  # fmt: skip


def checkins(world, *, named: bool, count: int = len(ANSWERS)):
    with tenant_context(world.program_a):
        survey = Survey.objects.get(kind=Survey.Kind.CHECKIN)
        if named:
            survey_update(survey=survey, data={"is_anonymous": False})
        answered = people(branch_question(), count)
        for index, (who, (score, comment)) in enumerate(zip(answered, ANSWERS, strict=False)):
            survey_answer(
                invitation=invite(survey, who, f"checkin:x:{index}"),
                raw_answers={"retour-point-note": str(score), "retour-point-aide": comment},
                now=at("01-10", minute=index),
            )
        return survey.pk, answered


def sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)  # never a formula
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_aggregated_only_answers_export_without_anyone_sorted_by_answer(world, manager_client):
    survey_id, answered = checkins(world, named=False)
    rows = sheet_rows(manager_client.get(f"/gestion/export/retours/{survey_id}.xlsx"))
    header, body = rows[0], rows[1:]
    assert header == [
        "Comment se passe votre binôme ?",
        "Qu'est-ce qui vous aiderait ? (facultatif)",
    ]
    # the answers alone, sorted by the answers (not by the order they were given)
    assert body == [
        [1, "'@SUM(A1)"],
        [2, "'" + HOSTILE],
        [3, "Moyen"],
        [4, "Zèle"],
        [5, "Aller"],
        [5, "Bien"],
    ]
    text = " ".join(str(value) for row in rows for value in row)
    for who in answered:
        assert who.display_name not in text and who.display_email not in text
    with tenant_context(world.program_a):
        event = AuditEvent.objects.filter(action="outcomes.exported").latest("pk")
    assert event.details == {
        "kind": "survey_answers", "survey": "checkin", "format": "xlsx", "rows": 6, "named": False,
    }  # fmt: skip


def test_aggregated_only_answers_of_fewer_than_five_people_are_not_exported(world, manager_client):
    survey_id, _answered = checkins(world, named=False, count=4)
    response = manager_client.get(f"/gestion/export/retours/{survey_id}.csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines == ["Comment se passe votre binôme ?;Qu'est-ce qui vous aiderait ? (facultatif)"]


def test_named_answers_export_with_the_person_as_csv(world, manager_client):
    survey_id, answered = checkins(world, named=True)
    response = manager_client.get(f"/gestion/export/retours/{survey_id}.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("N° de participant;Nom;Rôle;Binôme;Rendez-vous;Répondu le;")
    assert len(lines) == 7
    assert lines[1].startswith(f"{answered[0].pk};{answered[0].display_name};")
    assert f"'{HOSTILE}".replace('"', '""') in text and f";{HOSTILE}" not in text
    with tenant_context(world.program_a):
        event = AuditEvent.objects.filter(action="outcomes.exported").latest("pk")
    assert event.details["named"] is True and event.details["format"] == "csv"


def test_survey_export_refusals(world, manager_client):
    from conftest import host_client, http_login

    assert manager_client.get("/gestion/export/retours/99999.csv").status_code == 404
    with tenant_context(world.program_a):
        survey_id = Survey.objects.get(kind=Survey.Kind.MEETING).pk
    assert manager_client.get(f"/gestion/export/retours/{survey_id}.pdf").status_code == 404
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email)
    assert client.get(f"/gestion/export/retours/{survey_id}.csv").status_code == 403
    with tenant_context(world.program_a):
        assert not AuditEvent.objects.filter(action="outcomes.exported").exists()


def test_dashboard_links_every_survey_export(world, manager_client):
    page = manager_client.get("/espace/").content.decode()
    with tenant_context(world.program_a):
        ids = list(Survey.objects.values_list("pk", flat=True))
    assert len(ids) == 4
    for survey_id in ids:
        assert f'href="/gestion/export/retours/{survey_id}.xlsx"' in page
        assert f'href="/gestion/export/retours/{survey_id}.csv"' in page


def test_unnamed_recommendations_sort_as_numbers(world, manager_client):
    with tenant_context(world.program_a):
        survey = Survey.objects.get(kind=Survey.Kind.PAIR_END)
        for index, (who, score) in enumerate(
            zip(people(branch_question(), 5), [10, 2, 9, 7, 0], strict=True)
        ):
            survey_answer(
                invitation=invite(survey, who, f"pair_end:x:{index}"),
                raw_answers={"retour-fin-recommandation": str(score)},
                now=at("01-10", minute=index),
            )
    rows = sheet_rows(manager_client.get(f"/gestion/export/retours/{survey.pk}.xlsx"))
    assert [row[0] for row in rows[1:]] == [0, 2, 7, 9, 10]
    assert len(rows[0]) == 4  # the survey's four questions, nothing about who
