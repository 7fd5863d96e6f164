"""Benchmark of the matching engine (not a test). Run: ``.venv/bin/python bench/matching.py``.

End to end — scoring, exclusions, hard rules, solve, explanations of the chosen pairs — on seeded
generated cohorts:

(a) optimality: 2,000 mentees × 600 mentors; the engine's total score is compared with an
    independent exact solver on the same score matrix: the capacitated-assignment LP
    (max Σ s_ij x_ij, Σ_j x_ij ≤ 1, Σ_i x_ij ≤ c_j, 0 ≤ x ≤ 1 over every allowed pair with a
    positive score, no pruning) solved by ``scipy.optimize.linprog(method="highs")`` with sparse
    constraints. The constraint matrix is totally unimodular, so the LP optimum is integral; the
    bench checks that HiGHS's x is within 1e-6 of 0/1, and compares totals in integer units of
    1/10,000 of a point: gap = |engine − LP| / LP.
(b) speed and memory: 10,000 mentees × 3,000 mentors, capacities 1–5, 8 weighted criteria of
    mixed kinds (one sensitive) plus a "different department" hard rule, 5 % of the pairs in the
    exclusions list. Each run happens in a fresh subprocess so that its peak RSS (which includes
    the generated data and the imports) is its own; the time is that of
    ``match_cohort`` only (data generation excluded). Median of 3 runs, peak = the largest
    (VmHWM of the subprocess).

The exactness of the engine itself does not rest on this bench: ``match_cohort`` certifies every
result with LP duals (see ``tenant_apps/matching/engine.py``).

Last line:
``matching mentees=10000 mentors=3000 seconds=<median> peak_mb=<peak> optimal_gap=<gap>``.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

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
    columns = {
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


def make_problem(*, mentee_count: int, mentor_count: int, seed: int) -> MatchingProblem:
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
    # 5 % of the pairs, as the list of (mentee id, mentor id) rows a database query returns.
    flat = np.sort(rng.choice(pair_count, size=pair_count // 20, replace=False))
    exclusions = list(
        zip((flat // mentor_count).tolist(), (flat % mentor_count + 100_000).tolist(), strict=True)
    )
    return MatchingProblem(
        mentees=mentees, mentors=mentors, criteria=CRITERIA, exclusions=exclusions
    )


def optimality_gap(*, seed: int = 7) -> float:
    """(a): engine vs the LP optimum on 2,000 × 600."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_array, vstack

    problem = make_problem(mentee_count=2_000, mentor_count=600, seed=seed)
    started = time.perf_counter()
    result = match_cohort(problem=problem)
    engine_seconds = time.perf_counter() - started
    matrix = score_matrix(problem=problem)
    units = np.rint(matrix.scores * SCORE_RESOLUTION).astype(np.int64)
    rows, cols = np.nonzero(matrix.allowed & (units > 0))
    capacity = np.array([m.capacity for m in sorted(problem.mentors, key=lambda m: m.id)])
    count = len(rows)
    ones = np.ones(count)
    constraints = vstack(
        [
            coo_array((ones, (rows, np.arange(count))), shape=(len(matrix.mentee_ids), count)),
            coo_array((ones, (cols, np.arange(count))), shape=(len(matrix.mentor_ids), count)),
        ]
    ).tocsr()
    bounds_ub = np.concatenate([np.ones(len(matrix.mentee_ids)), capacity])
    started = time.perf_counter()
    lp = linprog(
        -units[rows, cols] / SCORE_RESOLUTION,
        A_ub=constraints,
        b_ub=bounds_ub,
        bounds=(0, 1),
        method="highs",
    )
    lp_seconds = time.perf_counter() - started
    if lp.status != 0:
        raise SystemExit(f"LP failed: {lp.message}")
    x = np.rint(lp.x)
    if np.abs(lp.x - x).max() > 1e-6:
        raise SystemExit("LP optimum is not integral")
    lp_units = int(units[rows, cols][x > 0.5].sum())
    engine_units = round(result.total_score * SCORE_RESOLUTION)
    gap = abs(engine_units - lp_units) / lp_units
    print(
        f"(a) 2000x600: engine total={engine_units / SCORE_RESOLUTION:.4f}"
        f" in {engine_seconds:.2f}s; LP ({count} variables)"
        f" total={lp_units / SCORE_RESOLUTION:.4f} (HiGHS objective {-lp.fun:.6f})"
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


def speed_run(*, seed: int) -> dict:
    """(b): one measured run (called in a subprocess)."""
    problem = make_problem(mentee_count=10_000, mentor_count=3_000, seed=seed)
    started = time.perf_counter()
    result = match_cohort(problem=problem)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": _peak_rss_mb(),
        "pairs": len(result.pairs),
        "unmatched": len(result.unmatched_mentee_ids),
        "total_score": result.total_score,
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--speed-run":
        print(json.dumps(speed_run(seed=int(sys.argv[2]))))
        return
    bench_started = time.perf_counter()
    runs = []
    for seed in (1, 1, 1):  # the same cohort three times: median of 3 runs
        output = subprocess.run(
            [sys.executable, __file__, "--speed-run", str(seed)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        run = json.loads(output.strip().splitlines()[-1])
        runs.append(run)
        print(
            f"(b) 10000x3000 run: {run['seconds']:.2f}s, peak {run['peak_mb']:.0f} MB,"
            f" {run['pairs']} pairs, {run['unmatched']} unmatched, total {run['total_score']:.1f}"
        )
    seconds = statistics.median(run["seconds"] for run in runs)
    peak = max(run["peak_mb"] for run in runs)
    gap = optimality_gap()
    print(f"bench wall time {time.perf_counter() - bench_started:.0f}s")
    print(
        f"matching mentees=10000 mentors=3000 seconds={seconds:.2f} peak_mb={peak:.0f}"
        f" optimal_gap={gap:g}"
    )


if __name__ == "__main__":
    main()
