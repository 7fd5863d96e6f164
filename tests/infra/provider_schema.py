"""Our Terraform tree checked against the providers' real schemas, offline.

`provider_schemas/<provider>-<tag>.json` are extracts of the providers' configuration schemas
at the versions we pin, produced by `infra/tools/extract_provider_schema.py` from each
provider's own Go source at that tag (the file names its repository, tag and commit). For each
resource type: `attributes` (name -> "required" / "optional" / "computed" /
"optional,computed"), `blocks` (name -> nested block with `nesting`, `min_items`, `max_items`,
`required`), and `objects` (computed-only lists of objects, read as `name[0].field`).

Checked here, as `terraform validate` would with the providers installed:
- every resource type exists in its provider;
- every argument exists and can be set (not computed-only), every block exists, an argument is
  not written as a block nor a block as an argument, no more blocks than `max_items`, and every
  required argument and block is present — at every depth, `dynamic` blocks included;
- every reference `<type>.<name>.<attribute>...` (and `for x in <type>.<name> : x.<attribute>`)
  names an attribute or block the resource exports, down nested blocks.
"""

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tests.infra.hcl_tree import BLOCK_MARKER, blocks, expression, resources, walk

SCHEMA_DIR = Path(__file__).resolve().parent / "provider_schemas"

# Meta-arguments and meta-blocks Terraform accepts on every resource (not in provider schemas).
META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider"})
META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})


@cache
def extracts() -> dict[str, dict]:
    """provider name (scaleway, kubernetes, random) -> its extract."""
    found = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        provider = path.name.split("-", 1)[0]
        found[provider] = json.loads(path.read_text(encoding="utf-8"))
    return found


@cache
def resource_schemas() -> dict[str, dict]:
    return {
        rtype: schema
        for extract in extracts().values()
        for rtype, schema in extract["resources"].items()
    }


# --- arguments and blocks ----------------------------------------------------------------------


def _dynamic_blocks(body: dict) -> Iterator[tuple[str, dict]]:
    for entry in body.get("dynamic", []):
        for label, dynamic in entry.items():
            if label == BLOCK_MARKER:
                continue
            contents = blocks(dynamic, "content")
            yield label, (contents[0] if contents else {})


def _check_body(where: str, body: dict, schema: dict, *, top: bool) -> list[str]:
    found = []
    attributes = schema.get("attributes", {})
    nested = schema.get("blocks", {})
    present_blocks: dict[str, int] = {}
    for key in body:
        if key == BLOCK_MARKER or (key == "dynamic" and "dynamic" not in nested):
            continue
        if blocks(body, key):
            present_blocks[key] = len(blocks(body, key))
            if key in nested:
                for inner in blocks(body, key):
                    found += _check_body(f"{where}.{key}", inner, nested[key], top=False)
            elif top and key in META_BLOCKS:
                continue
            elif key in attributes:
                found.append(f"{where}: `{key}` is an argument, not a block")
            else:
                found.append(f"{where}: unsupported block type `{key}`")
        elif key in attributes:
            if attributes[key] == "computed":
                found.append(f"{where}: `{key}` is computed by the provider: it cannot be set")
        elif top and key in META_ARGUMENTS:
            continue
        elif key in nested:
            found.append(f"{where}: `{key}` is a block, not an argument")
        else:
            found.append(f"{where}: unsupported argument `{key}`")
    for label, content in _dynamic_blocks(body):
        present_blocks[label] = present_blocks.get(label, 0) + 2  # any number
        if label in nested:
            found += _check_body(f"{where}.{label}", content, nested[label], top=False)
        else:
            found.append(f"{where}: unsupported block type `{label}` (dynamic)")
    for name, flags in sorted(attributes.items()):
        if flags == "required" and name not in body:
            found.append(f"{where}: missing required argument `{name}`")
    for name, block in sorted(nested.items()):
        count = present_blocks.get(name, 0)
        minimum = max(block.get("min_items", 0), 1 if block.get("required") else 0)
        if count < minimum:
            found.append(f"{where}: missing required block `{name}`")
        if "max_items" in block and name in body and count > block["max_items"]:
            found.append(f"{where}: at most {block['max_items']} `{name}` block(s)")
    return found


