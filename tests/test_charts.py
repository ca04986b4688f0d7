"""generator/charts.py: what each chart draws, read back from its SVG, agrees with its numbers."""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import charts
from generator.charts import DayState

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
KB30 = 30 * 1024
HOSTILE = "</svg><script>alert(1)</script> \"quoted\" 'single' {{ 7*7 }} {% if %} &amp; <!-- ]]>"
# Every number a chart writes: an integer or one decimal, nothing a float's repr could add.
NUMBER = re.compile(r"-?\d+(\.\d)?")

rnd = random.Random(18)
WEEKS = [f"2023-W{i:02d}" for i in range(150)]
WEEKLY = [rnd.randint(0, 260) for _ in WEEKS]
MONTHS = [f"{2023 + (4 + i) // 12}-{(4 + i) % 12 + 1:02d}" for i in range(36)]
SHARES = [[round(rnd.uniform(0, 30), 1) for _ in MONTHS] for _ in range(15)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    """Elements whose class list holds `cls`."""
    return [el for el in root.iter() if cls in el.get("class", "").split()]


def numbers(text: str) -> list[float]:
    return [float(n) for n in re.split(r"[ ,MHhvLZ]+", text) if n]


def y_scale(root: ET.Element) -> tuple[float, float]:
    """The baseline's y and units per value, from the gridlines and their labels."""
    grid = groups(root, "dpa-chart__grid")[0].get("d", "")
    ys = [float(y) for y in re.findall(r"M[\d.]+ ([\d.]+)H", grid)]
    axis = groups(root, "dpa-chart__axis")[0]
    values = [float(re.findall(r"[\d.]+", t.text or "")[0]) for t in axis.iter(f"{SVG}text")]
    assert values[0] == 0 and values == sorted(values)
    return ys[0], (ys[0] - ys[-1]) / values[-1]


def sample_days(year: int) -> dict[date, tuple[DayState, int]]:
    days: dict[date, tuple[DayState, int]] = {}
    day = date(year, 1, 1)
    while day.year == year:
        days[day] = ("listed", rnd.randint(1, 140)) if day.weekday() < 5 else ("empty", 0)
        day += timedelta(days=1)
    every = sorted(days)
    for day in every[100:104]:
        days[day] = ("missing", 0)
    for day in every[200:202]:
        days[day] = ("failed", 0)
    for day in every[-15:]:
        days[day] = ("growing", rnd.randint(0, 140))
    return days


def all_charts(text: str = "x") -> dict[str, str]:
    """One of each chart, `text` in every label, title and description."""
    return {
        "bars": charts.bar_chart("b", text, text, [text] * 3, [1, 2, 3], unit=text),
        "lines": charts.line_chart(
            "l", text, text, [text] * 3, [(text, [1, 2, 3]), (text, [3, 2, 1])], unit=text
        ),
        "multiples": charts.small_multiples("m", text, [text] * 3, [(text, [1, 2, 3])], unit=text),
        "hbars": charts.hbar_chart("h", text, text, [text, text * 3], [5, 3], unit=text),
        "spark": charts.sparkline("s", text, text, [1, 2, 3]),
        "heat": charts.calendar_heatmap("c", text, text, 2025, {date(2025, 6, 9): ("listed", 9)}),
    }


def svgs(chart: str) -> list[ET.Element]:
    root = parse(chart)
    return [root] if root.tag == f"{SVG}svg" else list(root)


def test_bar_heights_are_the_values() -> None:
    svg = charts.bar_chart("w", "Papers per week", "d", WEEKS, WEEKLY, unit=" papers")
    root = parse(svg)
    base, per = y_scale(root)
    bars = list(groups(root, "dpa-chart__bars")[0])
    assert len(bars) == len(WEEKLY)
    xs = [float(bar.get("x", "")) for bar in bars]
    assert xs == sorted(xs)
    for bar, label, value in zip(bars, WEEKS, WEEKLY, strict=True):
        height, y = float(bar.get("height", "")), float(bar.get("y", ""))
        assert height == pytest.approx(value * per, abs=0.06)
        assert y + height == pytest.approx(base, abs=0.11)  # every bar stands on the baseline
        assert bar.findtext(f"{SVG}title") == f"{label}: {value} papers"


def test_bar_axis_is_round_and_above_the_highest_bar() -> None:
    root = parse(charts.bar_chart("w", "t", "d", WEEKS, WEEKLY))
    axis = groups(root, "dpa-chart__axis")[0]
    assert [t.text for t in axis] == ["0", "100", "200", "300"]
    zero = parse(charts.bar_chart("z", "t", "d", ["a"], [0]))  # nothing to show: still an axis
    assert [t.text for t in groups(zero, "dpa-chart__axis")[0]] == ["0", "1"]
    assert groups(zero, "dpa-chart__bars")[0][0].get("height") == "0"


def test_provisional_bars_are_drawn_apart() -> None:
    root = parse(charts.bar_chart("w", "t", "d", WEEKS, WEEKLY, provisional=2))
    solid, tail = groups(root, "dpa-chart__bars")
    assert "dpa-chart--provisional" in tail.get("class", "")
    assert len(solid) == len(WEEKLY) - 2 and len(tail) == 2
    assert all(bar.findtext(f"{SVG}title", "").endswith("(may still grow)") for bar in tail)


@pytest.mark.parametrize(
    ("peak", "top", "decimals"),
    [
        (260, 300, 0),
        (300, 300, 0),
        (7, 8, 0),
        (43.2, 50, 0),
        (0.9, 1, 1),
        (12.3, 12.5, 1),
        (0.03, 0.03, 2),
    ],
)
def test_ticks_are_round(peak: float, top: float, decimals: int) -> None:
    ticks, places = charts._ticks(peak)
    assert ticks[0] == 0 and ticks[-1] == pytest.approx(top) and places == decimals
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and 2 <= len(ticks) - 1 <= 5


def test_line_points_are_the_values() -> None:
    series = [("with code", SHARES[0]), ("median upvotes", SHARES[1])]
    root = parse(charts.line_chart("c", "t", "d", MONTHS, series, unit="%", provisional=1))
    base, per = y_scale(root)
    lines = groups(root, "dpa-chart__s1") + groups(root, "dpa-chart__s2")
    plotted = [g for g in lines if groups(g, "dpa-chart__dots")]
    assert len(plotted) == 2  # the other two are the legend's swatches
    for group, (name, values) in zip(plotted, series, strict=True):
        dots = list(groups(group, "dpa-chart__dots")[0])
        assert [float(d.get("cy", "")) for d in dots] == pytest.approx(
            [base - v * per for v in values], abs=0.06
        )
        assert dots[-1].findtext(f"{SVG}title") == f"{name}, {MONTHS[-1]}: {values[-1]}%"
        solid, tail = groups(group, "dpa-chart__line")
        points = solid.get("points", "").split() + tail.get("points", "").split()[1:]
        assert points == [f"{d.get('cx')},{d.get('cy')}" for d in dots]
        assert "dpa-chart__tail" in tail.get("class", "")


def test_line_chart_y_max_fixes_the_top() -> None:
    root = parse(charts.line_chart("c", "t", "d", MONTHS, [("s", SHARES[0])], unit="%", y_max=100))
    assert [t.text for t in groups(root, "dpa-chart__axis")[0]][-1] == "100%"
    with pytest.raises(ValueError, match="one or two"):
        charts.line_chart("c", "t", "d", MONTHS, [("s", SHARES[0])] * 3)


def test_small_multiples_share_one_scale() -> None:
    panels = [(f"Topic {i}", values) for i, values in enumerate(SHARES)]
    html = charts.small_multiples("t", "share of papers per month", MONTHS, panels, unit="%")
    div = parse(html)
    assert div.tag == "div" and div.get("class") == "dpa-multiples" and len(div) == 15
    peak = max(max(values) for values in SHARES)
    tops = set()
    for svg, (name, values) in zip(div, panels, strict=True):
        assert svg.findtext(f"{SVG}title") == f"{name}: share of papers per month"
        assert svg.findtext(f".//{SVG}text") == name
        top_label = groups(svg, "dpa-chart__axis")[0][0].text or ""
        tops.add(top_label)
        top = float(top_label.rstrip("%"))
        ys = [
            float(p.split(",")[1])
            for p in groups(svg, "dpa-chart__line")[0].get("points", "").split()
        ]
        assert [(68 - y) / 48 * top for y in ys] == pytest.approx(
            values, abs=0.06 * top / 48 + 1e-9
        )
    assert tops == {"30%"} and peak <= 30
    ids = [svg.get("aria-labelledby") for svg in div]
    assert len(set(ids)) == len(ids)


def test_hbar_widths_are_the_values() -> None:
    names = ["Tsinghua University", "Google DeepMind", "A" * 60, "Meta"]
    values = [41, 30, 12, 0]
    root = parse(charts.hbar_chart("o", "Top organizations", "d", names, values))
    bars = list(groups(root, "dpa-chart__bars")[0])
    widths = [float(bar.get("width", "")) for bar in bars]
    assert widths == pytest.approx([v / 41 * widths[0] for v in values], abs=0.06)
    assert [bar.findtext(f"{SVG}title") for bar in bars] == [
        f"{n}: {v}" for n, v in zip(names, values, strict=True)
    ]
    labels = [t.text or "" for t in groups(root, "dpa-chart__label")[0]]
    assert labels[:2] == names[:2] and labels[2] == "A" * 28 + "\u2026"
    assert [t.text for t in groups(root, "dpa-chart__axis")[0]] == ["41", "30", "12", "0"]


def test_sparkline_points_are_the_values() -> None:
    values = SHARES[2][:24]
    root = parse(charts.sparkline("s", "Papers per month", "d", values))
    ys = [
        float(p.split(",")[1]) for p in groups(root, "dpa-chart__line")[0].get("points", "").split()
    ]
    assert [(22 - y) / 20 * max(values) for y in ys] == pytest.approx(values, abs=0.06 * 30 / 20)
    assert "dpa-spark" in root.get("class", "")


def test_calendar_cells_sit_on_their_days_with_their_state() -> None:
    days = sample_days(2024)  # a leap year, Monday 1 January
    svg = charts.calendar_heatmap("h", "Coverage 2024", "d", 2024, days)
    assert len(svg.encode()) < KB30
    cells = groups(parse(svg), "dpa-heat__days")[0]
    seen = {}
    for group in cells:
        classes = group.get("class", "").split()
        for cell in group:
            day = date.fromisoformat(cell.findtext(f"{SVG}title", "")[:10])
            seen[day] = classes
            column, row = divmod((day - date(2024, 1, 1)).days, 7)
            assert cell.get("d") == f"M{30 + 12 * column} {16 + 12 * row + 5}h10"
    assert sorted(seen) == sorted(days) and len(seen) == 366
    for day, (state, count) in days.items():
        level = sum(count >= b for b in (1, 15, 30, 45))
        want = [f"dpa-heat--{state}"] + (
            [f"dpa-heat--l{level}"] if state in ("listed", "growing") else []
        )
        assert seen[day] == want, day


def test_calendar_titles_and_legend() -> None:
    days: dict[date, tuple[DayState, int]] = {
        date(2023, 1, 1): ("listed", 1),
        date(2023, 1, 2): ("empty", 0),
        date(2023, 1, 3): ("missing", 0),
        date(2023, 1, 4): ("failed", 0),
        date(2023, 1, 5): ("growing", 12),
    }
    root = parse(charts.calendar_heatmap("h", "t", "d", 2023, days))
    titles = sorted(t.text or "" for t in root.iter(f"{SVG}title"))[:5]
    assert titles == [
        "2023-01-01: 1 paper",
        "2023-01-02: no papers",
        "2023-01-03: never fetched",
        "2023-01-04: fetch failed",
        "2023-01-05: 12 papers so far, may still grow",
    ]
    # 1 January 2023 is a Sunday: the last row of the first column.
    sunday = root.find(f".//{SVG}path[{SVG}title='2023-01-01: 1 paper']")
    assert sunday is not None and sunday.get("d") == "M30 93h10"
    words = [t.text for t in groups(root, "dpa-chart__axis")[0]][-9:]
    assert words == [
        "Papers a day", "1\u201314", "15\u201329", "30\u201344", "45+",
        "no papers", "never fetched", "fetch failed", "may still grow",
    ]  # fmt: skip
    assert len(groups(root, "dpa-heat__legend")[0]) == 8


def test_calendar_refuses_days_of_another_year_and_bad_bins() -> None:
    with pytest.raises(ValueError, match="2024-01-01"):
        charts.calendar_heatmap("h", "t", "d", 2023, {date(2024, 1, 1): ("listed", 3)})
    with pytest.raises(ValueError, match="bins"):
        charts.calendar_heatmap("h", "t", "d", 2023, {}, bins=(10, 5))


def test_every_chart_is_labelled_for_screen_readers_and_scales() -> None:
    for kind, chart in all_charts().items():
        for svg in svgs(chart):
            assert svg.get("role") == "img", kind
            title_id, desc_id = (svg.get("aria-labelledby") or "").split()
            assert svg[0].tag == f"{SVG}title" and svg[0].get("id") == title_id, kind
            assert svg[1].tag == f"{SVG}desc" and svg[1].get("id") == desc_id, kind
            assert svg.get("width") is None and svg.get("height") is None, kind
            assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", svg.get("viewBox", "")), kind
            assert "dpa-chart" in svg.get("class", "").split(), kind


def test_nothing_styled_inline_nothing_from_elsewhere_numbers_fixed() -> None:
    coordinates = {"x", "y", "width", "height", "cx", "cy", "r", "font-size", "stroke-width"}
    for kind, chart in all_charts().items():
        assert "style" not in chart and "href" not in chart and "<script" not in chart, kind
        assert re.findall(r"https?://[^\"]*", chart) == [
            "http://www.w3.org/2000/svg"
        ] * len(svgs(chart)), kind  # fmt: skip
        for el in parse(chart).iter():
            assert el.get("fill") in (None, "none"), kind  # colours live in charts.css
            for name in coordinates & set(el.keys()):
                assert NUMBER.fullmatch(el.get(name, "")), (kind, name, el.get(name))
            for name in ("d", "points", "viewBox"):
                assert all(NUMBER.fullmatch(n) for n in re.findall(r"[-\d.]+", el.get(name, "")))


def test_same_numbers_same_bytes_across_processes() -> None:
    here = hashlib.sha256("".join(all_charts("same").values()).encode())
    script = (
        "import hashlib, tests.test_charts as t;"
        "print(hashlib.sha256(''.join(t.all_charts('same').values()).encode()).hexdigest())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
        check=True,
    )
    assert done.stdout.strip() == here.hexdigest()
    assert all_charts("again") == all_charts("again")


def test_hostile_text_stays_text() -> None:
    for kind, chart in all_charts(HOSTILE).items():
        assert "<script" not in chart, kind
        assert len(svgs(chart)) == len(svgs(all_charts()[kind])), kind  # no element broke out
        for svg in svgs(chart):
            assert not list(svg.iter(f"{SVG}script")), kind
            texts = [t.text or "" for t in svg.iter() if t.tag in (f"{SVG}title", f"{SVG}desc")]
            assert any(HOSTILE in text for text in texts), kind
    table = charts.table_html(HOSTILE, [HOSTILE, "n"], [(HOSTILE, 1.25), ("b", 2)])
    root = parse(table)
    assert root.findtext("caption") == HOSTILE and root.findtext("thead/tr/th") == HOSTILE
    assert root.findtext("tbody/tr/th") == HOSTILE
    figure = charts.figure_html("<svg/>", HOSTILE, table, [(HOSTILE, 'x" onclick="y')])
    link = parse(figure).find("figcaption/a")
    assert link is not None and link.get("href") == 'x" onclick="y' and link.text == HOSTILE
    assert link.get("onclick") is None


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_round_trips(text: str) -> None:
    kept = charts._plain(text)
    root = parse(charts.hbar_chart("o", text, text, [text], [1]))
    assert root.findtext(f"{SVG}title", "") == kept and root.findtext(f"{SVG}desc", "") == kept
    bar = groups(root, "dpa-chart__bars")[0][0]
    assert bar.findtext(f"{SVG}title") == charts._plain(f"{text}: 1")


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="chart id"):
        charts.sparkline('x" onload="y', "t", "d", [1])
    with pytest.raises(ValueError, match="finite values"):
        charts.bar_chart("b", "t", "d", ["a"], [-1])
    with pytest.raises(ValueError, match="finite values"):
        charts.sparkline("s", "t", "d", [math.nan])
    with pytest.raises(ValueError, match="labels"):
        charts.bar_chart("b", "t", "d", ["a", "b"], [1])
    with pytest.raises(ValueError, match="cells"):
        charts.table_html("c", ["a", "b"], [("x",)])


