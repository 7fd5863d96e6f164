"""The layers and the rules between apps (CONVENTIONS §11, docs/architecture.md "Layers"), as
import-linter contracts in pyproject.toml, checked by the suite — and proven able to fail.

grimp, under import-linter, reads every import of every file, those inside functions too: a
function-level import that dodges a cycle is still a cycle here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("saas", "audit", "shared_apps", "tenant_apps", "tenants")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """Run the contracts of `root`'s pyproject.toml against the packages under `root`."""
    only = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *only, str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        timeout=120,
    )


def test_every_import_contract_is_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# --- The contracts can fail --------------------------------------------------------------------


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The project's Python packages and pyproject.toml, copied: a broken variant is made there,
    never in the working tree."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=lambda folder, names: [
                name
                for name in names
                if (not name.endswith(".py") and not (Path(folder) / name).is_dir())
                or name == "__pycache__"
            ],
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_copy_keeps_every_contract(tree_copy):
    """So that a failure below comes from the broken line alone."""
    result = _lint_imports(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_from_the_kernel_breaks_the_layers(tree_copy):
    # given the kernel importing a programme app, inside a function
    (tree_copy / "saas" / "core" / "broken_upward.py").write_text(
        "def settings_of_the_programme():\n"
        "    from tenant_apps.programs.selectors import program_settings\n"
        "\n"
        "    return program_settings()\n"
    )
    # when
    result = _lint_imports(tree_copy, "layers")
    # then
    assert result.returncode == 1, result.stdout + result.stderr
    assert "saas.core is not allowed to import tenant_apps" in result.stdout
    assert "saas.core.broken_upward -> tenant_apps.programs.selectors" in result.stdout


def test_a_lazy_cycle_between_apps_is_a_cycle(tree_copy):
    # given programs importing matching inside a function (matching imports programs)
    (tree_copy / "tenant_apps" / "programs" / "broken_cycle.py").write_text(
        "def pairs_count():\n"
        "    from tenant_apps.matching.models import Match\n"
        "\n"
        "    return Match.objects.count()\n"
    )
    # when
    result = _lint_imports(tree_copy, "no-app-cycles")
    # then
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No cycles are allowed in tenant_apps" in result.stdout
    assert ".programs -> .matching" in result.stdout
    # and the apps' own order says the same
    result = _lint_imports(tree_copy, "tenant-apps-dag")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "tenant_apps.programs is not allowed to import tenant_apps.matching" in result.stdout


def test_the_engine_importing_django_breaks_its_purity(tree_copy):
    engine = tree_copy / "tenant_apps" / "matching" / "engine.py"
    if not engine.exists():  # the engine as a package
        engine = tree_copy / "tenant_apps" / "matching" / "engine" / "__init__.py"
    engine.write_text(
        engine.read_text()
        + "\n\ndef _now():\n    from django.utils import timezone\n\n    return timezone.now()\n"
    )
    result = _lint_imports(tree_copy, "pure-engine")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "is not allowed to import django" in result.stdout


# --- What import-linter cannot say: "only these" -----------------------------------------------


def test_the_engine_imports_only_numpy_scipy_and_the_standard_library():
    graph = grimp.build_graph(*PACKAGES, include_external_packages=True, cache_dir=None)
    engine = "tenant_apps.matching.engine"
    allowed = {"numpy", "scipy", *sys.stdlib_module_names}
    offenders = sorted(
        f"{module} imports {imported}"
        for module in graph.find_descendants(engine) | {engine}
        for imported in graph.find_modules_directly_imported_by(module)
        if not imported.startswith(engine) and imported.split(".")[0] not in allowed
    )
    assert offenders == []


def test_every_module_of_the_layered_folders_has_a_layer():
    """`saas/`, `shared_apps/` and `tenants/` are split between layers module by module
    (`tenants/` even spans two: the tenancy floor under the tenant apps, cross-programme work
    above them): a new module or app there must be placed in pyproject.toml, else it would
    escape the layers contract. (`tenant_apps/`'s own contract is exhaustive.)"""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (layers,) = [
        contract["layers"]
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["id"] == "layers"
    ]
    placed = {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    modules = {
        f"{folder}.{path.stem if path.suffix == '.py' else path.name}"
        for folder in ("saas", "shared_apps", "tenants")
        for path in (ROOT / folder).iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists() and path.name != "tests")
    }
    assert modules - placed == set()
