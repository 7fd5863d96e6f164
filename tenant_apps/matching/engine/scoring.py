"""Scoring: answers encoded once (integer codes, bitsets, floats), scores computed with numpy —
for blocks of mentees × every mentor (``score_matrix``, suggestions, the solver's scoring pass)
or for lists of pairs (the chosen pairs, pairs the duality check must see) — and the solver's
edges (``CompactEdges``): first candidates and a 2-byte bound of every pair's score, instead of
a dense score matrix.

Standard library, numpy and the engine's model only."""

from __future__ import annotations

import math
import mmap
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np

from tenant_apps.matching.engine.model import (
    FULL_SCORE,
    SCORE_RESOLUTION,
    Criterion,
    MatchingProblem,
    Mentee,
    Mentor,
    ParticipantId,
    ScoreMatrix,
    as_number,
    as_set,
    as_value,
    id_sort_key,
)

# Pairs scored per block: bounds the temporaries of the vectorised scoring (8 bytes each).
BLOCK_CELLS = 1 << 16


@dataclass(frozen=True)
class EncodedCriterion:
    criterion: Criterion
    share: float  # weight / total weight
    mentee: np.ndarray  # codes (int64), bitsets (uint64, n×words) or floats
    mentor: np.ndarray
    mentee_sizes: np.ndarray | None = None  # set sizes for overlap/covers
    mentor_sizes: np.ndarray | None = None
    # Few distinct answers ("distance", "same"): every term share × similarity tabulated,
    # distinct mentee answer × distinct mentor answer, and each side's answers as codes.
    table: np.ndarray | None = None  # float64, codes × codes
    passes_table: np.ndarray | None = None  # similarity > 0 (bool), codes × codes
    mentee_codes: np.ndarray | None = None  # intp
    mentor_codes: np.ndarray | None = None
    # One-word bitsets ("overlap", "covers"): terms by (sizes, common count), see ``_counted``.
    count_table: np.ndarray | None = None  # float64, flat
    mentee_offsets: np.ndarray | None = None  # int16
    mentor_offsets: np.ndarray | None = None


