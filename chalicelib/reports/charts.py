"""Charts drawn on the server: the geometry of a bar chart (one group of bars per day) for an inline SVG.

No chart JavaScript: the template draws the rectangles, axis ticks and labels computed here, with a title, a
description and a table of the same numbers next to it (the accessible alternative).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 480
HEIGHT = 220
LEFT = 64  # room for the value axis labels
BOTTOM = 28  # room for the day labels
TOP = 12


@dataclass(frozen=True)
class Bar:
    series: int
    x: float
    y: float
    width: float
    height: float
    label: str  # "<day>: <value>" (a tooltip through <title>)


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    baseline: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    x_labels: tuple[XLabel, ...]


def nice_top(peak: float) -> float:
    """The smallest 1, 2 or 5 x 10^n at or above ``peak`` (1 for nothing)."""
    if peak <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(peak))
    return float(next(step * power for step in (1, 2, 5, 10) if step * power >= peak))


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Sequence[float | None]],
    show: Callable[[float], str] = lambda v: f"{v:g}",
) -> Chart:
    """Bars for ``series`` (each one value per label; None draws nothing) over ``labels`` (the days)."""
    top = nice_top(max((v for s in series for v in s if v is not None), default=0))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.8 / max(len(series), 1)
    bars = []
    for n, values in enumerate(series):
        for i, value in enumerate(values):
            if value is None:
                continue
            h = max(plot_h * value / top, 1.5)  # a zero is a value: a hairline, not an empty day
            x = LEFT + i * slot + slot * 0.1 + n * bar_w
            bars.append(
                Bar(n, round(x, 1), round(baseline - h, 1), round(bar_w, 1), round(h, 1), f"{labels[i]}: {show(value)}")
            )
    ticks = tuple(Tick(round(baseline - plot_h * k / 4, 1), show(top * k / 4)) for k in range(5))
    every = max(1, math.ceil(len(labels) / 8))  # at most about 8 day labels
    x_labels = tuple(
        XLabel(round(LEFT + i * slot + slot / 2, 1), label) for i, label in enumerate(labels) if i % every == 0
    )
    return Chart(WIDTH, HEIGHT, LEFT, baseline, tuple(bars), ticks, x_labels)
