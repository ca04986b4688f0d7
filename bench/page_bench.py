"""Page benchmark: the site's pages as readers get them, by Lighthouse and the Nu HTML Checker.

    .venv/bin/python bench/page_bench.py                    # build the real corpus, measure
    .venv/bin/python bench/page_bench.py --site site        # an already built site instead
    .venv/bin/python bench/page_bench.py --runs 2 --json build/page-bench.json

Without --site it imports the recorded Hugging Face responses of the real corpus
(`python -m generator import DIR --fetched 2026-04-12`) and builds them with the source of
one commit (`git archive`, default HEAD), in a temporary folder, so what is measured is that
commit and not a work tree other people are editing. It then serves the site on 127.0.0.1 as
GitHub Pages does (text gzipped, its Content-Types, a folder's index.html, 404.html) and runs
Lighthouse (npm, default mobile settings: simulated slow 4G and a 4x slower CPU) on the home
page, the median-size day, month and topic page, the search, saved, trends and coverage pages,
and the search page again for each of the five queries of bench/search_bench.py
(`/search/?q=...`, cold cache, the results as search.js puts them on screen), and the Nu HTML
Checker (vnu) on the pages' files. The npm tools are installed once into
--tools (default ~/.cache/dpa-bench), outside the repository.

vnu's errors are told apart as Material's or ours by validating a small site of stock
MkDocs Material with this site's theme settings (no overrides/, no hooks): an error whose
message and offending markup it also has is Material's. Prints Markdown; not a timed test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import search_bench  # noqa: E402
from generator import urls  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "hf-daily-papers" / "days"
FETCHED = "2026-04-12"  # when the corpus's responses were recorded
LIGHTHOUSE, VNU = "12.2.3", "26.9.27"  # npm versions, installed into --tools
TOOLS = Path.home() / ".cache" / "dpa-bench"
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox"
NONE = "\u2013"  # an en dash in empty cells
# The targets for the search page with a query: medians of the five queries.
QUERY_PERFORMANCE, QUERY_LCP_MS = 95, 2500
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GZIP_LEVEL = 6  # what GitHub Pages uses is not documented; 6 is gzip's default
CACHE_CONTROL = "max-age=600"  # GitHub Pages' own
DAY_PAGE = re.compile(r"^\d{4}/\d\d/\d\d/index\.html$")
MONTH_PAGE = re.compile(r"^\d{4}/\d\d/index\.html$")
TOPIC_PAGE = re.compile(r"^" + re.escape(urls.TOPICS) + r"[^/]+/index\.html$")

# Content-Types as GitHub Pages sends them (the mime-db types); anything else is
# application/octet-stream, as Pagefind's index files (gzip already) are there.
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".xml": "application/xml",
    ".opml": "text/x-opml",
    ".bib": "text/x-bibtex; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".gz": "application/gzip",
}
OCTET = "application/octet-stream"
COMPRESSED = ("text/", "application/javascript", "application/json", "application/xml",
              "application/manifest+json", "image/svg+xml")  # fmt: skip


def content_type(name: str) -> str:
    """The Content-Type GitHub Pages sends for a file name."""
    return TYPES.get(Path(name).suffix.lower(), OCTET)


def gzipped(kind: str, accept_encoding: str) -> bool:
    """Whether a response of this Content-Type is sent gzipped to this Accept-Encoding."""
    accepted = {part.split(";")[0].strip().lower() for part in accept_encoding.split(",")}
    return kind.startswith(COMPRESSED) and "gzip" in accepted


def resolve(site: Path, url_path: str) -> tuple[int, Path | None, str | None]:
    """(status, file to send, redirect) for a request path, as GitHub Pages answers it.

    A folder's index.html; a folder asked for without its slash is redirected (301) to it;
    anything missing, or outside the site, is the site's 404.html with status 404.
    """
    missing = site / "404.html"
    notfound = (404, missing if missing.is_file() else None, None)
    parts = [part for part in unquote(url_path).split("/") if part]
    if any(part in (".", "..") or "\\" in part or "\0" in part for part in parts):
        return notfound
    target = site.joinpath(*parts)
    if target.is_dir():
        if parts and not url_path.endswith("/"):
            return 301, None, url_path + "/"
        target = target / "index.html"
    if target.is_file():
        return 200, target, None
    return notfound


class Handler(BaseHTTPRequestHandler):
    """GitHub Pages, for a browser on this machine: HTTP/1.1 keep-alive, text gzipped."""

    protocol_version = "HTTP/1.1"
    site: Path
    cache: dict[Path, bytes]  # gzipped bodies, shared by every request of one server

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        status, file, location = resolve(self.site, urlsplit(self.path).path)
        data = file.read_bytes() if file else b"Not Found"
        kind = content_type(file.name) if file else "text/plain; charset=utf-8"
        self.send_response(status)
        if location:
            self.send_header("Location", location)
            data = b""
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", CACHE_CONTROL)
        if kind.startswith(COMPRESSED):
            self.send_header("Vary", "Accept-Encoding")
            if file and gzipped(kind, self.headers.get("Accept-Encoding", "")):
                data = self._gzip(file, data)
                self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _gzip(self, file: Path, data: bytes) -> bytes:
        if file not in self.cache:
            self.cache[file] = gzip.compress(data, GZIP_LEVEL, mtime=0)
        return self.cache[file]

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Chrome closing a kept-alive connection is no error; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 (a free port) while the block runs; yields its base URL."""
    handler = type("SiteHandler", (Handler,), {"site": site, "cache": {}})
    server = Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def median_file(paths: Iterable[Path]) -> Path:
    """The file of median size (the smaller of the two middle ones; ties by path)."""
    ordered = sorted(paths, key=lambda path: (path.stat().st_size, str(path)))
    if not ordered:
        raise ValueError("no files")
    return ordered[(len(ordered) - 1) // 2]


def choose_pages(site: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """[(page type, site path of its index.html)] to measure, and notes on pages left out."""
    files = [path.relative_to(site).as_posix() for path in site.rglob("index.html")]
    pages, notes = [("home", "index.html")], []
    for kind, pattern in (("day", DAY_PAGE), ("month", MONTH_PAGE), ("topic", TOPIC_PAGE)):
        found = [site / name for name in files if pattern.match(name)]
        if found:
            pages.append((kind, median_file(found).relative_to(site).as_posix()))
        else:
            notes.append(f"{kind}: no {pattern.pattern} in the site; left out")
    fixed = [("search", urls.SEARCH), ("saved", urls.SAVED), ("trends", urls.TRENDS)]
    fixed.append(("coverage", urls.COVERAGE))
    for kind, url in fixed:
        if (site / url / "index.html").is_file():
            pages.append((kind, url + "index.html"))
        else:
            notes.append(f"{kind}: {url} is not in this site (not built yet?); left out")
    return pages, notes


def page_url(base: str, index_html: str, query: str | None = None) -> str:
    """The directory URL a reader opens for a page's index.html, with ?q=query if given
    (as the search form sends it)."""
    url = base + index_html.removesuffix("index.html")
    return url if query is None else f"{url}?q={quote_plus(query)}"


def first_title(days: Iterable[dict[str, Any]]) -> str:
    """The title of the archive's first paper, as search_bench takes it (the first of
    Archive.papers: first listed, on the oldest day, with its title as last listed), from
    the days of the open data (data/archive.json.gz: oldest first, as the site shows them)."""
    first, titles = None, {}
    for day in days:
        for paper in day.get("papers", []):
            first = first or paper["id"]
            titles[paper["id"]] = paper["title"]
    if first is None:
        raise ValueError("no papers in the open data")
    return str(titles[first])


def search_queries(site: Path) -> list[str]:
    """bench/search_bench.py's five queries: its fixed ones and the first paper's title."""
    with gzip.open(site / urls.ARCHIVE_DATA, "rt", encoding="utf-8") as data:
        days = json.load(data)["days"]
    return [*search_bench.QUERIES, first_title(days)]


def query_pages(search_path: str, queries: Iterable[str]) -> list[dict[str, Any]]:
    """A row to measure for the search page with each query."""
    return [{"page": f'search "{query}"', "path": search_path, "query": query} for query in queries]


# ----------------------------------------------------------------------------- vnu


@dataclass
class Group:
    """vnu messages of one type and text: how many, on which pages, and whose markup."""

    kind: str  # "error", "warning" or "info"
    message: str
    count: int = 0
    material: int = 0  # of count: the same message and markup stock Material has
    pages: list[str] = field(default_factory=list)
    example: str = ""  # the markup of one that is ours (or Material's if none is)


def message_kind(message: dict[str, Any]) -> str:
    """vnu's "error", its "info" with subType "warning" as "warning", other "info"."""
    if message.get("type") == "info":
        return "warning" if message.get("subType") == "warning" else "info"
    return str(message.get("type", "error"))  # "error", or "non-document-error"


def markup(message: dict[str, Any]) -> str:
    """The markup a vnu message points at (its highlighted extract), whitespace folded."""
    extract = str(message.get("extract", ""))
    start, length = message.get("hiliteStart"), message.get("hiliteLength")
    if isinstance(start, int) and isinstance(length, int):
        extract = extract[start : start + length]
    return " ".join(extract.split())


def group_messages(
    messages: Iterable[dict[str, Any]],
    page_of: dict[str, str],
    stock: Iterable[dict[str, Any]] = (),
) -> list[Group]:
    """Messages grouped by type and text, most frequent first, errors before warnings.

    page_of maps vnu's "url" to a page name. A message is Material's when stock Material's
    output has one of the same type and text on the same markup.
    """
    materials = {(message_kind(m), m.get("message", ""), markup(m)) for m in stock}
    groups: dict[tuple[str, str], Group] = {}
    for message in messages:
        kind, text = message_kind(message), str(message.get("message", ""))
        group = groups.setdefault((kind, text), Group(kind, text))
        group.count += 1
        page = page_of.get(str(message.get("url", "")), str(message.get("url", "")))
        if page not in group.pages:
            group.pages.append(page)
        if (kind, text, markup(message)) in materials:
            group.material += 1
            group.example = group.example or markup(message)
        elif not group.example or group.material == group.count - 1:
            group.example = markup(message)  # an example of ours wins over Material's
    order = {"non-document-error": 0, "error": 1, "warning": 2, "info": 3}
    return sorted(groups.values(), key=lambda g: (order.get(g.kind, 4), -g.count, g.message))


def whose(group: Group) -> str:
    """'Material', 'ours' or 'Material 3, ours 2'."""
    if group.material == group.count:
        return "Material"
    if group.material == 0:
        return "ours"
    return f"Material {group.material}, ours {group.count - group.material}"


def run_vnu(tools: Path, files: Sequence[Path]) -> list[dict[str, Any]]:
    """vnu's messages for these HTML files."""
    jar = tools / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    command = ["java", "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always"]
    done = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=600, check=True
    )
    messages: list[dict[str, Any]] = json.loads(done.stdout)["messages"]
    return messages


def stock_material_site(work: Path, config: Path) -> Path:
    """A small site of stock Material with config's theme settings: no overrides, no hooks."""
    import yaml

    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings.pop("hooks", None)
    settings["theme"].pop("custom_dir", None)
    docs, site = work / "stock-docs", work / "stock-site"
    pages = []
    for title, url in urls.NAV:
        name = urls.docs_path(url)
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(f"# {title}\n\nA paragraph of text.\n", encoding="utf-8")
        pages.append({title: name})
    settings |= {"docs_dir": str(docs), "site_dir": str(site), "nav": pages}
    stock = work / "stock-mkdocs.yml"
    stock.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(stock)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=300)
    return site


