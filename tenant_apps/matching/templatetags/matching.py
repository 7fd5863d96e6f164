"""How an explanation stored with a pair is shown."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def shown_contributions(explanation: Any) -> list[dict[str, Any]]:
    """The lines worth reading: criteria that gave at least one point (rounded), best first,
    as {"label", "points"} with whole points. A criterion that gave nothing is not a reason."""
    if isinstance(explanation, dict):  # stored with a pair
        contributions = [
            (c.get("label", ""), c.get("points")) for c in explanation.get("contributions") or []
        ]
    else:  # an engine Explanation (suggestions, computed for the page)
        contributions = [(c.label, c.points) for c in getattr(explanation, "contributions", ())]
    lines = []
    for label, raw_points in contributions:
        points = round(float(raw_points or 0))
        if points >= 1:
            lines.append({"label": label, "points": points})
    return lines
