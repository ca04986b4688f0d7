"""Build benchmark: `generator build` at several archive sizes, against stock MkDocs Material.

    .venv/bin/python bench/build_bench.py            # 2,000, 10,000 and 30,000 papers; prints
    .venv/bin/python bench/build_bench.py --write    # the same, into BENCHMARKS.md's Build part
    .venv/bin/python bench/build_bench.py --sizes 60,120 --stock-papers 120 --no-browser

For each size it generates a sample archive (`python -m generator sample`, cached in the work
folder), runs `python -m generator build --verbose` in a fresh process and reads its per-stage
lines, the process tree's peak memory, the site's size on disk, its day pages' HTML size and,
in headless Chromium, what a first search downloads. For one size it then builds the same
generated Markdown with stock MkDocs Material (files-based nav, built-in search) and reports
stock/ours. Prints Markdown; not a timed test.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.metadata
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from generator import urls  # noqa: E402

BENCHMARKS = ROOT / "BENCHMARKS.md"
START, END = "<!-- build-bench:start -->", "<!-- build-bench:end -->"
QUERY = "speculative decoding"  # a topic phrase of the sample, as in bench/search_bench.py
STAGES = (
    "load content",
    "trends",
    "generate pages",
    "mkdocs build",
    "data and feeds",
    "search index",
)
# `{stage}: {seconds:.2f} s, peak {MB} MB`, or the older form without the peak; a stage may
# carry a note in brackets, "search index (5 of 6 years unchanged): ...".
STAGE_LINE = re.compile(
    r"^(?P<stage>[A-Za-z][\w ./-]*?)(?: \((?P<note>[^)]*)\))?: (?P<seconds>\d+(?:\.\d+)?) s"
    r"(?:, peak (?P<mb>\d+(?:\.\d+)?) MB)?\s*$"
)
FEED_FILES = {*urls.FEED_FILES.values(), urls.OPML}  # the feeds' file names, in any folder
DAY_PAGES = "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/index.html"
TIMES, NONE = "\u00d7", "\u2013"  # the times sign after ratios, an en dash in empty cells
# What actions/cache restores into build/ for the nightly run (.github/workflows/nightly.yml).
CACHES = ("search-cache", "page-cache", "check-cache", "render-cache", "data-cache", "topic-cache")
SEARCH_CACHE = CACHES[0]
TRASH = "trash"  # under --work: folders set aside, deleted after the last build
HEARTBEAT = 60.0  # seconds between "still running" lines for long runs
SAMPLE = 1.0  # seconds between samples of the summed memory (each costs ~10 ms of CPU)
# Targets (issue 20), for 30,000 papers on the 2-core machine. Sizes are decimal (KB = 1,000
# bytes, as bench/search_bench.py counts); memory is MiB, as ru_maxrss / 1024, summed over the
# build's processes. The cold build is the issue's: the search cache lost (or Pagefind or the
# indexer changed), every other cache kept; a build from scratch (no caches) is reported.
BUILD_SECONDS, PEAK_MB, STOCK_RATIO = 30.0, 2048, 3.0
NIGHT_SECONDS, NIGHT_PEAK_MB = 15.0, 1024
GROWTH_SLACK = 1.1  # 30k/10k time <= 3.3: 10% above linear
DAY_PAGE_BYTES, DAY_PAGE_GZIP, SITE_BYTES = 70_000, 16_000, 300_000_000
GZIP_LEVEL = 6  # as bench/page_bench.py serves pages


@dataclass
class Run:
    """One subprocess: wall time, the tree's peak RSS and what it printed."""

    seconds: float
    tree_kb: int  # peak RSS of the process tree: see _Watcher and run()
    cpu: float  # user + system seconds of the tree: less swayed than wall time by other work
    returncode: int | None  # None: killed at the timeout
    output: str


@dataclass
class Disk:
    """Bytes on disk (allocated blocks), bytes in files and file count of a set of files."""

    bytes: int = 0
    content: int = 0  # what a host that stores files whole (GitHub Pages) counts
    files: int = 0

    def add(self, path: Path) -> None:
        """Count one file."""
        stat = path.stat()
        self.bytes += stat.st_blocks * 512
        self.content += stat.st_size
        self.files += 1


