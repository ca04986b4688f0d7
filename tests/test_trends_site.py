"""The built /trends/, sparklines and coverage calendars: what each SVG draws, read back from it.

The fixture archive of test_site, widened to three years, four quarters of organizations, a
failed fetch and hostile names, is built once; every number a chart draws is read back from
its SVG and compared with the CSV under data/trends/ and with a plain recount of the day files.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import pytest
import yaml

from generator import urls
from generator.build import build_site
from generator.config import SiteConfig
from generator.content import save_status
from generator.importer import import_dir
from generator.models import linkable
from tests.helpers import GOLDEN, TOPICS, api_item, fixture_content, write_files, write_response
from tests.test_site import _assert_inert, _scripts

ROOT = Path(__file__).resolve().parent.parent
CONFIG = SiteConfig(
    "Daily Papers Archive", "https://example.org/archive/", "https://github.com/owner/repo", "main"
)
SVG = "{http://www.w3.org/2000/svg}"
BAR_TITLE = re.compile(r"(\d{4}-\d\d-\d\d): (\d+)( \(may still grow\))?")  # a bar's tooltip
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the corpus's 50 MB: C, not Python
HOSTILE = "</svg><script>alert(1)</script>{{7*7}}"
# Starts with "=": a spreadsheet would run it as a formula unless the CSV cell is neutralised.
HOSTILE_ORG = "=HYPERLINK(1)" + HOSTILE
NEWEST_FETCH = date(2025, 6, 12)
FAILED_DAY = "2025-05-21"
# The golden SVGs, which tests/update_golden.py rewrites: {file in tests/golden/: (page, id)}.
GOLDEN_SVGS = {
    "trends-weekly.svg": ("trends/index.html", "trends-weekly"),
    "trends-calendar-2025.svg": ("coverage/index.html", "calendar-2025"),
}
TOPICS_YML = (
    TOPICS
    + f"""\
- slug: alerts
  name: "{HOSTILE}"
  description: A topic whose name is markup.
  match:
    words: [alert]
