"""Feeds: RSS 2.0, Atom and JSON Feed 1.1 of new papers, daily digests, weekly top papers and
every topic, and feeds.opml. A pure function of the archive: same content, same bytes."""

from __future__ import annotations

import html
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from feedgen.feed import FeedGenerator
from lxml import etree

from . import dates, editions, urls
from .archive import Archive
from .config import SiteConfig
from .models import Paper, linkable

NEW_PAPERS_DAYS = 30  # Feedly and Inoreader treat items older than 30 days as read anyway
NEW_PAPERS_MAX = 300  # a busy month is ~450 papers; Inoreader refuses feeds over 3,000 items
DIGEST_DAYS = 60
WEEKLY_WEEKS = 52
WEEKLY_TOP = 10
# A topic's newest papers, however old: a quiet topic still shows its history. Not more: each
# holds whole abstracts (300 made 45 topic feeds of 830 KB, a seventh of the site at 30,000
# papers), and readers keep what they have already fetched.
TOPIC_MAX = 100
BYLINE_NAMES = 10  # names in an entry's author field; its content lists every author
GIST_MAX = 400  # characters of an abstract's first sentence in digests
LANGUAGE = "en"
GENERATOR = "Daily Papers Archive"  # no version: upgrading feedgen must not change the bytes
OPML_FORMAT = "atom"  # one format per feed, so importing feeds.opml subscribes to each once
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

# format: MIME type (urls.FEED_FILES names each format's file)
MIME_TYPES: dict[str, str] = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}

# Not allowed in XML 1.0 (C0 controls, surrogates, U+FFFE/F), or allowed but refused by HTML
# parsers and flagged by the W3C validator (C1 controls, BMP noncharacters). Astral
# noncharacters are legal XML and would slow this pattern fivefold: they stay. The
# bidirectional embeddings, overrides and isolates go too, as models.clean_text drops them: text
# loaded from content has none, but a feed reader shows whatever reaches it.
_XML_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069]"
)
_NEW_STYLE_ID = re.compile(r"^(\d{4})\.(\d{4,5})$")
_FIRST_SENTENCE = re.compile(r"^(.{20,}?[.!?])\s+(?=[A-Z0-9(])", re.DOTALL)
_PLAIN_TEXT = re.compile(rb"(<(title|subtitle|name)>)([^<]*)(</\2>)")
# What makes readers guess that an RSS title is HTML: a reference (even without ";") or an end tag.
_LOOKS_LIKE_HTML = re.compile(r"&[#A-Za-z0-9]|</[A-Za-z]")
# feedgen writes RSS dates with strftime's %Y, which does not pad: "01 Jan 1" in year 1.
_SHORT_RSS_YEAR = re.compile(
    rb"(<(?:pubDate|lastBuildDate)>[A-Za-z]{3}, \d\d [A-Za-z]{3} )(\d{1,3}) "
)


@dataclass(frozen=True)
class FeedInfo:
    """One feed file, for the Feeds page, feeds.opml and <link rel="alternate"> tags."""

    title: str  # short: "New papers", "Daily digest", a topic's name
    description: str  # one line
    path: str  # site-relative, e.g. "digest/atom.xml"
    format: str  # "rss" | "atom" | "json"
    mime: str  # "application/rss+xml" | "application/atom+xml" | "application/feed+json"
    group: str  # "site" | "topic"
    topic: str | None  # the topic's slug, for group "topic"


@dataclass(frozen=True)
class _Spec:
    """One feed whatever its format: what it holds and where it lives."""

    kind: str  # "new" | "digest" | "weekly" | "topic"
    folder: str  # "", "digest/", "topics/<slug>/"
    name: str
    description: str
    home: str  # site path of the page the feed follows
    group: str
    topic: str | None = None

    def path(self, fmt: str) -> str:
        return urls.feed(fmt, self.folder)


