"""The digest e-mail: a list day's papers, or a week's top papers, as one multipart message.

`python -m generator digest` renders it; sending it is `mail`'s job. The day and the week are
the ones the digest and weekly feeds publish (their own code chooses them), and every link is
the site's. content/digest.yml names the list and chooses papers (schemas/digest.schema.json
describes it, `validate` checks it); without it the digest lists every paper. Pure but for
load_digest and save: the same archive, settings and day give the same bytes, Message-ID
included, so a resend is the same message and mail clients can tell.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import dates, editions, feeds, urls
from .archive import Archive, archive_from_checked
from .config import SiteConfig, load_config
from .editions import plural
from .errors import ArchiveError
from .mail import message_bytes
from .models import Paper
from .topics import Topic, Words, topic_from_checked
from .validate import check_content

# Gmail clips a message over 102 KB behind a "View entire message" link: the whole message,
# headers and both parts, stays under this. The corpus's fullest day (50 papers) makes
# 57 KB; a digest that would be larger lists fewer papers and counts the rest in one line.
MAX_BYTES = 100_000
# SMTP's line ends, and lines of at most 76 characters, as quoted-printable requires (RFC 2045;
# SMTP's own 78 is the limit for headers).
_POLICY = SMTP.clone(max_line_length=76)
# Characters a List-Id phrase could only hold quoted; quoting breaks down once the name also
# needs RFC 2047 encoding, and the phrase is only a label, so they become spaces.
_PHRASE_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')


@dataclass(frozen=True)
class Selection:
    """Which papers a digest lists: those that any rule finds; with no rule, every paper."""

    topics: frozenset[str] = frozenset()  # slugs of topics.yml's topics
    # `words` (in the title or abstract) and `organizations` (handles), read as a topic's rules
    # of those names with min_score 1: they find exactly what the same rules in topics.yml do.
    rules: Topic | None = None
    # Whole words or phrases of one author's name, as the reader's author: terms find them.
    authors: tuple[tuple[str, ...], ...] = ()
    min_upvotes: int | None = None

    @property
    def active(self) -> bool:
        """Whether any rule is set; without one, every paper is in."""
        return bool(self.topics or self.rules or self.authors or self.min_upvotes)

    def matches(self, paper: Paper, topics: list[str]) -> bool:
        """Whether the paper, a member of these topics (slugs), is in the digest."""
        if not self.active:
            return True
        if self.min_upvotes is not None and paper.upvotes >= self.min_upvotes:
            return True
        if not self.topics.isdisjoint(topics):
            return True
        if self.rules is not None and self.rules.matches(paper):
            return True
        return any(Words(name).has(phrase) for name in paper.authors for phrase in self.authors)


@dataclass(frozen=True)
class Settings:
    """content/digest.yml as read: the list's name and headers, and the selection."""

    name: str | None = None  # starts the subject; mkdocs.yml's site_name when None
    list_id: str | None = None  # List-Id's identifier, such as daily-papers.example.org
    unsubscribe: str | None = None  # a mailto: or https:// URL
    select: Selection = field(default_factory=Selection)


def settings_from_checked(data: dict[str, Any] | None) -> Settings:
    """The settings of a digest.yml that `validate` accepted; the defaults without one."""
    if not data:
        return Settings()
    select = data.get("select", {})
    rules = {key: select[key] for key in ("words", "organizations") if key in select}
    return Settings(
        name=data.get("name"),
        list_id=data.get("list_id"),
        unsubscribe=data.get("unsubscribe"),
        select=Selection(
            topics=frozenset(select.get("topics", ())),
            rules=_topic(rules) if rules else None,
            authors=_topic({"words": select["authors"]}).words if "authors" in select else (),
            min_upvotes=select.get("min_upvotes"),
        ),
    )


