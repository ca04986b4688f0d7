"""Search benchmark: index build time and size, and what a first search costs a browser.

    .venv/bin/python bench/search_bench.py [--papers 30000] [--work build/search-bench]
    .venv/bin/python bench/search_bench.py --content DIR   # an existing archive instead

Builds the site from the sample archive (`python -m generator sample`), times the Pagefind
index on its own, then serves the site on 127.0.0.1 and opens /search/?q=... for five fixed
queries in headless Debian Chromium, each time with a cold cache. It adds up the files the
page had received when its first results were on screen, a moment marked with
performance.mark() when search.js announces it. Prints Markdown tables; not a timed test.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import build, search, urls  # noqa: E402
from generator.archive import load_archive  # noqa: E402
from generator.sample import make_sample  # noqa: E402
from generator.search.pagefind import Indexing  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# What readers type: topic phrases, an author, and an exact title (filled in from the data).
QUERIES = ["speculative decoding", "gaussian splatting", "jailbreak attacks", "Wei Zhang"]
TEXT_TYPES = (".html", ".js", ".css", ".json", ".svg", ".xml")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


# search.js announces each search it has put on screen (the newest year's results, then every
# year's) with a "dpa-search-shown" event: marked, for Resource Timing to measure up to.
FIRST, ALL = "dpa-search-results", "dpa-search-all"
MARKS = f"""document.addEventListener("dpa-search-shown", (event) => {{
  performance.mark("{FIRST}");
  if (event.detail.final) performance.mark("{ALL}");
}});"""
# Every file the page fetched and had received by the time its first results were on screen
# (Resource Timing), with the moment on the clock every timeline shares.
LOADED = """(mark) => {
  const shown = performance.getEntriesByName(mark)[0].startTime;
  const page = performance.getEntriesByType("navigation")[0];
  const files = performance.getEntriesByType("resource").filter((e) => e.responseEnd <= shown);
  const until = performance.timeOrigin + shown;
  const sizes = [page, ...files].map((e) => [new URL(e.name).pathname, e.encodedBodySize]);
  return {shown, until, files: sizes};
}"""
# The same in search-worker.js, where Pagefind fetches its runtime and index parts: the
# worker's own timeline, up to the same moment.
WORKER_LOADED = """(until) => performance.getEntriesByType("resource")
  .filter((e) => performance.timeOrigin + e.responseEnd <= until)
  .map((e) => [new URL(e.name).pathname, e.encodedBodySize])"""
# One index of every paper, beside the site's yearly ones for this run only, searched by
# search.js itself (its stop words, its ranking) as the one "year" of a dpa-search.json the
# browser is handed instead of the site's: the ranking a search of every year should come
# close to.
ONE_INDEX = "_one-index"
HITS = "#dpa-search-results a.dpa-hit"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=30000)
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "search-bench")
    parser.add_argument("--content", type=Path, help="benchmark this content/ instead")
    args = parser.parse_args()
    work: Path = args.work
    content, site = args.content or work / f"sample-{args.papers}", work / "site"
    if args.content and not content.is_dir():
        parser.error(f"{content}: not a directory")
    if not content.is_dir():
        print(f"sample: {args.papers} papers into {content}", file=sys.stderr)
        make_sample(content, args.papers)
        shutil.copy(ROOT / "content" / "topics.yml", content / "topics.yml")

    shutil.rmtree(work / "build", ignore_errors=True)  # a cold build: no search-cache kept
    started = time.perf_counter()
    _build_site(content, site, work / "build")  # here, not in a thread: a thread forks nothing
    site_seconds = time.perf_counter() - started

    archive = load_archive(content)
    _ = archive.paper_topics  # topics are part of loading, not of indexing
    started = time.perf_counter()
    stats = search.build_index(archive, site / search.BUNDLE_DIR)
    index_seconds = time.perf_counter() - started
    on_disk = sum(_blocks(path) for path in (site / search.BUNDLE_DIR).rglob("*"))

    title = archive.papers[next(iter(archive.papers))].title
    # One index of every paper, beside the site's yearly ones for this run only: the ranking
    # a search of every year should come close to.
    one = site / search.BUNDLE_DIR / ONE_INDEX
    with Indexing(one.parent) as indexing:
        indexing.add(ONE_INDEX, search.search_records(archive))
    try:
        rows, chromium = _measure(site, [*QUERIES, title])
    finally:
        shutil.rmtree(one)
    what = f"content from {content}" if args.content else "the generated sample"
    _report(what, stats, index_seconds, on_disk, site_seconds, rows, chromium)
    return 0


def _build_site(content: Path, site: Path, build_dir: Path) -> None:
    build.build_site(content, site, build_dir, ROOT / "mkdocs.yml")


def _blocks(path: Path) -> int:
    return path.stat().st_blocks * 512 if path.is_file() else 0


def _measure(site: Path, queries: list[str]) -> tuple[list[dict[str, Any]], str]:
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for query in queries:
                page = _searched(browser, base, query)
                first, every = _loaded(page, FIRST, site), _loaded(page, ALL, site)
                found = page.inner_text("#dpa-search-status")
                row = _row(query, found, first["shown"], dict(first["files"]), site)
                whole = _row(query, found, every["shown"], dict(every["files"]), site)
                row |= {"all_gz": whole["search_gz"], "all_ms": whole["ms"]}
                titles = page.locator("#dpa-search-results .dpa-hit__title").all_inner_texts()
                hits = page.eval_on_selector_all(HITS, "links => links.map((a) => a.href)")
                page.context.close()
                if (site / search.BUNDLE_DIR / ONE_INDEX).is_dir():  # main() built it
                    one = _one_index_hits(browser, base, query, site)
                    row["agree"] = f"{len(set(hits) & set(one))} of {len(hits)}"
                row["top"] = titles[0] if titles else ""
                rows.append(row)
            chromium = browser.version
            browser.close()
    finally:
        server.shutdown()
    return rows, chromium


def _loaded(page: Any, mark: str, site: Path) -> dict[str, Any]:
    """What the page and its search worker had received when `mark` was set."""
    seen: dict[str, Any] = page.evaluate(LOADED, mark)
    for worker in page.workers:
        # The worker's script is in neither timeline; it came before the worker's first fetch.
        path = urlsplit(worker.url).path
        seen["files"].append([path, (site / path.lstrip("/")).stat().st_size])
        seen["files"] += worker.evaluate(WORKER_LOADED, seen["until"])
    return seen


def _searched(browser: Any, base: str, query: str, manifest: str | None = None) -> Any:
    """A page of a new context (a cold cache) with every year's results of /search/?q=query."""
    context = browser.new_context()
    context.add_init_script(script=MARKS)
    if manifest is not None:  # the browser gets this instead of the site's dpa-search.json
        route = f"**/{search.BUNDLE_DIR}/{search.MANIFEST}"
        context.route(route, lambda route: route.fulfill(body=manifest))
    page = context.new_page()
    page.goto(f"{base}search/?q={quote_plus(query)}")
    page.wait_for_function(f"performance.getEntriesByName('{ALL}').length > 0", timeout=120_000)
    return page