"""
)


def _item(paper_id: str, upvotes: int, title: str, **fields: Any) -> dict[str, Any]:
    return api_item(paper_id, upvotes, title=title, **fields)


def _org(handle: str, name: str) -> dict[str, Any]:
    return {"organization": {"name": handle, "fullname": name}}


# Days added to test_site's fixture (9-12 June 2025): other weeks, months, quarters and years.
EXTRA_DAYS: dict[str, list[dict[str, Any]]] = {
    "2023-05-15": [
        _item("2305.00001", 5, "Old agents", **_org("nvidia", "NVIDIA")),
        _item("2305.00002", 1, "Old robots", ai_keywords=["robot manipulation"]),
    ],
    "2024-12-30": [  # a Monday of 2024 whose ISO week is 2025-W01
        _item("2412.00001", 10, "Agents at year end", **_org("google", "Google")),
        _item("2412.00002", 3, "Robot hands at year end", ai_keywords=["robot manipulation"]),
        _item("2412.00003", 8, "Plain paper", githubRepo="https://github.com/x/y"),
    ],
    "2025-01-15": [
        _item("2501.00001", 20, "Agents in January", **_org("google", "Google")),
        _item("2501.00002", 4, "Spam in January", **_org("spam", "Spam Inc")),
        _item("2501.00003", 6, "Alert systems", githubRepo="https://github.com/c/d"),
        _item("2501.00004", 2, "Quiet paper", **_org("meta", "Meta")),
    ],
    "2025-02-20": [
        _item("2502.00001", 9, "An agent for February", **_org("google", "Google")),
        _item("2502.00002", 1, "Robot manipulation", ai_keywords=["Robot-Manipulation"]),
        _item("2502.00003", 30, "A popular paper", githubRepo="https://github.com/e/f"),
    ],
    "2025-03-31": [
        _item("2503.00001", 3, "End of quarter", **_org("meta", "Meta")),
        _item("2503.00002", 5, "Another agent", **_org("nvidia", "NVIDIA")),
    ],
    "2025-04-02": [
        _item("2504.00001", 11, HOSTILE, **_org("evil", HOSTILE_ORG)),
        _item("2504.00002", 7, "Evil agents", **_org("evil", HOSTILE_ORG)),
        _item("2504.00003", 2, "Goodness", **_org("nvidia", "NVIDIA")),
        _item("2504.00004", 4, "Listed twice", **_org("meta", "Meta")),
        _item("2504.00005", 6, "Alert agents", githubRepo="https://github.com/g/h"),
    ],
    FAILED_DAY: [_item("2505.00002", 3, "Before the failure")],
    "2025-05-20": [
        # First listed on 2 April: counted there once, with its newest upvotes and code.
        _item("2504.00004", 25, "Listed twice", githubRepo="https://github.com/i/j"),
        _item("2505.00001", 12, "Agents in May", **_org("google", "Google")),
    ],
}
HIDDEN = "2501.00002"


def trends_content(root: Path) -> Path:
    """test_site's fixture archive and EXTRA_DAYS, fetched on NEWEST_FETCH, with a failed day,
    a hidden paper and a topic whose name is markup."""
    content = fixture_content(root)
    for day, items in EXTRA_DAYS.items():
        import_dir(write_response(root / "extra" / day, day, items).parent, content, NEWEST_FETCH)
    write_files(
        content,
        {
            "topics.yml": TOPICS_YML,
            f"corrections/{HIDDEN}.yaml": f'id: "{HIDDEN}"\nreason: "spam"\nhide: true\n',
        },
    )
    save_status(content, {FAILED_DAY: {"failed": "2025-05-22", "error": "HTTP 500"}})
    return content


def build_trends_site(root: Path) -> Path:
    """The trends fixture archive built into root/site."""
    content = trends_content(root)
    build_site(content, root / "site", root / "build", ROOT / "mkdocs.yml")
    return root / "site"


def trends_golden(root: Path) -> dict[str, bytes]:
    """The golden SVGs as the code draws them now, built under root: {file name: bytes}."""
    return _golden_svgs(build_trends_site(root))


def _golden_svgs(site: Path) -> dict[str, bytes]:
    """Each golden SVG as the built site holds it, with a final newline."""
    return {
        name: _svg_texts((site / page).read_text("utf-8"))[svg_id].encode("utf-8") + b"\n"
        for name, (page, svg_id) in GOLDEN_SVGS.items()
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_trends_site(tmp_path_factory.mktemp("trends-site"))


@pytest.fixture(scope="module")
def content(site: Path) -> Path:
    return site.parent / "content"


# Reading the site back.


def _html(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def _svg_texts(page: str) -> dict[str, str]:
    """Each chart's SVG as the page holds it, by the id its <title> starts: {id: text}."""
    found = {}
    for match in re.finditer(r"<svg\b.*?</svg>", page, re.DOTALL):
        title_id = re.search(r'<title id="([^"]+)-title"', match[0])
        if title_id:
            found[title_id[1]] = match[0]
    return found


def _svgs(path: Path) -> dict[str, lxml.etree._Element]:
    """Each chart on a built page parsed as XML (which it must be): {id: <svg>}."""
    return {key: lxml.etree.fromstring(text) for key, text in _svg_texts(path.read_text()).items()}


def _all_svgs(path: Path) -> list[str]:
    """Every <svg> inside the page's article, charts or not."""
    article = re.search(r"<article\b.*?</article>", path.read_text("utf-8"), re.DOTALL)
    assert article, path
    return re.findall(r"<svg\b.*?</svg>", article[0], re.DOTALL)


def _csv(site: Path, dataset: str) -> list[dict[str, str]]:
    text = (site / urls.trends_data(dataset, "csv")).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _title(element: lxml.etree._Element) -> str:
    title = element.find(f"{SVG}title")
    assert title is not None, lxml.etree.tostring(element)
    return title.text or ""


def _points(svg: lxml.etree._Element) -> list[tuple[float, float]]:
    """The points of a chart's line, its solid part and its provisional tail joined."""
    points: list[tuple[float, float]] = []
    for line in svg.iter(f"{SVG}polyline"):
        for pair in (line.get("points") or "").split():
            x, y = map(float, pair.split(","))
            if not points or points[-1] != (x, y):  # the tail starts where the line ends
                points.append((x, y))
    return points