def _topic(rules: dict[str, Any]) -> Topic:
    """Rules read by the code that reads topics.yml's: the same phrases, case and patterns."""
    return topic_from_checked({"slug": "digest", "name": "", "description": "", "match": rules})


@dataclass(frozen=True)
class Digest:
    """A rendered digest: the message's bytes, and what it holds."""

    key: str  # daily/2026-12-03 or weekly/2026-W49, the digest's name in mail's record
    subject: str
    data: bytes  # the whole message, CRLF line ends (email.policy.SMTP)
    total: int  # papers of the day, or first listed in the week
    matched: int | None  # of them, those the selection finds; None without a selection
    shown: int  # papers listed; the rest are counted in one line

    def summary(self) -> str:
        """One line about the message, for the command line."""
        more = self.total - self.shown
        listed = f"{self.shown} listed, {more} more; {len(self.data):,} bytes"
        return f"{self.key}: {self.subject} [{listed}]"


@dataclass(frozen=True)
class Published:
    """A digest a feed publishes: its key, and the day it was complete (a list day, a Sunday)."""

    key: str  # daily/2026-12-03 or weekly/2026-W49
    complete: date


@dataclass(frozen=True)
class _Edition:
    """What one digest covers: a list day or a finished week, and its papers."""

    weekly: bool
    first: date  # the list day, or the week's Monday
    key: str  # 2026-12-03, or 2026-W49
    entry: feeds._Entry  # the feed's entry: the page's absolute URL and the date
    short: str  # Thu 3 Dec 2026; or top papers of the week of 30 Nov 2026
    papers: list[str]  # the day's in Hugging Face order; the week's most upvoted first


class _FeedChoice(feeds._Entries):
    """The feeds' own entries, and the day or week and papers each entry was made of."""

    def __init__(self, archive: Archive, config: SiteConfig) -> None:
        super().__init__(archive, config)
        self.made: list[tuple[feeds._Entry, tuple[int, int] | None, list[str]]] = []

    def digest(self, day: date, paper_ids: list[str]) -> feeds._Entry:
        entry = super().digest(day, paper_ids)
        self.made.append((entry, None, paper_ids))
        return entry

    def week(self, week: tuple[int, int], last: date, paper_ids: list[str]) -> feeds._Entry:
        entry = super().week(week, last, paper_ids)
        self.made.append((entry, week, paper_ids))
        return entry


def make_digest(
    archive: Archive,
    config: SiteConfig,
    settings: Settings,
    day: date | None = None,
    weekly: bool = False,
) -> Digest:
    """The digest of a list day (by default the digest feed's newest), or of a finished week."""
    # weekly: the weekly feed's newest week, or the one holding `day`.
    choice = _FeedChoice(archive, config)
    edition = _week(choice, day) if weekly else _day(choice, day)
    return _compose(choice, config, settings, edition)


def published(archive: Archive, config: SiteConfig, weekly: bool = False) -> list[Published]:
    """The digests the digest feed (or the weekly feed) publishes, newest first."""
    choice = _FeedChoice(archive, config)
    if weekly:
        choice.weekly()
        return [
            Published(_key(True, urls.week_key(monday)), monday + timedelta(days=6))
            for monday in (_monday(week) for _, week, _ in choice.made)
        ]
    choice.for_spec(next(spec for spec in feeds._specs(archive) if spec.kind == "digest"))
    return [
        Published(_key(False, entry.published.date().isoformat()), entry.published.date())
        for entry, _, _ in choice.made
    ]


def _key(weekly: bool, when: str) -> str:
    """A digest's name in mail's record: daily/2026-12-03 or weekly/2026-W49."""
    return f"{'weekly' if weekly else 'daily'}/{when}"