@dataclass(frozen=True)
class _Entry:
    """One entry in every format; its url is also its id, stable forever."""

    url: str
    title: str
    html: str  # every text from content escaped
    published: datetime  # the list day at midnight UTC
    updated: datetime  # published plus a fixed per-entry offset (_updated_offset)
    byline: str = ""  # empty: the feed's author stands
    tags: tuple[tuple[str, str], ...] = ()  # (term, label)
    external: str | None = None  # the arXiv page, for JSON Feed's external_url
    image: str | None = None


def feed_catalog(archive: Archive, config: SiteConfig) -> list[FeedInfo]:
    """Every feed file the site publishes, site feeds first, then topics in topics.yml order."""
    return [
        FeedInfo(spec.name, spec.description, spec.path(fmt), fmt, mime, spec.group, spec.topic)
        for spec in _specs(archive)
        for fmt, mime in MIME_TYPES.items()
    ]


def generate_feeds(archive: Archive, config: SiteConfig) -> dict[str, bytes]:
    """Every feed file and feeds.opml, keyed by path relative to the site root."""
    entries = _Entries(archive, config)
    # An empty feed still needs a date: the newest day of the data, never the clock.
    fallback = _midnight(archive.days[-1].date if archive.days else date(1970, 1, 1))
    files: dict[str, bytes] = {}
    specs = _specs(archive)
    for spec in specs:
        items = entries.for_spec(spec)
        files[spec.path("rss")] = _rss(spec, items, config, fallback)
        files[spec.path("atom")] = _atom(spec, items, config, fallback)
        files[spec.path("json")] = _json_feed(spec, items, config)
    files[urls.OPML] = _opml(specs, config)
    return files


def _specs(archive: Archive) -> list[_Spec]:
    new = (
        "Every paper as it is listed, with its abstract, authors and links "
        f"(the last {NEW_PAPERS_DAYS} list days)."
    )
    digest = (
        "One entry per list day with all of its papers, each in a line or two "
        f"(the last {DIGEST_DAYS} list days)."
    )
    weekly = f"One entry per finished week with its {WEEKLY_TOP} most upvoted papers."
    site = [
        _Spec("new", "", "New papers", new, home=urls.HOME, group="site"),
        _Spec("digest", urls.DIGEST_FEEDS, "Daily digest", digest, home=urls.HOME, group="site"),
        _Spec("weekly", urls.WEEKLY_FEEDS, "Top papers of the week", weekly, urls.HOME, "site"),
    ]
    return site + [
        _Spec(
            kind="topic",
            folder=urls.topic(topic.slug),
            name=_one_line(topic.name),
            description=_one_line(f"{topic.description} The topic's newest {TOPIC_MAX} papers."),
            home=urls.topic(topic.slug),
            group="topic",
            topic=topic.slug,
        )
        for topic in archive.topics
    ]


@dataclass(frozen=True)
class _Paper:
    """A paper's fields as the feeds show them, cleaned and escaped once."""

    id: str
    title: str
    authors: str  # every author, escaped
    byline: str
    abstract_html: str
    gist: str
    upvotes: int
    organization: str
    withdrawn: str
    permalink: str
    links: tuple[tuple[str, str], ...]  # (label, URL)
    image: str | None


