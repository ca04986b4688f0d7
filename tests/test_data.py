"""generator/data.py: open data, a JSON and a BibTeX file per day, the whole archive gzipped."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from generator import urls
from generator.archive import load_archive
from generator.citations import day_bib
from generator.data import iter_data
from generator.trends import DATASETS as trends_datasets
from tests.helpers import fixture_content, write_files


def test_each_day_and_the_whole_archive_hold_what_the_site_shows(tmp_path: Path) -> None:
    content = fixture_content(tmp_path)
    shown = load_archive(content)
    hidden = shown.days[0].papers[0].id
    write_files(
        content, {f"corrections/{hidden}.yaml": f'id: "{hidden}"\nreason: "r"\nhide: true\n'}
    )
    archive = load_archive(content)
    files = dict(iter_data(archive))
    each_day = [
        [urls.day_data(day.date), *([urls.day_bib(day.date)] if day.papers else [])]
        for day in archive.days
    ]
    trends = [urls.trends_data(name, fmt) for name in trends_datasets for fmt in ("csv", "json")]
    assert list(files) == [
        *(path for paths in each_day for path in paths),
        urls.ARCHIVE_DATA,
        *trends,  # the trends page's numbers (their contents: test_trends.py)
    ]
    assert any(len(paths) == 1 for paths in each_day)  # an empty list day: no .bib
    days = []
    for day in archive.days:
        record = json.loads(files[urls.day_data(day.date)])
        assert record["date"] == day.date.isoformat() and record["status"] == day.status
        assert record["papers"] == [paper.as_dict() for paper in day.papers]
        assert hidden not in [paper["id"] for paper in record["papers"]]
        if day.papers:  # the .bib holds the JSON's papers, in its order
            bib = files[urls.day_bib(day.date)].decode("utf-8")
            assert bib == day_bib(day.papers) and hidden not in bib
            eprints = [line[10:-2] for line in bib.splitlines() if line.startswith("  eprint={")]
            assert eprints == [paper["id"] for paper in record["papers"]]
        days.append(record)
    assert json.loads(gzip.decompress(files[urls.ARCHIVE_DATA])) == {"days": days}


def test_the_same_archive_gives_the_same_bytes(tmp_path: Path) -> None:
    content = fixture_content(tmp_path)
    assert dict(iter_data(load_archive(content))) == dict(iter_data(load_archive(content)))


def test_the_archive_gzip_is_one_member_every_reader_takes(tmp_path: Path) -> None:
    # Made of days compressed apart (each kept in the data cache): one gzip member whose
    # DEFLATE blocks run on, checked by the standard library, zlib and the gzip program.
    import shutil
    import subprocess
    import zlib

    from generator.sample import make_sample

    make_sample(tmp_path / "content", 300)
    archive = load_archive(tmp_path / "content")
    files = dict(iter_data(archive))
    packed = files[urls.ARCHIVE_DATA]
    whole = gzip.decompress(packed)
    days = json.loads(whole)["days"]
    assert [d["date"] for d in days] == [d.date.isoformat() for d in archive.days]
    reader = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing, one member
    assert reader.decompress(packed) == whole and reader.eof and reader.unused_data == b""
    if shutil.which("gzip"):
        done = subprocess.run(["gzip", "-dc"], input=packed, capture_output=True, check=True)
        assert done.stdout == whole
    # Compressing days apart costs little against one stream.
    assert len(packed) < 1.1 * len(gzip.compress(whole, 5))