def _one_index_hits(browser: Any, base: str, query: str, site: Path) -> list[str]:
    """The first page of results, as links, when search.js searches ONE_INDEX alone."""
    values = json.loads((site / search.BUNDLE_DIR / search.MANIFEST).read_text("utf-8"))
    values |= {"year": [ONE_INDEX], "papers": {ONE_INDEX: sum(values["papers"].values())}}
    page = _searched(browser, base, query, json.dumps(values))
    hits: list[str] = page.eval_on_selector_all(HITS, "links => links.map((a) => a.href)")
    page.context.close()
    return hits


def _row(query: str, found: str, took: float, sent: dict[str, int], site: Path) -> dict[str, Any]:
    index = "/" + urls.SEARCH_BUNDLES
    searching = {p: n for p, n in sent.items() if p.startswith((index, "/assets/search/"))}
    gzipped = 0
    for path, size in searching.items():
        # GitHub Pages gzips text; Pagefind's own files are gzip already.
        file = site / path.lstrip("/")
        text = path.endswith(TEXT_TYPES) and file.is_file()
        gzipped += len(gzip.compress(file.read_bytes(), 6)) if text else size
    biggest = sorted(searching.items(), key=lambda item: -item[1])[:3]
    largest = ", ".join(f"{path.rsplit('/', 1)[-1]} {size / 1000:.0f}" for path, size in biggest)
    return {
        "query": query,
        "results": found.split(" ")[0],
        "search": sum(searching.values()),
        "search_gz": gzipped,
        "page": sum(sent.values()),
        "ms": took,
        "biggest": largest,
    }