def make_digest_for(archive: Archive, config: SiteConfig, settings: Settings, key: str) -> Digest:
    """The digest a key such as daily/2026-12-03 or weekly/2026-W49 names."""
    kind, _, when = key.partition("/")
    try:
        if kind == "weekly":
            year, week = when.split("-W")
            return make_digest(
                archive, config, settings, date.fromisocalendar(int(year), int(week), 1), True
            )
        if kind == "daily":
            return make_digest(archive, config, settings, date.fromisoformat(when))
    except ValueError:
        pass
    raise ArchiveError(f"{key!r} is not a digest key like daily/2026-12-03 or weekly/2026-W49")


def _day(choice: _FeedChoice, day: date | None) -> _Edition:
    archive = choice.archive
    if day is None:
        digest_feed = next(spec for spec in feeds._specs(archive) if spec.kind == "digest")
        choice.for_spec(digest_feed)  # newest first
        if not choice.made:
            raise ArchiveError("the archive has no list day with papers: no digest to make")
    else:
        listed = next((known for known in archive.days if known.date == day), None)
        if listed is None or not listed.papers:
            what = "lists no papers" if listed else "is not a day of the archive"
            newest = archive.listed_days[-1].date if archive.listed_days else None
            hint = f" (the newest list day is {newest})" if newest else ""
            raise ArchiveError(f"--day {day} {what}{hint}")
        choice.digest(day, [paper.id for paper in listed.papers])
    entry, _, paper_ids = choice.made[0]
    listed_day = entry.published.date()
    return _Edition(
        weekly=False,
        first=listed_day,
        key=listed_day.isoformat(),
        entry=entry,
        short=f"{dates.short_date(listed_day)} {listed_day.year}",
        papers=paper_ids,
    )


def _week(choice: _FeedChoice, day: date | None) -> _Edition:
    choice.weekly()  # newest first
    weeks = [(entry, week, ids) for entry, week, ids in choice.made if week is not None]
    if not weeks:
        raise ArchiveError("the archive has no finished week with papers: no weekly digest")
    if day is not None:
        wanted = [made for made in weeks if made[1] == day.isocalendar()[:2]]
        if not wanted:
            oldest, newest = _monday(weeks[-1][1]), _monday(weeks[0][1])
            raise ArchiveError(
                f"--day {day}: the weekly feed does not publish its week, {urls.week_key(day)} "
                f"(it holds finished weeks with papers: {urls.week_key(oldest)} to "
                f"{urls.week_key(newest)})"
            )
        weeks = wanted
    entry, week, paper_ids = weeks[0]
    monday = _monday(week)
    # As the feed's entry and the week page rank them: most upvoted first, ties by id.
    ranked = sorted(paper_ids, key=lambda paper_id: (-choice.paper(paper_id).upvotes, paper_id))
    return _Edition(
        weekly=True,
        first=monday,
        key=urls.week_key(monday),
        entry=entry,
        short=f"top papers of the week of {monday.day} {dates.short_month(monday)}",
        papers=ranked,
    )


def _monday(week: tuple[int, int] | None) -> date:
    assert week is not None  # only weeks' entries are passed
    return date.fromisocalendar(week[0], week[1], 1)


