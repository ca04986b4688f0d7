"""Charts as SVG text made at build time: bars, lines, small multiples, sparklines, a calendar.

Every chart is one `<svg>` that needs no JavaScript and nothing from another host: role="img",
a <title> and a <desc> that aria-labelledby names, a viewBox and no width (it scales to its
container), and classes instead of colours, so overrides/assets/charts.css themes it for
Material's light and dark schemes. Coordinates carry at most one decimal and every number a
fixed format, so the same numbers give the same bytes. All text is escaped: labels are API text.

Our own writer, not a library (issue 18, measured with 150 weekly bars and 15 small multiples
of 36 months): matplotlib 3.11 is deterministic with svg.hashsalt but writes 38-45 KB for the
bars and 142-194 KB for the multiples, needs 0.6-1.2 s to import and 0.8-1 s to draw, and puts
a fixed colour in every element's style; pygal 3.1 writes 69 KB and 244 KB, names each chart
with a random uuid4 (different bytes every run) and links its tooltips script from
kozea.github.io. This writer: 13.9 KB and 20.9 KB in 1 + 3 ms, the same bytes every run,
stdlib only.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Literal

DayState = Literal["listed", "empty", "missing", "failed", "growing"]
# listed: papers that day; empty: listed, none; missing: never fetched; failed: the fetch
# failed; growing: within the 14 days in which a list may still grow.
DAY_STATES: tuple[DayState, ...] = ("listed", "empty", "missing", "failed", "growing")
Cell = str | int | float

_SVG_NS = "http://www.w3.org/2000/svg"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# Characters XML cannot hold: dropped, so a chart is well-formed whatever the API sent.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_GLYPH = 0.6  # a glyph's width in em, on average: text is placed without measuring fonts
_STATE_WORDS = {
    "empty": "no papers",
    "missing": "never fetched",
    "failed": "fetch failed",
    "growing": "may still grow",
}

# Bar and line charts: the plot area inside a 640 x 260 viewBox, room left for tick labels.
_W, _H = 640, 260
_LEFT, _RIGHT, _TOP, _BASE = 44, 632, 12, 236


def _plain(text: str) -> str:
    """Text as a chart holds it: what XML cannot hold dropped, each run of spaces one space."""
    # SVG text shows spaces collapsed anyway, and XML would turn a carriage return into "\n".
    return " ".join(_NOT_XML.sub("", text).split())


def _esc(text: str) -> str:
    return html.escape(_plain(text), quote=True)


def _n(value: float) -> str:
    """A coordinate with at most one decimal: fewer bytes, and the same ones every run."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def fmt(value: float) -> str:
    """A value as labels show it: whole numbers bare, others with one decimal."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def describe(labels: Sequence[str], values: Sequence[float], unit: str = "") -> str:
    """One sentence for a chart's <desc>: its span, first and last values, and its highest."""
    if not values:
        return "No data."
    high = max(range(len(values)), key=values.__getitem__)  # the first of equal highs
    return (
        f"{labels[0]} to {labels[-1]}: from {fmt(values[0])}{unit} to {fmt(values[-1])}{unit}, "
        f"highest {fmt(values[high])}{unit} in {labels[high]}."
    )


def _check(labels: Sequence[str], values: Sequence[float], provisional: int = 0) -> None:
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    for label, value in zip(labels, values, strict=True):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"value {value!r} for {label!r}: charts draw finite values >= 0")
    if not 0 <= provisional <= len(values):
        raise ValueError(f"provisional {provisional} of {len(values)} values")


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "\u2026"


def _open(prefix: str, kind: str, width: float, height: float, title: str, desc: str) -> str:
    # The prefix becomes ids that aria-labelledby lists, space-separated: no spaces, no quotes.
    if not _ID.match(prefix):
        raise ValueError(f"chart id {prefix!r}: a letter, then letters, digits, - or _")
    return (
        f'<svg xmlns="{_SVG_NS}" viewBox="0 0 {_n(width)} {_n(height)}" class="dpa-chart {kind}" '
        f'role="img" aria-labelledby="{prefix}-title {prefix}-desc" font-size="11">'
        f'<title id="{prefix}-title">{_esc(title)}</title>'
        f'<desc id="{prefix}-desc">{_esc(desc)}</desc>'
    )