def _report(
    what: str,
    stats: search.SearchStats,
    index_seconds: float,
    on_disk: int,
    site_seconds: float,
    rows: list[dict[str, Any]],
    chromium: str,
) -> None:
    kb = lambda n: f"{n / 1000:,.0f} KB"  # noqa: E731
    memory = _memory_gb()
    print(f"## Search, {stats.records:,} papers ({what})\n")
    print(
        f"Machine: {os.cpu_count()} cores, {memory} GB RAM, {platform.system()} "
        f"{platform.machine()}; Python {platform.python_version()}, "
        f"pagefind {importlib.metadata.version('pagefind')}, "
        f"mkdocs {importlib.metadata.version('mkdocs')}, "
        f"mkdocs-material {importlib.metadata.version('mkdocs-material')}, "
        f"Chromium {chromium} (headless), served by Python's http.server (no compression).\n"
    )
    print("| index | value |\n|---|---|")
    print(f"| records | {stats.records:,} |")
    print(f"| build_index time | {index_seconds:.1f} s |")
    print(f"| files | {stats.files:,} |")
    print(f"| size (bytes in files) | {stats.bytes / 1e6:.1f} MB |")
    print(f"| size on disk (4 KB blocks) | {on_disk / 1e6:.1f} MB |")
    print(f"| whole `build` (pages, mkdocs, feeds, index) | {site_seconds:.0f} s |\n")
    print(
        "Cold start to first results, `/search/?q=...`: bytes of search (pagefind/ and "
        "assets/search/) as served, the same with text gzipped as GitHub Pages sends it, the "
        "whole page load, and the time from navigation to results on screen. The first "
        "results are the newest year's; the last two columns are for every year's results.\n"
    )
    print(
        "| query | results | search bytes | gzipped | whole page | first results "
        "| largest, KB | all years, gzipped | all years | top 10 as one index |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['query']} | {r['results']} | {kb(r['search'])} | {kb(r['search_gz'])} | "
            f"{kb(r['page'])} | {r['ms']:.0f} ms | {r['biggest']} | {kb(r['all_gz'])} | "
            f"{r['all_ms']:.0f} ms | {r['agree']} |"
        )
    keys = ("search", "search_gz", "page", "ms", "all_gz", "all_ms")
    median = {key: statistics.median(row[key] for row in rows) for key in keys}
    print(
        f"| **median** | | **{kb(median['search'])}** | **{kb(median['search_gz'])}** | "
        f"{kb(median['page'])} | {median['ms']:.0f} ms | | {kb(median['all_gz'])} | "
        f"{median['all_ms']:.0f} ms | |"
    )
    title = rows[-1]  # the exact title of a paper: it must come first once every year is in
    place = "first" if title["top"] == title["query"] else f"not first (first: {title['top']!r})"
    print(f"\nThe exact-title query, all years searched: its paper is {place}.\n")


def _memory_gb() -> str:
    try:
        meminfo = Path("/proc/meminfo").read_text()
    except OSError:
        return "?"
    kilobytes = int(meminfo.split("MemTotal:")[1].split()[0])
    return f"{kilobytes / 1024 / 1024:.0f}"


if __name__ == "__main__":
    sys.exit(main())
