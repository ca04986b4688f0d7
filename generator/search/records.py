"""Search records: one per paper, made from the archive rather than scraped from its pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..archive import Archive
from ..models import Paper

AUTHORS_SHOWN = 3  # authors in a result; the rest are "et al." (the record holds them all)
# The one value of the `code` filter: papers with a GitHub repository. dpa-search.json hands it
# to search.js, which asks for it when "Has code" is ticked.
HAS_CODE = "yes"


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
    arxiv = paper.arxiv
    categories = [c for c in (arxiv.categories or (arxiv.primary_category,)) if c] if arxiv else []
    # Title, then abstract: Pagefind cuts the excerpt around the matched words, so a match in
    # the title shows the title and the start of the abstract (results list authors anyway).
    text = [
        paper.title + ".",
        paper.abstract,
        ", ".join(authors) + ".",
        ", ".join(paper.ai_keywords),
        " ".join(dict.fromkeys(v for v in (organization, paper.organization) if v)),
        " ".join(categories),
        paper.id,
    ]
    filters = {"topic": topics}  # the year is the bundle's: pagefind/<year>/
    if organization:
        filters["organization"] = [organization]
    if paper.github:
        filters["code"] = [HAS_CODE]
    upvotes = str(paper.upvotes)
    return SearchRecord(
        url="/" + permalink,
        content=" ".join(part for part in text if part and part != "."),
        meta={"title": paper.title, "authors": shown, "day": day, "upvotes": upvotes},
        filters={key: values for key, values in filters.items() if values},
        # Every record has every sort key: Pagefind leaves records without it out of a sort.
        sort={"date": day, "upvotes": upvotes},
    )