def _compose(
    choice: _FeedChoice, config: SiteConfig, settings: Settings, edition: _Edition
) -> Digest:
    archive = choice.archive
    select = settings.select
    chosen = [
        paper_id
        for paper_id in edition.papers
        if select.matches(archive.papers[paper_id], archive.paper_topics.get(paper_id, []))
    ]
    matched = len(chosen) if select.active else None
    if edition.weekly:
        chosen = chosen[: feeds.WEEKLY_TOP]
    name = feeds._one_line(settings.name or config.site_name)
    total = len(edition.papers)
    subject = f"{name}, {edition.short}: {plural(total, 'paper')}"
    if matched is not None:
        subject += f" ({matched} {'matches' if matched == 1 else 'match'} your selection)"
    items = tuple(choice.item(rank, paper_id) for rank, paper_id in enumerate(chosen, 1))
    shown = len(items)
    while True:
        more = total - shown
        view = editions.View(
            subject=subject,
            name=name,
            heading=editions.heading(edition.weekly, edition.first),
            intro=editions.intro(edition.weekly, edition.first, total, matched, len(chosen)),
            items=items[:shown],
            more=f"And {plural(more, 'more paper')}" if more else "",
            page=edition.entry.url,
            page_label=editions.page_label(edition.weekly),
            site_name=feeds._one_line(config.site_name),
            site_url=config.site_url,
            unsubscribe=settings.unsubscribe,
        )
        data = _message(config, settings, edition, view)
        if len(data) <= MAX_BYTES or not shown:
            break
        # Fewer papers, in proportion to the excess and at least one fewer each time.
        shown = min(shown - 1, shown * MAX_BYTES // len(data))
    key = _key(edition.weekly, edition.key)
    return Digest(key, subject, data, total=total, matched=matched, shown=shown)


# The message.


def _message(
    config: SiteConfig, settings: Settings, edition: _Edition, view: editions.View
) -> bytes:
    """The message's bytes: headers, then the plain text and the HTML as alternatives."""
    message = EmailMessage(policy=_POLICY)
    # From and To are the sender's to set; these are the digest's own, and the same each time.
    message["Subject"] = view.subject
    message["Date"] = format_datetime(edition.entry.published)
    message["Message-ID"] = message_id(config, edition.weekly, edition.key)
    if settings.list_id:
        phrase = " ".join(_PHRASE_SPECIALS.sub(" ", view.name).split())
        message["List-Id"] = f"{phrase} <{settings.list_id}>".lstrip()
    if settings.unsubscribe:
        message["List-Unsubscribe"] = f"<{settings.unsubscribe}>"
        if settings.unsubscribe.startswith("https://"):  # RFC 8058 one-click: a POST to it
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text, html = editions.text(view), editions.document_html(view)
    # Quoted-printable: 7-bit safe through any relay, and the mostly English text stays short.
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    # A boundary from the parts, not random: the same digest, the same bytes. "=_" cannot
    # occur in quoted-printable text, so no part can hold the boundary.
    digest = hashlib.sha256((text + html).encode("utf-8")).hexdigest()[:32]
    message.set_boundary(f"=_dpa_{digest}")
    return message_bytes(message)


def message_id(config: SiteConfig, weekly: bool, key: str) -> str:
    """<daily.2026-12-03.daily-papers-archive@example.github.io>, from the site and the key."""
    # Nothing else goes in: a resend has the same id (clients keep one copy), and each copy of
    # the archive (host and path) its own.
    parts = urlsplit(config.site_url)
    try:
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except UnicodeError:
        host = parts.hostname or ""
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", host).strip(".-") or "localhost"
    path = re.sub(r"[^A-Za-z0-9-]+", ".", parts.path).strip(".")
    left = ".".join(part for part in ("weekly" if weekly else "daily", key, path) if part)
    return f"<{left}@{host}>"


# The edges: reading content and settings, writing the message.


def load_digest(
    content: Path, mkdocs_yml: Path, day: date | None = None, weekly: bool = False
) -> Digest:
    """Read content (through validate's gate, digest.yml included) and make the digest."""
    archive, config, settings = load_inputs(content, mkdocs_yml)
    return make_digest(archive, config, settings, day=day, weekly=weekly)


def load_inputs(content: Path, mkdocs_yml: Path) -> tuple[Archive, SiteConfig, Settings]:
    """The archive, the site's settings and digest.yml's, read through validate's gate."""
    checked = check_content(content)
    checked.raise_problems()
    archive = archive_from_checked(checked)
    return archive, load_config(mkdocs_yml), settings_from_checked(checked.digest)


def save(path: Path, data: bytes) -> None:
    """Write the message whole or not at all: a sender never reads half a digest."""
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.fchmod(handle, 0o644)  # mkstemp's 0600 is for secrets; a digest is not one
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot write the digest: {exc.strerror}") from exc
