"""bench/build_bench.py on a tiny archive, so the benchmark cannot rot; never a timed test."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "build_bench.py"
NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
TIMES = "\u00d7"  # the times sign after ratios


def _load_bench():
    spec = importlib.util.spec_from_file_location("build_bench", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _rows(markdown: str, heading: str) -> list[list[str]]:
    """The body rows of the first table under a ### heading, as lists of cells."""
    section = markdown.split(f"### {heading}", 1)[1].split("\n### ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def _number(cell: str, unit: str) -> float:
    """The first number in a cell followed by unit, e.g. '2.1 s' -> 2.1."""
    match = re.search(NUMBER + re.escape(unit), cell)
    assert match, f"no number with {unit!r} in {cell!r}"
    return float(match[1].replace(",", ""))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The Markdown of one run: 60 and 120 papers, stock Material at 120 (about 10-20 s)."""
    work = tmp_path_factory.mktemp("bench")
    before = (ROOT / "BENCHMARKS.md").read_bytes()
    command = [sys.executable, str(SCRIPT), "--sizes", "60,120", "--stock-papers", "120"]
    command += ["--work", str(work)]
    if not CHROMIUM.exists():  # the browser part is covered wherever Chromium is installed
        command.append("--no-browser")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (ROOT / "BENCHMARKS.md").read_bytes() == before  # without --write: stdout only
    assert not list(work.rglob("trash"))  # what each build found was set aside, then deleted
    assert (work / "120" / "build" / "search-cache").is_dir()  # kept for the next night
    return done.stdout


def test_report_has_both_sizes_with_numbers(report: str) -> None:
    assert report.startswith("<!-- build-bench:start -->\n## Build")
    assert report.rstrip().endswith("<!-- build-bench:end -->")
    assert re.search(r"Measured \d{4}-\d\d-\d\d, commit .*\d+ cores.*GB\s+RAM", report, re.S)
    rows = {row[0]: row for row in _rows(report, "Whole `generator build`")}
    assert set(rows) == {"60", "120"}
    for row in rows.values():
        _, days, seconds, cpu, _, peak, night, lost, site, content, files, day_page, search = row
        assert int(days) > 0 and int(files.replace(",", "")) > 0
        assert _number(seconds, " s") > 0 and _number(cpu, " s") > 0
        # The next night's build takes the unchanged years' search index from build/.
        assert _number(night, " s") > 0 and _number(night, " MB") > 0
        # Only the changed year (the newest day's) is indexed again.
        kept = re.search(r"search index: (\d+) of (\d+) years unchanged", night)
        assert kept and int(kept[1]) == int(kept[2]) - 1, night
        # Issue 20's cold build: every year indexed again, the other caches kept.
        assert _number(lost, " s") > 0 and _number(lost, " MB") > 0
        assert re.search(r"search index: 0 of \d+ years unchanged", lost), lost
        assert _number(peak, " MB") > 0
        assert _number(site, " MB") >= _number(content, " MB") > 0
        assert _number(day_page, " KB") > 0
        if CHROMIUM.exists():
            assert _number(search, " KB gz") > 0


def test_report_has_every_stage(report: str) -> None:
    stages = _rows(report, "Stages")
    for papers in ("60", "120"):
        times = {row[1]: row[2] for row in stages if row[0] == papers}
        assert {"generate pages", "mkdocs build", "search index", "**total**"} <= set(times)
        assert all(_number(cell, " s") >= 0 for cell in times.values())
        assert _number(times["**total**"], " s") > 0


def test_report_compares_with_stock_material(report: str) -> None:
    assert "### Stock MkDocs Material, 120 papers" in report
    rows = {row[0]: row[1:] for row in _rows(report, "Stock MkDocs Material")}
    ours, stock, ratio = rows["build time"]
    assert _number(ours, " s") > 0 and _number(stock, " s") > 0
    assert _number(ratio, TIMES) > 0
    assert _number(rows["CPU time"][1], " s") > 0
    assert _number(rows["files"][1], "") > 0
    targets = {row[0]: row for row in _rows(report, "Targets")}
    assert re.fullmatch(r"[\d.]+" + TIMES, targets["faster than stock Material (120 papers)"][2])
    assert all(row[3] in ("✓ met", "✗ missed", "") for row in targets.values())
    assert {row[0] for row in targets.values() if row[1] == "reported"} == {
        "whole `generator build` from scratch (no caches at all)",
        "the Pages artifact (tar of site/)",
        "site/ on disk (4 KB blocks)",
    }
    assert _number(targets["the Pages artifact (tar of site/)"][2], " MB") > 0
    cold = targets["cold `generator build`: search cache lost, other caches kept"]
    assert cold[1] == "≤ 30 s" and _number(cold[2], " s") > 0


def test_parse_stages_reads_both_line_formats() -> None:
    output = "\n".join(
        [
            "INFO    -  Cleaning site directory",
            "load content: 0.11 s, peak 41 MB",
            "mkdocs build: 12.50 s",
            "total: 20.00 s, peak 512.5 MB",
            "site built in site",
        ]
    )
    assert _load_bench().parse_stages(output) == {
        "load content": (0.11, 41.0),
        "mkdocs build": (12.5, None),
        "total": (20.0, 512.5),
    }


def test_write_section_goes_above_search_then_replaces_itself(tmp_path: Path) -> None:
    bench = _load_bench()
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\n## Search\n\nnumbers\n", encoding="utf-8")
    section = f"{bench.START}\n## Build\n\nfirst\n{bench.END}\n"
    bench.write_section(path, section)
    expected = f"# Benchmarks\n\n{section}\n## Search\n\nnumbers\n"
    assert path.read_text(encoding="utf-8") == expected
    bench.write_section(path, section.replace("first", "second"))
    assert path.read_text(encoding="utf-8") == expected.replace("first", "second")


def test_set_aside_moves_into_the_work_folders_trash(tmp_path: Path) -> None:
    bench = _load_bench()
    work = tmp_path / "work"
    (work / "120" / "build" / "docs").mkdir(parents=True)
    (work / "120" / "build" / "docs" / "a.md").write_text("a")
    (work / "120" / "site").mkdir()
    bench.set_aside(work / "120" / "build" / "docs", work)
    bench.set_aside(work / "120" / "site", work)
    bench.set_aside(work / "120" / "missing", work)  # nothing there: nothing to do
    assert sorted(p.name for p in (work / "120").rglob("*")) == ["build"]
    moved = sorted(p.relative_to(work / "trash").parts[1:] for p in (work / "trash").rglob("*"))
    assert moved == [(), (), ("docs",), ("docs", "a.md"), ("site",)]


def test_search_bench_runs_on_a_tiny_archive(tmp_path: Path) -> None:
    """bench/search_bench.py end to end on 60 papers, so that it cannot rot either."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not found: search_bench measures in Chromium")
    script = ROOT / "bench" / "search_bench.py"
    command = [sys.executable, str(script), "--papers", "60", "--work", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| records | 60 |" in done.stdout
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    queries = [row for row in rows if re.match(r"\| [^|]+ \| \d+ \| \d+ KB \|", row)]
    assert len(queries) == 5, rows  # four fixed queries and one exact title
    assert "The exact-title query, all years searched: its paper is first." in done.stdout


def _load_page_bench():
    spec = importlib.util.spec_from_file_location("page_bench", ROOT / "bench" / "page_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_page_bench_serves_as_github_pages_does(tmp_path: Path) -> None:
    """bench/page_bench.py's pure parts (the Lighthouse and vnu runs are not tests)."""
    bench = _load_page_bench()
    assert bench.content_type("a/index.html") == "text/html; charset=utf-8"
    assert bench.content_type("pagefind/2026/x.pf_fragment") == "application/octet-stream"
    assert bench.gzipped("application/javascript; charset=utf-8", "gzip, deflate, br")
    assert not bench.gzipped("text/css", "br")
    assert not bench.gzipped("application/gzip", "gzip")  # data/archive.json.gz as it is
    (tmp_path / "2026" / "05").mkdir(parents=True)
    (tmp_path / "2026" / "05" / "index.html").write_text("month")
    (tmp_path / "404.html").write_text("missing")
    assert bench.resolve(tmp_path, "/2026/05/") == (200, tmp_path / "2026/05/index.html", None)
    assert bench.resolve(tmp_path, "/2026/05") == (301, None, "/2026/05/")
    assert bench.resolve(tmp_path, "/2026/06/") == (404, tmp_path / "404.html", None)
    assert bench.resolve(tmp_path, "/../etc/passwd") == (404, tmp_path / "404.html", None)


def test_page_bench_picks_median_pages_and_groups_vnu_messages(tmp_path: Path) -> None:
    bench = _load_page_bench()
    files = {"index.html": 1, "2026/05/index.html": 5, "search/index.html": 1}
    files |= {"trends/index.html": 1}
    files |= {f"2026/05/{day:02d}/index.html": size for day, size in [(1, 30), (2, 10), (3, 20)]}
    for name, size in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x" * size)
    pages, notes = bench.choose_pages(tmp_path)
    assert pages == [
        ("home", "index.html"),
        ("day", "2026/05/03/index.html"),
        ("month", "2026/05/index.html"),
        ("search", "search/index.html"),
        ("trends", "trends/index.html"),
    ]
    assert [note.split(":")[0] for note in notes] == ["topic", "saved", "coverage"]

    def message(url: str, text: str, markup: str, kind: str = "error") -> dict[str, object]:
        extract = f"ab{markup}cd"
        return {"type": kind, "url": url, "message": text, "extract": extract,
                "hiliteStart": 2, "hiliteLength": len(markup)}  # fmt: skip

    toggle, box = '<input type="checkbox" autocomplete="off">', '<input role="combobox">'
    ours = [
        message("file:/s/index.html", "autocomplete", toggle),
        message("file:/s/day.html", "autocomplete", toggle),
        message("file:/s/day.html", "autocomplete", '<input id="ours" autocomplete="off">'),
        message("file:/s/day.html", "combobox", box),
        message("file:/s/day.html", "trailing slash", "<br/>", "info") | {"subType": "warning"},
    ]
    stock = [message("file:/stock/index.html", "autocomplete", toggle)]
    page_of = {"file:/s/index.html": "home", "file:/s/day.html": "day"}
    groups = bench.group_messages(ours, page_of, stock)
    assert [(g.kind, g.message, g.count, g.pages) for g in groups] == [
        ("error", "autocomplete", 3, ["home", "day"]),
        ("error", "combobox", 1, ["day"]),
        ("warning", "trailing slash", 1, ["day"]),
    ]
    assert [bench.whose(g) for g in groups] == ["Material 2, ours 1", "ours", "ours"]
    assert groups[0].example == '<input id="ours" autocomplete="off">'  # ours shown first


def test_page_bench_searches_the_queries_of_search_bench(tmp_path: Path) -> None:
    """The search page with each of search_bench's queries: URLs, rows, targets line."""
    bench = _load_page_bench()
    days = [
        {"date": "2026-01-01", "papers": []},
        {
            "date": "2026-01-02",
            "papers": [{"id": "b", "title": "Old B"}, {"id": "c", "title": "C"}],
        },
        {
            "date": "2026-01-03",
            "papers": [{"id": "a", "title": "A"}, {"id": "b", "title": "New B"}],
        },
    ]
    assert bench.first_title(days) == "New B"  # the first listed, as last listed
    with pytest.raises(ValueError):
        bench.first_title(days[:1])
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "archive.json.gz").write_bytes(
        gzip.compress(json.dumps({"days": days}).encode())
    )
    queries = bench.search_queries(tmp_path)
    assert queries == [*bench.search_bench.QUERIES, "New B"] and len(queries) == 5

    rows = bench.query_pages("search/index.html", ["speculative decoding", "New B"])
    assert rows[0] == {"page": 'search "speculative decoding"', "path": "search/index.html",
                       "query": "speculative decoding"}  # fmt: skip
    base = "http://127.0.0.1:8000/"
    assert bench.page_url(base, "search/index.html") == base + "search/"
    assert bench.page_url(base, "search/index.html", "Wei Zhang") == base + "search/?q=Wei+Zhang"
    assert bench.page_url("/", "search/index.html", "a&b") == "/search/?q=a%26b"
    assert bench.file_name('search "Wei Zhang"') == "search-wei-zhang"

    def measured(query: str, performance: int, lcp: float) -> dict[str, object]:
        scores = dict.fromkeys(bench.CATEGORIES, 100) | {"performance": performance}
        return {"page": f'search "{query}"', "path": "search/index.html", "query": query,
                "scores": scores, "lcp_ms": lcp, "observed_lcp_ms": 900.0,
                "search_files_ms": [100.0, 800.0, 950.0], "tbt_ms": 0, "cls": 0,
                "transferred": 1, "html": 1, "html_gz": 1}  # fmt: skip

    table = [{"page": "home", "path": "index.html", "scores": {}, "lcp_ms": 1}]
    table += [
        measured(q, p, ms) for q, p, ms in [("a", 99, 2000), ("b", 90, 3000), ("c", 96, 2400)]
    ]
    table.append({"page": 'search "d"', "path": "search/index.html", "query": "d", "error": "x"})
    summary = bench.query_summary(table)
    assert "(4 queries of bench/search_bench.py, 3 of them measured)" in summary
    assert "median performance **96** (target at least 95: met)" in summary
    assert "median LCP **2.40 s** (target at most 2.5 s: met)" in summary
    assert "not met" in bench.query_summary([measured("b", 90, 3000)])
    assert bench.query_summary(table[:1]) is None
    lcp_rows = bench.query_lcp_table(table).splitlines()[2:]
    assert lcp_rows == [f"| {q} | 900 ms | 2 of 3 | 950 ms |" for q in "abc"]
    assert '| search "a" (`/search/?q=a`) | 99 | 100 |' in bench.lighthouse_table(table[1:2])

    report = {"audits": {
        "metrics": {"details": {"items": [{"observedLargestContentfulPaint": 1122}]}},
        "network-requests": {"details": {"items": [
            {"url": base + "pagefind/2029/index/en_1.pf_index", "networkEndTime": 484.5},
            {"url": base + "pagefind/pagefind.js", "networkEndTime": 261},
            {"url": base + "assets/search/search.js", "networkEndTime": 121},
        ]}},
    }, "categories": {}}  # fmt: skip
    row = bench.lighthouse_row(report)
    assert row["observed_lcp_ms"] == 1122 and row["search_files_ms"] == [261, 484.5]
