"""Benchmark of the matching engine (not a test). Run: ``.venv/bin/python bench/matching.py``
(10,000 × 3,000) or ``.venv/bin/python bench/matching.py --mentees 50000 --mentors 15000``.

End to end — scoring, exclusions, hard rules, solve, explanations of the chosen pairs — on seeded
generated cohorts, for both objectives (``maximise="score"`` and ``"matches"``, the product's
default):

(a) optimality, checked independently where a dense check is feasible: 2,000 mentees × 600
    mentors; the engine's result is compared with the capacitated-assignment LP on the same
    score matrix (every allowed pair a variable, no pruning) solved by
    ``scipy.optimize.linprog(method="highs")`` with sparse constraints. "score": max Σ s_ij x_ij.
    "matches": first max Σ x_ij = k*, then max Σ s_ij x_ij subject to Σ x_ij ≥ k* (the optimal
    face of a bipartite b-matching polytope: its vertices are integral too). The bench checks
    that HiGHS's x is within 1e-6 of 0/1 and compares (matched count, total in integer units of
    1/10,000 of a point): gap = |engine − LP| / LP, counting in "matches" mode each match as
    worth more than any total score.
(b) speed and memory: ``--mentees`` × ``--mentors`` (default 10,000 × 3,000), capacities 1–5,
    8 weighted criteria of mixed kinds (one sensitive) plus a "different department" hard
    rule, and exclusions: 5 % of the pairs, at most 150 per mentee (1.5 million at 10,000 ×
    3,000; 7.5 million, 1 %, at 50,000 × 15,000: former pairs and bans grow per mentee, not per
    pair). Each run happens in a fresh
    subprocess so that its peak RSS (which includes the generated data and the imports) is its
    own; the time is that of the matching call only (data generation excluded). Median of the
    runs, peak = the largest (VmHWM of the subprocess). At every size the gap reported is the
    engine's LP-duality certificate, recomputed here: the dual value Σu + Σc·v against the
    primal value of the returned pairs (0 = proved optimal). The engine itself checks the duals
    against every allowed pair before returning.

Last line:
``matching mentees=<n> mentors=<m> seconds=<median, score> seconds_matches=<median, matches>
peak_mb=<peak> optimal_gap=<largest gap, both objectives, (a) and (b)>``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tenant_apps.matching.engine import (  # noqa: E402
    SCORE_RESOLUTION,
    Criterion,
    MatchingProblem,
    Mentee,
    Mentor,
    match_cohort,
    score_matrix,
)
from tenant_apps.matching.engine.solver import bonus_for, match_cohort_certified  # noqa: E402

EXCLUSIONS_PER_MENTEE = 150

CRITERIA = (
    Criterion(key="language", kind="same", weight=2.0, label="Language"),
    Criterion(key="city", kind="same", weight=1.0, label="City"),
    Criterion(key="industry", kind="same", weight=1.5, label="Industry"),
    Criterion(key="interests", kind="overlap", weight=2.0, label="Interests"),
    Criterion(key="needs", mentor_key="skills", kind="covers", weight=3.0, label="Skills"),
    Criterion(key="age", kind="distance", weight=1.0, value_range=25, label="Age"),
    Criterion(key="timezone", kind="distance", weight=1.0, value_range=6, label="Time zone"),
    Criterion(key="gender", kind="same", weight=0.5, is_sensitive=True, label="Gender"),
    Criterion(key="department", kind="same", weight=0.0, hard="must_differ", label="Department"),
)


def _choice(rng: np.random.Generator, options: list[str], size: int, skew: float) -> list[str]:
    weights = np.arange(1, len(options) + 1, dtype=np.float64) ** -skew
    return [options[i] for i in rng.choice(len(options), size=size, p=weights / weights.sum())]


def _sets(rng: np.random.Generator, options: list[str], size: int, low: int, high: int) -> list:
    counts = rng.integers(low, high + 1, size=size)
    return [
        frozenset(options[i] for i in rng.choice(len(options), c, replace=False)) for c in counts
    ]


def _answers(rng: np.random.Generator, size: int, *, is_mentor: bool) -> list[dict]:
    columns: dict[str, Any] = {
        "language": _choice(rng, ["fr", "en", "de", "es", "it"], size, 1.2),
        "city": _choice(rng, [f"city-{i}" for i in range(20)], size, 0.8),
        "industry": _choice(rng, [f"industry-{i}" for i in range(12)], size, 0.5),
        "interests": _sets(rng, [f"interest-{i}" for i in range(30)], size, 2, 5),
        ("skills" if is_mentor else "needs"): _sets(
            rng, [f"skill-{i}" for i in range(20)], size, *((2, 6) if is_mentor else (1, 3))
        ),
        "age": rng.integers(35, 65, size) if is_mentor else rng.integers(22, 45, size),
        "timezone": rng.integers(-3, 4, size),
        "gender": _choice(rng, ["f", "m", "x"], size, 1.0),
        "department": _choice(rng, [f"dept-{i}" for i in range(40)], size, 0.7),
    }
    missing = rng.random((size, len(columns))) < 0.05  # 5 % of answers left blank
    rows = []
    for index in range(size):
        answers = {}
        for position, (key, values) in enumerate(columns.items()):
            value = values[index]
            answers[key] = (
                None
                if missing[index, position]
                else (int(value) if isinstance(value, np.integer) else value)
            )
        rows.append(answers)
    return rows


def make_problem(
    *, mentee_count: int, mentor_count: int, seed: int, maximise: str = "score"
) -> MatchingProblem:
    rng = np.random.default_rng(seed)
    mentees = [
        Mentee(id=i, answers=a) for i, a in enumerate(_answers(rng, mentee_count, is_mentor=False))
    ]
    mentors = [
        Mentor(id=100_000 + j, answers=a, capacity=int(c))
        for j, (a, c) in enumerate(
            zip(
                _answers(rng, mentor_count, is_mentor=True),
                rng.integers(1, 6, mentor_count),
                strict=True,
            )
        )
    ]
    pair_count = mentee_count * mentor_count
    # 5 % of the pairs, at most 150 per mentee (the 5 % of 3,000 mentors), as the list of
    # (mentee id, mentor id) rows a database query returns.
    count = mentee_count * min(mentor_count // 20, EXCLUSIONS_PER_MENTEE)
    flat = np.sort(rng.choice(pair_count, size=count, replace=False))
    exclusions = list(
        zip((flat // mentor_count).tolist(), (flat % mentor_count + 100_000).tolist(), strict=True)
    )
    return MatchingProblem(
        mentees=mentees,
        mentors=mentors,
        criteria=CRITERIA,
        exclusions=exclusions,
        maximise=maximise,  # type: ignore[arg-type]
    )


def _lp(units, rows, cols, capacity, mentee_count, *, cardinality: int | None = None):
    """max Σ units·x over the allowed pairs (rows, cols), capacities, optionally Σx ≥ cardinality;
    with units None: max Σx. Returns the integral x (checked)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_array, vstack

    count = len(rows)
    ones = np.ones(count)
    blocks = [
        coo_array((ones, (rows, np.arange(count))), shape=(mentee_count, count)),
        coo_array((ones, (cols, np.arange(count))), shape=(len(capacity), count)),
    ]
    bounds_ub = [np.ones(mentee_count), capacity]
    if cardinality is not None:
        blocks.append(coo_array(-ones[None, :]))
        bounds_ub.append(np.array([-cardinality]))
    objective = -np.ones(count) if units is None else -units[rows, cols] / SCORE_RESOLUTION
    lp = linprog(  # type: ignore[call-overload]  # scipy-stubs omit sparse A_ub; HiGHS takes it
        objective,
        A_ub=vstack(blocks).tocsr(),
        b_ub=np.concatenate(bounds_ub),
        bounds=(0, 1),
        method="highs",
    )
    if lp.status != 0:
        raise SystemExit(f"LP failed: {lp.message}")
    x = np.rint(lp.x)
    if np.abs(lp.x - x).max() > 1e-6:
        raise SystemExit("LP optimum is not integral")
    return x > 0.5


