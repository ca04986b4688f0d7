"""The account of an import or fetch run: each saved day counted once, every problem listed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from generator.content import save_day
from generator.summary import Summary

DAY = date(2025, 6, 9)


def _paper(paper_id: str, upvotes: int = 1) -> dict[str, Any]:
    return {"id": paper_id, "title": f"Paper {paper_id}", "upvotes": upvotes}


def test_a_new_summary_says_nothing_happened() -> None:
    assert Summary().lines() == [
        "days: 0 new, 0 changed, 0 unchanged, 0 empty, 0 failed",
        "papers added: 0",
    ]


def test_saved_days_are_counted_by_what_saving_did(tmp_path: Path) -> None:
    summary = Summary()
    listed = [_paper("2506.00001"), _paper("2506.00002")]
    summary.record(save_day(tmp_path, DAY, listed))
    summary.record(save_day(tmp_path, date(2025, 6, 10), []))  # an empty list day
    summary.record(save_day(tmp_path, DAY, listed))  # the same response again
    summary.record(save_day(tmp_path, DAY, [*listed, _paper("2506.00003", 5)]))
    assert (summary.new, summary.changed, summary.unchanged, summary.empty) == (2, 1, 1, 1)
    assert summary.papers_added == 3  # a paper is added once, however often it is saved
    assert summary.lines() == [
        "days: 2 new, 1 changed, 1 unchanged, 1 empty, 0 failed",
        "papers added: 3",
    ]


def test_requests_warnings_and_failures_each_get_lines() -> None:
    summary = Summary(requests=7, retries=2)
    summary.warnings += ["2025-06-09: skipped an item without a paper id", "arXiv: timed out"]
    summary.failed.append("2025-06-10 page 0: HTTP 503")
    assert summary.lines() == [
        "days: 0 new, 0 changed, 0 unchanged, 0 empty, 1 failed",
        "papers added: 0",
        "requests: 7 (2 retries)",
        "warning: 2025-06-09: skipped an item without a paper id",
        "warning: arXiv: timed out",
        "failed: 2025-06-10 page 0: HTTP 503",
    ]


def test_summaries_do_not_share_their_lists() -> None:
    first, second = Summary(), Summary()
    first.failed.append("x")
    first.warnings.append("y")
    assert (second.failed, second.warnings) == ([], [])
