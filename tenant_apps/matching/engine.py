"""Matching engine: score every mentee–mentor pair, then solve the whole cohort optimally.

Pure domain code (numpy/scipy only, no ORM, no Django): the services feed it plain dataclasses and
store what it returns.

Scoring
    Each criterion compares one question of the mentee's questionnaire with one of the mentor's
    and gives a similarity in [0, 1]:

    - ``same``: 1 if both gave the same answer, else 0;
    - ``overlap``: Jaccard overlap of two multiple-choice answers, |A ∩ B| / |A ∪ B|;
    - ``covers``: share of the mentee's needs found in the mentor's answer, |A ∩ B| / |A|;
    - ``distance``: numbers, 1 - |a - b| / value_range, clipped to [0, 1].

    A missing answer (None, "", an empty set, a non-number for ``distance``) gives 0. A pair's
    score is the weighted mean of its similarities × 100, rounded to 1/10,000 of a point
    (``SCORE_RESOLUTION``); the solver is exact for these rounded scores. The score matrix is
    computed criterion by criterion with numpy broadcasting, a block of mentees at a time, from
    answers encoded once (integer codes, bitsets, floats).

Hard rules and exclusions
    ``hard="must_match"`` keeps a pair only if the criterion's similarity is > 0 (same answer, at
    least one choice in common, the mentor covers at least one need, closer than value_range); a
    missing answer fails it. ``hard="must_differ"`` drops a pair whose similarity is > 0 (for
    example the same reporting line); a missing answer does not drop it. Pairs listed in
    ``exclusions`` (former pairs, manual bans) are never proposed. Locked pairs (fixed by a manager)
    are always kept, whatever the rules, and use up their mentor's capacity.

Objective
    ``maximise="score"``: maximise the total score of the proposed pairs. Only pairs with a
    positive score are proposed: a pair scoring 0 would add nothing, so its mentee stays unmatched.
    ``maximise="matches"``: first maximise the number of matched mentees (a pair scoring 0 is then
    proposed when it lets one more mentee be matched), then the total score among those solutions.
    An excluded pair is never proposed, even if its mentee then stays unmatched.

Solver, and why the result is exact
    The problem is a capacitated bipartite assignment (a b-matching): maximise Σ w_ij x_ij subject
    to Σ_j x_ij ≤ 1 per mentee, Σ_i x_ij ≤ c_j per mentor, x ≥ 0, over the allowed pairs (the
    "edges"). In "matches" mode w_ij = score_ij + B with B = rows × max score + 1, larger than
    any total score, so one more match always outweighs any score difference. All weights are
    integers, so every step below is exact (no tolerance anywhere).

    1. Candidates: each mentee's K best edges (``candidate_limit``) and each mentor's 8K best
       (ties spread over different mentors/mentees, not "lowest index first").
    2. The candidate problem is solved exactly by ``scipy.sparse.csgraph.
       min_weight_full_bipartite_matching`` (LAPJVsp): a mentor with capacity c becomes c
       identical slots; the slots are the rows, the mentees plus one "stays empty" column per
       slot are the columns (costs max + 1 − w > 0, so a full matching always exists).
    3. Certificate: from that assignment we compute integer LP duals — mentor prices v ≥ 0 as the
       least solution of v_j ≥ w_ij (i unmatched) and v_j ≥ v_k + w_ij − w_ik (i placed with k),
       by Bellman–Ford; u_i = w_i,k − v_k (0 if unmatched) — and check complementary slackness
       (u ≥ 0, v_j = 0 for a mentor with a free slot). Then u_i + v_j ≥ w_ij on every candidate
       edge and Σu + Σ c·v equals the assignment's weight. (If this fails, the assignment was
       not optimal: an error is raised, never a wrong answer returned.)
    4. Every edge of the *full* matrix is then checked: if w_ij ≤ u_i + v_j everywhere, (u, v)
       is a feasible solution of the dual of the full LP with the same value as the assignment,
       so by weak duality no assignment of the full problem does better: it is optimal. Else the
       violating edges (a few per mentee, the worst first; twice as many at each round) join the
       candidates; a short Bellman–Ford first tries to certify the same assignment on the larger
       candidate set, otherwise it goes back to step 2. The candidate set grows at every round,
       so this ends — at worst with every edge as a candidate.

    Determinism: mentees and mentors are sorted by id before anything else (ids of one type, or
    mixed types sorted by type name then value), exclusions and locked pairs are sets, criteria
    are scored in a canonical order; the same input in any order gives the same output. Among
    equally good solutions the one returned is a fixed function of this id order.

Explanations are computed only for the chosen pairs (and for suggestions).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from numbers import Integral
from operator import itemgetter
from typing import Any, Literal

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

__all__ = [
    "CONFIDENTIAL_KEY",
    "SCORE_RESOLUTION",
    "Criterion",
    "CriterionContribution",
    "Explanation",
    "MatchingProblem",
    "MatchingResult",
    "Mentee",
    "Mentor",
    "ProposedPair",
    "ScoreMatrix",
    "Suggestion",
    "explain_pair",
    "match_cohort",
    "score_matrix",
    "suggestions",
]

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
_FULL_SCORE = 100 * SCORE_RESOLUTION
# Contributions of sensitive criteria are merged into one under this key, without their labels.
CONFIDENTIAL_KEY = "__confidential__"
# Pairs scored per block: bounds the temporaries of the vectorised scoring (8 bytes each).
_BLOCK_CELLS = 1 << 16
# Marks a pair that cannot be proposed, in the solver's score matrix (far below any score).
_NOT_AN_EDGE = -(2**30)


def _identity(text: str) -> str:
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


def _id_sort_key(value: ParticipantId) -> tuple[str, object]:
    return (type(value).__name__, value)


def _as_set(answer: object) -> frozenset[str] | None:
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


def _as_value(answer: object) -> Hashable | None:
    if answer is None or answer == "":
        return None
    if isinstance(answer, (frozenset, set, tuple, list)):
        return _as_set(answer)
    if isinstance(answer, float) and math.isnan(answer):
        return None
    return answer


def _as_number(answer: object) -> float | None:
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


# ----------------------------------------------------------------------------------------------
# Vectorised scoring


@dataclass(frozen=True)
class _EncodedCriterion:
    criterion: Criterion
    share: float  # weight / total weight
    mentee: np.ndarray  # codes (int64), bitsets (uint64, n×words) or floats
    mentor: np.ndarray
    mentee_sizes: np.ndarray | None = None  # set sizes for overlap/covers
    mentor_sizes: np.ndarray | None = None


def _encode(
    criterion: Criterion, share: float, mentees: Sequence[Mentee], mentors: Sequence[Mentor]
) -> _EncodedCriterion:
    mentee_answers = [m.answers.get(criterion.key) for m in mentees]
    mentor_answers = [m.answers.get(criterion.mentor_question) for m in mentors]
    if criterion.kind == "distance":
        return _EncodedCriterion(
            criterion,
            share,
            np.array([_nan_if_none(_as_number(a)) for a in mentee_answers], dtype=np.float64),
            np.array([_nan_if_none(_as_number(a)) for a in mentor_answers], dtype=np.float64),
        )
    if criterion.kind == "same":
        codes: dict[Hashable, int] = {}
        # Missing answers get distinct negative codes so that they never compare equal.
        left = np.array(
            [
                -1 if (v := _as_value(a)) is None else codes.setdefault(v, len(codes))
                for a in mentee_answers
            ],
            dtype=np.int64,
        )
        right = np.array(
            [
                -2 if (v := _as_value(a)) is None else codes.setdefault(v, len(codes))
                for a in mentor_answers
            ],
            dtype=np.int64,
        )
        return _EncodedCriterion(criterion, share, left, right)
    left_sets = [_as_set(a) or frozenset() for a in mentee_answers]
    right_sets = [_as_set(a) or frozenset() for a in mentor_answers]
    options = sorted(set().union(*left_sets, *right_sets), key=repr)
    bit = {option: index for index, option in enumerate(options)}
    words = max(1, -(-len(options) // 64))
    return _EncodedCriterion(
        criterion,
        share,
        _bitsets(left_sets, bit, words),
        _bitsets(right_sets, bit, words),
        np.array([len(s) for s in left_sets], dtype=np.int64),
        np.array([len(s) for s in right_sets], dtype=np.int64),
    )


def _nan_if_none(value: float | None) -> float:
    return math.nan if value is None else value


def _bitsets(sets: list[frozenset[str]], bit: dict[str, int], words: int) -> np.ndarray:
    masks = [sum(1 << bit[option] for option in values) for values in sets]
    out = np.zeros((len(sets), words), dtype=np.uint64)
    for word in range(words):
        shift = 64 * word
        out[:, word] = np.array([(m >> shift) & 0xFFFF_FFFF_FFFF_FFFF for m in masks], np.uint64)
    return out


def _similarities(
    encoded: _EncodedCriterion,
    mentee_rows: np.ndarray,
    mentor_cols: np.ndarray | slice,
    *,
    outer: bool,
) -> np.ndarray:
    """Similarity (float64, a fresh array) of one criterion: for ``mentee_rows`` × ``mentor_cols``
    when ``outer``, else for the pairs (mentee_rows[p], mentor_cols[p])."""

    def sides(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        left, right = left[mentee_rows], right[mentor_cols]
        if outer:
            return left[:, None], right[None, :]
        return left, right

    kind = encoded.criterion.kind
    if kind == "same":
        left, right = sides(encoded.mentee, encoded.mentor)
        equal: np.ndarray = (left == right).astype(np.float64)
        return equal
    if kind == "distance":
        left, right = sides(encoded.mentee, encoded.mentor)
        similarity = np.subtract(left, right)
        np.abs(similarity, out=similarity)
        similarity *= -1.0 / float(encoded.criterion.value_range)  # type: ignore[arg-type]
        similarity += 1.0
        closeness: np.ndarray = np.fmax(similarity, 0.0, out=similarity)  # NaN (missing) → 0
        return closeness
    left, right = sides(encoded.mentee, encoded.mentor)
    common = np.bitwise_count(left[..., 0] & right[..., 0]).astype(np.int64)
    for word in range(1, left.shape[-1]):
        common += np.bitwise_count(left[..., word] & right[..., word])
    left_size, right_size = sides(encoded.mentee_sizes, encoded.mentor_sizes)  # type: ignore[arg-type]
    if kind == "overlap":
        denominator = left_size + right_size - common
    else:  # covers
        denominator = np.broadcast_to(left_size, common.shape)
    out = np.zeros(common.shape, dtype=np.float64)
    shared: np.ndarray = np.divide(common, denominator, out=out, where=denominator > 0)
    return shared


class _Scorer:
    """Answers encoded once; scores blocks of mentees against every mentor, or single pairs."""

    def __init__(
        self, *, mentees: Sequence[Mentee], mentors: Sequence[Mentor], criteria: Sequence[Criterion]
    ) -> None:
        ordered = sorted(
            criteria,
            key=lambda c: (
                c.key,
                c.mentor_question,
                c.kind,
                c.weight,
                c.hard or "",
                c.label,
                c.value_range or 0.0,
                c.is_sensitive,
            ),
        )
        total_weight = math.fsum(c.weight for c in ordered)
        self.encoded = [
            _encode(c, (c.weight / total_weight) if total_weight > 0 else 0.0, mentees, mentors)
            for c in ordered
            if c.weight > 0 or c.hard is not None
        ]
        self.weighted = [encoded for encoded in self.encoded if encoded.share > 0]
        self.mentor_count = len(mentors)

    def block(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(integer scores 0..1,000,000, hard rules passed) for the mentees ``rows`` (indices)
        × every mentor."""
        return self._score(rows, slice(None), outer=True)

    def pairs(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Integer scores of the pairs (rows[p], cols[p]) — the very numbers ``block`` gives
        (same operations in the same order) — and their similarities, pairs × ``weighted``."""
        scores, _ = self._score(rows, cols, outer=False)
        similarities = np.zeros((len(rows), len(self.weighted)), dtype=np.float64)
        for position, encoded in enumerate(self.weighted):
            similarities[:, position] = _similarities(encoded, rows, cols, outer=False)
        return scores, similarities

    def _score(
        self, rows: np.ndarray, cols: np.ndarray | slice, *, outer: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        shape = (len(rows), self.mentor_count) if outer else (len(rows),)
        total = np.zeros(shape, dtype=np.float64)
        passes = np.ones(shape, dtype=bool)
        for encoded in self.encoded:
            similarity = _similarities(encoded, rows, cols, outer=outer)
            hard = encoded.criterion.hard
            if hard == "must_match":
                passes &= similarity > 0
            elif hard == "must_differ":
                passes &= ~(similarity > 0)
            if encoded.share > 0:
                similarity *= encoded.share
                total += similarity
        total *= _FULL_SCORE
        np.rint(total, out=total)
        np.clip(total, 0, _FULL_SCORE, out=total)
        return total.astype(np.int32), passes

    def block_rows(self, mentee_count: int) -> Iterable[slice]:
        """Slices of at most ``_BLOCK_CELLS`` pairs."""
        step = max(1, _BLOCK_CELLS // max(1, self.mentor_count))
        for start in range(0, mentee_count, step):
            yield slice(start, min(mentee_count, start + step))


# ----------------------------------------------------------------------------------------------
# Preparing a problem


@dataclass
class _Prepared:
    mentees: list[Mentee]  # id order
    mentors: list[Mentor]  # id order
    mentee_index: dict[ParticipantId, int]
    mentor_index: dict[ParticipantId, int]
    scorer: _Scorer
    excluded_rows: np.ndarray  # mentee index of each exclusion inside the cohort
    excluded_cols: np.ndarray
    locked: dict[int, int]  # mentee index -> mentor index
    load: np.ndarray  # locked mentees per mentor


def _prepare(problem: MatchingProblem) -> _Prepared:
    mentees = sorted(problem.mentees, key=lambda m: _id_sort_key(m.id))
    mentors = sorted(problem.mentors, key=lambda m: _id_sort_key(m.id))
    mentee_index = {m.id: i for i, m in enumerate(mentees)}
    mentor_index = {m.id: j for j, m in enumerate(mentors)}
    if len(mentee_index) != len(mentees) or len(mentor_index) != len(mentors):
        raise ValueError("Mentee ids and mentor ids must be unique.")
    # Exclusions can be numerous (a bench uses 1.5 million): mapped to indices at C speed.
    excluded = list(problem.exclusions)
    rows = np.fromiter(
        map(mentee_index.get, map(itemgetter(0), excluded), repeat(-1)), dtype=np.int64
    )
    cols = np.fromiter(
        map(mentor_index.get, map(itemgetter(1), excluded), repeat(-1)), dtype=np.int64
    )
    known = (rows >= 0) & (cols >= 0)
    locked: dict[int, int] = {}
    load = np.zeros(len(mentors), dtype=np.int64)
    for mentee_id, mentor_id in problem.locked_pairs:
        i, j = mentee_index.get(mentee_id), mentor_index.get(mentor_id)
        if i is None or j is None:
            raise ValueError(f"Locked pair {(mentee_id, mentor_id)!r}: unknown participant.")
        if i in locked and locked[i] != j:
            raise ValueError(f"Mentee {mentee_id!r} is locked with two mentors.")
        if i not in locked:
            locked[i] = j
            load[j] += 1
    for over in np.flatnonzero(load > [m.capacity for m in mentors]):
        raise ValueError(f"Mentor {mentors[over].id!r} has more locked mentees than capacity.")
    return _Prepared(
        mentees=mentees,
        mentors=mentors,
        mentee_index=mentee_index,
        mentor_index=mentor_index,
        scorer=_Scorer(mentees=mentees, mentors=mentors, criteria=problem.criteria),
        excluded_rows=rows[known],
        excluded_cols=cols[known],
        locked=locked,
        load=load,
    )


def _allowed_scores(prepared: _Prepared, mentee_rows: np.ndarray) -> np.ndarray:
    """Integer scores of ``mentee_rows`` (indices) × every mentor, −1 where the pair is excluded
    or fails a hard rule."""
    out = np.empty((len(mentee_rows), len(prepared.mentors)), dtype=np.int32)
    if len(mentee_rows) == 0 or len(prepared.mentors) == 0:
        return out
    for rows in prepared.scorer.block_rows(len(mentee_rows)):
        scores, passes = prepared.scorer.block(mentee_rows[rows])
        scores[~passes] = -1
        out[rows] = scores
    position = np.full(len(prepared.mentees), -1, dtype=np.int64)
    position[mentee_rows] = np.arange(len(mentee_rows))
    where = position[prepared.excluded_rows]
    keep = where >= 0
    out[where[keep], prepared.excluded_cols[keep]] = -1
    return out


# ----------------------------------------------------------------------------------------------
# Solver


def _rotation(first: int, count: int, size: int, other_size: int) -> np.ndarray:
    """Tie-breaking order for lines first..first+count of a size × other_size matrix: along line
    i, position t ranks (t − i·other_size/size) mod other_size, so that lines with equal scores
    everywhere prefer different positions (a plain "lowest index first" would send every mentee
    to the same few mentors when answers are alike). Smaller is preferred."""
    lines = np.arange(first, first + count, dtype=np.int64)
    offsets = lines * other_size // max(1, size)
    return (np.arange(other_size, dtype=np.int64)[None, :] - offsets[:, None]) % other_size


def _mark_best(
    *, candidates: np.ndarray, scores: np.ndarray, per_row: int, per_column: int
) -> None:
    """Marks in ``candidates`` the ``per_row`` best edges of each row and the ``per_column``
    best of each column (``scores``: −2**30 for a non-edge; ties spread by ``_rotation``)."""
    row_count, column_count = scores.shape
    step = max(1, _BLOCK_CELLS // column_count)
    for start in range(0, row_count, step):
        block = slice(start, min(row_count, start + step))
        count = block.stop - block.start
        keyed = scores[block].astype(np.int64) * column_count
        keyed += column_count - 1 - _rotation(start, count, row_count, column_count)
        _mark_top(candidates[block], keyed, min(per_row, column_count), axis=1)
    step = max(1, _BLOCK_CELLS // row_count)
    for start in range(0, column_count, step):
        block = slice(start, min(column_count, start + step))
        count = block.stop - block.start
        keyed = scores[:, block].astype(np.int64) * row_count
        keyed += row_count - 1 - _rotation(start, count, column_count, row_count).T
        _mark_top(candidates[:, block], keyed, min(per_column, row_count), axis=0)


def _mark_top(target: np.ndarray, keyed: np.ndarray, count: int, *, axis: int) -> None:
    """target |= (keyed is among the ``count`` largest along ``axis``) & (keyed >= 0)."""
    if count <= 0:
        return
    if count >= keyed.shape[axis]:
        target |= keyed >= 0
        return
    top = np.argpartition(-keyed, count - 1, axis=axis)
    top = top[:, :count] if axis == 1 else top[:count]
    values = np.take_along_axis(keyed, top, axis=axis)
    chosen = np.zeros(keyed.shape, dtype=bool)
    np.put_along_axis(chosen, top, values >= 0, axis=axis)
    target |= chosen


def _assign(
    *,
    row_count: int,
    capacity: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
) -> np.ndarray:
    """Exact maximum-weight assignment on the given edges (weights > 0): each row takes at most
    one column, column j at most capacity[j] rows. Returns the column of each row or −1."""
    assignment = np.full(row_count, -1, dtype=np.int64)
    if len(rows) == 0:
        return assignment
    # Column j becomes capacity[j] identical "slots". LAPJVsp must match every vertex of one
    # side, its rows: those are the slots or the mentees, whichever are fewer (much faster than
    # the other way round), and each row also gets a private "stays empty" column so that a
    # full matching always exists.
    slot_start = np.concatenate([[0], np.cumsum(capacity)])
    slot_count = int(slot_start[-1])
    repeats = capacity[cols]
    edge_rows = np.repeat(rows, repeats)
    offset = np.arange(len(edge_rows)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    edge_slots = slot_start[np.repeat(cols, repeats)] + offset
    # Minimisation with every cost > 0 (LAPJVsp drops explicit zeros); each vertex of the
    # matched side is matched exactly once, so the constant shift does not change the optimum.
    ceiling = float(weights.max()) + 1.0
    slots_are_rows = slot_count <= row_count
    side, other = (slot_count, row_count) if slots_are_rows else (row_count, slot_count)
    heads, tails = (edge_slots, edge_rows) if slots_are_rows else (edge_rows, edge_slots)
    costs = np.concatenate(
        [ceiling - np.repeat(weights, repeats).astype(np.float64), np.full(side, ceiling)]
    )
    graph = csr_array(
        (
            costs,
            (
                np.concatenate([heads, np.arange(side)]),
                np.concatenate([tails, other + np.arange(side)]),
            ),
        ),
        shape=(side, other + side),
    )
    matched_heads, matched_tails = min_weight_full_bipartite_matching(graph)
    is_pair = matched_tails < other
    matched_heads, matched_tails = matched_heads[is_pair], matched_tails[is_pair]
    slots, mentees = (
        (matched_heads, matched_tails) if slots_are_rows else (matched_tails, matched_heads)
    )
    slot_owner = np.repeat(np.arange(len(capacity)), capacity)
    assignment[mentees] = slot_owner[slots]
    return assignment


@dataclass(frozen=True)
class _Residual:
    """An assignment on the candidate edges and the difference constraints its mentor prices
    must meet (see ``_dual_prices``)."""

    assignment: np.ndarray
    capacity: np.ndarray
    own_weight: np.ndarray  # weight of each row's own edge (0 if unassigned)
    is_full: np.ndarray  # per column
    # v[target] ≥ v[source] + gain, source = column count for "0" (an unassigned row)
    source: np.ndarray
    target: np.ndarray
    gain: np.ndarray


def _residual(
    *,
    assignment: np.ndarray,
    capacity: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
) -> _Residual:
    column_count = len(capacity)
    own = assignment[rows]
    is_own = own == cols
    own_weight = np.zeros(len(assignment), dtype=np.int64)
    own_weight[rows[is_own]] = weights[is_own]
    keep = ~is_own
    is_assigned = own[keep] >= 0
    is_matched = assignment >= 0
    load = np.bincount(assignment[is_matched], minlength=column_count)
    return _Residual(
        assignment=assignment,
        capacity=capacity,
        own_weight=own_weight,
        is_full=load >= capacity,
        source=np.where(is_assigned, own[keep], column_count),
        target=cols[keep],
        gain=weights[keep] - np.where(is_assigned, own_weight[rows[keep]], 0),
    )


def _relax(
    prices: np.ndarray, *, source: np.ndarray, target: np.ndarray, gain: np.ndarray, max_rounds: int
) -> bool:
    """Bellman–Ford in place until prices[target] ≥ prices[source] + gain on every edge; False
    if not settled after ``max_rounds`` rounds (a positive cycle, or undecided yet)."""
    if len(target) == 0:
        return True
    order = np.argsort(target, kind="stable")
    source, target, gain = source[order], target[order], gain[order]
    starts = np.flatnonzero(np.r_[True, target[1:] != target[:-1]])
    heads = target[starts]
    for _ in range(max_rounds):
        best = np.maximum.reduceat(prices[source] + gain, starts)
        changed = best > prices[heads]
        if not changed.any():
            return True
        prices[heads[changed]] = best[changed]
    return False


def _dual_prices(*, residual: _Residual, max_rounds: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Optimal LP duals (u per row, v per column, integers) proving that the assignment is
    optimal on the candidate edges, or None if it is not (or if Bellman–Ford needs more than
    ``max_rounds`` rounds to tell).

    The prices v must satisfy: v ≥ 0; v_j ≥ w_ij for an unassigned row i; v_j ≥ v_k + w_ij − w_ik
    for a row i assigned to k; v_k ≤ w_ik for a row i assigned to k (so that u_i ≥ 0); v_j = 0
    for a column with room left. We take the least solution of the lower bounds (Bellman–Ford
    from v = 0) and check the upper ones. Then u_i = w_ik − v_k (0 if unassigned) gives
    u_i + v_j ≥ w_ij on every candidate edge, and complementary slackness holds, so
    Σu + Σ capacity·v equals the assignment's weight."""
    column_count = len(residual.capacity)
    assignment = residual.assignment
    is_matched = assignment >= 0
    prices = np.zeros(column_count + 1, dtype=np.int64)  # the last one stands for 0
    if not _relax(
        prices,
        source=residual.source,
        target=residual.target,
        gain=residual.gain,
        max_rounds=max_rounds,
    ):
        return None
    v = prices[:column_count]
    u = np.zeros(len(assignment), dtype=np.int64)
    u[is_matched] = residual.own_weight[is_matched] - v[assignment[is_matched]]
    if (u < 0).any() or (v[~residual.is_full] != 0).any():
        return None
    return u, v


def _violations(
    *,
    weights: np.ndarray,
    bonus: int,
    u: np.ndarray,
    v: np.ndarray,
    per_row: int,
    is_full: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """None if w_ij ≤ u_i + v_j for every edge of the full matrix (``weights``: scores, or
    ``_NOT_AN_EDGE``; w = score + ``bonus``): the duals are then feasible for the full problem.
    Else the edges where w_ij > u_i + v_j (at most ``per_row`` per row, the largest first)."""
    row_count, column_count = weights.shape
    step = max(1, _BLOCK_CELLS // column_count)
    threshold = u - bonus  # w_ij > u_i + v_j  ⇔  score_ij − v_j > u_i − bonus
    # int32 arithmetic when it cannot overflow (the usual "score" mode): half the memory traffic.
    small = max(int(np.abs(threshold).max(initial=0)), int(v.max(initial=0))) < 2**28
    dtype: np.dtype[np.signedinteger[Any]] = np.dtype(np.int32 if small else np.int64)
    threshold, prices = threshold.astype(dtype), v.astype(dtype)
    found_rows: list[np.ndarray] = []
    found_cols: list[np.ndarray] = []
    for start in range(0, row_count, step):
        block = slice(start, min(row_count, start + step))
        excess = weights[block].astype(dtype)
        excess -= prices
        excess -= threshold[block, None]
        hit = excess > 0
        if not hit.any():
            continue
        hit &= weights[block] != _NOT_AN_EDGE  # with a large bonus a non-edge can look positive
        rows, cols = np.nonzero(hit)
        if len(rows) == 0:
            continue
        amounts = excess[rows, cols]
        # Keep the ``per_row`` largest per row: sort by row, then by amount, largest first,
        # ties: mentors with room first, then spread by ``_rotation``.
        offsets = (rows + start) * column_count // row_count
        order = np.lexsort(((cols - offsets) % column_count, is_full[cols], -amounts, rows))
        rows, cols = rows[order], cols[order]
        first = np.searchsorted(rows, rows, side="left")
        keep = np.arange(len(rows)) - first < per_row
        found_rows.append(rows[keep] + start)
        found_cols.append(cols[keep])
    if not found_rows:
        return None
    return np.concatenate(found_rows), np.concatenate(found_cols)


def _solve(
    *, scores: np.ndarray, capacity: np.ndarray, maximise: Objective, candidate_limit: int
) -> np.ndarray:
    """Optimal mentor index (or −1) for each row of ``scores`` (integer scores, −1 = not
    allowed; overwritten: non-edges become ``_NOT_AN_EDGE``); see the module docstring for the
    method and the proof of optimality."""
    row_count, column_count = scores.shape
    if row_count == 0 or column_count == 0 or not (capacity > 0).any():
        return np.full(row_count, -1, dtype=np.int64)
    lowest = 1 if maximise == "score" else 0
    is_closed = capacity <= 0
    # In "matches" mode one more match must outweigh any total score: bonus > rows × max score.
    bonus = 0 if maximise == "score" else row_count * max(1, int(scores.max())) + 1
    step = max(1, _BLOCK_CELLS // column_count)
    for start in range(0, row_count, step):
        block = scores[start : start + step]
        block[(block < lowest) | is_closed] = _NOT_AN_EDGE
    limit = max(1, candidate_limit)
    candidates = np.zeros(scores.shape, dtype=bool)
    _mark_best(candidates=candidates, scores=scores, per_row=limit, per_column=8 * limit)
    rows, cols = np.nonzero(candidates)
    del candidates
    assignment = None
    per_row = limit
    while True:
        weights = scores[rows, cols].astype(np.int64) + bonus
        duals = None
        if assignment is not None:
            # New candidates often leave the assignment optimal: try to prove it first, with a
            # short Bellman–Ford (a failure here only means solving again).
            residual = _residual(
                assignment=assignment, capacity=capacity, rows=rows, cols=cols, weights=weights
            )
            duals = _dual_prices(residual=residual, max_rounds=64)
        if duals is None:
            assignment = _assign(
                row_count=row_count, capacity=capacity, rows=rows, cols=cols, weights=weights
            )
            residual = _residual(
                assignment=assignment, capacity=capacity, rows=rows, cols=cols, weights=weights
            )
            duals = _dual_prices(residual=residual, max_rounds=column_count + 2)
            if duals is None:
                raise RuntimeError("Matching solver: LAPJVsp returned a non-optimal assignment.")
        extra = _violations(
            weights=scores,
            bonus=bonus,
            u=duals[0],
            v=duals[1],
            per_row=per_row,
            is_full=residual.is_full,
        )
        if extra is None:
            assert assignment is not None  # solved above when no duals proved the last one
            return assignment
        per_row *= 2  # pathological ties need more at a time
        # Violating edges are never candidates already (u_i + v_j ≥ w_ij holds on those).
        rows = np.concatenate([rows, extra[0]])
        cols = np.concatenate([cols, extra[1]])


# ----------------------------------------------------------------------------------------------
# Explanations


def _display(value: object, translate: Translate, labels: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return translate(gettext_noop("yes")) if value else translate(gettext_noop("no"))
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (frozenset, set, tuple, list)):
        return ", ".join(sorted(labels.get(str(v), str(v)) for v in value))
    return labels.get(str(value), str(value))


def _reason(
    criterion: Criterion, mentee_answer: object, mentor_answer: object, translate: Translate
) -> str:
    label = criterion.label or criterion.key
    labels = criterion.choice_labels
    if criterion.kind == "same":
        return translate(gettext_noop("same answer to “%(label)s”: %(value)s")) % {
            "label": label,
            "value": _display(_as_value(mentee_answer), translate, labels),
        }
    if criterion.kind == "distance":
        return translate(
            gettext_noop("close answers to “%(label)s” (%(mentee_value)s and %(mentor_value)s)")
        ) % {
            "label": label,
            "mentee_value": _display(_as_number(mentee_answer), translate, labels),
            "mentor_value": _display(_as_number(mentor_answer), translate, labels),
        }
    common = (_as_set(mentee_answer) or frozenset()) & (_as_set(mentor_answer) or frozenset())
    if criterion.kind == "overlap":
        return translate(gettext_noop("in common for “%(label)s”: %(values)s")) % {
            "label": label,
            "values": _display(common, translate, labels),
        }
    return translate(
        gettext_noop("the mentor covers %(count)s of %(total)s needs for “%(label)s”: %(values)s")
    ) % {
        "count": len(common),
        "total": len(_as_set(mentee_answer) or ()),
        "label": label,
        "values": _display(common, translate, labels),
    }


def _explain(
    *,
    mentee: Mentee,
    mentor: Mentor,
    weighted: Sequence[_EncodedCriterion],
    similarities: Sequence[float],
    score: float,
    translate: Translate,
) -> Explanation:
    public: list[tuple[CriterionContribution, Criterion]] = []
    secret_share = secret_points = 0.0
    for encoded, similarity in zip(weighted, similarities, strict=True):
        criterion = encoded.criterion
        points = 100.0 * encoded.share * similarity
        if criterion.is_sensitive:
            secret_share += encoded.share
            secret_points += points
            continue
        contribution = CriterionContribution(
            key=criterion.key,
            label=criterion.label or criterion.key,
            similarity=round(float(similarity), 4),
            points=round(points, 4),
        )
        public.append((contribution, criterion))
    public.sort(key=lambda item: (-item[0].points, item[0].key))
    contributions = [contribution for contribution, _ in public]
    if secret_share > 0:
        # One neutral line for all sensitive criteria: no key, no label, no answer.
        contributions.append(
            CriterionContribution(
                key=CONFIDENTIAL_KEY,
                label=translate(gettext_noop("Confidential criteria")),
                similarity=round(secret_points / (100.0 * secret_share), 4),
                points=round(secret_points, 4),
                is_sensitive=True,
            )
        )
        contributions.sort(key=lambda c: -c.points)  # stable: keeps key order among ties
    reasons = [
        _reason(
            criterion,
            mentee.answers.get(criterion.key),
            mentor.answers.get(criterion.mentor_question),
            translate,
        )
        for contribution, criterion in public[:3]
        if contribution.points > 0
    ]
    if round(secret_points, 4) > 0:
        reasons.append(translate(gettext_noop("confidential criteria")))
    if reasons:
        summary = translate(gettext_noop("Score %(score)s/100: %(reasons)s.")) % {
            "score": f"{score:.0f}",
            "reasons": "; ".join(reasons),
        }
    else:
        summary = translate(gettext_noop("Score %(score)s/100: no answer in common.")) % {
            "score": f"{score:.0f}"
        }
    return Explanation(contributions=tuple(contributions), summary=summary)


def _explained_pairs(
    *,
    scorer: _Scorer,
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    rows: np.ndarray,
    cols: np.ndarray,
    translate: Translate,
) -> list[tuple[float, Explanation]]:
    """(score, explanation) of the pairs (rows[p], cols[p]): similarities computed at once."""
    scores, similarities = scorer.pairs(rows, cols)
    out = []
    for row, col, integer_score, pair_similarities in zip(
        rows.tolist(), cols.tolist(), scores.tolist(), similarities.tolist(), strict=True
    ):
        score = integer_score / SCORE_RESOLUTION
        explanation = _explain(
            mentee=mentees[row],
            mentor=mentors[col],
            weighted=scorer.weighted,
            similarities=pair_similarities,
            score=score,
            translate=translate,
        )
        out.append((score, explanation))
    return out


# ----------------------------------------------------------------------------------------------
# Public functions


def match_cohort(
    *,
    problem: MatchingProblem,
    translate: Translate = _identity,
    candidate_limit: int = 4,
) -> MatchingResult:
    """The optimal matching of the whole cohort (see the module docstring).

    ``candidate_limit`` only tunes speed (mentors first considered per mentee); the result is
    optimal whatever its value. ``translate`` (e.g. gettext) translates the explanations."""
    prepared = _prepare(problem)
    is_free = np.ones(len(prepared.mentees), dtype=bool)
    locked_rows = np.array(sorted(prepared.locked), dtype=np.int64)
    is_free[locked_rows] = False
    free_rows = np.flatnonzero(is_free)
    scores = _allowed_scores(prepared, free_rows)
    capacity = np.array([m.capacity for m in prepared.mentors], dtype=np.int64) - prepared.load
    assignment = _solve(
        scores=scores,
        capacity=capacity,
        maximise=problem.maximise,
        candidate_limit=candidate_limit,
    )
    matched = np.flatnonzero(assignment >= 0)
    rows = np.concatenate([free_rows[matched], locked_rows])
    cols = np.concatenate(
        [
            assignment[matched],
            np.array([prepared.locked[row] for row in locked_rows.tolist()], dtype=np.int64),
        ]
    )
    is_locked = np.concatenate([np.zeros(len(matched), bool), np.ones(len(locked_rows), bool)])
    order = np.argsort(rows, kind="stable")
    rows, cols, is_locked = rows[order], cols[order], is_locked[order]
    explained = _explained_pairs(
        scorer=prepared.scorer,
        mentees=prepared.mentees,
        mentors=prepared.mentors,
        rows=rows,
        cols=cols,
        translate=translate,
    )
    pairs = tuple(
        ProposedPair(
            mentee_id=prepared.mentees[row].id,
            mentor_id=prepared.mentors[col].id,
            score=score,
            explanation=explanation,
            is_locked=locked,
        )
        for row, col, locked, (score, explanation) in zip(
            rows.tolist(), cols.tolist(), is_locked.tolist(), explained, strict=True
        )
    )
    is_unmatched = np.ones(len(prepared.mentees), dtype=bool)
    is_unmatched[rows] = False
    total = sum(round(score * SCORE_RESOLUTION) for score, _ in explained)
    return MatchingResult(
        pairs=pairs,
        unmatched_mentee_ids=tuple(prepared.mentees[i].id for i in np.flatnonzero(is_unmatched)),
        total_score=total / SCORE_RESOLUTION,
    )


def suggestions(
    *,
    problem: MatchingProblem,
    mentee_id: ParticipantId,
    k: int = 5,
    mentor_load: Mapping[ParticipantId, int] | None = None,
    translate: Translate = _identity,
) -> list[Suggestion]:
    """The ``k`` best mentors for one mentee ("mentee choice" mode), best first, ties in mentor
    id order. Only mentors with room for one more mentee — capacity minus the problem's locked
    pairs minus ``mentor_load`` (e.g. pending requests) — and allowed pairs (no exclusion, hard
    rules passed, not already locked together) are listed; mentors scoring 0 come last, when
    fewer than ``k`` score more."""
    prepared = _prepare(problem)
    if mentee_id not in prepared.mentee_index:
        raise ValueError(f"Unknown mentee {mentee_id!r}.")
    row = prepared.mentee_index[mentee_id]
    scores = _allowed_scores(prepared, np.array([row], dtype=np.int64))[0]
    extra = mentor_load or {}
    room = np.array(
        [
            m.capacity - int(prepared.load[j]) - int(extra.get(m.id, 0))
            for j, m in enumerate(prepared.mentors)
        ],
        dtype=np.int64,
    )
    eligible = (scores >= 0) & (room > 0)
    if row in prepared.locked:
        eligible[prepared.locked[row]] = False
    candidates = np.flatnonzero(eligible)
    # Mentors are in id order: a stable sort by score keeps ties in id order.
    best = candidates[np.argsort(-scores[candidates], kind="stable")][: max(0, k)]
    explained = _explained_pairs(
        scorer=prepared.scorer,
        mentees=prepared.mentees,
        mentors=prepared.mentors,
        rows=np.full(len(best), row, dtype=np.int64),
        cols=best,
        translate=translate,
    )
    return [
        Suggestion(
            mentor_id=prepared.mentors[j].id,
            score=score,
            room=int(room[j]),
            explanation=explanation,
        )
        for j, (score, explanation) in zip(best.tolist(), explained, strict=True)
    ]


def explain_pair(
    *,
    mentee: Mentee,
    mentor: Mentor,
    criteria: Sequence[Criterion],
    translate: Translate = _identity,
) -> Explanation:
    """Why this pair scores what it scores (for a pair made by hand, for instance)."""
    scorer = _Scorer(mentees=[mentee], mentors=[mentor], criteria=criteria)
    zero = np.zeros(1, dtype=np.int64)
    [(_, explanation)] = _explained_pairs(
        scorer=scorer,
        mentees=[mentee],
        mentors=[mentor],
        rows=zero,
        cols=zero,
        translate=translate,
    )
    return explanation


def score_matrix(*, problem: MatchingProblem) -> ScoreMatrix:
    """Every pair's score (exclusions and hard rules in ``allowed``), rows and columns in id
    order — the matrix ``match_cohort`` optimises over."""
    prepared = _prepare(problem)
    scores = _allowed_scores(prepared, np.arange(len(prepared.mentees), dtype=np.int64))
    allowed = scores >= 0
    raw = np.empty(scores.shape, dtype=np.float64)
    for rows in prepared.scorer.block_rows(len(prepared.mentees)):
        block, _ = prepared.scorer.block(np.arange(rows.start, rows.stop))
        raw[rows] = block / SCORE_RESOLUTION
    return ScoreMatrix(
        mentee_ids=tuple(m.id for m in prepared.mentees),
        mentor_ids=tuple(m.id for m in prepared.mentors),
        scores=raw,
        allowed=allowed,
    )
