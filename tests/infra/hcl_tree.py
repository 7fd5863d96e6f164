"""Reading the Terraform tree offline with python-hcl2.

A *tree* is a dict: module directory (relative to infra/terraform) -> the merged hcl2 document
of its .tf files. Policies and checks take a tree, so that a test can hand them the real one,
a deep copy it has broken on purpose, or a tree parsed from a few lines of text.
"""

import copy
import re
from collections.abc import Iterator
from pathlib import Path

import hcl2
from hcl2.utils import SerializationOptions

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_ROOT = REPO_ROOT / "infra" / "terraform"

_OPTIONS = SerializationOptions(strip_string_quotes=True, with_comments=False)
BLOCK_MARKER = "__is_block__"


def parse_text(text: str) -> dict:
    return hcl2.loads(text, serialization_options=_OPTIONS)


def parse_file(path: Path) -> dict:
    return parse_text(path.read_text(encoding="utf-8"))


def tf_files(root: Path = TERRAFORM_ROOT) -> list[Path]:
    return sorted(path for path in root.rglob("*.tf") if ".terraform" not in path.parts)


def merge_documents(documents: list[dict]) -> dict:
    merged: dict[str, list] = {}
    for document in documents:
        for key, value in document.items():
            merged.setdefault(key, []).extend(value if isinstance(value, list) else [value])
    return merged


def load_tree(root: Path = TERRAFORM_ROOT) -> dict[str, dict]:
    by_directory: dict[str, list[dict]] = {}
    for path in tf_files(root):
        directory = path.parent.relative_to(root).as_posix()
        by_directory.setdefault(directory, []).append(parse_file(path))
    return {directory: merge_documents(docs) for directory, docs in by_directory.items()}


def tree_from_text(text: str, directory: str = "inline") -> dict[str, dict]:
    return {directory: merge_documents([parse_text(text)])}


def mutated(tree: dict[str, dict]) -> dict[str, dict]:
    """A deep copy, to break on purpose without touching the original."""
    return copy.deepcopy(tree)


# --- walking ---------------------------------------------------------------------------------


def is_block(value: object) -> bool:
    return isinstance(value, dict) and value.get(BLOCK_MARKER) is True


def blocks(body: dict, name: str) -> list[dict]:
    """The nested blocks `name { ... }` of a body (static ones, not `dynamic`)."""
    value = body.get(name)
    if isinstance(value, list) and value and all(is_block(item) for item in value):
        return value
    return []


def dynamic_labels(body: dict) -> list[str]:
    return [label for entry in body.get("dynamic", []) for label in entry if label != BLOCK_MARKER]


def attributes(body: dict) -> dict:
    """Attributes (`name = value`) of a body: everything that is neither a block nor a marker."""
    return {
        key: value
        for key, value in body.items()
        if key not in (BLOCK_MARKER, "dynamic") and not blocks(body, key)
    }


def labelled(entries: list[dict]) -> Iterator[tuple[str, dict]]:
    """(label, body) of blocks with one label: variable "x" {}, module "x" {}, output "x" {}."""
    for entry in entries:
        for label, body in entry.items():
            if label != BLOCK_MARKER:
                yield label, body


def resources(tree: dict[str, dict], resource_type: str | None = None, *, kind: str = "resource"):
    """(directory, type, name, body) of every resource (or data source, kind="data")."""
    for directory, document in sorted(tree.items()):
        for entry in document.get(kind, []):
            for rtype, named in entry.items():
                if rtype == BLOCK_MARKER or (resource_type and rtype != resource_type):
                    continue
                for name, body in named.items():
                    if name != BLOCK_MARKER:
                        yield directory, rtype, name, body


def variables(tree: dict[str, dict]) -> Iterator[tuple[str, str, dict]]:
    for directory, document in sorted(tree.items()):
        for name, body in labelled(document.get("variable", [])):
            yield directory, name, body


def module_calls(tree: dict[str, dict]) -> Iterator[tuple[str, str, dict]]:
    for directory, document in sorted(tree.items()):
        for name, body in labelled(document.get("module", [])):
            yield directory, name, body


def outputs(tree: dict[str, dict], directory: str) -> dict[str, dict]:
    return dict(labelled(tree.get(directory, {}).get("output", [])))


def locals_of(tree: dict[str, dict], directory: str) -> dict:
    merged: dict = {}
    for entry in tree.get(directory, {}).get("locals", []):
        merged.update({key: value for key, value in entry.items() if key != BLOCK_MARKER})
    return merged


def providers(tree: dict[str, dict]) -> Iterator[tuple[str, str, dict]]:
    for directory, document in sorted(tree.items()):
        for name, body in labelled(document.get("provider", [])):
            yield directory, name, body


def backends(tree: dict[str, dict]) -> Iterator[tuple[str, str, dict]]:
    for directory, document in sorted(tree.items()):
        for terraform_block in document.get("terraform", []):
            for backend in terraform_block.get("backend", []):
                for name, body in labelled([backend]):
                    yield directory, name, body


def walk(value: object) -> Iterator[tuple[str, object]]:
    """Every (key, value) pair below a body, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == BLOCK_MARKER:
                continue
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


# --- values ----------------------------------------------------------------------------------

_EXPRESSION = re.compile(r"^\$\{(.*)\}$", re.DOTALL)


def expression(value: object) -> str | None:
    """The expression inside `${...}`, or None for a literal."""
    if isinstance(value, str):
        match = _EXPRESSION.match(value)
        if match:
            return match.group(1).strip()
    return None


def is_literal(value: object) -> bool:
    return expression(value) is None


def string_list_in(text: str) -> list[str]:
    """The quoted strings of the first list literal in an expression: contains(["a", "b"], x)."""
    match = re.search(r"\[([^\]]*)\]", text)
    return re.findall(r'"([^"]*)"', match.group(1)) if match else []
