"""Search records: one per paper, made from the archive rather than scraped from its pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..archive import Archive
from ..models import Paper

AUTHORS_SHOWN = 3  # authors in a result; the rest are "et al." (the record holds them all)

# Pagefind's names for what a record holds, spelled here only: dpa-search.json (manifest.py)
# hands them to search.js, which asks Pagefind for them by these names.
FILTER_TOPIC = "topic"  # the names of the paper's topics (topics.yml)
FILTER_ORGANIZATION = "organization"
FILTER_CODE = "code"  # HAS_CODE for papers with a GitHub repository, absent otherwise
HAS_CODE = "yes"  # what search.js asks for when "Has code" is ticked
SORT_DATE = "date"  # the list day, ISO
SORT_UPVOTES = "upvotes"
META_TITLE = "title"
META_AUTHORS = "authors"  # the first AUTHORS_SHOWN, "et al."
META_DAY = "day"  # the list day, ISO
META_UPVOTES = "upvotes"


@dataclass(frozen=True)
class SearchRecord:
    """What Pagefind stores for one paper."""

    url: str  # site-root-relative, "/2026/05/29/#2605.29801"; the browser adds the base path
    content: str  # the searchable text; excerpts are cut from it
    meta: dict[str, str] = field(default_factory=dict)  # shown in results
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: dict[str, str] = field(default_factory=dict)


def papers_by_year(archive: Archive) -> dict[str, list[str]]:
    """Paper ids by the year they were first listed in (each year's bundle), in archive order."""
    years: dict[str, list[str]] = {}
    for paper_id in archive.papers:
        years.setdefault(str(archive.first_listed[paper_id].year), []).append(paper_id)
    return years


def search_records(archive: Archive, paper_ids: list[str] | None = None) -> list[SearchRecord]:
    """One record per paper (or per paper of paper_ids), in first-listed order."""
    # First-listed order, so that the same archive gives the same bundle.
    names = {topic.slug: topic.name for topic in archive.topics}
    topics = archive.paper_topics
    return [
        _record(archive.papers[paper_id], archive.permalink(paper_id),
                archive.first_listed[paper_id].isoformat(),
                [names[slug] for slug in topics.get(paper_id, [])])
        for paper_id in (archive.papers if paper_ids is None else paper_ids)
    ]  # fmt: skip


def _record(paper: Paper, permalink: str, day: str, topics: list[str]) -> SearchRecord:
    authors = list(paper.authors)
    shown = ", ".join(authors[:AUTHORS_SHOWN]) + (" et al." if len(authors) > AUTHORS_SHOWN else "")
    organization = paper.organization_name or paper.organization
    # Title, then abstract: Pagefind cuts the excerpt around the matched words, so a match in
    # the title shows the title and the start of the abstract (results list authors anyway).
    text = [
        paper.title + ".",
        paper.abstract,
        ", ".join(authors) + ".",
        ", ".join(paper.ai_keywords),
        " ".join(dict.fromkeys(v for v in (organization, paper.organization) if v)),
        " ".join(paper.categories),
        paper.id,
    ]
    filters = {FILTER_TOPIC: topics}  # the year is the bundle's: pagefind/<year>/
    if organization:
        filters[FILTER_ORGANIZATION] = [organization]
    if paper.github:
        filters[FILTER_CODE] = [HAS_CODE]
    upvotes = str(paper.upvotes)
    return SearchRecord(
        url="/" + permalink,
        content=" ".join(part for part in text if part and part != "."),
        meta={META_TITLE: paper.title, META_AUTHORS: shown, META_DAY: day, META_UPVOTES: upvotes},
        filters={key: values for key, values in filters.items() if values},
        # Every record has every sort key: Pagefind leaves records without it out of a sort.
        sort={SORT_DATE: day, SORT_UPVOTES: upvotes},
    )
