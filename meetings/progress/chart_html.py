"""The dashboard's charts and pulse matrices written as HTML here, from the geometry of
charts.py: eight of them on every first view of the dashboard, hundreds of numbers and
labels each, took the template engine longer than reading the figures from the database.

The markup is what the templates wrote before (a figure with an SVG, its legend and the
table of its numbers); every text is escaped (html.escape of its str(), as
django.utils.html.escape, without that function's lazy-string wrapper: hundreds of texts), and
numbers are written as Python writes them, never in a locale's format (SVG coordinates).
"""

from __future__ import annotations

from html import escape as html_escape

from django.utils.safestring import SafeString, mark_safe

from meetings.progress.charts import Chart, Matrix


def escape(text) -> str:
    return html_escape(str(text))


_AXIS = 'stroke="#1d2430" stroke-width="1"'
_NEXT_LINE = ' dy="16"'


def chart_html(chart: Chart, id: str) -> SafeString:
    """A server-drawn chart (line or grouped bars) and, below it, the same numbers as a
    table."""
    title = escape(chart.title)
    font = chart.font
    out = [
        f'<figure class="chart" aria-labelledby="{id}-caption">',
        f'  <figcaption id="{id}-caption" class="chart-title">{title}</figcaption>',
        f'  <svg class="chart-svg" viewBox="{chart.view_box}" role="img" '
        f'aria-labelledby="{id}-caption" aria-describedby="{id}-table" focusable="false">',
    ]
    for tick in chart.ticks:
        out.append(
            f'    <line x1="{chart.left}" x2="{chart.right}" y1="{tick.y}" y2="{tick.y}" '
            'stroke="#d6dbe3" stroke-width="1"/>'
        )
        out.append(
            f'    <text x="{chart.left - 5}" y="{tick.y}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="{font}" fill="#5b6576">'
            f"{escape(tick.label)}</text>"
        )
    out.append(
        f'    <line x1="{chart.left}" x2="{chart.left}" y1="{chart.top}" '
        f'y2="{chart.bottom}" {_AXIS}/>'
    )
    out.append(
        f'    <line x1="{chart.left}" x2="{chart.right}" y1="{chart.bottom}" '
        f'y2="{chart.bottom}" {_AXIS}/>'
    )
    if chart.y_label:
        out.append(
            f'    <text x="2" y="{chart.top - 8}" font-size="{font}" fill="#5b6576" '
            f'dominant-baseline="auto">{escape(chart.y_label)}</text>'
        )
    for label in chart.x_labels:
        lines = "".join(
            f'<tspan x="{label.x}"{"" if i == 0 else _NEXT_LINE}>{escape(line)}</tspan>'
            for i, line in enumerate(label.lines)
        )
        out.append(
            f'    <text x="{label.x}" y="{chart.bottom + 17}" text-anchor="middle" '
            f'font-size="{font}" fill="#1d2430">{lines}</text>'
        )
    if chart.kind == "bar":
        for bar in chart.bars:
            out.append(
                f'      <rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
                f'fill="{escape(bar.fill)}" stroke="{escape(bar.color)}" stroke-width="1">'
                f"<title>{escape(bar.title)}</title></rect>"
            )
    else:
        for series in chart.series:
            color = escape(series.color)
            if series.path:
                dash = f' stroke-dasharray="{escape(series.dash)}"' if series.dash else ""
                out.append(
                    f'      <path d="{escape(series.path)}" fill="none" stroke="{color}" '
                    f'stroke-width="2.5"{dash}/>'
                )
            name = escape(series.name)
            out.append(
                "      "
                + "".join(
                    f'<circle cx="{point.x}" cy="{point.y}" r="3.5" fill="{color}">'
                    f"<title>{name}: {escape(point.label)}</title></circle>"
                    for point in series.points
                )
            )
    out.append("  </svg>")
    out.append('  <ul class="chart-legend" aria-hidden="true">')
    for series in chart.series:
        color = escape(series.color)
        if chart.kind == "bar":
            key = (
                f'<rect x="4" y="1" width="20" height="8" fill="{escape(series.fill)}" '
                f'stroke="{color}"/>'
            )
        else:
            dash = f' stroke-dasharray="{escape(series.dash)}"' if series.dash else ""
            key = f'<line x1="0" x2="28" y1="5" y2="5" stroke="{color}" stroke-width="2.5"{dash}/>'
        out.append(
            f'    <li><svg viewBox="0 0 28 10" class="legend-key">{key}</svg>'
            f"<bdi>{escape(series.name)}</bdi></li>"
        )
    out.append("  </ul>")
    out.append(
        f'  <div class="table-scroll" tabindex="0" role="region" aria-labelledby="{id}-caption">'
    )
    out.append(f'  <table id="{id}-table" class="chart-table">')
    out.append(f'    <caption class="visually-hidden">{title}: the numbers</caption>')
    header = "".join(
        "<td></td>" if i == 0 else f'<th scope="col">{escape(cell)}</th>'
        for i, cell in enumerate(chart.header)
    )
    out.append(f"    <thead><tr>{header}</tr></thead>")
    out.append("    <tbody>")
    for row in chart.rows:
        cells = "".join(
            f'<th scope="row">{escape(cell)}</th>' if i == 0 else f"<td>{escape(cell)}</td>"
            for i, cell in enumerate(row)
        )
        out.append(f"      <tr>{cells}</tr>")
    out.append("    </tbody>")
    out.append("  </table>")
    out.append("  </div>")
    out.append("</figure>")
    return mark_safe("\n".join(out))  # noqa: S308 - every text escaped, numbers written here


