"""The archive's data: a list day and its papers, the fields a paper has, text clean-up."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# A paper is a plain dict (it is dumped to and loaded from YAML as is) whose keys come
# in this order. Short scalars first, long block scalars last, so files read top-down.
PAPER_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "authors",
    "published",  # arXiv v1 date (not the list day)
    "upvotes",
    "comments",
    "github",
    "github_stars",
    "project_page",
    "organization",  # Hugging Face organization handle, e.g. "nvidia"
    "organization_name",  # its display name, e.g. "NVIDIA"
    "submitter",  # Hugging Face user who put the paper on the list
    "submitter_name",
    "thumbnail",
    "media",
    "withdrawn",
    "ai_keywords",
    "ai_summary",
    "abstract",
    "arxiv",  # enrichment from the arXiv API: categories, comment, DOI, ...
    "dropped",  # true when a later response no longer lists the paper on this day
)

# Fields that always come from the newest response that has them.
UPSTREAM_FIELDS = frozenset(PAPER_FIELDS) - {"id", "upvotes", "comments", "github_stars", "dropped"}
# Counts only grow: snapshots of unknown age can be imported in any order, and a
# withdrawn vote is rarer than an early snapshot with low counts.
COUNT_FIELDS = ("upvotes", "comments", "github_stars")

# Fields a correction may set (what the site displays, minus the ever-changing counts).
CORRECTABLE_FIELDS: tuple[str, ...] = (
    "title",
    "authors",
    "published",
    "github",
    "project_page",
    "organization",
    "organization_name",
    "thumbnail",
    "ai_keywords",
    "ai_summary",
    "abstract",
)

# Lists grow for up to 14 days after a paper's arXiv date, and counts settle in one to two
# weeks: fetch refreshes these days every night, and pages say a day "may still grow".
REFRESH_DAYS = 14
ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
DAY_STATUSES = ("listed", "empty")

# Characters text never keeps: C0 and C1 controls but tab, newline and carriage return,
# surrogates, U+FFFE/F, and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069), which can make a title or name read other than it is
# ("Trojan Source") and leak their direction into the text around them. The implicit marks
# U+200E and U+200F stay: they are ordinary in Arabic and Hebrew text and scope nothing.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


@dataclass
class Day:
    """One list day: the date Hugging Face was asked for, and its papers in its order."""

    date: datetime.date
    papers: list[dict[str, Any]] = field(default_factory=list)
    fetched: datetime.date | None = None  # UTC date of the last successful fetch, when known

    @property
    def status(self) -> str:
        """'listed' when the day has papers, 'empty' when the list was empty."""
        return "listed" if self.papers else "empty"


def versionless_id(raw: str) -> str | None:
    """Return the arXiv id without its version suffix, or None if it is not an arXiv id."""
    match = ARXIV_ID.match(raw.strip())
    return match.group(1) if match else None


def strip_invisible(text: str) -> str:
    """The text without the characters clean_text drops as controls; whitespace as it was."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text  # nearly always as is


def clean_text(text: str) -> str:
    """Normalise whitespace: unwrap arXiv hard wraps, keep paragraph breaks, drop controls."""
    text = unicodedata.normalize("NFC", strip_invisible(text))
    paragraphs = _PARAGRAPH_BREAK.split(text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def order_paper(paper: dict[str, Any]) -> dict[str, Any]:
    """Return the paper with its keys in PAPER_FIELDS order and empty values left out."""
    return {
        key: paper[key] for key in PAPER_FIELDS if key in paper and paper[key] not in (None, "", [])
    }
