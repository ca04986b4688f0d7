"""The day file format: deterministic bytes, readable YAML, lossless round trips."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

import generator.validate
from generator import yamlfile
from generator.archive import load_archive
from generator.content import (
    DAY_SCHEMA_HEADER,
    STATUS_HEADER,
    DayFile,
    day_path,
    day_paths,
    dump_day,
    load_day,
    load_status,
    save_status,
)
from generator.errors import ContentError
from generator.hf_api import normalise_item
from generator.models import PAPER_FIELDS, clean_text
from generator.validate import STATUS_FILE
from tests.helpers import api_item, fixture_content


def test_every_corpus_file_round_trips_and_redumps_identically(imported: Path) -> None:
    for path in day_paths(imported):
        text = path.read_text("utf-8")
        day = load_day(path)
        assert dump_day(day) == text, path
        assert yamlfile.loads(dump_day(day)) == yamlfile.loads(text)


def test_file_layout_and_key_order(imported: Path) -> None:
    path = day_path(imported, date(2025, 6, 10))
    assert path == imported / "papers/2025/06/2025-06-10.yaml"
    text = path.read_text("utf-8")
    assert text.startswith(DAY_SCHEMA_HEADER + "date: 2025-06-10\nstatus: listed\npapers:\n")
    assert "- id: '2506.08007'\n  title: Reinforcement Pre-Training\n  authors:\n" in text
    for paper in load_day(path).papers:
        assert list(paper) == [key for key in PAPER_FIELDS if key in paper]


def test_abstracts_are_folded_block_scalars_and_urls_stay_whole(imported: Path) -> None:
    text = day_path(imported, date(2025, 6, 10)).read_text("utf-8")
    assert "  abstract: >-\n    In this work, we introduce Reinforcement Pre-Training" in text
    assert all(len(line) <= 140 for line in text.splitlines() if "://" not in line)
    media = "https://cdn-uploads.huggingface.co/production/uploads/5df85abada6d0311fd3d5408/"
    assert f"  - {media}OeDc7c4QFJOxdkJWvdbWB.png\n" in text


def test_hostile_text_round_trips_exactly() -> None:
    nasty = [
        "<script>alert('x')</script> {{ config }} {% raw %} ${x} & &amp;",
        "# not a comment: - [a] {b} 'q' \"d\" | > ! % @ ` *alias &anchor",
        "yes",
        "no",
        "null",
        "~",
        "2509.01234",
        "0x1F",
        "1e3",
        "2026-05-29",
        "-",
        "? x",
        "ends with colon:",
        " leading and trailing ",
        "tab\there",
        "\u03b1 \u03b2 \u03b3 中文 🙂 \u202e",
        "word " * 60 + "end",
        "First paragraph.\n\nSecond paragraph " + "long " * 30,
    ]
    papers = [{"id": f"2501.{i:05d}", "title": text, "upvotes": i} for i, text in enumerate(nasty)]
    day = DayFile(date=date(2025, 1, 2), papers=papers)
    loaded = yamlfile.loads(dump_day(day))
    assert [p["title"] for p in loaded["papers"]] == nasty
    assert dump_day(day) == dump_day(DayFile(date=date(2025, 1, 2), papers=loaded["papers"]))


def test_clean_text_unwraps_keeps_paragraphs_drops_controls() -> None:
    assert clean_text("We introduce the first\n  model-stealing attack") == (
        "We introduce the first model-stealing attack"
    )
    assert clean_text("  One.\n \nTwo\tthree.\r\n") == "One.\n\nTwo three."
    assert clean_text("bell\x07 and nul\x00 and bom\ufffe gone") == "bell and nul and bom gone"
    assert clean_text("cafe\u0301") == "caf\u00e9"  # NFC


def test_normalise_item_ignores_unknown_fields_and_nulls() -> None:
    item = api_item("2506.08007v2", 5, githubRepo=None, ai_keywords=None, brandNew={"x": 1})
    item["organization"] = None
    item["futureField"] = [1, 2]
    paper = normalise_item(item)
    assert paper["id"] == "2506.08007"  # versionless
    assert paper["abstract"] == "An abstract with a hard wrap."
    assert set(paper) == {"id", "title", "authors", "published", "upvotes", "comments", "abstract"}


def test_non_http_urls_are_not_kept() -> None:
    item = api_item("2506.00001", githubRepo="javascript:alert(1)", projectPage="ftp://x/y")
    item["thumbnail"] = "data:image/png;base64,AAAA"
    paper = normalise_item(item)
    assert "github" not in paper and "project_page" not in paper and "thumbnail" not in paper


def test_days_load_alike_in_two_processes_and_name_a_broken_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = fixture_content(tmp_path)
    one = load_archive(content).days
    monkeypatch.setattr(generator.validate, "PARALLEL_CHECK", 2)  # the forked half, here too
    assert load_archive(content).days == one
    newest = day_paths(content)[-1]  # in the forked process's half
    newest.write_text("date: 2025-06-12\npapers: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(str(newest))):
        load_archive(content)


# content/fetch-status.yaml


def test_status_file_is_written_sorted_and_removed_when_no_day_failed(tmp_path: Path) -> None:
    failed = {"failed": "2026-05-29", "error": "2026-05-28 page 0: HTTP 503 Service Unavailable"}
    save_status(tmp_path, {"2026-05-28": failed, "2026-05-12": {**failed, "failed": "2026-05-13"}})
    assert (tmp_path / STATUS_FILE).read_text("utf-8").startswith(STATUS_HEADER + "2026-05-12:\n")
    status = load_status(tmp_path)
    assert list(status) == ["2026-05-12", "2026-05-28"] and status["2026-05-28"] == failed
    save_status(tmp_path, {})
    assert not (tmp_path / STATUS_FILE).exists() and load_status(tmp_path) == {}


def test_status_file_is_read_through_the_validate_gate(tmp_path: Path) -> None:
    (tmp_path / STATUS_FILE).write_text("2026-05-24: {failed: 2026-05-29}\n", "utf-8")
    with pytest.raises(ContentError, match=r"fetch-status.yaml:1:13: missing field 'error'"):
        load_status(tmp_path)