def optimality_gap(*, maximise: str, seed: int = 7) -> float:
    """(a): engine vs the LP optimum on 2,000 × 600."""
    problem = make_problem(mentee_count=2_000, mentor_count=600, seed=seed, maximise=maximise)
    started = time.perf_counter()
    result = match_cohort(problem=problem)
    engine_seconds = time.perf_counter() - started
    matrix = score_matrix(problem=problem)
    units = np.rint(matrix.scores * SCORE_RESOLUTION).astype(np.int64)
    lowest = 1 if maximise == "score" else 0
    rows, cols = np.nonzero(matrix.allowed & (units >= lowest))
    capacity_of = {m.id: m.capacity for m in problem.mentors}
    capacity = np.array([capacity_of[mentor_id] for mentor_id in matrix.mentor_ids])
    mentee_count = len(matrix.mentee_ids)
    started = time.perf_counter()
    cardinality = None
    if maximise == "matches":
        cardinality = int(_lp(None, rows, cols, capacity, mentee_count).sum())
    chosen = _lp(units, rows, cols, capacity, mentee_count, cardinality=cardinality)
    lp_seconds = time.perf_counter() - started
    lp_matches, lp_units = int(chosen.sum()), int(units[rows, cols][chosen].sum())
    engine_matches = len(result.pairs)
    engine_units = round(result.total_score * SCORE_RESOLUTION)
    # One match is worth more than any total score in "matches" mode.
    weight = 0 if maximise == "score" else mentee_count * 100 * SCORE_RESOLUTION + 1
    lp_value = lp_matches * weight + lp_units
    gap = abs(engine_matches * weight + engine_units - lp_value) / lp_value
    print(
        f"(a) 2000x600 {maximise}: engine {engine_matches} pairs,"
        f" total={engine_units / SCORE_RESOLUTION:.4f} in {engine_seconds:.2f}s;"
        f" LP ({len(rows)} variables) {lp_matches} pairs, total={lp_units / SCORE_RESOLUTION:.4f}"
        f" in {lp_seconds:.2f}s; gap={gap:g}"
    )
    return gap


