"""The server-drawn bar chart: a round top for the value axis, bars inside the plot, zeros as a hairline,
nothing drawn for a day without a value, at most about eight day labels."""

from __future__ import annotations

import pytest

from chalicelib.reports.charts import HEIGHT, LEFT, TOP, WIDTH, bar_chart, nice_top


@pytest.mark.parametrize(("peak", "top"), [(0, 1), (0.3, 0.5), (1, 1), (7, 10), (15, 20), (41, 50), (3600, 5000)])
def test_the_axis_tops_at_one_two_or_five_times_a_power_of_ten(peak: float, top: float) -> None:
    assert nice_top(peak) == pytest.approx(top)


def test_bars_stand_on_the_baseline_inside_the_plot_in_proportion() -> None:
    chart = bar_chart(["a", "b", "c"], [[10, 0, None], [5, 20, 1]])
    assert len(chart.bars) == 5  # the None draws nothing
    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(chart.baseline, abs=0.11)
        assert bar.x >= LEFT and bar.x + bar.width <= WIDTH and bar.y >= TOP
    heights = {(b.series, b.label): b.height for b in chart.bars}
    assert heights[(1, "b: 20")] == pytest.approx(chart.baseline - TOP, abs=0.1)  # the peak reaches the top (20)
    assert heights[(0, "a: 10")] == pytest.approx(heights[(1, "b: 20")] / 2, abs=0.1)
    assert heights[(0, "b: 0")] == 1.5  # a zero is still seen
    assert [t.label for t in chart.ticks] == ["0", "5", "10", "15", "20"] and chart.height == HEIGHT


def test_a_long_range_labels_about_eight_days() -> None:
    chart = bar_chart([f"d{n}" for n in range(31)], [[1.0] * 31])
    assert 6 <= len(chart.x_labels) <= 8 and chart.x_labels[0].label == "d0"
