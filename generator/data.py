"""Open data: every day as JSON and its papers as BibTeX, the whole archive gzipped, trends."""

from __future__ import annotations

import base64
import functools
import io
import json
import struct
import zlib
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
    archive_gz = _Gzip()
    archive_gz.add(b'{"days":[')
    for number, day in enumerate(archive.days):
        # A day's files are made from the day alone (repr: every field of every paper,
        # worked out once for all three: 1.5 s at 30,000 papers).
        inputs = repr(day)
        text = made(f"day json {inputs}", functools.partial(_day_json, day)).encode("utf-8")
        yield urls.day_data(day.date), text
        if day.papers:  # the same papers as the JSON: corrected, hidden ones left out
            bib = made(f"day bib {inputs}", functools.partial(day_bib, day.papers))
            yield urls.day_bib(day.date), bib.encode("utf-8")
        part = (b"," if number else b"") + text[:-1]  # without its newline
        # Compressing 66 MB took 3 s every night; a day's part is compressed on its own, so
        # it is kept with the day's files and only a changed day's is compressed again.
        packed = made(f"day gz {number > 0} {inputs}", functools.partial(_deflate_text, part))
        archive_gz.add(part, base64.b64decode(packed))
    archive_gz.add(b"]}\n")
    yield urls.ARCHIVE_DATA, archive_gz.close()
    yield from iter_trends_data(trends or trends_of(archive))


# Level 5: level 6 took twice as long (1.1 s more at 30,000 papers) for a file 8% smaller,
# level 9 four times.
GZIP_LEVEL = 5


def _deflate(data: bytes, final: bool = False) -> bytes:
    """Raw DEFLATE blocks of data alone: with a flush to a byte boundary (not the last
    block), blocks of one day after another make one valid stream, each referring only to
    its own bytes; the last part is closed with the final block."""
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


def _deflate_text(data: bytes) -> str:
    return base64.b64encode(_deflate(data)).decode("ascii")  # the cache keeps text


class _Gzip:
    """One gzip member (RFC 1952) made of DEFLATE parts: any gzip reader reads it whole."""

    def __init__(self) -> None:
        # No name, mtime 0 (a byte-identical download from build to build), level 5, Unix.
        self.out = io.BytesIO(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
        self.out.seek(0, io.SEEK_END)
        self.crc, self.size = 0, 0

    def add(self, data: bytes, packed: bytes | None = None) -> None:
        """data, or data as packed by _deflate before."""
        self.out.write(_deflate(data) if packed is None else packed)
        self.crc, self.size = zlib.crc32(data, self.crc), self.size + len(data)

    def close(self) -> bytes:
        """The whole file: an empty final block, then the trailer."""
        self.out.write(_deflate(b"", final=True))
        self.out.write(struct.pack("<II", self.crc, self.size & 0xFFFFFFFF))
        return self.out.getvalue()
