"""The hostile-content walk (CONVENTIONS §12, issue 10 finding 1).

A programme full of data (questionnaire, answers, pairs, a draft, a request, meetings with
notes, next steps, reasons, emails, audit rows) gets a payload in every text field found in the
model registry (tests/security/hostile.py); then every page of both URLconfs, discovered from
the resolvers like the isolation walk, is requested by a super-admin, a manager, participants
and an anonymous visitor, for every id of the rows it takes. No page may turn a payload into
markup, evaluate it, escape it twice or show it outside an `hx-disable` container; every page
that loads htmx sets selfRequestsOnly and allowEval=false first; every CSV/XLSX export
neutralises formula cells; the emails that the data produce are plain text where they must be.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from saas.core.tenancy import connection
from shared_apps.accounts.models import User
from tenant_apps.api.models import WebhookDelivery, WebhookEndpoint
from tenant_apps.api.services import api_key_create
from tenant_apps.matching.models import Match, MatchRequest
from tenant_apps.matching.services import match_create_manual, proposal_add
from tenant_apps.meetings.services.answering import meeting_decline
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.notes import meeting_next_steps_save, meeting_note_save
from tenant_apps.meetings.services.proposing import meeting_propose
from tenant_apps.meetings.tests.factories import Pair, confirmed, person, proposed, slot
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.participants.services import participant_invite
from tenant_apps.programs.models import ProgramSettings, Question
from tenant_apps.programs.selectors import SETTINGS_CACHE_KEY
from tenant_apps.surveys.tests.factories import feedback_rows
from tenant_apps.video.models import WebhookEvent
from tests.isolation import SAMPLES, Endpoint, endpoints
from tests.security.hostile import (
    EXCLUDED,
    PAYLOADS,
    TEXT_MARKERS,
    all_text_fields,
    csv_problems,
    email_problems,
    hostile_fill,
    is_tenant_model,
    page_problems,
    template_hx_elements,
)

PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
ALIASES = {"mentor": "participant", "request": "matchrequest"}  # names of the id parameters
# Health probes show no user content; served before the programme is resolved, they drop the
# session cookie of whoever calls them, which would end the walk's logins (a separate defect).
SKIPPED = {"healthz", "readyz"}
AUDIT = "audit.AuditEvent"  # in both app lists
SPREADSHEET_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml")


@dataclass
class Walk:
    tenant_visitors: list[tuple[str, Client]]
    public_visitors: list[tuple[str, Client]]
    written: list[str]
    empty: list[str]
    emails_since: Any
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    pages_showing_payloads: set[str] = field(default_factory=set)
    exports: list[str] = field(default_factory=list)


def _programme_with_data(world: Any) -> dict[str, Participant]:
    """Programme A with a row in every table a person writes to (inside tenant_context)."""
    mentee = Participant.objects.get(user=world.mentee_a)
    mentor = Participant.objects.get(user=world.both)
    mentee2 = person("mentee2@a.example", Participant.Role.MENTEE, "Zoé", "Petit")
    mentor2 = person("mentor2@a.example", Participant.Role.MENTOR, "Marc", "Roux")
    for kind, choices in [
        ("single", [{"value": "rh", "label": "RH"}, {"value": "it", "label": "IT"}]),
        ("multiple", [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]),
        ("text", []),
        ("number", []),
        ("yes_no", []),
    ]:
        question = Question.objects.create(
            key=f"q-{kind}",
            label=f"Question {kind}",
            mentor_label=f"Question {kind} (mentor)",
            help_text=f"Help {kind}",
            kind=kind,
            choices=choices,
            criterion="same" if kind == "single" else "",
        )
        value = {"single": "rh", "multiple": ["a"], "text": "Ma réponse", "number": 3}.get(kind)
        for who in (mentee, mentor, mentee2, mentor2):
            Answer.objects.create(participant=who, question=question, value=value)
    Question.objects.create(key="q-sensitive", label="Sensible", kind="text", is_sensitive=True)
    match = match_create_manual(mentee=mentee, mentor=mentor)
    pair = Pair(world.program_a, mentee, mentor, match)
    proposal_add(mentee=mentee2, mentor=mentor2)  # a draft, with its explanation
    Match.objects.create(mentee=mentee, mentor=mentor2, status="ended", end_reason="Fin")
    MatchRequest.objects.create(
        mentee=mentee2, mentor=mentor, message="Bonjour", expires_at=timezone.now() + timedelta(1)
    )
    meeting = confirmed(pair, starts_in=timedelta(days=2))
    meeting_note_save(meeting=meeting, by=mentee, text="Note")
    meeting_note_save(meeting=meeting, by=mentor, text="Note")
    meeting_next_steps_save(meeting=meeting, by=mentee, text="Étapes")
    proposed(pair, starts_in=timedelta(days=4))
    meeting_decline(meeting=proposed(pair, starts_in=timedelta(days=6)), by=mentor, reason="Non")
    meeting_cancel(meeting=confirmed(pair, starts_in=timedelta(days=8)), by=mentor, reason="Zut")
    WebhookEvent.objects.create(event_id="evt-1", type="room.client.joined")
    _mentoring_rows(match, mentee, mentor, mentor2)
    api_key_create(name="HR system", scope="read")
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/binome", events=["pair.created"], secret="0" * 64
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event="ping", payload={})
    feedback_rows(
        mentee=mentee, mentor=mentor, manager=Participant.objects.get(user=world.manager_a)
    )
    return {"mentee": mentee, "mentor": mentor, "mentee2": mentee2, "mentor2": mentor2}


def _mentoring_rows(
    match: Match, mentee: Participant, mentor: Participant, mentor2: Participant
) -> None:
    """Issue 13 (tenant_apps.mentoring): presentations, the pair's thread, goals and the
    manager's goal templates — every text field of the app has a row."""
    from tenant_apps.mentoring.models import GoalTemplate, Profile
    from tenant_apps.mentoring.services import goal_create, message_send

    for who in (mentee, mentor, mentor2):
        Profile.objects.create(
            participant=who, bio="Bio", job_title="Poste", entity="Caisse", languages=["fr"]
        )
    message_send(match=match, by=mentee, body="Bonjour https://exemple.fr/a")
    message_send(match=match, by=mentor, body="Bonjour")
    template = GoalTemplate.objects.create(title="Modèle", description="Description")
    goal_create(match=match, by=mentee, title="Objectif", description="Détails")
    goal_create(match=match, by=mentor, template=template)


