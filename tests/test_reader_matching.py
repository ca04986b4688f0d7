"""tests/data/matching-cases.yaml against generator/topics.Words: the rules reader.js follows.

The same cases run through reader.js's matcher in tests/test_reader_browser.py, so a topic's
words and a reader's watch list find a phrase alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.topics import Words, topic_from_checked

CASES_FILE = Path(__file__).parent / "data" / "matching-cases.yaml"


def matching_cases() -> list[dict[str, Any]]:
    """The cases: text, phrase, expected."""
    cases: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text("utf-8"))["cases"]
    return cases


def rule_phrase(phrase: str) -> tuple[str, ...]:
    """The phrase as topics.yml's `words` hold it, through the code that reads the file."""
    data = {"slug": "x", "name": "x", "description": "x", "match": {"words": [phrase]}}
    return topic_from_checked(data).words[0]


def test_the_cases_cover_each_rule() -> None:
    cases = matching_cases()
    assert len(cases) >= 50
    assert all(set(case) == {"text", "phrase", "expected"} for case in cases)
    assert all(isinstance(case["expected"], bool) for case in cases)
    assert {case["expected"] for case in cases} == {True, False}
    assert any("*" in case["phrase"] for case in cases)
    assert any(not case["text"].isascii() for case in cases)


@pytest.mark.parametrize("case", matching_cases(), ids=lambda case: f"{case['phrase']}")
def test_words_finds_the_phrase_as_each_case_says(case: dict[str, Any]) -> None:
    found = Words(case["text"]).has(rule_phrase(case["phrase"]))
    assert found is case["expected"], case
