"""`import`: write recorded API responses (YYYY-MM-DD.json) into content/."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from . import content as content_files
from .errors import ArchiveError
from .hf_api import parse_response
from .progress import progress_bar
from .summary import Summary

RESPONSE_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")


def import_dir(source: Path, content: Path, fetched: date | None = None) -> Summary:
    """Import every YYYY-MM-DD.json in source; a bad file fails its day only."""
    if not source.is_dir():
        raise ArchiveError(f"{source}: not a directory")
    files = sorted(path for path in source.iterdir() if RESPONSE_FILE.match(path.name))
    if not files:
        raise ArchiveError(f"{source}: no YYYY-MM-DD.json files to import")
    summary = Summary()
    with progress_bar("importing", total=len(files)) as advance:
        for path in files:
            try:
                day = date.fromisoformat(path.stem)  # the list day is the requested date
                parsed = parse_response(path.read_bytes(), str(path))
                summary.warnings += parsed.warnings
                summary.record(content_files.save_day(content, day, parsed.papers, fetched))
            except (ArchiveError, ValueError, OSError) as exc:
                summary.failed.append(
                    str(exc) if isinstance(exc, ArchiveError) else f"{path}: {exc}"
                )
            advance(1)
    return summary
