"""A mentoring meeting in a real browser, with the Whereby fake: the mentee proposes a time in a
few minutes, the mentor accepts it, both open the join page and see the room from the fake in
the iframe — the room is locked: the mentee knocks, the mentor (host URL) lets her in, and the
room's URL forwarded to someone else only knocks; the fake tells the platform both joined, and
the meeting counts as held. axe-core finds no violation on the meeting pages; no email or ICS
file carries a room URL."""

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.translation import gettext, override

from tests.e2e.test_journey import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "une phrase de passe pour le mentorat"
MENTEE = ("ines.durand@e2e.example", "Inès", "Durand")
MENTOR = ("marc.lefort@e2e.example", "Marc", "Lefort")


def t(msgid: str) -> str:
    """The interface's text for `msgid` (French once the catalogue has it)."""
    with override("fr"):
        return gettext(msgid)


@pytest.fixture(scope="module")
def e2e_pair(live_site, django_db_blocker):
    """Inès (mentee) and Marc (mentor), paired in the live programme (committed)."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from shared_apps.accounts.models import User
    from tenant_apps.matching.services import match_create_manual
    from tenant_apps.participants.models import Participant
    from tenant_apps.participants.services import participant_add

    with django_db_blocker.unblock(), tenant_context(live_site.program):
        people = {}
        for (email, first, last), role in ((MENTEE, "mentee"), (MENTOR, "mentor")):
            user = User.objects.create_user(
                email=email, password=PASSWORD, first_name=first, last_name=last
            )
            people[role] = participant_add(user=user, role=Participant.Role(role))
        match = match_create_manual(mentee=people["mentee"], mentor=people["mentor"])
    connection.set_schema_to_public()
    return match


def log_in(browser, site, email):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(site.url("/connexion/"))
    page.get_by_label("Adresse email").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace/")
    return context, page


def meeting_state(program, django_db_blocker):
    """The meeting and who joined it, as committed by the live server. Read from another
    thread: Playwright's event loop runs in this one, where Django refuses the ORM."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenant_apps.meetings.models import Meeting, MeetingAttendance

    def read():
        try:
            with django_db_blocker.unblock(), tenant_context(program):
                meeting = Meeting.objects.get()
                joined = set(
                    MeetingAttendance.objects.filter(meeting=meeting, kind="joined").values_list(
                        "participant_id", flat=True
                    )
                )
            return meeting, joined
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(read).result()


@pytest.mark.django_db
def test_two_people_meet_in_the_embedded_room(
    live_site, e2e_pair, whereby_live, browser, django_db_blocker
):
    from axe_playwright_python.sync_playwright import Axe

    site, axe, visited = live_site, Axe(), []
    mail.outbox.clear()
    start = timezone.localtime() + timedelta(minutes=6)

    # the mentee proposes a meeting in a few minutes, from "my meetings"
    mentee_context, mentee = log_in(browser, site, MENTEE[0])
    mentee.get_by_role("link", name=t("My meetings")).click()
    mentee.wait_for_url("**/rendez-vous/")
    assert_accessible(mentee, axe, visited)
    mentee.get_by_role("link", name=t("Propose a meeting")).click()
    mentee.wait_for_url("**/rendez-vous/proposer/")
    assert_accessible(mentee, axe, visited)
    mentee.get_by_label(t("With")).select_option(label="Marc Lefort")
    mentee.get_by_label(t("First possible time")).fill(start.strftime("%Y-%m-%dT%H:%M"))
    mentee.get_by_role("button", name=t("Send the proposal")).click()
    mentee.wait_for_url("**/rendez-vous/*/")
    assert_accessible(mentee, axe, visited)
    meeting_path = urlsplit(mentee.url).path

    # the mentor accepts it from the meeting page
    mentor_context, mentor = log_in(browser, site, MENTOR[0])
    mentor.goto(site.url("/rendez-vous/"))
    mentor.get_by_role("link", name=t("Meeting with %(name)s") % {"name": "Inès Durand"}).click()
    mentor.wait_for_url(f"**{meeting_path}")
    assert_accessible(mentor, axe, visited)
    mentor.locator("ul.slots button").click()
    mentor.wait_for_url(f"**{meeting_path}")
    assert_accessible(mentor, axe, visited)
    meeting, _joined = meeting_state(site.program, django_db_blocker)
    assert meeting.status == "confirmed"
    assert len(whereby_live.live_meetings()) == 1

    # at meeting time, both open the join page and see the room from the fake
    join_label = t("Join the video meeting")

    def open_join(page):
        page.goto(site.url(meeting_path))
        page.get_by_role("link", name=join_label).click()
        page.wait_for_url("**/visio")
        src = page.locator("iframe.video-room").get_attribute("src")
        parts = urlsplit(src)
        assert (parts.hostname, parts.port) == ("binome.whereby.localhost", whereby_live.port)
        return page.frame_locator("iframe.video-room"), src

    # the mentee first: the room is locked, she waits at the door
    mentee_room, mentee_src = open_join(mentee)
    mentee_room.locator("#knocking").wait_for(timeout=15000)
    assert mentee_room.locator("#room").count() == 0
    assert_accessible(mentee, axe, visited)
    # the mentor enters directly (host URL) and lets her in
    mentor_room, mentor_src = open_join(mentor)
    mentor_room.locator("#room").wait_for(timeout=15000)
    assert "Salle de visio simulée" in mentor_room.locator("#room").inner_text()
    assert "(hôte)" in mentor_room.locator("#room").inner_text()
    assert "roomKey=" in mentor_src and "roomKey=" not in mentee_src
    mentor_room.get_by_role("button", name="Faire entrer Inès Durand").click()
    mentee_room.locator("#room").wait_for(timeout=15000)
    assert "Salle de visio simulée" in mentee_room.locator("#room").inner_text()
    assert "(hôte)" not in mentee_room.locator("#room").inner_text()
    assert_accessible(mentor, axe, visited)

    # the room's URL forwarded to someone else only knocks: nobody lets them in
    stranger_context = browser.new_context(locale="fr-FR")
    stranger = stranger_context.new_page()
    stranger.goto(mentee_src)
    stranger.locator("#knocking").wait_for(timeout=15000)
    stranger.wait_for_timeout(1500)
    assert stranger.locator("#room").count() == 0
    stranger_context.close()

    # the fake's webhooks told the platform both joined: the meeting counts as held
    deadline = time.monotonic() + 20
    while True:
        meeting, joined = meeting_state(site.program, django_db_blocker)
        if meeting.status == "held" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert joined == {e2e_pair.mentee_id, e2e_pair.mentor_id}
    assert meeting.status == "held"
    mentee_context.close()
    mentor_context.close()

    # no email or ICS file sent in the journey carries a room URL, name or key
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from tenant_apps.video.tests.fixtures import all_emails_texts, leaks

    def sent_and_stored():
        try:
            with django_db_blocker.unblock():
                return all_emails_texts([site.program])
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        texts = pool.submit(sent_and_stored).result()
    assert any("BEGIN:VCALENDAR" in text for text in texts)
    assert leaks(texts, whereby_live.issued_urls()) == []
    assert len(visited) == 7