def _peak_rss_mb() -> float:
    """Peak RSS of this process. Linux's VmHWM belongs to the process image, whereas ru_maxrss
    survives exec() and would include the parent's size at fork time."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def speed_run(*, mentees: int, mentors: int, maximise: str, seed: int) -> dict:
    """(b): one measured run (called in a subprocess)."""
    problem = make_problem(mentee_count=mentees, mentor_count=mentors, seed=seed, maximise=maximise)
    started, cpu_started = time.perf_counter(), time.process_time()
    result, certificate = match_cohort_certified(problem=problem)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    # The certificate, recomputed from the result: dual value vs the pairs' value.
    bonus = bonus_for(maximise=maximise, row_count=mentees)  # type: ignore[arg-type]
    primal = round(result.total_score * SCORE_RESOLUTION) + len(result.pairs) * bonus
    gap = abs(certificate.value - primal) / max(1, primal)
    if (certificate.u < 0).any() or (certificate.v < 0).any():
        gap = float("inf")
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_mb": _peak_rss_mb(),
        "pairs": len(result.pairs),
        "unmatched": len(result.unmatched_mentee_ids),
        "total_score": result.total_score,
        "gap": gap,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=0, help="per objective (default 3, 1 past 10k)")
    parser.add_argument(
        "--speed-run", nargs=2, metavar=("OBJECTIVE", "SEED"), help=argparse.SUPPRESS
    )
    parser.add_argument("--skip-lp", action="store_true", help="skip (a)")
    arguments = parser.parse_args()
    if arguments.speed_run:
        maximise, seed = arguments.speed_run
        run = speed_run(
            mentees=arguments.mentees, mentors=arguments.mentors, maximise=maximise, seed=int(seed)
        )
        print(json.dumps(run))
        return
    bench_started = time.perf_counter()
    size = f"{arguments.mentees}x{arguments.mentors}"
    runs_per_objective = arguments.runs or (3 if arguments.mentees <= 10_000 else 1)
    medians: dict[str, float] = {}
    peak = 0.0
    gaps: list[float] = []
    for maximise in ("score", "matches"):
        runs = []
        for _ in range(runs_per_objective):  # the same cohort each time
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--mentees",
                    str(arguments.mentees),
                    "--mentors",
                    str(arguments.mentors),
                    "--speed-run",
                    maximise,
                    "1",
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            run = json.loads(output.strip().splitlines()[-1])
            runs.append(run)
            print(
                f"(b) {size} {maximise} run: {run['seconds']:.2f}s (CPU {run['cpu_seconds']:.2f}s),"
                f" peak {run['peak_mb']:.0f} MB,"
                f" {run['pairs']} pairs, {run['unmatched']} unmatched,"
                f" total {run['total_score']:.4f}, certificate gap {run['gap']:g}",
                flush=True,
            )
        medians[maximise] = statistics.median(run["seconds"] for run in runs)
        peak = max([peak, *(run["peak_mb"] for run in runs)])
        gaps.extend(run["gap"] for run in runs)
    if not arguments.skip_lp:
        gaps.extend(optimality_gap(maximise=maximise) for maximise in ("score", "matches"))
    print(f"bench wall time {time.perf_counter() - bench_started:.0f}s")
    print(
        f"matching mentees={arguments.mentees} mentors={arguments.mentors}"
        f" seconds={medians['score']:.2f} seconds_matches={medians['matches']:.2f}"
        f" peak_mb={peak:.0f} optimal_gap={max(gaps):g}"
    )


if __name__ == "__main__":
    main()
