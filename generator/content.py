"""content/: where day files live, how they are read, merged with new responses and written."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import yamlfile
from .errors import ContentError
from .models import COUNT_FIELDS, UPSTREAM_FIELDS, order_paper
from .validate import (
    DAY_SCHEMA_HEADER,
    STATUS_FILE,
    check_day_file,
    check_day_text,
    check_status_file,
    content_files,
)


@dataclass
class DayFile:
    """A day file as stored: papers as the mappings `fetch` and `import` merge field by field.

    Writing works on these; the site reads typed models.Day values made by archive.py.
    """

    date: datetime.date
    papers: list[dict[str, Any]] = field(default_factory=list)
    fetched: datetime.date | None = None  # UTC date of the last successful fetch, when known

    @property
    def status(self) -> str:
        """'listed' when the day has papers, 'empty' when the list was empty."""
        return "listed" if self.papers else "empty"


def day_path(content: Path, day: date) -> Path:
    """content/papers/YYYY/MM/YYYY-MM-DD.yaml"""
    return content / "papers" / f"{day:%Y}" / f"{day:%m}" / f"{day.isoformat()}.yaml"


def day_paths(content: Path) -> list[Path]:
    """Every day file under content/papers that `validate` reads, oldest first."""
    return content_files(content)


def dump_day(day: DayFile) -> str:
    """The exact text of a day file: same day, same bytes."""
    data: dict[str, Any] = {"date": day.date.isoformat(), "status": day.status}
    if day.fetched:
        data["fetched"] = day.fetched.isoformat()
    data["papers"] = [order_paper(paper) for paper in day.papers]
    return yamlfile.dump(data, header=DAY_SCHEMA_HEADER)


def load_day(path: Path) -> DayFile:
    """Read one day file through the same checks as `validate`; ContentError if it fails them."""
    data = check_day_file(path)
    fetched = data.get("fetched")
    return DayFile(
        date=date.fromisoformat(data["date"]),
        papers=data["papers"],
        fetched=date.fromisoformat(fetched) if fetched else None,
    )


def merge_paper(stored: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """Update a stored paper from a newer response without losing anything it had."""
    merged = dict(stored)
    for key in UPSTREAM_FIELDS:
        if key in incoming:
            merged[key] = incoming[key]
    for key in COUNT_FIELDS:
        if key in incoming:
            merged[key] = max(stored.get(key, 0), incoming[key])
    merged.pop("dropped", None)  # listed again
    return order_paper(merged)


def merge_papers(
    stored: list[dict[str, Any]], incoming: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Merge a day's new response into its stored papers; nothing once listed is removed."""
    by_id = {paper["id"]: paper for paper in stored}
    incoming_ids = {paper["id"] for paper in incoming}
    merged = [
        merge_paper(by_id[paper["id"]], paper) if paper["id"] in by_id else order_paper(paper)
        for paper in incoming
    ]
    merged += [
        order_paper({**paper, "dropped": True})
        for paper in stored
        if paper["id"] not in incoming_ids
    ]
    # Hugging Face lists by upvotes, highest first; the sort is stable, so ties keep
    # the response's order and papers upstream dropped follow those it still lists.
    merged.sort(key=lambda paper: -paper.get("upvotes", 0))
    return merged


@dataclass
class SaveResult:
    """What saving one day did: state is 'new', 'changed' or 'unchanged'."""

    day: DayFile
    state: str
    papers_added: int


def save_day(
    content: Path, day: date, incoming: list[dict[str, Any]], fetched: date | None = None
) -> SaveResult:
    """Merge a day's papers into its file and write it atomically if anything changed.

    The one code path by which `import` and `fetch` write content.
    """
    path = day_path(content, day)
    stored = load_day(path) if path.exists() else None
    if stored is not None and stored.date != day:
        raise ContentError(f"{path}: holds date {stored.date}, expected {day}")
    old_papers = stored.papers if stored else []
    old_ids = {paper["id"] for paper in old_papers}
    known_fetch = [d for d in (fetched, stored.fetched if stored else None) if d]
    merged = DayFile(
        date=day,
        papers=merge_papers(old_papers, incoming),
        fetched=max(known_fetch) if known_fetch else None,
    )
    text = dump_day(merged)
    check_day_text(path, text)  # never write what `validate` (and so `build`) would refuse
    changed = yamlfile.write_atomic(path, text)
    state = "new" if stored is None else "changed" if changed else "unchanged"
    added = sum(1 for paper in incoming if paper["id"] not in old_ids)
    return SaveResult(day=merged, state=state, papers_added=added)


# content/fetch-status.yaml

STATUS_HEADER = (
    "# Days whose last fetch failed: day -> {failed: date of that fetch, error: why}.\n"
    "# Written by `python -m generator fetch`; an entry goes when the day is fetched again.\n"
)


def load_status(content: Path) -> dict[str, dict[str, str]]:
    """Days whose last fetch failed, {YYYY-MM-DD: {failed, error}}, checked as `validate` does."""
    return check_status_file(content / STATUS_FILE)


def save_status(content: Path, status: dict[str, dict[str, str]]) -> None:
    """Write the status file, sorted by day; remove it when no day has failed."""
    path = content / STATUS_FILE
    if not status:
        path.unlink(missing_ok=True)
        return
    entries = {day: dict(status[day]) for day in sorted(status)}
    yamlfile.write_atomic(path, yamlfile.dump(entries, header=STATUS_HEADER))
