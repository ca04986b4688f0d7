"""The archive as readers see it: days with corrections applied, each paper once, its topics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from .content import day_from_checked
from .corrections import apply_corrections, correction_from_checked
from .forked import can_fork, in_two
from .models import Day
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
                first.setdefault(paper["id"], day.date)
        return first

    @cached_property
    def papers(self) -> dict[str, dict[str, Any]]:
        """Each paper once, as on its latest listing (newest counts), in first-listed order."""
        latest: dict[str, dict[str, Any]] = {}
        for day in self.days:
            for paper in day.papers:
                latest[paper["id"]] = paper
        return {paper_id: latest[paper_id] for paper_id in self.first_listed}

    @cached_property
    def paper_topics(self) -> dict[str, list[str]]:
        """Topic slugs of each paper, in topics.yml order."""
        matcher = TopicMatcher(self.topics)
        papers = list(self.papers.items())

        def slugs(some: list[tuple[str, dict[str, Any]]]) -> list[list[str]]:
            return [matcher.slugs(paper) for _, paper in some]

        # Every build waits for this before anything else starts (1.5 s at 30,000 papers).
        found = (
            in_two(slugs, papers)
            if len(papers) >= PARALLEL_TOPICS and can_fork()
            else slugs(papers)
        )
        return {paper_id: topics for (paper_id, _), topics in zip(papers, found, strict=True)}

    def permalink(self, paper_id: str) -> str:
        """Site path of a paper: its section on its first list day, e.g. 2026/05/29/#2605.29801."""
        return f"{self.first_listed[paper_id]:%Y/%m/%d}/#{paper_id}"


def load_archive(content: Path, sample: bool = False) -> Archive:
    """Read content/ once, through the same checks as `validate`; ContentError if it fails."""
    checked = check_content(content)
    checked.raise_problems()
    return archive_from_checked(checked, sample=sample)


def archive_from_checked(checked: Checked, sample: bool = False) -> Archive:
    """The archive from content that `validate` accepted: days, corrections, topics, status."""
    corrections = [correction_from_checked(data) for data in checked.corrections]
    days = [day_from_checked(data) for data in checked.days]
    return Archive(
        days=apply_corrections(days, {correction.id: correction for correction in corrections}),
        topics=topics_from_checked(checked.topics),
        sample=sample,
        fetch_status=checked.status or {},
    )