def _y_scale(svg: lxml.etree._Element) -> tuple[float, float]:
    """(the baseline's y, units per value) from the y-axis labels: "0" at the base, the top."""
    labels = [
        (float(text.text.rstrip("%")), float(text.get("y")) - 4)  # a label sits 4 below its line
        for group in svg.iter(f"{SVG}g")
        if group.get("text-anchor") == "end"
        for text in group.iter(f"{SVG}text")
    ]
    (zero, base), (top, top_y) = labels[0], labels[-1]
    assert zero == 0 and top > 0
    return base, (base - top_y) / top


# A plain recount from the day files, as readers see them: corrections applied, hidden gone.


def _recount(content: Path) -> tuple[dict[str, date], dict[str, dict[str, Any]]]:
    """Each paper's first list day and its newest listing, from the YAML alone."""
    corrections = [
        yaml.load(path.read_text("utf-8"), Loader=LOADER)
        for path in sorted((content / "corrections").glob("*.yaml"))
    ]
    hidden = {c["id"] for c in corrections if c.get("hide")}
    changes = {c["id"]: c.get("set", {}) for c in corrections}
    days = [
        yaml.load(p.read_text("utf-8"), Loader=LOADER)
        for p in (content / "papers").glob("*/*/*.yaml")
    ]
    first: dict[str, date] = {}
    latest: dict[str, dict[str, Any]] = {}
    for day in sorted(days, key=lambda d: d["date"]):
        for paper in day.get("papers") or []:
            if paper["id"] not in hidden:
                first.setdefault(paper["id"], day["date"])
                latest[paper["id"]] = {**paper, **changes.get(paper["id"], {})}
    return first, latest


def _weekly_recount(first: dict[str, date]) -> dict[str, int]:
    """Papers per ISO week (its Monday), every week from the first to the last, 0 included."""
    counts = Counter(day - timedelta(days=day.weekday()) for day in first.values())
    monday, last = min(counts), max(counts)
    weeks = {}
    while monday <= last:
        weeks[monday.isoformat()] = counts[monday]
        monday += timedelta(days=7)
    return weeks


def _weekly_bars(svg: lxml.etree._Element) -> dict[str, int]:
    """The weekly chart's bars: {week: papers} from each bar's title, checked against its height."""
    base, scale = _y_scale(svg)
    bars = {}
    for group in svg.iter(f"{SVG}g"):
        if "dpa-chart__bars" not in (group.get("class") or ""):
            continue
        for rect in group.iter(f"{SVG}rect"):
            found = BAR_TITLE.fullmatch(_title(rect))
            assert found, _title(rect)
            week, value = found[1], found[2]
            height = float(rect.get("height"))
            assert abs(float(rect.get("y")) + height - base) <= 0.1, week  # from the baseline
            assert abs(height - int(value) * scale) <= 0.1, (week, height, value)
            bars[week] = int(value)
    return bars


# The trends page and the navigation.


def test_trends_page_is_in_the_top_navigation_of_every_page_type(site: Path) -> None:
    assert (site / "trends/index.html").is_file()
    for page in ("index.html", "2025/06/09/index.html", "coverage/index.html", "2025/index.html"):
        tabs = _html(site / page).find_class("md-tabs__link")
        targets = {a.text_content().strip(): (site / page).parent / a.get("href") for a in tabs}
        assert "Trends" in targets, page
        assert targets["Trends"].resolve() == (site / "trends").resolve(), page


def test_trends_pages_are_inert(site: Path) -> None:
    theme = _scripts(_html(site / "about/index.html"))  # a page with nothing from content
    pages = ["trends", "coverage", "topics", "topics/agents", "topics/alerts", "2025", "2024"]
    for page in pages:
        path = site / page / "index.html"
        _assert_inert(_html(path), page, theme)
        text = path.read_text("utf-8")
        assert "<script>alert" not in text and ">49<" not in text, page


def test_weekly_bars_equal_the_csv_and_a_recount_of_the_day_files(
    site: Path, content: Path
) -> None:
    bars = _weekly_bars(_svgs(site / "trends/index.html")["trends-weekly"])
    rows = _csv(site, "weekly")
    assert {row["week"]: int(row["papers"]) for row in rows} == bars
    first, _ = _recount(content)
    assert bars == _weekly_recount(first)
    assert HIDDEN not in first and bars["2025-01-13"] == 3  # the hidden paper is not counted
    assert bars["2025-03-31"] == 7  # 2504.00004 counted once, on 2 April, not in May
    assert sum(bars.values()) == len(first)
    # The last bars may still grow: drawn apart, and so marked in the CSV.
    late = [row["week"] for row in rows if row["provisional"] == "true"]
    assert late == ["2025-05-26", "2025-06-02", "2025-06-09"]
    tail = _svgs(site / "trends/index.html")["trends-weekly"].find(
        f".//{SVG}g[@class='dpa-chart__bars dpa-chart--provisional']"
    )
    assert [_title(rect).split(":")[0] for rect in tail] == late


