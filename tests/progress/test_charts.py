"""The chart geometry: points where the values say, gaps where a value is missing, axes with
round ticks, and the numbers behind every chart as table rows."""

from __future__ import annotations

from meetings.progress.charts import (
    BOTTOM,
    HEIGHT,
    TOP,
    bar_chart,
    line_chart,
    nice_ceiling,
    pulse_matrix,
)
from meetings.progress.selectors import PulseCell
from partnerships.rules import QUADRANT_NAMES


def test_a_line_chart_places_its_points_and_breaks_at_a_missing_value():
    chart = line_chart("Scores", ["Q1", "Q2", "Q3"], [("Customer", [0, None, 100])], y_max=100)
    series = chart.series[0]
    assert [p.y for p in series.points] == [HEIGHT - BOTTOM, TOP]
    assert series.path.count("M") == 2 and "L" not in series.path
    assert chart.rows == [["Customer", "0", "–", "100"]]
    assert chart.header == ["", "Q1", "Q2", "Q3"]
    assert [t.label for t in chart.ticks] == ["0", "25", "50", "75", "100"]


def test_a_bar_chart_has_one_bar_per_value_and_whole_number_ticks():
    chart = bar_chart("Sessions", ["Q1", "Q2"], [("Due", [5, 6]), ("Held", [3, 0])])
    assert len(chart.bars) == 4
    heights = {bar.title: bar.height for bar in chart.bars}
    assert heights["Held, Q2: 0"] == 0
    assert heights["Due, Q1: 5"] < heights["Due, Q2: 6"]
    assert all(float(t.label).is_integer() for t in chart.ticks)


def test_nice_ceilings():
    assert [nice_ceiling(v) for v in (0, 3, 7, 12, 99, 101)] == [1, 5, 10, 20, 100, 200]


def test_the_pulse_matrix_marks_a_falling_pair():
    grid = [[None] * 4 for _ in range(4)]
    grid[1][3] = PulseCell("M", "E", 6, 3.0, 3.5, 3.2, change=-0.4, k=5)
    grid[3][1] = PulseCell("E", "M", 5, 4.0, 4.0, 4.0, change=0.2, k=5)
    grid[0][1] = PulseCell("L", "M", None, None, None, None, k=5)  # fewer than 5 raters
    matrix = pulse_matrix("FY2026 Q1", grid, QUADRANT_NAMES)
    falling = matrix.cells[1 * 4 + 3]
    rising = matrix.cells[3 * 4 + 1]
    assert (falling.text, falling.change, falling.weakening) == ("3.2", "▼ 0.4", True)
    assert (rising.text, rising.change, rising.weakening) == ("4.0", "▲ 0.2", False)
    assert "Managers about Employees: 3.2 from 6 raters" in falling.title
    assert matrix.cells[0].text == ""
    hidden = matrix.cells[1]
    assert (hidden.text, hidden.title) == ("<5", "Leadership about Managers: fewer than 5 answers")
