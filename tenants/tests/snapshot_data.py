"""Hand-built programme data with known figures, for the snapshot and client-page tests.

Programme A and B (the test world, organisation "Test organisation") get people, pairs and
meetings written directly; a third programme C belongs to another organisation. Everything
is written inside the test's transaction and rolled back after it. `NOW` is fixed (15 June
2026, noon in Paris) so that "this month" and "the last 90 days" are known."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django_tenants.utils import tenant_context

from conftest import PASSWORD
from saas.core.tenancy import connection
from shared_apps.accounts.models import User
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant
from tenants.models import Client, Program, ProgramSnapshot
from tenants.services import client_create, program_create, program_provision

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=PARIS)

# Expected figures (see the docstring of each builder for the reasoning).
EXPECTED_A = {
    "registered": 11,
    "active": 6,
    "mentors": 4,
    "mentees": 7,
    "matched_mentees": 4,
    "matched_rate": 57,
    "pairs_active": 4,
    "pairs_ended": 1,
    "meetings_held_month": 1,
    "meetings_held_period": 3,
}
EXPECTED_B = {
    "registered": 3,
    "active": 2,
    "mentors": 1,
    "mentees": 2,
    "matched_mentees": 1,
    "matched_rate": 50,
    "pairs_active": 1,
    "pairs_ended": 0,
    "meetings_held_month": 1,
    "meetings_held_period": 1,
}
EXPECTED_C = {
    "registered": 1,
    "active": 0,
    "mentors": 0,
    "mentees": 1,
    "matched_mentees": 0,
    "matched_rate": 0,
    "pairs_active": 0,
    "pairs_ended": 0,
    "meetings_held_month": 0,
    "meetings_held_period": 0,
}


@dataclass
class Data:
    client_x: Client
    client_y: Client
    program_a: Program
    program_b: Program
    program_c: Program


def _person(email: str, role: str, status: str = Participant.Status.ACTIVE) -> Participant:
    user = User.objects.create_user(email=email, password=PASSWORD)
    return Participant.objects.create(user=user, role=role, status=status)


def _meeting(match: Match, starts_at: datetime, status: str = Meeting.Status.HELD) -> Meeting:
    return Meeting.objects.create(
        match=match,
        proposed_by=match.mentee,
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
    )


def _program_a(program: Program) -> None:
    """Existing: mentee_a (mentee), both (mentor), manager_a and the invited first manager
    (managers are not counted). Added: mentees m1-m6, an invited mentee (not counted),
    mentors t1-t3 and a deactivated mentor (not counted): 7 mentees, 4 mentors.
    Pairs: m1-t1, m2-t2, m3-t3, m4-both active (4 matched mentees, 4/7 = 57 %), m5-t1 ended,
    m6-t2 proposed (not a pair). Meetings held: 10 June (this month), 20 May (in the last 90
    days), exactly 90 days before NOW on the ended pair (boundary: counted), 10 January (too
    old); a cancelled one on 12 June and a "held" one after NOW are not counted.
    Active: m1, t1, m2, t2 and m5 met; mentee_a signed in 10 days ago; m4 signed in 91 days
    ago (not active), m3 and t3 met in January (not active): 6."""
    with tenant_context(program):
        Participant.objects.update(last_active_at=None)
        mentee_a = Participant.objects.get(user__email="mentee-a@a.example")
        mentee_a.last_active_at = NOW - timedelta(days=10)
        mentee_a.save(update_fields=["last_active_at"])
        both = Participant.objects.get(user__email="both@ab.example")
        m = [_person(f"snap-m{i}@a.example", Participant.Role.MENTEE) for i in range(1, 7)]
        t = [_person(f"snap-t{i}@a.example", Participant.Role.MENTOR) for i in range(1, 4)]
        _person("snap-invited@a.example", Participant.Role.MENTEE, Participant.Status.INVITED)
        _person("snap-gone@a.example", Participant.Role.MENTOR, Participant.Status.DEACTIVATED)
        m[3].last_active_at = NOW - timedelta(days=91)
        m[3].save(update_fields=["last_active_at"])
        active = Match.Status.ACTIVE
        p1 = Match.objects.create(mentee=m[0], mentor=t[0], status=active)
        p2 = Match.objects.create(mentee=m[1], mentor=t[1], status=active)
        p3 = Match.objects.create(mentee=m[2], mentor=t[2], status=active)
        p4 = Match.objects.create(mentee=m[3], mentor=both, status=active)
        p5 = Match.objects.create(mentee=m[4], mentor=t[0], status=Match.Status.ENDED)
        Match.objects.create(mentee=m[5], mentor=t[1], status=Match.Status.PROPOSED)
        _meeting(p1, datetime(2026, 6, 10, 10, 0, tzinfo=PARIS))
        _meeting(p2, datetime(2026, 5, 20, 10, 0, tzinfo=PARIS))
        _meeting(p5, NOW - timedelta(days=90))
        _meeting(p3, datetime(2026, 1, 10, 10, 0, tzinfo=PARIS))
        _meeting(p4, datetime(2026, 6, 12, 10, 0, tzinfo=PARIS), Meeting.Status.CANCELLED)
        _meeting(p4, NOW + timedelta(hours=2))
    connection.set_schema_to_public()


def _program_b(program: Program) -> None:
    """Existing: mentee_b and both, mentees. Added: mentor tb, paired with mentee_b, who met
    on 1 June at 00:30 Paris time (the first minutes of the month: counted this month)."""
    with tenant_context(program):
        Participant.objects.update(last_active_at=None)
        mentee_b = Participant.objects.get(user__email="mentee-b@b.example")
        tb = _person("snap-tb@b.example", Participant.Role.MENTOR)
        pair = Match.objects.create(mentee=mentee_b, mentor=tb, status=Match.Status.ACTIVE)
        _meeting(pair, datetime(2026, 6, 1, 0, 30, tzinfo=PARIS))
    connection.set_schema_to_public()


def build(world: object) -> Data:
    ProgramSnapshot.objects.all().delete()  # only this test's rows count (rolled back after)
    client_x = world.program_a.client  # type: ignore[attr-defined]
    client_y = client_create(name="Other organisation (snapshots)")
    program = program_create(
        client_id=client_y.pk,
        name="Programme C",
        slug="prog-c-snapshots",
        manager_email="first-manager@prog-c.example",
    )
    program_provision(program_id=program.pk)
    program_c = Program.objects.get(pk=program.pk)
    with tenant_context(program_c):
        _person("snap-mc@c.example", Participant.Role.MENTEE)
    connection.set_schema_to_public()
    _program_a(world.program_a)  # type: ignore[attr-defined]
    _program_b(world.program_b)  # type: ignore[attr-defined]
    return Data(client_x, client_y, world.program_a, world.program_b, program_c)  # type: ignore[attr-defined]
