"""`build`: content/ -> archive -> pages -> `mkdocs build`; data, feeds, search index beside."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from . import topiccache, urls
from .archive import Archive, archive_from_checked
from .config import SiteConfig, load_config
from .data import iter_data
from .errors import ArchiveError, BuildError
from .feeds import feed_catalog, generate_feeds
from .forked import Forked
from .mkdocs_hooks import CACHE, DirtyNotice
from .outputs import Outputs, Writer
from .pages import iter_pages
from .rendercache import RenderCache
from .sample import make_sample
from .search import BUNDLE_DIR, build_index
from .trends import Trends, trends_of
from .validate import Checked, check_content

SAMPLE_PAPERS = 400
SEARCH_CACHE = "search-cache"  # in build_dir: years of the search index kept between builds
PAGE_CACHE = "page-cache"  # in build_dir: built pages kept between builds (mkdocs_hooks.py)
CHECK_CACHE = "check-cache"  # in build_dir: checked day files kept between builds
RENDER_CACHE = "render-cache"  # in build_dir: day pages' Markdown kept between builds
DATA_CACHE = "data-cache"  # in build_dir: days' JSON and BibTeX kept between builds
TOPIC_CACHE = "topic-cache"  # in build_dir: each paper's topics kept between builds
# The packages whose code turns a page's Markdown into its HTML, besides the theme's folder.
PAGE_PACKAGES = (
    "mkdocs",
    "mkdocs-material",
    "markdown",
    "pymdown-extensions",
    "jinja2",
    "pygments",
)
Log = Callable[[str], None]
StageTime = tuple[str, float, int]  # stage, seconds, peak resident memory in MB


def build_site(
    content: Path, site_dir: Path, build_dir: Path, config_path: Path, log: Log | None = None
) -> bool:
    """Build the whole site and swap it in for site_dir; True when built from sample data.

    Content is checked as `validate` checks it before a byte is written. The new site is
    built beside site_dir and takes its place only when complete, so whatever stops a build
    leaves the last good site whole.
    """
    log = log or (lambda message: None)
    begun = time.perf_counter()
    config = load_config(config_path)
    checked = check_content(content, build_dir / CHECK_CACHE)
    checked.raise_problems()  # before a byte is written
    outputs = Outputs.claim(content, site_dir, build_dir)
    try:
        with outputs.locked():
            if checked.cache:
                checked.cache.save()
            sample = not any(day["papers"] for day in checked.days)
            if sample:
                checked = _sample_content(checked, outputs.scratch("sample-content"))
            archive = archive_from_checked(checked, sample=sample)
            del checked  # the archive holds its own copy of every paper
            # Once, before the fork below: both processes need them.
            archive.paper_topics = topiccache.paper_topics(archive, outputs.build / TOPIC_CACHE)
            log(_stage_line("load content", time.perf_counter() - begun, _peak_mb()))
            with _stage(log, "trends"):  # before the fork, too: pages and open data draw them
                trends = trends_of(archive)
            site = outputs.begin()
            # Data, feeds and the search index need only the archive, not the pages: a forked
            # process (it inherits the archive rather than pickling it) builds them while this
            # one generates pages and runs MkDocs; they are moved in afterwards.
            staged = outputs.scratch("staged")
            side = Forked(_side_outputs, archive, trends, config, staged, outputs.build)
            try:
                with _stage(log, "generate pages"):
                    docs = outputs.scratch("docs")
                    _write_pages(docs, archive, trends, config, outputs.build / RENDER_CACHE)
                epoch = _epoch(archive)
                del archive  # the forked process has its own; MkDocs needs none (a few 100 MB)
                with _stage(log, "mkdocs build"):
                    run_mkdocs(config_path, docs, site, sample, epoch, outputs.build / PAGE_CACHE)
            except BaseException:
                side.stop()  # the build has failed or was stopped: its side outputs are no use
                raise
            try:
                timings = side.result()  # stopped, too, if this is interrupted
            except ArchiveError as exc:
                raise BuildError(f"data, feeds or search index: {exc}") from exc
            for stage, seconds, peak in timings:
                log(_stage_line(stage, seconds, peak))
            move_into(staged, site, "MkDocs", "data, feeds or search index")
            outputs.finish()
    except OSError as exc:  # a full disk, a folder made read-only meanwhile, ...
        raise BuildError(f"cannot write {exc.filename or site_dir}: {exc.strerror}") from exc
    log(_stage_line("total", time.perf_counter() - begun, _peak_mb()))
    return sample


def _write_pages(
    docs: Path, archive: Archive, trends: Trends, config: SiteConfig, cache: Path
) -> None:
    """Every page's Markdown into docs/ (replaced), each written as it is made; day pages
    rendered before from the same inputs are read back from the render cache."""
    # A 30,000-paper archive's pages are 110 MB, and MkDocs reads them back from docs/ anyway.
    memo = RenderCache(cache)
    pages = iter_pages(archive, config, feed_catalog(archive, config), trends, memo)
    Writer(docs).write_all("pages", pages)
    memo.prune()


def _side_outputs(
    archive: Archive, trends: Trends, config: SiteConfig, staged: Path, build: Path
) -> list[StageTime]:
    """Data, feeds and the search index, written under staged/ (runs in the forked process),
    with the caches of build/."""
    started = time.perf_counter()
    timings: list[StageTime] = []
    writer = Writer(staged)

    def data_and_feeds() -> None:  # once Pagefind has every record, while it writes
        begun = time.perf_counter()
        memo = RenderCache(build / DATA_CACHE)
        writer.write_all("open data", iter_data(archive, trends, memo))
        memo.prune()
        writer.write_all("feeds", generate_feeds(archive, config).items())
        timings.append(("data and feeds", time.perf_counter() - begun, _peak_mb()))

    stats = build_index(archive, staged / BUNDLE_DIR, data_and_feeds, build / SEARCH_CACHE)
    reused = f"search index ({stats.reused} of {stats.years} years unchanged)"
    timings.append((reused, time.perf_counter() - started, _peak_mb()))
    return timings


def _sample_content(real: Checked, target: Path) -> Checked:
    """Sample days generated into the build folder (never into content/), with the real topics."""
    make_sample(target, SAMPLE_PAPERS)
    sample = check_content(target)
    sample.raise_problems()  # a bug in sample.py if it happens: exit 1 names the file anyway
    sample.topics, sample.status = real.topics, real.status
    return sample


def _epoch(archive: Archive) -> int:
    # MkDocs dates the sitemap; pin that date to the content so builds are byte-identical.
    days = [d.fetched or d.date for d in archive.days]
    newest = max(days) if days else datetime(2024, 1, 1, tzinfo=UTC).date()
    return int(datetime(newest.year, newest.month, newest.day, tzinfo=UTC).timestamp())


def move_into(source: Path, target: Path, target_by: str, source_by: str) -> None:
    """Move what source holds into target, merging folders, then remove source.

    Two producers never write one path: a file in both is an error naming them.
    """
    for path in sorted(source.iterdir()):
        there = target / path.name
        if path.is_dir() and there.is_dir():
            move_into(path, there, target_by, source_by)
        elif there.exists():
            raise BuildError(f"{there}: written by both {target_by} and {source_by}")
        else:
            shutil.move(path, there)  # a rename where both are on one file system
    source.rmdir()


def run_mkdocs(
    config: Path, docs: Path, site: Path, sample: bool, epoch: int, cache: Path | None = None
) -> None:
    """`mkdocs build --strict` through MkDocs' Python API; pages whose source is unchanged come
    from cache (a folder of such caches, one per theme, hooks and package versions)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's notice about MkDocs 2.0
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as load_mkdocs_config
    from mkdocs.exceptions import MkDocsException

    warnings = _Collector()
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    logger.addHandler(warnings)
    notice = DirtyNotice()
    logging.getLogger("mkdocs.commands.build").addFilter(notice)
    try:
        cfg = load_mkdocs_config(
            str(config),
            docs_dir=str(docs.resolve()),
            site_dir=str(site.resolve()),
            strict=True,
            **urls.mkdocs_nav(),
        )
        cfg["extra"]["sample_data"] = sample
        cfg["extra"]["dpa_urls"] = urls.theme_extra()  # the paths overrides/ links to
        if cache is not None:
            cfg["extra"][CACHE] = str(_page_cache(cache, cfg, config))
        # Dirty: MkDocs skips a page whose output is newer than its source, which the hooks
        # arrange for cached pages; the new site folder is empty, so nothing else is skipped.
        build(cfg, dirty=cache is not None)
    except MkDocsException as exc:
        said = "".join(f"\n  {message}" for message in warnings.messages[:10])
        raise BuildError(f"mkdocs build --strict failed: {exc}{said}") from exc
    finally:
        logger.removeHandler(warnings)
        logging.getLogger("mkdocs.commands.build").removeFilter(notice)