def _hostile_actions(people: dict[str, Participant]) -> None:
    """Actions after the payloads are in, so that their emails carry them."""
    mentee, mentor = people["mentee"], people["mentor"]
    match = Match.objects.get(mentee=mentee, mentor=mentor, status="active")
    meeting = meeting_propose(match=match, by=mentee, slots=[slot(timedelta(days=10))])
    meeting_cancel(meeting=meeting, by=mentor, reason=PAYLOADS[0])
    # The allow-list holds a payload too: the invitation goes to an address it names.
    settings_row = ProgramSettings.objects.get()
    domains = list(settings_row.allowed_email_domains)
    ProgramSettings.objects.filter(pk=settings_row.pk).update(allowed_email_domains=[])
    caches["default"].delete(SETTINGS_CACHE_KEY)
    participant_invite(
        email="invite@a.example", role="mentee", first_name=PAYLOADS[0][:150], last_name="O'Brien"
    )
    ProgramSettings.objects.filter(pk=settings_row.pk).update(allowed_email_domains=domains)
    caches["default"].delete(SETTINGS_CACHE_KEY)


def _login(program: Any, email: str, password: str, *, second_factor: bool = False) -> Client:
    client = host_client(program)
    http_login(client, email, password, second_factor=second_factor)
    client.raise_request_exception = False
    return client


def _public_rows(world: Any) -> None:
    """Rows of the public models that the world does not create, for the payloads to land in:
    an entry of the breach register (shown to super-admins)."""
    from shared_apps.platform_audit.services import breach_record

    breach_record(
        recorded_by_user_id=world.staff.pk,
        discovered_at=timezone.now(),
        nature="n",
        people_affected="p",
        data_affected="d",
        consequences="c",
        measures="m",
    )


