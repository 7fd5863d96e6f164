"""Matching engine: score mentee–mentor pairs, then solve the whole cohort optimally, with a proof.

Pure domain code: the standard library, numpy and scipy only (no ORM, no Django — an
import-linter contract checks it); the services feed it plain dataclasses and store what it
returns. The package:

- ``model``: the vocabulary — ``Mentee``, ``Mentor``, ``Criterion``, ``MatchingProblem``, the
  results — standard library only;
- ``scoring``: answers encoded once, exact scores (blocks of mentees × mentors, or lists of
  pairs), ``score_matrix``, and the solver's edges (``CompactEdges``: first candidates and a
  2-byte bound of every pair's score);
- ``solver``: ``match_cohort``: candidates, exact assignment, certificate;
- ``explain``: explanations in words, ``explain_pair``, ``suggestions``.

Importing this package loads neither numpy nor scipy: the model's names are here at once, the
four functions (``match_cohort``, ``suggestions``, ``explain_pair``, ``score_matrix``) load the
numeric modules on first use. A web worker that never runs matching never pays for them
(≈ 57 MB and 0.7 s per worker).

Scoring
    Each criterion compares one question of the mentee's questionnaire with one of the mentor's
    and gives a similarity in [0, 1]:

    - ``same``: 1 if both gave the same answer, else 0;
    - ``overlap``: Jaccard overlap of two multiple-choice answers, |A ∩ B| / |A ∪ B|;
    - ``covers``: share of the mentee's needs found in the mentor's answer, |A ∩ B| / |A|;
    - ``distance``: numbers, 1 - |a - b| / value_range, clipped to [0, 1].

    A missing answer (None, "", an empty set, a non-number for ``distance``) gives 0. A pair's
    score is the weighted mean of its similarities × 100, rounded to 1/10,000 of a point
    (``SCORE_RESOLUTION``); the solver is exact for these rounded scores. Scores are computed
    criterion by criterion with numpy, from answers encoded once (integer codes, bitsets,
    floats), for a block of mentees × every mentor or for a list of pairs — the same operations
    in the same order, so the same numbers. A criterion with few distinct answers (ages, time
    zones, a "same" without hard rule) has its terms looked up in a table that those very
    operations computed, and one-word option sets look theirs up by (sizes, options in
    common): bit for bit the computed terms, a gather instead of several passes.

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
    "edges"). In "matches" mode w_ij = score_ij + B with B = rows × 1,000,000 + 1, larger than
    any total score, so one more match always outweighs any score difference. All weights are
    integers, so every step below is exact (no tolerance anywhere). No dense score matrix is
    kept, so 50,000 × 15,000 fits in memory (≈ 3 GB peak with the benchmark's data, was 9.35).

    1. One scoring pass, a block of mentees at a time, keeps each mentee's K best edges
       (``candidate_limit``: 8, 12 past 20,000 mentees) and each mentor's 8K best (ties spread
       over different mentors/mentees, not "lowest index first"), with their exact scores, and
       a 2-byte upper bound of every pair's score, q = ⌊s/16⌋ + 1 (0 for a pair that is not an
       edge), so s ≤ 16q − 1 (see ``scoring.CompactEdges``).
    2. The candidate problem is solved exactly by ``scipy.sparse.csgraph.
       min_weight_full_bipartite_matching`` (LAPJVsp): a mentor with capacity c becomes c
       identical slots (costs max + 1 − w > 0). First without "stays empty" columns — the
       best assignment that fills every vertex of the smaller side, a third faster to solve,
       and the optimum whenever some optimum fills that side (always in "matches" mode if it
       can be filled; usually in "score" mode). If no such assignment exists, or step 3
       cannot certify it, the candidates are solved again with one "stays empty" column per
       row (so a full matching always exists), which is the optimum.
    3. Certificate: from that assignment we compute integer LP duals — mentor prices v ≥ 0 as the
       least solution of v_j ≥ w_ij (i unmatched) and v_j ≥ v_k + w_ij − w_ik (i placed with k),
       by Bellman–Ford; u_i = w_i,k − v_k (0 if unmatched) — and check complementary slackness
       (u ≥ 0, v_j = 0 for a mentor with a free slot). Then u_i + v_j ≥ w_ij on every candidate
       edge and Σu + Σ c·v equals the assignment's weight. (If this fails, the assignment was
       not optimal: an error is raised, never a wrong answer returned.)
    4. Every edge of the *whole* problem is then checked: a pair whose bound satisfies
       16q − 1 + B ≤ u_i + v_j cannot violate; the others are scored exactly. If w_ij ≤ u_i +
       v_j everywhere, (u, v) is a feasible solution of the dual of the full LP with the same
       value as the assignment, so by weak duality no assignment of the full problem does
       better: it is optimal. (After the first round only what new duals could break is read
       again: an edge that satisfied the previous duals can only fail where u_i or v_j fell.)
       Else the violating edges (a few per mentee, the worst first; twice as many at each
       round) join the candidates — the candidate lists widen only where the proof fails —
       and the optimum is *repaired* rather than solved again
       (``solver._repair``): each mentee with new edges takes u_i = max(0, max_j w_ij − v_j),
       gives up its place, and one shortest path (Dijkstra on the residual min-cost-flow
       network, reduced costs ≥ 0 thanks to the duals as potentials) carries it to the
       nearest place owed — successive shortest paths started from the previous optimum, a
       few hundred paths instead of a new LAPJVsp solve. The repaired assignment goes through
       step 3 again (if it could not be certified, step 2 would solve from scratch: a bug here
       costs time, never a wrong answer). The candidate set grows at every round, so this
       ends — at worst with every edge as a candidate. (``solver.certify`` runs steps 3–4 on
       any assignment; ``solver.match_cohort_certified`` returns the duals.)

    Determinism: mentees and mentors are sorted by id before anything else (ids of one type, or
    mixed types sorted by type name then value), exclusions and locked pairs are sets, criteria
    are scored in a canonical order; the same input in any order gives the same output. Among
    equally good solutions the one returned is a fixed function of this id order.

Explanations are computed only for the chosen pairs (and for suggestions).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from tenant_apps.matching.engine.model import (
    CONFIDENTIAL_KEY,
    MAX_CAPACITY,
    SCORE_RESOLUTION,
    Criterion,
    CriterionContribution,
    Explanation,
    MatchingProblem,
    MatchingResult,
    Mentee,
    Mentor,
    ProposedPair,
    ScoreMatrix,
    Suggestion,
)

if TYPE_CHECKING:
    from tenant_apps.matching.engine.explain import explain_pair, suggestions
    from tenant_apps.matching.engine.scoring import score_matrix
    from tenant_apps.matching.engine.solver import match_cohort

__all__ = [
    "CONFIDENTIAL_KEY",
    "MAX_CAPACITY",
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

# The functions that need numpy/scipy, loaded on first use (PEP 562).
_LAZY = {
    "match_cohort": "solver",
    "score_matrix": "scoring",
    "suggestions": "explain",
    "explain_pair": "explain",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
