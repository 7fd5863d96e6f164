"""The application image, checked offline from the Dockerfile's text (no Docker engine here)."""

import re

from tests.infra.dockerfile import (
    Instruction,
    is_pinned,
    load_stages,
    parse_dockerfile,
    stages,
)
from tests.infra.hcl_tree import REPO_ROOT


def run_lines(stage_list) -> list[str]:
    return [item.arguments for stage in stage_list for item in stage.all("RUN")]


def test_parser_joins_continuation_lines_and_skips_comments():
    # given
    text = (
        "# syntax=docker/dockerfile:1.7\n"
        "FROM python:3.11.15-slim-bookworm AS build\n"
        "RUN apt-get update \\\n"
        "    # a comment inside the instruction\n"
        "    && apt-get install --yes gettext\n"
        "\n"
        'CMD ["python", "-V"]\n'
    )

    # when
    instructions = parse_dockerfile(text)

    # then
    assert instructions == [
        Instruction("FROM", "python:3.11.15-slim-bookworm AS build", 2),
        Instruction("RUN", "apt-get update && apt-get install --yes gettext", 3),
        Instruction("CMD", '["python", "-V"]', 7),
    ]
    assert instructions[2].exec_form() == ["python", "-V"]


def test_parser_substitutes_global_args_in_from_lines():
    # given
    text = "ARG BASE=python:3.11.15-slim-bookworm\nFROM ${BASE} AS runtime\nUSER 10001\n"

    # when
    (stage,) = stages(parse_dockerfile(text))

    # then
    assert (stage.base, stage.name) == ("python:3.11.15-slim-bookworm", "runtime")
    assert stage.all("USER")[0].arguments == "10001"


def test_pinning_rule_refuses_latest_and_floating_tags():
    # given
    images = {
        "python:3.11.15-slim-bookworm": True,
        "python@sha256:" + "a" * 64: True,
        "ghcr.io/astral-sh/uv:0.13.9": True,
        "python:3.11-slim": False,
        "python:latest": False,
        "python": False,
    }

    # when
    verdicts = {image: is_pinned(image) for image in images}

    # then
    assert verdicts == images


def test_image_is_multi_stage_on_a_pinned_python_3_11_slim_bookworm():
    # given
    stage_list = load_stages()

    # when
    bases = [stage.base for stage in stage_list]

    # then
    assert len(stage_list) >= 2
    assert all(is_pinned(base) for base in bases), bases
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", stage_list[-1].base)
    assert stage_list[-1].base == next(s.base for s in stage_list if s.name == "builder")


def test_dependencies_come_from_the_lock_file_with_uv():
    # given
    build_stages = load_stages()[:-1]

    # when
    runs = run_lines(build_stages)

    # then
    assert any(re.search(r"\buv sync --frozen --no-dev\b", line) for line in runs), runs
    copies = [item.arguments for stage in build_stages for item in stage.all("COPY")]
    assert "pyproject.toml uv.lock ./" in copies


def test_translations_and_static_files_are_built_into_the_image():
    # given
    build_stages = load_stages()[:-1]

    # when
    runs = " ".join(run_lines(build_stages))

    # then
    assert "python manage.py compilemessages" in runs
    assert "python manage.py collectstatic --noinput" in runs
    assert "DJANGO_SECRET_KEY=build-only-not-a-secret" in runs


def test_runtime_runs_as_an_unprivileged_numeric_user():
    # given
    runtime = load_stages()[-1]

    # when
    users = [item.arguments for item in runtime.all("USER")]

    # then
    assert users, "the final stage has no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000


def test_runtime_settings_health_check_port_and_default_command():
    # given
    runtime = load_stages()[-1]

    # when
    environment = " ".join(item.arguments for item in runtime.all("ENV"))
    (healthcheck,) = runtime.all("HEALTHCHECK")
    (command,) = runtime.all("CMD")

    # then
    assert "DJANGO_SETTINGS_MODULE=saas.settings.production" in environment
    assert "DJANGO_SECRET_KEY" not in environment
    assert "DATABASE_URL" not in environment
    assert [item.arguments for item in runtime.all("EXPOSE")] == ["8000"]
    assert healthcheck.exec_form() == ["python", "/app/infra/docker/healthcheck.py"]
    assert command.exec_form() == [
        "gunicorn",
        "-c",
        "infra/docker/gunicorn.conf.py",
        "saas.wsgi:application",
    ]


def test_health_check_script_asks_healthz_with_urllib():
    # given
    script = (REPO_ROOT / "infra" / "docker" / "healthcheck.py").read_text(encoding="utf-8")

    # when
    imports_curl = "curl" in script.replace("no curl", "")

    # then
    assert 'HEALTH_URL = "http://127.0.0.1:8000/healthz"' in script
    assert "urllib.request.urlopen" in script
    assert not imports_curl


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    # given
    ignore = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()

    # when
    patterns = {line.strip() for line in ignore if line.strip() and not line.startswith("#")}

    # then
    assert {".venv", ".local", ".git", ".pytest_cache", ".ruff_cache", "**/__pycache__"} <= patterns
    assert {".env", "infra/terraform/**/*.tfstate*"} <= patterns
    assert "tests" in patterns  # the cross-app suites and the fakes never ship (tests/fakes)