class _Entries:
    """The entries of every feed; each paper's fields are prepared once."""

    def __init__(self, archive: Archive, config: SiteConfig) -> None:
        self.archive, self.config = archive, config
        self.papers: dict[str, _Paper] = {}
        self.entries: dict[str, _Entry] = {}
        names = {topic.slug: _one_line(topic.name) for topic in archive.topics}
        self.tags = {
            paper_id: tuple((slug, names[slug]) for slug in slugs)
            for paper_id, slugs in archive.paper_topics.items()
        }
        # Each paper once, on its first list day: newest day first, Hugging Face order within.
        self.newest_first = [
            (paper.id, day.date)
            for day in reversed(archive.listed_days)
            for paper in day.papers
            if archive.first_listed[paper.id] == day.date
        ]

    def for_spec(self, spec: _Spec) -> list[_Entry]:
        """The entries of one feed, newest first."""
        if spec.kind == "new":
            recent = {day.date for day in self.archive.listed_days[-NEW_PAPERS_DAYS:]}
            chosen = [(pid, day) for pid, day in self.newest_first if day in recent]
            return [self.paper_entry(pid, day) for pid, day in chosen[:NEW_PAPERS_MAX]]
        if spec.kind == "topic":
            members = self.archive.paper_topics
            chosen = [(pid, day) for pid, day in self.newest_first if spec.topic in members[pid]]
            return [self.paper_entry(pid, day) for pid, day in chosen[:TOPIC_MAX]]
        if spec.kind == "digest":
            days = reversed(self.archive.listed_days[-DIGEST_DAYS:])
            return [self.digest(day.date, [p.id for p in day.papers]) for day in days]
        return self.weekly()

    def paper(self, paper_id: str) -> _Paper:
        if paper_id not in self.papers:
            paper = self.archive.papers[paper_id]
            authors = _authors(paper)
            permalink = _absolute(self.config, self.archive.permalink(paper_id))
            self.papers[paper_id] = _Paper(
                id=paper_id,
                title=_one_line(paper.title) or paper_id,
                authors=_e(", ".join(authors)),
                byline=_byline(authors),
                abstract_html="\n".join(
                    f"<p>{_e(part)}</p>"
                    for part in _text(paper.abstract).split("\n\n")
                    if part.strip()
                ),
                gist=_gist(paper),
                upvotes=paper.upvotes,
                organization=_one_line(paper.organization_name),
                withdrawn=paper.withdrawn.isoformat() if paper.withdrawn else "",
                permalink=permalink,
                links=_links(paper, permalink),
                image=_url(paper.thumbnail),
            )
        return self.papers[paper_id]

    def paper_entry(self, paper_id: str, day: date) -> _Entry:
        """A paper's entry, dated by its first list day."""
        if paper_id not in self.entries:
            paper = self.paper(paper_id)
            published = _midnight(day)
            self.entries[paper_id] = _Entry(
                url=paper.permalink,
                title=paper.title,
                html=_paper_html(paper, day),
                published=published,
                updated=published + _updated_offset(paper_id),
                byline=paper.byline,
                tags=self.tags.get(paper_id, ()),
                external=_arxiv_url(paper_id, "abs"),
                image=paper.image,
            )
        return self.entries[paper_id]

    def digest(self, day: date, paper_ids: list[str]) -> _Entry:
        """A list day with its papers in Hugging Face order: the digest e-mail's HTML."""
        page = _absolute(self.config, urls.day(day))
        title = f"Daily Papers of {dates.long_date(day)}"
        items = tuple(self.item(rank, paper_id) for rank, paper_id in enumerate(paper_ids, 1))
        intro = editions.intro(False, day, len(paper_ids), None, len(items))
        published = _midnight(day)
        return _Entry(
            url=page,
            title=title,
            html=editions.body_html(self.edition(title, False, day, intro, items, page)),
            published=published,
            updated=published,
            byline=_one_line(self.config.site_name),
        )

    def edition(
        self,
        title: str,
        weekly: bool,
        first: date,
        intro: str,
        items: tuple[editions.Item, ...],
        page: str,
    ) -> editions.View:
        """A digest or weekly entry as the digest e-mail without a selection shows it."""
        return editions.View(
            subject=title,
            name=_one_line(self.config.site_name),
            heading=editions.heading(weekly, first),
            intro=intro,
            items=items,
            more="",
            page=page,
            page_label=editions.page_label(weekly),
            site_name=_one_line(self.config.site_name),
            site_url=self.config.site_url,
        )

    def item(self, rank: int, paper_id: str) -> editions.Item:
        """A paper as digests show it: the feeds' title, gist and permalink, a short byline."""
        paper = self.paper(paper_id)
        return editions.Item(
            rank=rank,
            title=paper.title,
            url=paper.permalink,
            byline=editions.byline(_authors(self.archive.papers[paper_id])),
            upvotes=_plural(paper.upvotes, "upvote"),
            gist=paper.gist,
        )

    def weekly(self) -> list[_Entry]:
        """Finished ISO weeks, newest first: a running week's entry would be read once, early."""
        papers: dict[tuple[int, int], list[str]] = {}
        for paper_id, first in self.archive.first_listed.items():
            papers.setdefault(_week(first), []).append(paper_id)
        last_list_day = {_week(day.date): day.date for day in self.archive.listed_days}
        newest = self.archive.days[-1].date if self.archive.days else date.min
        finished = [
            week for week in sorted(papers, reverse=True) if _week_end(week) <= newest.toordinal()
        ]
        return [self.week(w, last_list_day[w], papers[w]) for w in finished[:WEEKLY_WEEKS]]

    def week(self, week: tuple[int, int], last: date, paper_ids: list[str]) -> _Entry:
        """A week's most upvoted papers, each once; ties by id, as on the week page."""
        ranked = sorted(paper_ids, key=lambda pid: (-self.paper(pid).upvotes, pid))
        first = date.fromisocalendar(week[0], week[1], 1)
        key = urls.week_key(first)
        page = _absolute(self.config, urls.week(first))
        title = f"Top papers of the week of {dates.day_text(first)} ({key})"
        top = ranked[:WEEKLY_TOP]
        items = tuple(self.item(rank, paper_id) for rank, paper_id in enumerate(top, 1))
        intro = editions.intro(True, first, len(ranked), None, len(items))
        html = editions.body_html(self.edition(title, True, first, intro, items, page))
        published = _midnight(last)
        return _Entry(
            url=page,
            title=title,
            html=html,
            published=published,
            updated=published,
            byline=_one_line(self.config.site_name),
        )