def _ticks(peak: float, count: int = 4) -> tuple[list[float], int]:
    """Ticks from 0 to at least `peak` in at most count + 1 round steps, and their decimals.

    A step is 1, 2, 2.5 or 5 times a power of ten, the smallest that needs no more steps: the
    top stays near the peak (43 gets 0-50, not 0-60).
    """
    if peak <= 0:
        return [0.0, 1.0], 0
    power = 10.0 ** math.floor(math.log10(peak / (count + 1)))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if peak / (m * power) <= count + 1 + 1e-9)
    decimals = next(d for d in range(8) if abs(round(step, d) - step) < 1e-9 * step)
    steps = math.ceil(peak / step - 1e-9)
    return [i * step for i in range(steps + 1)], decimals


def _y_axis(ticks: list[float], decimals: int, unit: str, plot_top: float) -> str:
    """Gridlines at round values, labelled at the left."""
    ys = [_BASE - t / ticks[-1] * (_BASE - plot_top) for t in ticks]
    lines = "".join(f"M{_LEFT} {_n(y)}H{_RIGHT}" for y in ys)
    labels = "".join(
        f'<text x="{_LEFT - 4}" y="{_n(y + 4)}">{_esc(f"{t:.{decimals}f}{unit}")}</text>'
        for t, y in zip(ticks, ys, strict=True)
    )
    return (
        f'<path class="dpa-chart__grid" d="{lines}"/>'
        f'<g class="dpa-chart__axis" text-anchor="end">{labels}</g>'
    )


def _x_axis(xs: Sequence[float], labels: Sequence[str], ticks: Sequence[int] | None) -> str:
    """Labels under some points, each starting at its point, none past the right edge."""
    if ticks is None:
        every = max(1, math.ceil(len(labels) / 6))
        ticks = range(0, len(labels), every)
    marks, texts = [], []
    for i in ticks:
        x, label = xs[i], labels[i]
        if x + len(label) * 10 * _GLYPH > _W:
            continue  # a label there would be cut off at the edge
        marks.append(f"M{_n(x)} {_BASE}v4")
        texts.append(f'<text x="{_n(x)}" y="{_BASE + 16}">{_esc(label)}</text>')
    return (
        f'<path class="dpa-chart__grid" d="{"".join(marks)}"/>'
        f'<g class="dpa-chart__axis" font-size="10">{"".join(texts)}</g>'
    )


def bar_chart(
    prefix: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    unit: str = "",
    x_ticks: Sequence[int] | None = None,
    provisional: int = 0,
) -> str:
    """Vertical bars from a zero baseline (papers per week), y gridlines at round values.

    `x_ticks` are the indexes whose labels go under the axis (default: about six); the last
    `provisional` bars may still grow and are drawn apart. Each bar's <title> is its tooltip.
    """
    _check(labels, values, provisional)
    grid, decimals = _ticks(max(values, default=0))
    slot = (_RIGHT - _LEFT) / max(len(values), 1)
    width = _n(max(slot * 0.8, 0.1))
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = value / grid[-1] * (_BASE - _TOP)
        note = " (may still grow)" if i >= len(values) - provisional else ""
        bars.append(
            f'<rect x="{_n(_LEFT + (i + 0.1) * slot)}" y="{_n(_BASE - height)}" width="{width}" '
            f'height="{_n(height)}"><title>{_esc(f"{label}: {fmt(value)}{unit}{note}")}</title>'
            "</rect>"
        )
    cut = len(bars) - provisional
    tail = f'<g class="dpa-chart__bars dpa-chart--provisional">{"".join(bars[cut:])}</g>'
    return (
        _open(prefix, "dpa-chart--bars dpa-chart--wide", _W, _H, title, desc)
        + _y_axis(grid, decimals, unit, _TOP)
        + f'<g class="dpa-chart__bars">{"".join(bars[:cut])}</g>'
        + (tail if provisional else "")
        + _x_axis([_LEFT + (i + 0.1) * slot for i in range(len(values))], labels, x_ticks)
        + "</svg>"
    )


def _points(xs: Sequence[float], ys: Sequence[float]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in zip(xs, ys, strict=True))


def _line(xs: Sequence[float], ys: Sequence[float], provisional: int) -> str:
    """A polyline, and its last `provisional` steps as a separate, dashed one."""
    # fill="none" is structure, not colour: without charts.css a line must not become a shape.
    cut = len(xs) - provisional
    solid = (
        f'<polyline class="dpa-chart__line" fill="none" points="{_points(xs[:cut], ys[:cut])}"/>'
    )
    if not provisional:
        return solid
    start = max(cut - 1, 0)
    tail = _points(xs[start:], ys[start:])
    return solid + (
        f'<polyline class="dpa-chart__line dpa-chart__tail" fill="none" points="{tail}"/>'
    )


