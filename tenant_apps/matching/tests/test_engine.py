"""The matching engine: scoring per criterion kind, hard rules, exclusions, capacities and locks,
optimality against independent exact solvers (brute force, dense assignment), determinism,
explanations and suggestions. Pure code: no database."""

import math
import random
from collections import Counter
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from tenant_apps.matching.engine import (
    CONFIDENTIAL_KEY,
    SCORE_RESOLUTION,
    Criterion,
    MatchingProblem,
    MatchingResult,
    Mentee,
    Mentor,
    explain_pair,
    match_cohort,
    score_matrix,
    suggestions,
)
from tenant_apps.matching.engine import scoring as scoring_module
from tenant_apps.matching.engine import solver as solver_module
from tenant_apps.matching.engine.scoring import CompactEdges, prepare
from tenant_apps.matching.engine.solver import bonus_for, certify, match_cohort_certified, solve

TOLERANCE = 1e-3  # scores are rounded to 1/10,000 of a point; a cohort has few pairs here
# No example database: nothing written to the working tree.
_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow],
}

# ----------------------------------------------------------------------------------------------
# An independent, naive reference of the scoring rules (one pair at a time, plain Python)


def _reference_set(answer):
    if answer is None or answer == "":
        return None
    if isinstance(answer, str):
        return {answer}
    values = {str(item) for item in answer}
    return values or None


def _reference_similarity(criterion, mentee_answer, mentor_answer):
    if criterion.kind == "same":
        a = None if mentee_answer in (None, "") else mentee_answer
        b = None if mentor_answer in (None, "") else mentor_answer
        if isinstance(a, (tuple, frozenset)):
            a = frozenset(a) or None
        if isinstance(b, (tuple, frozenset)):
            b = frozenset(b) or None
        return 1.0 if a is not None and a == b else 0.0
    if criterion.kind == "distance":
        numbers = (int, float)
        if not isinstance(mentee_answer, numbers) or not isinstance(mentor_answer, numbers):
            return 0.0
        return min(1.0, max(0.0, 1 - abs(mentee_answer - mentor_answer) / criterion.value_range))
    a, b = _reference_set(mentee_answer), _reference_set(mentor_answer)
    if a is None or b is None:
        return 0.0
    if criterion.kind == "overlap":
        return len(a & b) / len(a | b)
    return len(a & b) / len(a)  # covers


def _reference_pair(criteria, mentee, mentor):
    """(score 0..100, allowed by the hard rules)."""
    total_weight = sum(c.weight for c in criteria)
    points = 0.0
    allowed = True
    for criterion in criteria:
        similarity = _reference_similarity(
            criterion,
            mentee.answers.get(criterion.key),
            mentor.answers.get(criterion.mentor_key or criterion.key),
        )
        if criterion.hard == "must_match" and similarity == 0:
            allowed = False
        if criterion.hard == "must_differ" and similarity > 0:
            allowed = False
        points += criterion.weight * similarity
    return (100 * points / total_weight if total_weight else 0.0), allowed


def _brute_force(problem):
    """(matched count, total score) of the best assignment, by exhaustive search over every
    assignment of the free mentees (memoised on the remaining capacities)."""
    mentors = list(problem.mentors)
    locked = dict(problem.locked_pairs)
    capacity = {m.id: m.capacity for m in mentors}
    total_locked = 0.0
    for mentee in problem.mentees:
        if mentee.id in locked:
            mentor = next(m for m in mentors if m.id == locked[mentee.id])
            capacity[mentor.id] -= 1
            total_locked += _reference_pair(problem.criteria, mentee, mentor)[0]
    free = [m for m in problem.mentees if m.id not in locked]
    options = []
    for mentee in free:
        allowed = []
        for position, mentor in enumerate(mentors):
            score, passes = _reference_pair(problem.criteria, mentee, mentor)
            if not passes or (mentee.id, mentor.id) in problem.exclusions:
                continue
            if problem.maximise == "score" and score <= 0:
                continue
            allowed.append((position, score))
        options.append(allowed)

    def key(outcome):
        return outcome if problem.maximise == "matches" else (0, outcome[1])

    @cache
    def best(index, capacities):
        if index == len(free):
            return (0, 0.0)
        outcomes = [best(index + 1, capacities)]
        for position, score in options[index]:
            if capacities[position] > 0:
                rest = list(capacities)
                rest[position] -= 1
                count, total = best(index + 1, tuple(rest))
                outcomes.append((count + 1, total + score))
        return max(outcomes, key=key)

    count, total = best(0, tuple(capacity[m.id] for m in mentors))
    return count + len(locked), total + total_locked


# ----------------------------------------------------------------------------------------------
# Random cohorts

_TEMPLATES = (
    ("language", "same", None, ("fr", "en", "de")),
    ("skills", "overlap", None, ("a", "b", "c", "d", "e")),
    ("needs", "covers", "offers", ("a", "b", "c", "d")),
    ("age", "distance", None, (20, 25, 31, 40, 52)),
    ("team", "same", None, ("red", "blue", "green")),
    ("site", "overlap", None, ("paris", "lyon", "lille")),
)


@st.composite
def problems(draw, *, max_mentees=7, max_mentors=7, max_capacity=3):
    templates = draw(st.lists(st.sampled_from(_TEMPLATES), min_size=1, max_size=4, unique=True))
    criteria = []
    for key, kind, mentor_key, _ in templates:
        criteria.append(
            Criterion(
                key=key,
                kind=kind,
                mentor_key=mentor_key,
                weight=draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])),
                hard=draw(st.sampled_from([None, None, "must_match", "must_differ"])),
                value_range=15.0 if kind == "distance" else None,
                label=key.title(),
            )
        )

    def answers():
        result = {}
        for key, kind, mentor_key, values in templates:
            for question in {key, mentor_key or key}:
                if kind in ("overlap", "covers"):
                    answer = draw(
                        st.one_of(
                            st.none(),
                            st.frozensets(st.sampled_from(values), max_size=3),
                            st.sampled_from(values),
                        )
                    )
                else:
                    answer = draw(st.one_of(st.none(), st.sampled_from(values)))
                result[question] = answer
        return result

    mentee_count = draw(st.integers(0, max_mentees))
    mentor_count = draw(st.integers(0, max_mentors))
    mentees = [Mentee(id=i, answers=answers()) for i in range(mentee_count)]
    mentors = [
        Mentor(id=f"m{j}", answers=answers(), capacity=draw(st.integers(1, max_capacity)))
        for j in range(mentor_count)
    ]
    pairs = [(m.id, n.id) for m in mentees for n in mentors]
    exclusions = frozenset(p for p in pairs if draw(st.integers(0, 9)) == 0)
    locked = {}
    room = {m.id: m.capacity for m in mentors}
    for mentee in mentees:
        if mentors and draw(st.integers(0, 7)) == 0:
            mentor = draw(st.sampled_from(mentors))
            if room[mentor.id] > 0:
                room[mentor.id] -= 1
                locked[mentee.id] = mentor.id
    return MatchingProblem(
        mentees=mentees,
        mentors=mentors,
        criteria=criteria,
        exclusions=exclusions,
        locked_pairs=frozenset(locked.items()),
        maximise=draw(st.sampled_from(["score", "matches"])),
    )


def _mentor(problem, mentor_id):
    return next(m for m in problem.mentors if m.id == mentor_id)


def _mentee(problem, mentee_id):
    return next(m for m in problem.mentees if m.id == mentee_id)