def test_topic_small_multiples_equal_the_topic_share_csv(site: Path, content: Path) -> None:
    charts = _svgs(site / "trends/index.html")
    panels = {
        _title(svg).removesuffix(": share of each month's papers"): svg
        for key, svg in charts.items()
        if key.startswith("trends-topics-")
    }
    rows = _csv(site, "topic-share")
    names = list(dict.fromkeys(row["topic_name"] for row in rows))
    assert list(panels) == names == ["Agents", "Robotics", HOSTILE]
    tops = set()
    for name, svg in panels.items():
        mine = [row for row in rows if row["topic_name"] == name]
        # The panel's scale from its own gridlines (top, base) and its top label.
        grid = svg.find(f"{SVG}path[@class='dpa-chart__grid']").get("d")
        top_y, base = map(float, re.findall(r"M0 ([\d.]+)H", grid))
        top = float(svg.find(f".//{SVG}text[@text-anchor='end']").text.rstrip("%"))
        tops.add(top)
        points = _points(svg)
        assert len(points) == len(mine) and [x for x, _ in points] == sorted(x for x, _ in points)
        for (_, y), row in zip(points, mine, strict=True):
            drawn = (base - y) / (base - top_y) * top
            assert abs(drawn - float(row["share"]) * 100) <= 0.1, (name, row["month"], drawn)
    assert len(tops) == 1  # one scale for every panel
    # Each month's papers and topic papers against the recount and the topic pages.
    first, _ = _recount(content)
    per_month = Counter(f"{day:%Y-%m}" for day in first.values())
    for row in rows:
        assert int(row["month_papers"]) == per_month[row["month"]], row
        if int(row["month_papers"]):
            assert float(row["share"]) == round(int(row["papers"]) / per_month[row["month"]], 4)
    for slug in ("agents", "robotics", "alerts"):
        nav = _html(site / "topics" / slug / "index.html").find_class("dpa-nav")[0]
        shown = {
            date.fromisoformat(row["month"] + "-01").strftime("%b %Y"): int(row["papers"])
            for row in rows
            if row["topic"] == slug and int(row["papers"])
        }
        listed = dict(re.findall(r"(\w{3} \d{4}) \((\d+)\)", nav.text_content()))
        assert {month: int(n) for month, n in listed.items()} == shown, slug


def test_organization_bars_equal_the_csv_and_a_recount(site: Path, content: Path) -> None:
    charts = _svgs(site / "trends/index.html")
    rows = _csv(site, "organizations")
    first, latest = _recount(content)
    quarters: dict[str, Counter[str]] = defaultdict(Counter)
    names = {}
    for paper_id, day in first.items():
        if handle := latest[paper_id].get("organization"):
            quarters[f"{day.year}-Q{(day.month + 2) // 3}"][handle] += 1
            names[handle] = latest[paper_id].get("organization_name", handle)
    recount = [
        (quarter, handle, count)
        for quarter in sorted(quarters)
        for handle, count in sorted(quarters[quarter].items(), key=lambda i: (-i[1], i[0]))[:8]
    ]
    assert [(r["quarter"], r["organization"], int(r["papers"])) for r in rows] == recount
    drawn = sorted(key for key in charts if key.startswith("trends-org-"))
    # The newest four quarters: here every quarter with an organization.
    assert drawn == [
        f"trends-org-{q.lower()}" for q in ("2023-Q2", "2024-Q4", "2025-Q1", "2025-Q2")
    ]
    for key in drawn:
        quarter = key.removeprefix("trends-org-").upper()
        bars = charts[key].findall(f".//{SVG}rect")
        values = [int(_title(bar).rsplit(": ", 1)[1]) for bar in bars]
        labels = [_title(bar).rsplit(": ", 1)[0] for bar in bars]
        expected = [r for r in rows if r["quarter"] == quarter]
        assert values == [int(r["papers"]) for r in expected], quarter
        assert labels == [names[r["organization"]] for r in expected], quarter
        widths = [float(bar.get("width")) for bar in bars]
        for width, value in zip(widths, values, strict=True):
            assert abs(width - value / max(values) * max(widths)) <= 0.1, (quarter, width)


