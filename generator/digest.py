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
import textwrap
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from . import dates, feeds, urls
from .archive import Archive, archive_from_checked
from .config import SiteConfig, load_config
from .errors import ArchiveError
from .models import Paper
from .topics import Topic, Words, topic_from_checked
from .validate import check_content

TEMPLATES = Path(__file__).parent / "templates"
# Gmail clips a message over 102 KB behind a "View entire message" link: the whole message,
# headers and both parts, stays under this. The corpus's fullest day (50 papers) makes
# 57 KB; a digest that would be larger lists fewer papers and counts the rest in one line.
MAX_BYTES = 100_000
AUTHOR_NAMES = 3  # names in a paper's byline: "A, B, C and 27 more"
TEXT_WIDTH = 72  # the plain-text part's lines, for clients that do not wrap
INDENT = "    "  # a paper's lines under its number in the plain-text part
# SMTP's line ends, and lines of at most 76 characters, as quoted-printable requires (RFC 2045;
# SMTP's own 78 is the limit for headers).
_POLICY = SMTP.clone(max_line_length=76)
_FOLDED_AT_ONCE = re.compile(rb"^([!-9;-~]+):\r\n ", re.MULTILINE)
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
class _Edition:
    """What one digest covers: a list day or a finished week, and its papers."""

    weekly: bool
    first: date  # the list day, or the week's Monday
    key: str  # 2026-12-03, or 2026-W49
    entry: feeds._Entry  # the feed's entry: the page's absolute URL and the date
    heading: str  # Thursday, 3 December 2026; or Week of 30 November 2026
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
        heading=dates.long_date(listed_day),
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
        heading=f"Week of {dates.day_text(monday)}",
        short=f"top papers of the week of {monday.day} {dates.short_month(monday)}",
        papers=ranked,
    )


def _monday(week: tuple[int, int] | None) -> date:
    assert week is not None  # only weeks' entries are passed
    return date.fromisocalendar(week[0], week[1], 1)