def encode(
    criterion: Criterion, share: float, mentees: Sequence[Mentee], mentors: Sequence[Mentor]
) -> EncodedCriterion:
    mentee_answers = [m.answers.get(criterion.key) for m in mentees]
    mentor_answers = [m.answers.get(criterion.mentor_question) for m in mentors]
    if criterion.kind == "distance":
        return EncodedCriterion(
            criterion,
            share,
            np.array([_nan_if_none(as_number(a)) for a in mentee_answers], dtype=np.float64),
            np.array([_nan_if_none(as_number(a)) for a in mentor_answers], dtype=np.float64),
        )
    if criterion.kind == "same":
        codes: dict[Hashable, int] = {}
        # Missing answers get distinct negative codes so that they never compare equal.
        left = np.array(
            [
                -1 if (v := as_value(a)) is None else codes.setdefault(v, len(codes))
                for a in mentee_answers
            ],
            dtype=np.int64,
        )
        right = np.array(
            [
                -2 if (v := as_value(a)) is None else codes.setdefault(v, len(codes))
                for a in mentor_answers
            ],
            dtype=np.int64,
        )
        return EncodedCriterion(criterion, share, left, right)
    left_sets = [as_set(a) or frozenset() for a in mentee_answers]
    right_sets = [as_set(a) or frozenset() for a in mentor_answers]
    options = sorted(set().union(*left_sets, *right_sets), key=repr)
    bit = {option: index for index, option in enumerate(options)}
    words = max(1, -(-len(options) // 64))
    return EncodedCriterion(
        criterion,
        share,
        _bitsets(left_sets, bit, words),
        _bitsets(right_sets, bit, words),
        np.array([len(s) for s in left_sets], dtype=np.int64),
        np.array([len(s) for s in right_sets], dtype=np.int64),
    )


# A table of terms is built when (distinct mentee answers) × (distinct mentor answers) is at most
# this: looking a term up costs one gather instead of the 5–7 passes that compute it.
TABLE_CELLS = 1 << 16
# Bitsets of one word hold at most 64 options: counts and sizes 0..64, sums of sizes 0..128.
_COUNTS = 65


def tabulated(encoded: EncodedCriterion) -> EncodedCriterion:
    """``encoded`` with the lookup tables of its terms, where they are small. Every entry is
    computed by the very operations that score a pair directly (``_similarities``, then × share),
    on the same float64 inputs: a looked-up term is bit for bit the computed one."""
    kind = encoded.criterion.kind
    if kind == "same" and encoded.criterion.hard is None and encoded.share > 0:
        # A gather and an add instead of compare, multiply and add (the table holds the very
        # products equal × share of the direct path).
        left, mentee_codes = np.unique(encoded.mentee, return_inverse=True)
        right, mentor_codes = np.unique(encoded.mentor, return_inverse=True)
        if len(left) * len(right) > TABLE_CELLS:
            return encoded
        equal = np.equal(left[:, None], right[None, :])
        return replace(
            encoded,
            table=equal * encoded.share,
            passes_table=equal,
            mentee_codes=mentee_codes.reshape(-1).astype(np.intp),
            mentor_codes=mentor_codes.reshape(-1).astype(np.intp),
        )
    if kind == "distance":
        left, mentee_codes = np.unique(encoded.mentee, return_inverse=True)
        right, mentor_codes = np.unique(encoded.mentor, return_inverse=True)
        if len(left) * len(right) > TABLE_CELLS:
            return encoded
        distinct = EncodedCriterion(encoded.criterion, encoded.share, left, right)
        similarity = _similarities(
            distinct, np.arange(len(left)), np.arange(len(right)), outer=True
        )
        return replace(
            encoded,
            table=similarity * encoded.share,
            passes_table=similarity > 0,
            mentee_codes=mentee_codes.reshape(-1).astype(np.intp),
            mentor_codes=mentor_codes.reshape(-1).astype(np.intp),
        )
    if kind in ("overlap", "covers") and encoded.mentee.shape[1] == 1:
        # similarity = common / (|A| + |B| − common) (overlap) or common / |A| (covers): a
        # function of (|A| + |B| or |A|, common), looked up at _COUNTS × that + common.
        size, common = np.divmod(np.arange(2 * _COUNTS * _COUNTS, dtype=np.int64), _COUNTS)
        denominator = size - common if kind == "overlap" else size
        out = np.zeros(len(size), dtype=np.float64)
        similarity = np.divide(common, denominator, out=out, where=denominator > 0)
        assert encoded.mentee_sizes is not None and encoded.mentor_sizes is not None
        mentor_sizes = encoded.mentor_sizes if kind == "overlap" else 0 * encoded.mentor_sizes
        return replace(
            encoded,
            count_table=similarity * encoded.share,
            mentee_offsets=(_COUNTS * encoded.mentee_sizes).astype(np.int16),
            mentor_offsets=(_COUNTS * mentor_sizes).astype(np.int16),
        )
    return encoded


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
    encoded: EncodedCriterion,
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


def _looked_up(
    encoded: EncodedCriterion,
    rows: np.ndarray,
    cols: np.ndarray | slice,
    *,
    outer: bool,
    hard: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Terms (share × similarity) and, if ``hard``, similarity > 0, from the tables."""
    left = encoded.mentee_codes[rows]  # type: ignore[index]
    right = encoded.mentor_codes[cols]  # type: ignore[index]
    table, passes_table = encoded.table, encoded.passes_table
    assert table is not None and passes_table is not None
    if outer:
        # The rows of the table these mentees use, then a gather along them per mentor.
        term = np.take(table[left], right, axis=1)
        passing = np.take(passes_table[left], right, axis=1) if hard else None
        return term, passing
    return table[left, right], (passes_table[left, right] if hard else None)


def _counted(
    encoded: EncodedCriterion, rows: np.ndarray, cols: np.ndarray | slice, *, outer: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Terms (share × similarity) of a one-word bitset criterion and the common counts (uint8):
    the term is ``count_table[_COUNTS × (|A| [+ |B|]) + common]`` (16-bit index arithmetic)."""
    left, right = encoded.mentee[rows, 0], encoded.mentor[cols, 0]
    left_offsets = encoded.mentee_offsets[rows]  # type: ignore[index]
    right_offsets = encoded.mentor_offsets[cols]  # type: ignore[index]
    if outer:
        common = np.bitwise_count(np.bitwise_and(left[:, None], right[None, :]))
        index = np.add(left_offsets[:, None], right_offsets[None, :])
    else:
        common = np.bitwise_count(np.bitwise_and(left, right))
        index = np.add(left_offsets, right_offsets)
    index += common
    term = np.take(encoded.count_table, index.astype(np.intp))  # type: ignore[arg-type]
    return term, common


class Scorer:
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
            tabulated(
                encode(c, (c.weight / total_weight) if total_weight > 0 else 0.0, mentees, mentors)
            )
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

    def pairs_allowed(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(integer scores, hard rules passed) of the pairs (rows[p], cols[p])."""
        return self._score(rows, cols, outer=False)

    def _score(
        self, rows: np.ndarray, cols: np.ndarray | slice, *, outer: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        shape = (len(rows), self.mentor_count) if outer else (len(rows),)
        total = np.zeros(shape, dtype=np.float64)
        passes = np.ones(shape, dtype=bool)
        for encoded in self.encoded:
            hard = encoded.criterion.hard
            if encoded.criterion.kind == "same" and encoded.table is None:
                # A similarity of 0 or 1: the share added where equal (the very sum the
                # general path makes, total + 1.0·share, without its float temporaries).
                left, right = encoded.mentee[rows], encoded.mentor[cols]
                equal = np.equal(left[:, None], right[None, :]) if outer else left == right
                if hard == "must_match":
                    passes &= equal
                elif hard == "must_differ":
                    np.greater(passes, equal, out=passes)  # passes and not equal
                if encoded.share > 0:
                    total += equal * encoded.share
                continue
            if encoded.table is not None:
                term, passing = _looked_up(encoded, rows, cols, outer=outer, hard=hard is not None)
                if hard == "must_match":
                    passes &= passing
                elif hard == "must_differ":
                    np.greater(passes, passing, out=passes)  # type: ignore[arg-type]
                if encoded.share > 0:
                    total += term
                continue
            if encoded.count_table is not None:
                term, common = _counted(encoded, rows, cols, outer=outer)
                # similarity > 0 exactly when the sets have an option in common
                if hard == "must_match":
                    passes &= common > 0
                elif hard == "must_differ":
                    passes &= common == 0
                if encoded.share > 0:
                    total += term
                continue
            similarity = _similarities(encoded, rows, cols, outer=outer)
            if hard == "must_match":
                passes &= similarity > 0
            elif hard == "must_differ":
                passes &= ~(similarity > 0)
            if encoded.share > 0:
                similarity *= encoded.share
                total += similarity
        total *= FULL_SCORE
        np.rint(total, out=total)
        # Terms are ≥ 0 (rint keeps −0.0 at 0); shares summing a hair above 1 could pass the top.
        if total.size and total.max() > FULL_SCORE:
            np.minimum(total, FULL_SCORE, out=total)
        return total.astype(np.int32), passes

    def block_rows(self, mentee_count: int) -> Iterable[slice]:
        """Slices of at most ``BLOCK_CELLS`` pairs."""
        step = max(1, BLOCK_CELLS // max(1, self.mentor_count))
        for start in range(0, mentee_count, step):
            yield slice(start, min(mentee_count, start + step))


# ----------------------------------------------------------------------------------------------
# Preparing a problem


@dataclass
class Prepared:
    mentees: list[Mentee]  # id order
    mentors: list[Mentor]  # id order
    mentee_index: dict[ParticipantId, int]
    mentor_index: dict[ParticipantId, int]
    scorer: Scorer
    excluded_rows: np.ndarray  # mentee index of each exclusion inside the cohort
    excluded_cols: np.ndarray
    locked: dict[int, int]  # mentee index -> mentor index
    load: np.ndarray  # locked mentees per mentor
    excluded_keys: np.ndarray | None = None  # sorted mentee index × mentors + mentor index

    def is_excluded(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Whether each pair (rows[p], cols[p]) (indices) is in the exclusions."""
        keys = self._excluded_keys()
        if len(keys) == 0:
            return np.zeros(len(rows), dtype=bool)
        wanted = rows.astype(np.int64) * len(self.mentors) + cols
        position = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        found: np.ndarray = keys[position] == wanted
        return found

    def _excluded_keys(self) -> np.ndarray:
        if self.excluded_keys is None:
            keys = self.excluded_rows * len(self.mentors) + self.excluded_cols
            self.excluded_keys = np.sort(keys)
        return self.excluded_keys


def prepare(problem: MatchingProblem) -> Prepared:
    mentees = sorted(problem.mentees, key=lambda m: id_sort_key(m.id))
    mentors = sorted(problem.mentors, key=lambda m: id_sort_key(m.id))
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
    return Prepared(
        mentees=mentees,
        mentors=mentors,
        mentee_index=mentee_index,
        mentor_index=mentor_index,
        scorer=Scorer(mentees=mentees, mentors=mentors, criteria=problem.criteria),
        excluded_rows=rows[known],
        excluded_cols=cols[known],
        locked=locked,
        load=load,
    )


def allowed_scores(prepared: Prepared, mentee_rows: np.ndarray) -> np.ndarray:
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


def score_matrix(*, problem: MatchingProblem) -> ScoreMatrix:
    """Every pair's score (exclusions and hard rules in ``allowed``), rows and columns in id
    order — the matrix ``match_cohort`` optimises over (dense: for small cohorts and checks)."""
    prepared = prepare(problem)
    scores = allowed_scores(prepared, np.arange(len(prepared.mentees), dtype=np.int64))
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


# ----------------------------------------------------------------------------------------------
# Edges for the solver: candidates, and a compact bound of every pair's score

# A pair's score s (0..1,000,000) is kept as q = s // 16 + 1 (uint16; 0 for a non-edge), so that
# 16·(q − 1) ≤ s ≤ 16·q − 1: 2 bytes per pair instead of the 4 of an exact int32 score.
_QUANTUM = 16
_QUANTUM_BITS = 4
# Bits of the tie-breaking rank packed under q in the int32 keys that pick candidates.
_RANK_BITS = 15


def _zeros_without_huge_pages(shape: tuple[int, int], dtype: type[np.generic]) -> np.ndarray:
    """A zero-filled array in an anonymous memory map. numpy asks the kernel for transparent
    huge pages on large arrays (madvise); where the kernel then compacts memory to find them on
    first touch (``defrag`` = madvise, a common default), filling the 1.5 GB of bounds at
    50,000 × 15,000 took 3.3 s instead of 0.55 s. Pages of a map are zeroed as they are touched,
    like those of ``np.zeros``."""
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    if size == 0:
        return np.zeros(shape, dtype=dtype)
    array: np.ndarray = np.frombuffer(mmap.mmap(-1, size), dtype=dtype).reshape(shape)
    return array


def _sparse_nonzero(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-D boolean array with few True entries, 5–9 times faster: its
    bytes are scanned 8 at a time (as uint64 words) and only the nonzero words are looked
    into. Same indices, same (row-major) order."""
    flat = np.ascontiguousarray(mask).reshape(-1)
    usable = len(flat) - len(flat) % 8
    words = np.flatnonzero(flat[:usable].view(np.uint64))
    word_positions, bits = np.nonzero(flat[:usable].reshape(-1, 8)[words])
    positions = words[word_positions] * 8 + bits
    if usable < len(flat):
        positions = np.concatenate([positions, np.flatnonzero(flat[usable:]) + usable])
    lines, cols = np.divmod(positions, max(1, mask.shape[1]))
    return lines, cols


def rotation(
    rows: np.ndarray | np.int64, cols: np.ndarray | np.int64, row_count: int, column_count: int
) -> np.ndarray:
    """Tie-breaking rank of the pairs (rows[p], cols[p]): along row i, column t ranks
    (t − i·column_count/row_count) mod column_count, so that rows with equal scores everywhere
    prefer different columns (a plain "lowest index first" would send every mentee to the same
    few mentors when answers are alike). Smaller is preferred."""
    offsets = np.asarray(rows) * column_count // max(1, row_count)
    rank: np.ndarray = (np.asarray(cols) - offsets) % max(1, column_count)
    return rank


def _packed_rank(rank: np.ndarray, size: int) -> np.ndarray:
    """``rank`` (0 = preferred .. size − 1) as _RANK_BITS bits, larger = preferred."""
    top = (1 << _RANK_BITS) - 1
    return ((size - 1 - rank) * top // max(1, size - 1)).astype(np.int32)


class CompactEdges:
    """The edges — allowed pairs (no exclusion, hard rules passed, mentor with room) scoring at
    least ``lowest`` — between the mentees ``rows`` (indices; the solver's rows are positions in
    it) and the mentors.

    One pass scores every pair exactly, a block of mentees at a time, and keeps only: each
    mentee's ``per_row`` best edges and each mentor's ``per_column`` best (the first
    candidates, with their exact scores), and a 2-byte upper bound of every pair's score
    (``_QUANTUM``). Checking LP duals against every edge then reads the bounds, and scores
    exactly only the pairs whose bound could violate them. No dense score matrix is kept: at
    50,000 × 15,000 the bounds take 1.5 GB where exact scores and the candidate mask took 3.75."""

    def __init__(
        self,
        *,
        prepared: Prepared,
        rows: np.ndarray,
        capacity: np.ndarray,
        lowest: int,
        per_row: int,
        per_column: int,
    ) -> None:
        self.prepared = prepared
        self.scorer = prepared.scorer
        self.rows = rows
        self.capacity = capacity
        self.lowest = lowest
        self.row_count = n = len(rows)
        self.column_count = m = len(capacity)
        self.bounds = _zeros_without_huge_pages((n, m), np.uint16)
        is_open = capacity > 0
        # Exclusions of these mentees, by position, sorted by position.
        position = np.full(len(prepared.mentees), -1, dtype=np.int64)
        position[rows] = np.arange(n)
        excluded_rows = position[prepared.excluded_rows]
        keep = excluded_rows >= 0
        order = np.argsort(excluded_rows[keep], kind="stable")
        excluded_rows = excluded_rows[keep][order]
        excluded_cols = prepared.excluded_cols[keep][order]
        found_rows: list[np.ndarray] = []
        found_cols: list[np.ndarray] = []
        found_scores: list[np.ndarray] = []
        column_pool = _ColumnTop(column_count=m, per_column=per_column)
        # Blocks of ≈ 2**17 pairs: their float64 temporaries (1 MB) stay in a 2 MB L2 cache;
        # measured 7–8 % faster than 2**18 at 3,000 and 15,000 mentors.
        step = max(1, 2 * BLOCK_CELLS // max(1, m))
        row_take = min(per_row, m)
        columns = np.arange(m, dtype=np.int64)
        for start in range(0, n, step):
            stop = min(n, start + step)
            scores, passes = self.scorer.block(rows[start:stop])
            passes &= is_open[None, :]
            passes &= scores >= lowest
            low, high = np.searchsorted(excluded_rows, [start, stop])
            passes[excluded_rows[low:high] - start, excluded_cols[low:high]] = False
            quantised = scores >> _QUANTUM_BITS  # scores ≥ 0: ⌊s/16⌋
            quantised += 1
            quantised *= passes
            self.bounds[start:stop] = quantised
            if row_take == 0:
                continue
            # Keys: q, then a tie-breaking rank in the low bits (``rotation``, taken at the
            # block's first row: rows of one block share it, blocks differ). A key below
            # 1 << _RANK_BITS is a non-edge (q = 0).
            lines = np.arange(start, stop, dtype=np.int64)
            keys = quantised << _RANK_BITS
            keys |= _packed_rank(rotation(np.int64(start), columns, n, m), m)[None, :]
            best = np.argpartition(keys, m - row_take, axis=1)[:, m - row_take :]
            chosen = np.take_along_axis(keys, best, axis=1) >= 1 << _RANK_BITS
            block_rows = np.repeat(lines, row_take).reshape(best.shape)[chosen]
            found_rows.append(block_rows)
            found_cols.append(best[chosen])
            found_scores.append(scores[block_rows - start, best[chosen]])
            keys &= ~np.int32((1 << _RANK_BITS) - 1)
            keys |= _packed_rank(rotation(columns, np.int64(start), m, n), n)[None, :]
            column_pool.offer(keys, start, scores)
        pool_rows, pool_cols, pool_scores = column_pool.result()
        all_rows = np.concatenate([*found_rows, pool_rows])
        all_cols = np.concatenate([*found_cols, pool_cols])
        all_scores = np.concatenate([*found_scores, pool_scores]).astype(np.int64)
        _, first = np.unique(all_rows * m + all_cols, return_index=True)
        self.first = all_rows[first], all_cols[first], all_scores[first]

    def initial(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The first candidates: (row positions, mentor indices, exact scores)."""
        return self.first

    def score(
        self, positions: np.ndarray, cols: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The edges among the pairs (positions[p], cols[p]), with their exact integer scores."""
        mentees = self.rows[positions]
        scores, passes = self.scorer.pairs_allowed(mentees, cols)
        keep = passes & (scores >= self.lowest) & (self.capacity[cols] > 0)
        keep[keep] = ~self.prepared.is_excluded(mentees[keep], cols[keep])
        return positions[keep], cols[keep], scores[keep].astype(np.int64)

    def violations(
        self,
        *,
        u: np.ndarray,
        v: np.ndarray,
        bonus: int,
        per_row: int,
        is_full: np.ndarray,
        since: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """None if score_ij + bonus ≤ u_i + v_j on every edge: the duals (u, v) are then
        feasible for the whole problem. Else edges where it fails (at most ``per_row`` per
        row, the largest excess first; ties: mentors with room first, then by ``rotation``).

        A pair is scored exactly only if its bound 16·q − 1 could violate: 16·q − 1 − v_j >
        u_i − bonus.

        ``since`` = (u', v', dirty): what an earlier check established — every edge of a row
        not ``dirty`` satisfied score_ij + bonus ≤ u'_i + v'_j or is a candidate (whose duals
        are checked by the caller). Such an edge can only fail now if u_i + v_j < u'_i + v'_j,
        which needs u_i < u'_i or v_j < v'_j: only the rows whose u fell (and dirty ones) are
        read whole, and the other rows only at the mentors whose v fell — after a repair, a
        few percent of the bounds instead of all of them."""
        n, m = self.row_count, self.column_count
        if n == 0 or m == 0:
            return None
        threshold = u - bonus  # a violation needs score_ij − v_j > threshold_i
        base = int(v.max(initial=0))
        spread = base - int(v.min(initial=0))
        # int32 arithmetic when it cannot overflow (prices within 2**29 of each other): half
        # the memory traffic. Thresholds are clipped where that changes no comparison.
        is_small = spread < 2**29
        dtype: np.dtype[np.signedinteger[Any]] = np.dtype(np.int32 if is_small else np.int64)
        limit = 2**30 if is_small else 2**62
        prices = (v - base).astype(dtype)  # ≤ 0
        limits = np.clip(threshold + base, -limit, limit).astype(dtype)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        # 16·q − 1 − (v_j − base) > limit_i ⟺ 16·q − column_term_j > limit_i: three passes
        # over a block of bounds (shift, subtract, compare), and one for "is an edge".
        column_terms = prices + 1

        def check(lines: np.ndarray | slice, columns: np.ndarray | None) -> None:
            """The pairs lines × columns (row positions; every mentor if None)."""
            block = self.bounds[lines]
            terms = column_terms
            if columns is not None:
                block, terms = block[:, columns], terms[columns]
            reach = np.left_shift(block, _QUANTUM_BITS, dtype=dtype)
            reach -= terms[None, :]
            hit = reach > limits[lines, None]
            hit &= block > 0
            found_lines, found_cols = _sparse_nonzero(hit)
            if len(found_lines) == 0:
                return
            if isinstance(lines, slice):
                found_rows = found_lines + lines.start
            else:
                found_rows = lines[found_lines]
            if columns is not None:
                found_cols = columns[found_cols]
            rows, cols, scores = self.score(found_rows, found_cols)
            excess = scores + bonus - u[rows] - v[cols]
            real = excess > 0
            if real.any():
                parts.append((rows[real], cols[real], scores[real], excess[real]))

        step = max(1, 4 * BLOCK_CELLS // m)
        if since is None:
            for start in range(0, n, step):
                check(slice(start, min(n, start + step)), None)
        else:
            earlier_u, earlier_v, dirty = since
            whole = np.flatnonzero((u < earlier_u) | dirty)
            fallen = np.flatnonzero(v < earlier_v)
            for start in range(0, len(whole), step):
                check(whole[start : start + step], None)
            if len(fallen) > 0:
                rest = np.ones(n, dtype=bool)
                rest[whole] = False
                others = np.flatnonzero(rest)
                wide = max(1, 4 * BLOCK_CELLS // len(fallen))
                for start in range(0, len(others), wide):
                    check(others[start : start + wide], fallen)
        if not parts:
            return None
        rows, cols, scores, excess = (np.concatenate([p[i] for p in parts]) for i in range(4))
        order = np.lexsort((rotation(rows, cols, n, m), is_full[cols], -excess, rows))
        rows, cols, scores = rows[order], cols[order], scores[order]
        rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
        keep = rank < per_row
        return rows[keep], cols[keep], scores[keep]


class _ColumnTop:
    """Each column's ``per_column`` largest keys over blocks of rows, without sorting every
    block: a block only offers the entries above the column's current threshold."""

    def __init__(self, *, column_count: int, per_column: int) -> None:
        self.per_column = per_column
        # Keys of edges are ≥ 1 << _RANK_BITS; a column takes any edge until it has enough.
        self.threshold = np.full(column_count, (1 << _RANK_BITS) - 1, dtype=np.int32)
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.keys: list[np.ndarray] = []
        self.scores: list[np.ndarray] = []
        self.size = 0
        self.column_count = column_count

    def offer(self, keys: np.ndarray, start: int, scores: np.ndarray) -> None:
        if self.per_column <= 0:
            return
        lines, cols = _sparse_nonzero(keys > self.threshold[None, :])
        if len(lines) == 0:
            return
        self.rows.append(lines + start)
        self.cols.append(cols)
        self.keys.append(keys[lines, cols])
        self.scores.append(scores[lines, cols])
        self.size += len(lines)
        if self.size > 2 * self.per_column * self.column_count or len(self.rows) == 1:
            self._compact()

    def _compact(self) -> None:
        if not self.rows:
            return
        rows, cols, keys, scores = (
            np.concatenate(part) for part in (self.rows, self.cols, self.keys, self.scores)
        )
        # By column, then key, largest first: one sort of a packed int64.
        order = np.argsort((cols << 32) | ((1 << 31) - 1 - keys.astype(np.int64)))
        counts = np.bincount(cols, minlength=self.column_count)
        starts = np.cumsum(counts) - counts
        rank = np.arange(len(cols)) - np.repeat(starts, counts)  # in the sorted order
        keep = order[rank < self.per_column]
        rows, cols, keys, scores = rows[keep], cols[keep], keys[keep], scores[keep]
        # The smallest kept key of a full column (its last one): later entries must beat it.
        full = np.flatnonzero(counts >= self.per_column)
        self.threshold = np.full(self.column_count, (1 << _RANK_BITS) - 1, dtype=np.int32)
        ends = np.cumsum(np.minimum(counts, self.per_column))
        self.threshold[full] = keys[ends[full] - 1]
        self.rows, self.cols, self.keys, self.scores = [rows], [cols], [keys], [scores]
        self.size = len(rows)

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._compact()
        if not self.rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        return self.rows[0], self.cols[0], self.scores[0]
