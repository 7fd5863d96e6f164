#!/usr/bin/env python3
"""Extract the configuration schema of the Terraform resources we use from a provider's own Go
source, at the tag we pin, into a small JSON file that tests/infra validates our tree against.

    python infra/tools/extract_provider_schema.py scaleway \\
        --git-dir /path/to/terraform-provider-scaleway.git --rev v2.81.0 \\
        --out tests/infra/provider_schemas/scaleway.json

It reads the source through `git show <rev>:<path>` (a bare clone is enough: nothing is checked
out, built or run), and writes only names and flags: for each resource type, its arguments and
computed attributes (required / optional / computed), its nested blocks (nesting, min/max
items) recursively, and the `timeouts` block when the resource declares timeouts. None of the
provider's code is copied.

What it understands of Go: enough of the expression syntax to evaluate schema declarations —
terraform-plugin-sdk/v2 `map[string]*schema.Schema{...}` literals, `&schema.Schema{...}`,
`Elem: &schema.Resource{...}`, `SchemaFunc`, helper functions and package-level variables in the
provider's own packages (called with or without arguments), local variables, `m["key"] = ...`,
`maps.Copy`, `for k, v := range other { m[k] = v }` and `delete`, `x.Field = ...` on a returned
schema; and terraform-plugin-framework `schema.Schema{Attributes: ..., Blocks: ...}` for
framework resources. Conditional additions (`if isUpdatable { m["x"] = ... }`) are all taken:
the extract may accept a little more than one code path, never less. A declaration it cannot
evaluate stops it with the location, rather than producing a partial schema silently.

The resource types extracted are the ones our Terraform tree declares (`--types` to override).
SDKv2's rules decide what is a block and what is an attribute (helper/schema/core_schema.go):
a list or set of `*schema.Resource` is a block unless it is computed-only or uses
`ConfigMode: schema.SchemaConfigModeAttr`; every resource also has a computed `id`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_ROOT = REPO_ROOT / "infra" / "terraform"

PROVIDERS = {
    "scaleway": {
        "source": "registry.terraform.io/scaleway/scaleway",
        "repository": "github.com/scaleway/terraform-provider-scaleway",
        "provider_files": ["provider/sdkv2.go", "provider/framework.go"],
    },
    "kubernetes": {
        "source": "registry.terraform.io/hashicorp/kubernetes",
        "repository": "github.com/hashicorp/terraform-provider-kubernetes",
        "provider_files": ["kubernetes/provider.go"],
    },
    "random": {
        "source": "registry.terraform.io/hashicorp/random",
        "repository": "github.com/hashicorp/terraform-provider-random",
        "provider_files": [],
    },
}


class Unresolved(Exception):
    pass


Edit = tuple[str, "Scope"]


# --- reading the source -------------------------------------------------------------------------


class GitTree:
    def __init__(self, git_dir: Path, rev: str) -> None:
        self.git_dir = git_dir
        self.rev = rev
        self.commit = self._git("rev-parse", f"{rev}^{{commit}}").strip()
        names = self._git("ls-tree", "-r", "--name-only", self.commit).splitlines()
        self.go_files = [
            name for name in names if name.endswith(".go") and not name.endswith("_test.go")
        ]
        self._cache: dict[str, str] = {}

    def _git(self, *args: str) -> str:
        return subprocess.run(
            ["git", f"--git-dir={self.git_dir}", *args],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def read(self, path: str) -> str:
        if path not in self._cache:
            self._cache[path] = self._git("show", f"{self.commit}:{path}")
        return self._cache[path]

    def module_path(self) -> str:
        match = re.search(r"^module\s+(\S+)", self.read_any("go.mod"), re.MULTILINE)
        return match.group(1) if match else ""

    def read_any(self, path: str) -> str:
        try:
            return self.read(path)
        except subprocess.CalledProcessError:
            return ""


# --- tokens -------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r]+)|(?P<nl>\n)|(?P<lc>//[^\n]*)|(?P<bc>/\*.*?\*/)
    |(?P<raw>`[^`]*`)|(?P<str>"(?:\\.|[^"\\\n])*")|(?P<rune>'(?:\\.|[^'\\\n])+')
    |(?P<num>\d[\w.]*)|(?P<id>[A-Za-z_]\w*)
    |(?P<op>:=|\.\.\.|&&|\|\||==|!=|<=|>=|<-|\+\+|--|\+=|-=|[-+*/%&|^<>=!:;,.(){}\[\]~])""",
    re.DOTALL | re.VERBOSE,
)


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str
    nl: bool  # a newline (or comment line) precedes it
    line: int