def walk_prepare(world: Any, password: str) -> Walk:
    User.objects.filter(pk=world.mentee_a.pk).update(first_name="Léa", last_name="Martin")
    with tenant_context(world.program_a):
        people = _programme_with_data(world)
    connection.set_schema_to_public()
    anonymous_a, anonymous_public = host_client(world.program_a), host_client(None)
    for client in (anonymous_a, anonymous_public):
        client.raise_request_exception = False
    tenant_visitors = [
        ("anonymous", anonymous_a),
        ("mentee", _login(world.program_a, world.mentee_a.email, password)),
        ("mentor", _login(world.program_a, world.both.email, password)),
        ("mentor2", _login(world.program_a, "mentor2@a.example", password)),
        ("mentee2", _login(world.program_a, "mentee2@a.example", password)),
        (
            "manager",
            _login(world.program_a, world.manager_a.email, password, second_factor=True),
        ),
    ]
    public_visitors = [
        ("anonymous", anonymous_public),
        ("super-admin", _login(None, world.staff.email, password, second_factor=True)),
    ]
    # when every text field holds a payload
    emails_since = timezone.now()
    with tenant_context(world.program_a):
        # the audit log lives in both schemas: hostile rows in the programme's and in public
        written, empty = hostile_fill(lambda m: is_tenant_model(m) or m._meta.label == AUDIT)
        _hostile_actions(people)
    connection.set_schema_to_public()
    _public_rows(world)
    public_written, public_empty = hostile_fill(lambda model: not is_tenant_model(model))
    for alias in ("default", "global"):
        caches[alias].clear()
    return Walk(
        tenant_visitors, public_visitors, written + public_written, empty + public_empty,
        emails_since,
    )  # fmt: skip


def _urls(endpoint: Endpoint, program: Any) -> list[str]:
    """The endpoint's URL for every row its id parameter can name (in `program`'s schema)."""
    params = PARAM.findall(endpoint.route)
    ids = [(conv, name) for conv, name in params if conv == "int"]
    if not ids:
        return [endpoint.url]
    assert len(ids) == 1, f"{endpoint.route}: teach the walk about two ids"
    model_name = ALIASES.get(ids[0][1].removesuffix("_id"), ids[0][1].removesuffix("_id"))
    candidates = [m for m in apps.get_models() if m._meta.model_name == model_name]
    assert len(candidates) == 1, f"{endpoint.route}: which model does {ids[0][1]} name?"
    model = candidates[0]
    if program is not None and is_tenant_model(model):
        with tenant_context(program):
            pks = list(model._default_manager.values_list("pk", flat=True))
        connection.set_schema_to_public()
    else:
        pks = list(model._default_manager.values_list("pk", flat=True))
    urls = []
    for pk in pks:

        def replace(match: re.Match[str], pk: Any = pk) -> str:
            conv = match.group("conv") or "str"
            return str(pk) if conv == "int" else SAMPLES[conv]

        urls.append("/" + PARAM.sub(replace, endpoint.route))
    return urls


def _check_response(walk: Walk, response: Any, where: str, allowed_hx: Any) -> None:
    content_type = response.get("Content-Type", "")
    if response.status_code >= 500:
        walk.problems.append(f"{where}: {response.status_code}")
    elif content_type.startswith("text/html"):
        walk.pages += 1
        content = response.content.decode()
        walk.problems += page_problems(content, where=where, allowed_hx=allowed_hx)
        if any(marker in html.unescape(content) for marker in TEXT_MARKERS):
            walk.pages_showing_payloads.add(where.split(" ")[1])
    elif content_type.startswith("text/csv"):
        walk.exports.append(where)
        neutralised, problems = csv_problems(response.content.decode(), where=where)
        walk.problems += problems
        if not neutralised:
            walk.problems.append(f"{where}: no hostile cell came out neutralised ('=...)")
    elif content_type.startswith(SPREADSHEET_TYPES):
        walk.exports.append(where)
        walk.problems.append(f"{where}: an XLSX export: teach csv_problems to read it")