def test_code_share_line_equals_the_csv_and_a_recount(site: Path, content: Path) -> None:
    svg = _svgs(site / "trends/index.html")["trends-code"]
    rows = {row["month"]: row for row in _csv(site, "code-upvotes")}
    first, latest = _recount(content)
    by_month: dict[str, list[str]] = defaultdict(list)
    for paper_id, day in first.items():
        by_month[f"{day:%Y-%m}"].append(paper_id)
    for month, row in rows.items():
        ids = by_month.get(month, [])
        with_code = sum(1 for i in ids if linkable(latest[i].get("github")))
        assert (int(row["papers"]), int(row["with_code"])) == (len(ids), with_code), month
        if ids:
            median = statistics.median(latest[i]["upvotes"] for i in ids)
            assert float(row["median_upvotes"]) == median, month
    assert rows["2025-04"]["with_code"] == "2"  # 2504.00004's code came with its May listing
    # Drawn: the months with papers from the first with code on, at their share in %.
    months = [m for m, row in rows.items() if int(row["papers"])]
    months = months[next(i for i, m in enumerate(months) if int(rows[m]["with_code"])) :]
    base, scale = _y_scale(svg)
    points = _points(svg)
    assert len(points) == len(months)
    for (_, y), month in zip(points, months, strict=True):
        assert abs((base - y) / scale - float(rows[month]["code_share"]) * 100) <= 0.1, month
    dots = [_title(dot) for dot in svg.iter(f"{SVG}circle")]
    assert dots[0] == "with a GitHub repository, Dec 2024: 33.3%"


# Accessibility, tables and links of every chart.


@pytest.mark.parametrize("page", ["trends", "coverage", "topics", "topics/agents", "2025", "2023"])
def test_every_svg_is_labelled_and_ids_are_unique(site: Path, page: str) -> None:
    path = site / page / "index.html"
    svgs = _all_svgs(path)
    assert svgs, page
    for text in svgs:
        svg = lxml.etree.fromstring(text)
        assert svg.get("role") == "img", text[:200]
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and desc is not None and title.text and desc.text, text[:200]
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert len(text.encode("utf-8")) < 30_000, (page, title.get("id"))
    ids = _html(path).xpath("//@id")
    assert [i for i, n in Counter(ids).items() if n > 1] == [], page


def test_each_trends_figure_has_its_numbers_and_data_links(site: Path) -> None:
    tree = _html(site / "trends/index.html")
    figures = tree.find_class("dpa-figure")
    # Weekly, topics, four quarters of organizations, code and upvotes.
    assert len(figures) == 8
    for figure in figures:
        assert figure.xpath(".//svg"), lxml.html.tostring(figure)[:200]
        summary = figure.find(".//details/summary")
        assert summary is not None and summary.text_content() == "Show the numbers"
        assert figure.find(".//details//table//tbody/tr") is not None
        links = {a.text_content(): a.get("href") for a in figure.find("figcaption").iter("a")}
        assert sorted(links) == ["CSV", "JSON"]
        for kind, href in links.items():
            target = (site / "trends" / href).resolve()
            assert target.is_file() and target.suffix == f".{kind.lower()}", href
            assert target.is_relative_to((site / "data/trends").resolve()), href
    # Each dataset's JSON holds as many rows as its CSV.
    for dataset in ("weekly", "topic-share", "organizations", "code-upvotes", "rising"):
        record = json.loads((site / urls.trends_data(dataset, "json")).read_text("utf-8"))
        assert len(record["rows"]) == len(_csv(site, dataset)), dataset


def test_weekly_table_holds_the_numbers_drawn(site: Path) -> None:
    tree = _html(site / "trends/index.html")
    table = tree.find_class("dpa-figure")[0].find(".//table")
    rows = table.find("tbody").iter("tr")
    shown = {row[0].text_content(): int(row[1].text_content()) for row in rows}
    assert shown == _weekly_bars(_svgs(site / "trends/index.html")["trends-weekly"])