def line_chart(
    prefix: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str = "",
    y_max: float | None = None,
    x_ticks: Sequence[int] | None = None,
    provisional: int = 0,
) -> str:
    """One or two lines on one zero-based y scale (share with code, median upvotes), with dots.

    `y_max` fixes the top (100 for a share in %); two series get a legend, and differ in dash
    as well as colour. `x_ticks` as for `bar_chart`; the last `provisional` points are dashed.
    """
    if not 1 <= len(series) <= 2:
        raise ValueError(f"{len(series)} series: a line chart draws one or two")
    for _, values in series:
        _check(labels, values, provisional)
    peak = max((max(values, default=0) for _, values in series), default=0)
    grid, decimals = _ticks(max(peak, y_max or 0))
    top = _TOP + (16 if len(series) == 2 else 0)  # room for the legend
    step = (_RIGHT - _LEFT) / max(len(labels) - 1, 1)
    xs = [_LEFT + i * step for i in range(len(labels))]
    parts = [_open(prefix, "dpa-chart--lines dpa-chart--wide", _W, _H, title, desc)]
    parts.append(_y_axis(grid, decimals, unit, top))
    for number, (name, values) in enumerate(series, 1):
        ys = [_BASE - v / grid[-1] * (_BASE - top) for v in values]
        dots = "".join(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5">'
            f"<title>{_esc(f'{name}, {label}: {fmt(v)}{unit}')}</title></circle>"
            for x, y, label, v in zip(xs, ys, labels, values, strict=True)
        )
        parts.append(
            f'<g class="dpa-chart__s{number}">{_line(xs, ys, provisional)}'
            f'<g class="dpa-chart__dots">{dots}</g></g>'
        )
    if len(series) == 2:
        x = _LEFT
        for number, (name, _) in enumerate(series, 1):
            parts.append(
                f'<g class="dpa-chart__s{number}"><path class="dpa-chart__line" d="M{x} 12h18"/>'
                f'<text class="dpa-chart__axis" x="{x + 22}" y="16">{_esc(name)}</text></g>'
            )
            x += 22 + math.ceil(len(name) * 11 * _GLYPH) + 16
    parts.append(_x_axis(xs, labels, x_ticks))
    parts.append("</svg>")
    return "".join(parts)


# A small multiple: its name on top, the plot in between, its first and last month below.
_PW, _PH, _PTOP, _PBASE = 160, 84, 20, 68


def small_multiples(
    prefix: str,
    title: str,
    labels: Sequence[str],
    panels: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str = "",
    y_max: float | None = None,
    provisional: int = 0,
) -> str:
    """One small area chart per name (a topic's share per month), all on the same y scale.

    Returns HTML: a `<div class="dpa-multiples">` of SVGs, `prefix-0`, `prefix-1`, ..., that
    charts.css lays out as a grid; each is titled "NAME: title" and described by `describe`.
    """
    for _, values in panels:
        _check(labels, values, provisional)
    peak = max((max(values, default=0) for _, values in panels), default=0)
    top = _ticks(max(peak, y_max or 0), count=5)[0][-1]  # one label: the round top, near the peak
    step = (_PW - 4) / max(len(labels) - 1, 1)
    xs = [2 + i * step for i in range(len(labels))]
    first, last = (labels[0], labels[-1]) if labels else ("", "")
    svgs = []
    for i, (name, values) in enumerate(panels):
        ys = [_PBASE - v / top * (_PBASE - _PTOP) for v in values]
        area = "L".join(f"{_n(x)} {_n(y)}" for x, y in zip(xs, ys, strict=True))
        svgs.append(
            _open(
                f"{prefix}-{i}",
                "dpa-chart--small",
                _PW,
                _PH,
                f"{name}: {title}",
                describe(labels, values, unit),
            )
            + f'<text class="dpa-chart__name" y="12">{_esc(_clip(name, 18))}</text>'
            + f'<g class="dpa-chart__axis" font-size="9"><text x="{_PW}" y="12" '
            f'text-anchor="end">{_esc(fmt(top) + unit)}</text>'
            f'<text x="2" y="{_PH - 2}">{_esc(first)}</text><text x="{_PW - 2}" y="{_PH - 2}" '
            f'text-anchor="end">{_esc(last)}</text></g>'
            + f'<path class="dpa-chart__grid" d="M0 {_PTOP}H{_PW}M0 {_PBASE}H{_PW}"/>'
            + (
                f'<path class="dpa-chart__area" d="M2 {_PBASE}L{area}L{_n(xs[-1])} {_PBASE}Z"/>'
                if values
                else ""
            )
            + _line(xs, ys, provisional)
            + "</svg>"
        )
    return f'<div class="dpa-multiples">{"".join(svgs)}</div>'