def walk_run(
    walk: Walk, urlconf: str, program: Any, visitors: list[tuple[str, Client]], only: str = ""
) -> None:
    allowed_hx = template_hx_elements()
    for endpoint in endpoints(urlconf):
        if (only and endpoint.name != only) or endpoint.name in SKIPPED:
            continue
        for url in _urls(endpoint, program):
            for who, client in visitors:
                response = client.get(url)
                _check_response(walk, response, f"GET {url} ({who})", allowed_hx)
                cookie = response.cookies.get("sessionid")
                if who != "anonymous" and cookie is not None and not cookie.value:
                    walk.problems.append(f"GET {url} ({who}) ended the session")
                if response.status_code == 200 and response.get("Content-Type", "").startswith(
                    "text/html"
                ):
                    for query in ("?format=csv", "?format=xlsx"):
                        _check_response(
                            walk, client.get(url + query), f"GET {url}{query} ({who})", allowed_hx
                        )


@pytest.mark.django_db
def test_hostile_content_walk(world, password):
    # given a payload in every text field of every model, in programme A and in public
    walk = walk_prepare(world, password)
    assert set(walk.written) == {f"{m._meta.label}.{f.name}" for m, f in all_text_fields()}
    assert walk.empty == []  # every text field has at least one row to show

    # when every page of both URLconfs is requested by each kind of person
    walk_run(walk, settings.ROOT_URLCONF, world.program_a, walk.tenant_visitors)
    walk_run(walk, settings.PUBLIC_SCHEMA_URLCONF, None, walk.public_visitors)
    # and again in every other matching mode (mentees choose: suggestions, requests), by a
    # mentee without a mentor and a mentor with a request
    participants = [(who, c) for who, c in walk.tenant_visitors if who in ("mentee2", "mentor")]
    for mode in ProgramSettings.MatchingMode.values:
        if mode != ProgramSettings.MatchingMode.MANAGER:
            with tenant_context(world.program_a):
                ProgramSettings.objects.update(matching_mode=mode)
            caches["default"].clear()
            walk_run(walk, settings.ROOT_URLCONF, world.program_a, participants)
    with tenant_context(world.program_a):
        emails = list(Email.objects.filter(created_at__gte=walk.emails_since))
        allowed_hx = template_hx_elements()
        for email in Email.objects.all():
            walk.problems += email_problems(email, allowed_hx=allowed_hx)

    # then no page, export or email let a payload through
    assert walk.problems == []
    assert walk.pages >= 60
    # the payloads were on the pages that show what people write
    for path in (
        "/profil/",
        "/rendez-vous/",
        "/gestion/participants/",
        "/gestion/binomes/",
        "/gestion/questionnaire/",
        "/confidentialite/",
        "/console/",
        "/binome/",
        f"/binome/{_active_pair_id(world)}/",
        f"/binome/{_active_pair_id(world)}/messages/",
        "/profil/presentation/",
        "/gestion/objectifs/",
        "/espace/",
    ):
        assert path in walk.pages_showing_payloads, sorted(walk.pages_showing_payloads)
    assert len(walk.pages_showing_payloads) >= 30, sorted(walk.pages_showing_payloads)
    assert any("/gestion/journal/" in where for where in walk.exports), walk.exports  # manager
    assert any("/console/journal/" in where for where in walk.exports), walk.exports  # console
    assert len(emails) >= 3 and any("O'Brien" in e.body_text for e in emails)


def _active_pair_id(world: Any) -> int:
    with tenant_context(world.program_a):
        pk = Match.objects.get(status="active", mentee__user=world.mentee_a).pk
    connection.set_schema_to_public()
    return pk


