"""Solver: the optimal matching of a whole cohort, with a proof of optimality (LP duality).

Standard library, numpy, scipy and the engine's other modules only. See the package docstring
for the method; in short: candidate edges → exact assignment on them (LAPJVsp) → integer duals
that certify it on the candidates → a check of those duals against every edge of the whole
problem, done sparsely (``CompactEdges.violations``) → violating edges join the candidates.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from tenant_apps.matching.engine.explain import explained_pairs
from tenant_apps.matching.engine.model import (
    FULL_SCORE,
    SCORE_RESOLUTION,
    MatchingProblem,
    MatchingResult,
    Objective,
    ProposedPair,
    Translate,
    identity,
)
from tenant_apps.matching.engine.scoring import CompactEdges, prepare


def _assign(
    *,
    row_count: int,
    capacity: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
    saturating: bool = False,
) -> np.ndarray:
    """Exact maximum-weight assignment on the given edges (weights > 0): each row takes at most
    one column, column j at most capacity[j] rows. Returns the column of each row or −1.

    ``saturating``: the best assignment among those that match every vertex of the smaller
    side (the places, or the rows), without the "stays empty" columns: a third faster, and
    the optimum whenever an optimum saturates that side — always in "matches" mode when such
    an assignment exists, usually in "score" mode. Raises ValueError if none exists; the
    caller's certificate tells whether it is the optimum."""
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
    costs = ceiling - np.repeat(weights, repeats).astype(np.float64)
    if saturating:
        graph = csr_array((costs, (heads, tails)), shape=(side, other))
    else:
        graph = csr_array(
            (
                np.concatenate([costs, np.full(side, ceiling)]),
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


class _RepairFailed(Exception):
    """A reduced cost below 0 or no path: never expected; the caller solves again."""


def _repair(
    *,
    assignment: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    capacity: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
    changed: np.ndarray,
) -> np.ndarray:
    """The optimal assignment on the candidate edges (``rows``, ``cols``, ``weights``), from an
    assignment that was optimal, with duals (u, v), before the edges of the rows ``changed``
    were added — without solving again: successive shortest paths (Dijkstra with potentials)
    on the residual min-cost-flow network, one path per changed row.

    The network: row i → column j (capacity 1, cost −w_ij), row i → sink (capacity 1, cost 0:
    i stays unassigned), column j → sink (capacity c_j, cost 0); every row supplies one unit.
    Potentials π(i) = u_i, π(j) = −v_j, π(sink) = 0 give every residual arc a reduced cost
    c + π(tail) − π(head) ≥ 0. Each changed row first takes u_i = max(0, max_j w_ij − v_j)
    over its edges, new ones included (its arcs are then ≥ 0 again) and gives up its place —
    one unit of excess at the row, one of deficit where it was (its column or the sink); then
    a shortest path (reduced costs, Dijkstra) from the row to the nearest deficit carries the
    unit, and the potentials of the nodes it settled move by D − d (the classic update, which
    keeps every reduced cost ≥ 0). The caller certifies the result (``_dual_prices``), so an
    error here could only cost a solve from scratch, never a wrong answer."""
    row_count, column_count = len(assignment), len(capacity)
    sink = row_count + column_count
    # Each row's edges by key = weight + π(column), largest first, π(column) = −v_column:
    # potentials only ever fall during a repair, so the reduced cost of an arc,
    # π(row) − weight − π(column), stays ≥ π(row) − key — once that reaches the nearest
    # deficit's distance, no later arc of the row can lead anywhere closer.
    keys = weights - v[cols]
    low_key, high_key = int(keys.min(initial=0)), int(keys.max(initial=0))
    if row_count * (high_key - low_key + 1) < 2**62:  # one int64 to sort (twice as fast)
        order = np.argsort(rows * (high_key - low_key + 1) + (high_key - keys))
    else:
        order = np.lexsort((-keys, rows))
    starts = np.searchsorted(rows[order], np.arange(row_count + 1)).tolist()
    edge_heads = (cols[order] + row_count).tolist()
    edge_weights = weights[order].tolist()
    edge_keys = keys[order].tolist()
    adjacency: dict[int, list[tuple[int, int, int]]] = {}

    def edges_of(row: int) -> list[tuple[int, int, int]]:
        """(column node, weight, key) of the row's edges, listed the first time the row is
        seen (a repair reaches a few thousand rows of the 50,000)."""
        edges = adjacency.get(row)
        if edges is None:
            low, high = starts[row], starts[row + 1]
            edges = adjacency[row] = list(
                zip(edge_heads[low:high], edge_weights[low:high], edge_keys[low:high], strict=True)
            )
        return edges

    # Potentials, Python ints (exact): rows, then columns, then the sink.
    potential = [*u.tolist(), *(-v).tolist(), 0]
    place = assignment.tolist()  # column of each row, −1: the sink, −2: none (an excess)
    occupants: list[dict[int, int]] = [{} for _ in range(column_count)]
    is_own = assignment[rows] == cols
    for row, col, weight in zip(
        rows[is_own].tolist(), cols[is_own].tolist(), weights[is_own].tolist(), strict=True
    ):
        occupants[col][row] = weight
    # Flow on column → sink (the column's load), and deficits (nodes owed a unit).
    outflow = np.bincount(assignment[assignment >= 0], minlength=column_count).tolist()
    deficit: dict[int, int] = {}
    for row in changed.tolist():
        edges = edges_of(row)
        potential[row] = max(0, edges[0][2]) if edges else 0
        old = place[row]
        if old >= 0:
            del occupants[old][row]
            node = row_count + old
        else:
            node = sink
        deficit[node] = deficit.get(node, 0) + 1
        place[row] = -2
    unassigned_rows = {row for row, col in enumerate(place) if col == -1}
    capacities = capacity.tolist()
    beyond = 4 * int(weights.max(initial=0)) + 4  # more than any path's reduced cost
    heappop, heappush = heapq.heappop, heapq.heappush
    adjacency_get = adjacency.get
    for source in changed.tolist():
        distance = {source: 0}
        distance_get = distance.get
        previous: dict[int, int] = {}
        settled: list[int] = []
        heap = [(0, source)]
        found = -1
        found_distance = 0
        bound = beyond
        while heap:
            d, node = heappop(heap)
            if d > distance_get(node, d):
                continue
            if node in deficit:
                found, found_distance = node, d
                break
            settled.append(node)
            # Residual arcs out of node; the distance through an arc to its head is
            # d + reduced cost = d + cost + π(node) − π(head) (never below d: reduced costs
            # are ≥ 0). Nothing at or past the nearest deficit seen yet needs a look.
            here = d + potential[node]
            if node < row_count:  # a row: its edges not in use, and the sink if not there
                # (the hot loop: inlined, most arcs lead nowhere new)
                taken = place[node] + row_count
                listed = adjacency_get(node)
                for head, weight, key in edges_of(node) if listed is None else listed:
                    if here - key >= bound:
                        break  # this arc and every later one end at or past the bound
                    candidate = here - weight - potential[head]
                    if candidate < bound and candidate < distance_get(head, bound):
                        if head == taken:
                            continue
                        if candidate < d:
                            raise _RepairFailed  # a negative reduced cost
                        distance[head] = candidate
                        previous[head] = node
                        heappush(heap, (candidate, head))
                        if head in deficit:
                            bound = candidate + 1
                arcs: list[tuple[int, int]] = []
                if place[node] != -1:
                    arcs.append((sink, here - potential[sink]))
            elif node < sink:  # a column: back to its occupants, on to the sink if room
                col = node - row_count
                arcs = [
                    (occupant, weight + here - potential[occupant])
                    for occupant, weight in occupants[col].items()
                ]
                if outflow[col] < capacities[col]:
                    arcs.append((sink, here - potential[sink]))
            else:  # the sink: back to unassigned rows and to columns with flow
                arcs = [(row, here - potential[row]) for row in unassigned_rows]
                arcs.extend(
                    (row_count + col, here - potential[row_count + col])
                    for col in range(column_count)
                    if outflow[col] > 0
                )
            for head, candidate in arcs:
                if candidate < bound and candidate < distance_get(head, bound):
                    if candidate < d:
                        raise _RepairFailed  # a negative reduced cost
                    distance[head] = candidate
                    previous[head] = node
                    heappush(heap, (candidate, head))
                    if head in deficit:
                        bound = candidate + 1
        if found < 0:
            raise _RepairFailed
        for node in settled:
            potential[node] -= found_distance - distance[node]
        # Carry the unit along the path, from its end back to the source.
        deficit[found] -= 1
        if deficit[found] == 0:
            del deficit[found]
        head = found
        while head != source:
            tail = previous[head]
            if tail < row_count and head < sink:  # row → column: takes a place
                col = head - row_count
                occupants[col][tail] = next(w for c, w, _ in edges_of(tail) if c == head)
                place[tail] = col
            elif tail < row_count:  # row → sink: stays unassigned
                place[tail] = -1
                unassigned_rows.add(tail)
            elif tail < sink and head < row_count:  # column → row: the row leaves it
                del occupants[tail - row_count][head]
            elif tail < sink:  # column → sink
                outflow[tail - row_count] += 1
            elif head < row_count:  # sink → row: the row was unassigned
                unassigned_rows.discard(head)
            else:  # sink → column
                outflow[head - row_count] -= 1
            head = tail
    return np.array(place, dtype=np.int64)


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


@dataclass(frozen=True)
class Certificate:
    """LP duals proving an assignment optimal: u_i + v_j ≥ score_ij + bonus on every edge of
    the whole problem, u ≥ 0, v ≥ 0, and Σu + Σ capacity·v = the assignment's weight."""

    u: np.ndarray
    v: np.ndarray
    value: int


def bonus_for(*, maximise: Objective, row_count: int) -> int:
    """Added to every edge's score: 0 for "score"; for "matches" more than any total score, so
    that one more match always outweighs any score difference."""
    return 0 if maximise == "score" else row_count * FULL_SCORE + 1


def certify(
    *,
    edges: CompactEdges,
    capacity: np.ndarray,
    bonus: int,
    assignment: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    scores: np.ndarray,
) -> Certificate | None:
    """The certificate of ``assignment`` (mentor or −1 per row, using only the candidate edges
    ``rows``, ``cols`` with ``scores``), or None if it cannot be proved optimal — which happens
    for every assignment that is not optimal."""
    weights = scores.astype(np.int64) + bonus
    residual = _residual(
        assignment=assignment, capacity=capacity, rows=rows, cols=cols, weights=weights
    )
    if (np.bincount(assignment[assignment >= 0], minlength=len(capacity)) > capacity).any():
        return None
    duals = _dual_prices(residual=residual, max_rounds=len(capacity) + 2)
    if duals is None:
        return None
    u, v = duals
    if edges.violations(u=u, v=v, bonus=bonus, per_row=1, is_full=residual.is_full) is not None:
        return None
    value = int(u.sum() + (capacity * v).sum())
    if value != int(residual.own_weight.sum()):
        return None
    return Certificate(u=u, v=v, value=value)


def solve(
    *, edges: CompactEdges, capacity: np.ndarray, maximise: Objective, candidate_limit: int
) -> tuple[np.ndarray, Certificate]:
    """Optimal mentor index (or −1) for each of ``edges``' rows, and its certificate; see the
    package docstring for the method and the proof of optimality."""
    row_count, column_count = edges.row_count, len(capacity)
    bonus = bonus_for(maximise=maximise, row_count=row_count)
    unassigned = np.full(row_count, -1, dtype=np.int64)
    if row_count == 0 or column_count == 0 or not (capacity > 0).any():
        zeros = np.zeros(row_count, np.int64), np.zeros(column_count, np.int64)
        return unassigned, Certificate(u=zeros[0], v=zeros[1], value=0)
    limit = max(1, candidate_limit)
    rows, cols, scores = edges.initial()
    assignment: np.ndarray | None = None
    previous: tuple[np.ndarray, np.ndarray] | None = None
    changed = np.zeros(0, dtype=np.int64)
    checked: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    per_row = limit
    while True:
        weights = scores + bonus
        duals = None
        if assignment is not None and previous is not None:
            # Repair the previous optimum for the new edges (a few hundred rows) instead of
            # solving again; the duals below prove the result (else: solve from scratch).
            try:
                assignment = _repair(
                    assignment=assignment,
                    u=previous[0],
                    v=previous[1],
                    capacity=capacity,
                    rows=rows,
                    cols=cols,
                    weights=weights,
                    changed=np.unique(changed),
                )
            except _RepairFailed:
                assignment = None
            if assignment is not None:
                residual = _residual(
                    assignment=assignment, capacity=capacity, rows=rows, cols=cols, weights=weights
                )
                duals = _dual_prices(residual=residual, max_rounds=column_count + 2)
        # A saturating assignment first (faster, and the optimum when one saturates the
        # smaller side); if it does not exist or the duals cannot prove it, the general one.
        for saturating in (True, False):
            if duals is not None:
                break
            try:
                assignment = _assign(
                    row_count=row_count,
                    capacity=capacity,
                    rows=rows,
                    cols=cols,
                    weights=weights,
                    saturating=saturating,
                )
            except ValueError:  # no assignment saturates the smaller side
                continue
            residual = _residual(
                assignment=assignment, capacity=capacity, rows=rows, cols=cols, weights=weights
            )
            duals = _dual_prices(residual=residual, max_rounds=column_count + 2)
        if duals is None:
            raise RuntimeError("Matching solver: LAPJVsp returned a non-optimal assignment.")
        u, v = duals
        # After the first check, only what the new duals could break is read again.
        extra = edges.violations(
            u=u, v=v, bonus=bonus, per_row=per_row, is_full=residual.is_full, since=checked
        )
        if extra is None:
            value = int(u.sum() + (capacity * v).sum())
            if value != int(residual.own_weight.sum()):
                raise RuntimeError("Matching solver: the duals do not match the assignment.")
            assert assignment is not None  # solved above when no duals proved the last one
            return assignment, Certificate(u=u, v=v, value=value)
        per_row *= 2  # pathological ties need more at a time
        previous, changed = (u, v), extra[0]
        # Every edge satisfies the duals (u, v) or is a candidate now — except maybe more
        # edges of the rows with violations (at most per_row of them were reported).
        dirty = np.zeros(row_count, dtype=bool)
        dirty[changed] = True
        checked = (u, v, dirty)
        # Violating edges are never candidates already (u_i + v_j ≥ w_ij holds on those).
        rows = np.concatenate([rows, extra[0]])
        cols = np.concatenate([cols, extra[1]])
        scores = np.concatenate([scores, extra[2]])


def match_cohort(
    *,
    problem: MatchingProblem,
    translate: Translate = identity,
    candidate_limit: int | None = None,
) -> MatchingResult:
    """The optimal matching of the whole cohort (see the package docstring).

    ``candidate_limit`` only tunes speed (mentors first considered per mentee; by default 8, 12
    past 20,000 mentees, where each mentee missed costs more to repair); the result is
    optimal whatever its value. ``translate`` (e.g. gettext) translates the explanations."""
    result, _ = match_cohort_certified(
        problem=problem, translate=translate, candidate_limit=candidate_limit
    )
    return result


def match_cohort_certified(
    *,
    problem: MatchingProblem,
    translate: Translate = identity,
    candidate_limit: int | None = None,
) -> tuple[MatchingResult, Certificate]:
    """``match_cohort``, and the LP duals that prove its result optimal: over the mentees not
    locked, Σu + Σ room·v = Σ (score + bonus) of their pairs, in 1/10,000 of a point, with
    ``bonus_for(maximise=…, row_count=those mentees)`` (for the benchmark)."""
    prepared = prepare(problem)
    is_free = np.ones(len(prepared.mentees), dtype=bool)
    locked_rows = np.array(sorted(prepared.locked), dtype=np.int64)
    is_free[locked_rows] = False
    free_rows = np.flatnonzero(is_free)
    capacity = np.array([m.capacity for m in prepared.mentors], dtype=np.int64) - prepared.load
    if candidate_limit is None:
        candidate_limit = 8 if len(free_rows) <= 20_000 else 12
    limit = max(1, candidate_limit)
    edges = CompactEdges(
        prepared=prepared,
        rows=free_rows,
        capacity=capacity,
        lowest=1 if problem.maximise == "score" else 0,
        per_row=limit,
        per_column=8 * limit,
    )
    assignment, certificate = solve(
        edges=edges,
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
    explained = explained_pairs(
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
    result = MatchingResult(
        pairs=pairs,
        unmatched_mentee_ids=tuple(prepared.mentees[i].id for i in np.flatnonzero(is_unmatched)),
        total_score=total / SCORE_RESOLUTION,
    )
    return result, certificate
