"""The local full stack (docker-compose.yml), checked offline from the YAML."""

from functools import cache

import yaml

from tests.infra.hcl_tree import REPO_ROOT

APP_SERVICES = ("migrate", "web", "worker", "beat", "whereby-fake")
LONG_RUNNING = ("postgres", "redis", "mailpit", "whereby-fake", "web", "worker", "beat")


@cache
def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def services() -> dict:
    return compose()["services"]


def test_stack_has_every_service():
    # given
    expected = {"postgres", "redis", "mailpit", "migrate", "web", "worker", "beat", "whereby-fake"}

    # when
    names = set(services())

    # then
    assert names == expected
    assert services()["postgres"]["image"] == "postgres:16"
    assert services()["redis"]["image"] == "redis:7"
    assert services()["mailpit"]["image"].startswith("axllent/mailpit:")


def test_application_services_share_one_image_built_from_the_dockerfile():
    # given
    app = {name: services()[name] for name in APP_SERVICES}

    # when
    images = {service["image"] for service in app.values()}
    builds = {
        (service["build"]["context"], service["build"]["dockerfile"]) for service in app.values()
    }

    # then
    assert images == {"binome-app:local"}
    assert builds == {(".", "Dockerfile")}


def test_each_application_service_runs_its_command():
    # given
    commands = {name: services()[name]["command"] for name in APP_SERVICES}

    # when
    beat = commands["beat"]

    # then
    assert commands["web"] == [
        "gunicorn",
        "-c",
        "infra/docker/gunicorn.conf.py",
        "saas.wsgi:application",
    ]
    assert commands["worker"] == ["celery", "-A", "saas", "worker", "-l", "info"]
    assert beat[:6] == ["celery", "-A", "saas", "beat", "-l", "info"]
    assert commands["migrate"][:2] == ["sh", "-c"]  # run for real by test_migration_command.py
    assert commands["whereby-fake"] == [
        "python",
        "-m",
        "tests.fakes.whereby",
        "--host",
        "0.0.0.0",
        "--port",
        "8090",
    ]


def test_every_long_running_service_has_a_health_check():
    # given
    checks = {name: services()[name].get("healthcheck", {}) for name in LONG_RUNNING}

    # when
    tests = {name: " ".join(check.get("test", [])) for name, check in checks.items()}

    # then
    assert all(not check.get("disable") and tests[name] for name, check in checks.items()), tests
    assert "pg_isready" in tests["postgres"]
    assert "redis-cli ping" in tests["redis"]
    assert "infra/docker/healthcheck.py" in tests["web"]
    assert "inspect ping" in tests["worker"]
    assert "celerybeat@" in tests["beat"]
    assert "127.0.0.1:8090/_fake/health" in tests["whereby-fake"]
    assert services()["migrate"]["healthcheck"] == {"disable": True}


def test_migrate_runs_once_before_web_worker_and_beat():
    # given
    migrate = services()["migrate"]

    # when
    conditions = {
        name: services()[name]["depends_on"]["migrate"]["condition"]
        for name in ("web", "worker", "beat")
    }

    # then
    assert conditions == dict.fromkeys(("web", "worker", "beat"), "service_completed_successfully")
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert migrate["restart"] == "no"
    assert services()["web"]["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_application_environment_is_shared_and_local():
    # given
    environments = [services()[name]["environment"] for name in APP_SERVICES]

    # when
    environment = compose()["x-app-env"]

    # then
    assert all(env == environment for env in environments)
    assert environment["DJANGO_SETTINGS_MODULE"] == "saas.settings.production"
    assert environment["DJANGO_SECURE_SSL_REDIRECT"] == "false"
    assert environment["DATABASE_URL"] == "postgres://binome:binome@postgres:5432/binome"
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/1"
    assert environment["BASE_DOMAIN"] == "localhost"
    assert environment["EMAIL_URL"] == "smtp://mailpit:1025"
    assert environment["WHEREBY_BASE_URL"] == "http://whereby-fake:8090/v1"
    assert environment["WHEREBY_API_KEY"] == "local-fake-key"
    assert environment["WHEREBY_WEBHOOK_SECRET"].startswith("local-only-")
    assert environment["WHEREBY_FAKE_WEBHOOK_URL"] == "http://web:8000/webhooks/whereby"
    assert environment["WHEREBY_FAKE_WEBHOOK_HOST"] == environment["BASE_DOMAIN"]
    assert environment["DJANGO_SECRET_KEY"].startswith("local-only-")


def test_only_the_web_port_the_mail_ui_and_the_video_rooms_are_published_on_loopback():
    # given
    published = {name: service.get("ports", []) for name, service in services().items()}

    # when
    exposed = {name: ports for name, ports in published.items() if ports}

    # then
    assert exposed == {
        "web": ["127.0.0.1:8000:8000"],
        "mailpit": ["127.0.0.1:8025:8025"],
        "whereby-fake": ["127.0.0.1:8090:8090"],
    }


def test_every_application_command_points_at_code_that_exists():
    # given the Python entry points named by the application services' commands
    import importlib.util

    targets = []
    for name in APP_SERVICES:
        command = services()[name]["command"]
        if "-m" in command:
            targets.append(command[command.index("-m") + 1])
        if "-A" in command:
            targets.append(command[command.index("-A") + 1])
        targets += [arg.split(":")[0] for arg in command if arg.endswith(":application")]
        if "manage.py" in command:
            assert (REPO_ROOT / "manage.py").exists()
    # then each module can be found in the repository
    assert targets
    assert [t for t in targets if importlib.util.find_spec(t) is None] == []


def test_web_and_worker_wait_for_the_whereby_fake():
    # given
    fake = services()["whereby-fake"]

    # when
    conditions = {
        name: services()[name]["depends_on"]["whereby-fake"]["condition"]
        for name in ("web", "worker")
    }

    # then the services that call Whereby start once the fake answers
    assert conditions == dict.fromkeys(("web", "worker"), "service_healthy")
    assert fake["image"] == "binome-app:local"


def test_the_whereby_fake_comes_from_a_read_only_mount_not_from_the_image():
    # given the image's build context leaves tests/ out (.dockerignore)
    ignore = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    fake = services()["whereby-fake"]

    # when
    mounts = fake.get("volumes", [])
    others = {name: services()[name].get("volumes", []) for name in APP_SERVICES}

    # then the fake (test code) is mounted read-only into the fake's container only
    assert "tests" in {line.strip() for line in ignore}
    assert mounts == ["./tests:/app/tests:ro"]
    assert fake["command"][2].startswith("tests.fakes.")
    assert not any(
        "tests" in volume
        for name, volumes in others.items()
        if name != "whereby-fake"
        for volume in volumes
    )