# Coverage calendars.


def _calendar_cells(svg: lxml.etree._Element) -> dict[str, tuple[str, int | None, int, int]]:
    """Each day's cell: {day: (state, level or None, column, row)} from classes and position."""
    cells = {}
    for group in svg.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        states = [c.removeprefix("dpa-heat--") for c in classes if c.startswith("dpa-heat--")]
        if not states or group.getparent().get("class") != "dpa-heat__days":
            continue
        state = states[0]
        level = int(states[1].removeprefix("l")) if len(states) > 1 else None
        for cell in group.iter(f"{SVG}path"):
            x, y = map(int, re.fullmatch(r"M(\d+) (\d+)h10", cell.get("d")).groups())  # type: ignore[union-attr]
            cells[_title(cell).split(":")[0]] = (state, level, (x - 30) // 12, (y - 21) // 12)
    return cells


def _coverage_rows(site: Path) -> dict[str, tuple[str, int | None]]:
    """The coverage table's days: {day: (state, papers)}."""
    tree = _html(site / "coverage/index.html")
    table = tree.find_class("dpa-coverage")[0]
    assert table.getparent().tag == "details"  # the long table stays, folded
    rows = {}
    for row in table.find("tbody").iter("tr"):
        count = row[2].text_content()
        rows[row[0].text_content()] = (
            row.get("class").removeprefix("dpa-"),
            int(count) if count else None,
        )
    return rows


def _level(count: int | None) -> int:
    return sum((count or 0) >= b for b in (1, 15, 30, 45))


def test_coverage_calendars_match_the_coverage_table(site: Path) -> None:
    rows = _coverage_rows(site)
    assert Counter(state for state, _ in rows.values()) == {
        "missing": len(rows) - 12,
        "listed": 7,
        "growing": 3,
        "empty": 1,
        "failed": 1,
    }
    assert rows[FAILED_DAY] == ("failed", 1) and rows["2025-06-12"] == ("growing", 1)
    page = (site / "coverage/index.html").read_text("utf-8")
    assert page.index('<svg xmlns="http://www.w3.org/2000/svg"') < page.index("<details")  # on top
    charts = _svgs(site / "coverage/index.html")
    assert sorted(k for k in charts if k.startswith("calendar-")) == [
        "calendar-2023",
        "calendar-2024",
        "calendar-2025",
    ]
    drawn: dict[str, tuple[str, int | None, int, int]] = {}
    for year in (2023, 2024, 2025):
        cells = _calendar_cells(charts[f"calendar-{year}"])
        monday = date(year, 1, 1) - timedelta(days=date(year, 1, 1).weekday())
        for day, (_, _, column, row) in cells.items():
            offset = (date.fromisoformat(day) - monday).days
            assert (column, row) == (offset // 7, offset % 7), day  # its week, its weekday
        drawn.update(cells)
    assert drawn.keys() == rows.keys()
    for day, (state, count) in rows.items():
        level = _level(count) if state in ("listed", "growing") else None
        assert drawn[day][:2] == (state, level), day


def test_year_pages_have_their_calendar(site: Path) -> None:
    coverage = _svgs(site / "coverage/index.html")
    for year in (2023, 2024, 2025):
        charts = _svgs(site / str(year) / "index.html")
        assert list(charts) == [f"calendar-{year}"]
        assert _calendar_cells(charts[f"calendar-{year}"]) == _calendar_cells(
            coverage[f"calendar-{year}"]
        )


# Sparklines.


def test_topic_sparklines_are_the_last_24_months_of_papers(site: Path) -> None:
    rows = _csv(site, "topic-share")
    tree = _html(site / "topics/index.html")
    items = tree.find_class("dpa-topics")[0].findall("li")
    charts = _svgs(site / "topics/index.html")
    assert len(items) == len(charts) == 3
    for item in items:
        slug = item.find("a").get("href").strip("/").split("/")[-1]
        assert item.find(".//svg") is not None, slug  # beside its topic
        svg = charts[f"spark-{slug}"]
        papers = [int(row["papers"]) for row in rows if row["topic"] == slug][-24:]
        assert len(papers) == 24  # the archive spans 26 months
        points = _points(svg)
        assert len(points) == len(papers), slug
        peak = max(papers)
        for (_, y), count in zip(points, papers, strict=True):
            assert abs((22 - y) / 20 * peak - count) <= 0.01 * peak + 0.05, (slug, y, count)
        desc = svg.find(f"{SVG}desc").text
        noun = "paper" if papers[-1] == 1 else "papers"
        assert desc.endswith(f"from {papers[0]} to {papers[-1]} {noun} a month, at most {peak}.")
        page = _svgs(site / "topics" / slug / "index.html")[f"spark-{slug}"]
        assert lxml.etree.tostring(page) == lxml.etree.tostring(svg), slug


# Hostile names.


def test_hostile_names_stay_text_in_svg_table_and_csv(site: Path) -> None:
    page = site / "trends/index.html"
    svg = _svgs(page)["trends-org-2025-q2"]
    assert _title(svg.find(f".//{SVG}rect")) == f"{HOSTILE_ORG}: 2"
    desc = svg.find(f"{SVG}desc").text
    assert desc == f"Papers by organization in 2025-Q2: first {HOSTILE_ORG} with 2."
    tree = _html(page)
    cells = [th.text_content() for th in tree.iter("th")]
    assert HOSTILE_ORG in cells  # the organizations table
    assert HOSTILE in cells  # the topics table's column heading
    panel = _svgs(page)["trends-topics-2"]
    assert _title(panel) == f"{HOSTILE}: share of each month's papers"
    assert "&lt;/svg&gt;&lt;script&gt;" in _svg_texts(page.read_text("utf-8"))["trends-topics-2"]
    spark = _svgs(site / "topics/index.html")["spark-alerts"]
    assert _title(spark) == f"{HOSTILE}: papers per month"
    # In the CSV the name starting with "=" cannot become a formula; the JSON keeps it as is.
    names = [
        r["organization_name"] for r in _csv(site, "organizations") if r["organization"] == "evil"
    ]
    assert names == ["'" + HOSTILE_ORG]
    record = json.loads((site / urls.trends_data("organizations", "json")).read_text("utf-8"))
    assert {r["organization_name"] for r in record["rows"] if r["organization"] == "evil"} == {
        HOSTILE_ORG
    }
    for path in (site / "data/trends").iterdir():
        for row in csv.reader(io.StringIO(path.read_text("utf-8"))):
            assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row), (path.name, row)
    # The hostile title is one of the papers counted, and shows as text on its year page.
    year = _html(site / "2025/index.html")
    assert HOSTILE in [a.text_content() for a in year.iter("a")]


# Determinism, sizes, golden SVGs.


def test_two_builds_give_the_same_bytes(site: Path, tmp_path: Path) -> None:
    again = build_trends_site(tmp_path)
    names = ["trends/index.html", "coverage/index.html", "topics/index.html", "2025/index.html"]
    names += [f"data/trends/{p.name}" for p in sorted((site / "data/trends").iterdir())]
    assert len(names) == 14
    for name in names:
        assert (again / name).read_bytes() == (site / name).read_bytes(), name


def test_sizes_stay_within_budget(site: Path) -> None:
    assert (site / "trends/index.html").stat().st_size < 250_000
    for page in ("trends", "coverage", "topics", "2025"):
        for svg in _all_svgs(site / page / "index.html"):
            assert len(svg.encode("utf-8")) < 30_000, (page, svg[:200])


def test_golden_svgs(site: Path) -> None:
    """Regenerate with `make golden` after an intended change, and read the diff."""
    made = _golden_svgs(site)
    for name, data in made.items():
        kept = GOLDEN / name
        assert kept.is_file(), f"{name} missing: run make golden"
        assert kept.read_bytes() == data, f"{name} differs: run make golden"


# The corpus.


def test_corpus_weekly_bars_equal_a_plain_recount(imported: Path) -> None:
    from generator.archive import load_archive
    from generator.pages import iter_pages

    target = urls.docs_path(urls.TRENDS)
    page = next(text for name, text in iter_pages(load_archive(imported), CONFIG) if name == target)
    svg = lxml.etree.fromstring(_svg_texts(page)["trends-weekly"])
    first, _ = _recount(imported)
    bars = _weekly_bars(svg)
    assert bars == _weekly_recount(first)
    assert len(bars) > 50 and sum(bars.values()) == len(first) > 5000
