"""generator/data.py: open data, one JSON file per day and the whole archive gzipped."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from generator import urls
from generator.archive import load_archive
from generator.data import iter_data
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
    assert list(files) == [*(urls.day_data(day.date) for day in archive.days), urls.ARCHIVE_DATA]
    days = []
    for day in archive.days:
        record = json.loads(files[urls.day_data(day.date)])
        assert record["date"] == day.date.isoformat() and record["status"] == day.status
        assert record["papers"] == [paper.as_dict() for paper in day.papers]
        assert hidden not in [paper["id"] for paper in record["papers"]]
        days.append(record)
    assert json.loads(gzip.decompress(files[urls.ARCHIVE_DATA])) == {"days": days}


def test_the_same_archive_gives_the_same_bytes(tmp_path: Path) -> None:
    content = fixture_content(tmp_path)
    assert dict(iter_data(load_archive(content))) == dict(iter_data(load_archive(content)))