def test_table_numbers_have_fixed_decimals() -> None:
    table = charts.table_html("Papers", ["Month", "Share (%)", "Papers"], [("2025-06", 43.25, 12)])
    assert table == (
        '<table><caption>Papers</caption><thead><tr><th scope="col">Month</th>'
        '<th scope="col">Share (%)</th><th scope="col">Papers</th></tr></thead><tbody>'
        '<tr><th scope="row">2025-06</th><td>43.2</td><td>12</td></tr></tbody></table>'
    )


def test_describe_names_span_ends_and_high() -> None:
    assert charts.describe(["Jan", "Feb", "Mar"], [3, 7.25, 5], "%") == (
        "Jan to Mar: from 3% to 5%, highest 7.2% in Feb."
    )
    assert charts.describe([], []) == "No data."


def test_sizes_stay_within_budget() -> None:
    weeks = [f"2026-W{i:02d}" for i in range(200)]
    assert len(charts.bar_chart("w", "t", "d", WEEKS, WEEKLY, provisional=1).encode()) < KB30
    assert len(charts.bar_chart("w", "t", "d", weeks, [999] * 200).encode()) < KB30
    assert len(charts.calendar_heatmap("h", "t", "d", 2024, sample_days(2024)).encode()) < KB30
    panels = [(f"Topic name {i}", values) for i, values in enumerate(SHARES)]
    multiples = charts.small_multiples("t", "share", MONTHS, panels, unit="%", provisional=1)
    assert len(multiples.encode()) < KB30
    assert all(len(ET.tostring(svg)) < 2 * 1024 for svg in parse(multiples))
