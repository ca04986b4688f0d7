"""Waiting until Pagefind's files are whole: its service answers write_files before they are.

Pagefind 1.5.2 hands its writes to background threads and exits as soon as its input closes,
which left files truncated or empty now and then, mostly on a busy machine. Its index files are
gzip, whose trailer proves a file whole; any other must stop growing. Pagefind's main branch
flushes every file before it answers since https://github.com/Pagefind/pagefind/pull/1272,
released after 1.5.2: with that release this wait can go.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
from pathlib import Path

from ..errors import BuildError


async def until_written(bundle: Path, timeout: float = 120) -> None:
    """Wait until every file of a bundle Pagefind is writing is whole."""
    deadline = asyncio.get_running_loop().time() + timeout
    whole: set[str] = set()
    sizes: dict[str, int] = {}  # bytes of each file not yet whole, at the last look
    # Each look in a thread: the event loop meanwhile sends another year's records.
    while not await asyncio.to_thread(all_whole, bundle, whole, sizes):
        if asyncio.get_running_loop().time() > deadline:
            raise BuildError(f"search index: Pagefind did not finish writing {bundle}")
        await asyncio.sleep(0.1)


def all_whole(bundle: Path, whole: set[str], sizes: dict[str, int]) -> bool:
    """Look at the files not yet whole (adding those that now are); whether all are."""
    # Files found whole are not read again: a bundle has thousands.
    files = [os.path.join(folder, name) for folder, _, names in os.walk(bundle) for name in names]
    for path in files:
        if path not in whole:
            data = Path(path).read_bytes()
            if _whole(data, sizes.get(path)):
                whole.add(path)
            sizes[path] = len(data)
    whole.intersection_update(files)  # a file Pagefind renamed or removed meanwhile
    return len(whole) == len(files) and _entry_ok(bundle)


def _whole(data: bytes, size_before: int | None) -> bool:
    if not data.startswith(b"\x1f\x8b"):
        return bool(data) and len(data) == size_before  # the same size 0.1 s apart
    try:
        gzip.decompress(data)
    except (OSError, EOFError):  # gzip.BadGzipFile is an OSError
        return False
    return True


def _entry_ok(bundle: Path) -> bool:
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return all(
        (bundle / f"pagefind.{lang['hash']}.pf_meta").is_file()
        for lang in entry["languages"].values()
    )