# ----------------------------------------------------------------------------- Lighthouse


def lighthouse_row(report: dict[str, Any]) -> dict[str, Any]:
    """The numbers of one Lighthouse report (its JSON), as one row of the table."""
    audits = report["audits"]

    def number(audit: str) -> float | None:
        value = audits.get(audit, {}).get("numericValue")
        return float(value) if isinstance(value, int | float) else None

    scores = {}
    failing: dict[str, list[str]] = {}
    for name in CATEGORIES:
        category = report["categories"].get(name, {})
        score = category.get("score")
        scores[name] = None if score is None else round(score * 100)
        if name == "performance":
            continue
        for ref in category.get("auditRefs", []):
            audit = audits.get(ref["id"], {})
            mode = audit.get("scoreDisplayMode")
            if mode in ("binary", "numeric") and (audit.get("score") or 0) < 1:
                failing.setdefault(name, []).append(ref["id"])
    return {
        "url": report.get("finalDisplayedUrl") or report.get("requestedUrl"),
        "scores": scores,
        "lcp_ms": number("largest-contentful-paint"),
        "fcp_ms": number("first-contentful-paint"),
        "tbt_ms": number("total-blocking-time"),
        "cls": number("cumulative-layout-shift"),
        "speed_index_ms": number("speed-index"),
        "transferred": number("total-byte-weight"),
        "requests": len(_items(audits, "network-requests")),
        # On a CPU as slow as Lighthouse simulates (its durations times cpuSlowdownMultiplier).
        "main_thread_ms": number("mainthread-work-breakdown"),
        "main_thread": {
            item["groupLabel"]: round(item["duration"])
            for item in _items(audits, "mainthread-work-breakdown")
            if "groupLabel" in item and "duration" in item
        },
        "scripts": {
            urlsplit(str(item["url"])).path or str(item["url"]): round(item["total"])
            for item in _items(audits, "bootup-time")
            if "url" in item and "total" in item
        },
        "failing": failing,
        # When the page had its largest paint, as observed (no throttling; the simulated LCP
        # counts what loaded and ran before it), and when each search file (Pagefind's
        # runtime, index and records) had arrived: whether LCP waited for the results.
        "observed_lcp_ms": _metric(audits, "observedLargestContentfulPaint"),
        "search_files_ms": sorted(
            float(item["networkEndTime"])
            for item in _items(audits, "network-requests")
            if urlsplit(str(item.get("url", ""))).path.startswith("/" + urls.SEARCH_BUNDLES)
            and isinstance(item.get("networkEndTime"), int | float)
        ),
        "benchmark_index": report.get("environment", {}).get("benchmarkIndex"),
        "warnings": report.get("runWarnings", []),
        "error": (report.get("runtimeError") or {}).get("message"),
        "chrome": report.get("environment", {}).get("hostUserAgent", ""),
    }


