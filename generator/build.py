"""`build`: content/ -> archive -> pages -> `mkdocs build`; data, feeds, search index beside."""

from __future__ import annotations

import itertools
import logging
import os
import resource
import shutil
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .archive import Archive, load_archive
from .config import SiteConfig, load_config
from .content import day_paths
from .data import iter_data
from .errors import ArchiveError, BuildError, ContentError
from .feeds import feed_catalog, generate_feeds
from .forked import Forked
from .pages import iter_pages
from .sample import make_sample
from .search import BUNDLE_DIR, build_index, search_page
from .topics import TOPICS_FILE

SAMPLE_PAPERS = 400
SEARCH_CACHE = "search-cache"  # in build_dir: years of the search index kept between builds
Log = Callable[[str], None]
StageTime = tuple[str, float, int]  # stage, seconds, peak resident memory in MB


def build_site(
    content: Path, site_dir: Path, build_dir: Path, config_path: Path, log: Log | None = None
) -> bool:
    """Build the whole site into site_dir; return True when it was built from sample data."""
    log = log or (lambda message: None)
    begun = time.perf_counter()
    config = load_config(config_path)
    sample = not any(_has_papers(path) for path in day_paths(content))
    if sample:
        content = _sample_content(content, build_dir / "sample-content")
    with _stage(log, "load content"):
        archive = _load(content, sample)
        _ = archive.paper_topics  # once, before the fork below: both processes need them
    # Data, feeds and the search index need only the archive, not the pages: a forked process
    # (it inherits the archive rather than pickling it) builds them while this one generates
    # pages and runs MkDocs, which empties site_dir first; they are moved in afterwards.
    staged = build_dir / "staged"
    shutil.rmtree(staged, ignore_errors=True)
    side = Forked(_side_outputs, archive, config, staged, build_dir / SEARCH_CACHE)
    try:
        with _stage(log, "generate pages"):
            docs = build_dir / "docs"
            try:
                # Each page is written as it is made: a 30,000-paper archive's are 110 MB, and
                # MkDocs reads them back from docs/ anyway.
                pages = iter_pages(archive, config, feed_catalog(archive, config))
                write_tree(docs, itertools.chain(pages, [("search.md", search_page())]))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                _explain(content, exc)
        epoch = _epoch(archive)
        del archive, pages  # the forked process has its own; MkDocs needs none (a few 100 MB)
        with _stage(log, "mkdocs build"):
            run_mkdocs(config_path, docs, site_dir, sample, epoch)
    except BaseException:
        side.stop()  # the build has failed: its side outputs are of no use
        raise
    try:
        timings = side.result()
    except ArchiveError as exc:
        _explain(content, BuildError(f"data, feeds or search index: {exc}"))
    except Exception as exc:  # its type and the forked process's traceback (a note) say most
        said = "".join(traceback.format_exception_only(exc)).strip()
        _explain(content, BuildError(f"data, feeds or search index: {said}"))
    for stage, seconds, peak in timings:
        log(_stage_line(stage, seconds, peak))
    move_into(staged, site_dir)
    log(_stage_line("total", time.perf_counter() - begun, _peak_mb()))
    return sample


def _side_outputs(
    archive: Archive, config: SiteConfig, staged: Path, search_cache: Path
) -> list[StageTime]:
    """Data, feeds and the search index, written under staged/ (runs in the forked process)."""
    started = time.perf_counter()
    timings: list[StageTime] = []

    def data_and_feeds() -> None:  # once Pagefind has every record, while it writes
        begun = time.perf_counter()
        write_files(staged, iter_data(archive))
        write_files(staged, generate_feeds(archive, config).items())
        timings.append(("data and feeds", time.perf_counter() - begun, _peak_mb()))

    stats = build_index(archive, staged / BUNDLE_DIR, data_and_feeds, search_cache)
    reused = f"search index ({stats.reused} of {stats.years} years unchanged)"
    timings.append((reused, time.perf_counter() - started, _peak_mb()))
    return timings


def _has_papers(path: Path) -> bool:
    # Cheap: an empty day says so near its top. Anything else, a broken file included,
    # counts as content, so that it is loaded (and reported) rather than replaced by samples.
    with path.open(encoding="utf-8", errors="replace") as handle:
        return not any(
            line.startswith("status: empty") for _, line in zip(range(5), handle, strict=False)
        )


def _sample_content(content: Path, target: Path) -> Path:
    """Generate sample days into the build folder (never into content/), with the real topics."""
    shutil.rmtree(target, ignore_errors=True)
    make_sample(target, SAMPLE_PAPERS)
    if (content / TOPICS_FILE).exists():
        shutil.copy(content / TOPICS_FILE, target / TOPICS_FILE)
    return target


def _load(content: Path, sample: bool) -> Archive:
    try:
        return load_archive(content, sample=sample)
    except ContentError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        _explain(content, exc)
        raise  # unreachable: _explain always raises


def _explain(content: Path, exc: Exception) -> None:
    """A content problem deep in generation: report what `validate` says, not a traceback."""
    from .validate import validate

    problems = validate(content)
    if not problems:
        raise exc
    shown = "\n".join(str(problem) for problem in problems[:20])
    more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
    raise ContentError(
        f"content is invalid (python -m generator validate):\n{shown}{more}"
    ) from exc


def _epoch(archive: Archive) -> int:
    # MkDocs dates the sitemap; pin that date to the content so builds are byte-identical.
    days = [d.fetched or d.date for d in archive.days]
    newest = max(days) if days else datetime(2024, 1, 1, tzinfo=UTC).date()
    return int(datetime(newest.year, newest.month, newest.day, tzinfo=UTC).timestamp())


def write_tree(root: Path, files: Iterable[tuple[str, str]]) -> None:
    """Replace root with exactly these (path, text) files."""
    shutil.rmtree(root, ignore_errors=True)
    for relative, text in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_files(root: Path, files: Iterable[tuple[str, bytes]]) -> None:
    """Add these (path, bytes) files under root."""
    for relative, data in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def move_into(source: Path, target: Path) -> None:
    """Move what source holds into target, merging folders, then remove source."""
    for path in sorted(source.iterdir()):
        there = target / path.name
        if path.is_dir() and there.is_dir():
            move_into(path, there)
        else:
            if there.is_dir():
                shutil.rmtree(there)
            shutil.move(path, there)  # a rename on one file system
    source.rmdir()


def run_mkdocs(config: Path, docs: Path, site_dir: Path, sample: bool, epoch: int) -> None:
    """`mkdocs build --strict` through MkDocs' Python API."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's notice about MkDocs 2.0
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as load_mkdocs_config
    from mkdocs.exceptions import MkDocsException

    warnings = _Collector()
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    logger.addHandler(warnings)
    try:
        cfg = load_mkdocs_config(
            str(config), docs_dir=str(docs.resolve()), site_dir=str(site_dir.resolve()), strict=True
        )
        cfg["extra"]["sample_data"] = sample
        build(cfg)
    except MkDocsException as exc:
        said = "".join(f"\n  {message}" for message in warnings.messages[:10])
        raise BuildError(f"mkdocs build --strict failed: {exc}{said}") from exc
    finally:
        logger.removeHandler(warnings)


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