def _assert_respects_the_rules(problem, result: MatchingResult):
    locked = dict(problem.locked_pairs)
    seen = [pair.mentee_id for pair in result.pairs]
    assert len(seen) == len(set(seen))
    assert Counter(seen + list(result.unmatched_mentee_ids)) == Counter(
        m.id for m in problem.mentees
    )
    for mentee_id, mentor_id in locked.items():
        assert any(
            p.mentee_id == mentee_id and p.mentor_id == mentor_id and p.is_locked
            for p in result.pairs
        )
    for mentor in problem.mentors:
        assert sum(p.mentor_id == mentor.id for p in result.pairs) <= mentor.capacity
    for pair in result.pairs:
        if pair.is_locked:
            assert locked[pair.mentee_id] == pair.mentor_id
            continue
        assert pair.mentee_id not in locked
        assert (pair.mentee_id, pair.mentor_id) not in problem.exclusions
        reference, allowed = _reference_pair(
            problem.criteria, _mentee(problem, pair.mentee_id), _mentor(problem, pair.mentor_id)
        )
        assert allowed
        assert math.isclose(pair.score, reference, abs_tol=TOLERANCE)
        if problem.maximise == "score":
            assert pair.score > 0
    assert math.isclose(result.total_score, sum(p.score for p in result.pairs), abs_tol=TOLERANCE)


# ----------------------------------------------------------------------------------------------
# Optimality and rules, on random cohorts


@settings(max_examples=400, **_SETTINGS)
@given(problem=problems(), candidate_limit=st.integers(1, 3))
def test_total_equals_brute_force_optimum_and_rules_hold(problem, candidate_limit):
    # given a random small cohort (≤ 7 × 7, capacities 1–3, exclusions, hard rules, locks)
    # when the engine matches it, starting from very few candidates per mentee
    result = match_cohort(problem=problem, candidate_limit=candidate_limit)
    # then no rule is broken and the result is the exhaustive search's optimum
    _assert_respects_the_rules(problem, result)
    count, total = _brute_force(problem)
    assert math.isclose(result.total_score, total, abs_tol=TOLERANCE)
    if problem.maximise == "matches":
        assert len(result.pairs) == count


def _dense_optimum(problem):
    """(matched count, total in 1/10,000 points) by a different exact method: scipy's dense
    linear_sum_assignment on the engine's score matrix, mentors repeated once per free place,
    one "no match" column per mentee."""
    matrix = score_matrix(problem=problem)
    units = np.rint(matrix.scores * SCORE_RESOLUTION).astype(np.int64)
    locked = dict(problem.locked_pairs)
    free = [i for i, mentee_id in enumerate(matrix.mentee_ids) if mentee_id not in locked]
    room = {m.id: m.capacity for m in problem.mentors}
    locked_units = 0
    for mentee_id, mentor_id in locked.items():
        room[mentor_id] -= 1
        i, j = matrix.mentee_ids.index(mentee_id), matrix.mentor_ids.index(mentor_id)
        locked_units += units[i, j]
    slots = [j for j, mentor_id in enumerate(matrix.mentor_ids) for _ in range(room[mentor_id])]
    lowest = 1 if problem.maximise == "score" else 0
    bonus = 0 if problem.maximise == "score" else (len(free) + 1) * 100 * SCORE_RESOLUTION
    forbidden = 10.0**15  # worse than staying unmatched
    pair_units = units[np.ix_(free, slots)]
    usable = matrix.allowed[np.ix_(free, slots)] & (pair_units >= lowest)
    cost = np.full((len(free), len(slots) + len(free)), forbidden)
    cost[:, : len(slots)] = np.where(usable, -(pair_units + bonus).astype(float), forbidden)
    cost[np.arange(len(free)), len(slots) + np.arange(len(free))] = 0
    rows, cols = linear_sum_assignment(cost)
    is_matched = cols < len(slots)
    total = int(pair_units[rows[is_matched], cols[is_matched]].sum()) + locked_units
    return int(is_matched.sum()) + len(locked), total


@settings(max_examples=80, **_SETTINGS)
@given(
    problem=problems(max_mentees=40, max_mentors=12, max_capacity=5),
    candidate_limit=st.integers(1, 3),
)
def test_total_equals_dense_assignment_optimum_on_larger_cohorts(problem, candidate_limit):
    # given a larger random cohort, where few candidates per mentee are far from enough
    # when the engine matches it
    result = match_cohort(problem=problem, candidate_limit=candidate_limit)
    # then it reaches exactly the optimum of a dense assignment solver on the same scores
    count, total_units = _dense_optimum(problem)
    assert round(result.total_score * SCORE_RESOLUTION) == total_units
    if problem.maximise == "matches":
        assert len(result.pairs) == count
    _assert_respects_the_rules(problem, result)


@settings(max_examples=100, **_SETTINGS)
@given(problem=problems(max_mentees=12, max_mentors=8), seed=st.integers(0, 2**32 - 1))
def test_same_input_in_any_order_gives_the_same_result(problem, seed):
    # given the same cohort with mentees, mentors, criteria, exclusions and locks shuffled
    shuffle = random.Random(seed)
    shuffled = MatchingProblem(
        mentees=shuffle.sample(list(problem.mentees), len(problem.mentees)),
        mentors=shuffle.sample(list(problem.mentors), len(problem.mentors)),
        criteria=shuffle.sample(list(problem.criteria), len(problem.criteria)),
        exclusions=shuffle.sample(sorted(problem.exclusions), len(problem.exclusions)),
        locked_pairs=shuffle.sample(sorted(problem.locked_pairs), len(problem.locked_pairs)),
        maximise=problem.maximise,
    )
    # when both are matched, twice
    first = match_cohort(problem=problem)
    # then every result is identical, pair for pair, explanation for explanation
    assert match_cohort(problem=problem) == first
    assert match_cohort(problem=shuffled) == first


def _scarce_mentors_cohort(
    *, mentee_count, mentor_count, seed, maximise="score", sites=("north", "south")
):
    """Mentors scarce and tastes alike, a "different team" rule, a "same site" rule (mentees
    may name sites no mentor is on) and a few bans."""
    rng = np.random.default_rng(seed)
    criteria = [
        Criterion(key="skills", kind="overlap", weight=2),
        Criterion(key="age", kind="distance", weight=1, value_range=30),
        Criterion(key="city", kind="same", weight=1),
        Criterion(key="team", kind="same", weight=0, hard="must_differ"),
        Criterion(key="site", kind="same", weight=0, hard="must_match"),
    ]

    def answers(site_choices):
        return {
            "skills": frozenset(f"s{k}" for k in rng.choice(12, rng.integers(1, 5), replace=False)),
            "age": int(rng.integers(20, 60)),
            "city": f"c{rng.integers(0, 4)}",
            "team": f"t{rng.integers(0, 10)}",
            "site": str(rng.choice(site_choices)),
        }

    return MatchingProblem(
        mentees=[Mentee(id=i, answers=answers(sites)) for i in range(mentee_count)],
        mentors=[
            Mentor(
                id=10_000 + j,
                answers=answers(("north", "south")),
                capacity=int(rng.integers(1, 6)),
            )
            for j in range(mentor_count)
        ],
        criteria=criteria,
        exclusions={
            (int(i), 10_000 + int(j))
            for i, j in zip(
                rng.integers(0, mentee_count, mentee_count),
                rng.integers(0, mentor_count, mentee_count),
                strict=True,
            )
        },
        maximise=maximise,
    )