def hbar_chart(
    prefix: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    unit: str = "",
) -> str:
    """Horizontal bars in the given order (a quarter's top organizations), each value printed.

    Labels longer than fits are cut with an ellipsis; the whole label is the bar's tooltip.
    """
    _check(labels, values)
    # 440 units wide, not 640: on a phone the labels stay near the page's text size.
    width, row, label_right, bar_left, bar_span = 440, 22, 196, 204, 196
    peak = max(values, default=0) or 1
    texts, bars, numbers = [], [], []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 4 + i * row
        length = value / peak * bar_span
        texts.append(f'<text x="{label_right}" y="{y + 11}">{_esc(_clip(label, 29))}</text>')
        bars.append(
            f'<rect x="{bar_left}" y="{y}" width="{_n(length)}" height="14">'
            f"<title>{_esc(f'{label}: {fmt(value)}{unit}')}</title></rect>"
        )
        number = _esc(fmt(value) + unit)
        numbers.append(f'<text x="{_n(bar_left + length + 5)}" y="{y + 11}">{number}</text>')
    return (
        _open(prefix, "dpa-chart--hbars", width, 8 + len(values) * row, title, desc)
        + f'<g class="dpa-chart__label" text-anchor="end">{"".join(texts)}</g>'
        + f'<g class="dpa-chart__bars">{"".join(bars)}</g>'
        + f'<g class="dpa-chart__axis">{"".join(numbers)}</g>'
        + "</svg>"
    )


def sparkline(
    prefix: str, title: str, desc: str, values: Sequence[float], *, provisional: int = 0
) -> str:
    """A tiny zero-based line (papers per month, the last 24) to sit in a line of text."""
    _check([""] * len(values), values, provisional)
    peak = max(values, default=0) or 1
    step = 96 / max(len(values) - 1, 1)
    xs = [2 + i * step for i in range(len(values))]
    ys = [22 - v / peak * 20 for v in values]
    end = (
        f'<circle class="dpa-chart__end" cx="{_n(xs[-1])}" cy="{_n(ys[-1])}" r="2"/>' if xs else ""
    )
    return (
        _open(prefix, "dpa-spark", 100, 24, title, desc)
        + _line(xs, ys, provisional)
        + end
        + "</svg>"
    )


# The calendar: a column per week (Monday on top), cells 10 units with a gap of 2. A cell is a
# horizontal stroke 10 units long and 10 wide, `M30 21h10`: 8 bytes less than a filled square
# in each of 366 cells keeps a year under 30 KB with its tooltips, and a dash pattern on the
# stroke marks states by more than colour (charts.css).
_PITCH, _CAL_LEFT, _CAL_TOP = 12, 30, 16


def _day_level(count: int, bins: Sequence[int]) -> int:
    return sum(count >= b for b in bins)


def _day_title(day: date, state: DayState, count: int) -> str:
    papers = f"{count} paper{'' if count == 1 else 's'}"
    if state == "listed":
        return f"{day.isoformat()}: {papers if count else 'no papers'}"
    if state == "growing":
        return f"{day.isoformat()}: {papers} so far, may still grow"
    return f"{day.isoformat()}: {_STATE_WORDS[state]}"


def _legend(x: float, y: int, items: Iterable[tuple[str, str]]) -> tuple[str, str, float]:
    """Swatches and their words in a row from x; also where the row ends."""
    swatches, words = [], []
    for classes, text in items:
        swatches.append(f'<g class="{classes}"><path d="M{_n(x)} {y + 5}h10"/></g>')
        words.append(f'<text x="{_n(x + 13)}" y="{y + 9}">{_esc(text)}</text>')
        x += 13 + len(text) * 10 * _GLYPH + 10
    return "".join(swatches), "".join(words), x