def _paper_html(paper: _Paper, day: date) -> str:
    """Everything a reader needs without leaving the feed: authors, abstract, links."""
    facts = [f"Listed on {dates.long_date(day)}", _plural(paper.upvotes, "upvote")]
    if paper.organization:
        facts.append(paper.organization)
    parts = []
    if paper.withdrawn:
        parts.append(f"<p><strong>Withdrawn from arXiv on {_e(paper.withdrawn)}.</strong></p>")
    parts += [
        f"<p><strong>Authors:</strong> {paper.authors}</p>",
        f"<p>{' · '.join(_e(fact) for fact in facts)}</p>",
        paper.abstract_html,
        _links_html(paper.links),
    ]
    return "\n".join(part for part in parts if part)


def _links(paper: Paper, permalink: str) -> tuple[tuple[str, str], ...]:
    paper_id = paper.id
    links = [
        ("arXiv", _arxiv_url(paper_id, "abs")),
        ("PDF", _arxiv_url(paper_id, "pdf")),
        ("Hugging Face", f"https://huggingface.co/papers/{quote(paper_id)}"),
        ("GitHub", _url(paper.github)),
        ("Project page", _url(paper.project_page)),
        ("Permalink", permalink),
    ]
    return tuple((label, url) for label, url in links if url)


def _links_html(links: Iterable[tuple[str, str]]) -> str:
    return "<p>" + " · ".join(_a(url, label) for label, url in links) + "</p>"


# Rendering: feedgen for RSS and Atom, JSON Feed and OPML directly.


def _generator(spec: _Spec, entries: list[_Entry], config: SiteConfig, fmt: str) -> Any:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False)  # RSS's <author> must be an e-mail address: dc:creator
    fg.id(_absolute(config, spec.path(fmt)))
    # A topic's name and description reach readers as written, "<b>" and "&amp;" included.
    # Atom's <title> and <subtitle> are plain text (no type attribute), escaped by XML alone.
    # RSS readers take the channel's <description> for HTML, as they take an item's: it is
    # escaped as HTML before XML escapes it, like the items'. RSS titles have no type: readers
    # guess HTML from an entity or an end tag (feedparser, SimplePie), so a title with one is
    # escaped as HTML too, which every such guess then reads back as the text.
    rss = fmt == "rss"
    title = _feed_title(spec, config)
    fg.title(_e_html(title) if rss and _LOOKS_LIKE_HTML.search(title) else title)
    fg.description(_e_html(spec.description) if rss else spec.description)
    fg.author({"name": _text(config.site_name), "uri": config.site_url})
    fg.dc.dc_creator(_text(config.site_name))
    # The RSS channel's <link> is the last link added: rel=self first, the page last.
    fg.link(href=_absolute(config, spec.path(fmt)), rel="self", type=MIME_TYPES[fmt])
    fg.link(href=_absolute(config, spec.home), rel="alternate", type="text/html")
    fg.language(LANGUAGE)
    fg.generator(GENERATOR)
    for entry in entries:
        _add_entry(fg, entry)
    return fg