def test_candidate_limit_changes_nothing_but_speed():
    # given a cohort where mentors are scarce and tastes alike
    problem = _scarce_mentors_cohort(mentee_count=300, mentor_count=80, seed=3)
    # when it is matched from 1 candidate per mentee and from every mentor
    narrow = match_cohort(problem=problem, candidate_limit=1)
    wide = match_cohort(problem=problem, candidate_limit=1000)
    # then both are optimal: same total (the chosen pairs may differ only among ties)
    assert narrow.total_score == wide.total_score
    assert _dense_optimum(problem)[1] == round(wide.total_score * SCORE_RESOLUTION)


def test_matches_mode_is_exact_on_a_cohort_where_the_bonus_is_large():
    # given 1,200 mentees for about 900 places, a third of them on a site no mentor is on, so
    # that some places stay free; the per-match bonus exceeds 2**30
    problem = _scarce_mentors_cohort(
        mentee_count=1200,
        mentor_count=300,
        seed=5,
        maximise="matches",
        sites=("north", "south", "far away"),
    )
    # when it is matched
    result = match_cohort(problem=problem)
    # then as many mentees as possible are matched, then the total is the best possible
    count, total_units = _dense_optimum(problem)
    assert len(result.pairs) == count
    assert round(result.total_score * SCORE_RESOLUTION) == total_units
    _assert_respects_the_rules(problem, result)


@settings(max_examples=40, **_SETTINGS)
@given(
    problem=problems(max_mentees=90, max_mentors=60, max_capacity=4),
    candidate_limit=st.integers(1, 2),
)
def test_sparse_solver_equals_the_dense_optimum_with_many_mentors(problem, candidate_limit):
    # given a random cohort with up to 60 mentors (capacities, hard rules, exclusions, locks),
    # where one or two first candidates per mentee leave most edges to the duality check
    # when the engine matches it
    result = match_cohort(problem=problem, candidate_limit=candidate_limit)
    # then it reaches the optimum of the dense exact solver, for either objective
    count, total_units = _dense_optimum(problem)
    assert round(result.total_score * SCORE_RESOLUTION) == total_units
    if problem.maximise == "matches":
        assert len(result.pairs) == count
    _assert_respects_the_rules(problem, result)


@settings(max_examples=60, **_SETTINGS)
@given(
    problem=problems(max_mentees=90, max_mentors=60, max_capacity=4),
    candidate_limit=st.integers(1, 2),
)
def test_new_candidates_repair_the_optimum_instead_of_solving_again(problem, candidate_limit):
    # given a random cohort where one or two first candidates per mentee are far from enough,
    # so that the duality check adds edges over several rounds
    solves = []
    original = solver_module._assign

    def counted(**arguments):
        solves.append(len(arguments["rows"]))
        return original(**arguments)

    # when the engine matches it, counting the assignments solved from scratch
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solver_module, "_assign", counted)
        result = match_cohort(problem=problem, candidate_limit=candidate_limit)
    # then only the first candidates were solved from scratch (once, or twice when the
    # saturating attempt was not the optimum) — every later round repaired the optimum
    # (shortest paths) and the repair was proved optimal, never solved again
    assert len(set(solves)) <= 1
    assert len(solves) <= 2
    # and the result is the optimum of the dense exact solver
    count, total_units = _dense_optimum(problem)
    assert round(result.total_score * SCORE_RESOLUTION) == total_units
    if problem.maximise == "matches":
        assert len(result.pairs) == count
    _assert_respects_the_rules(problem, result)


@settings(max_examples=60, **_SETTINGS)
@given(
    problem=problems(max_mentees=90, max_mentors=60, max_capacity=4),
    candidate_limit=st.integers(1, 2),
)
def test_the_returned_duals_hold_on_every_allowed_pair(problem, candidate_limit):
    """After the first round the duality check reads only what new duals could break (rows
    whose u fell, mentors whose v fell): the final duals must still hold on every pair."""
    # given a random cohort where the duality check adds edges over several rounds
    # when the engine matches it and returns its LP duals
    result, certificate = match_cohort_certified(problem=problem, candidate_limit=candidate_limit)
    # then u_i + v_j ≥ score_ij + bonus on every allowed pair, checked densely here
    matrix = score_matrix(problem=problem)
    units = np.rint(matrix.scores * SCORE_RESOLUTION).astype(np.int64)
    locked = dict(problem.locked_pairs)
    free = [i for i, mentee_id in enumerate(matrix.mentee_ids) if mentee_id not in locked]
    room = np.array(
        [
            next(m.capacity for m in problem.mentors if m.id == mentor_id)
            - sum(1 for locked_mentor in locked.values() if locked_mentor == mentor_id)
            for mentor_id in matrix.mentor_ids
        ]
    )
    bonus = bonus_for(maximise=problem.maximise, row_count=len(free))
    lowest = 1 if problem.maximise == "score" else 0
    edges = matrix.allowed[free] & (units[free] >= lowest) & (room > 0)[None, :]
    reach = certificate.u[:, None] + certificate.v[None, :]
    assert (reach[edges] >= units[free][edges] + bonus).all()
    assert (certificate.u >= 0).all() and (certificate.v >= 0).all()
    # and their value is the value of the pairs (so the result is optimal)
    free_pairs = [pair for pair in result.pairs if not pair.is_locked]
    value = sum(round(pair.score * SCORE_RESOLUTION) + bonus for pair in free_pairs)
    assert certificate.value == value == int(certificate.u.sum() + (room * certificate.v).sum())


@settings(max_examples=60, **_SETTINGS)
@given(problem=problems(max_mentees=30, max_mentors=20), data=st.data())
def test_a_later_duality_check_finds_what_a_full_one_finds(problem, data):
    """``violations(since=…)`` reads again only the rows whose u fell (and dirty ones) and the
    mentors whose v fell: given what the earlier check established, it finds exactly the
    violations a full check finds."""
    # given the edges of a random cohort and earlier duals (u', v'), every row with a
    # violation of them marked dirty (a non-dirty row satisfied them on every edge)
    prepared = prepare(problem)
    rows = np.arange(len(prepared.mentees), dtype=np.int64)
    capacity = np.array([m.capacity for m in prepared.mentors], dtype=np.int64)
    edges = CompactEdges(
        prepared=prepared, rows=rows, capacity=capacity, lowest=1, per_row=1, per_column=1
    )
    n, m = len(rows), len(capacity)
    random_duals = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    # (u'_i = 100 points, the most any pair scores, satisfies every edge of row i)
    earlier_u = np.where(
        random_duals.random(n) < 0.3, 1_000_000, random_duals.integers(300_000, 1_000_000, n)
    )
    earlier_v = random_duals.integers(0, 500_000, m)
    is_full = np.zeros(m, dtype=bool)
    wide = n * m + 1
    before = edges.violations(u=earlier_u, v=earlier_v, bonus=0, per_row=wide, is_full=is_full)
    dirty = np.zeros(n, dtype=bool)
    if before is not None:
        dirty[before[0]] = True

    # when the duals move (some fall, some rise, some stay)
    def moved(duals):
        moves = random_duals.integers(-600_000, 200_000, len(duals))
        return np.maximum(0, duals + np.where(random_duals.random(len(duals)) < 0.3, 0, moves))

    u, v = moved(earlier_u), moved(earlier_v)
    # then the later check finds the very violations of a full check
    since = (earlier_u, earlier_v, dirty)
    later = edges.violations(u=u, v=v, bonus=0, per_row=wide, is_full=is_full, since=since)
    full = edges.violations(u=u, v=v, bonus=0, per_row=wide, is_full=is_full)
    assert (later is None) == (full is None)
    if full is not None:
        assert all((a == b).all() for a, b in zip(later, full, strict=True))


