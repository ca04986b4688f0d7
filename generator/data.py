"""Open data: every day as JSON and its papers as BibTeX, the whole archive gzipped, trends."""

from __future__ import annotations

import functools
import gzip
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from . import urls
from .archive import Archive
from .citations import day_bib
from .models import Day
from .trends import Trends, iter_trends_data, trends_of


def _json(value: Any) -> bytes:
    # Compact (6% smaller than indented): browsers lay JSON out for reading anyway.
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _now(inputs: str, make: Callable[[], str]) -> str:
    return make()


def _day_json(day: Day) -> str:
    record = {
        "date": day.date.isoformat(),
        "status": day.status,
        "fetched": day.fetched.isoformat() if day.fetched else None,
        # Corrections applied, hidden papers left out: what the site shows.
        "papers": [paper.as_dict() for paper in day.papers],
    }
    return _json(record).decode("utf-8")


def iter_data(
    archive: Archive,
    trends: Trends | None = None,
    memo: Callable[[str, Callable[[], str]], str] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """(site path, bytes) of each day's data/YYYY/MM/DD.json and, for a day with papers, its
    DD.bib beside it; then data/archive.json.gz, and the trends page's numbers. A memo (the
    build's cache, as for pages.Generator) gives a day's files as they were made before from
    the same day."""
    made = memo or _now
    # One at a time, and the archive's JSON compressed as it is made: at 30,000 papers the
    # days' files are 66 MB, which the build need not hold at once.
    # mtime=0 keeps the download byte-identical from build to build. Level 5: level 6 took
    # twice as long (1.1 s more at 30,000 papers) for a file 8% smaller, level 9 four times.
    archive_gz = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=archive_gz, mode="wb", compresslevel=5, mtime=0) as gz:
        gz.write(b'{"days":[')
        for number, day in enumerate(archive.days):
            # A day's files are made from the day alone (repr: every field of every paper,
            # worked out once for both: 1.5 s at 30,000 papers).
            inputs = repr(day)
            text = made(f"day json {inputs}", functools.partial(_day_json, day)).encode("utf-8")
            yield urls.day_data(day.date), text
            if day.papers:  # the same papers as the JSON: corrected, hidden ones left out
                bib = made(f"day bib {inputs}", functools.partial(day_bib, day.papers))
                yield urls.day_bib(day.date), bib.encode("utf-8")
            gz.write((b"," if number else b"") + text[:-1])  # without its newline
        gz.write(b"]}\n")
    yield urls.ARCHIVE_DATA, archive_gz.getvalue()
    yield from iter_trends_data(trends or trends_of(archive))