def _add_entry(fg: Any, entry: _Entry) -> None:
    fe = fg.add_entry(order="append")  # feedgen prepends by default
    fe.guid(entry.url, permalink=True)
    fe.title(entry.title)
    # One link only: feedgen 1.0 drops rel on entry links, so a second would be a duplicate
    # alternate (a W3C error). The arXiv link is in the content.
    fe.link(href=entry.url, rel="alternate", type="text/html")
    fe.content(entry.html, type="html")
    fe.published(entry.published)
    fe.updated(entry.updated)
    if entry.byline:
        fe.author({"name": entry.byline})
        fe.dc.dc_creator(entry.byline)
    for term, label in entry.tags:
        fe.category(term=term, label=label)


def _rss(spec: _Spec, entries: list[_Entry], config: SiteConfig, fallback: datetime) -> bytes:
    fg = _generator(spec, entries, config, "rss")
    fg.lastBuildDate(max((entry.published for entry in entries), default=fallback))
    xml = _plain_text_references(fg.rss_str(pretty=True), channel_description=True)
    # RFC 822 wants four digits (years 1 to 999 are valid list days all the same).
    return _SHORT_RSS_YEAR.sub(lambda match: match[1] + match[2].zfill(4) + b" ", xml)


def _atom(spec: _Spec, entries: list[_Entry], config: SiteConfig, fallback: datetime) -> bytes:
    fg = _generator(spec, entries, config, "atom")
    fg.updated(max((entry.updated for entry in entries), default=fallback))
    return _plain_text_references(fg.atom_str(pretty=True), channel_description=False)


def _plain_text_references(xml: bytes, channel_description: bool) -> bytes:
    """Write "&" and "<" in plain-text elements as hexadecimal references.

    The RSS Profile's advice, which the W3C validator checks: a title such as "Let's <think>"
    written with &lt; draws a warning that readers may take it for markup.
    """

    def hex_refs(match: re.Match[bytes]) -> bytes:
        text = match[3].replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
        return match[1] + text + match[4]

    xml = _PLAIN_TEXT.sub(hex_refs, xml)
    if channel_description:  # the channel's comes first; items' descriptions are HTML
        xml = re.sub(rb"(<(description)>)([^<]*)(</\2>)", hex_refs, xml, count=1)
    return xml


def _json_feed(spec: _Spec, entries: list[_Entry], config: SiteConfig) -> bytes:
    feed = {
        "version": JSON_FEED_VERSION,
        "title": _feed_title(spec, config),
        "home_page_url": _absolute(config, spec.home),
        "feed_url": _absolute(config, spec.path("json")),
        "description": spec.description,
        "language": LANGUAGE,
        "authors": [{"name": _text(config.site_name), "url": config.site_url}],
        "items": [_json_item(entry) for entry in entries],
    }
    # Insertion order is the key order: deterministic without sort_keys, and readable.
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _json_item(entry: _Entry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.url, "url": entry.url}
    if entry.external:
        item["external_url"] = entry.external
    item.update(title=entry.title, content_html=entry.html)
    if entry.image:
        item["image"] = entry.image
    item["date_published"] = entry.published.isoformat()
    if entry.byline:
        item["authors"] = [{"name": entry.byline}]
    if entry.tags:
        item["tags"] = [label for _, label in entry.tags]
    return item


