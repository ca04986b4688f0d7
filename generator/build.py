"""`build`: content/ -> archive -> Markdown, data and feeds -> `mkdocs build` -> search index."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .archive import Archive, load_archive
from .config import load_config
from .content import day_paths
from .data import generate_data
from .errors import ArchiveError, BuildError, ContentError
from .feeds import feed_catalog, generate_feeds
from .pages import generate_pages
from .sample import make_sample
from .search import build_index, search_page
from .topics import TOPICS_FILE

SAMPLE_PAPERS = 400
Log = Callable[[str], None]


def build_site(
    content: Path, site_dir: Path, build_dir: Path, config_path: Path, log: Log | None = None
) -> bool:
    """Build the whole site into site_dir; return True when it was built from sample data."""
    log = log or (lambda message: None)
    config = load_config(config_path)
    sample = not any(_has_papers(path) for path in day_paths(content))
    if sample:
        content = _sample_content(content, build_dir / "sample-content")
    timer = _Timer(log)
    archive = _load(content, sample)
    timer("load content")
    catalog = feed_catalog(archive, config)
    docs = build_dir / "docs"
    try:
        pages = generate_pages(archive, config, catalog)
        pages["search.md"] = search_page()
        write_tree(docs, pages)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        _explain(content, exc)
    timer("generate pages")
    run_mkdocs(config_path, docs, site_dir, sample, _epoch(archive))
    timer("mkdocs build")
    write_files(site_dir, generate_data(archive))
    write_files(site_dir, generate_feeds(archive, config))
    timer("data and feeds")
    build_index(archive, config, site_dir)
    timer("search index")
    return sample


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


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Replace root with exactly these files."""
    shutil.rmtree(root, ignore_errors=True)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_files(root: Path, files: dict[str, bytes]) -> None:
    """Add these files under root (after MkDocs, which empties site_dir first)."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


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


class _Timer:
    """Logs how long each stage took (shown with build --verbose)."""

    def __init__(self, log: Log) -> None:
        self.log, self.start = log, time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.log(f"{stage}: {now - self.start:.2f} s")
        self.start = now


__all__ = ["ArchiveError", "build_site"]
