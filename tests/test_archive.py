"""generator/archive.py: the read model, each paper once, on its first day, newest counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from generator.archive import Archive, load_archive
from generator.models import Day, Paper


def _paper(paper_id: str, upvotes: int) -> Paper:
    return Paper(id=paper_id, title=f"Paper {paper_id}", upvotes=upvotes)


def test_each_paper_once_with_its_first_day_and_latest_counts() -> None:
    first, second = date(2025, 6, 9), date(2025, 6, 10)
    archive = Archive(
        days=[
            Day(first, (_paper("2506.00001", 3), _paper("2506.00002", 1))),
            Day(
                date(2025, 6, 9).replace(day=10), (_paper("2506.00003", 7), _paper("2506.00001", 9))
            ),
            Day(date(2025, 6, 11)),
        ]
    )
    assert list(archive.papers) == ["2506.00001", "2506.00002", "2506.00003"]
    assert archive.papers["2506.00001"].upvotes == 9  # as on its latest listing
    assert archive.first_listed["2506.00001"] == first
    assert archive.first_listed["2506.00003"] == second
    assert archive.permalink("2506.00001") == "2025/06/09/#2506.00001"
    assert [day.date for day in archive.listed_days] == [first, second]


def test_load_archive_types_every_paper(tmp_path: Path) -> None:
    from tests.helpers import fixture_content

    archive = load_archive(fixture_content(tmp_path))
    papers = [paper for day in archive.days for paper in day.papers]
    assert papers and all(isinstance(paper, Paper) for paper in papers)
    assert all(isinstance(day.papers, tuple) for day in archive.days)
