"""`sample`: a deterministic synthetic archive with realistic sizes, valid like real content."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.archive import load_archive
from generator.content import day_paths
from generator.validate import validate


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = tmp_path_factory.mktemp("sample") / "content"
    assert main(["sample", "--papers", "3000", "--content", str(content)]) == 0
    return content


def test_sizes_are_realistic(sample: Path) -> None:
    days = load_archive(sample).days
    papers = [p for day in days for p in day.papers]
    assert len(papers) == 3000
    assert len({p.id for p in papers}) == 3000
    listed = [len(day.papers) for day in days if day.papers]
    assert 15 <= statistics.mean(listed) <= 25
    assert any(not day.papers for day in days)  # weekends are empty days
    assert 1100 <= statistics.mean(len(p.abstract) for p in papers) <= 1700
    authors = [len(p.authors) for p in papers]
    assert min(authors) == 1 and max(authors) >= 100 and 5 <= statistics.mean(authors) <= 15
    assert any("$" in p.abstract for p in papers)
    for field in (
        "github",
        "github_stars",
        "project_page",
        "organization",
        "ai_summary",
        "ai_keywords",
        "media",
        "thumbnail",
        "submitter",
    ):
        share = sum(bool(getattr(p, field)) for p in papers) / len(papers)
        assert 0 < share <= 1, field


def test_sample_is_valid_content(sample: Path) -> None:
    assert validate(sample) == []


def test_same_arguments_same_bytes(sample: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["sample", "--papers", "3000", "--content", str(again)]) == 0
    assert [p.read_bytes() for p in day_paths(again)] == [p.read_bytes() for p in day_paths(sample)]


def test_refuses_to_write_into_existing_content(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sample", "--papers", "10", "--content", str(sample)]) == 1
    assert "already holds day files" in capsys.readouterr().err