def schema_errors(tree: dict[str, dict]) -> list[str]:
    """Resource types, arguments and blocks of the tree that the providers do not have."""
    known = resource_schemas()
    found = []
    for directory, rtype, name, body in resources(tree):
        where = f"{directory}: {rtype}.{name}"
        if rtype not in known:
            found.append(f"{where}: resource type `{rtype}` is not in any provider extract")
            continue
        found += _check_body(where, body, known[rtype], top=True)
    for directory, rtype, name, _ in resources(tree, kind="data"):
        found.append(f"{directory}: data.{rtype}.{name}: data sources are not in the extracts")
    return found


# --- attribute references ------------------------------------------------------------------------

_STEP = r"(?:\[[^\[\]]*\]|\.\*|\.[A-Za-z_][A-Za-z0-9_]*)"
_REFERENCE = re.compile(
    rf"(?<![\w.])((?:scaleway|kubernetes|random)_[a-z0-9_]+)\.([a-z_][a-z0-9_-]*)({_STEP}*)"
)
_LOOP = re.compile(
    r"\bfor\s+(?:[a-z_][a-z0-9_]*\s*,\s*)?([a-z_][a-z0-9_]*)\s+in\s+"
    r"((?:scaleway|kubernetes|random)_[a-z0-9_]+)\.([a-z_][a-z0-9_-]*)\s*:(.*)",
    re.DOTALL,
)


def _steps(path: str) -> list[str]:
    return re.findall(_STEP, path)


def _walk_path(schema: dict, steps: list[str]) -> str | None:
    """None if `steps` (after the instance) is readable from `schema`, else the bad step."""
    current: dict | None = schema
    index = 0
    while index < len(steps) and current is not None:
        step = steps[index]
        if step.startswith("[") or step == ".*":
            index += 1  # an element of a nested list/set block, or a key of a map
            continue
        name = step[1:]
        if name in current.get("blocks", {}):
            current = current["blocks"][name]
        elif name in current.get("objects", {}):
            current = current["objects"][name]
        elif name in current.get("attributes", {}):
            current = None  # a plain value: maps, lists and strings are not checked further
        else:
            return name
        index += 1
    return None


def _instance_steps(steps: list[str], body: dict) -> list[str]:
    """The steps after the instance key of a resource with count/for_each."""
    if (
        ("count" in body or "for_each" in body)
        and steps
        and (steps[0].startswith("[") or steps[0] == ".*")
    ):
        return steps[1:]
    return steps


def reference_errors(tree: dict[str, dict]) -> list[str]:
    """References to attributes the referenced resource does not export."""
    known = resource_schemas()
    found = []
    for directory, document in sorted(tree.items()):
        declared = {
            (rtype, name): body for _, rtype, name, body in resources({directory: document})
        }
        seen = set()
        for _, value in walk(document):
            text = expression(value) if isinstance(value, str) else None
            if not text:
                continue
            references = [
                (match.group(1), match.group(2), _steps(match.group(3)), match.group(0))
                for match in _REFERENCE.finditer(text)
            ]
            loop = _LOOP.search(text)
            if loop:
                variable, rtype, name, rest = loop.groups()
                for match in re.finditer(rf"(?<![\w.]){variable}({_STEP}+)", rest):
                    references.append((rtype, name, ["[each]", *_steps(match.group(1))], ""))
            for rtype, name, steps, shown in references:
                body = declared.get((rtype, name))
                if rtype not in known or body is None:
                    continue  # unknown types and undeclared names are reported elsewhere
                bad = _walk_path(known[rtype], _instance_steps(steps, body))
                if bad is None:
                    continue
                reference = shown or f"{rtype}.{name}"
                message = f"{directory}: `{reference}`: {rtype} has no attribute `{bad}`"
                if message not in seen:
                    seen.add(message)
                    found.append(message)
    return found