@settings(max_examples=40, **_SETTINGS)
@given(seed=st.integers(0, 2**32 - 1), ties=st.booleans())
def test_a_repair_reaches_the_optimum_a_new_solve_finds(seed, ties):
    """The repair (shortest paths from the previous optimum, each row's arcs scanned best
    first and cut at the nearest deficit) against the exact assignment solved from scratch,
    on random candidate graphs large enough for long paths, weights with or without ties."""
    # given an optimal assignment with its duals on random first edges
    rng = np.random.default_rng(seed)
    row_count, column_count = 150, 30
    capacity = rng.integers(1, 4, column_count)
    all_rows = np.repeat(np.arange(row_count), column_count)
    all_cols = np.tile(np.arange(column_count), row_count)
    high = 20 if ties else 1_000_000
    all_weights = rng.integers(1, high, len(all_rows))
    is_first = rng.random(len(all_rows)) < 0.15
    rows, cols, weights = all_rows[is_first], all_cols[is_first], all_weights[is_first]
    arguments = {"row_count": row_count, "capacity": capacity}
    assignment = solver_module._assign(**arguments, rows=rows, cols=cols, weights=weights)
    for _ in range(3):
        residual = solver_module._residual(
            assignment=assignment, capacity=capacity, rows=rows, cols=cols, weights=weights
        )
        duals = solver_module._dual_prices(residual=residual, max_rounds=column_count + 2)
        assert duals is not None
        # when edges of some rows join (as violating edges do) and the optimum is repaired
        is_new = ~is_first & (rng.random(len(all_rows)) < 0.05)
        is_first |= is_new
        changed = np.unique(all_rows[is_new])
        rows = np.concatenate([rows, all_rows[is_new]])
        cols = np.concatenate([cols, all_cols[is_new]])
        weights = np.concatenate([weights, all_weights[is_new]])
        assignment = solver_module._repair(
            assignment=assignment,
            u=duals[0],
            v=duals[1],
            capacity=capacity,
            rows=rows,
            cols=cols,
            weights=weights,
            changed=changed,
        )
        # then the repaired assignment is worth what a solve from scratch finds, and proved
        fresh = solver_module._assign(**arguments, rows=rows, cols=cols, weights=weights)
        repaired_value = int(weights[assignment[rows] == cols].sum())
        assert repaired_value == int(weights[fresh[rows] == cols].sum())
        load = np.bincount(assignment[assignment >= 0], minlength=column_count)
        assert (load <= capacity).all()