def _page_cache(cache: Path, cfg: Any, config: Path) -> Path:
    """The page cache for this theme, its overrides, the hooks and packages; older ones go."""
    digest = hashlib.sha256(sys.version.encode())
    for package in PAGE_PACKAGES:
        try:
            digest.update(f"\n{package} {version(package)}".encode())
        except PackageNotFoundError:
            digest.update(f"\n{package} -".encode())
    # What the build adds to mkdocs.yml, then every file the config, theme and hooks read.
    added = {"nav": urls.mkdocs_nav(), "extra": dict(cfg["extra"])}
    digest.update(json.dumps(added, sort_keys=True, default=str).encode())
    custom = cfg["theme"].custom_dir
    files = [config, *(config.parent / hook for hook in cfg["hooks"])]  # relative to config
    files += sorted(path for path in Path(custom).rglob("*") if path.is_file()) if custom else []
    for path in files:
        digest.update(f"\n{path}\n".encode() + path.read_bytes())
    here = cache / digest.hexdigest()[:20]
    if cache.is_dir():
        for other in cache.iterdir():
            if other != here:
                shutil.rmtree(other, ignore_errors=True)
    return here


class _Collector(logging.Handler):
    """Keeps MkDocs' warnings, so a failed strict build can say what they were."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _stage(log: Log, stage: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    log(_stage_line(stage, time.perf_counter() - started, _peak_mb()))


def _stage_line(stage: str, seconds: float, peak_mb: int) -> str:
    """The line `build --verbose` prints per stage (bench/build_bench.py reads it)."""
    return f"{stage}: {seconds:.2f} s, peak {peak_mb} MB"


def _peak_mb() -> int:
    """Peak resident memory of this process or of the largest child it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) // 1024  # kilobytes on Linux


__all__ = ["ArchiveError", "build_site"]
