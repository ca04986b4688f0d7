"""`import`: write recorded API responses (YYYY-MM-DD.json) into content/."""

from __future__ import annotations

import os
import re
import stat
from datetime import date
from pathlib import Path

from . import content as content_files
from .errors import ArchiveError
from .hf_api import MAX_BODY, parse_response, too_large
from .progress import progress_bar
from .summary import Summary

RESPONSE_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")
# Opening a FIFO for reading blocks until a writer comes; non-blocking, it returns at once and
# fstat then tells it is no regular file. Regular files ignore the flag.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def import_dir(source: Path, content: Path, fetched: date | None = None) -> Summary:
    """Import every YYYY-MM-DD.json in source; a bad file fails its day only.

    Should something unexpected (a bug) stop the run, the days written before it are told all
    the same: the summary so far is printed, headed by the file it stopped at, and the error
    (which carries that heading as a note) goes on to the caller.
    """
    if not source.is_dir():
        raise ArchiveError(f"{source}: not a directory")
    files = sorted(path for path in source.iterdir() if RESPONSE_FILE.match(path.name))
    if not files:
        raise ArchiveError(f"{source}: no YYYY-MM-DD.json files to import")
    summary = Summary()
    path = files[0]
    try:
        with progress_bar("importing", total=len(files)) as advance:
            for path in files:
                _import_file(path, content, fetched, summary)
                advance(1)
    except BaseException as exc:  # a bug or Ctrl-C: what was written must still be told
        stopped = f"import stopped at {path} by {type(exc).__name__}; before it:"
        exc.add_note(stopped)
        print(stopped)
        for line in summary.lines():
            print(line)
        raise
    return summary


def _import_file(path: Path, content: Path, fetched: date | None, summary: Summary) -> None:
    """Import one response file into summary; an unusable file is one failed line."""
    try:
        day = date.fromisoformat(path.stem)  # the list day is the requested date
        parsed = parse_response(read_response(path), str(path))
        summary.warnings += parsed.warnings
        summary.record(content_files.save_day(content, day, parsed.papers, fetched))
    except (ArchiveError, ValueError, OSError) as exc:
        summary.failed.append(str(exc) if isinstance(exc, ArchiveError) else f"{path}: {exc}")


def read_response(path: Path) -> bytes:
    """A recorded response's bytes: a regular file of at most MAX_BODY bytes, else ArchiveError.

    A FIFO, device or directory with a response's name is refused without reading (a FIFO
    would otherwise wait forever for a writer), and a big file before it is read whole.
    """
    kind = _kind(path.stat().st_mode)  # sockets cannot even be opened: refuse them first
    if kind is None:
        fd = os.open(path, _OPEN_FLAGS)  # then check what was opened: it may have been swapped
        with open(fd, "rb", closefd=True) as file:
            info = os.fstat(file.fileno())
            kind = _kind(info.st_mode)
            if kind is None:
                if info.st_size > MAX_BODY:
                    raise too_large(str(path), f"file ({info.st_size} bytes)")
                data = file.read(MAX_BODY + 1)  # it may have grown since
                if len(data) > MAX_BODY:
                    raise too_large(str(path), "file")
                return data
    raise ArchiveError(f"{path}: not a regular file but a {kind}; skipped")


def _kind(mode: int) -> str | None:
    """None for a regular file, else what it is."""
    if stat.S_ISREG(mode):
        return None
    kinds = {
        stat.S_ISDIR: "directory",
        stat.S_ISFIFO: "FIFO",
        stat.S_ISSOCK: "socket",
        stat.S_ISCHR: "character device",
        stat.S_ISBLK: "block device",
    }
    return next((name for test, name in kinds.items() if test(mode)), "special file")
