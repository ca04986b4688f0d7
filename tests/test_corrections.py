"""Corrections by pull request: they win over fetched values and survive every re-import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.archive import load_archive
from generator.content import day_path, load_day
from generator.errors import ContentError
from generator.importer import import_dir
from generator.models import Paper
from tests.helpers import api_item, write_files, write_response

CORRECTION = """\
# yaml-language-server: $schema=../../generator/schemas/correction.schema.json
id: "2506.00001"
reason: "arXiv v2 fixed the title: https://arxiv.org/abs/2506.00001v2"
set:
  title: "The   corrected title"
  authors: ["Ada Lovelace", "Charles Babbage"]
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    items = [api_item("2506.00001", 9), api_item("2506.00002", 5), api_item("2506.00003", 1)]
    content = tmp_path / "content"
    import_dir(write_response(tmp_path / "v1", "2025-06-10", items).parent, content)
    write_files(
        content,
        {
            "corrections/2506.00001.yaml": CORRECTION,
            "corrections/2506.00002.yaml": 'id: "2506.00002"\nreason: "spam"\nhide: true\n',
        },
    )
    return content


def _shown(content: Path) -> tuple[Paper, ...]:
    return load_archive(content).days[0].papers


def test_set_wins_and_hide_removes(content: Path) -> None:
    papers = _shown(content)
    assert [p.id for p in papers] == ["2506.00001", "2506.00003"]
    assert papers[0].title == "The corrected title"
    assert papers[0].authors == ("Ada Lovelace", "Charles Babbage")
    assert papers[0].upvotes == 9  # untouched fields stay fetched values
    stored = load_day(day_path(content, date(2025, 6, 10))).papers
    assert stored[0]["title"] == "Paper 2506.00001"  # day files keep what upstream said


def test_correction_survives_reimport(content: Path, tmp_path: Path) -> None:
    before = (content / "corrections/2506.00001.yaml").read_bytes()
    newer = [api_item("2506.00001", 20, title="Upstream title"), api_item("2506.00002", 6)]
    import_dir(write_response(tmp_path / "v2", "2025-06-10", newer).parent, content)
    papers = _shown(content)
    assert papers[0].title == "The corrected title" and papers[0].upvotes == 20
    assert "2506.00002" not in [p.id for p in papers]
    assert (content / "corrections/2506.00001.yaml").read_bytes() == before


def test_correction_applies_on_every_day_the_paper_is_listed(content: Path, tmp_path: Path) -> None:
    import_dir(
        write_response(tmp_path / "v3", "2025-06-11", [api_item("2506.00001")]).parent, content
    )
    days = load_archive(content).days
    assert [d.papers[0].title for d in days] == ["The corrected title"] * 2


def test_unloadable_correction_names_its_file(tmp_path: Path) -> None:
    write_files(tmp_path, {"corrections/2506.00001.yaml": 'id: "2506.00001"\nset:\n  upvotes: 3\n'})
    with pytest.raises(ContentError, match=r"2506.00001.yaml:3:3: unknown field 'upvotes' in set"):
        load_archive(tmp_path)
