"""Generate the site's Markdown pages from content: a pure function, {relative path: text}."""

from __future__ import annotations

from html import escape
from typing import Any

from .models import Day

NOTICE_SAMPLE = (
    '!!! warning "Sample data"\n'
    "    content/ holds no papers yet, so this site shows generated sample data, "
    "not real papers.\n\n"
)


def generate_pages(days: list[Day], sample: bool = False) -> dict[str, str]:
    """Every Markdown page of the site, keyed by its path under docs/."""
    listed = [day for day in days if day.papers]
    pages: dict[str, str] = {}
    for day in listed:
        pages[f"{day.date:%Y/%m/%d}.md"] = _day_page(day, sample)
    pages["index.md"] = _home(listed, sample)
    return pages


def _home(days: list[Day], sample: bool) -> str:
    lines = ["# Daily Papers Archive", ""]
    if sample:
        lines.append(NOTICE_SAMPLE)
    lines.append(f"{len(days)} list days, {sum(len(d.papers) for d in days)} papers.")
    lines.append("")
    for day in reversed(days):
        lines.append(
            f"- [{day.date.isoformat()}]({day.date:%Y/%m/%d}.md): {len(day.papers)} papers"
        )
    return "\n".join(lines) + "\n"


def _day_page(day: Day, sample: bool) -> str:
    parts = [f"# Papers of {day.date.isoformat()}\n\n"]
    if sample:
        parts.append(NOTICE_SAMPLE)
    parts += [_paper_html(paper) for paper in day.papers]
    return "".join(parts)


def _paper_html(paper: dict[str, Any]) -> str:
    # Ready HTML, every text escaped: content can never become markup or template code.
    paper_id = escape(paper["id"])
    authors = escape(", ".join(paper.get("authors", [])))
    abstract = escape(paper.get("abstract", ""))
    return (
        f'<section class="paper" id="{paper_id}" markdown="0">\n'
        f'<h2><a href="https://arxiv.org/abs/{paper_id}">{escape(paper["title"])}</a></h2>\n'
        f'<p class="authors">{authors}</p>\n'
        f'<p class="votes">{int(paper.get("upvotes", 0))} upvotes</p>\n'
        f"<p>{abstract}</p>\n"
        "</section>\n\n"
    )