def _lp_optimum(problem):
    """(matched count, total in 1/10,000 points) by a third exact method: the capacitated
    assignment LP on the engine's score matrix (every allowed pair a variable), solved by
    scipy's linprog (HiGHS); for "matches", first the largest count, then the best total with
    at least that many pairs. The LP optimum of a bipartite b-matching is integral (checked)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_array, vstack

    matrix = score_matrix(problem=problem)
    units = np.rint(matrix.scores * SCORE_RESOLUTION).astype(np.int64)
    locked = dict(problem.locked_pairs)
    free = [i for i, mentee_id in enumerate(matrix.mentee_ids) if mentee_id not in locked]
    room = {m.id: m.capacity for m in problem.mentors}
    locked_units = 0
    for mentee_id, mentor_id in locked.items():
        room[mentor_id] -= 1
        locked_units += units[
            matrix.mentee_ids.index(mentee_id), matrix.mentor_ids.index(mentor_id)
        ]
    capacity = np.array([room[mentor_id] for mentor_id in matrix.mentor_ids], dtype=float)
    lowest = 1 if problem.maximise == "score" else 0
    usable = matrix.allowed[free] & (units[free] >= lowest) & (capacity > 0)[None, :]
    rows, cols = np.nonzero(usable)
    if len(rows) == 0:
        return len(locked), locked_units
    count = len(rows)
    ones = np.ones(count)
    blocks = [
        coo_array((ones, (rows, np.arange(count))), shape=(len(free), count)),
        coo_array((ones, (cols, np.arange(count))), shape=(len(capacity), count)),
    ]
    bounds = [np.ones(len(free)), capacity]

    def solve_lp(objective, extra_rows=(), extra_bounds=()):
        lp = linprog(
            objective,
            A_ub=vstack([*blocks, *extra_rows]).tocsr(),
            b_ub=np.concatenate([*bounds, *extra_bounds]),
            bounds=(0, 1),
            method="highs",
        )
        assert lp.status == 0
        x = np.rint(lp.x)
        assert np.abs(lp.x - x).max() < 1e-6
        return x > 0.5

    pair_units = units[free][rows, cols]
    if problem.maximise == "matches":
        most = int(solve_lp(-ones).sum())
        chosen = solve_lp(
            -pair_units.astype(float), [coo_array(-ones[None, :])], [np.array([-most])]
        )
    else:
        chosen = solve_lp(-pair_units.astype(float))
    return int(chosen.sum()) + len(locked), int(pair_units[chosen].sum()) + locked_units


@settings(max_examples=60, **_SETTINGS)
@given(
    problem=problems(max_mentees=30, max_mentors=10, max_capacity=4),
    candidate_limit=st.integers(1, 3),
)
def test_the_saturating_solve_or_its_fallback_reaches_the_lp_optimum(problem, candidate_limit):
    # given a random cohort (capacities up to 4, exclusions, hard rules, locks, ties among
    # the coarse answers), either objective
    attempts = []
    original = solver_module._assign

    def spied(**arguments):
        attempts.append(arguments.get("saturating", False))
        return original(**arguments)

    # when the engine matches it, the first candidates solved by a saturating assignment first
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solver_module, "_assign", spied)
        result = match_cohort(problem=problem, candidate_limit=candidate_limit)
    # then the saturating attempt comes first, the general solve only after it
    assert attempts in ([], [True], [True, False])
    # and the result is the optimum of the capacitated-assignment LP (HiGHS)
    count, total_units = _lp_optimum(problem)
    assert round(result.total_score * SCORE_RESOLUTION) == total_units
    if problem.maximise == "matches":
        assert len(result.pairs) == count
    _assert_respects_the_rules(problem, result)


def _two_places_cohort(maximise, mentee_levels, exclusions):
    """Mentors A (level 0) and B (level 9), one place each; scores from the distance of
    levels (range 10): level 0 with A scores 100, level 3 with A 70, level 0 with B 10."""
    criteria = [Criterion(key="level", kind="distance", weight=1, value_range=10)]
    return MatchingProblem(
        mentees=[Mentee(id=i, answers={"level": level}) for i, level in enumerate(mentee_levels)],
        mentors=[
            Mentor(id="A", answers={"level": 0}, capacity=1),
            Mentor(id="B", answers={"level": 9}, capacity=1),
        ],
        criteria=criteria,
        exclusions=exclusions,
        maximise=maximise,
    )


@pytest.mark.parametrize(
    ("maximise", "expected_pairs", "expected_total"),
    [("score", [(0, "A")], 100.0), ("matches", [(0, "B"), (1, "A")], 80.0)],
)
def test_a_saturating_assignment_that_is_not_the_optimum_is_solved_again(
    maximise, expected_pairs, expected_total
):
    # given mentee 0 (level 0) and mentee 1 (level 3), mentee 1 banned from B: filling both
    # places (0 with B: 10, 1 with A: 70) is worth 80, mentee 0 alone with A is worth 100
    attempts = []
    original = solver_module._assign

    def spied(**arguments):
        attempts.append(arguments.get("saturating", False))
        return original(**arguments)

    problem = _two_places_cohort(maximise, [0, 3], exclusions={(1, "B")})
    # when it is matched
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solver_module, "_assign", spied)
        result = match_cohort(problem=problem)
    # then "score" rejects the saturating assignment (its duals fail) and solves again; the
    # best total leaves a place empty — "matches" keeps the saturating one: both matched
    assert attempts == ([True, False] if maximise == "score" else [True])
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == expected_pairs
    assert result.total_score == expected_total
    assert _lp_optimum(problem) == (len(expected_pairs), round(expected_total * SCORE_RESOLUTION))


@pytest.mark.parametrize("maximise", ["score", "matches"])
def test_when_no_assignment_fills_every_place_the_general_solve_runs(maximise):
    # given three mentees all banned from mentor B: two places, but B's can never be filled
    problem = _two_places_cohort(maximise, [0, 3, 5], exclusions={(0, "B"), (1, "B"), (2, "B")})
    attempts = []
    original = solver_module._assign

    def spied(**arguments):
        attempts.append(arguments.get("saturating", False))
        return original(**arguments)

    # when it is matched
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solver_module, "_assign", spied)
        result = match_cohort(problem=problem)
    # then the saturating attempt finds none and the general solve gives the optimum
    assert attempts == [True, False]
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [(0, "A")]
    assert _lp_optimum(problem) == (1, round(result.total_score * SCORE_RESOLUTION))


def _solver_inputs(problem):
    prepared = prepare(problem)
    free = np.array(
        [i for i in range(len(prepared.mentees)) if i not in prepared.locked], dtype=np.int64
    )
    capacity = np.array([m.capacity for m in prepared.mentors], dtype=np.int64) - prepared.load
    edges = CompactEdges(
        prepared=prepared,
        rows=free,
        capacity=capacity,
        lowest=1 if problem.maximise == "score" else 0,
        per_row=1,
        per_column=1,
    )
    positions, cols = np.divmod(np.arange(len(free) * len(capacity)), max(1, len(capacity)))
    every_edge = edges.score(positions, cols)
    return edges, capacity, every_edge


def _greedy(edges, capacity, rows, cols):
    """A feasible assignment, often not optimal: each row takes its first edge with room."""
    assignment = np.full(edges.row_count, -1, dtype=np.int64)
    room = capacity.copy()
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        if assignment[row] < 0 and room[col] > 0:
            assignment[row] = col
            room[col] -= 1
    return assignment


@settings(max_examples=150, **_SETTINGS)
@given(problem=problems(max_mentees=12, max_mentors=8, max_capacity=2), data=st.data())
def test_the_certificate_accepts_exactly_the_optimal_assignments(problem, data):
    # given a cohort, every edge of it, and the engine's optimal assignment and certificate
    edges, capacity, (rows, cols, scores) = _solver_inputs(problem)
    bonus = bonus_for(maximise=problem.maximise, row_count=edges.row_count)
    optimal, certificate = solve(
        edges=edges, capacity=capacity, maximise=problem.maximise, candidate_limit=1
    )
    triples = zip(rows.tolist(), cols.tolist(), scores.tolist(), strict=True)
    weight = {(r, c): s + bonus for r, c, s in triples}

    def value(assignment):
        return sum(weight[(r, int(c))] for r, c in enumerate(assignment) if c >= 0)

    assert certificate.value == value(optimal)
    # when another feasible assignment (first edge with room, in a random edge order) is offered
    order = data.draw(st.permutations(range(len(rows))))
    order = np.array(order, dtype=np.int64)
    other = _greedy(edges, capacity, rows[order], cols[order])
    is_used = np.zeros(len(rows), dtype=bool)
    for r, c in enumerate(other.tolist()):
        if c >= 0:
            is_used |= (rows == r) & (cols == c)
    is_optimal = value(other) == value(optimal)
    # then with every edge as a candidate it is certified if and only if it is optimal
    proof = certify(
        edges=edges,
        capacity=capacity,
        bonus=bonus,
        assignment=other,
        rows=rows,
        cols=cols,
        scores=scores,
    )
    assert (proof is not None) == is_optimal
    # and with only its own edges as candidates (the rest left to the whole-problem check) a
    # non-optimal one is still rejected (an optimal one may need other duals than the least
    # ones on so few edges: the solver then adds the edges and solves again)
    proof = certify(
        edges=edges,
        capacity=capacity,
        bonus=bonus,
        assignment=other,
        rows=rows[is_used],
        cols=cols[is_used],
        scores=scores[is_used],
    )
    if not is_optimal:
        assert proof is None
    if proof is not None:
        assert proof.value == value(optimal)


def test_the_certificate_rejects_a_worse_assignment():
    # given one place and two mentees, one of them a much better fit
    problem = MatchingProblem(
        mentees=[
            Mentee(id=1, answers={"city": "paris", "age": 30}),
            Mentee(id=2, answers={"city": "lyon", "age": 30}),
        ],
        mentors=[Mentor(id=9, answers={"city": "paris", "age": 30})],
        criteria=[
            Criterion(key="city", kind="same", weight=1),
            Criterion(key="age", kind="distance", weight=1, value_range=10),
        ],
    )
    edges, capacity, (rows, cols, scores) = _solver_inputs(problem)
    assert scores.tolist() == [1_000_000, 500_000]
    # when the place goes to the weaker fit
    worse = np.array([-1, 0])
    for candidates in ([0, 1], [1]):
        proof = certify(
            edges=edges,
            capacity=capacity,
            bonus=0,
            assignment=worse,
            rows=rows[candidates],
            cols=cols[candidates],
            scores=scores[candidates],
        )
        # then no certificate is given, whether or not the better pair is among the candidates
        assert proof is None
    # and the better assignment gets one, of its value
    proof = certify(
        edges=edges,
        capacity=capacity,
        bonus=0,
        assignment=np.array([0, -1]),
        rows=rows,
        cols=cols,
        scores=scores,
    )
    assert proof is not None and proof.value == 1_000_000


# ----------------------------------------------------------------------------------------------
# Scoring rules


def _score(criteria, mentee_answers, mentor_answers):
    problem = MatchingProblem(
        mentees=[Mentee(id=1, answers=mentee_answers)],
        mentors=[Mentor(id=2, answers=mentor_answers)],
        criteria=criteria,
    )
    matrix = score_matrix(problem=problem)
    return float(matrix.scores[0, 0]), bool(matrix.allowed[0, 0])


def test_same_scores_one_for_equal_answers_else_zero():
    # given a "same" criterion
    criteria = [Criterion(key="language", kind="same")]
    # when pairs are scored, then equal answers score 100, different ones 0
    assert _score(criteria, {"language": "fr"}, {"language": "fr"}) == (100.0, True)
    assert _score(criteria, {"language": "fr"}, {"language": "en"}) == (0.0, True)
    assert _score(criteria, {"language": True}, {"language": True}) == (100.0, True)


def test_overlap_is_the_jaccard_index_of_the_two_sets():
    # given an "overlap" criterion
    criteria = [Criterion(key="topics", kind="overlap")]
    # when a pair sharing 2 of 5 distinct choices is scored
    score, _ = _score(
        criteria, {"topics": frozenset({"a", "b", "c"})}, {"topics": ("b", "c", "d", "e")}
    )
    # then its score is |{b, c}| / |{a, b, c, d, e}|
    assert score == 40.0


def test_covers_is_the_share_of_the_mentee_needs_the_mentor_offers():
    # given a "covers" criterion between the mentee's needs and the mentor's offers
    criteria = [Criterion(key="needs", mentor_key="offers", kind="covers")]
    # when the mentor offers 2 of the mentee's 4 needs (and one more)
    score, _ = _score(
        criteria,
        {"needs": frozenset({"python", "sql", "leadership", "pitch"})},
        {"offers": frozenset({"python", "sql", "go"})},
    )
    # then half the needs are covered
    assert score == 50.0


def test_distance_decreases_linearly_and_is_clipped_at_zero():
    # given a "distance" criterion over 20 years
    criteria = [Criterion(key="age", kind="distance", value_range=20)]
    # when pairs 5, 0 and 50 years apart are scored, then
    assert _score(criteria, {"age": 30}, {"age": 35})[0] == 75.0
    assert _score(criteria, {"age": 30}, {"age": 30.0})[0] == 100.0
    assert _score(criteria, {"age": 20}, {"age": 70})[0] == 0.0


@settings(max_examples=40, **_SETTINGS)
@given(data=st.data())
def test_looked_up_terms_are_the_computed_ones_bit_for_bit(data):
    """Scores from the lookup tables (few distinct answers; one-word option sets) equal, to
    the last bit, the scores computed pair by pair without them, and the reference rules —
    for every kind, hard rules included, with missing, non-numeric and fractional answers
    and sets of more than 64 options (which take the computed path)."""
    many = [f"o{i}" for i in range(70)]  # two 64-bit words
    kinds = [
        ("lang", "same", ("fr", "en", None, "")),
        ("age", "distance", (20, 25.5, 31, -4, 1e6, None, "n/a", 30.25)),
        ("topics", "overlap", ("a", "b", "c", "d")),
        ("needs", "covers", ("a", "b", "c")),
        ("wide", "overlap", tuple(many)),
    ]
    ranges = st.sampled_from([1.0, 7.5, 30.0])
    criteria = [
        Criterion(
            key=key,
            kind=kind,
            weight=data.draw(st.sampled_from([0.0, 0.7, 1.0, 3.0])),
            hard=data.draw(st.sampled_from([None, "must_match", "must_differ"])),
            value_range=data.draw(ranges) if kind == "distance" else None,
        )
        for key, kind, _ in kinds
    ]

    def answers():
        result = {}
        for key, kind, values in kinds:
            if kind in ("overlap", "covers"):
                result[key] = data.draw(st.frozensets(st.sampled_from(values), max_size=5))
            else:
                result[key] = data.draw(st.sampled_from(values))
        return result

    problem = MatchingProblem(
        mentees=[Mentee(id=i, answers=answers()) for i in range(data.draw(st.integers(1, 6)))],
        mentors=[Mentor(id=j, answers=answers()) for j in range(data.draw(st.integers(1, 6)))],
        criteria=criteria,
    )
    looked_up = score_matrix(problem=problem)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scoring_module, "tabulated", lambda encoded: encoded)
        computed = score_matrix(problem=problem)
    assert looked_up.scores.tobytes() == computed.scores.tobytes()
    assert (looked_up.allowed == computed.allowed).all()
    for i, mentee in enumerate(sorted(problem.mentees, key=lambda m: m.id)):
        for j, mentor in enumerate(sorted(problem.mentors, key=lambda m: m.id)):
            score, allowed = _reference_pair(criteria, mentee, mentor)
            assert looked_up.scores[i, j] == pytest.approx(score, abs=TOLERANCE)
            assert bool(looked_up.allowed[i, j]) == allowed


def test_score_is_the_weighted_mean_of_the_similarities():
    # given two criteria weighted 3 and 1
    criteria = [
        Criterion(key="language", kind="same", weight=3),
        Criterion(key="age", kind="distance", weight=1, value_range=10),
    ]
    # when a pair matches the first fully and the second half
    score, _ = _score(criteria, {"language": "fr", "age": 30}, {"language": "fr", "age": 35})
    # then its score is (3 × 1 + 1 × 0.5) / 4
    assert score == 87.5


@pytest.mark.parametrize("missing", [None, "", frozenset(), ()])
def test_a_missing_answer_scores_zero_and_fails_must_match(missing):
    for kind in ("same", "overlap", "covers"):
        # given a criterion of each kind, with and without a must_match rule
        criteria = [Criterion(key="q", kind=kind)]
        must_match = [Criterion(key="q", kind=kind, hard="must_match")]
        # when one side did not answer, then the pair scores 0 and fails the rule
        assert _score(criteria, {"q": missing}, {"q": "x"}) == (0.0, True)
        assert _score(criteria, {"q": "x"}, {"q": missing}) == (0.0, True)
        assert _score(criteria, {}, {"q": "x"}) == (0.0, True)
        assert _score(must_match, {"q": missing}, {"q": "x"})[1] is False
    distance = [Criterion(key="age", kind="distance", value_range=10, hard="must_match")]
    assert _score(distance, {"age": None}, {"age": 30}) == (0.0, False)
    assert _score(distance, {"age": "unknown"}, {"age": 30}) == (0.0, False)


def test_must_differ_excludes_equal_answers_but_not_missing_ones():
    # given a "not in the same reporting line" rule
    criteria = [
        Criterion(key="city", kind="same"),
        Criterion(key="reporting_line", kind="same", weight=0, hard="must_differ"),
    ]
    # when pairs are scored, then only the same reporting line is excluded
    assert _score(criteria, {"reporting_line": "ops"}, {"reporting_line": "ops"})[1] is False
    assert _score(criteria, {"reporting_line": "ops"}, {"reporting_line": "it"})[1] is True
    assert _score(criteria, {"reporting_line": None}, {"reporting_line": "ops"})[1] is True


def test_must_match_needs_some_similarity():
    # given "at least one language in common" as a rule
    criteria = [Criterion(key="languages", kind="overlap", hard="must_match")]
    # when pairs are scored, then one shared language is enough, none excludes
    assert _score(criteria, {"languages": ("fr", "en")}, {"languages": ("en",)})[1] is True
    assert _score(criteria, {"languages": ("fr",)}, {"languages": ("de",)})[1] is False


def test_invalid_definitions_are_refused():
    # when a definition is out of bounds, then it is refused at once
    with pytest.raises(ValueError, match="capacity"):
        Mentor(id=1, capacity=0)
    with pytest.raises(ValueError, match="capacity"):
        Mentor(id=1, capacity=11)
    with pytest.raises(ValueError, match="value_range"):
        Criterion(key="age", kind="distance")
    with pytest.raises(ValueError, match="weight"):
        Criterion(key="a", kind="same", weight=-1)
    with pytest.raises(ValueError, match="kind"):
        Criterion(key="a", kind="similar")
    with pytest.raises(ValueError, match="maximise"):
        MatchingProblem(mentees=[], mentors=[], criteria=[], maximise="fun")


def test_locks_beyond_capacity_or_unknown_people_are_refused():
    # given a mentor with one place
    mentees = [Mentee(id=1), Mentee(id=2)]
    mentors = [Mentor(id="a", capacity=1)]
    criteria = [Criterion(key="q", kind="same")]
    # when two mentees are locked with them, or an unknown mentee, then it is refused
    with pytest.raises(ValueError, match="capacity"):
        match_cohort(
            problem=MatchingProblem(
                mentees=mentees,
                mentors=mentors,
                criteria=criteria,
                locked_pairs=[(1, "a"), (2, "a")],
            )
        )
    with pytest.raises(ValueError, match="unknown"):
        match_cohort(
            problem=MatchingProblem(
                mentees=mentees,
                mentors=mentors,
                criteria=criteria,
                locked_pairs=[(3, "a")],
            )
        )


# ----------------------------------------------------------------------------------------------
# Objectives, exclusions, locks


def _cohort(maximise="score", exclusions=(), locked_pairs=()):
    """Two mentees, two mentors with one place each: b is everyone's favourite."""
    criteria = [Criterion(key="city", kind="same", weight=2), Criterion(key="lang", kind="same")]
    mentees = [
        Mentee(id=1, answers={"city": "paris", "lang": "fr"}),
        Mentee(id=2, answers={"city": "paris", "lang": "en"}),
    ]
    mentors = [
        Mentor(id="a", answers={"city": "lyon", "lang": "de"}, capacity=1),
        Mentor(id="b", answers={"city": "paris", "lang": "fr"}, capacity=1),
    ]
    return MatchingProblem(
        mentees=mentees,
        mentors=mentors,
        criteria=criteria,
        exclusions=exclusions,
        locked_pairs=locked_pairs,
        maximise=maximise,
    )


