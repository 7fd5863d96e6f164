"""Scoring: answers encoded once (integer codes, bitsets, floats), scores computed with numpy —
for blocks of mentees × every mentor (``score_matrix``, suggestions), for lists of pairs (the
chosen pairs, candidates) — and *upper bounds* of the scores of groups of similar mentors, which
let the solver find the pairs that matter without scoring every pair (``SparseEdges``).

Standard library, numpy and the engine's model only."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter

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
        return (left == right).astype(np.float64)
    if kind == "distance":
        left, right = sides(encoded.mentee, encoded.mentor)
        similarity = np.subtract(left, right)
        np.abs(similarity, out=similarity)
        similarity *= -1.0 / float(encoded.criterion.value_range)  # type: ignore[arg-type]
        similarity += 1.0
        return np.fmax(similarity, 0.0, out=similarity)  # NaN (missing answer) becomes 0
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
    return np.divide(common, denominator, out=out, where=denominator > 0)


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
            encode(c, (c.weight / total_weight) if total_weight > 0 else 0.0, mentees, mentors)
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
        total *= FULL_SCORE
        np.rint(total, out=total)
        np.clip(total, 0, FULL_SCORE, out=total)
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

    def is_excluded(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Whether each pair (rows[p], cols[p]) (indices) is in the exclusions."""
        keys = self._excluded_keys()
        if len(keys) == 0:
            return np.zeros(len(rows), dtype=bool)
        wanted = rows.astype(np.int64) * len(self.mentors) + cols
        position = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return keys[position] == wanted

    def _excluded_keys(self) -> np.ndarray:
        if not hasattr(self, "_keys"):
            keys = self.excluded_rows * len(self.mentors) + self.excluded_cols
            keys.sort()
            self._keys = keys
        return self._keys


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
    for j in np.flatnonzero(load > [m.capacity for m in mentors]):
        raise ValueError(f"Mentor {mentors[j].id!r} has more locked mentees than capacity.")
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
# Sparse edges: upper bounds per group of similar mentors

# Cells (mentees × mentor groups) bounded per block: bounds the temporaries (8 bytes each).
_BOUND_CELLS = 1 << 17
# Mentors per group: 16 for large cohorts, fewer for small ones (so that tests exercise groups).
_GROUP_SIZE = 16
# Groups first explored per mentee when looking for its candidates, or for violations.
_GROUPS_PER_ROW = 4


def rotation(rows: np.ndarray, cols: np.ndarray, row_count: int, column_count: int) -> np.ndarray:
    """Tie-breaking rank of the pairs (rows[p], cols[p]): along row i, column t ranks
    (t − i·column_count/row_count) mod column_count, so that rows with equal scores everywhere
    prefer different columns (a plain "lowest index first" would send every mentee to the same
    few mentors when answers are alike). Smaller is preferred."""
    offsets = rows * column_count // max(1, row_count)
    return (cols - offsets) % max(1, column_count)


