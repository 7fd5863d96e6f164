"""The engine's vocabulary: what a cohort is (mentees, mentors, criteria, the problem) and what
matching returns (pairs, explanations, suggestions), with the rules every answer is read by.

Standard library only — no numpy, no scipy — so that web workers can build problems and read
results without loading the numeric libraries (they load with the first matching run)."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

ParticipantId = Hashable
Answer = str | int | float | bool | frozenset[str] | tuple[str, ...] | None
Kind = Literal["same", "overlap", "covers", "distance"]
HardRule = Literal["must_match", "must_differ"]
Objective = Literal["score", "matches"]
Translate = Callable[[str], str]

KINDS = ("same", "overlap", "covers", "distance")
HARD_RULES = ("must_match", "must_differ")
OBJECTIVES = ("score", "matches")
MAX_CAPACITY = 10
# A score is stored as an integer number of 1/10,000 of a point: 0..1,000,000.
SCORE_RESOLUTION = 10_000
FULL_SCORE = 100 * SCORE_RESOLUTION
# Contributions of sensitive criteria are merged into one under this key, without their labels.
CONFIDENTIAL_KEY = "__confidential__"


def identity(text: str) -> str:
    return text


def gettext_noop(message: str) -> str:
    """Marks a message for ``makemessages`` (xgettext knows this name) without importing Django;
    the ``translate`` callable given by the caller translates it at run time."""
    return message


# ----------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class Mentee:
    id: ParticipantId
    answers: Mapping[str, Answer] = field(default_factory=dict)


@dataclass(frozen=True)
class Mentor:
    id: ParticipantId
    answers: Mapping[str, Answer] = field(default_factory=dict)
    capacity: int = 1

    def __post_init__(self) -> None:
        if (
            isinstance(self.capacity, bool)
            or not isinstance(self.capacity, Integral)
            or not 1 <= self.capacity <= MAX_CAPACITY
        ):
            raise ValueError(f"Mentor {self.id!r}: capacity must be 1–{MAX_CAPACITY}.")


@dataclass(frozen=True)
class Criterion:
    """One question compared between the two sides.

    ``key`` is the mentee's question, ``mentor_key`` the mentor's (defaults to ``key``).
    ``value_range`` is required by ``distance``: answers that far apart or more score 0.
    ``is_sensitive``: used for matching, never shown — explanations merge it into a neutral
    "confidential criteria" line, without its label or the answers.
    ``choice_labels``: how explanations name the answers (code → label, e.g. "it" →
    "Informatique"); an answer without a label is shown as it is stored.
    """

    key: str
    kind: Kind
    weight: float = 1.0
    mentor_key: str | None = None
    hard: HardRule | None = None
    label: str = ""
    is_sensitive: bool = False
    value_range: float | None = None
    choice_labels: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Criterion {self.key!r}: unknown kind {self.kind!r}.")
        if not (math.isfinite(self.weight) and self.weight >= 0):
            raise ValueError(f"Criterion {self.key!r}: weight must be a finite number ≥ 0.")
        if self.hard is not None and self.hard not in HARD_RULES:
            raise ValueError(f"Criterion {self.key!r}: unknown hard rule {self.hard!r}.")
        if self.kind == "distance" and not (
            self.value_range is not None
            and math.isfinite(self.value_range)
            and self.value_range > 0
        ):
            raise ValueError(f"Criterion {self.key!r}: distance needs a value_range > 0.")

    @property
    def mentor_question(self) -> str:
        return self.key if self.mentor_key is None else self.mentor_key


@dataclass(frozen=True)
class MatchingProblem:
    """A cohort to match. ``exclusions``: (mentee_id, mentor_id) pairs never to propose (ids not
    in the cohort are ignored). ``locked_pairs``: (mentee_id, mentor_id) pairs that are kept as
    they are and use up capacity."""

    mentees: Sequence[Mentee]
    mentors: Sequence[Mentor]
    criteria: Sequence[Criterion]
    exclusions: Collection[tuple[ParticipantId, ParticipantId]] = frozenset()
    locked_pairs: Collection[tuple[ParticipantId, ParticipantId]] = frozenset()
    maximise: Objective = "score"

    def __post_init__(self) -> None:
        if self.maximise not in OBJECTIVES:
            raise ValueError(f"maximise must be one of {OBJECTIVES}, not {self.maximise!r}.")


# ----------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True)
class CriterionContribution:
    key: str
    label: str
    similarity: float  # 0..1
    points: float  # share of the 0..100 score
    is_sensitive: bool = False


@dataclass(frozen=True)
class Explanation:
    contributions: tuple[CriterionContribution, ...]  # by points, highest first
    summary: str


@dataclass(frozen=True)
class ProposedPair:
    mentee_id: ParticipantId
    mentor_id: ParticipantId
    score: float
    explanation: Explanation
    is_locked: bool = False


@dataclass(frozen=True)
class MatchingResult:
    pairs: tuple[ProposedPair, ...]  # in mentee id order
    unmatched_mentee_ids: tuple[ParticipantId, ...]  # in id order
    total_score: float


@dataclass(frozen=True)
class Suggestion:
    mentor_id: ParticipantId
    score: float
    room: int  # free places left with this mentor
    explanation: Explanation


@dataclass(frozen=True)
class ScoreMatrix:
    """Scores of every pair, rows and columns in id order. ``allowed`` is False for excluded
    pairs and pairs failing a hard rule (capacity and locks are not applied here)."""

    mentee_ids: tuple[ParticipantId, ...]
    mentor_ids: tuple[ParticipantId, ...]
    scores: np.ndarray  # float64, points 0..100 at SCORE_RESOLUTION
    allowed: np.ndarray  # bool


# ----------------------------------------------------------------------------------------------
# Answers


def id_sort_key(value: ParticipantId) -> tuple[str, object]:
    return (type(value).__name__, value)


def as_set(answer: object) -> frozenset[str] | None:
    if answer is None:
        return None
    if type(answer) is frozenset and all(type(item) is str for item in answer):
        return answer or None
    if isinstance(answer, str):
        return frozenset([answer]) if answer else None
    if isinstance(answer, (frozenset, set, tuple, list)):
        values = frozenset(str(item) for item in answer)
        return values or None
    return frozenset([str(answer)])


def as_value(answer: object) -> Hashable | None:
    if answer is None or answer == "":
        return None
    if isinstance(answer, (frozenset, set, tuple, list)):
        return as_set(answer)
    if isinstance(answer, float) and math.isnan(answer):
        return None
    return answer


def as_number(answer: object) -> float | None:
    if isinstance(answer, (bool, int, float)):
        number = float(answer)
    elif isinstance(answer, str):
        try:
            number = float(answer)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None
