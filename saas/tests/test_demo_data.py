"""The demo data of `python3 dev.py run`: each programme belongs to its own client, the
managers and the super-admin have two-step verification set up from the secret the banner
prints, `python3 dev.py totp <email>` prints the code that works, and seeding sends (prints)
no email."""

import io
import os
import subprocess
import sys
from base64 import b32decode
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import host_client
from saas.core.tenancy import connection
from saas.project.management.commands.demo_seed import DEMO_PASSWORD, SUPER_ADMIN

ROOT = Path(settings.BASE_DIR)
MANAGERS = ["manager@ucanss.fr", "manager@banque-territoriale.fr"]


def _seed(capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("demo_seed", "--force", "--port", "8123", stdout=out)
    connection.set_schema_to_public()
    return out.getvalue()


def _codes(key_hex: str) -> set[str]:
    """The codes of the previous, current and next 30-second steps."""
    key = bytes.fromhex(key_hex)
    return {str(TOTP(key, drift=drift).token()).zfill(6) for drift in (-1, 0, 1)}


@pytest.mark.django_db
def test_each_programme_belongs_to_its_own_client(django_capture_on_commit_callbacks):
    from tenants.models import Program

    _seed(django_capture_on_commit_callbacks)

    owners = dict(
        Program.objects.filter(slug__in=["ucanss-2027", "banque-mentorat"]).values_list(
            "name", "client__name"
        )
    )
    assert owners == {
        "Mentorat Ucanss 2027": "Ucanss",
        "Mentorat Banque Territoriale": "Banque Territoriale",
    }


@pytest.mark.django_db
def test_seeding_sends_no_email_and_prints_no_invitation(django_capture_on_commit_callbacks):
    mail.outbox.clear()
    banner = _seed(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert "/acces/" not in banner
    assert f"http://ucanss-2027.{settings.BASE_DOMAIN}:8123/" in banner


@pytest.mark.django_db
def test_managers_and_super_admin_have_2fa_from_the_printed_secret(
    django_capture_on_commit_callbacks,
):
    # given the demo data, loaded twice (idempotent: the secret does not change)
    first = _seed(django_capture_on_commit_callbacks)
    banner = _seed(django_capture_on_commit_callbacks)
    secret = banner.split("two-step verification set up with this secret:")[1].split()[0]
    assert len(secret) == 32 and secret in first

    # then every manager and the super-admin has a confirmed authenticator with that secret,
    # participants have none
    key_hex = b32decode(secret + "=" * (-len(secret) % 8)).hex()
    devices = dict(TOTPDevice.objects.filter(confirmed=True).values_list("user__email", "key"))
    assert {email: devices.get(email) for email in [SUPER_ADMIN, *MANAGERS]} == {
        email: key_hex for email in [SUPER_ADMIN, *MANAGERS]
    }
    assert "mentee1@ucanss.fr" not in devices
    assert "python3 dev.py totp <email>" in banner

    # and the code printed by `demo_totp` lets the manager through the verification page
    out = io.StringIO()
    call_command("demo_totp", MANAGERS[1], "--force", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    assert code in _codes(key_hex)
    client = host_client(_program("banque-mentorat"))
    response = client.post("/connexion/", {"username": MANAGERS[1], "password": DEMO_PASSWORD})
    assert response.status_code == 302
    verified = client.post("/compte/verification/", {"token": code})
    assert verified.status_code == 302
    assert client.get("/gestion/participants/").status_code == 200


def _program(slug: str):
    from tenants.models import Program

    return Program.objects.get(slug=slug)


def test_dev_py_totp_prints_the_current_code(django_db_blocker):
    """Through the real entry point, `python3 dev.py totp <email>`, on the test database."""
    from shared_apps.accounts.models import User

    # given a committed account with an authenticator (the command reads it from its own
    # connection)
    with django_db_blocker.unblock():
        user = User.objects.create_user(email="totp-cli@binome.example", password=None)
        device = TOTPDevice.objects.create(user=user, name="demo authenticator", confirmed=True)
    try:
        db = connection.settings_dict
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        # when the newcomer asks for the code
        result = subprocess.run(
            ["python3", "dev.py", "totp", "TOTP-CLI@binome.example"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        # then the current code is printed, alone on stdout
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() in _codes(device.key)
        assert len(result.stdout.strip()) == 6
        # and an account without an authenticator gets a clear refusal
        refused = subprocess.run(
            [sys.executable, "-m", "saas.cli", "totp", "nobody@binome.example"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert refused.returncode != 0
        assert "No two-step verification is set up for nobody@binome.example" in refused.stderr
    finally:
        with django_db_blocker.unblock():
            TOTPDevice.objects.filter(user=user).delete()
            user.delete()


@pytest.mark.django_db
def test_the_demo_shows_a_pair_with_messages_and_goals_and_a_pair_at_risk(
    django_capture_on_commit_callbacks,
):
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from tenant_apps.mentoring.models import Goal, Message
    from tenant_apps.mentoring.selectors import quiet_pairs
    from tenants.models import Program

    _seed(django_capture_on_commit_callbacks)
    _seed(django_capture_on_commit_callbacks)  # idempotent
    with tenant_context(Program.objects.get(slug="ucanss-2027")):
        # the relationship demo's messages (the dashboard's demo cohort, "seed-…", writes one
        # per held meeting for the weekly activity chart)
        demo = Message.objects.exclude(match__mentee__user__email__startswith="seed-")
        assert demo.order_by().values("match").distinct().count() == 1
        assert demo.count() == 3
        assert Message.objects.count() > 3
        assert Goal.objects.count() == 2
        quiet = quiet_pairs(now=timezone.now())
        quiet_mentees = {q.match.mentee.user.email for q in quiet}
        # the relationship demo's pair at risk is among the quiet pairs (the dashboard's demo
        # cohort adds more); its lively pair, with messages, is not
        assert "mentee2@ucanss.fr" in quiet_mentees
        lively = demo.values_list("match__mentee__user__email", flat=True).first()
        assert lively not in quiet_mentees
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_demo_programme_has_one_api_key_printed_in_the_banner(
    django_capture_on_commit_callbacks,
):
    # given the demo data loaded twice
    _seed(django_capture_on_commit_callbacks)
    banner = _seed(django_capture_on_commit_callbacks)
    # then the banner prints a key that works on the first programme's API
    raw = banner.split("API key of ucanss-2027")[1].split(":\n", 1)[1].split()[0]
    assert raw.startswith("bnm_")
    from tenants.models import Program

    program = Program.objects.get(slug="ucanss-2027")
    client = host_client(program)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    response = client.get("/api/v1/participants/")
    assert response.status_code == 200
    assert "manager@ucanss.fr" in {row["email"] for row in response.json()["results"]}
    # and it is the programme's only key
    from django_tenants.utils import tenant_context

    from tenant_apps.api.models import ApiKey

    with tenant_context(program):
        assert ApiKey.objects.count() == 1
