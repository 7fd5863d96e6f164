"""A light `terraform validate` that needs no provider: every `var.`, `local.`, `module.` and
resource reference points at something declared, and every module call passes the variables
its module declares (all the required ones, no unknown one).
"""

import re
from pathlib import Path

from tests.infra.hcl_tree import (
    TERRAFORM_ROOT,
    labelled,
    load_tree,
    locals_of,
    module_calls,
    outputs,
    resources,
)
from tests.infra.provider_schema import resource_schemas

MODULE_META_ARGUMENTS = frozenset(
    {"source", "version", "providers", "count", "for_each", "depends_on"}
)
_KNOWN_TYPES = "|".join(sorted(resource_schemas(), key=len, reverse=True))
_RESOURCE_REFERENCE = re.compile(rf"(?<![\w.])({_KNOWN_TYPES})\.([a-z_][a-z0-9_-]*)")
_VAR = re.compile(r"(?<![\w.])var\.([a-z_][a-z0-9_]*)")
_LOCAL = re.compile(r"(?<![\w.])local\.([a-z_][a-z0-9_]*)")
_MODULE_OUTPUT = re.compile(r"(?<![\w.])module\.([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)")


def _code(path: Path) -> str:
    """The file without its comment lines (comments may mention names freely)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith(("#", "//")))


def _module_directory(directory: str, source: str, root: Path) -> str | None:
    if not source.startswith("."):
        return None
    target = (root / directory / source).resolve()
    return target.relative_to(root.resolve()).as_posix()


def reference_errors(root: Path = TERRAFORM_ROOT) -> list[str]:
    tree = load_tree(root)
    found = []
    for directory, document in sorted(tree.items()):
        declared_vars = {name for name, _ in labelled(document.get("variable", []))}
        declared_locals = set(locals_of(tree, directory))
        declared_resources = {
            (rtype, name) for _, rtype, name, _ in resources({directory: document})
        }
        calls = {name: body for _, name, body in module_calls({directory: document})}
        for path in sorted((root / directory).glob("*.tf")):
            code = _code(path)
            where = path.relative_to(root).as_posix()
            for name in sorted(set(_VAR.findall(code)) - declared_vars):
                found.append(f"{where}: var.{name} is not declared")
            for name in sorted(set(_LOCAL.findall(code)) - declared_locals):
                found.append(f"{where}: local.{name} is not declared")
            for rtype, name in sorted(set(_RESOURCE_REFERENCE.findall(code))):
                if (rtype, name) not in declared_resources:
                    found.append(f"{where}: {rtype}.{name} is not declared")
            for module_name, output in sorted(set(_MODULE_OUTPUT.findall(code))):
                if module_name not in calls:
                    found.append(f"{where}: module.{module_name} is not declared")
                    continue
                target = _module_directory(directory, calls[module_name].get("source", ""), root)
                if target is not None and output not in outputs(tree, target):
                    found.append(f"{where}: module {module_name} has no output `{output}`")
        for name, body in calls.items():
            target = _module_directory(directory, body.get("source", ""), root)
            if target is None:
                continue
            if target not in tree:
                found.append(f"{directory}: module {name}: no module at {body.get('source')}")
                continue
            module_variables = dict(labelled(tree[target].get("variable", [])))
            passed = {key for key in body if key != "__is_block__"} - MODULE_META_ARGUMENTS
            for key in sorted(passed - set(module_variables)):
                found.append(f"{directory}: module {name}: {target} has no variable `{key}`")
            required = {key for key, spec in module_variables.items() if "default" not in spec}
            for key in sorted(required - passed):
                found.append(f"{directory}: module {name}: required variable `{key}` missing")
    return found
