"""Geometry for the dashboard's SVG charts, drawn on the server: line charts, grouped bar
charts and the pulse's quadrant-pair matrix.

Pure functions: numbers in, coordinates and labels out; the templates only place them. Every
chart also carries its numbers as rows, which the page prints as a table beside it (the text
alternative, and what prints when colour does not). Series differ by line style and fill
lightness as well as colour, so they stay apart in grey-scale print.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

# Drawn about as wide as a phone shows it, so that labels of FONT units stay at least 11 px
# there; on a wider screen the chart grows (up to the stylesheet's max-width).
WIDTH, HEIGHT = 320, 230
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 24, 42
FONT = 13

# One style per series: stroke colour, dash pattern (lines), fill (bars).
STYLES = [
    {"color": "#2456a6", "dash": "", "fill": "#2456a6"},
    {"color": "#b3261e", "dash": "6 4", "fill": "#e8a29e"},
    {"color": "#00695c", "dash": "2 3", "fill": "#9ccfc7"},
    {"color": "#6b3fa0", "dash": "10 3 2 3", "fill": "#cdb8e6"},
]


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str

    @property
    def lines(self) -> list[str]:
        """The label on two lines at most ('FY2027', 'Q1'), so that a narrow slot holds it."""
        return self.label.rsplit(" ", 1)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the value as printed


@dataclass
class Series:
    name: str
    color: str
    dash: str
    fill: str
    points: list[Point] = field(default_factory=list)
    path: str = ""  # the line, broken where a value is missing


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    color: str
    title: str


@dataclass
class Chart:
    title: str
    y_label: str
    kind: str  # "line" or "bar"
    x_labels: list[XLabel]
    ticks: list[Tick]
    series: list[Series]
    bars: list[Bar]
    header: list[str]  # the table behind the chart: first cell empty, then the x labels
    rows: list[list[str]]  # one per series: its name, then its values
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def font(self) -> int:
        return FONT

    @property
    def x_axis_y(self) -> int:
        return self.bottom

    @property
    def has_data(self) -> bool:
        return any(s.points for s in self.series) or bool(self.bars)


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return str(int(value))
    return f"{float(value):.{digits}f}"


def nice_ceiling(value: float) -> float:
    """A round upper bound for an axis: 1, 2, 2.5, 5 or 10 times a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def _ticks(y_min: float, y_max: float, count: int, scale) -> list[Tick]:
    """``count`` steps, or fewer or more when that gives whole-number steps (counts of
    sessions or successes have no halves)."""
    span = y_max - y_min
    for tries in (count, 5, 4, 2, 1):
        if float(span / tries).is_integer():
            count = tries
            break
    step = span / count
    return [Tick(scale(y_min + i * step), _fmt(y_min + i * step)) for i in range(count + 1)]


def _frame(labels: Sequence[str]) -> tuple[list[float], float]:
    """Centre x of each label's slot, and the slot width."""
    slot = (WIDTH - RIGHT - LEFT) / max(len(labels), 1)
    return [LEFT + slot * (i + 0.5) for i in range(len(labels))], slot


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_min: float = 0,
    y_max: float | None = None,
    y_label: str = "",
    ticks: int = 4,
) -> Chart:
    values = [v for _, vs in series for v in vs if v is not None]
    top_value = y_max if y_max is not None else nice_ceiling(max(values, default=1))
    span = (top_value - y_min) or 1
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM

    def scale(value: float) -> float:
        return round(plot_bottom - (float(value) - y_min) / span * (plot_bottom - plot_top), 1)

    xs, _ = _frame(labels)
    drawn = []
    for index, (name, vs) in enumerate(series):
        style = STYLES[index % len(STYLES)]
        line = Series(name, style["color"], style["dash"], style["fill"])
        pieces, pen_down = [], False
        for x, value in zip(xs, vs, strict=True):
            if value is None:
                pen_down = False
                continue
            y = scale(value)
            line.points.append(Point(round(x, 1), y, _fmt(value)))
            pieces.append(f"{'L' if pen_down else 'M'}{x:.1f} {y}")
            pen_down = True
        line.path = " ".join(pieces)
        drawn.append(line)
    return Chart(
        title=title,
        y_label=y_label,
        kind="line",
        x_labels=[XLabel(round(x, 1), label) for x, label in zip(xs, labels, strict=True)],
        ticks=_ticks(y_min, top_value, ticks, scale),
        series=drawn,
        bars=[],
        header=["", *labels],
        rows=[[name, *[_fmt(v) for v in vs]] for name, vs in series],
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_max: float | None = None,
    y_label: str = "",
    ticks: int = 4,
) -> Chart:
    values = [v for _, vs in series for v in vs if v is not None]
    top_value = y_max if y_max is not None else nice_ceiling(max(values, default=1))
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM

    def scale(value: float) -> float:
        return round(plot_bottom - float(value) / top_value * (plot_bottom - plot_top), 1)

    xs, slot = _frame(labels)
    group = slot * 0.7
    width = group / max(len(series), 1)
    bars, legend = [], []
    for index, (name, vs) in enumerate(series):
        style = STYLES[index % len(STYLES)]
        legend.append(Series(name, style["color"], style["dash"], style["fill"]))
        for x, label, value in zip(xs, labels, vs, strict=True):
            if value is None:
                continue
            left = x - group / 2 + index * width
            y = scale(value)
            bars.append(
                Bar(
                    round(left, 1),
                    y,
                    round(width - 2, 1),
                    round(plot_bottom - y, 1),
                    style["fill"],
                    style["color"],
                    f"{name}, {label}: {_fmt(value)}",
                )
            )
    return Chart(
        title=title,
        y_label=y_label,
        kind="bar",
        x_labels=[XLabel(round(x, 1), label) for x, label in zip(xs, labels, strict=True)],
        ticks=_ticks(0, top_value, ticks, scale),
        series=legend,
        bars=bars,
        header=["", *labels],
        rows=[[name, *[_fmt(v) for v in vs]] for name, vs in series],
    )