def _pairs(result):
    return [(p.mentee_id, p.mentor_id, p.score, p.is_locked) for p in result.pairs]


def test_score_mode_leaves_a_mentee_unmatched_rather_than_propose_a_zero_pair():
    # when the cohort is matched for the best total score
    result = match_cohort(problem=_cohort())
    # then the favourite goes where it scores most, and the zero-score pair is not proposed
    assert _pairs(result) == [(1, "b", 100.0, False)]
    assert result.unmatched_mentee_ids == (2,)
    assert result.total_score == 100.0


def test_matches_mode_matches_everyone_who_can_be():
    # when the same cohort is matched to match as many mentees as possible
    result = match_cohort(problem=_cohort(maximise="matches"))
    # then the zero-score pair is proposed too
    assert _pairs(result) == [(1, "b", 100.0, False), (2, "a", 0.0, False)]
    assert result.unmatched_mentee_ids == ()


def test_matches_mode_prefers_one_more_match_to_a_better_score():
    # given mentee 2 can only go to b (sites), where mentee 1 would score most
    criteria = [
        Criterion(key="topics", kind="overlap", weight=1),
        Criterion(key="sites", kind="overlap", weight=0, hard="must_match"),
    ]
    mentees = [
        Mentee(id=1, answers={"topics": ("t1",), "sites": ("x",)}),
        Mentee(id=2, answers={"topics": ("t1", "t2"), "sites": ("y",)}),
    ]
    mentors = [
        Mentor(id="a", answers={"topics": ("t9",), "sites": ("x",)}),
        Mentor(id="b", answers={"topics": ("t1",), "sites": ("x", "y")}),
    ]
    # when the cohort is matched with each objective
    by_score, by_matches = (
        match_cohort(
            problem=MatchingProblem(
                mentees=mentees, mentors=mentors, criteria=criteria, maximise=maximise
            )
        )
        for maximise in ("score", "matches")
    )
    # then "score" gives b to 1 (100 > 50 + 0), "matches" matches both (1 with a, at 0)
    assert _pairs(by_score) == [(1, "b", 100.0, False)]
    assert _pairs(by_matches) == [(1, "a", 0.0, False), (2, "b", 50.0, False)]


