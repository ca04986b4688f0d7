"""build_index: one Pagefind bundle per list year, each indexed or copied from the cache."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import urls
from ..archive import Archive
from ..errors import BuildError
from .cache import cache_key, from_cache, to_cache
from .manifest import MANIFEST, Manifest, metadata_file
from .pagefind import Indexing
from .records import papers_by_year, search_records
from .reproducible import make_reproducible
from .shared import share_runtime

BUNDLE_DIR = urls.SEARCH_BUNDLES.rstrip("/")  # under site_dir: a Pagefind bundle per list year


@dataclass(frozen=True)
class SearchStats:
    """What build_index wrote."""

    records: int
    files: int
    bytes: int  # the bundles' size, in bytes of their files
    years: int = 0  # bundles written
    reused: int = 0  # of which copied from the cache, unchanged


def build_index(
    archive: Archive,
    bundle: Path,
    while_writing: Callable[[], None] | None = None,
    cache: Path | None = None,
) -> SearchStats:
    """Write one Pagefind bundle per list year under `bundle` (replaced), for site/pagefind."""
    # Record URLs are relative to the site root, so one bundle works wherever the site is
    # served (site_url, a sub-path, localhost), and the bundle can be built anywhere.
    # One bundle per year: a first search downloads the newest year's index (about the same
    # size every year) instead of one that grows with the archive, and a year whose records
    # are unchanged is copied from `cache` instead of indexed again, as most are every night.
    # while_writing runs once every record is in Pagefind, while it writes on its own.
    years = papers_by_year(archive)
    shutil.rmtree(bundle, ignore_errors=True)  # file names are content hashes: old ones linger
    beside: list[BaseException] = []  # while_writing's failure: its own, not Pagefind's

    def run_beside() -> None:
        try:
            if while_writing is not None:
                while_writing()
        except BaseException as exc:
            beside.append(exc)

    try:
        bundle.mkdir(parents=True)
        manifest = Manifest()
        keys: dict[str, str] = {}
        indexed: list[str] = []  # the years sent to Pagefind, newest first
        # Pagefind indexes the newest year while this makes the older years' records and
        # checks the cache.
        with Indexing(bundle, run_beside) as indexing:
            for year in sorted(years, reverse=True):
                # A year at a time: the records of the years the cache has are let go.
                records = search_records(archive, years[year])
                manifest.add(year, records)
                keys[year] = cache_key(records)
                if not from_cache(cache, year, keys[year], bundle / year):
                    indexed.append(year)
                    indexing.add(year, records)
        for year in indexed:
            make_reproducible(bundle / year)
            to_cache(cache, year, keys[year], bundle / year)
    except OSError as exc:
        raise BuildError(f"search index: cannot write {bundle}: {exc}") from exc
    finally:
        if beside:
            raise beside[0]
    shared = share_runtime(bundle, sorted(years, reverse=True))
    named = {year: metadata_file(bundle / year) for year in years}
    metadata = {year: name for year, name in named.items() if name}
    text = manifest.json([topic.name for topic in archive.topics], shared, metadata)
    (bundle / MANIFEST).write_text(text, encoding="utf-8")
    files = [path for path in bundle.rglob("*") if path.is_file()]
    size = sum(path.stat().st_size for path in files)
    reused = len(years) - len(indexed)
    return SearchStats(len(archive.papers), len(files), size, len(years), reused)
