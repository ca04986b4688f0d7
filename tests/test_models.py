"""generator/models.py: typed papers and days made from checked content, and back."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from generator.content import day_paths, load_day
from generator.errors import ApiError
from generator.models import Arxiv, Day, Paper, clean_text, order_paper, versionless_id
from generator.validate import check_content
from tests.helpers import fixture_content


def test_every_corpus_paper_is_typed_and_written_back_as_it_was(imported: Path) -> None:
    papers = [paper for path in day_paths(imported) for paper in load_day(path).papers]
    assert len(papers) > 5000
    for raw in papers:
        paper = Paper.from_checked(raw)
        assert paper.as_dict() == order_paper(raw), raw["id"]
        assert list(paper.as_dict()) == list(order_paper(raw)), raw["id"]  # the same key order
    assert any(Paper.from_checked(raw).comments == 0 for raw in papers)  # 0 is not absent


def test_every_recorded_arxiv_entry_is_typed_and_written_back_as_it_was(corpus_dir: Path) -> None:
    from generator.arxiv_api import parse_feed

    mappings = []
    for path in sorted((corpus_dir / "arxiv-api").glob("*.xml")):
        try:
            mappings += parse_feed(path.read_bytes(), path.name, date(2026, 4, 12)).values()
        except ApiError:  # the corpus records error answers too
            continue
    assert len(mappings) >= 3
    for mapping in mappings:
        assert list(Arxiv.from_checked(mapping).as_dict().items()) == list(mapping.items())


def test_fields_are_typed_where_content_is_read(tmp_path: Path) -> None:
    checked = check_content(fixture_content(tmp_path))
    assert not checked.problems
    raw = checked.days[0]["papers"][0]
    paper = Paper.from_checked(
        {**raw, "published": "2025-06-05", "arxiv": {"checked": "2025-06-10", "version": 2}}
    )
    assert paper.published == date(2025, 6, 5)
    assert isinstance(paper.authors, tuple) and isinstance(paper.ai_keywords, tuple)
    assert paper.arxiv == Arxiv(checked=date(2025, 6, 10), version=2)
    assert paper.as_dict()["arxiv"] == {"checked": "2025-06-10", "version": 2}
    assert paper.as_dict()["published"] == "2025-06-05"


def test_papers_and_days_cannot_change_or_grow() -> None:
    paper = Paper(id="2506.00001", title="A title", upvotes=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        paper.title = "Another"  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):
        paper.extra = 1  # type: ignore[attr-defined]  # slotted: no attribute beyond the fields
    day = Day(date(2025, 6, 9), (paper,))
    assert day.status == "listed" and Day(date(2025, 6, 10)).status == "empty"
    with pytest.raises(dataclasses.FrozenInstanceError):
        day.papers = ()  # type: ignore[misc]


def test_absent_values_stay_absent_and_zero_stays_zero() -> None:
    paper = Paper(id="2506.00001", title="T", upvotes=0, comments=0, dropped=True)
    assert paper.as_dict() == {
        "id": "2506.00001",
        "title": "T",
        "upvotes": 0,
        "comments": 0,
        "dropped": True,
    }
    assert "dropped" not in Paper(id="2506.00002", title="T").as_dict()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2506.00001v3", "2506.00001"),
        (" hep-th/9901001v1 ", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("2506.00001\n", "2506.00001"),
        ("not an id", None),
        ("2506.001", None),
    ],
)
def test_versionless_id(raw: str, expected: str | None) -> None:
    assert versionless_id(raw) == expected


def test_clean_text_unwraps_lines_keeps_paragraphs_and_drops_controls() -> None:
    text = "  A line\n  wrapped\there.\n\n\n Next\u202e paragraph\x07 "
    assert clean_text(text) == "A line wrapped here.\n\nNext paragraph"
    assert clean_text("e\u0301") == "\u00e9"  # NFC