def _opml(specs: list[_Spec], config: SiteConfig) -> bytes:
    """OPML 2.0 with every feed once, in OPML_FORMAT, grouped as on the Feeds page."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{_text(config.site_name)} feeds"
    body = etree.SubElement(root, "body")
    for group, label in (("site", "Whole archive"), ("topic", "Topics")):
        outline = etree.SubElement(body, "outline", text=label)
        for spec in (spec for spec in specs if spec.group == group):
            title = _feed_title(spec, config)
            attributes = {
                "type": "rss",  # OPML's word for any feed subscription
                "text": title,
                "title": title,
                "description": spec.description,
                "xmlUrl": _absolute(config, spec.path(OPML_FORMAT)),
                "htmlUrl": _absolute(config, spec.home),
            }
            etree.SubElement(outline, "outline", attributes)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


# Text and dates.


def _text(value: Any) -> str:
    """Text from content with the characters XML cannot carry removed."""
    return _XML_ILLEGAL.sub("", value if isinstance(value, str) else str(value or ""))


def _one_line(value: Any) -> str:
    return " ".join(_text(value).split())


def _e(value: Any) -> str:
    """Content text as HTML text: it can never become markup."""
    return html.escape(_text(value), quote=True)


def _e_html(text: str) -> str:
    """Plain text as HTML text, for elements that readers take for HTML."""
    return html.escape(text, quote=False)


def _a(url: str, label: str) -> str:
    return f'<a href="{_e(url)}">{_e(label)}</a>'


def _url(value: Any) -> str | None:
    """An http(s) URL from content, percent-encoded where W3C's URI rules want it; else None."""
    text = _text(value)
    if not linkable(text):
        return None
    return quote(text, safe=";/?:@&=+$-_.!~*'()%,#")


def _absolute(config: SiteConfig, path: str) -> str:
    return config.url(quote(path, safe="/#"))


def _arxiv_url(paper_id: str, kind: str) -> str:
    return f"https://arxiv.org/{kind}/{quote(paper_id)}"


def _authors(paper: Paper) -> list[str]:
    names = (_one_line(name) for name in paper.authors)
    return [name for name in names if name]


def _byline(names: list[str]) -> str:
    """Up to BYLINE_NAMES names: a paper can have hundreds."""
    if len(names) <= BYLINE_NAMES:
        return ", ".join(names)
    return f"{', '.join(names[:BYLINE_NAMES])} and {len(names) - BYLINE_NAMES} more"


def _gist(paper: Paper) -> str:
    """The AI summary, or else the abstract's first sentence."""
    summary = _one_line(paper.ai_summary)
    if summary:
        return summary
    abstract = _one_line(paper.abstract)
    match = _FIRST_SENTENCE.match(abstract)
    sentence = match[1] if match else abstract
    if len(sentence) <= GIST_MAX:
        return sentence
    return sentence[:GIST_MAX].rsplit(" ", 1)[0] + " …"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _feed_title(spec: _Spec, config: SiteConfig) -> str:
    return f"{_one_line(config.site_name)}: {spec.name}"


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _updated_offset(paper_id: str) -> timedelta:
    """A fixed offset under 20 minutes that no other paper of a feed shares.

    Every paper of a list day has the same date, but the W3C validator warns when two Atom
    entries share <updated>. The offset comes from the arXiv id alone, so it never changes:
    2605.29801 -> 2605*100000 + 29801 microseconds, one-to-one for every new-style id.
    """
    match = _NEW_STYLE_ID.match(paper_id)
    if match:
        return timedelta(microseconds=int(match[1]) * 100_000 + int(match[2]))
    return timedelta(microseconds=10**9 + zlib.crc32(paper_id.encode("utf-8")) % 10**8)


def _week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def _week_end(week: tuple[int, int]) -> int:
    """The ordinal of an ISO week's Sunday, or of 9999-12-31, the last day there is."""
    return dates.week_end(date.fromisocalendar(week[0], week[1], 1)).toordinal()