@dataclass
class Result:
    """Everything measured for one site build (ours or stock)."""

    papers: int
    run: Run
    site: Disk
    day_pages: list[int]
    typical_day: str = ""  # the median day page's papers and gzipped size
    day_gzip: int = 0  # the median day page gzipped
    artifact: int = 0  # bytes of the tar actions/upload-pages-artifact makes of site/
    stages: dict[str, tuple[float, float | None]] = field(default_factory=dict)
    writes: dict[str, Disk] = field(default_factory=dict)
    search: dict[str, Any] | None = None  # a search_bench row, or stock's whole index
    chromium: str = ""
    extensions: list[str] = field(default_factory=list)  # stock: markdown_extensions added
    # Ours: the build after it with the same build/ (its search-cache), content changed as a
    # night changes it, and its stage lines.
    next_night: Run | None = None
    next_stages: dict[str, tuple[float, float | None]] = field(default_factory=dict)
    # Then issue 20's cold build: the same content again with the search cache lost (as when
    # Pagefind or the indexer changes), every other cache kept.
    search_lost: Run | None = None
    search_lost_stages: dict[str, tuple[float, float | None]] = field(default_factory=dict)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,10000,30000", help="papers, comma-separated")
    parser.add_argument("--stock-papers", type=int, help="size to compare (default: the largest)")
    parser.add_argument("--no-stock", action="store_true", help="skip stock MkDocs Material")
    parser.add_argument("--stock-timeout", type=float, default=90, help="minutes (default: 90)")
    parser.add_argument("--no-browser", action="store_true", help="skip the first-search download")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    stock_papers = None if args.no_stock else args.stock_papers or sizes[-1]
    if stock_papers is not None and stock_papers not in sizes:
        parser.error(f"--stock-papers {stock_papers} is not one of --sizes")
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    # A plain `kill` as Ctrl-C: run() then stops the build it started in its own session.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    load = os.getloadavg()[0]  # other work on the machine skews the seconds: say how much

    ours: dict[int, Result] = {}
    stock: Result | None = None
    shutil.rmtree(work / TRASH, ignore_errors=True)  # left by a run that was stopped
    try:
        for papers in sizes:
            content = sample_archive(work, papers)
            ours[papers] = build_ours(content, work / str(papers), papers, not args.no_browser)
            if papers == stock_papers:
                stock = build_stock(work / str(papers), papers, args.stock_timeout * 60)
    finally:
        shutil.rmtree(work / TRASH, ignore_errors=True)
    markdown = report(ours, stock, args.stock_timeout * 60, machine(ours, load))
    (work / "build-bench.md").write_text(markdown, encoding="utf-8")
    if args.write:
        write_section(BENCHMARKS, markdown)
        _progress(f"wrote {BENCHMARKS}")
    else:
        print(markdown, end="")
    return 0


def _progress(message: str) -> None:
    print(f"build_bench: {message}", file=sys.stderr, flush=True)


def set_aside(path: Path, work: Path) -> None:
    """Move a folder into the work folder's trash, emptied once every build is measured."""
    # Not deleted before a build: on an ext4 without a journal (this machine's disk) the
    # kernel avoids reusing inodes freed in the last minutes, and a build that creates
    # 36,000 files right after 36,000 were deleted spent up to 10 s more in the kernel.
    # A CI run starts from a fresh checkout, with nothing deleted.
    if not path.exists():
        return
    trash = work / TRASH
    trash.mkdir(exist_ok=True)
    path.rename(Path(tempfile.mkdtemp(dir=trash)) / path.name)


