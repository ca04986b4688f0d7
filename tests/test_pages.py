"""Pages: the correction link a contributor follows, the whole date range, invisible controls."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html
import pytest
from lxml import etree

from generator import urls
from generator.archive import Archive, load_archive
from generator.config import SiteConfig
from generator.content import DayFile, day_path, dump_day
from generator.data import iter_data
from generator.feeds import feed_catalog, generate_feeds
from generator.models import Day, Paper, clean_text, strip_invisible
from generator.pages import iter_pages, meta_text
from generator.topics import Topic
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
CONFIG = SiteConfig(
    "Daily Papers Archive", "https://example.org/archive/", "https://github.com/owner/repo", "main"
)
# What overrides/assets/correct.js accepts as ?paper=, and how it fills the editor link in.
CORRECT_JS_ID = re.compile(r"^([0-9]{4}\.[0-9]{4,5}|[a-z][a-z.-]*(\.[A-Z]{2})?/[0-9]{7})$")
CORRECT_JS_FILL = (
    'box.dataset.editor.split("filename=PAPER_ID").join("filename=" + id.split("/").join("_"))',
    'editor.split("PAPER_ID").join(id)',
)


def _paper(paper_id: str, title: str = "A paper", **fields: Any) -> Paper:
    return Paper(id=paper_id, title=title, upvotes=1, authors=("Ada",), **fields)


# "Suggest a correction": the file it prefills is one `validate` accepts and the build applies.


def _body(page: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(page.split("\n---\n", 1)[1], create_parent="div")


def _editor_link(pages: dict[str, str], day: date, paper_id: str) -> str:
    """The GitHub editor URL a reader reaches from the paper's "Suggest a correction" link."""
    page_url = CONFIG.url(f"{day:%Y/%m/%d}/")
    section = _body(pages[f"{day:%Y/%m/%d}.md"]).get_element_by_id(paper_id)
    (href,) = [a.get("href") for a in section.iter("a") if a.text == "Suggest a correction"]
    url = urljoin(page_url, href)
    if url.startswith(CONFIG.repo_url + "/"):
        return url  # straight to the editor
    # Else the contributing page, whose script fills the paper's id into its editor link.
    assert url.startswith(CONFIG.url("contributing/?")), url
    (paper,) = parse_qs(urlsplit(url).query)["paper"]
    assert paper == paper_id and CORRECT_JS_ID.match(paper)
    script = (ROOT / "overrides/assets/correct.js").read_text("utf-8")
    assert all(line in script for line in CORRECT_JS_FILL)
    match = re.search(r'data-editor="([^"]*)"', pages["contributing.md"])
    assert match
    named = html.unescape(match[1]).split("filename=PAPER_ID")
    editor = ("filename=" + "_".join(paper.split("/"))).join(named)
    return paper.join(editor.split("PAPER_ID"))


@pytest.mark.parametrize(
    "paper_id", ["2506.00001", "2506.0001", "hep-th/9901001", "math.GT/0309136"]
)
def test_suggested_correction_file_passes_validate(tmp_path: Path, paper_id: str) -> None:
    content = tmp_path / "content"
    papers = [_paper("2506.09999"), _paper(paper_id, "The wrong title")]
    day = DayFile(date(2025, 6, 9), [paper.as_dict() for paper in papers])
    path = day_path(content, day.date)
    path.parent.mkdir(parents=True)
    path.write_text(dump_day(day), "utf-8")
    assert validate(content) == []
    pages = dict(iter_pages(load_archive(content), CONFIG))

    url = urlsplit(_editor_link(pages, day.date, paper_id))
    prefix = "/owner/repo/new/main/"
    assert url.scheme == "https" and url.netloc == "github.com" and url.path.startswith(prefix)
    query = parse_qs(url.query, keep_blank_values=True)
    (name,), (text,) = query["filename"], query["value"]
    repo_path = f"{url.path.removeprefix(prefix)}/{name}"
    assert repo_path.startswith("content/corrections/")
    # What the contributor adds: the reason, and a field under `set`.
    assert 'reason: ""\n' in text and text.endswith("set:\n  ")
    filled = text.replace('reason: ""', 'reason: "The PDF says so"') + 'title: "The right title"\n'
    correction = tmp_path / repo_path
    correction.parent.mkdir(parents=True, exist_ok=True)
    correction.write_text(filled, "utf-8")

    assert validate(content) == []
    titles = {p.id: p.title for p in load_archive(content).papers.values()}
    assert titles == {"2506.09999": "A paper", paper_id: "The right title"}