def test_an_excluded_pair_is_never_proposed_even_if_a_mentee_stays_unmatched():
    # given mentee 1 banned from both mentors
    problem = _cohort(maximise="matches", exclusions={(1, "b"), (1, "a")})
    # when the cohort is matched to match as many as possible
    result = match_cohort(problem=problem)
    # then mentee 1 stays unmatched
    assert _pairs(result) == [(2, "b", 66.6667, False)]
    assert result.unmatched_mentee_ids == (1,)


def test_a_locked_pair_is_kept_and_uses_up_its_mentor():
    # given the manager fixed mentee 2 with b, although 1 would score more there
    result = match_cohort(problem=_cohort(locked_pairs=[(2, "b")]))
    # then the lock stands and b has no room left for mentee 1
    assert _pairs(result) == [(2, "b", 66.6667, True)]
    assert result.unmatched_mentee_ids == (1,)


def test_a_locked_pair_is_kept_even_against_an_exclusion():
    # given a lock on a pair that is also excluded
    problem = _cohort(exclusions={(2, "b")}, locked_pairs=[(2, "b")])
    # when the cohort is matched
    result = match_cohort(problem=problem)
    # then the manager's decision stands
    assert (2, "b", 66.6667, True) in _pairs(result)


def test_empty_cohorts():
    # given cohorts with nobody, no mentor, or no criterion
    criteria = [Criterion(key="q", kind="same")]
    nobody = MatchingProblem(mentees=[], mentors=[], criteria=criteria)
    no_mentor = MatchingProblem(mentees=[Mentee(id=1)], mentors=[], criteria=criteria)
    no_criteria = MatchingProblem(
        mentees=[Mentee(id=1)], mentors=[Mentor(id=2)], criteria=[], maximise="matches"
    )
    # when they are matched, then the results are empty, or all at 0
    assert match_cohort(problem=nobody) == MatchingResult(
        pairs=(), unmatched_mentee_ids=(), total_score=0.0
    )
    assert match_cohort(problem=no_mentor).unmatched_mentee_ids == (1,)
    assert _pairs(match_cohort(problem=no_criteria)) == [(1, 2, 0.0, False)]


# ----------------------------------------------------------------------------------------------
# Explanations


def test_explanation_lists_contributions_by_points_and_says_why_in_words():
    criteria = [
        Criterion(key="language", kind="same", weight=1, label="Language"),
        Criterion(key="topics", kind="overlap", weight=2, label="Topics"),
        Criterion(key="age", kind="distance", weight=1, value_range=20, label="Age"),
    ]
    mentee = Mentee(id=1, answers={"language": "fr", "topics": ("ux", "data"), "age": 30})
    mentor = Mentor(id=2, answers={"language": "en", "topics": ("data",), "age": 40})
    # when the pair is explained
    explanation = explain_pair(mentee=mentee, mentor=mentor, criteria=criteria)
    # then contributions come by points, highest first, and add up to the score
    assert [(c.key, c.similarity, c.points) for c in explanation.contributions] == [
        ("topics", 0.5, 25.0),
        ("age", 0.5, 12.5),
        ("language", 0.0, 0.0),
    ]
    assert explanation.summary == (
        "Score 38/100: in common for “Topics”: data; close answers to “Age” (30 and 40)."
    )


def test_explanations_name_answers_by_the_labels_given():
    # given criteria that know the labels of their answer codes
    criteria = [
        Criterion(
            key="job",
            kind="same",
            weight=2,
            label="Your job",
            choice_labels={"it": "Information technology", "hr": "Human resources"},
        ),
        Criterion(
            key="topics",
            kind="overlap",
            label="Topics",
            choice_labels={"career": "Career", "data": "Data"},
        ),
        Criterion(key="needs", kind="covers", label="Needs", choice_labels={"x": "Ex"}),
    ]
    mentee = Mentee(id=1, answers={"job": "it", "topics": ("career", "data"), "needs": ("x",)})
    mentor = Mentor(id=2, answers={"job": "it", "topics": ("career",), "needs": ("x", "y")})
    # when the pair is explained
    explanation = explain_pair(mentee=mentee, mentor=mentor, criteria=criteria)
    # then the summary uses the labels, never the codes, in whole sentences
    assert explanation.summary == (
        "Score 88/100: same answer to “Your job”: Information technology; "
        "the mentor covers 1 of 1 needs for “Needs”: Ex; in common for “Topics”: Career."
    )
    # and an answer with no label (an option since removed) is shown as stored
    bare = explain_pair(
        mentee=Mentee(id=1, answers={"job": "old"}),
        mentor=Mentor(id=2, answers={"job": "old"}),
        criteria=criteria[:1],
    )
    assert bare.summary == "Score 100/100: same answer to “Your job”: old."


