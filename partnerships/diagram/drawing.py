"""The quadrant diagram, drawn as SVG on the server: plain data in, an SVG string out.

Nothing here touches the database. Two drawings share one geometry (the seed's box of four
quadrants: leadership upper left, teams upper right, managers lower left, employees lower
right):

- ``render_overview`` draws the organization in aggregate: each quadrant with its count and a
  few names, and the six flows between them as arrows whose line style and colour give the
  type and whose thickness and label give the number of relationships.
- ``render_compact`` draws the same box for a phone: the quadrants two by two, and the flows
  as labelled rows instead of arrows too small to read.
- ``render_network`` draws individual members inside their quadrants with their typed
  relationships as arrows (a partnership's map, or one member's ego view).

Every piece of text is escaped here, once, with ``html.escape`` (valid in XML as in HTML).
Colours are written as presentation attributes so that an exported file looks the same as
the page; they mirror the variables ``--q-*`` and ``--t-*`` in static/css/app.css.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple

from org.bidi import isolated
from partnerships.diagram.text_width import fit, text_width
from partnerships.rules import (
    CHANNELS,
    DIRECT,
    FLOWS,
    GUIDANCE,
    INFLUENTIAL,
    LEGEND,
    LINE_STYLES,
    LOOPS,
    QUADRANT_NAMES,
    QUADRANT_WORDS,
    READING_ORDER,
    TYPE_NAMES,
    type_for_quadrants,
)

# --- sentences (the words themselves are in partnerships/rules.py) ---------------------


def flow_sentence(source: str, target: str, count: int) -> str:
    """The accessible name of a flow: 'Influential: managers to employees, 412 relationships'."""
    noun = "relationship" if count == 1 else "relationships"
    if source == target:
        return f"Direct within {QUADRANT_WORDS[source]}: {count} {noun}"
    kind = TYPE_NAMES[type_for_quadrants(source, target) or DIRECT]
    return f"{kind}: {QUADRANT_WORDS[source]} to {QUADRANT_WORDS[target]}, {count} {noun}"


def quadrant_sentence(quadrant: str, count: int) -> str:
    noun = ("team" if count == 1 else "teams") if quadrant == "T" else "member"
    if quadrant != "T" and count != 1:
        noun = "members"
    return f"{QUADRANT_NAMES[quadrant]}: {count} active {noun}"


# --- colours and strokes (mirroring static/css/app.css) -----------------------------------

QUADRANT_INK = {"L": "#2456a6", "M": "#2f6b3a", "T": "#9a5b00", "E": "#6b3fa0"}
QUADRANT_PAPER = {"L": "#e8eef9", "M": "#e8f3ea", "T": "#fbf1e1", "E": "#f1ebf8"}
TYPE_INK = {DIRECT: "#1d2430", INFLUENTIAL: "#b3261e", GUIDANCE: "#00695c"}
INK, MUTED, PAPER, HIGHLIGHT = "#1d2430", "#5b6576", "#ffffff", "#ffbf47"
# The widths of partnerships/diagram/text_width.py are DejaVu Sans's, the widest of these.
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, 'DejaVu Sans', sans-serif"


def _dasharray(kind: str, width: float) -> str | None:
    """Solid, dashed or dotted: the line style alone tells the type, even in grey-scale."""
    if kind == INFLUENTIAL:
        return f"{_n(max(9.0, 3.2 * width))} {_n(max(6.0, 1.8 * width))}"
    if kind == GUIDANCE:
        return f"0.1 {_n(max(5.0, 2.2 * width))}"
    return None


def _stroke_attrs(kind: str, width: float, *, color: str | None = None) -> str:
    attrs = (
        f'stroke="{color or TYPE_INK[kind]}" stroke-width="{_n(width)}" fill="none" '
        'stroke-linecap="round"'
    )
    dash = _dasharray(kind, width)
    if dash:
        attrs += f' stroke-dasharray="{dash}"'
    return attrs


# --- small SVG writing helpers ------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate with at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _name_text(
    name: str, size: float, width: float, attrs: str, *, bold: bool = False, title: bool = True
) -> str:
    """A name someone typed, as one <text> no wider than width: shortened with an ellipsis
    when it is longer, its whole self then in a <title> (unless the caller's element holds
    one already)."""
    shown = fit(name, size, width, bold=bold)
    whole = " ".join(name.split())
    tip = f"<title>{_text(whole)}</title>" if title and shown != whole else ""
    weight = ' font-weight="700"' if bold else ""
    # Isolated (U+2068…U+2069), so a right-to-left name cannot reorder the words beside it;
    # the isolates measure nothing (text_width).
    return f'<text {attrs} font-size="{_n(size)}"{weight}>{tip}{_text(isolated(shown))}</text>'


def _open_link(
    href: str,
    label: str,
    css_class: str,
    *,
    panel_target: str | None,
    data: str = "",
    current: bool = False,
) -> str:
    """An SVG <a> that is focusable and named; with a panel target it also asks htmx.

    current: the panel shows what this link opens (aria-current; the stylesheet outlines it).
    """
    attrs = f'class="{css_class}" href="{_text(href)}" aria-label="{_text(label)}"{data}'
    if current:
        attrs += ' aria-current="true"'
    if panel_target:
        attrs += (
            f' hx-get="{_text(href)}" hx-target="{_text(panel_target)}" hx-swap="innerHTML"'
            ' hx-push-url="true"'
        )
    return f"<a {attrs}><title>{_text(label)}</title>"


def _arrow_head(x: float, y: float, angle: float, size: float, color: str) -> str:
    """A filled triangle whose tip is at (x, y), pointing along angle (radians)."""
    back_x, back_y = x - size * math.cos(angle), y - size * math.sin(angle)
    spread = size * 0.55
    left = (back_x + spread * math.sin(angle), back_y - spread * math.cos(angle))
    right = (back_x - spread * math.sin(angle), back_y + spread * math.cos(angle))
    points = " ".join(f"{_n(px)},{_n(py)}" for px, py in ((x, y), left, right))
    return f'<polygon points="{points}" fill="{color}"/>'


def _svg_open(width: int, height: int, *, css_class: str, title: str, desc: str, uid: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="group" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-family="{_text(FONT)}" '
        f'preserveAspectRatio="xMidYMin meet">'
        f'<title id="{uid}-title">{_text(title)}</title>'
        f'<desc id="{uid}-desc">{_text(desc)}</desc>'
        f'<rect class="diagram-paper" x="0" y="0" width="{width}" height="{height}" '
        f'fill="{PAPER}"/>'
    )


class Badge(NamedTuple):
    """A quadrant's risks: how many, the sentence that names the link, where it leads."""

    count: int
    text: str
    href: str