def calendar_heatmap(
    prefix: str,
    title: str,
    desc: str,
    year: int,
    days: Mapping[date, tuple[DayState, int]],
    *,
    bins: Sequence[int] = (1, 15, 30, 45),
) -> str:
    """A year at a glance: a cell per given day, its state a class, its papers a level.

    Cells of listed and growing days get `dpa-heat--l0` ... `dpa-heat--l4`, one level per bin
    the count reaches; days not given (before the archive, after today) are left out.
    """
    if list(bins) != sorted(set(bins)) or not bins or bins[0] < 1:
        raise ValueError(f"bins {list(bins)}: increasing counts from 1")
    jan1 = date(year, 1, 1)
    start = jan1 - timedelta(days=jan1.weekday())
    columns = (date(year, 12, 31) - start).days // 7 + 1
    groups: dict[tuple[int, int], list[str]] = {}
    for day in sorted(days):
        state, count = days[day]
        if day.year != year or state not in DAY_STATES or count < 0:
            raise ValueError(f"{day.isoformat()}: {state!r} with {count} papers in {year}")
        level = _day_level(count, bins) if state in ("listed", "growing") else -1
        offset = (day - start).days
        x, y = _CAL_LEFT + offset // 7 * _PITCH, _CAL_TOP + offset % 7 * _PITCH + 5
        groups.setdefault((DAY_STATES.index(state), level), []).append(
            f'<path d="M{x} {y}h10"><title>{_esc(_day_title(day, state, count))}</title></path>'
        )
    cells = "".join(
        f'<g class="{_heat_classes(DAY_STATES[s], level)}">{"".join(groups[s, level])}</g>'
        for s, level in sorted(groups)
    )
    months = "".join(
        f'<text x="{_CAL_LEFT + (date(year, m, 1) - start).days // 7 * _PITCH}" y="11">'
        f"{_MONTHS[m - 1]}</text>"
        for m in range(1, 13)
    )
    weekdays = "".join(
        f'<text x="0" y="{_CAL_TOP + row * _PITCH + 9}">{name}</text>'
        for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
    )
    legend_y = _CAL_TOP + 7 * _PITCH + 8
    edges = [*bins[1:], None]
    ramp = [
        (_heat_classes("listed", level), f"{low}\u2013{high - 1}" if high else f"{low}+")
        for level, (low, high) in enumerate(zip(bins, edges, strict=True), 1)
    ]
    states = [
        ("dpa-heat--empty", "no papers"),
        ("dpa-heat--missing", "never fetched"),
        ("dpa-heat--failed", "fetch failed"),
        (_heat_classes("growing", 2), "may still grow"),
    ]
    # "Papers a day" starts under the weekday names, so the legend stays within the grid's width.
    scale_words = f'<text x="0" y="{legend_y + 9}">Papers a day</text>'
    ramp_cells, ramp_words, ramp_end = _legend(78, legend_y, ramp)
    state_cells, state_words, legend_end = _legend(ramp_end + 12, legend_y, states)
    width = max(_CAL_LEFT + columns * _PITCH, legend_end)
    # The grey stroke shows the cells even without charts.css; their classes override it. Text
    # stays out of these groups, or it would inherit the stroke.
    cell_attrs = 'stroke="#888" stroke-width="10"'
    return (
        _open(prefix, "dpa-heat dpa-chart--wide", width, legend_y + 14, title, desc)
        + f'<g class="dpa-chart__axis" font-size="10">{months}{weekdays}'
        + f"{scale_words}{ramp_words}{state_words}</g>"
        + f'<g class="dpa-heat__days" {cell_attrs}>{cells}</g>'
        + f'<g class="dpa-heat__legend" {cell_attrs}>{ramp_cells}{state_cells}</g>'
        + "</svg>"
    )


def _heat_classes(state: str, level: int) -> str:
    return f"dpa-heat--{state}" + (f" dpa-heat--l{level}" if level >= 0 else "")


def _cell(value: Cell) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"table cell {value!r}")
        return f"{value:.1f}"
    return _esc(str(value))


def table_html(caption: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """The numbers behind a chart as an HTML table, escaped; each row's first cell heads it.

    Floats get one decimal, so the table's bytes are as fixed as the chart's.
    """
    body = []
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"a row of {len(row)} cells under {len(headers)} headers")
        first, *rest = row
        cells = "".join(f"<td>{_cell(value)}</td>" for value in rest)
        body.append(f'<tr><th scope="row">{_cell(first)}</th>{cells}</tr>')
    head = "".join(f'<th scope="col">{_esc(name)}</th>' for name in headers)
    # No class on the table: Material styles only `table:not([class])`.
    return (
        f"<table><caption>{_esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def figure_html(chart: str, caption: str, table: str, links: Sequence[tuple[str, str]] = ()) -> str:
    """A chart (our SVG or multiples) with its caption, (text, href) links and numbers folded."""
    # tabindex: at 375 px a wide chart scrolls in its box, which keyboards must reach too.
    anchors = "".join(f' <a href="{_esc(href)}">{_esc(text)}</a>' for text, href in links)
    # The numbers fold inside the caption: a figure's caption must be its first or last child.
    return (
        f'<figure class="dpa-figure"><div class="dpa-figure__chart" tabindex="0">{chart}</div>'
        f"<figcaption>{_esc(caption)}{anchors}"
        f'<details class="dpa-numbers"><summary>Show the numbers</summary>{table}</details>'
        "</figcaption></figure>"
    )
