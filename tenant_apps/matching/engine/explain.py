"""Explanations: why a pair scores what it scores, in words, per criterion (sensitive criteria
merged into one neutral line) — for the chosen pairs, for suggestions and for pairs made by hand.
Also the "mentee choice" suggestions, which are a scored and explained short list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tenant_apps.matching.engine.model import (
    CONFIDENTIAL_KEY,
    SCORE_RESOLUTION,
    Criterion,
    CriterionContribution,
    Explanation,
    MatchingProblem,
    Mentee,
    Mentor,
    ParticipantId,
    Suggestion,
    Translate,
    as_number,
    as_set,
    as_value,
    gettext_noop,
    identity,
)
from tenant_apps.matching.engine.scoring import EncodedCriterion, Scorer, allowed_scores, prepare


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
            "value": _display(as_value(mentee_answer), translate, labels),
        }
    if criterion.kind == "distance":
        return translate(
            gettext_noop("close answers to “%(label)s” (%(mentee_value)s and %(mentor_value)s)")
        ) % {
            "label": label,
            "mentee_value": _display(as_number(mentee_answer), translate, labels),
            "mentor_value": _display(as_number(mentor_answer), translate, labels),
        }
    common = (as_set(mentee_answer) or frozenset()) & (as_set(mentor_answer) or frozenset())
    if criterion.kind == "overlap":
        return translate(gettext_noop("in common for “%(label)s”: %(values)s")) % {
            "label": label,
            "values": _display(common, translate, labels),
        }
    return translate(
        gettext_noop("the mentor covers %(count)s of %(total)s needs for “%(label)s”: %(values)s")
    ) % {
        "count": len(common),
        "total": len(as_set(mentee_answer) or ()),
        "label": label,
        "values": _display(common, translate, labels),
    }


_PLAIN = (str, int, float, bool, type(None))


def _remembered_reason(
    memo: dict[object, Any],
    criterion: Criterion,
    mentee_answer: object,
    mentor_answer: object,
    translate: Translate,
) -> str:
    """``_reason``, remembered for "same" and "distance" between plain answers (few distinct
    ones; a set criterion's reason depends on the options in common, rarely twice the same).
    Two plain answers with the same repr read the same (1, 1.0, True and "1" do not)."""
    if criterion.kind not in ("same", "distance") or not (
        type(mentee_answer) in _PLAIN and type(mentor_answer) in _PLAIN
    ):
        return _reason(criterion, mentee_answer, mentor_answer, translate)
    key = (id(criterion), repr(mentee_answer), repr(mentor_answer))
    reason: str | None = memo.get(key)
    if reason is None:
        reason = memo[key] = _reason(criterion, mentee_answer, mentor_answer, translate)
    return reason


def _explain(
    *,
    mentee: Mentee,
    mentor: Mentor,
    weighted: Sequence[EncodedCriterion],
    similarities: Sequence[float],
    score: float,
    translate: Translate,
    cache: dict[object, object] | None = None,
) -> Explanation:
    """``cache``: shared by the pairs of one cohort — a contribution depends only on the
    criterion and the similarity, a "same" or "distance" reason only on the two answers, and
    these repeat from pair to pair (immutable values: sharing them changes nothing)."""
    memo: dict[object, Any] = {} if cache is None else cache
    public: list[tuple[CriterionContribution, Criterion]] = []
    secret_share = secret_points = 0.0
    for position, (encoded, similarity) in enumerate(zip(weighted, similarities, strict=True)):
        criterion = encoded.criterion
        points = 100.0 * encoded.share * similarity
        if criterion.is_sensitive:
            secret_share += encoded.share
            secret_points += points
            continue
        contribution = memo.get((position, similarity))
        if contribution is None:
            contribution = memo[position, similarity] = CriterionContribution(
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
        _remembered_reason(
            memo,
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


def explained_pairs(
    *,
    scorer: Scorer,
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    rows: np.ndarray,
    cols: np.ndarray,
    translate: Translate,
) -> list[tuple[float, Explanation]]:
    """(score, explanation) of the pairs (rows[p], cols[p]): similarities computed at once."""
    scores, similarities = scorer.pairs(rows, cols)
    cache: dict[object, object] = {}
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
            cache=cache,
        )
        out.append((score, explanation))
    return out


def suggestions(
    *,
    problem: MatchingProblem,
    mentee_id: ParticipantId,
    k: int = 5,
    mentor_load: Mapping[ParticipantId, int] | None = None,
    translate: Translate = identity,
) -> list[Suggestion]:
    """The ``k`` best mentors for one mentee ("mentee choice" mode), best first, ties in mentor
    id order. Only mentors with room for one more mentee — capacity minus the problem's locked
    pairs minus ``mentor_load`` (e.g. pending requests) — and allowed pairs (no exclusion, hard
    rules passed, not already locked together) are listed; mentors scoring 0 come last, when
    fewer than ``k`` score more."""
    prepared = prepare(problem)
    if mentee_id not in prepared.mentee_index:
        raise ValueError(f"Unknown mentee {mentee_id!r}.")
    row = prepared.mentee_index[mentee_id]
    scores = allowed_scores(prepared, np.array([row], dtype=np.int64))[0]
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
    explained = explained_pairs(
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
    translate: Translate = identity,
) -> Explanation:
    """Why this pair scores what it scores (for a pair made by hand, for instance)."""
    scorer = Scorer(mentees=[mentee], mentors=[mentor], criteria=criteria)
    zero = np.zeros(1, dtype=np.int64)
    [(_, explanation)] = explained_pairs(
        scorer=scorer,
        mentees=[mentee],
        mentors=[mentor],
        rows=zero,
        cols=zero,
        translate=translate,
    )
    return explanation