def test_answers_that_compare_equal_are_still_explained_as_given():
    # given mentees whose answers compare equal in Python but read differently (True, 1 and
    # 1.0; 0.0 and -0.0), each paired with an identical mentor, in one cohort — so that the
    # sentences remembered from pair to pair could be mixed up
    criteria = [
        Criterion(key="flag", kind="same", label="Flag"),
        Criterion(key="level", kind="distance", value_range=5, label="Level"),
    ]
    answers = [(True, 0.0), (1, -0.0), (1.0, 0.0)]
    problem = MatchingProblem(
        mentees=[Mentee(id=i, answers={"flag": f, "level": x}) for i, (f, x) in enumerate(answers)],
        mentors=[
            Mentor(id=f"m{i}", answers={"flag": f, "level": x}) for i, (f, x) in enumerate(answers)
        ],
        criteria=criteria,
    )
    # when the cohort is matched (every pair scores 100)
    result = match_cohort(problem=problem)
    # then each mentee's sentence shows its own answer
    summaries = {pair.mentee_id: pair.explanation.summary for pair in result.pairs}
    assert "“Flag”: yes" in summaries[0] and "(0 and" in summaries[0]
    assert "“Flag”: 1;" in summaries[1] and "(-0 and" in summaries[1]
    assert "“Flag”: 1;" in summaries[2] and "(0 and" in summaries[2]


def test_explanations_go_through_translate():
    # given a pair and a translation catalogue
    criteria = [Criterion(key="city", kind="same", label="City")]
    mentee, mentor = Mentee(id=1, answers={"city": "Lyon"}), Mentor(id=2, answers={"city": "Lyon"})
    catalogue = {
        "Score %(score)s/100: %(reasons)s.": "Score %(score)s/100 : %(reasons)s.",
        "same answer to “%(label)s”: %(value)s": "même réponse à « %(label)s » : %(value)s",
    }
    # when the pair is explained with it
    explanation = explain_pair(
        mentee=mentee, mentor=mentor, criteria=criteria, translate=lambda s: catalogue.get(s, s)
    )
    # then the sentences are translated, the values put in place
    assert explanation.summary == "Score 100/100 : même réponse à « City » : Lyon."


def test_sensitive_criteria_never_show_their_answers_or_labels():
    # given a sensitive criterion that decides the match
    criteria = [
        Criterion(key="city", kind="same", weight=1, label="City"),
        Criterion(
            key="health", kind="overlap", weight=3, label="Health condition", is_sensitive=True
        ),
    ]
    secret = frozenset({"SECRET-diabetes"})
    mentees = [Mentee(id=1, answers={"city": "Nantes", "health": secret})]
    mentors = [
        Mentor(id="a", answers={"city": "Nantes", "health": frozenset({"other"})}),
        Mentor(id="b", answers={"city": "Brest", "health": secret}),
    ]
    problem = MatchingProblem(mentees=mentees, mentors=mentors, criteria=criteria)
    # when the cohort is matched and the suggestions listed
    result = match_cohort(problem=problem)
    listed = suggestions(problem=problem, mentee_id=1, k=2)
    # then the sensitive criterion counts, but only as a neutral "confidential" line
    assert _pairs(result) == [(1, "b", 75.0, False)]
    for explanation in [result.pairs[0].explanation, *(s.explanation for s in listed)]:
        text = repr(explanation)
        assert "SECRET" not in text and "diabetes" not in text
        assert "Health" not in text and "health" not in text
        assert "Brest" not in text  # no mention of a city that did not match
    contribution = result.pairs[0].explanation.contributions[0]
    assert (contribution.key, contribution.points, contribution.is_sensitive) == (
        CONFIDENTIAL_KEY,
        75.0,
        True,
    )
    assert result.pairs[0].explanation.summary == "Score 75/100: confidential criteria."


# ----------------------------------------------------------------------------------------------
# Suggestions ("mentee choice" mode)


def _suggestion_cohort():
    criteria = [
        Criterion(key="topics", kind="overlap", weight=1, label="Topics"),
        Criterion(key="team", kind="same", weight=0, hard="must_differ"),
    ]
    mentee = Mentee(id=1, answers={"topics": ("a", "b"), "team": "ops"})
    mentors = [
        Mentor(id="full", answers={"topics": ("a", "b")}, capacity=1),
        Mentor(id="banned", answers={"topics": ("a", "b")}, capacity=2),
        Mentor(id="same-team", answers={"topics": ("a", "b"), "team": "ops"}, capacity=2),
        Mentor(id="good", answers={"topics": ("a",)}, capacity=3),
        Mentor(id="also-good", answers={"topics": ("b",)}, capacity=2),
        Mentor(id="busy", answers={"topics": ("a", "b")}, capacity=2),
        Mentor(id="weak", answers={"topics": ("z",)}, capacity=1),
    ]
    return MatchingProblem(
        mentees=[mentee, Mentee(id=2)],
        mentors=mentors,
        criteria=criteria,
        exclusions={(1, "banned")},
        locked_pairs={(2, "full")},
    )


def test_suggestions_list_allowed_mentors_with_room_best_first():
    # given mentors that are full, banned, in the same team, or busy with pending requests
    problem = _suggestion_cohort()
    # when the mentee asks for suggestions
    listed = suggestions(problem=problem, mentee_id=1, k=3, mentor_load={"busy": 2})
    # then only allowed mentors with room are listed, best first, ties by id
    assert [(s.mentor_id, s.score, s.room) for s in listed] == [
        ("also-good", 50.0, 2),
        ("good", 50.0, 3),
        ("weak", 0.0, 1),
    ]
    assert listed[1].explanation.summary == "Score 50/100: in common for “Topics”: a."


def test_suggestions_stop_at_k():
    # when one suggestion, or none, is asked for
    one = suggestions(problem=_suggestion_cohort(), mentee_id=1, k=1)
    none = suggestions(problem=_suggestion_cohort(), mentee_id=1, k=0)
    # then the best mentor with room comes alone (no pending requests this time), or nobody
    assert [s.mentor_id for s in one] == ["busy"]
    assert none == []


@settings(max_examples=100, **_SETTINGS)
@given(problem=problems(max_mentees=5, max_mentors=7), k=st.integers(0, 8), data=st.data())
def test_suggestions_never_list_excluded_or_full_mentors(problem, k, data):
    if not problem.mentees:
        return
    mentee = data.draw(st.sampled_from(list(problem.mentees)))
    load = {m.id: data.draw(st.integers(0, 2)) for m in problem.mentors}
    # when suggestions are listed for one mentee
    listed = suggestions(problem=problem, mentee_id=mentee.id, k=k, mentor_load=load)
    # then each is allowed, has room, and they come best first
    locks = [mentor_id for _, mentor_id in problem.locked_pairs]
    assert len(listed) <= k
    for suggestion in listed:
        mentor = _mentor(problem, suggestion.mentor_id)
        room = mentor.capacity - locks.count(mentor.id) - load[mentor.id]
        assert suggestion.room == room > 0
        assert (mentee.id, mentor.id) not in problem.exclusions
        assert (mentee.id, mentor.id) not in problem.locked_pairs
        score, allowed = _reference_pair(problem.criteria, mentee, mentor)
        assert allowed and math.isclose(suggestion.score, score, abs_tol=TOLERANCE)
    assert [s.score for s in listed] == sorted((s.score for s in listed), reverse=True)
