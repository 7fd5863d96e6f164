"""A small Dockerfile reader: instructions with their continuation lines joined, split into
build stages, with `ARG` defaults substituted in `FROM` lines. Enough to check the Dockerfile
offline (there is no Docker engine on the development machines)."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from tests.infra.hcl_tree import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int

    def exec_form(self) -> list[str] | None:
        """The JSON array of CMD/ENTRYPOINT/HEALTHCHECK CMD, or None for the shell form."""
        text = self.arguments
        if self.keyword == "HEALTHCHECK":
            text = text.split("CMD", 1)[1] if "CMD" in text else ""
        text = text.strip()
        if text.startswith("["):
            return json.loads(text)
        return None


@dataclass(frozen=True)
class Stage:
    base: str
    name: str | None
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [item for item in self.instructions if item.keyword == keyword]


def parse_dockerfile(text: str) -> list[Instruction]:
    instructions = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue  # blank line, comment or parser directive
        if buffer and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped by Docker
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer.append(stripped[:-1].strip())
            continue
        buffer.append(stripped)
        keyword, _, arguments = " ".join(part for part in buffer if part).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
        buffer = []
    if buffer:
        raise ValueError(f"instruction starting line {start} ends with a continuation")
    return instructions


def _substitute(text: str, arguments: dict[str, str]) -> str:
    return re.sub(
        r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?",
        lambda match: arguments.get(match.group(1), match.group(0)),
        text,
    )


def stages(instructions: list[Instruction]) -> list[Stage]:
    global_args: dict[str, str] = {}
    result: list[Stage] = []
    current: list[Instruction] | None = None
    base, name = "", None
    for instruction in instructions:
        if instruction.keyword == "FROM":
            if current is not None:
                result.append(Stage(base, name, tuple(current)))
            words = [word for word in instruction.arguments.split() if not word.startswith("--")]
            base = _substitute(words[0], global_args)
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            current = []
        elif current is None:
            if instruction.keyword == "ARG":
                key, _, default = instruction.arguments.partition("=")
                global_args[key.strip()] = default.strip()
        else:
            current.append(instruction)
    if current is not None:
        result.append(Stage(base, name, tuple(current)))
    return result


def load_stages(path: Path = DOCKERFILE) -> list[Stage]:
    return stages(parse_dockerfile(path.read_text(encoding="utf-8")))


_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
_EXACT_TAG = re.compile(r":v?\d+\.\d+\.\d+([.-][A-Za-z0-9.-]+)?$")


def is_pinned(image: str) -> bool:
    """Pinned = a digest, or a full x.y.z version tag (never `latest`, never a bare major)."""
    if _DIGEST.search(image):
        return True
    return "latest" not in image and bool(_EXACT_TAG.search(image))