def matrix_html(matrix: Matrix) -> SafeString:
    """The pulse of one quarter: rows are who rated, columns the other side they rated."""
    title = escape(matrix.title)
    font = matrix.font
    out = [
        '<figure class="pulse-matrix">',
        f'  <figcaption class="chart-title">{title}</figcaption>',
        f'  <svg class="matrix-svg" viewBox="{matrix.view_box}" role="img" '
        f'aria-label="Pulse by quadrant pair, {title}; the table below holds the numbers" '
        'focusable="false">',
        f'    <text x="2" y="{matrix.top - 22}" font-size="{font}" fill="#5b6576">about →</text>',
        "    "
        + "".join(
            f'<text x="{label.x}" y="{label.y}" text-anchor="middle" font-size="{font}" '
            f'fill="#1d2430">{escape(label.label)}</text>'
            for label in matrix.column_labels
        ),
        "    "
        + "".join(
            f'<text x="{matrix.left - 6}" y="{label.x}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="{font}" fill="#1d2430">'
            f"{escape(label.label)}</text>"
            for label in matrix.row_labels
        ),
    ]
    for cell in matrix.cells:
        stroke, width = ("#a4262c", 3) if cell.weakening else ("#d6dbe3", 1)
        out.append("    <g>")
        out.append(f"      <title>{escape(cell.title)}</title>")
        out.append(
            f'      <rect x="{cell.x}" y="{cell.y}" width="{matrix.size}" '
            f'height="{matrix.size}" fill="{escape(cell.fill)}" stroke="{stroke}" '
            f'stroke-width="{width}"/>'
        )
        if cell.text:
            out.append(
                f'      <text x="{cell.x + 26}" y="{cell.y + 22}" text-anchor="middle" '
                f'font-size="15" font-weight="600" fill="#1d2430">{escape(cell.text)}</text>'
            )
        if cell.change:
            color = "#a4262c" if cell.weakening else "#2f6b3a"
            out.append(
                f'      <text x="{cell.x + 26}" y="{cell.y + 41}" text-anchor="middle" '
                f'font-size="{font}" fill="{color}">{escape(cell.change)}</text>'
            )
        out.append("    </g>")
    out.append("  </svg>")
    out.append("</figure>")
    return mark_safe("\n".join(out))  # noqa: S308 - every text escaped, numbers written here