def _metric(audits: dict[str, Any], name: str) -> float | None:
    """One of the metrics audit's values (its observed, unthrottled timings among them)."""
    items = _items(audits, "metrics")
    value = items[0].get(name) if items else None
    return float(value) if isinstance(value, int | float) else None


def _items(audits: dict[str, Any], audit: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (audits.get(audit, {}).get("details") or {}).get("items", [])
    return items


def cpu_busy(seconds: float) -> float:
    """The share of the machine's CPU time that was busy over the next `seconds` (0 to 1)."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # all, idle + iowait

    total, idle = sample()
    time.sleep(seconds)
    total2, idle2 = sample()
    return 1 - (idle2 - idle) / max(total2 - total, 1)


def wait_quiet(busiest: float, window: float, timeout: float) -> float:
    """Wait until the CPU was at most `busiest` busy for a whole window; the last share seen.

    Gives up after timeout seconds (the run then goes on, and the share says how busy).
    """
    deadline = time.monotonic() + timeout
    while True:
        busy = cpu_busy(window)
        if busy <= busiest or time.monotonic() >= deadline:
            return busy


def run_lighthouse(
    tools: Path, url: str, out: Path, throttling: str = "simulate"
) -> dict[str, Any]:
    """One Lighthouse run (default: mobile) of url; its JSON report, also written to out."""
    binary = tools / "node_modules" / ".bin" / "lighthouse"
    command = [
        str(binary),
        url,
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--throttling-method={throttling}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": CHROME}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse {url}: exit {done.returncode}\n{done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def install_tools(tools: Path) -> None:
    """Lighthouse and vnu-jar, at their pinned versions, into tools/node_modules (once)."""
    wanted = {"lighthouse": LIGHTHOUSE, "vnu-jar": VNU}
    missing = [
        f"{name}@{version}"
        for name, version in wanted.items()
        if _installed(tools / "node_modules" / name / "package.json") != version
    ]
    if not missing:
        return
    tools.mkdir(parents=True, exist_ok=True)
    if not (tools / "package.json").exists():
        (tools / "package.json").write_text('{"name": "dpa-bench", "private": true}\n')
    _progress(f"npm install {' '.join(missing)} into {tools}")
    command = ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(tools), *missing]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=900)


def _installed(package_json: Path) -> str | None:
    try:
        return str(json.loads(package_json.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


# ----------------------------------------------------------------------------- the site


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def build_corpus_site(work: Path, corpus: Path, commit: str) -> Path:
    """The real corpus imported and built with commit's source, under work; the site."""
    source, content = work / "source", work / "content"
    source.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
    python = [sys.executable, "-m", "generator"]  # run in source/: its generator, not ours
    _progress(f"import {corpus} (source of {commit})")
    command = [*python, "import", str(corpus), "--content", str(content), "--fetched", FETCHED]
    subprocess.run(command, cwd=source, check=True, stdout=subprocess.DEVNULL)
    shutil.copy(source / "content" / "topics.yml", content / "topics.yml")
    _progress("build")
    site = work / "site"
    command = [*python, "build", "--content", str(content), "--site-dir", str(site)]
    command += ["--build-dir", str(work / "build"), "--config", str(source / "mkdocs.yml")]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(command, cwd=source, check=True, stdout=subprocess.DEVNULL, env=env)
    return site


# ----------------------------------------------------------------------------- report


def file_name(page: str) -> str:
    """A page's name as part of a file name: `search "Wei Zhang"` -> search-wei-zhang."""
    return re.sub(r"[^a-z0-9]+", "-", page.lower()).strip("-")[:60]


def kb(n: float | None) -> str:
    return NONE if n is None else f"{n / 1000:,.1f} KB"


def seconds(ms: float | None) -> str:
    return NONE if ms is None else f"{ms / 1000:.1f} s"


def lighthouse_table(rows: Sequence[dict[str, Any]]) -> str:
    """One run's Markdown table."""
    lines = [
        "| page | performance | accessibility | best practices | SEO | LCP | TBT | CLS "
        "| bytes transferred | HTML | HTML gzipped |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        name = f"{row['page']} (`{page_url('/', row['path'], row.get('query'))}`)"
        if row.get("error"):
            lines.append(f"| {name} | failed: {row['error']} |" + " |" * 9)
            continue
        score = [NONE if row["scores"][c] is None else f"{row['scores'][c]:g}" for c in CATEGORIES]
        cls = NONE if row["cls"] is None else f"{row['cls']:.3f}"
        tbt = NONE if row["tbt_ms"] is None else f"{row['tbt_ms']:,.0f} ms"
        lines.append(
            f"| {name} | {' | '.join(score)} | {seconds(row['lcp_ms'])} | {tbt} | {cls} "
            f"| {kb(row['transferred'])} | {kb(row['html'])} | {kb(row['html_gz'])} |"
        )
    return "\n".join(lines)


def query_summary(rows: Sequence[dict[str, Any]]) -> str | None:
    """The search page with a query against the issue's targets: the medians over the
    queries of performance and LCP. None if no query was measured."""
    asked = [row for row in rows if "query" in row]
    if not asked:
        return None
    done = [row for row in asked if not row.get("error")]
    measured = "" if len(done) == len(asked) else f", {len(done)} of them measured"
    performance = _median([row["scores"]["performance"] for row in done])
    lcp = _median([row["lcp_ms"] for row in done])

    def met(ok: bool) -> str:
        return "met" if ok else "**not met**"

    shown_performance = NONE if performance is None else f"{performance:g}"
    shown_lcp = NONE if lcp is None else f"{lcp / 1000:.2f} s"
    return (
        f"Search page with a query ({len(asked)} queries of bench/search_bench.py{measured}): "
        f"median performance **{shown_performance}** (target at least {QUERY_PERFORMANCE}: "
        f"{met(performance is not None and performance >= QUERY_PERFORMANCE)}), median LCP "
        f"**{shown_lcp}** (target at most {QUERY_LCP_MS / 1000:g} s: "
        f"{met(lcp is not None and lcp <= QUERY_LCP_MS)})."
    )


def query_lcp_table(rows: Sequence[dict[str, Any]]) -> str:
    """For each query: when the largest paint was, as observed (no throttling), and how many
    of the search files (pagefind/) had arrived by then. LCP is simulated from what loaded and
    ran before that paint, so it counts the search only if the paint came after it."""
    lines = [
        "| query | LCP observed | search files arrived before it | last search file arrived |",
        "|---|---|---|---|",
    ]
    for row in rows:
        if "query" not in row or row.get("error"):
            continue
        ends, lcp = row.get("search_files_ms", []), row.get("observed_lcp_ms")
        before = NONE if lcp is None else f"{sum(end <= lcp for end in ends)} of {len(ends)}"
        last = f"{max(ends):,.0f} ms" if ends else NONE
        observed = NONE if lcp is None else f"{lcp:,.0f} ms"
        lines.append(f"| {row['query']} | {observed} | {before} | {last} |")
    return "\n".join(lines)


def failing_table(rows: Sequence[dict[str, Any]]) -> str:
    """Audits below full marks, outside performance, per page (one run)."""
    lines = ["| page | accessibility | best practices | SEO |", "|---|---|---|---|"]
    for row in rows:
        failing = row.get("failing", {})
        cells = [", ".join(f"`{a}`" for a in failing.get(c, [])) or NONE for c in CATEGORIES[1:]]
        lines.append(f"| {row['page']} | {' | '.join(cells)} |")
    return "\n".join(lines)


def median_rows(runs: Sequence[Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each page's median over runs (scores, metrics, bytes); a page failed in every run
    stays failed."""
    medians = []
    for same in zip(*runs, strict=True):
        done = [row for row in same if not row.get("error")]
        if not done:
            medians.append(same[0])
            continue
        row = dict(done[0])
        row["scores"] = {c: _median([r["scores"][c] for r in done]) for c in CATEGORIES}
        for key in ("lcp_ms", "tbt_ms", "cls", "transferred"):
            row[key] = _median([r[key] for r in done])
        medians.append(row)
    return medians


def spread_table(runs: Sequence[Sequence[dict[str, Any]]]) -> str:
    """Each page's lowest and highest performance, LCP, TBT and main-thread work."""
    lines = ["| page | performance | LCP | TBT | main thread |", "|---|---|---|---|---|"]
    for same in zip(*runs, strict=True):
        done = [row for row in same if not row.get("error")]
        if not done:
            continue

        def span(values: list[Any], show: Any) -> str:
            known = [v for v in values if v is not None]
            return f"{show(min(known))} to {show(max(known))}" if known else NONE

        cells = [
            span([r["scores"]["performance"] for r in done], str),
            span([r["lcp_ms"] for r in done], seconds),
            span([r["tbt_ms"] for r in done], lambda ms: f"{ms:,.0f} ms"),
            span([r.get("main_thread_ms") for r in done], lambda ms: f"{ms:,.0f} ms"),
        ]
        lines.append(f"| {done[0]['page']} | {' | '.join(cells)} |")
    return "\n".join(lines)


def _median(values: Sequence[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def main_thread_table(rows: Sequence[dict[str, Any]]) -> str:
    """Where each page's main-thread time goes (one run)."""
    kinds = ("Style & Layout", "Script Evaluation", "Other")
    lines = [
        f"| page | main thread | {' | '.join(kinds)} | scripts |",
        "|---|---|" + "---|" * len(kinds) + "---|",
    ]
    for row in rows:
        if row.get("error"):
            continue
        work = row.get("main_thread", {})
        cells = [f"{work[k]:,}" if k in work else NONE for k in kinds]
        scripts = sorted(row.get("scripts", {}).items(), key=lambda item: -item[1])[:3]
        top = ", ".join(f"`{name.rsplit('/', 1)[-1] or name}` {ms:,}" for name, ms in scripts)
        total = NONE if row.get("main_thread_ms") is None else f"{row['main_thread_ms']:,.0f}"
        lines.append(f"| {row['page']} | {total} | {' | '.join(cells)} | {top or NONE} |")
    return "\n".join(lines)


def vnu_table(groups: Sequence[Group]) -> str:
    """vnu's messages grouped, as Markdown."""
    lines = [
        "| type | count | whose | pages | message | markup (one) |",
        "|---|---|---|---|---|---|",
    ]
    for g in groups:
        example = g.example if len(g.example) <= 120 else g.example[:117] + "..."
        example = example.replace("|", "\\|").replace("`", "'")
        message = g.message.replace("|", "\\|")
        lines.append(
            f"| {g.kind} | {g.count} | {whose(g)} | {', '.join(g.pages)} | {message} "
            f"| `{example}` |"
        )
    return "\n".join(lines)


def machine() -> str:
    """CPU, cores, memory, OS, tools."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kilobytes = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kilobytes / 1024 / 1024:.0f} GB RAM"
    except (OSError, IndexError, ValueError):
        memory = "? GB RAM"
    chrome = subprocess.run([CHROME, "--version"], capture_output=True, text=True).stdout.strip()
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({model or platform.processor()}), {memory}, "
        f"{platform.system()} {platform.release()} {platform.machine()}; "
        f"Python {platform.python_version()}, Node {node}, "
        f"{java.splitlines()[0] if java else 'java ?'}; {chrome}; "
        f"Lighthouse {LIGHTHOUSE}, vnu {VNU}"
    )


def _progress(message: str) -> None:
    print(f"page_bench: {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- main


@dataclass
class Quiet:
    """Before each Lighthouse run: wait until the CPU was at most `busiest` busy for `window`
    seconds, for at most `timeout` seconds (other people's browser tests share the machine)."""

    busiest: float = 0.2
    window: float = 5.0
    timeout: float = 900.0


def measure(
    site: Path,
    tools: Path,
    runs: int,
    work: Path,
    config: Path,
    quiet: Quiet,
    throttling: str = "simulate",
) -> dict[str, Any]:
    """Every number of the benchmark for a built site."""
    pages, notes = choose_pages(site)
    results: dict[str, Any] = {"pages": [], "runs": [], "notes": notes}
    for kind, path in pages:
        data = (site / path).read_bytes()
        html = {"page": kind, "path": path, "html": len(data)}
        html["html_gz"] = len(gzip.compress(data, GZIP_LEVEL, mtime=0))
        results["pages"].append(html)
        if kind == "search":  # then the same page searching, once for each query
            try:
                queries = search_queries(site)
            except (OSError, ValueError, KeyError) as exc:
                notes.append(f"search with a query: no first paper's title ({exc}); only the "
                             "fixed queries of bench/search_bench.py")  # fmt: skip
                queries = list(search_bench.QUERIES)
            results["pages"] += [html | row for row in query_pages(path, queries)]
    with serving(site) as base:
        results["served_at"] = base
        for number in range(1, runs + 1):
            rows = []
            for page in results["pages"]:
                url = page_url(base, page["path"], page.get("query"))
                busy = wait_quiet(quiet.busiest, quiet.window, quiet.timeout)
                _progress(f"run {number}: lighthouse {url} (CPU {busy:.0%} busy before)")
                out = work / f"lighthouse-{number}-{file_name(page['page'])}.json"
                row = dict(page, busy=round(busy, 3), load=round(os.getloadavg()[0], 2))
                try:
                    row |= lighthouse_row(run_lighthouse(tools, url, out, throttling))
                except (RuntimeError, subprocess.TimeoutExpired, ValueError, KeyError) as exc:
                    row["error"] = str(exc).splitlines()[0]
                # Someone else's work that started during the run shows here.
                row["busy_after"] = round(cpu_busy(quiet.window), 3)
                rows.append(row)
            results["runs"].append({"rows": rows})
    _progress("vnu")
    stock = stock_material_site(work / "stock", config)
    validated = [page for page in results["pages"] if "query" not in page]  # a file once
    files = [site / page["path"] for page in validated]
    stock_files = sorted(stock.rglob("index.html"))
    messages = run_vnu(tools, [*files, *stock_files])
    page_of = {(site / p["path"]).resolve().as_uri(): p["page"] for p in validated}
    page_of |= {k.replace("file:///", "file:/"): v for k, v in page_of.items()}  # vnu's form
    ours = [m for m in messages if str(m.get("url", "")) in page_of]
    stocks = [m for m in messages if str(m.get("url", "")) not in page_of]
    results["vnu"] = {"messages": ours, "stock_messages": stocks}
    results["vnu_groups"] = [g.__dict__ for g in group_messages(ours, page_of, stocks)]
    return results


def report(results: dict[str, Any], what: str, command: str) -> str:
    """The Markdown of a whole benchmark run."""
    out = [f"Pages of {what}. Command: `{command}`.", ""]
    out.append(f"Machine: {results['machine']}.")
    out.append("")
    for note in results["notes"]:
        out.append(f"- {note}")
    if results["notes"]:
        out.append("")
    for number, run in enumerate(results["runs"], 1):
        rows = run["rows"]
        indexes = [r["benchmark_index"] for r in rows if r.get("benchmark_index")]
        busy, after = [r["busy"] for r in rows], [r.get("busy_after", 0) for r in rows]
        out.append(
            f"Run {number} of {len(results['runs'])}: the CPU was {min(busy):.0%}-"
            f"{max(busy):.0%} busy in the {results['quiet']['window']:.0f} s before each page "
            f"and {min(after):.0%}-{max(after):.0%} in the {results['quiet']['window']:.0f} s "
            "after "
            f"(1-minute load average {min(r['load'] for r in rows)}-"
            f"{max(r['load'] for r in rows)}); Lighthouse's benchmarkIndex "
            + (f"{min(indexes):.0f}-{max(indexes):.0f}" if indexes else NONE)
            + "."
        )
        out.append("")
        out.append(lighthouse_table(rows))
        out.append("")
        summary = query_summary(rows)
        if summary:
            out += [summary, ""]
            out.append(
                "When each query's largest paint came, as observed (Chromium unthrottled; "
                "the simulated LCP above counts what loaded and ran before that paint), and "
                "the search files (`pagefind/`) that had arrived by then:"
            )
            out += ["", query_lcp_table(rows), ""]
        out.append(
            "Main thread as Lighthouse simulates it (4x slower CPU): all its work, the "
            "largest kinds, and the scripts costing most (bootup-time), in ms:"
        )
        out.append("")
        out.append(main_thread_table(rows))
        out.append("")
        out.append("Audits below full marks (Lighthouse audit ids):")
        out.append("")
        out.append(failing_table(rows))
        out.append("")
        for row in rows:
            for warning in row.get("warnings", []):
                out.append(f"- {row['page']}: Lighthouse warns: {' '.join(warning.split())}")
        if any(row.get("warnings") for row in rows):
            out.append("")
    if len(results["runs"]) > 1:
        out.append(f"Median of the {len(results['runs'])} runs:")
        out.append("")
        medians = median_rows([run["rows"] for run in results["runs"]])
        out.append(lighthouse_table(medians))
        out.append("")
        summary = query_summary(medians)
        if summary:
            out += [summary, ""]
        out.append("Spread over the runs, lowest to highest:")
        out.append("")
        out.append(spread_table([run["rows"] for run in results["runs"]]))
        out.append("")
    groups = [Group(**g) for g in results["vnu_groups"]]
    errors = sum(g.count for g in groups if g.kind.endswith("error"))
    material = sum(g.material for g in groups if g.kind.endswith("error"))
    out.append(
        f"Nu HTML Checker ({', '.join(p['page'] for p in results['pages'] if 'query' not in p)}): "
        f"{errors} errors, "
        f"{material} of them Material's own markup, "
        f"{sum(g.count for g in groups if g.kind == 'warning')} warnings."
    )
    out.append("")
    out.append(vnu_table(groups) if groups else "No messages.")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="measure this built site (no build)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="recorded responses to build")
    parser.add_argument("--commit", default="HEAD", help="source to build with (default: HEAD)")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs of every page")
    parser.add_argument("--tools", type=Path, default=TOOLS, help="npm tools folder")
    parser.add_argument("--json", type=Path, help="write the raw numbers here")
    parser.add_argument(
        "--quiet",
        type=float,
        default=Quiet.busiest,
        help="before each Lighthouse run, wait (up to 15 minutes) for the CPU to be at most "
        "this busy for 5 s (default: 0.2); 1 waits for nothing",
    )
    parser.add_argument("--keep", type=Path, help="keep Lighthouse's reports etc. in this folder")
    parser.add_argument(
        "--throttling",
        choices=("simulate", "devtools"),
        default="simulate",
        help="Lighthouse's throttling method (default: simulate, its mobile default, which "
        "leaves a worker's downloads out of its simulation; devtools slows the real network "
        "and CPU, workers included)",
    )
    args = parser.parse_args()
    if args.site and not (args.site / "index.html").is_file():
        parser.error(f"{args.site}: no index.html, not a built site")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    install_tools(args.tools)
    with tempfile.TemporaryDirectory(prefix="page-bench-") as temporary:
        work = args.keep.resolve() if args.keep else Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        if args.site:
            site, config = args.site.resolve(), ROOT / "mkdocs.yml"
            commit = git("rev-parse", "--short", "HEAD")
            what = f"the site in {args.site} (work tree at {commit})"
        else:
            commit = git("rev-parse", "--short", args.commit)
            site = build_corpus_site(work / "corpus", args.corpus.resolve(), commit)
            config = work / "corpus" / "source" / "mkdocs.yml"
            days = len(list(args.corpus.glob("*.json")))
            what = f"the real corpus ({days} recorded days, imported) built at commit {commit}"
        quiet = Quiet(busiest=args.quiet)
        results = measure(site, args.tools, args.runs, work, config, quiet, args.throttling)
        results |= {"quiet": quiet.__dict__, "commit": commit, "machine": machine(), "what": what}
        results["seconds"] = round(time.perf_counter() - started, 1)
    command = " ".join(["bench/page_bench.py", *sys.argv[1:]])
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(report(results, what, f".venv/bin/python {command}"), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