# --- the pulse matrix ------------------------------------------------------------------------

CELL = 52
MATRIX_LEFT, MATRIX_TOP = 84, 58
# From 1 (pale red) to 5 (deep green); the number is printed in every cell as well.
PULSE_FILLS = ["#f4c7c3", "#f9dfc0", "#f2f0c8", "#cfe8cf", "#9fd2a6"]
HIDDEN_FILL = "#eef0f4"  # a pair with fewer than k raters: answered, but not shown


@dataclass(frozen=True)
class MatrixCell:
    x: int
    y: int
    fill: str
    text: str
    change: str  # "▼ 0.4", "▲ 0.2" or ""
    weakening: bool
    title: str


@dataclass
class Matrix:
    title: str
    cells: list[MatrixCell]
    row_labels: list[XLabel]  # x holds the row's y here
    column_labels: list[Point]  # staggered over two lines, so that full names fit
    size: int = CELL
    left: int = MATRIX_LEFT
    top: int = MATRIX_TOP
    font: int = FONT

    @property
    def width(self) -> int:
        return MATRIX_LEFT + 4 * CELL + 16

    @property
    def height(self) -> int:
        return MATRIX_TOP + 4 * CELL + 8

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def pulse_fill(overall: float | None) -> str:
    if overall is None:
        return "#ffffff"
    index = min(max(int(round(overall)) - 1, 0), 4)
    return PULSE_FILLS[index]


def pulse_matrix(title: str, grid, names: dict[str, str]) -> Matrix:
    """``grid``: 4 rows (the rater's quadrant, L M T E) of 4 cells (the other side's quadrant),
    each a PulseCell or None."""
    order = list(names)
    cells = []
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            x, y = MATRIX_LEFT + c * CELL, MATRIX_TOP + r * CELL
            rater, other = names[order[r]], names[order[c]]
            if cell is None:
                cells.append(
                    MatrixCell(x, y, "#ffffff", "", "", False, f"{rater} about {other}: no ratings")
                )
                continue
            if not cell.shown or cell.overall is None:
                cells.append(
                    MatrixCell(
                        x,
                        y,
                        HIDDEN_FILL,
                        f"<{cell.k}",
                        "",
                        False,
                        f"{rater} about {other}: {cell.hidden_text}",
                    )
                )
                continue
            change = ""
            if cell.change is not None and cell.change != 0:
                change = f"{'▲' if cell.change > 0 else '▼'} {abs(cell.change):.1f}"
            cells.append(
                MatrixCell(
                    x,
                    y,
                    pulse_fill(cell.overall),
                    f"{cell.overall:.1f}",
                    change,
                    cell.weakening,
                    f"{rater} about {other}: {cell.overall:.1f} from {cell.count} raters"
                    + (f", {change} since the quarter before" if change else ""),
                )
            )
    return Matrix(
        title=title,
        cells=cells,
        row_labels=[
            XLabel(MATRIX_TOP + i * CELL + CELL / 2, names[q]) for i, q in enumerate(order)
        ],
        column_labels=[
            Point(
                MATRIX_LEFT + i * CELL + CELL / 2, MATRIX_TOP - (22 if i % 2 == 0 else 7), names[q]
            )
            for i, q in enumerate(order)
        ],
    )
