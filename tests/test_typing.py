"""Types (issue 12 §5): mypy with django-stubs and DRF stubs on the whole tree, strict on the
kernel, every services module or package and the matching engine — configured in
pyproject.toml ([tool.mypy]), checked by the suite, and proven able to fail.

The check reuses `.mypy_cache` (incremental): a cold run takes 25 s on an idle machine and
about a minute on a loaded one (hence `slow`: CI runs it, `-m "not slow"` leaves it out), a
warm one a second or two. The self-checks run mypy on a small package of their own, with the
project's configuration, in a temporary folder (their own cache: the project's stays untouched).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MYPY = Path(sys.executable).parent / "mypy"


def _mypy(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(cwd),
        # The plugin loads the test settings, which read DATABASE_URL (never connected to).
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://unused@127.0.0.1:5432/unused"),
        "HOME": os.environ.get("HOME", "/tmp"),
    }
    return subprocess.run(
        [str(MYPY), "--config-file", str(cwd / "pyproject.toml"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.mark.slow  # about a minute from a cold cache on a loaded machine; seconds once warm
def test_the_whole_tree_type_checks():
    result = _mypy(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout, result.stdout


# --- The check can fail ------------------------------------------------------------------------
# A probe package outside the tree, checked with the project's configuration: its `services`
# module falls under the strict override (`*.services`), its `loose` module does not.

TYPE_ERROR = """\
def count() -> int:
    return "three"  # a str where an int is promised
"""

UNANNOTATED = """\
def shout(name):  # no annotations
    return name.upper()
"""


@pytest.fixture
def probe(tmp_path: Path) -> Path:
    package = tmp_path / "typing_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    return package


def _check(probe: Path) -> subprocess.CompletedProcess[str]:
    return _mypy(ROOT, "--cache-dir", str(probe.parent / ".mypy_cache"), str(probe))


def _errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [
        line.split("typing_probe/", 1)[1]
        for line in result.stdout.splitlines()
        if ": error:" in line
    ]


def test_the_probe_alone_passes(probe):
    """So that a failure below comes from the broken lines alone."""
    (probe / "services.py").write_text("def count() -> int:\n    return 3\n")
    (probe / "loose.py").write_text(UNANNOTATED)
    result = _check(probe)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_type_error_fails_the_check(probe):
    # given a module that returns a str where it promises an int
    (probe / "loose.py").write_text(TYPE_ERROR)
    # when
    result = _check(probe)
    # then
    assert result.returncode == 1, result.stdout + result.stderr
    assert _errors(result) == [
        'loose.py:2: error: Incompatible return value type (got "str", expected "int")  '
        "[return-value]"
    ], result.stdout


def test_an_unannotated_function_fails_in_a_strict_module_only(probe):
    # given the same unannotated function in a services module (strict) and in another one
    (probe / "services.py").write_text(UNANNOTATED)
    (probe / "loose.py").write_text(UNANNOTATED)
    # when
    result = _check(probe)
    # then the services module's is refused, the other is not
    assert result.returncode == 1, result.stdout + result.stderr
    assert _errors(result) == [
        "services.py:1: error: Function is missing a type annotation  [no-untyped-def]"
    ], result.stdout
