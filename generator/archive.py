"""The archive as readers see it: days with corrections applied, each paper once, its topics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from . import urls
from .corrections import Correction, corrected, correction_from_checked
from .forked import in_two
from .models import Day, Paper
from .topics import Topic, TopicMatcher, topics_from_checked
from .validate import Checked, check_content

PARALLEL_TOPICS = 2000  # papers from which matching topics in two processes pays off


@dataclass
class Archive:
    """Everything generation needs, loaded once; generation never reads content/ again."""

    days: list[Day]  # oldest first; corrections applied, hidden papers gone
    topics: list[Topic] = field(default_factory=list)
    sample: bool = False  # built from generated sample data
    fetch_status: dict[str, dict[str, str]] = field(default_factory=dict)  # failed days

    @cached_property
    def listed_days(self) -> list[Day]:
        """Days with at least one paper, oldest first."""
        return [day for day in self.days if day.papers]

    @cached_property
    def first_listed(self) -> dict[str, date]:
        """Each paper's first list day: its permalink lives on that day's page."""
        first: dict[str, date] = {}
        for day in self.days:
            for paper in day.papers:
                first.setdefault(paper.id, day.date)
        return first

    @cached_property
    def papers(self) -> dict[str, Paper]:
        """Each paper once, as on its latest listing (newest counts), in first-listed order."""
        latest: dict[str, Paper] = {}
        for day in self.days:
            for paper in day.papers:
                latest[paper.id] = paper
        return {paper_id: latest[paper_id] for paper_id in self.first_listed}

    @cached_property
    def paper_topics(self) -> dict[str, list[str]]:
        """Topic slugs of each paper, in topics.yml order."""
        return dict(zip(self.papers, self.match_topics(list(self.papers.values())), strict=True))

    def match_topics(self, papers: list[Paper]) -> list[list[str]]:
        """Topic slugs of each of these papers, in topics.yml order."""
        matcher = TopicMatcher(self.topics)

        def slugs(some: list[Paper]) -> list[list[str]]:
            return [matcher.slugs(paper) for paper in some]

        # Every build waits for this before anything else starts (1.5 s at 30,000 papers).
        return in_two(slugs, papers, at_least=PARALLEL_TOPICS)

    def permalink(self, paper_id: str) -> str:
        """Site path of a paper: its section on its first list day, e.g. 2026/05/29/#2605.29801."""
        return urls.permalink(self.first_listed[paper_id], paper_id)


def load_archive(content: Path, sample: bool = False) -> Archive:
    """Read content/ once, through the same checks as `validate`; ContentError if it fails."""
    checked = check_content(content)
    checked.raise_problems()
    return archive_from_checked(checked, sample=sample)


def archive_from_checked(checked: Checked, sample: bool = False) -> Archive:
    """The archive from content that `validate` accepted: days, corrections, topics, status."""
    corrections = {
        correction.id: correction
        for correction in map(correction_from_checked, checked.corrections)
    }
    return Archive(
        days=[_day(data, corrections) for data in checked.days],
        topics=topics_from_checked(checked.topics),
        sample=sample,
        fetch_status=checked.status or {},
    )


def _day(data: dict[str, Any], corrections: dict[str, Correction]) -> Day:
    """A checked day file's value as readers see it: typed, corrected, hidden papers gone."""
    fetched = data.get("fetched")
    return Day(
        date=date.fromisoformat(data["date"]),
        papers=tuple(
            Paper.from_checked(paper)
            for paper in (corrected(raw, corrections) for raw in data["papers"])
            if paper is not None
        ),
        fetched=date.fromisoformat(fetched) if fetched else None,
    )
