"""Server-rendered SVG charts: this module computes the geometry, the templates draw it
(`outcomes/_bar_chart.html`). No JavaScript, no CDN; every chart also has a text alternative
and a data table next to it."""

from dataclasses import dataclass
from typing import Any

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH, PLOT_HEIGHT = 640, 22, 8, 200, 180


@dataclass
class Bar:
    label: str
    value: int | float
    x: float
    y: float
    width: float
    height: float
    series: int = 0
    text_x: float = 0
    text_y: float = 0


def horizontal_bars(items: list[tuple[str, float]]) -> dict[str, Any]:
    """One bar per item, labelled on the left, value at the bar's end (the funnel)."""
    top = max([value for _label, value in items] + [1])
    plot = WIDTH - LABEL_WIDTH - 60
    bars = []
    for index, (label, value) in enumerate(items):
        y = index * (BAR_HEIGHT + GAP)
        width = plot * value / top
        bars.append(
            Bar(label, value, LABEL_WIDTH, y, width, BAR_HEIGHT,
                text_x=LABEL_WIDTH + width + 6, text_y=y + BAR_HEIGHT * 0.7)
        )  # fmt: skip
    return {
        "width": WIDTH,
        "height": max(1, len(items)) * (BAR_HEIGHT + GAP),
        "bars": bars,
        "label_x": LABEL_WIDTH - 8,
    }


def vertical_bars(labels: list[str], series: list[list[float]]) -> dict[str, Any]:
    """Grouped columns: one group per label (a week, a score band), one column per series."""
    top = max([value for values in series for value in values] + [1])
    count = max(1, len(labels))
    group_width = (WIDTH - 40) / count
    column = max(1.0, group_width * 0.8 / max(1, len(series)))
    bars = []
    for index, label in enumerate(labels):
        for number, values in enumerate(series):
            value = values[index]
            height = PLOT_HEIGHT * value / top
            x = 40 + index * group_width + number * column
            bars.append(Bar(label, value, x, PLOT_HEIGHT - height, column, height, series=number))
    step = max(1, count // 8)
    ticks = [  # centred under the group's columns
        {"x": 40 + index * group_width + column * len(series) / 2, "label": label}
        for index, label in enumerate(labels)
        if index % step == 0
    ]
    return {
        "width": WIDTH,
        "height": PLOT_HEIGHT + 24,
        "plot_height": PLOT_HEIGHT,
        "bars": bars,
        "ticks": ticks,
        "top": top,
    }
