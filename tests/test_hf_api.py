"""hf_api: daily_papers responses into the archive's papers; every refusal names its cause."""

from __future__ import annotations

import json
from typing import Any

import pytest

from generator.errors import ApiError
from generator.hf_api import parse_response
from tests.helpers import api_item

SOURCE = "2026-05-28 page 0"  # how fetch_day names page 0 of 2026-05-28
HTML = "got an HTML page instead of JSON"


def body(items: list[Any]) -> bytes:
    return json.dumps(items).encode()


# Unusable responses: refused whole, naming the source and the cause.


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<!DOCTYPE html><html><body>Bad gateway</body></html>", HTML),
        (
            '[{"paper": {"id": "2605.00001", "title": "Cut',
            "invalid JSON at line 1 column 42: Unterminated string starting at",
        ),
        ('{"error": "Invalid date"}', "expected a JSON array of papers, got dict"),
        ("null", "expected a JSON array of papers, got NoneType"),
        ("[" * 100_000, "JSON nested too deeply; refused"),  # was "internal error: RecursionError"
        ('[{"paper": ' * 50_000, "JSON nested too deeply; refused"),
    ],
    ids="html truncated-json object null-body nested-arrays nested-objects".split(),
)
def test_unusable_response_is_refused_naming_the_cause(text: str, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_response(text.encode(), SOURCE)
    assert str(caught.value) == f"{SOURCE}: {error}"


# Unusable items: skipped with a warning naming the item; the rest of the response is kept.


def test_item_missing_required_fields_is_skipped_with_a_warning_naming_it() -> None:
    untitled = api_item("2605.00002", 3)
    del untitled["paper"]["title"], untitled["title"]  # nor a top-level title to fall back on
    no_id = api_item("2605.00003", 2)
    del no_id["paper"]["id"]
    parsed = parse_response(body([api_item("2605.00001", 5), untitled, no_id]), SOURCE)
    assert parsed.warnings == [
        "2026-05-28 page 0: item 1: skipped: paper 2605.00002 has no title",
        "2026-05-28 page 0: item 2: skipped: 'paper.id' is not an arXiv id: None",
    ]
    assert [p["id"] for p in parsed.papers] == ["2605.00001"]


def test_nulls_and_unknown_fields_are_harmless() -> None:
    plain = api_item("2605.00001", 4)
    del plain["numComments"]  # a null count is no count
    noisy = api_item(
        "2605.00001",
        4,
        githubRepo=None,
        githubStars=None,
        ai_keywords=None,
        organization=None,
        brandNewField={"nested": [1, 2]},
    )
    noisy.update(numComments=None, organization=None, someFutureFlag=True, thumbnail=None)
    expected = parse_response(body([plain]), SOURCE)
    parsed = parse_response(body([noisy, None]), SOURCE)
    assert expected.warnings == [] and parsed.warnings == [
        "2026-05-28 page 0: item 1: skipped: expected an object, got NoneType"
    ]
    assert len(expected.papers) == 1 and parsed.papers == expected.papers