BADGE_INK = "#a4262c"


def _badge(badge: Badge, right: float, cy: float, size: float) -> str:
    """A red disc (a pill for a longer number, growing leftwards from its right edge) that
    shows the count and links to the risks."""
    label = str(badge.count)
    width = max(26.0, 12 + text_width(label, size, bold=True))
    cx = right - width / 2
    return (
        f'<a class="diagram-badge" href="{_text(badge.href)}" aria-label="{_text(badge.text)}">'
        f"<title>{_text(badge.text)}</title>"
        f'<rect x="{_n(cx - width / 2)}" y="{_n(cy - 13)}" width="{_n(width)}" height="26" '
        f'rx="13" fill="{BADGE_INK}"/>'
        f'<text class="diagram-badge-count" x="{_n(cx)}" y="{_n(cy + size * 0.35)}" '
        f'text-anchor="middle" font-size="{_n(size)}" font-weight="700" fill="{PAPER}">'
        f"{_text(label)}</text></a>"
    )


def standalone(svg: str) -> str:
    """An SVG drawing as a file of its own (for download)."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"


# --- the aggregated box -------------------------------------------------------------------


@dataclass(frozen=True)
class QuadrantSummary:
    quadrant: str
    count: int
    names: Sequence[str] = ()
    href: str = ""

    @property
    def name(self) -> str:
        return QUADRANT_NAMES[self.quadrant]

    @property
    def sentence(self) -> str:
        return quadrant_sentence(self.quadrant, self.count)


@dataclass(frozen=True)
class FlowSummary:
    source: str
    target: str
    count: int
    href: str = ""

    @property
    def type(self) -> str:
        return type_for_quadrants(self.source, self.target) or DIRECT

    @property
    def type_name(self) -> str:
        return TYPE_NAMES[self.type]

    @property
    def key(self) -> str:
        return f"{self.source}{self.target}"

    @property
    def is_loop(self) -> bool:
        return self.source == self.target

    @property
    def route(self) -> str:
        """'Managers to employees', or 'Within managers' for a loop."""
        if self.is_loop:
            return f"Within {QUADRANT_WORDS[self.source]}"
        return f"{QUADRANT_NAMES[self.source]} to {QUADRANT_WORDS[self.target]}"

    @property
    def sentence(self) -> str:
        return flow_sentence(self.source, self.target, self.count)

    @property
    def row_sentence(self) -> str:
        """The name of the phone's row, which holds its words in the order the row shows
        them: 'Managers to employees, influential (dashed): 412 relationships'."""
        noun = "relationship" if self.count == 1 else "relationships"
        kind = f"{self.type_name.lower()} ({LINE_STYLES[self.type]})"
        return f"{self.route}, {kind}: {self.count} {noun}"


@dataclass(frozen=True)
class Overview:
    """What the aggregated diagram shows: four quadrants, six flows and four loops."""

    quadrants: Mapping[str, QuadrantSummary]
    flows: Mapping[tuple[str, str], FlowSummary]
    title: str = "The organization's internal partnerships"
    badges: Mapping[str, Badge] = field(default_factory=dict)
    # What the open panel shows: a quadrant ("M") or a flow ("ME"), marked aria-current.
    selected: str = ""

    @classmethod
    def build(
        cls,
        *,
        quadrant_counts: Mapping[str, int],
        flow_counts: Mapping[tuple[str, str], int],
        names: Mapping[str, Sequence[str]] | None = None,
        quadrant_href: Mapping[str, str] | None = None,
        flow_href: Mapping[tuple[str, str], str] | None = None,
        title: str | None = None,
    ) -> Overview:
        """Fill in every quadrant, flow and loop (missing ones count zero)."""
        names = names or {}
        quadrant_href = quadrant_href or {}
        flow_href = flow_href or {}
        quadrants = {
            q: QuadrantSummary(
                q, int(quadrant_counts.get(q, 0)), tuple(names.get(q, ())), quadrant_href.get(q, "")
            )
            for q in READING_ORDER
        }
        flows = {
            (s, t): FlowSummary(s, t, int(flow_counts.get((s, t), 0)), flow_href.get((s, t), ""))
            for s, t, _ in (*FLOWS, *LOOPS)
        }
        extra = {"title": title} if title else {}
        return cls(quadrants=quadrants, flows=flows, **extra)

    @property
    def quadrant_list(self) -> list[QuadrantSummary]:
        return [self.quadrants[q] for q in READING_ORDER]

    @property
    def flow_list(self) -> list[FlowSummary]:
        """The six flows between quadrants, grouped by type."""
        return [self.flows[(s, t)] for s, t, _ in FLOWS]

    @property
    def loop_list(self) -> list[FlowSummary]:
        return [self.flows[(s, t)] for s, t, _ in LOOPS]

    @property
    def total_members(self) -> int:
        return sum(q.count for q in self.quadrants.values())

    @property
    def total_relationships(self) -> int:
        return sum(f.count for f in self.flows.values())

    def type_totals(self) -> dict[str, int]:
        totals = dict.fromkeys(CHANNELS, 0)
        for flow in self.flows.values():
            totals[flow.type] += flow.count
        return totals


# The geometry of the box (user units).
OV_WIDTH, OV_HEIGHT = 1000, 840
BOX_W, BOX_H = 330, 260
BOX_XY = {"L": (20, 20), "T": (650, 20), "M": (20, 390), "E": (650, 390)}
# Start, end and label position (fraction along the line) of each flow's arrow. The two
# guidance diagonals cross in the middle: one labels near its start, the other near its end,
# so that their counts sit side by side, each on its own line, well apart.
FLOW_GEOMETRY: dict[tuple[str, str], tuple[tuple[float, float], tuple[float, float], float]] = {
    ("L", "T"): ((358, 150), (642, 150), 0.5),
    ("M", "E"): ((358, 520), (642, 520), 0.5),
    ("L", "M"): ((185, 288), (185, 382), 0.5),
    ("T", "E"): ((815, 288), (815, 382), 0.5),
    ("L", "E"): ((356, 286), (644, 384), 0.27),
    ("M", "T"): ((356, 384), (644, 286), 0.73),
}
LEGEND_Y = 692
MAX_NAMES = 4
NAME_WIDTH = BOX_W - 2 * 18  # a name's room in its quadrant, between the paddings


def _flow_width(count: int, largest: int) -> float:
    """Thickness conveys volume: 1.5 to 11 units, by the square root of the share."""
    if count <= 0 or largest <= 0:
        return 1.5
    return 2.0 + 9.0 * math.sqrt(count / largest)


def _pill(x: float, y: float, label: str, color: str, *, data: str = "") -> str:
    width = 16 + text_width(label, 17, bold=True)
    return (
        f'<rect x="{_n(x - width / 2)}" y="{_n(y - 14)}" width="{_n(width)}" height="28" rx="14" '
        f'fill="{PAPER}" stroke="{color}" stroke-width="2"/>'
        f'<text class="diagram-count"{data} x="{_n(x)}" y="{_n(y + 5)}" text-anchor="middle" '
        f'font-size="17" font-weight="700" fill="{color}">{_text(label)}</text>'
    )


def _render_quadrant(summary: QuadrantSummary, panel_target: str | None, selected: str = "") -> str:
    q = summary.quadrant
    x, y = BOX_XY[q]
    parts = []
    if summary.href:
        parts.append(
            _open_link(
                summary.href,
                summary.sentence,
                f"diagram-quadrant q-{q}",
                panel_target=panel_target,
                data=f' data-quadrant="{q}"',
                current=selected == q,
            )
        )
    else:
        parts.append(f'<g class="diagram-quadrant q-{q}" data-quadrant="{q}">')
    parts.append(
        f'<rect class="diagram-box" x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="10" '
        f'fill="{QUADRANT_PAPER[q]}" stroke="{QUADRANT_INK[q]}" stroke-width="2"/>'
        f'<rect class="diagram-focus" x="{x - 5}" y="{y - 5}" width="{BOX_W + 10}" '
        f'height="{BOX_H + 10}" rx="14" fill="none" stroke="{HIGHLIGHT}" stroke-width="5" '
        'visibility="hidden"/>'
        f'<text x="{x + 18}" y="{y + 36}" font-size="23" font-weight="700" '
        f'fill="{QUADRANT_INK[q]}">{_text(summary.name)}</text> '
        f'<text class="diagram-count" data-quadrant="{q}" x="{x + BOX_W - 18}" y="{y + 40}" '
        f'text-anchor="end" font-size="34" font-weight="700" fill="{QUADRANT_INK[q]}">'
        f"{summary.count}</text> "
        f'<text x="{x + BOX_W - 18}" y="{y + 60}" text-anchor="end" font-size="14" '
        f'fill="{MUTED}">active</text>'
    )
    parts.append("</a>" if summary.href else "</g>")
    # The names are a sample drawn over the link's box, outside the link: its accessible name
    # says what it opens (the quadrant, its count), and contains every word it shows. Clicks
    # pass through them to the box.
    parts.append('<g class="diagram-names" pointer-events="none">')
    shown = list(summary.names)[:MAX_NAMES]
    for i, name in enumerate(shown):
        parts.append(
            _name_text(
                name,
                17,
                NAME_WIDTH,
                f'class="diagram-name" x="{x + 18}" y="{y + 92 + 26 * i}" fill="{INK}"',
            )
        )
    more = summary.count - len(shown)
    if more > 0 and shown:
        parts.append(
            f'<text x="{x + 18}" y="{y + 92 + 26 * len(shown)}" font-size="15" '
            f'fill="{MUTED}">and {more} more</text>'
        )
    elif not shown and summary.count == 0:
        parts.append(
            f'<text x="{x + 18}" y="{y + 92}" font-size="16" font-style="italic" '
            f'fill="{MUTED}">nobody active</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _render_flow(
    flow: FlowSummary, largest: int, panel_target: str | None, selected: str = ""
) -> str:
    (x1, y1), (x2, y2), at = FLOW_GEOMETRY[(flow.source, flow.target)]
    kind = flow.type
    width = _flow_width(flow.count, largest)
    angle = math.atan2(y2 - y1, x2 - x1)
    head = 10 + 1.6 * width
    # The line stops where the arrow head begins, so a thick dash never covers the tip.
    end_x, end_y = x2 - head * 0.8 * math.cos(angle), y2 - head * 0.8 * math.sin(angle)
    color = TYPE_INK[kind]
    label_x, label_y = x1 + (x2 - x1) * at, y1 + (y2 - y1) * at
    opacity = "" if flow.count else ' opacity="0.45"'
    data = f' data-flow="{flow.key}" data-type="{kind}"'
    parts = []
    if flow.href:
        parts.append(
            _open_link(
                flow.href,
                flow.sentence,
                f"diagram-flow flow-{kind}",
                panel_target=panel_target,
                data=data,
                current=selected == flow.key,
            )
        )
    else:
        parts.append(f'<g class="diagram-flow flow-{kind}"{data}>')
    parts.append(
        f'<line class="diagram-hit" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        'stroke="transparent" stroke-width="26" pointer-events="stroke"/>'
        f'<line class="diagram-focus" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="{HIGHLIGHT}" stroke-width="{_n(width + 10)}" stroke-linecap="round" '
        'visibility="hidden"/>'
        f"<g{opacity}>"
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(end_x)}" y2="{_n(end_y)}" '
        f"{_stroke_attrs(kind, width)}/>"
        f"{_arrow_head(x2, y2, angle, head, color)}"
        f"</g>"
        f"{_pill(label_x, label_y, str(flow.count), color, data=data)}"
    )
    parts.append("</a>" if flow.href else "</g>")
    return "".join(parts)


def _render_loop(flow: FlowSummary, panel_target: str | None, selected: str = "") -> str:
    """A reporting line inside one quadrant: a small circling arrow with its count."""
    q = flow.source
    x, y = BOX_XY[q]
    cx, cy, r = x + BOX_W - 40, y + BOX_H - 28, 13
    color = TYPE_INK[DIRECT]
    data = f' data-flow="{flow.key}" data-type="{DIRECT}"'
    parts = []
    if flow.href:
        parts.append(
            _open_link(
                flow.href,
                flow.sentence,
                "diagram-flow diagram-loop flow-direct",
                panel_target=panel_target,
                data=data,
                current=selected == flow.key,
            )
        )
    else:
        parts.append(f'<g class="diagram-flow diagram-loop flow-direct"{data}>')
    # An arc of about 300 degrees, then a head at its end pointing on around the circle.
    start = math.radians(-60)
    end = math.radians(240)
    sx, sy = cx + r * math.cos(start), cy + r * math.sin(start)
    ex, ey = cx + r * math.cos(end), cy + r * math.sin(end)
    tangent = end + math.pi / 2
    parts.append(
        f'<rect class="diagram-hit" x="{cx - 58}" y="{cy - 20}" width="84" height="40" '
        'fill="transparent"/>'
        f'<rect class="diagram-focus" x="{cx - 60}" y="{cy - 22}" width="88" height="44" rx="8" '
        f'fill="none" stroke="{HIGHLIGHT}" stroke-width="4" visibility="hidden"/>'
        f'<path d="M {_n(sx)} {_n(sy)} A {r} {r} 0 1 1 {_n(ex)} {_n(ey)}" '
        f"{_stroke_attrs(DIRECT, 2.5)}/>"
        f"{_arrow_head(ex + 3 * math.cos(tangent), ey + 3 * math.sin(tangent), tangent, 8, color)}"
        f'<text class="diagram-count"{data} x="{cx - 22}" y="{cy + 5}" text-anchor="end" '
        f'font-size="17" font-weight="700" fill="{color}">{flow.count}</text>'
    )
    parts.append("</a>" if flow.href else "</g>")
    return "".join(parts)


def _render_legend(y: float, width: float) -> str:
    parts = [
        f'<g class="diagram-legend"><text x="20" y="{_n(y)}" font-size="17" font-weight="700" '
        f'fill="{INK}">How to read the arrows</text>'
    ]
    for i, kind in enumerate(CHANNELS):
        row = y + 30 + 34 * i
        parts.append(
            f'<line x1="20" y1="{_n(row - 5)}" x2="96" y2="{_n(row - 5)}" '
            f"{_stroke_attrs(kind, 4)}/>"
            f"{_arrow_head(112, row - 5, 0, 14, TYPE_INK[kind])}"
            f'<text x="124" y="{_n(row)}" font-size="16" fill="{INK}">'
            f"{_text(LEGEND[kind])}</text>"
        )
    parts.append(
        f'<text x="20" y="{_n(y + 30 + 34 * 3)}" font-size="15" fill="{MUTED}">'
        "Numbers count active relationships; thicker arrows carry more. A circling arrow "
        "counts reporting lines inside one quadrant.</text></g>"
    )
    return "".join(parts)


def render_overview(
    overview: Overview, *, panel_target: str | None = None, uid: str = "diagram"
) -> str:
    """The box of four quadrants with the six flows and the loops, as one <svg> element.

    panel_target: a CSS selector; when given, each link also carries hx-get for that target.
    uid: prefix for the ids inside the drawing, unique on the page.
    """
    largest = max((f.count for f in overview.flow_list), default=0)
    totals = overview.type_totals()
    desc = (
        f"{overview.total_members} active members in four quadrants; "
        f"{totals[DIRECT]} direct, {totals[INFLUENTIAL]} influential and "
        f"{totals[GUIDANCE]} guidance relationships. The table below gives every number."
    )
    parts = [
        _svg_open(
            OV_WIDTH,
            OV_HEIGHT,
            css_class="diagram diagram-overview",
            title=overview.title,
            desc=desc,
            uid=uid,
        )
    ]
    selected = overview.selected
    parts.extend(_render_quadrant(q, panel_target, selected) for q in overview.quadrant_list)
    for quadrant, badge in overview.badges.items():
        x, y = BOX_XY[quadrant]
        # On the box's upper right corner, above its count.
        parts.append(_badge(badge, x + BOX_W + 9, y - 6, 15))
    parts.extend(_render_loop(f, panel_target, selected) for f in overview.loop_list if f.count)
    parts.extend(_render_flow(f, largest, panel_target, selected) for f in overview.flow_list)
    parts.append(_render_legend(LEGEND_Y, OV_WIDTH))
    parts.append("</svg>")
    return "".join(parts)


# --- the same box, narrow: for a phone -----------------------------------------------------

# A phone shows the box about 340 CSS pixels wide; drawn in that many units, every piece of
# text keeps at least COMPACT_MIN_FONT pixels there (and grows on anything wider).
COMPACT_WIDTH = 340
COMPACT_MIN_FONT = 14
COMPACT_BOX_W, COMPACT_BOX_H, COMPACT_GAP = 162, 96, 16
COMPACT_ROW = 54
COMPACT_BOX_XY = {
    "L": (1, 1),
    "T": (COMPACT_WIDTH - COMPACT_BOX_W - 1, 1),
    "M": (1, 1 + COMPACT_BOX_H + COMPACT_GAP),
    "E": (COMPACT_WIDTH - COMPACT_BOX_W - 1, 1 + COMPACT_BOX_H + COMPACT_GAP),
}


def _compact_quadrant(
    summary: QuadrantSummary, badge: Badge | None, panel_target: str | None, selected: str = ""
) -> str:
    q = summary.quadrant
    x, y = COMPACT_BOX_XY[q]
    ink = QUADRANT_INK[q]
    body = (
        f'<rect class="diagram-box" x="{x}" y="{y}" width="{COMPACT_BOX_W}" '
        f'height="{COMPACT_BOX_H}" rx="8" fill="{QUADRANT_PAPER[q]}" stroke="{ink}" '
        'stroke-width="2"/>'
        f'<rect class="diagram-focus" x="{x + 3}" y="{y + 3}" width="{COMPACT_BOX_W - 6}" '
        f'height="{COMPACT_BOX_H - 6}" rx="6" fill="none" stroke="{HIGHLIGHT}" stroke-width="5" '
        'visibility="hidden"/>'
        f'<text x="{x + 12}" y="{y + 28}" font-size="17" font-weight="700" fill="{ink}">'
        f"{_text(summary.name)}</text> "
        f'<text class="diagram-count" data-quadrant="{q}" x="{x + 12}" y="{y + 72}" '
        f'font-size="32" font-weight="700" fill="{ink}">{summary.count}</text> '
        f'<text x="{x + COMPACT_BOX_W - 12}" y="{y + 72}" text-anchor="end" '
        f'font-size="{COMPACT_MIN_FONT}" fill="{MUTED}">active</text>'
    )
    if summary.href:
        drawn = (
            _open_link(
                summary.href,
                summary.sentence,
                f"diagram-quadrant q-{q}",
                panel_target=panel_target,
                data=f' data-quadrant="{q}"',
                current=selected == q,
            )
            + body
            + "</a>"
        )
    else:
        drawn = f'<g class="diagram-quadrant q-{q}" data-quadrant="{q}">{body}</g>'
    if badge:
        # Between the quadrant's name and the word "active", clear of both.
        drawn += _badge(badge, x + COMPACT_BOX_W - 6, y + 45.5, 16)
    return drawn


def _compact_flow_row(
    flow: FlowSummary, top: float, panel_target: str | None, selected: str = ""
) -> str:
    """One flow as a row: a sample of its line style, its route and type, its count."""
    kind = flow.type
    color = TYPE_INK[kind]
    mid = top + COMPACT_ROW / 2
    route = flow.route
    kind_words = f"{TYPE_NAMES[kind]} ({LINE_STYLES[kind]})"
    data = f' data-flow="{flow.key}" data-type="{kind}"'
    body = (
        f'<rect class="diagram-hit" x="0" y="{_n(top)}" width="{COMPACT_WIDTH}" '
        f'height="{COMPACT_ROW}" fill="transparent"/>'
        f'<rect class="diagram-focus" x="2" y="{_n(top + 2)}" width="{COMPACT_WIDTH - 4}" '
        f'height="{COMPACT_ROW - 4}" rx="6" fill="none" stroke="{HIGHLIGHT}" stroke-width="4" '
        'visibility="hidden"/>'
        f'<line x1="10" y1="{_n(mid)}" x2="40" y2="{_n(mid)}" {_stroke_attrs(kind, 3.5)}/>'
        f"{_arrow_head(54, mid, 0, 13, color)}"
        f'<text x="66" y="{_n(top + 23)}" font-size="16" fill="{INK}">{_text(route)}</text> '
        f'<text x="66" y="{_n(top + 43)}" font-size="{COMPACT_MIN_FONT}" fill="{color}">'
        f"{_text(kind_words)}</text> "
        f'<text class="diagram-count"{data} x="{COMPACT_WIDTH - 10}" y="{_n(mid + 7)}" '
        f'text-anchor="end" font-size="20" font-weight="700" fill="{color}">{flow.count}</text>'
        f'<line x1="0" y1="{_n(top + COMPACT_ROW)}" x2="{COMPACT_WIDTH}" '
        f'y2="{_n(top + COMPACT_ROW)}" stroke="{QUADRANT_PAPER["L"]}" stroke-width="1.5"/>'
    )
    css = f"diagram-flow diagram-row flow-{kind}"
    if flow.href:
        return (
            _open_link(
                flow.href,
                flow.row_sentence,
                css,
                panel_target=panel_target,
                data=data,
                current=selected == flow.key,
            )
            + body
            + "</a>"
        )
    return f'<g class="{css}"{data}>{body}</g>'


def render_compact(
    overview: Overview, *, panel_target: str | None = None, uid: str = "diagram-compact"
) -> str:
    """The same box for a narrow screen: the four quadrants in their places, two by two,
    then every flow as a labelled row (its line style, route, type and count) instead of
    arrows too small to read. The same links as ``render_overview``."""
    totals = overview.type_totals()
    rows = [*overview.flow_list, *(f for f in overview.loop_list if f.count)]
    heading_y = 2 * COMPACT_BOX_H + COMPACT_GAP + 34
    rows_top = heading_y + 12
    note_y = rows_top + COMPACT_ROW * len(rows) + 26
    height = note_y + 12
    desc = (
        f"{overview.total_members} active members in four quadrants; "
        f"{totals[DIRECT]} direct, {totals[INFLUENTIAL]} influential and "
        f"{totals[GUIDANCE]} guidance relationships, one row per flow. The table below gives "
        "every number."
    )
    parts = [
        _svg_open(
            COMPACT_WIDTH,
            height,
            css_class="diagram diagram-compact",
            title=overview.title,
            desc=desc,
            uid=uid,
        )
    ]
    parts.extend(
        _compact_quadrant(q, overview.badges.get(q.quadrant), panel_target, overview.selected)
        for q in overview.quadrant_list
    )
    parts.append(
        f'<text x="2" y="{heading_y}" font-size="17" font-weight="700" fill="{INK}">'
        "Relationships, from → to</text>"
    )
    parts.extend(
        _compact_flow_row(flow, rows_top + COMPACT_ROW * i, panel_target, overview.selected)
        for i, flow in enumerate(rows)
    )
    parts.append(
        f'<text x="2" y="{note_y}" font-size="{COMPACT_MIN_FONT}" fill="{MUTED}">'
        "Numbers count active relationships.</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


# --- individual members inside their quadrants --------------------------------------------


@dataclass(frozen=True)
class Node:
    id: int
    quadrant: str
    name: str
    href: str = ""
    detail: str = ""
    centre: bool = False


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    type: str
    detail: str = ""
    highlight: bool = False


NET_WIDTH, NET_HEIGHT = 1100, 850
NET_CELL_W, NET_CELL_H = 520, 360
NET_CELL_XY = {"L": (20, 20), "T": (560, 20), "M": (20, 400), "E": (560, 400)}
NET_ROW, NET_MIN_COLUMN, NET_MAX_COLUMN, NET_RADIUS = 24, 122, 250, 7
NET_TOP = 46  # below the quadrant's title
NET_NAME_GAP = 16  # between a name's end and the next dot (its focus ring included)
NET_ROWS = (NET_CELL_H - NET_TOP - 8) // NET_ROW
NET_COLUMNS = (NET_CELL_W - 24) // NET_MIN_COLUMN


def network_capacity() -> int:
    """How many nodes fit in one quadrant cell of the network drawing."""
    return NET_ROWS * NET_COLUMNS


@dataclass(frozen=True)
class Placement:
    x: float
    y: float
    room: float  # how wide the name beside the dot may be drawn


def _order_nodes(nodes: Sequence[Node], edges: Sequence[Edge]) -> dict[str, list[Node]]:
    """Nodes by quadrant: the centre first, then the most connected, then by name."""
    degree: dict[int, int] = defaultdict(int)
    for edge in edges:
        degree[edge.source] += 1
        degree[edge.target] += 1
    by_quadrant: dict[str, list[Node]] = {q: [] for q in READING_ORDER}
    for node in nodes:
        by_quadrant[node.quadrant].append(node)
    for members in by_quadrant.values():
        members.sort(key=lambda n: (not n.centre, -degree[n.id], n.name.casefold(), n.id))
    return by_quadrant


def layout_network(nodes: Sequence[Node], edges: Sequence[Edge] = ()) -> dict[int, Placement]:
    """Where each node's dot sits: a grid spread over its quadrant's cell, so that arrows
    fan out instead of running on top of each other.

    Raises ValueError when a quadrant holds more nodes than fit; callers fall back to the
    aggregated box.
    """
    inner_w, inner_h = NET_CELL_W - 24, NET_CELL_H - NET_TOP - 8
    positions: dict[int, Placement] = {}
    for quadrant, members in _order_nodes(nodes, edges).items():
        n = len(members)
        if n > network_capacity():
            raise ValueError(f"{n} members do not fit in {QUADRANT_NAMES[quadrant]}")
        if not n:
            continue
        x0, y0 = NET_CELL_XY[quadrant]
        columns = min(NET_COLUMNS, max(math.ceil(n / NET_ROWS), math.ceil(math.sqrt(n / 2.5))))
        rows = math.ceil(n / columns)
        width = min(NET_MAX_COLUMN, inner_w / columns)
        height = min(64.0, inner_h / rows)
        left = x0 + 20 + (inner_w - width * columns) / 2
        top = y0 + NET_TOP + (inner_h - height * rows) / 2 + height / 2
        for i, node in enumerate(members):
            row, column = divmod(i, columns)
            x = left + column * width
            # The name starts 13 units right of the dot and stops short of the next column's
            # dot, or, in the last column, of the cell's edge.
            end = x + width if column < columns - 1 else x0 + NET_CELL_W
            positions[node.id] = Placement(x, top + row * height, end - NET_NAME_GAP - x - 13)
    return positions


def _curve(
    start: tuple[float, float], end: tuple[float, float], bend: float
) -> tuple[str, tuple[float, float], float]:
    """A gently bent path from start to end, stopping short of the target's dot.

    Returns the path data, the tip of the arrow and the angle it arrives at.
    """
    (x1, y1), (x2, y2) = start, end
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    # The control point sits off the middle, perpendicular to the line.
    cx, cy = mx - (y2 - y1) / length * bend, my + (x2 - x1) / length * bend
    angle = math.atan2(y2 - cy, x2 - cx)
    tip = (x2 - (NET_RADIUS + 2) * math.cos(angle), y2 - (NET_RADIUS + 2) * math.sin(angle))
    return (
        f"M {_n(x1)} {_n(y1)} Q {_n(cx)} {_n(cy)} {_n(tip[0])} {_n(tip[1])}",
        tip,
        angle,
    )


def edge_sentence(edge: Edge, names: Mapping[int, str]) -> str:
    kind = TYPE_NAMES.get(edge.type, edge.type)
    text = f"{kind}: {names.get(edge.source, '?')} to {names.get(edge.target, '?')}"
    return f"{text} ({edge.detail})" if edge.detail else text


def render_network(
    nodes: Sequence[Node],
    edges: Iterable[Edge],
    *,
    title: str,
    uid: str = "network",
) -> str:
    """Members as dots inside their quadrants, relationships as typed arrows between them.

    Highlighted edges (shortest paths, for instance) are drawn wide over a light band; the
    others are drawn thinner and a little faded when any highlight exists.
    """
    edges = [e for e in edges if e.type in CHANNELS]
    positions = layout_network(nodes, edges)
    names = {n.id: n.name for n in nodes}
    edges = [e for e in edges if e.source in positions and e.target in positions]
    any_highlight = any(e.highlight for e in edges)
    type_counts = {kind: sum(1 for e in edges if e.type == kind) for kind in CHANNELS}
    desc = (
        f"{len(nodes)} members placed in their quadrants; {type_counts[DIRECT]} direct, "
        f"{type_counts[INFLUENTIAL]} influential and {type_counts[GUIDANCE]} guidance "
        "relationships. The lists below give the same relationships as text."
    )
    parts = [
        _svg_open(
            NET_WIDTH,
            NET_HEIGHT,
            css_class="diagram diagram-network",
            title=title,
            desc=desc,
            uid=uid,
        )
    ]
    for q in READING_ORDER:
        x, y = NET_CELL_XY[q]
        parts.append(
            f'<g class="q-{q}"><rect x="{x}" y="{y}" width="{NET_CELL_W}" height="{NET_CELL_H}" '
            f'rx="10" fill="{QUADRANT_PAPER[q]}" stroke="{QUADRANT_INK[q]}" stroke-width="2"/>'
            f'<text x="{x + 16}" y="{y + 28}" font-size="18" font-weight="700" '
            f'fill="{QUADRANT_INK[q]}">{_text(QUADRANT_NAMES[q])}</text></g>'
        )
    # Edges first (under the dots); a pair with edges both ways would overlap, so bend apart.
    seen_pairs: dict[frozenset[int], int] = defaultdict(int)
    drawn = []
    for edge in sorted(edges, key=lambda e: e.highlight):
        pair = frozenset((edge.source, edge.target))
        bend = 18 + 14 * seen_pairs[pair]
        seen_pairs[pair] += 1
        source, target = positions[edge.source], positions[edge.target]
        path, tip, angle = _curve((source.x, source.y), (target.x, target.y), bend)
        width = 3.2 if edge.highlight else 1.6
        color = TYPE_INK[edge.type]
        fade = ' opacity="0.55"' if any_highlight and not edge.highlight else ""
        label = edge_sentence(edge, names)
        highlight = (
            f'<path d="{path}" stroke="{HIGHLIGHT}" stroke-width="11" fill="none" '
            'stroke-linecap="round" opacity="0.8"/>'
            if edge.highlight
            else ""
        )
        css = "diagram-edge diagram-edge-path" if edge.highlight else "diagram-edge"
        drawn.append(
            f'<g class="{css} flow-{edge.type}" data-type="{edge.type}"{fade}>'
            f"<title>{_text(label)}</title>{highlight}"
            f'<path d="{path}" {_stroke_attrs(edge.type, width)}/>'
            f"{_arrow_head(tip[0], tip[1], angle, 9 + width, color)}</g>"
        )
    parts.extend(drawn)
    for node in nodes:
        place = positions[node.id]
        x, y = place.x, place.y
        label = f"{node.name}, {QUADRANT_NAMES[node.quadrant]}"
        if node.detail:
            label += f", {node.detail}"
        radius = NET_RADIUS + 3 if node.centre else NET_RADIUS
        dot = (
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{radius}" fill="{QUADRANT_INK[node.quadrant]}" '
            f'stroke="{HIGHLIGHT if node.centre else PAPER}" stroke-width="{4 if node.centre else 2}"/>'
            + _name_text(
                node.name,
                13,
                place.room,
                f'class="diagram-name" x="{_n(x + 13)}" y="{_n(y + 5)}" fill="{INK}" '
                f'stroke="{PAPER}" stroke-width="3" paint-order="stroke"',
                bold=node.centre,
                title=False,  # the node's own <title> holds the whole name
            )
        )
        css = "diagram-node diagram-centre" if node.centre else "diagram-node"
        if node.href:
            parts.append(
                f'<a class="{css}" href="{_text(node.href)}" aria-label="{_text(label)}" '
                f'data-member="{node.id}"><title>{_text(label)}</title>'
                f'<circle class="diagram-focus" cx="{_n(x)}" cy="{_n(y)}" r="{radius + 6}" '
                f'fill="none" stroke="{HIGHLIGHT}" stroke-width="4" visibility="hidden"/>'
                f"{dot}</a>"
            )
        else:
            parts.append(
                f'<g class="{css}" data-member="{node.id}"><title>{_text(label)}</title>{dot}</g>'
            )
    parts.append(_render_network_legend(NET_CELL_XY["M"][1] + NET_CELL_H + 32, any_highlight))
    parts.append("</svg>")
    return "".join(parts)


def _render_network_legend(y: float, any_highlight: bool) -> str:
    parts = ['<g class="diagram-legend">']
    for i, kind in enumerate(CHANNELS):
        x = 20 + 260 * i
        parts.append(
            f'<line x1="{x}" y1="{_n(y)}" x2="{x + 60}" y2="{_n(y)}" {_stroke_attrs(kind, 3)}/>'
            f"{_arrow_head(x + 74, y, 0, 12, TYPE_INK[kind])}"
            f'<text x="{x + 84}" y="{_n(y + 5)}" font-size="14" fill="{INK}">'
            f"{_text(TYPE_NAMES[kind])} ({LINE_STYLES[kind]})</text>"
        )
    if any_highlight:
        parts.append(
            f'<path d="M 800 {_n(y)} L 860 {_n(y)}" stroke="{HIGHLIGHT}" stroke-width="11" '
            'stroke-linecap="round" opacity="0.8"/>'
            f'<path d="M 800 {_n(y)} L 860 {_n(y)}" stroke="{INK}" stroke-width="3"/>'
            f'<text x="870" y="{_n(y + 5)}" font-size="14" fill="{INK}">shortest path to '
            "leadership</text>"
        )
    parts.append(
        f'<text x="20" y="{_n(y + 34)}" font-size="13" fill="{MUTED}">'
        "Each dot is a member in their quadrant; each arrow one active relationship, "
        "from the one who reaches to the one reached.</text></g>"
    )
    return "".join(parts)
