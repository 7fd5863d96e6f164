"""The client administrator (issue 14): aggregated figures of its own organisation's
programmes only, read from the snapshots (never a programme schema at request time), the
"< 5" rule, DPO documents, manager invitations, 2FA, and the super-admin's invitation."""

import re

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from conftest import PASSWORD, host_client, http_login
from saas.core.tenancy import connection
from shared_apps.accounts.models import User
from tenant_apps.participants.models import Participant
from tenants.models import ClientAdministrator
from tenants.snapshots import snapshots_take
from tenants.tests.snapshot_data import NOW, build

pytestmark = pytest.mark.django_db

TENANT_TABLES = ("participants_", "matching_", "meetings_", "programs_", "privacy_")


@pytest.fixture
def data(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        data = build(world)
    snapshots_take(now=NOW)
    return data


def _admin(client_org, email: str, *, second_factor: bool = True):
    user = User.objects.create_user(email=email, password=PASSWORD)
    ClientAdministrator.objects.create(client=client_org, user=user)
    browser = host_client(None)
    http_login(browser, email, PASSWORD, second_factor=second_factor)
    return browser


def _cells(html: str, program_name: str) -> list[str]:
    row = re.search(rf"<tr>\s*<th scope=\"row\"[^>]*>{re.escape(program_name)}.*?</tr>", html, re.S)
    assert row is not None, program_name
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(0))


def test_client_page_shows_its_programmes_side_by_side_with_small_figures_hidden(data):
    # given the administrator of the organisation that runs A and B
    browser = _admin(data.client_x, "admin-x@client.example")
    # when they open their page, recording every query and the schema it ran in
    seen: list[tuple[str, str]] = []

    def record(execute, sql, params, many, context):
        seen.append((connection.schema_name, sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = browser.get("/client/")
    html = response.content.decode()
    # then A and B are shown, C (another organisation) is not
    assert response.status_code == 200
    assert "Programme A" in html and "Programme B" in html
    assert "Programme C" not in html
    # registered, active, mentors, mentees, matched, active pairs, ended, month, 90 days
    assert _cells(html, "Programme A") == [
        "11", "6", "&lt; 5", "7", "57 %", "&lt; 5", "&lt; 5", "&lt; 5", "&lt; 5"
    ]  # fmt: skip
    assert _cells(html, "Programme B") == ["&lt; 5"] * 9
    assert _cells(html, "Total") == [
        "14", "8", "5", "9", "56 %", "5", "&lt; 5", "&lt; 5", "&lt; 5"
    ]  # fmt: skip
    # and no query ran in a programme schema nor named a programme table
    assert seen
    assert {schema for schema, _sql in seen} == {"public"}
    assert not [sql for _s, sql in seen if any(t in sql for t in TENANT_TABLES)]
    assert not [sql for _s, sql in seen if "search_path" in sql and "p_" in sql]
    # and no participant's address is on the page
    assert "@a.example" not in html and "@b.example" not in html


def test_client_administrator_must_set_up_two_factor(data):
    # given a client administrator without an authenticator, logged in with their password
    browser = _admin(data.client_x, "admin-no2fa@client.example", second_factor=False)
    # when they open their page
    response = browser.get("/client/")
    # then they are sent to set up two-step verification first
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/double-authentification/")


def test_client_administrator_reaches_no_console_page_nor_another_client(data):
    browser = _admin(data.client_y, "admin-y@client.example")
    # the console's super-admin pages
    for url in ("/console/", "/console/registres/", "/console/organisations/"):
        assert browser.get(url).status_code == 403, url
    # another organisation's programme documents
    assert browser.get(f"/client/registres/{data.program_a.pk}/").status_code == 404
    # its own programme's register
    response = browser.get(f"/client/registres/{data.program_c.pk}/?format=md")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="registre-prog-c-snapshots.md"'
    assert AuditEvent.objects.filter(
        action="client_admin.document_downloaded", details__client_id=data.client_y.pk
    ).exists()
    # asking for another organisation on its own page shows its own
    html = browser.get(f"/client/?client={data.client_x.pk}").content.decode()
    assert "Programme C" in html and "Programme A" not in html
    # on a programme's host, the public session is nothing
    browser.defaults["HTTP_HOST"] = data.program_c.host
    assert browser.get("/gestion/").status_code in {302, 403, 404}


def test_client_administrator_invites_a_manager_of_its_own_programme(
    data, django_capture_on_commit_callbacks
):
    browser = _admin(data.client_x, "admin-x2@client.example")
    # when they invite a manager into A
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/client/gestionnaires/",
            {
                "client": data.client_x.pk,
                "program": data.program_a.pk,
                "email": "new-mgr@a.example",
            },
        )
    # then the manager is invited in A, with the programme's own invitation
    assert response.status_code == 302
    with tenant_context(data.program_a):
        invited = Participant.objects.get(user__email="new-mgr@a.example")
        assert (invited.role, invited.status) == ("manager", "invited")
    connection.set_schema_to_public()
    assert AuditEvent.objects.filter(action="client_admin.manager_invited").count() == 1
    # and a programme of another organisation is refused, nothing written
    response = browser.post(
        "/client/gestionnaires/",
        {"client": data.client_x.pk, "program": data.program_c.pk, "email": "x@c.example"},
    )
    assert response.status_code == 200
    with tenant_context(data.program_c):
        assert not Participant.objects.filter(user__email="x@c.example").exists()


def test_super_admin_invites_a_client_administrator_who_sets_a_password(
    data, world, django_capture_on_commit_callbacks
):
    console = host_client(None)
    http_login(console, world.staff.email, PASSWORD, second_factor=True)
    mail.outbox.clear()
    # when the super-admin invites someone from the organisation's page
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            f"/console/organisations/{data.client_y.pk}/administrateurs/",
            {"email": "Invited.Admin@Client.example"},
        )
    # then the role exists, the person got a link, and it is audited
    assert response.status_code == 302
    role = ClientAdministrator.objects.get(user__email="invited.admin@client.example")
    assert role.client == data.client_y
    assert role.invited_by_user_id == world.staff.pk
    assert AuditEvent.objects.filter(action="client_admin.invited").count() == 1
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/client/bienvenue/\S+)", message.body).group(1)
    # when they follow it and choose a password
    browser = host_client(None)
    form_url = browser.get(link)["Location"]
    new_password = "a brand new long passphrase"
    response = browser.post(
        form_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    # then they can sign in, and the link no longer works
    http_login(browser, "invited.admin@client.example", new_password, second_factor=True)
    assert browser.get("/client/").status_code == 200
    again = host_client(None)
    response = again.get(link, follow=True)
    assert "new_password1" not in response.content.decode()


def test_console_home_shows_the_platform_totals_from_the_snapshots(data, world):
    # given the snapshots of 15 June (A: 6 active, B: 2, C: 0; 1 + 1 meetings in June)
    console = host_client(None)
    http_login(console, world.staff.email, PASSWORD, second_factor=True)
    # when the super-admin opens the console's home
    html = console.get("/console/").content.decode()
    # then the totals are the snapshots' sums (the snapshots are from an earlier month than
    # today's, so no meeting counts as held this month)
    assert 'data-figure="active">8<' in html
    assert 'data-figure="registered">15<' in html
    assert 'data-figure="meetings_held_month">0<' in html
