"""The search cache: each year's bundle kept between builds, named by what it was made from.

Most nights only the current year's records change; every other year is copied from here
instead of indexed again. The cache is only a shortcut: anything wrong with it costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..rendercache import SEARCH_PACKAGES
from .records import SearchRecord

# The files whose code decides a bundle's bytes: this package's (records, Pagefind's driving,
# the post-processing), so that a change to any of them indexes every year afresh.
CODE = Path(__file__).parent


def cache_key(records: list[SearchRecord]) -> str:
    """What a year's bundle is made from: its records, Pagefind, cbor2 and this package."""
    digest = hashlib.sha256(" ".join(_versions()).encode() + b"\n")
    for module in sorted(CODE.glob("*.py")):
        digest.update(module.name.encode() + b"\n" + module.read_bytes())
    names = [item.name for item in fields(SearchRecord)]  # not asdict: it deep-copies (0.5 s)
    for record in records:
        values = [getattr(record, name) for name in names]
        digest.update(json.dumps(values, sort_keys=True).encode("utf-8") + b"\n")
    return digest.hexdigest()[:20]


def _versions() -> list[str]:
    found = []
    for package in SEARCH_PACKAGES:
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:  # a binary from elsewhere (PAGEFIND_BINARY_PATH, say)
            found.append(f"{package} ?")
    return found


def from_cache(cache: Path | None, year: str, key: str, target: Path) -> bool:
    """Copy a year's bundle from the cache if it was built from the same records."""
    cached = cache / f"{year}-{key}" if cache else None
    if cached is None or not (cached / "pagefind-entry.json").is_file():
        return False
    try:
        shutil.copytree(cached, target, copy_function=_link_or_copy)
    except OSError:  # the cache is only a shortcut: index the year instead
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def to_cache(cache: Path | None, year: str, key: str, built: Path) -> None:
    """Keep a year's new bundle for the next build, in place of the year's older ones."""
    if cache is None:
        return
    partial = cache / f".{year}-{key}.partial"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        # Renamed before deleted, and copied before renamed into place: a build stopped
        # anywhere here leaves a year's entry whole or absent, and only hidden leftovers.
        for old in [*cache.glob(f".{year}-*"), *cache.glob(f"{year}-*")]:  # leftovers first
            if not old.name.startswith("."):
                old = old.rename(cache / f".{old.name}.old")
            shutil.rmtree(old)
        shutil.copytree(built, partial, copy_function=_link_or_copy)
        partial.rename(cache / f"{year}-{key}")
    except OSError:  # a full disk or a read-only cache costs the next build time, nothing more
        shutil.rmtree(partial, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    # Bundle files are never changed once written, so the cache and the site can share them.
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