@pytest.mark.django_db
def test_walk_catches_the_unescaped_help_text(world, password, monkeypatch):
    # given the original bug: the questionnaire's help text printed as it was typed (marked
    # safe, so that the form template's own escaping lets it through too)
    from django.utils.safestring import mark_safe

    import tenant_apps.participants.forms as participant_forms

    monkeypatch.setattr(participant_forms, "escape", mark_safe)
    walk = walk_prepare(world, password)

    # when the walk requests the profile page
    walk_run(walk, settings.ROOT_URLCONF, world.program_a, walk.tenant_visitors, only="profile")

    # then it reports the injected event handler and the injected htmx attributes
    assert any("/profil/" in p and "onerror" in p for p in walk.problems), walk.problems
    assert any("/profil/" in p and "hx-post" in p for p in walk.problems), walk.problems


def test_exclusions_name_existing_fields_and_give_a_reason():
    known = {f"{m._meta.label}.{f.name}" for m in apps.get_models() for f in m._meta.fields}
    assert set(EXCLUDED) - known == set()
    assert all(reason.strip() for reason in EXCLUDED.values())


def test_text_fields_are_discovered_from_the_registry():
    found = {f"{m._meta.label}.{f.name}" for m, f in all_text_fields()}
    # fields people write, from every layer
    for label in (
        "programs.Question.help_text",
        "programs.Question.choices",
        "programs.ProgramSettings.privacy_intro",
        "meetings.MeetingNote.text",
        "meetings.Meeting.next_steps",
        "matching.MatchRequest.message",
        "accounts.User.first_name",
        "tenants.Client.name",
        "tenants.Program.name",
    ):
        assert label in found
    assert "accounts.User.password" not in found


ALLOWED = {("div", frozenset({"hx-get", "hx-trigger", "hx-swap"}))}
GOOD = (
    '<html><head><meta name="htmx-config" content=\'{"selfRequestsOnly": true, '
    '"allowEval": false}\'><script src="/static/vendor/htmx.min.js"></script></head><body>'
    "<main hx-disable><p>&lt;img src=x onerror=alert(1)&gt;&quot;&gt;&lt;b hx-post=&quot;/x"
    "&quot;&gt; O&#x27;Brien &amp; Fils {{7*7}}</p></main>"
    '<div hx-get="/s" hx-trigger="every 1s" hx-swap="outerHTML">ok</div></body></html>'
)


def test_checker_accepts_escaped_content_in_a_disabled_container():
    assert page_problems(GOOD, where="good", allowed_hx=ALLOWED) == []


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (GOOD.replace("&lt;img src=x onerror=alert(1)&gt;", "<img src=x onerror=alert(1)>"),
         "event handler"),
        (GOOD.replace('&quot;&gt;&lt;b hx-post=&quot;/x&quot;&gt;', '"><b hx-post="/x">'),
         "which no template writes"),
        (GOOD.replace("<main hx-disable>", "<main>"), "outside an hx-disable container"),
        (GOOD.replace("O&#x27;Brien", "O&amp;#x27;Brien"), "escaped twice"),
        (GOOD.replace('"allowEval": false', '"allowEval": true'), "allowEval=false"),
        (GOOD.replace("O&#x27;Brien &amp; Fils {{7*7}}", "49 O&#x27;Brien"), "evaluated"),
    ],
)  # fmt: skip
def test_checker_reports_a_known_bad_page(page, expected):
    problems = page_problems(page, where="bad", allowed_hx=ALLOWED)
    assert any(expected in problem for problem in problems), problems


def test_checker_reads_the_templates_hx_attributes():
    # the two htmx pollers of the project, read from the template sources
    elements = template_hx_elements()
    assert ("div", frozenset({"hx-get", "hx-trigger", "hx-swap"})) in elements
    assert ("section", frozenset({"hx-get", "hx-trigger", "hx-swap"})) in elements
    assert not any("hx-post" in names for _tag, names in elements)


def test_csv_checker_reports_formula_cells():
    neutralised, problems = csv_problems(
        "a;b\n=HYPERLINK(1) O'Brien;'=HYPERLINK(1) O'Brien\n", where="csv"
    )
    assert neutralised == 1
    assert problems == ['csv: formula cell "=HYPERLINK(1) O\'Brien"']
