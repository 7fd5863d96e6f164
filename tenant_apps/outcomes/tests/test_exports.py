"""Exports (CSV and XLSX) and the monthly report."""

import datetime
import io

import openpyxl
import pytest
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from tenant_apps.notifications.models import Email
from tenant_apps.outcomes.services import monthly_report_send
from tenant_apps.outcomes.tests.factories import at, branch_question, meeting, pair, person

pytestmark = pytest.mark.django_db


def hostile_pair(world):
    with tenant_context(world.program_a):
        question = branch_question()
        mentee = person("mentee", joined=at("01-02"), registered=at("01-03"), branch="north",
                        question=question, name="=HYPERLINK(\"http://evil\",\"x\")")  # fmt: skip
        mentor = person("mentor", joined=at("01-02"), registered=at("01-03"), branch="north",
                        question=question, name="Hugo")  # fmt: skip
        match = pair(mentee, mentor, activated=at("01-04"), ended=at("01-20"), reason="+cmd")
        held = meeting(match, starts=at("01-10"))
        type(held).objects.filter(pk=held.pk).update(
            video_room_url="https://room.whereby.localhost/secret-room",
            video_host_room_url="https://room.whereby.localhost/secret-room?roomKey=k",
        )
    return match


@pytest.mark.parametrize("kind", ["participants", "pairs", "meetings"])
def test_xlsx_export_opens_and_neutralises_formulas(world, manager_client, kind):
    hostile_pair(world)
    response = manager_client.get(f"/gestion/export/{kind}.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert len(list(sheet.iter_rows())) > 1
    # no cell is a formula, and no text cell starts with a formula prefix
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@"))]
    assert "secret-room" not in " ".join(texts)
    if kind == "participants":
        assert '\'=HYPERLINK("http://evil","x")' in texts
    if kind == "pairs":
        assert "'+cmd" in texts
    with tenant_context(world.program_a):
        event = AuditEvent.objects.filter(action="outcomes.exported").latest("pk")
        assert event.details["kind"] == kind and event.details["format"] == "xlsx"


def test_csv_export_is_neutralised_and_audited(world, manager_client):
    hostile_pair(world)
    response = manager_client.get("/gestion/export/participants.csv")
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text
    with tenant_context(world.program_a):
        assert AuditEvent.objects.filter(action="outcomes.exported").count() == 1


def test_meetings_export_never_has_a_room_url(world, manager_client):
    hostile_pair(world)
    response = manager_client.get("/gestion/export/meetings.csv")
    assert "whereby" not in response.content.decode()


def test_unknown_export_is_404(world, manager_client):
    assert manager_client.get("/gestion/export/secrets.csv").status_code == 404
    assert manager_client.get("/gestion/export/pairs.pdf").status_code == 404


def test_monthly_report_goes_to_managers_once(world, settings):
    hostile_pair(world)
    with tenant_context(world.program_a):
        sent = monthly_report_send(today=datetime.date(2026, 2, 1))
        again = monthly_report_send(today=datetime.date(2026, 2, 1))
        emails = list(Email.objects.filter(template="monthly_report"))
    assert sent >= 1 and again == 0
    assert len(emails) == sent
    manager_email = next(e for e in emails if e.to == "manager-a@a.example")
    assert "1" in manager_email.body_text  # one pair formed in January
    assert "/espace/" in manager_email.body_text
    assert "January 2026" in manager_email.subject or "janvier 2026" in manager_email.subject
