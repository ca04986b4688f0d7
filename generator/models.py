"""The archive's data: typed papers and list days, the order of a paper's fields, text clean-up."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

# Lists grow for up to 14 days after a paper's arXiv date, and counts settle in one to two
# weeks: fetch refreshes these days every night, and pages say a day "may still grow".
REFRESH_DAYS = 14
ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")

# Characters text never keeps: C0 and C1 controls but tab, newline and carriage return,
# surrogates, U+FFFE/F, and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069), which can make a title or name read other than it is
# ("Trojan Source") and leak their direction into the text around them. The implicit marks
# U+200E and U+200F stay: they are ordinary in Arabic and Hebrew text and scope nothing.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
# An http(s) URL from content that can go into an href as it is.
_LINKABLE = re.compile(r"^https?://[^\s\"'<>]+$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


@dataclass(frozen=True, slots=True, kw_only=True)
class Arxiv:
    """What the arXiv API said about a paper (day files' `arxiv` mapping)."""

    checked: date | None = None  # when arXiv was last asked
    primary_category: str = ""
    categories: tuple[str, ...] = ()
    comment: str = ""
    journal_ref: str = ""
    doi: str = ""
    version: int | None = None

    @classmethod
    def from_checked(cls, data: dict[str, Any]) -> Arxiv:
        """The mapping of a day file `validate` accepted, typed."""
        checked = data.get("checked")
        return cls(
            checked=date.fromisoformat(checked) if checked else None,
            primary_category=data.get("primary_category", ""),
            categories=tuple(data.get("categories", ())),
            comment=data.get("comment", ""),
            journal_ref=data.get("journal_ref", ""),
            doi=data.get("doi", ""),
            version=data.get("version"),
        )

    def as_dict(self) -> dict[str, Any]:
        """The mapping as a day file holds it: the schema's key order, empty values left out."""
        return _as_stored(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class Paper:
    """One paper as readers see it: made once from checked content, read by every page."""

    id: str
    title: str
    authors: tuple[str, ...] = ()
    published: date | None = None  # arXiv v1 date (not the list day)
    upvotes: int = 0
    comments: int | None = None  # None: the response did not say (0 is shown all the same)
    github: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    organization: str = ""  # Hugging Face organization handle, e.g. "nvidia"
    organization_name: str = ""  # its display name, e.g. "NVIDIA"
    submitter: str = ""  # Hugging Face user who put the paper on the list
    submitter_name: str = ""
    thumbnail: str | None = None
    media: tuple[str, ...] = ()
    withdrawn: date | None = None
    ai_keywords: tuple[str, ...] = ()
    ai_summary: str = ""
    abstract: str = ""
    arxiv: Arxiv | None = None
    dropped: bool = False  # a later response no longer lists the paper on this day

    @property
    def categories(self) -> tuple[str, ...]:
        """Its arXiv categories, or the primary one where only that is known."""
        if self.arxiv is None:
            return ()
        return tuple(c for c in self.arxiv.categories or (self.arxiv.primary_category,) if c)

    @classmethod
    def from_checked(cls, data: dict[str, Any]) -> Paper:
        """A paper mapping of a day file `validate` accepted (corrections applied), typed."""
        published, withdrawn, arxiv = (
            data.get("published"),
            data.get("withdrawn"),
            data.get("arxiv"),
        )
        return cls(
            id=data["id"],
            title=data["title"],
            authors=tuple(data.get("authors", ())),
            published=date.fromisoformat(published) if published else None,
            upvotes=data["upvotes"],
            comments=data.get("comments"),
            github=data.get("github"),
            github_stars=data.get("github_stars"),
            project_page=data.get("project_page"),
            organization=data.get("organization", ""),
            organization_name=data.get("organization_name", ""),
            submitter=data.get("submitter", ""),
            submitter_name=data.get("submitter_name", ""),
            thumbnail=data.get("thumbnail"),
            media=tuple(data.get("media", ())),
            withdrawn=date.fromisoformat(withdrawn) if withdrawn else None,
            ai_keywords=tuple(data.get("ai_keywords", ())),
            ai_summary=data.get("ai_summary", ""),
            abstract=data.get("abstract", ""),
            arxiv=Arxiv.from_checked(arxiv) if arxiv else None,
            dropped=data.get("dropped") is True,
        )

    def as_dict(self) -> dict[str, Any]:
        """The paper as a day file holds it (open data publishes this): PAPER_FIELDS order."""
        return _as_stored(self)


# A day file's paper keys, in this order: short scalars first, long block scalars last, so
# files read top-down. The write side (content.py, hf_api.py) keeps papers as such mappings.
PAPER_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(Paper))
# Fields that always come from the newest response that has them.
UPSTREAM_FIELDS = frozenset(PAPER_FIELDS) - {"id", "upvotes", "comments", "github_stars", "dropped"}
# Counts only grow: snapshots of unknown age can be imported in any order, and a
# withdrawn vote is rarer than an early snapshot with low counts.
COUNT_FIELDS = ("upvotes", "comments", "github_stars")


@dataclass(frozen=True, slots=True)
class Day:
    """One list day as readers see it: its papers in Hugging Face's order."""

    date: datetime.date
    papers: tuple[Paper, ...] = ()
    fetched: datetime.date | None = None  # UTC date of the last successful fetch, when known

    @property
    def status(self) -> str:
        """'listed' when the day has papers, 'empty' when the list was empty."""
        return "listed" if self.papers else "empty"


def _as_stored(value: Paper | Arxiv) -> dict[str, Any]:
    """A typed value as a day file holds it: its fields in order, absent ones left out."""
    stored = {}
    for field in fields(value):
        item = getattr(value, field.name)
        if isinstance(item, Arxiv):
            item = item.as_dict()
        elif isinstance(item, date):
            item = item.isoformat()
        elif isinstance(item, tuple):
            item = list(item)
        if item is not None and item is not False and item != "" and item != [] and item != {}:
            stored[field.name] = item  # 0 stays: a count of none is not an absent count
    return stored


def versionless_id(raw: str) -> str | None:
    """Return the arXiv id without its version suffix, or None if it is not an arXiv id."""
    match = ARXIV_ID.match(raw.strip())
    return match.group(1) if match else None


def linkable(url: object) -> bool:
    """Whether a URL from content may be linked: http(s), no space, quote or angle bracket."""
    return isinstance(url, str) and _LINKABLE.match(url) is not None


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