def test_new_style_ids_keep_the_short_link() -> None:
    """Day pages link new-style ids to the contributing page, not to a long prefilled URL."""
    day = Day(date(2025, 6, 9), [_paper("2506.00001"), _paper("hep-th/9901001")])
    section = _body(dict(iter_pages(Archive(days=[day]), CONFIG))["2025/06/09.md"])
    links = [a.get("href") for a in section.iter("a") if a.text == "Suggest a correction"]
    assert links[0] == "../../../contributing/?paper=2506.00001"
    assert links[1].startswith("https://github.com/owner/repo/new/main/content/corrections?")


# The whole date range the day schema accepts: 0001-01-01 to 9999-12-31.


def _generate(archive: Archive) -> tuple[dict[str, str], dict[str, bytes]]:
    feeds = generate_feeds(archive, CONFIG)
    for path, data in feeds.items():
        if path.endswith(".json"):
            json.loads(data)
        else:
            etree.fromstring(data)
    pages = dict(iter_pages(archive, CONFIG, feed_catalog(archive, CONFIG)))
    days = {f"data/{d.date:%Y/%m/%d}.json" for d in archive.days}
    assert {path for path, _ in iter_data(archive)} >= days
    return pages, feeds


def _nav(page: str, rel: str) -> list[str]:
    return [a.get("href") for a in _body(page).iter("a") if a.get("rel") == rel]


def test_the_last_days_there_are() -> None:
    everything = Topic(slug="all", name="All", description="Every paper.", words=(("paper",),))
    last = date(9999, 12, 31)
    archive = Archive(
        days=[
            Day(date(9999, 12, 27), [_paper("2501.00001", "First paper")], fetched=last),
            Day(date(9999, 12, 28), [], fetched=last),
            Day(last, [_paper("2501.00002", "Last paper")], fetched=last),
        ],
        topics=[everything],
        fetch_status={"9999-12-30": {"failed": "9999-12-31", "error": "timeout"}},
    )
    pages, feeds = _generate(archive)
    assert _nav(pages["9999/12/31.md"], "next") == []
    assert _nav(pages["9999/12/31.md"], "prev") == ["../27/", "../27/"]
    assert _nav(pages["9999/12/index.md"], "next") == []
    # The ISO week 9999-W52 would end on Sunday 10000-01-02: it ends on the last day there is.
    week = pages["weeks/9999-W52.md"]
    assert "listed Monday, 27 December 9999 to Friday, 31 December 9999" in week
    assert _nav(week, "next") == []
    assert "dpa-failed" in pages["coverage.md"] and "9999-12-31" in pages["coverage.md"]
    assert '<span class="dpa-date">31</span>' in pages["9999/12/index.md"]
    # No later day can join that week: it counts as finished.
    weekly = json.loads(feeds["weekly/feed.json"])["items"]
    assert [item["id"] for item in weekly] == [CONFIG.url("weeks/9999-W52/")]
    new = json.loads(feeds["feed.json"])["items"]
    assert [item["date_published"][:10] for item in new] == ["9999-12-31", "9999-12-27"]
    assert b"<pubDate>Fri, 31 Dec 9999 00:00:00 +0000</pubDate>" in feeds["feed.xml"]