@dataclass(frozen=True)
class _Item:
    """A paper as the digest shows it: plain text, escaped only by the HTML template."""

    rank: int
    title: str
    url: str  # its permalink
    byline: str
    upvotes: str
    gist: str


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
    subject = f"{name}, {edition.short}: {_plural(total, 'paper')}"
    if matched is not None:
        subject += f" ({matched} {'matches' if matched == 1 else 'match'} your selection)"
    label = "The whole week in the archive" if edition.weekly else "This day in the archive"
    view: dict[str, Any] = {
        "subject": subject,
        "name": name,
        "site_name": feeds._one_line(config.site_name),
        "site_url": config.site_url,
        "heading": edition.heading,
        "intro": _intro(edition, total, matched, len(chosen)),
        "page": edition.entry.url,
        "page_label": label,
        "unsubscribe": settings.unsubscribe,
    }
    items = [_item(choice, rank, paper_id) for rank, paper_id in enumerate(chosen, 1)]
    shown = len(items)
    while True:
        more = total - shown
        view.update(items=items[:shown], more=f"And {_plural(more, 'more paper')}" if more else "")
        data = _message(config, settings, edition, view)
        if len(data) <= MAX_BYTES or not shown:
            break
        # Fewer papers, in proportion to the excess and at least one fewer each time.
        shown = min(shown - 1, shown * MAX_BYTES // len(data))
    key = f"{'weekly' if edition.weekly else 'daily'}/{edition.key}"
    return Digest(key, subject, data, total=total, matched=matched, shown=shown)


def _intro(edition: _Edition, total: int, matched: int | None, chosen: int) -> str:
    papers = _plural(total, "paper")
    if not edition.weekly:
        intro = f"{papers} on Hugging Face's Daily Papers"
        if matched is not None:
            verb = "matches" if matched == 1 else "match"
            intro += f"; {matched or 'none'} {verb} your selection"
        return intro + "."
    listed = f"first listed in the week of {dates.day_text(edition.first)}"
    if matched is None:
        return f"The {chosen} most upvoted of the {papers} {listed}."
    if not matched:
        return f"None of the {papers} {listed} matches your selection."
    return (
        f"The {chosen} most upvoted of the {_plural(matched, 'paper')} that match your "
        f"selection, of the {papers} {listed}."
    )


def _item(choice: _FeedChoice, rank: int, paper_id: str) -> _Item:
    """A paper as the feeds prepare it: the same title, gist and permalink."""
    paper = choice.paper(paper_id)
    names = feeds._authors(choice.archive.papers[paper_id])
    if len(names) > AUTHOR_NAMES + 1:  # "and 1 more" would take the place of the name
        names = [", ".join(names[:AUTHOR_NAMES]) + f" and {len(names) - AUTHOR_NAMES} more"]
    return _Item(
        rank=rank,
        title=paper.title,
        url=paper.permalink,
        byline=", ".join(names),
        upvotes=_plural(paper.upvotes, "upvote"),
        gist=paper.gist,
    )


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


# The message.


def _message(
    config: SiteConfig, settings: Settings, edition: _Edition, view: dict[str, Any]
) -> bytes:
    """The message's bytes: headers, then the plain text and the HTML as alternatives."""
    message = EmailMessage(policy=_POLICY)
    # From and To are the sender's to set; these are the digest's own, and the same each time.
    message["Subject"] = view["subject"]
    message["Date"] = format_datetime(edition.entry.published)
    message["Message-ID"] = message_id(config, edition.weekly, edition.key)
    if settings.list_id:
        phrase = " ".join(_PHRASE_SPECIALS.sub(" ", view["name"]).split())
        message["List-Id"] = f"{phrase} <{settings.list_id}>".lstrip()
    if settings.unsubscribe:
        message["List-Unsubscribe"] = f"<{settings.unsubscribe}>"
        if settings.unsubscribe.startswith("https://"):  # RFC 8058 one-click: a POST to it
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text, html = _text(view), _templates().get_template("digest.html.j2").render(view)
    # Quoted-printable: 7-bit safe through any relay, and the mostly English text stays short.
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    # A boundary from the parts, not random: the same digest, the same bytes. "=_" cannot
    # occur in quoted-printable text, so no part can hold the boundary.
    digest = hashlib.sha256((text + html).encode("utf-8")).hexdigest()[:32]
    message.set_boundary(f"=_dpa_{digest}")
    head, body = bytes(message).split(b"\r\n\r\n", 1)
    # Python's folder moves a value that would fit on a line of its own whole onto a
    # continuation line ("Subject:\r\n Daily ..."), the same by RFC 5322, but Python 3.11's
    # parser then reads it with a leading space (CPython gh-124452). Back onto the field's
    # line, which stays under 100 characters (RFC 5322 allows 998).
    head = _FOLDED_AT_ONCE.sub(rb"\1: ", head)
    return head + b"\r\n\r\n" + body


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


def _text(view: dict[str, Any]) -> str:
    """The plain-text part: complete without the HTML, lines wrapped, links whole."""
    lines = [view["name"], view["heading"], "", *_wrap(view["intro"]), ""]
    for item in view["items"]:
        number = f"{item.rank}. ".ljust(len(INDENT))
        lines += _wrap(item.title, number, INDENT)
        lines += _wrap(f"{item.byline} · {item.upvotes}", INDENT, INDENT)
        lines += _wrap(item.gist, INDENT, INDENT)
        lines += [INDENT + item.url, ""]
    if view["more"]:
        lines += [*_wrap(f"{view['more']}: {view['page']}"), ""]
    lines += ["-- ", f"{view['site_name']}: {view['site_url']}"]
    lines.append(f"{view['page_label']}: {view['page']}")
    if view["unsubscribe"]:
        lines.append(f"Unsubscribe: {view['unsubscribe']}")
    return "\n".join(lines) + "\n"


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    # Links and long words are never broken: a URL cut in two cannot be followed.
    return textwrap.wrap(
        text,
        TEXT_WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every value from content is text: escaped, never markup
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# The edges: reading content and settings, writing the message.


def load_digest(
    content: Path, mkdocs_yml: Path, day: date | None = None, weekly: bool = False
) -> Digest:
    """Read content (through validate's gate, digest.yml included) and make the digest."""
    checked = check_content(content)
    checked.raise_problems()
    archive = archive_from_checked(checked)
    settings = settings_from_checked(checked.digest)
    return make_digest(archive, load_config(mkdocs_yml), settings, day=day, weekly=weekly)


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