def tokenize(text: str) -> list[Tok]:
    tokens: list[Tok] = []
    newline = True
    line = 1
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise Unresolved(f"cannot tokenize at line {line}: {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        value = match.group()
        position = match.end()
        if kind in ("ws", "lc"):
            continue
        if kind in ("nl", "bc"):
            line += value.count("\n")
            newline = newline or "\n" in value
            continue
        tokens.append(Tok(kind, value, newline, line))
        line += value.count("\n")
        newline = False
    return tokens


_OPEN = {"(": ")", "[": "]", "{": "}"}


def matching(tokens: list[Tok], start: int) -> int:
    """Index of the bracket closing tokens[start]."""
    depth = 0
    for index in range(start, len(tokens)):
        text = tokens[index].text
        if tokens[index].kind != "op":
            continue
        if text in _OPEN:
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return index
    raise Unresolved(f"unbalanced bracket at line {tokens[start].line}")


def opening(tokens: list[Tok]) -> int | None:
    """Index of the bracket that the last of tokens closes (None when unbalanced)."""
    depth = 0
    for position in range(len(tokens) - 1, -1, -1):
        text = tokens[position].text
        if text in (")", "]", "}"):
            depth += 1
        elif text in _OPEN:
            depth -= 1
            if depth == 0:
                return position
    return None


def split_top(tokens: list[Tok], separator: str) -> list[list[Tok]]:
    parts: list[list[Tok]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == "op" and token.text in _OPEN:
            depth += 1
        elif token.kind == "op" and token.text in (")", "]", "}"):
            depth -= 1
        if depth == 0 and token.kind == "op" and token.text == separator:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def texts(tokens: list[Tok]) -> list[str]:
    return [token.text for token in tokens]


def unquote(token: Tok) -> str:
    if token.kind == "raw":
        return token.text[1:-1]
    return json.loads(token.text)


_BINARY = {"&&", "||", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "|", "&", "^"}


def expression_end(tokens: list[Tok], start: int) -> int:
    """End (exclusive) of the expression starting at `start` inside a statement list."""
    index = start
    while index < len(tokens):
        token = tokens[index]
        if index > start and token.nl:
            previous = tokens[index - 1]
            continues = previous.kind == "op" and (
                previous.text in _BINARY or previous.text in "(,[{."
            )
            if not continues and not (token.kind == "op" and token.text == "."):
                return index
        if token.kind == "op" and token.text in _OPEN:
            index = matching(tokens, index) + 1
            continue
        if token.kind == "op" and token.text in (";", ")", "]", "}", ","):
            return index
        index += 1
    return index


# --- a Go package index ---------------------------------------------------------------------


@dataclass
class Function:
    name: str
    package: str
    path: str
    params: list[str]
    body: list[Tok]


@dataclass
class FileInfo:
    path: str
    package: str
    imports: dict[str, str]
    tokens: list[Tok]


@dataclass
class Scope:
    """What a function body says about its local variables."""

    file: FileInfo
    values: dict[str, list[Tok]] = field(default_factory=dict)
    map_sets: dict[str, list[tuple[str, list[Tok]]]] = field(default_factory=dict)
    map_merges: dict[str, list[list[Tok]]] = field(default_factory=dict)
    map_deletes: dict[str, set[str]] = field(default_factory=dict)
    field_sets: dict[str, list[tuple[str, list[Tok]]]] = field(default_factory=dict)
    returns: list[list[Tok]] = field(default_factory=list)
    assigned_from: dict[str, list[list[Tok]]] = field(default_factory=dict)


class GoIndex:
    def __init__(self, tree: GitTree) -> None:
        self.tree = tree
        self.module = tree.module_path()
        self.files: dict[str, FileInfo] = {}
        self.functions: dict[tuple[str, str], list[Function]] = {}
        self.variables: dict[tuple[str, str], tuple[FileInfo, list[Tok]]] = {}
        self._indexed_packages: set[str] = set()

    def package_files(self, package: str) -> list[str]:
        prefix = f"{package}/" if package else ""
        return [
            path
            for path in self.tree.go_files
            if path.startswith(prefix) and "/" not in path[len(prefix) :]
        ]

    def file(self, path: str) -> FileInfo:
        if path not in self.files:
            tokens = tokenize(self.tree.read(path))
            package = str(Path(path).parent) if "/" in path else ""
            self.files[path] = FileInfo(path, package, self._imports(tokens), tokens)
        return self.files[path]

    def _imports(self, tokens: list[Tok]) -> dict[str, str]:
        imports: dict[str, str] = {}
        index = 0
        while index < len(tokens):
            if tokens[index].text == "import" and tokens[index].kind == "id":
                if tokens[index + 1].text == "(":
                    end = matching(tokens, index + 1)
                    entries = tokens[index + 2 : end]
                    index = end
                else:
                    entries = tokens[index + 1 : index + 3]
                    index += 1
                alias = None
                for token in entries:
                    if token.kind in ("id", "op") and token.text not in (";",):
                        alias = token.text
                    elif token.kind in ("str", "raw"):
                        path = unquote(token)
                        name = alias if alias not in (None, ".") else path.rsplit("/", 1)[-1]
                        if re.fullmatch(r"v\d+", name) and alias is None:
                            name = path.rsplit("/", 2)[-2]
                        imports[name] = path
                        alias = None
            index += 1
        return imports

    def index_package(self, package: str) -> None:
        if package in self._indexed_packages:
            return
        self._indexed_packages.add(package)
        for path in self.package_files(package):
            info = self.file(path)
            tokens = info.tokens
            index = 0
            depth = 0
            while index < len(tokens):
                token = tokens[index]
                if token.kind == "op" and token.text in _OPEN:
                    depth += 1
                elif token.kind == "op" and token.text in (")", "]", "}"):
                    depth -= 1
                elif depth == 0 and token.kind == "id" and token.text == "func":
                    index = self._function_at(info, index)
                    continue
                elif depth == 0 and token.kind == "id" and token.text == "var":
                    index = self._variables_at(info, index)
                    continue
                index += 1

    def _function_at(self, info: FileInfo, index: int) -> int:
        tokens = info.tokens
        cursor = index + 1
        if tokens[cursor].text == "(":  # method receiver
            cursor = matching(tokens, cursor) + 1
        name = tokens[cursor].text
        cursor += 1
        if tokens[cursor].text == "[":  # type parameters
            cursor = matching(tokens, cursor) + 1
        params_end = matching(tokens, cursor)
        params = [
            part[0].text
            for part in split_top(tokens[cursor + 1 : params_end], ",")
            if part and part[0].kind == "id"
        ]
        cursor = params_end + 1
        while cursor < len(tokens) and tokens[cursor].text != "{":
            if tokens[cursor].text in _OPEN:
                cursor = matching(tokens, cursor)
            cursor += 1
        if cursor >= len(tokens):
            return cursor
        end = matching(tokens, cursor)
        function = Function(name, info.package, info.path, params, tokens[cursor + 1 : end])
        self.functions.setdefault((info.package, name), []).append(function)
        return end + 1

    def _variables_at(self, info: FileInfo, index: int) -> int:
        tokens = info.tokens
        if tokens[index + 1].text == "(":
            end = matching(tokens, index + 1)
            body = tokens[index + 2 : end]
            cursor = 0
            while cursor < len(body):
                if body[cursor].kind == "id" and (cursor == 0 or body[cursor].nl):
                    stop = cursor + 1
                    while stop < len(body) and body[stop].text != "=" and not body[stop].nl:
                        stop += 1
                    if stop < len(body) and body[stop].text == "=":
                        value_end = expression_end(body, stop + 1)
                        self.variables[(info.package, body[cursor].text)] = (
                            info,
                            body[stop + 1 : value_end],
                        )
                        cursor = value_end
                        continue
                cursor += 1
            return end + 1
        name = tokens[index + 1].text
        cursor = index + 2
        while cursor < len(tokens) and tokens[cursor].text != "=" and not tokens[cursor].nl:
            cursor += 1
        if cursor < len(tokens) and tokens[cursor].text == "=":
            value_end = expression_end(tokens, cursor + 1)
            self.variables[(info.package, name)] = (info, tokens[cursor + 1 : value_end])
            return value_end
        return cursor

    def package_of(self, info: FileInfo, alias: str) -> str | None:
        path = info.imports.get(alias)
        if path is None or not self.module or not path.startswith(self.module):
            return None
        return path[len(self.module) :].lstrip("/")

    def indexed_package(self, info: FileInfo, name: list[str]) -> str | None:
        """The package `name` (`f` or `pkg.f`, seen from `info`) is declared in, indexed."""
        package = info.package if len(name) == 1 else self.package_of(info, name[0])
        if package is not None:
            self.index_package(package)
        return package

    def lookup_function(self, info: FileInfo, name: list[str]) -> Function | None:
        package = self.indexed_package(info, name)
        found = self.functions.get((package, name[-1])) if package is not None else None
        return found[0] if found else None

    def lookup_variable(self, info: FileInfo, name: list[str]) -> tuple[FileInfo, list[Tok]] | None:
        package = self.indexed_package(info, name)
        return self.variables.get((package, name[-1])) if package is not None else None


# --- scopes -------------------------------------------------------------------------------------


def scope_of(index: GoIndex, function: Function, file: FileInfo | None = None) -> Scope:
    scope = Scope(file or index.file(function.path))
    read_statements(function.body, scope)
    return scope


def read_statements(body: list[Tok], scope: Scope) -> None:
    index = 0
    while index < len(body):
        token = body[index]
        starts = index == 0 or token.nl or body[index - 1].text in ("{", ";", "}")
        if not starts:
            index += 1
            continue
        words = texts(body[index : index + 6])
        # return EXPR
        if token.text == "return":
            end = expression_end(body, index + 1)
            if end > index + 1:
                scope.returns.append(body[index + 1 : end])
            index = end
            continue
        # var NAME [TYPE] = EXPR
        if token.text == "var" and body[index + 1].kind == "id":
            cursor = index + 2
            while cursor < len(body) and body[cursor].text != "=" and not body[cursor].nl:
                cursor += 1
            if cursor < len(body) and body[cursor].text == "=":
                end = expression_end(body, cursor + 1)
                scope.values.setdefault(body[index + 1].text, body[cursor + 1 : end])
                scope.assigned_from.setdefault(body[index + 1].text, []).append(
                    body[cursor + 1 : end]
                )
                index = end
                continue
        # NAME := EXPR / NAME = EXPR
        if token.kind == "id" and len(words) > 1 and words[1] in (":=", "="):
            end = expression_end(body, index + 2)
            scope.values.setdefault(token.text, body[index + 2 : end])
            scope.assigned_from.setdefault(token.text, []).append(body[index + 2 : end])
            index = end
            continue
        # NAME["key"] = EXPR
        if (
            token.kind == "id"
            and len(words) > 4
            and words[1] == "["
            and body[index + 2].kind in ("str", "raw")
            and words[3] == "]"
            and words[4] == "="
        ):
            end = expression_end(body, index + 5)
            scope.map_sets.setdefault(token.text, []).append(
                (unquote(body[index + 2]), body[index + 5 : end])
            )
            index = end
            continue
        # NAME.Field = EXPR
        if token.kind == "id" and len(words) > 3 and words[1] == "." and words[3] == "=":
            end = expression_end(body, index + 4)
            scope.field_sets.setdefault(token.text, []).append((words[2], body[index + 4 : end]))
            index = end
            continue
        # maps.Copy(NAME, EXPR)
        if words[:3] == ["maps", ".", "Copy"] and words[3] == "(":
            close = matching(body, index + 3)
            arguments = split_top(body[index + 4 : close], ",")
            if len(arguments) == 2 and len(arguments[0]) == 1:
                scope.map_merges.setdefault(arguments[0][0].text, []).append(arguments[1])
            index = close + 1
            continue
        # delete(NAME, "key")
        if words[:2] == ["delete", "("]:
            close = matching(body, index + 1)
            arguments = split_top(body[index + 2 : close], ",")
            if len(arguments) == 2 and arguments[1][0].kind == "str":
                scope.map_deletes.setdefault(arguments[0][0].text, set()).add(
                    unquote(arguments[1][0])
                )
            index = close + 1
            continue
        # for K, V := range EXPR { NAME[K] = V }
        if token.text == "for" and "range" in words:
            range_at = index + words.index("range")
            brace = range_at + 1
            while body[brace].text != "{":
                if body[brace].text in ("(", "["):
                    brace = matching(body, brace)
                brace += 1
            loop_body = body[brace + 1 : matching(body, brace)]
            header = texts(body[index + 1 : range_at])
            if len(header) >= 4 and header[1] == ",":
                key, value = header[0], header[2]
                for position in range(len(loop_body) - 5):
                    window = texts(loop_body[position : position + 6])
                    if window[1:] == ["[", key, "]", "=", value]:
                        scope.map_merges.setdefault(window[0], []).append(
                            body[range_at + 1 : brace]
                        )
        index += 1


# --- evaluation ---------------------------------------------------------------------------------


@dataclass
class Node:
    """One terraform-plugin-sdk/v2 schema.Schema, reduced to what validation needs."""

    type: str | None = None
    # True / False, or PARAMETER when the source sets it from a variable (`Computed: isComputed`)
    required: bool | str = False
    optional: bool | str = False
    computed: bool | str = False
    config_mode: str | None = None
    min_items: int | None = None
    max_items: int | None = None
    elem_resource: dict[str, Node] | None = None
    deprecated: bool = False


PARAMETER = "parameter"

_SDK_TYPES = {
    "TypeString": "string",
    "TypeInt": "number",
    "TypeFloat": "number",
    "TypeBool": "bool",
    "TypeList": "list",
    "TypeSet": "set",
    "TypeMap": "map",
}


class Evaluator:
    def __init__(self, index: GoIndex) -> None:
        self.index = index
        self.depth = 0

    # helpers ---------------------------------------------------------------------------------

    def where(self, scope: Scope, tokens: list[Tok]) -> str:
        line = tokens[0].line if tokens else "?"
        return f"{scope.file.path}:{line}: {' '.join(texts(tokens))[:120]}"

    def strip(self, tokens: list[Tok]) -> list[Tok]:
        while tokens and tokens[0].text in ("&", "*"):
            tokens = tokens[1:]
        while tokens and tokens[0].text == "(" and matching(tokens, 0) == len(tokens) - 1:
            tokens = tokens[1:-1]
        return tokens

    def composite(self, tokens: list[Tok]) -> tuple[list[str], list[Tok]] | None:
        """(type words, element tokens) of `Type{...}` / `{...}` spanning all of tokens."""
        if not tokens or tokens[-1].text != "}":
            return None
        position = opening(tokens)
        if position is None or tokens[position].text != "{":
            return None
        type_words = texts(tokens[:position])
        if any(word in ("(", "func") for word in type_words):
            return None
        return type_words, tokens[position + 1 : -1]

    def fields(self, elements: list[Tok]) -> dict[str, list[Tok]]:
        found = {}
        for part in split_top(elements, ","):
            pieces = split_top(part, ":")
            if len(pieces) >= 2 and len(pieces[0]) == 1:
                key = pieces[0][0]
                value = part[len(pieces[0]) + 1 :]
                name = unquote(key) if key.kind in ("str", "raw") else key.text
                found[name] = value
        return found

    def call(self, tokens: list[Tok]) -> tuple[list[str], list[list[Tok]]] | None:
        """(qualified name, arguments) of `a.b(args)` spanning all of tokens."""
        if len(tokens) < 3 or tokens[-1].text != ")":
            return None
        open_at = opening(tokens)
        if open_at is None:
            return None
        name = texts(tokens[:open_at])
        if not name or any(
            word != "." and not re.fullmatch(r"[A-Za-z_]\w*", word) for word in name
        ):
            return None
        return [word for word in name if word != "."], split_top(tokens[open_at + 1 : -1], ",")

    def func_literal(self, tokens: list[Tok]) -> list[Tok] | None:
        """Body of `func() T { ... }()` spanning all of tokens."""
        if not tokens or tokens[0].text != "func" or tokens[-1].text != ")":
            return None
        cursor = matching(tokens, 1) + 1
        while cursor < len(tokens) and tokens[cursor].text != "{":
            if tokens[cursor].text in ("(", "["):
                cursor = matching(tokens, cursor)
            cursor += 1
        end = matching(tokens, cursor)
        return tokens[cursor + 1 : end]

    def composite_at(
        self, tokens: list[Tok], scope: Scope, what: str
    ) -> tuple[tuple[list[str], list[Tok]], Scope, list[Edit]]:
        """`resolve`, for a value that must be a composite literal (else Unresolved: `what`)."""
        expression, where, edits = self.resolve(tokens, scope)
        literal = self.composite(expression)
        if literal is None:
            raise Unresolved(f"{what}: {self.where(where, expression)}")
        return literal, where, edits

    def resolve(self, tokens: list[Tok], scope: Scope) -> tuple[list[Tok], Scope, list[Edit]]:
        """Follow calls, function values, local and package variables to a value expression.
        Returns (expression, its scope, the local variables whose later edits — m["k"] = ...,
        s.Optional = ... — apply to it, each with the scope it lives in, innermost first)."""
        self.depth += 1
        if self.depth > 60:
            raise Unresolved(f"recursion too deep at {self.where(scope, tokens)}")
        try:
            tokens = self.strip(tokens)
            body = self.func_literal(tokens)
            if body is not None:
                inner = Scope(scope.file)
                read_statements(body, inner)
                return self.returned(inner, tokens)
            call = self.call(tokens)
            if call is not None:
                qualified, _arguments = call
                function = self.index.lookup_function(scope.file, qualified)
                if function is None:
                    return tokens, scope, []
                return self.returned(scope_of(self.index, function), tokens)
            words = texts(tokens)
            if len(tokens) == 1 and tokens[0].kind == "id":
                name = tokens[0].text
                if name in scope.values:
                    value, value_scope, edits = self.resolve(scope.values[name], scope)
                    return value, value_scope, [*edits, (name, scope)]
                function = self.index.lookup_function(scope.file, [name])
                if function is not None:  # a function value (SchemaFunc: f)
                    return self.returned(scope_of(self.index, function), tokens)
                variable = self.index.lookup_variable(scope.file, [name])
                if variable is not None:
                    return self.resolve(variable[1], Scope(variable[0]))
            if len(words) == 3 and words[1] == "." and tokens[0].kind == "id":
                function = self.index.lookup_function(scope.file, [words[0], words[2]])
                if function is not None:
                    return self.returned(scope_of(self.index, function), tokens)
                variable = self.index.lookup_variable(scope.file, [words[0], words[2]])
                if variable is not None:
                    return self.resolve(variable[1], Scope(variable[0]))
            return tokens, scope, []
        finally:
            self.depth -= 1

    def returned(self, inner: Scope, tokens: list[Tok]) -> tuple[list[Tok], Scope, list[Edit]]:
        if not inner.returns:
            raise Unresolved(f"no return value in {self.where(inner, tokens)}")
        return self.resolve(inner.returns[-1], inner)

    # SDKv2 -------------------------------------------------------------------------------------

    def schema_map(self, tokens: list[Tok], scope: Scope) -> dict[str, Node]:
        literal, where, edits = self.composite_at(tokens, scope, "not a schema map")
        result: dict[str, Node] = {}
        for key, value in self.fields(literal[1]).items():
            result[key] = self.schema(value, where)
        for local, local_scope in edits:
            self.apply_map_edits(result, local, local_scope)
        return result

    def apply_map_edits(self, result: dict[str, Node], local: str, scope: Scope) -> None:
        for merged in scope.map_merges.get(local, []):
            result.update(self.schema_map(merged, scope))
        for key, value in scope.map_sets.get(local, []):
            result[key] = self.schema(value, scope)
        for key in scope.map_deletes.get(local, set()):
            result.pop(key, None)

    def schema(self, tokens: list[Tok], scope: Scope) -> Node:
        expression, where, edits = self.resolve(tokens, scope)
        literal = self.composite(expression)
        if literal is None or (literal[0] and literal[0][-1] != "Schema"):
            raise Unresolved(f"not a schema: {self.where(where, expression)}")
        node = Node()
        self.apply_fields(node, self.fields(literal[1]), where)
        for local, local_scope in edits:
            for name, value in local_scope.field_sets.get(local, []):
                self.apply_fields(node, {name: value}, local_scope)
        return node

    def apply_fields(self, node: Node, fields: dict[str, list[Tok]], scope: Scope) -> None:
        for name, value in fields.items():
            words = texts(value)
            flag = (
                {"true": True, "false": False}.get(words[0], PARAMETER)
                if len(words) == 1
                else PARAMETER
            )
            if name == "Type" and words[-1] in _SDK_TYPES:
                node.type = _SDK_TYPES[words[-1]]
            elif name == "Required":
                node.required = flag
            elif name == "Optional":
                node.optional = flag
            elif name == "Computed":
                node.computed = flag
            elif name == "Deprecated":
                node.deprecated = True
            elif name == "ConfigMode":
                node.config_mode = words[-1]
            elif name in ("MaxItems", "MinItems") and len(words) == 1 and words[0].isdigit():
                setattr(node, "max_items" if name == "MaxItems" else "min_items", int(words[0]))
            elif name == "Elem":
                node.elem_resource = self.elem(value, scope)

    def elem(self, tokens: list[Tok], scope: Scope) -> dict[str, Node] | None:
        literal, where, _ = self.composite_at(tokens, scope, "not an Elem")
        if literal[0] and literal[0][-1] == "Resource":
            return self.resource_schema(literal[1], where)
        return None  # an element *schema.Schema: a list/set/map of primitives

    def resource_schema(self, elements: list[Tok], scope: Scope) -> dict[str, Node]:
        fields = self.fields(elements)
        if "Schema" in fields:
            return self.schema_map(fields["Schema"], scope)
        if "SchemaFunc" in fields:
            return self.schema_map(fields["SchemaFunc"], scope)
        return {}

    def resource(self, tokens: list[Tok], scope: Scope) -> dict:
        expression, where, _ = self.resolve(tokens, scope)
        literal = self.composite(expression)
        if literal is None or literal[0][-1:] != ["Resource"]:
            raise Unresolved(f"not a resource: {self.where(where, expression)}")
        fields = self.fields(literal[1])
        block = core_block(self.resource_schema(literal[1], where))
        block["attributes"].setdefault("id", "computed")
        if "Timeouts" in fields:
            timeouts_literal = self.composite(self.strip(fields["Timeouts"]))
            if timeouts_literal is None:
                raise Unresolved(f"timeouts: {self.where(where, fields['Timeouts'])}")
            names = sorted(key.lower() for key in self.fields(timeouts_literal[1]))
            block["blocks"]["timeouts"] = {
                "nesting": "single",
                "attributes": {name: "optional" for name in names},
                "blocks": {},
            }
        return block

    # terraform-plugin-framework ------------------------------------------------------------------

    def framework_schema(self, tokens: list[Tok], scope: Scope) -> dict:
        literal, where, _ = self.composite_at(tokens, scope, "not a framework schema")
        return self.framework_object(self.fields(literal[1]), where)

    def framework_object(self, fields: dict[str, list[Tok]], scope: Scope) -> dict:
        block: dict = {"attributes": {}, "blocks": {}}
        if "Attributes" in fields:
            expression, where, _ = self.resolve(fields["Attributes"], scope)
            literal = self.composite(expression)
            for name, value in self.fields(literal[1] if literal else []).items():
                block["attributes"][name] = self.framework_attribute(value, where)
        if "Blocks" in fields:
            expression, where, _ = self.resolve(fields["Blocks"], scope)
            literal = self.composite(expression)
            for name, value in self.fields(literal[1] if literal else []).items():
                inner_expression, inner_where, _ = self.resolve(value, where)
                inner = self.composite(inner_expression)
                if inner is None:
                    raise Unresolved(f"framework block: {self.where(inner_where, value)}")
                kind = inner[0][-1]
                inner_fields = self.fields(inner[1])
                nested = inner_fields.get("NestedObject")
                nested_literal = self.composite(self.strip(nested)) if nested else None
                body = self.framework_object(
                    self.fields(nested_literal[1]) if nested_literal else inner_fields, inner_where
                )
                body["nesting"] = {
                    "ListNestedBlock": "list",
                    "SetNestedBlock": "set",
                    "SingleNestedBlock": "single",
                }.get(kind, "list")
                block["blocks"][name] = body
        return block

    def framework_attribute(self, tokens: list[Tok], scope: Scope) -> str:
        literal, _, _ = self.composite_at(tokens, scope, "framework attribute")
        fields = self.fields(literal[1])
        on = {
            name: texts(fields.get(name, [])) == ["true"]
            for name in ("Required", "Optional", "Computed")
        }
        return flags(on["Required"], on["Optional"], on["Computed"])


def flags(required: bool, optional: bool, computed: bool) -> str:
    """ "required", "optional", "computed" or "optional,computed"."""
    if required:
        return "required"
    return ",".join(name for name, on in (("optional", optional), ("computed", computed)) if on)


def core_block(schema: dict[str, Node]) -> dict:
    """SDKv2's mapping of a schema map to Terraform's configuration schema: `attributes` maps a
    name to its flags, `blocks` a name to a nested block, `objects` a computed-only list of
    objects (an attribute, readable as name[0].field) to its fields."""
    block: dict = {"attributes": {}, "blocks": {}}
    for name, node in sorted(schema.items()):
        is_block = (
            node.elem_resource is not None
            and node.type in ("list", "set")
            and node.config_mode != "SchemaConfigModeAttr"
            and not (node.computed is True and node.optional is not True)
        ) or node.config_mode == "SchemaConfigModeBlock"
        if is_block:
            nested = core_block(node.elem_resource or {})
            nested["nesting"] = node.type
            if node.min_items:
                nested["min_items"] = node.min_items
            if node.max_items:
                nested["max_items"] = node.max_items
            if node.required is True:
                nested["required"] = True
            block["blocks"][name] = nested
            continue
        # A flag set from a parameter (`Computed: isComputed`) may be true on some path: the
        # extract keeps the permissive reading (settable, and maybe computed).
        block["attributes"][name] = flags(
            node.required is True,
            node.optional in (True, PARAMETER) or node.required == PARAMETER,
            node.computed in (True, PARAMETER),
        )
        if node.elem_resource is not None:
            block.setdefault("objects", {})[name] = core_block(node.elem_resource)
    return block


# --- the provider's resource table -----------------------------------------------------------


def sdk_resource_functions(index: GoIndex, provider_file: str) -> dict[str, list[str]]:
    """type name -> qualified constructor, from the provider's `ResourcesMap`."""
    text = index.tree.read_any(provider_file)
    start = text.find("ResourcesMap:")
    end = text.find("DataSourcesMap:", start)
    section = text[start:end] if start >= 0 else ""
    found: dict[str, list[str]] = {}
    for match in re.finditer(
        r'"([a-z0-9_]+)"\s*:\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\(\)', section
    ):
        found.setdefault(match.group(1), match.group(2).split("."))
    return found


def framework_resources(index: GoIndex, prefix: str) -> dict[str, tuple[str, list[Tok]]]:
    """type name -> (file, schema expression) of framework resources: a `Metadata` method that
    sets `resp.TypeName = req.ProviderTypeName + "_x"` and a `Schema` method setting
    `resp.Schema = ...` in the same file."""
    found = {}
    for path in index.tree.go_files:
        text = index.tree.read(path)
        if "ProviderTypeName" not in text or "resp.Schema" not in text:
            continue
        if "resource.SchemaResponse" not in text:
            continue
        type_match = re.search(r'TypeName\s*=\s*req\.ProviderTypeName\s*\+\s*"(_[a-z0-9_]+)"', text)
        if not type_match:
            continue
        info = index.file(path)
        tokens = info.tokens
        for position in range(len(tokens) - 3):
            if texts(tokens[position : position + 4]) == ["resp", ".", "Schema", "="]:
                end = expression_end(tokens, position + 4)
                found[prefix + type_match.group(1)] = (path, tokens[position + 4 : end])
                break
    return found


def types_in_tree(provider: str) -> list[str]:
    found = set()
    for path in TERRAFORM_ROOT.rglob("*.tf"):
        for match in re.finditer(
            r'^resource\s+"([a-z0-9_]+)"', path.read_text(encoding="utf-8"), re.MULTILINE
        ):
            if match.group(1).split("_", 1)[0] == provider:
                found.add(match.group(1))
    return sorted(found)


def extract(provider: str, git_dir: Path, rev: str, resource_types: list[str]) -> dict:
    tree = GitTree(git_dir, rev)
    index = GoIndex(tree)
    evaluator = Evaluator(index)
    sdk: dict[str, list[str]] = {}
    for provider_file in PROVIDERS[provider]["provider_files"]:
        sdk.update(sdk_resource_functions(index, provider_file))
    framework = framework_resources(index, provider)
    resources = {}
    for resource_type in resource_types:
        if resource_type in sdk:
            name = sdk[resource_type]
            provider_path = next(
                path
                for path in PROVIDERS[provider]["provider_files"]
                if resource_type in tree.read_any(path)
            )
            scope = Scope(index.file(provider_path))
            function = index.lookup_function(scope.file, name)
            if function is None:
                raise Unresolved(f"{resource_type}: no function {'.'.join(name)}")
            inner = scope_of(index, function)
            resources[resource_type] = evaluator.resource(inner.returns[-1], inner)
        elif resource_type in framework:
            path, expression = framework[resource_type]
            block = evaluator.framework_schema(expression, Scope(index.file(path)))
            block["attributes"].setdefault("id", "computed")
            resources[resource_type] = block
        else:
            raise Unresolved(f"{resource_type}: not a resource of this provider at {rev}")
    return {
        "provider": PROVIDERS[provider]["source"],
        "repository": PROVIDERS[provider]["repository"],
        "tag": rev,
        "commit": tree.commit,
        "generated_by": "infra/tools/extract_provider_schema.py",
        "resources": resources,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("provider", choices=sorted(PROVIDERS))
    parser.add_argument("--git-dir", type=Path, required=True, help="the provider's git dir")
    parser.add_argument("--rev", required=True, help="the tag we pin, e.g. v2.81.0")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--types", nargs="*", help="resource types (default: those of our tree)")
    arguments = parser.parse_args(argv)
    resource_types = arguments.types or types_in_tree(arguments.provider)
    try:
        document = extract(arguments.provider, arguments.git_dir, arguments.rev, resource_types)
    except Unresolved as error:
        print(f"extract_provider_schema: {error}", file=sys.stderr)
        return 1
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"{arguments.out}: {len(document['resources'])} resource types at {arguments.rev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