class SparseEdges:
    """The edges — allowed pairs (no exclusion, hard rules passed, mentor with room) scoring at
    least ``lowest`` — between the mentees ``rows`` (indices; the solver's rows are positions in
    it) and the mentors, found without scoring every pair.

    Open mentors are sorted by their answers (criteria with the largest weight first) and cut
    into groups of ``_GROUP_SIZE``. For a mentee and a group, an upper bound of every pair's
    score is computed from the group's summary — the codes present (``same``), the union of the
    answers and the smallest answer (``overlap``, ``covers``), the range of values
    (``distance``) — with the very floating-point operations of exact scoring applied to values
    that dominate the pair's, so the bound holds exactly (plus one unit): a ``same`` similarity
    is at most 1 if the mentee's answer occurs in the group, |A ∩ B| ≤ |A ∩ ∪B|,
    |A ∪ B| ≥ max(|A|, min |B|), |a − b| ≥ the distance from a to the group's range. A hard rule
    rules out a whole group when no member can pass it. Only pairs of groups whose bound can
    matter are scored exactly."""

    def __init__(
        self, *, prepared: Prepared, rows: np.ndarray, capacity: np.ndarray, lowest: int
    ) -> None:
        self.prepared = prepared
        self.scorer = prepared.scorer
        self.rows = rows
        self.capacity = capacity
        self.lowest = lowest
        self.row_count = len(rows)
        self.column_count = len(capacity)
        open_cols = np.flatnonzero(capacity > 0)
        size = max(1, min(_GROUP_SIZE, len(open_cols) // 64))
        # Sort keys, least significant first (np.lexsort): hard rules, then criteria by weight.
        keys: list[np.ndarray] = []
        for encoded in sorted(self.scorer.encoded, key=lambda e: e.share):
            kind = encoded.criterion.kind
            if kind == "same" or kind == "distance":
                keys.append(encoded.mentor[open_cols])
            else:
                keys.append(encoded.mentor[open_cols, 0])
                keys.append(encoded.mentor_sizes[open_cols])  # type: ignore[index]
        order = open_cols[np.lexsort(keys)] if keys else open_cols
        self.order = order
        self.starts = np.arange(0, len(order), size, dtype=np.int64)
        self.sizes = np.diff(np.append(self.starts, len(order)))
        self.group_count = len(self.starts)
        self.summaries = [self._summary(encoded) for encoded in self.scorer.encoded]

    def _summary(self, encoded: EncodedCriterion) -> dict[str, np.ndarray]:
        kind = encoded.criterion.kind
        mentor = encoded.mentor[self.order]
        starts = self.starts
        if len(starts) == 0:
            return {}
        if kind == "same":
            code_count = int(max(encoded.mentee.max(initial=-1), mentor.max(initial=-1))) + 1
            # present[code, group]; the last line (code −1: a missing answer) stays False.
            present = np.zeros((code_count + 1, len(starts)), dtype=bool)
            group = np.repeat(np.arange(len(starts)), self.sizes)
            known = mentor >= 0
            present[mentor[known], group[known]] = True
            lowest = np.minimum.reduceat(mentor, starts)
            highest = np.maximum.reduceat(mentor, starts)
            only = np.where((lowest == highest) & (lowest >= 0), lowest, -3)
            return {"present": present, "only": only}
        if kind == "distance":
            low, high = np.fmin.reduceat(mentor, starts), np.fmax.reduceat(mentor, starts)
            return {"low": low, "high": high}
        sizes = encoded.mentor_sizes[self.order]  # type: ignore[index]
        return {
            "union": np.bitwise_or.reduceat(mentor, starts, axis=0),
            "smallest": np.minimum.reduceat(np.where(sizes > 0, sizes, 1 << 30), starts),
        }

    def bounds(self, positions: np.ndarray) -> np.ndarray:
        """Upper bounds (float64, integer values) of the scores of the mentees at ``positions``
        × every group; −inf where no pair of the group can pass the hard rules."""
        mentees = self.rows[positions]
        shape = (len(positions), self.group_count)
        total = np.zeros(shape, dtype=np.float64)
        possible = np.ones(shape, dtype=bool)
        for encoded, summary in zip(self.scorer.encoded, self.summaries, strict=True):
            criterion = encoded.criterion
            kind, hard = criterion.kind, criterion.hard
            if kind == "same":
                codes = encoded.mentee[mentees]
                present = summary["present"]
                codes = np.where(codes >= 0, codes, len(present) - 1)
                is_present = present[codes]
                if hard == "must_match":
                    possible &= is_present
                elif hard == "must_differ":
                    possible &= codes[:, None] != summary["only"][None, :]
                similarity = is_present.astype(np.float64)
            elif kind == "distance":
                value = encoded.mentee[mentees][:, None]
                gap = np.fmax(summary["low"][None, :] - value, value - summary["high"][None, :])
                np.maximum(gap, 0.0, out=gap)  # NaN (missing answer) stays NaN
                gap *= -1.0 / float(criterion.value_range)  # type: ignore[arg-type]
                gap += 1.0
                similarity = np.fmax(gap, 0.0, out=gap)
            else:
                left = encoded.mentee[mentees][:, None, :]
                union = summary["union"][None, :, :]
                common = np.bitwise_count(left[..., 0] & union[..., 0]).astype(np.int64)
                for word in range(1, left.shape[-1]):
                    common += np.bitwise_count(left[..., word] & union[..., word])
                size = encoded.mentee_sizes[mentees][:, None]  # type: ignore[index]
                if kind == "overlap":
                    denominator = np.maximum(size, summary["smallest"][None, :])
                else:
                    denominator = np.broadcast_to(size, common.shape)
                similarity = np.zeros(shape, dtype=np.float64)
                np.divide(common, denominator, out=similarity, where=denominator > 0)
            if hard == "must_match" and kind != "same":
                possible &= similarity > 0
            if encoded.share > 0:
                similarity *= encoded.share
                total += similarity
        total *= FULL_SCORE
        np.rint(total, out=total)
        np.clip(total, 0, FULL_SCORE, out=total)
        total += 1.0
        total[~possible] = -np.inf
        return total

    def _blocks(self) -> Iterable[np.ndarray]:
        step = max(1, _BOUND_CELLS // max(1, self.group_count))
        for start in range(0, self.row_count, step):
            yield np.arange(start, min(self.row_count, start + step), dtype=np.int64)

    def _expand(self, positions: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pairs (position, mentor) of each (positions[p], groups[p])."""
        counts = self.sizes[groups]
        total = int(counts.sum())
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        cols = self.order[np.repeat(self.starts[groups], counts) + within]
        return np.repeat(positions, counts), cols

    def score(
        self, positions: np.ndarray, cols: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The edges among the pairs (positions[p], cols[p]), with their exact integer scores."""
        mentees = self.rows[positions]
        scores, passes = self.scorer._score(mentees, cols, outer=False)
        keep = passes & (scores >= self.lowest) & (self.capacity[cols] > 0)
        keep[keep] = ~self.prepared.is_excluded(mentees[keep], cols[keep])
        return positions[keep], cols[keep], scores[keep].astype(np.int64)

    def _top_per_line(
        self, lines: np.ndarray, others: np.ndarray, keys: np.ndarray, count: int
    ) -> np.ndarray:
        """Mask of the ``count`` largest ``keys`` of each line."""
        order = np.lexsort((-keys, lines))
        sorted_lines = lines[order]
        rank = np.arange(len(order)) - np.searchsorted(sorted_lines, sorted_lines, side="left")
        chosen = np.zeros(len(lines), dtype=bool)
        chosen[order[rank < count]] = True
        return chosen

    def initial(self, per_row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """First candidates: each mentee's ``per_row`` best edges among its most promising
        groups, and each mentor's 2 × ``per_row`` best among the pairs so scored."""
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if self.group_count == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        for positions in self._blocks():
            bounds = self.bounds(positions)
            take = min(_GROUPS_PER_ROW, self.group_count)
            if take < self.group_count:
                best = np.argpartition(-bounds, take - 1, axis=1)[:, :take]
            else:
                best = np.broadcast_to(np.arange(self.group_count), bounds.shape)
            lines = np.repeat(positions, best.shape[1])
            groups = best.ravel()
            keep = np.isfinite(bounds[lines - positions[0], groups])
            found.append(self.score(*self._expand(lines[keep], groups[keep])))
        rows = np.concatenate([f[0] for f in found])
        cols = np.concatenate([f[1] for f in found])
        scores = np.concatenate([f[2] for f in found])
        m, n = self.column_count, self.row_count
        keyed = scores * m + (m - 1 - rotation(rows, cols, n, m))
        chosen = self._top_per_line(rows, cols, keyed, per_row)
        keyed = scores * n + (n - 1 - rotation(cols, rows, m, n))
        chosen |= self._top_per_line(cols, rows, keyed, 2 * per_row)
        return rows[chosen], cols[chosen], scores[chosen]

    def violations(
        self,
        *,
        u: np.ndarray,
        v: np.ndarray,
        bonus: int,
        per_row: int,
        is_full: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """None if score_ij + bonus ≤ u_i + v_j on every edge: the duals (u, v) are then
        feasible for the whole problem. Else edges where it fails (at most ``per_row`` per
        row, the largest excess first; ties: mentors with room first, then by ``rotation``).

        A group is skipped when bound − min v over the group ≤ u_i − bonus. Each round first
        scores only each mentee's few most promising groups that are not skipped; only if
        that finds nothing does it score every group not skipped (the proof)."""
        if self.group_count == 0 or self.row_count == 0:
            return None
        v_low = np.minimum.reduceat(v[self.order], self.starts).astype(np.float64)
        threshold = (u - bonus).astype(np.float64)
        for complete in (False, True) if self.group_count > _GROUPS_PER_ROW else (True,):
            found = self._violations_pass(
                u=u, v=v, bonus=bonus, v_low=v_low, threshold=threshold, complete=complete
            )
            if found is not None:
                break
        else:
            return None
        rows, cols, scores, excess = found
        m, n = self.column_count, self.row_count
        order = np.lexsort((rotation(rows, cols, n, m), is_full[cols], -excess, rows))
        rows, cols, scores = rows[order], cols[order], scores[order]
        rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
        keep = rank < per_row
        return rows[keep], cols[keep], scores[keep]

    def _violations_pass(
        self,
        *,
        u: np.ndarray,
        v: np.ndarray,
        bonus: int,
        v_low: np.ndarray,
        threshold: np.ndarray,
        complete: bool,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for positions in self._blocks():
            reach = self.bounds(positions)
            reach -= v_low[None, :]
            reach -= threshold[positions, None]  # > 0: the group may hold a violation
            if not complete and self.group_count > _GROUPS_PER_ROW:
                cut = np.partition(reach, self.group_count - _GROUPS_PER_ROW, axis=1)[
                    :, self.group_count - _GROUPS_PER_ROW
                ]
                reach[reach < cut[:, None]] = -np.inf
            lines, groups = np.nonzero(reach > 0)
            if len(lines) == 0:
                continue
            rows, cols, scores = self.score(*self._expand(positions[lines], groups))
            excess = scores + bonus - u[rows] - v[cols]
            hit = excess > 0
            if hit.any():
                parts.append((rows[hit], cols[hit], scores[hit], excess[hit]))
        if not parts:
            return None
        return tuple(np.concatenate([p[i] for p in parts]) for i in range(4))  # type: ignore[return-value]