def sample_archive(work: Path, papers: int) -> Path:
    """The sample archive of this size, generated once per version of generator/sample.py."""
    # Keyed by the sample code, so a changed sample never reuses a stale archive.
    version = hashlib.sha256((ROOT / "generator" / "sample.py").read_bytes()).hexdigest()[:8]
    content = work / f"sample-{papers}-{version}"
    if content.is_dir():
        return content
    _progress(f"sample: {papers:,} papers into {content}")
    partial = content.with_name(content.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    command = ["-m", "generator", "sample", "--content", str(partial), "--papers", str(papers)]
    subprocess.run([sys.executable, *command], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    shutil.copy(ROOT / "content" / "topics.yml", partial / "topics.yml")
    partial.rename(content)  # only a finished archive gets the real name
    return content


def run(command: list[str], cwd: Path, what: str, timeout: float | None = None) -> Run:
    """Run command in a fresh session; time it and measure its process tree's peak RSS."""
    log = cwd / f"{what.split()[0]}.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's notice about MkDocs 2.0
    _progress(f"{what}: running")
    with log.open("w+", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        watcher = _Watcher(process.pid, started, what, timeout)
        watcher.start()
        try:
            # wait4, not Popen.wait: its rusage has the peak RSS of the child and of the
            # descendants it waited for (the Pagefind binary): the largest one, not their sum.
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl-C: its own session does not get the terminal's SIGINT
            os.killpg(process.pid, signal.SIGKILL)
            raise
        seconds = time.perf_counter() - started
        watcher.done.set()
        watcher.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    code = None if watcher.killed else process.returncode
    _progress(f"{what}: {seconds:.1f} s, exit {'timeout' if code is None else code}")
    if code not in (0, None):
        raise SystemExit(f"{what} failed (exit {code}), see {log}:\n{output[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, max(usage.ru_maxrss, watcher.peak_kb), cpu, code, output)


class _Watcher(threading.Thread):
    """Samples a session's summed memory, says a long run is alive, ends it at the timeout."""

    def __init__(self, session: int, started: float, what: str, timeout: float | None) -> None:
        super().__init__(daemon=True)
        self.session, self.started, self.what = session, started, what
        self.deadline = started + timeout if timeout is not None else float("inf")
        self.done = threading.Event()
        self.killed = False
        self.peak_kb = 0

    def run(self) -> None:
        """Until done: sample, report every HEARTBEAT seconds, stop the session at the deadline."""
        beat = self.started + HEARTBEAT
        while not self.done.wait(SAMPLE):
            # Forked workers run side by side: their sum is what the machine must hold.
            self.peak_kb = max(self.peak_kb, session_memory_kb(self.session))
            now = time.perf_counter()
            if now >= self.deadline:
                self.killed = True
                _progress(f"{self.what}: timed out after {(now - self.started) / 60:.1f} min")
                os.killpg(self.session, signal.SIGTERM)
                if not self.done.wait(10):
                    os.killpg(self.session, signal.SIGKILL)
                return
            if now >= beat:
                _progress(f"{self.what}: still running, {(now - self.started) / 60:.0f} min")
                beat += HEARTBEAT


def session_memory_kb(session: int) -> int:
    """Summed proportional set size (PSS) in KiB of the processes in a session (Linux /proc)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path("/proc", pid, "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": fields 3, 4, ...
            if int(fields[6 - 3]) != session:  # field 6: session id
                continue
            # PSS, not RSS: forked workers share their parent's pages, and RSS would count
            # those once per process; PSS splits each shared page among its sharers.
            rollup = Path("/proc", pid, "smaps_rollup").read_text()
        except OSError:  # it ended meanwhile
            continue
        if found := re.search(r"^Pss:\s+(\d+) kB", rollup, re.M):
            total += int(found[1])
    return total


def parse_stages(output: str) -> dict[str, tuple[float, float | None]]:
    """Stage lines of `build --verbose`: stage -> (seconds, peak MB or None), in printed order."""
    stages = {}
    for line in output.splitlines():
        if match := STAGE_LINE.match(line.strip()):
            mb = match["mb"]
            stages[match["stage"]] = (float(match["seconds"]), float(mb) if mb else None)
    return stages


def disk_usage(root: Path) -> Disk:
    """Bytes on disk and file count of every file under root."""
    disk = Disk()
    for path in root.rglob("*"):
        if path.is_file():
            disk.add(path)
    return disk


def day_page_sizes(site: Path) -> list[int]:
    """HTML bytes of every day page (YYYY/MM/DD/index.html)."""
    return sorted(path.stat().st_size for path in site.glob(DAY_PAGES))


def typical_day(site: Path) -> tuple[str, int]:
    """The median day page's papers and its size gzipped (as served), and that size."""
    pages = sorted(site.glob(DAY_PAGES), key=lambda path: path.stat().st_size)
    if not pages:
        return "", 0
    html = pages[(len(pages) - 1) // 2].read_bytes()  # statistics.median_low's page
    papers = html.count(b'<section class="dpa-paper"')
    gzipped = len(gzip.compress(html, GZIP_LEVEL, mtime=0))
    return f"{papers} papers, {_kb(gzipped)} gzipped", gzipped


def artifact_bytes(site: Path) -> int:
    """The size of the tar that actions/upload-pages-artifact makes of site/ (its flags)."""
    tar = subprocess.run(
        ["tar", "--dereference", "--hard-dereference", "--directory", str(site), "-cf", "-",
         "--exclude=.git", "--exclude=.github", "."],
        check=True, stdout=subprocess.PIPE,
    )  # fmt: skip
    return len(tar.stdout)


def build_ours(content: Path, folder: Path, papers: int, browser: bool) -> Result:
    """`python -m generator build --verbose` from scratch, then its site measured."""
    site, build_dir = folder / "site", folder / "build"
    set_aside(folder, folder.parent)  # a cold build: no site/ or build/ left over
    folder.mkdir(parents=True)
    command = [sys.executable, "-m", "generator", "build", "--content", str(content)]
    command += ["--site-dir", str(site), "--build-dir", str(build_dir), "--verbose"]
    done = run(command, folder, f"build {papers:,} papers")
    typical, day_gzip = typical_day(site)
    result = Result(papers, done, disk_usage(site), day_page_sizes(site), typical, day_gzip)
    result.artifact = artifact_bytes(site) if done.returncode == 0 else 0
    result.stages = parse_stages(done.output)
    result.writes = _writes(site, build_dir / "docs")
    if browser:
        result.search, result.chromium = first_search(site)
    if done.returncode == 0:
        command[command.index("--content") + 1] = str(next_night(content, folder / "next"))
        # As the nightly workflow starts: a fresh checkout, and build/ holding only the
        # caches that actions/cache restores.
        fresh_checkout(site, build_dir, folder.parent)
        result.next_night = run(command, folder, f"next night, {papers:,} papers")
        result.next_stages = parse_stages(result.next_night.output)
        fresh_checkout(site, build_dir, folder.parent, lose=SEARCH_CACHE)
        result.search_lost = run(command, folder, f"search cache lost, {papers:,} papers")
        result.search_lost_stages = parse_stages(result.search_lost.output)
    return result


def fresh_checkout(site: Path, build_dir: Path, work: Path, lose: str = "") -> None:
    """Leave build/ as a nightly run finds it: only the caches actions/cache restores."""
    set_aside(site, work)
    for path in build_dir.iterdir():
        if path.name not in CACHES or path.name == lose:
            set_aside(path, work)


REFETCHED = 14  # days each night fetches again: Hugging Face's lists change for two weeks


def next_night(content: Path, target: Path) -> Path:
    """A copy of content as the next nightly run finds it: the last two weeks' upvotes changed."""
    # Each night refetches the last two weeks, whose upvote counts keep changing, all in the
    # newest year's index (or two, in early January). Other years are unchanged.
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(content, target)
    for day in sorted((target / "papers").rglob("*.yaml"))[-REFETCHED:]:
        text = re.sub(
            r"^(  upvotes: )(\d+)$",
            lambda match: f"{match[1]}{int(match[2]) + 1}",
            day.read_text(encoding="utf-8"),
            flags=re.M,
        )
        day.write_text(text, encoding="utf-8")
    return target


def _writes(site: Path, docs: Path) -> dict[str, Disk]:
    """What each stage left on disk, told apart by where it writes."""
    writes = {stage: Disk() for stage in ("generate pages", *STAGES[3:])}
    writes["generate pages"] = disk_usage(docs)  # the Markdown, in build/, not in site/
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        top = path.relative_to(site).parts[0] + "/"
        if top == urls.SEARCH_BUNDLES:
            writes["search index"].add(path)
        elif top == urls.DATA or path.name in FEED_FILES:
            writes["data and feeds"].add(path)
        else:
            writes["mkdocs build"].add(path)
    return writes


def first_search(site: Path) -> tuple[dict[str, Any], str]:
    """What /search/?q=QUERY downloads, cold, measured by bench/search_bench.py."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    from search_bench import _measure  # one measuring code for both benchmarks

    _progress(f"first search in Chromium: {QUERY!r}")
    rows, chromium = _measure(site, [QUERY])
    return rows[0], chromium


def build_stock(ours: Path, papers: int, timeout: float) -> Result:
    """Our generated Markdown built by stock MkDocs Material: files-based nav, built-in search."""
    folder = ours.with_name(f"stock-{papers}")
    set_aside(folder, folder.parent)
    shutil.copytree(ours / "build" / "docs", folder / "docs")
    extensions = _extensions_used(folder / "docs")
    (folder / "mkdocs.yml").write_text(stock_config(extensions), encoding="utf-8")
    what = f"stock Material {papers:,} papers (timeout {timeout / 60:.0f} min)"
    done = run([sys.executable, "-m", "mkdocs", "build"], folder, what, timeout)
    site = folder / "site"
    if done.returncode is None:  # stopped: a half-written site/ would measure nothing useful
        return Result(papers, done, Disk(), [], extensions=extensions)
    result = Result(
        papers,
        done,
        disk_usage(site),
        day_page_sizes(site),
        *typical_day(site),
        extensions=extensions,
    )
    index = site / "search" / "search_index.json"
    if index.is_file():  # every page load fetches Material's whole index
        data = index.read_bytes()
        result.search = {"search": len(data), "search_gz": len(gzip.compress(data, 6))}
    return result


def stock_config(extensions: list[str]) -> str:
    """A minimal mkdocs.yml: Material's defaults, plus the extensions the pages need."""
    lines = ["site_name: Daily Papers Archive (stock Material)", "theme:", "  name: material"]
    if extensions:
        lines += ["markdown_extensions:", *(f"  - {name}" for name in extensions)]
    return "\n".join(lines) + "\n"


def _extensions_used(docs: Path) -> list[str]:
    # Our mkdocs.yml enables admonition and attr_list; the stock build needs them only if a
    # generated page is written with their syntax (most are raw HTML blocks).
    syntax = {"admonition": re.compile(r"^!!! ", re.M), "attr_list": re.compile(r"\{:? ?[.#]\w")}
    used = set()
    for path in docs.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        used |= {name for name, pattern in syntax.items() if pattern.search(text)}
    return sorted(used)


def machine(ours: dict[int, Result], load: float) -> str:
    """One line naming the date, commit, machine and software measured."""
    model = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.M)
    memory = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.M)
    system = re.search(r'^PRETTY_NAME="?([^"\n]+)', _read("/etc/os-release"), re.M)
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("mkdocs", "mkdocs-material", "pagefind")
    )
    chromium = next((r.chromium for r in ours.values() if r.chromium), "")
    parts = [
        f"{datetime.now(UTC):%Y-%m-%d}, commit {_commit()}",
        f"{os.cpu_count()} cores ({model[1].strip() if model else platform.processor() or '?'})",
        f"{int(memory[1]) / 1024**2:.0f} GB RAM" if memory else "? GB RAM",
        f"load average {load:.1f} at the start",
        f"{system[1] if system else platform.system()} {platform.machine()}",
        f"Python {platform.python_version()}, {versions}",
        f"Chromium {chromium} (headless)" if chromium else "no browser run",
    ]
    return "; ".join(parts)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def _commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "?"
    return commit + (" + uncommitted changes" if git("status", "--porcelain") else "")


def _s(seconds: float) -> str:
    return f"{seconds:,.1f} s"


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def _kb(n: float) -> str:
    return f"{n / 1e3:,.0f} KB"


def _mib(kilobytes: float) -> str:
    return f"{kilobytes / 1024:,.0f} MB"


def _own_peak(result: Result) -> float | None:
    """The generator's own peak RSS in MiB, from its stage lines, if they give it."""
    return _own_peak_of(result.stages)


def _own_peak_of(stages: dict[str, tuple[float, float | None]]) -> float | None:
    peaks = [mb for _, mb in stages.values() if mb is not None]
    return max(peaks) if peaks else None


def _peak(result: Result) -> str:
    """The generator's own peak and the process tree's, when they differ."""
    tree, own = _mib(result.run.tree_kb), _own_peak(result)
    if own is None or f"{own:,.0f} MB" == tree:
        return tree
    return f"{own:,.0f} MB (tree {tree})"


def _night(result: Result) -> str:
    """The next night's build: time, and how much of the search index it built again."""
    if not result.next_night:
        return NONE
    night = result.next_night
    return f"{_s(night.seconds)}, {_mib(night.tree_kb)}{_search_said(night)}"


def _search_said(run: Run) -> str:
    """What the search index stage said of the years it kept, in brackets."""
    notes = [note for stage, note in _notes(run.output) if stage == "search index"]
    return f" (search index: {notes[0]})" if notes else ""


def _lost(result: Result) -> str:
    """The build with the search cache lost: time, memory and CPU."""
    lost = result.search_lost
    if not lost:
        return NONE
    return f"{_s(lost.seconds)}, {_mib(lost.tree_kb)}, CPU {_s(lost.cpu)}{_search_said(lost)}"


def _notes(output: str) -> list[tuple[str, str]]:
    """(stage, note) of stage lines that carry a note in brackets."""
    found = (STAGE_LINE.match(line.strip()) for line in output.splitlines())
    return [(match["stage"], match["note"]) for match in found if match and match["note"]]


def _day_page(result: Result) -> str:
    if not result.day_pages:
        return NONE
    typical = f"{result.typical_day}; " if result.typical_day else ""
    median = _kb(statistics.median_low(result.day_pages))  # a page's size: typical_day's page
    return f"{median} ({typical}max {_kb(result.day_pages[-1])})"


def _search(result: Result) -> str:
    if not result.search:
        return NONE
    return f"{_kb(result.search['search_gz'])} gz ({_kb(result.search['search'])} raw)"


def _seconds(result: Result) -> float:
    return result.run.seconds


def report(ours: dict[int, Result], stock: Result | None, timeout: float, machine: str) -> str:
    """The Build section of BENCHMARKS.md, markers included."""
    out = [
        START,
        "## Build",
        "",
        _prose(
            "`bench/build_bench.py` generates sample archives (`python -m generator sample`), "
            "builds each with `python -m generator build --verbose` in a fresh process, then "
            "builds one archive's generated Markdown again with stock MkDocs Material. It writes "
            "this section; `make test` runs it on a tiny archive (tests/test_bench.py), untimed. "
            f"The next night is the same archive with its newest {REFETCHED} days' upvotes "
            "changed, as the nightly refetch of two weeks finds them, built again with the "
            "first build's build/ folder (its caches) kept. The cold build is issue 20's: "
            "that night's content built once more with the search cache lost (as when "
            "Pagefind or the indexer changes) and every other cache kept."
        ),
        "",
        "```sh",
        ".venv/bin/python bench/build_bench.py --write   # 2,000, 10,000, 30,000 papers + stock",
        "```",
        "",
        _prose(f"Measured {machine}."),
        "",
    ]
    out += _targets(ours, stock, timeout)
    out += _summary(ours)
    out += _stages(ours)
    if stock:
        out += _stock(ours[stock.papers], stock, timeout)
    out += [
        _prose(
            "Times are the wall clock of the whole process, Python's start included; CPU is the "
            "user and system time of the process tree (wait4), a figure other work on the "
            "machine sways less. Peak RSS "
            "in MiB: the generator's (the peak its `--verbose` lines report) and, when larger, "
            "the process tree's: the larger of wait4's ru_maxrss (the largest single process, "
            "Pagefind's binary included) and the summed memory of every process in the tree, "
            "sampled every second (proportional set size, so pages a forked worker shares with "
            "its parent count once). Sizes are allocated blocks on disk, KB and MB decimal. Day "
            "page: the median `YYYY/MM/DD/index.html`. First search: what "
            "`/search/?q=speculative+decoding` had downloaded when its first results showed, "
            "headless Chromium, cold cache, text gzipped as GitHub Pages serves it "
            "(bench/search_bench.py's measure)."
        ),
        "",
        END,
        "",
    ]
    return "\n".join(out)


def _prose(text: str) -> str:
    """A paragraph wrapped at 100 columns, like the rest of BENCHMARKS.md."""
    return textwrap.fill(text, 100, break_long_words=False, break_on_hyphens=False)


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return [*lines, *("| " + " | ".join(row) + " |" for row in rows), ""]


def _run_rows(
    what: str,
    memory: str,
    run: Run,
    stages: dict[str, tuple[float, float | None]],
    seconds: float,
    mb: float,
) -> list[list[Any]]:
    """A later build's two target rows: its time, and its peak memory summed over processes."""
    peak = max(run.tree_kb / 1024, _own_peak_of(stages) or 0)
    return [
        [what, f"≤ {seconds:.0f} s", _s(run.seconds), run.seconds <= seconds],
        [memory, f"≤ {mb / 1024:.0f} GB", f"{peak:,.0f} MB", peak <= mb],
    ]


def _targets(ours: dict[int, Result], stock: Result | None, timeout: float) -> list[str]:
    sizes = sorted(ours)
    big = ours[sizes[-1]]
    peak = max(big.run.tree_kb / 1024, _own_peak(big) or 0)
    rows: list[list[Any]] = []
    if big.search_lost:  # the cold build as the issue defines it
        rows += _run_rows("cold `generator build`: search cache lost, other caches kept",
                          "cold build's peak memory", big.search_lost, big.search_lost_stages,
                          BUILD_SECONDS, PEAK_MB)  # fmt: skip
    rows += [
        ["whole `generator build` from scratch (no caches at all)", "reported",
         _s(_seconds(big)), None],
        ["from scratch: peak memory", f"≤ {PEAK_MB / 1024:.0f} GB", f"{peak:,.0f} MB",
         peak <= PEAK_MB],
    ]  # fmt: skip
    if big.next_night:
        rows += _run_rows("next night's `generator build` (build caches kept)",
                          "next night's peak memory", big.next_night, big.next_stages,
                          NIGHT_SECONDS, NIGHT_PEAK_MB)  # fmt: skip
    if stock:
        ratio = _seconds(stock) / _seconds(ours[stock.papers])
        # Stopped at the timeout, stock took longer than measured: the ratio is a lower bound.
        rows.append([f"faster than stock Material ({stock.papers:,} papers)",
                     f"≥ {STOCK_RATIO:.0f}{TIMES}", _ratio(stock, ours[stock.papers], timeout),
                     ratio >= STOCK_RATIO])  # fmt: skip
    if len(sizes) > 1:
        small = ours[sizes[-2]]
        limit = GROWTH_SLACK * big.papers / small.papers
        growth = _seconds(big) / _seconds(small)
        rows.append([f"linear growth: time {big.papers:,} / {small.papers:,} papers",
                     f"≤ {limit:.1f}", f"{growth:.2f}", growth <= limit])  # fmt: skip
    if big.day_pages:
        median = statistics.median_low(big.day_pages)
        rows.append(["day page HTML (median)", f"≤ {_kb(DAY_PAGE_BYTES)}", _kb(median),
                     median <= DAY_PAGE_BYTES])  # fmt: skip
        rows.append([f"the same page gzipped (level {GZIP_LEVEL})", f"≤ {_kb(DAY_PAGE_GZIP)}",
                     _kb(big.day_gzip), big.day_gzip <= DAY_PAGE_GZIP])  # fmt: skip
    rows.append(["site/, bytes in files", f"≤ {SITE_BYTES / 1e6:.0f} MB",
                 _mb(big.site.content), big.site.content <= SITE_BYTES])  # fmt: skip
    rows.append(["the Pages artifact (tar of site/)", "reported", _mb(big.artifact), None])
    rows.append(["site/ on disk (4 KB blocks)", "reported", _mb(big.site.bytes), None])
    marks = {True: "✓ met", False: "✗ missed", None: ""}
    shown = [[*map(str, row[:3]), marks[row[3]]] for row in rows]  # type: ignore[index]
    head = ["target", "goal", "measured", ""]
    return [f"### Targets, {big.papers:,} papers", "", *_table(head, shown)]


def _ratio(stock: Result, ours: Result, timeout: float) -> str:
    """stock/ours build time; a lower bound when stock was stopped at the timeout."""
    if stock.run.returncode is None:
        return f"> {timeout / _seconds(ours):.1f}{TIMES} (stock timed out)"
    return f"{_seconds(stock) / _seconds(ours):.1f}{TIMES}"


def _summary(ours: dict[int, Result]) -> list[str]:
    head = ["papers", "day pages", "whole build", "CPU", "growth", "peak RSS", "next night"]
    head += ["search cache lost", "site/ on disk"]
    head += ["bytes in files", "files"]
    head += ["day page HTML", "first search"]
    rows, previous = [], None
    for papers, result in sorted(ours.items()):
        growth = NONE
        if previous:  # time ratio next to the size ratio: linear growth keeps them equal
            times, size = _seconds(result) / _seconds(previous), papers / previous.papers
            growth = f"{times:.2f}{TIMES} for {size:.1f}{TIMES} papers"
        rows.append([
            f"{papers:,}", f"{len(result.day_pages):,}", _s(_seconds(result)),
            _s(result.run.cpu), growth,
            _peak(result), _night(result), _lost(result),
            _mb(result.site.bytes), _mb(result.site.content),
            f"{result.site.files:,}", _day_page(result),
            _search(result),
        ])  # fmt: skip
        previous = result
    return ["### Whole `generator build`", "", *_table(head, rows)]


def _stages(ours: dict[int, Result]) -> list[str]:
    rows = []
    for papers, result in sorted(ours.items()):
        names = [*result.stages] or list(STAGES)
        for stage in [name for name in names if name != "total"]:
            seconds, mb = result.stages.get(stage, (None, None))
            wrote = result.writes.get(stage)
            rows.append([
                f"{papers:,}", stage, NONE if seconds is None else _s(seconds),
                NONE if mb is None else f"{mb:,.0f} MB",
                _mb(wrote.bytes) if wrote else "", f"{wrote.files:,}" if wrote else "",
            ])  # fmt: skip
        said = result.stages.get("total")
        total = _s(_seconds(result)) + (f" (it says {_s(said[0])})" if said else "")
        rows.append([f"{papers:,}", "**total**", total, _peak(result), _mb(result.site.bytes),
                     f"{result.site.files:,}"])  # fmt: skip
    return [
        "### Stages",
        "",
        _prose(
            "From `build --verbose`. Stages can overlap (the search index and the feeds are built "
            "while MkDocs runs), so their times may add up to more than the total. Each stage's "
            "output: the generated Markdown in build/docs (not part of site/), then site/ split "
            f"by where each stage writes: `{urls.SEARCH_BUNDLES}` the search index, `{urls.DATA}` "
            f"and the feed files ({', '.join(sorted(FEED_FILES))}) data and feeds, the rest MkDocs."
        ),
        "",
        *_table(["papers", "stage", "time", "peak RSS", "output on disk", "files"], rows),
    ]


def _stock(ours: Result, stock: Result, timeout: float) -> list[str]:
    finished = stock.run.returncode is not None
    mkdocs = ours.stages.get("mkdocs build")
    time_ours = _s(_seconds(ours)) + (f" (its mkdocs stage {_s(mkdocs[0])})" if mkdocs else "")
    time_stock = _s(_seconds(stock)) if finished else f"> {_s(timeout)} (stopped)"
    time_ratio = _ratio(stock, ours, timeout)
    if mkdocs and finished:
        time_ratio += f" ({_seconds(stock) / mkdocs[0]:.1f}{TIMES} our mkdocs stage)"

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}{TIMES}" if a and b else NONE

    site, files = _mb(stock.site.bytes), f"{stock.site.files:,}"
    if not finished:  # its site/ was left half-written
        site = files = NONE
    search = _search(stock) + " (the whole index)" if stock.search else NONE
    rows = [
        ["build time", time_ours, time_stock, time_ratio],
        ["CPU time", _s(ours.run.cpu), _s(stock.run.cpu), ratio(stock.run.cpu, ours.run.cpu)],
        ["peak RSS", _peak(ours), _peak(stock) + ("" if finished else " (until stopped)"),
         ratio(stock.run.tree_kb, ours.run.tree_kb)],
        ["site/ on disk", _mb(ours.site.bytes), site, ratio(stock.site.bytes, ours.site.bytes)],
        ["files", f"{ours.site.files:,}", files, ratio(stock.site.files, ours.site.files)],
        ["day page HTML", _day_page(ours), _day_page(stock), _median_ratio(stock, ours)],
        ["first search", _search(ours), search,
         ratio(stock.search["search_gz"], ours.search["search_gz"])
         if stock.search and ours.search else NONE],
    ]  # fmt: skip
    return [
        f"### Stock MkDocs Material, {stock.papers:,} papers",
        "",
        _prose(
            "The same generated Markdown (our build's build/docs, copied) built by "
            "`python -m mkdocs build` with Material's defaults: a mkdocs.yml of `site_name` and "
            "`theme: {name: material}` only, so no `nav` (navigation built from the files, every "
            "page in it) and no `plugins` (the built-in search plugin). "
            f"{_extensions_note(stock.extensions)} Not `--strict`: links to the data files and "
            "feeds our build adds after MkDocs are missing there. Stock/ours compares stock "
            "MkDocs with our whole `generator build`."
        ),
        "",
        *_table(["", "ours", "stock", "stock/ours"], rows),
    ]


def _extensions_note(extensions: list[str]) -> str:
    if extensions:
        return f"Markdown extensions added because pages use their syntax: {', '.join(extensions)}."
    return (
        "No `markdown_extensions`: the generated pages are raw HTML blocks and plain Markdown, "
        "none uses admonition or attr_list syntax (the script checks and would add them)."
    )


def _median_ratio(stock: Result, ours: Result) -> str:
    if not stock.day_pages or not ours.day_pages:
        return NONE
    return f"{statistics.median(stock.day_pages) / statistics.median(ours.day_pages):.1f}{TIMES}"


def write_section(path: Path, section: str) -> None:
    """Put section between its markers in path, or above the first "## " section if new."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + "\n" + after
    elif (at := text.find("\n## ")) >= 0:
        text = text[: at + 1] + section + "\n" + text[at + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)  # never a half-written BENCHMARKS.md


if __name__ == "__main__":
    sys.exit(main())