def test_the_first_days_there_are() -> None:
    everything = Topic(slug="all", name="All", description="Every paper.", words=(("paper",),))
    first = date(1, 1, 1)
    archive = Archive(
        days=[
            Day(first, [_paper("2501.00001", "First paper")], fetched=first),
            Day(date(1, 1, 2), [], fetched=first),
            Day(date(1, 1, 8), [_paper("2501.00002", "Next paper")], fetched=date(1, 1, 9)),
        ],
        topics=[everything],
        fetch_status={"0001-01-03": {"failed": "0001-01-04", "error": "timeout"}},
    )
    pages, feeds = _generate(archive)
    first_page = pages[f"{first:%Y/%m/%d}.md"]  # the same path as the permalinks'
    assert _nav(first_page, "prev") == []
    assert _nav(first_page, "next") == ["../08/", "../08/"]
    assert "Monday, 1 January 1" in first_page
    week = pages["weeks/1-W01.md"]
    assert "listed Monday, 1 January 1 to Sunday, 7 January 1" in week
    assert _nav(week, "prev") == [] and _nav(week, "next") == ["../1-W02/"]
    coverage = _body(pages["coverage.md"])
    states = [row.get("class") for row in coverage.iter("tr")][1:]  # under the header row
    assert states == ["dpa-growing", "dpa-empty", "dpa-failed", *["dpa-missing"] * 4, "dpa-growing"]
    new = json.loads(feeds["feed.json"])["items"]
    assert [item["date_published"] for item in new] == [
        "0001-01-08T00:00:00+00:00",
        "0001-01-01T00:00:00+00:00",
    ]
    # RSS dates keep their four-digit year (strftime's %Y writes "1").
    assert b"<pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate>" in feeds["feed.xml"]
    assert b"<lastBuildDate>Mon, 08 Jan 0001 00:00:00 +0000</lastBuildDate>" in feeds["feed.xml"]
    weekly = json.loads(feeds["weekly/feed.json"])["items"]  # 1-W02 is still running
    assert [item["id"] for item in weekly] == [CONFIG.url("weeks/1-W01/")]


# Invisible controls: bidirectional embeddings, overrides and isolates never reach a reader.

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Hebrew, Arabic, and the right-to-left and left-to-right marks, which stay.
RIGHT_TO_LEFT = (
    "\u05e9\u05dc\u05d5\u05dd \u200f\u05e2\u05d5\u05dc\u05dd\u200e"
    " and \u0645\u0631\u062d\u0628\u0627"
)


@pytest.mark.parametrize("char", list(BIDI))
def test_bidirectional_controls_are_dropped(char: str) -> None:
    assert clean_text(f"evil{char}txt.exe") == "eviltxt.exe"
    assert strip_invisible(f"evil{char}txt.exe") == "eviltxt.exe"
    assert char not in meta_text(f"Title {char}x")


def test_strip_invisible_drops_what_clean_text_drops_and_keeps_layout() -> None:
    controls = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r")
    text = f"  A {controls}{BIDI}hard\n  wrap\n\n\tB\r\n{RIGHT_TO_LEFT}\ufffe\uffff\ud800 "
    assert strip_invisible(text) == f"  A hard\n  wrap\n\n\tB\r\n{RIGHT_TO_LEFT} "
    assert (
        clean_text(text)
        == clean_text(strip_invisible(text))
        == (f"A hard wrap\n\nB {RIGHT_TO_LEFT}")
    )


def test_ordinary_text_is_unchanged() -> None:
    for text in (RIGHT_TO_LEFT, "Plain title: $O(n^2)$ & <b>", "\u200e\u200f\u200d\u00a0é"):
        assert strip_invisible(text) == text
        assert clean_text(text) == " ".join(text.split())


def test_search_page_is_a_page_like_every_other() -> None:
    pages = dict(iter_pages(Archive(days=[]), CONFIG))
    page = pages[urls.docs_path(urls.SEARCH)]
    assert page.startswith('---\ntitle: "Search"\n')
    assert "ready_html" not in page  # Markdown: "# Search" is its heading
    for needed in ('id="dpa-search"', 'name="q"', 'name="sort"', 'name="year"', 'name="topic"'):
        assert needed in page
    assert 'name="org"' in page and 'name="code"' in page and 'id="dpa-search-results"' in page


def test_email_signup_link_on_home_and_feeds_pages_only_when_configured() -> None:
    archive = Archive(days=[Day(date(2025, 6, 9), [_paper("2506.00001")])])
    home, feeds = urls.docs_path(urls.HOME), urls.docs_path(urls.FEEDS)
    plain = dict(iter_pages(archive, CONFIG))
    assert "Get the digest by e-mail" not in plain[home]
    assert "Get the digest by e-mail" not in plain[feeds]
    # The step-by-step way to a feed-to-e-mail service is always there, with the feed's URL.
    assert "https://example.org/archive/digest/feed.xml" in plain[feeds]
    signup = "https://buttondown.example/papers?ref=archive&x=<1>"  # escaped, like any value
    pages = dict(iter_pages(archive, replace(CONFIG, email_signup_url=signup)))
    link = '<a href="https://buttondown.example/papers?ref=archive&amp;x=&lt;1&gt;">'
    for path in (home, feeds):
        assert f"{link}Get the digest by e-mail</a>" in pages[path]
