"""Feeds: entries, ids, dates, order and limits, hostile text, determinism, W3C's rules."""

from __future__ import annotations

import html.entities
import json
import re
import shutil
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import pytest
from lxml import etree

from generator.archive import Archive, load_archive
from generator.config import SiteConfig
from generator.feeds import TOPIC_MAX, FeedInfo, feed_catalog, generate_feeds
from generator.importer import import_dir
from generator.models import Day
from generator.topics import Topic
from tests.helpers import api_item, write_files, write_response

CONFIG = SiteConfig(
    site_name="Daily Papers Archive",
    site_url="https://example.org/dpa/",
    repo_url="https://github.com/example/dpa",
    branch="main",
)
TOPICS = """\
topics:
- slug: agents
  name: Agents & tools
  description: "Language-model agents."
  match:
    words: [agentic]
- slug: nothing
  name: Nothing
  description: "A topic no paper matches."
  match:
    words: [zzzqqq]
"""
ABSTRACT = "A first sentence here. And a second one."
THINK = "Let's <think> about Q&A &amp; R&D"  # markup-like, but no HTML tag
HOSTILE = "<script>alert(1)</script> & ]]> {{ x }} &amp;"
ATOM = "{http://www.w3.org/2005/Atom}"


def _site(path: str) -> str:
    return CONFIG.url(path)


# Fixture content: three list days in ISO week 24 and 25 of 2025, an empty Sunday closing week 25.


def _import(tmp_path: Path, content: Path, day: str, items: list[Any]) -> None:
    folder = tmp_path / f"responses-{day}-{len(list(tmp_path.glob('responses-*')))}"
    assert not import_dir(write_response(folder, day, items).parent, content).failed


@pytest.fixture
def content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    first_day = [
        api_item("2506.00002", 9, summary="Agentic.", ai_summary="An agentic planner, summarised."),
        api_item("2506.00001", 5, summary=ABSTRACT),
        api_item("2506.00009", 4),
    ]
    _import(tmp_path, content, "2025-06-09", first_day)
    second_day = [
        api_item("2506.00001", 6, summary=ABSTRACT),
        api_item("2506.00003", 3, title=HOSTILE, summary=HOSTILE),
    ]
    _import(tmp_path, content, "2025-06-10", second_day)
    _import(
        tmp_path,
        content,
        "2025-06-16",
        [api_item("2506.00005", 7, title=THINK, summary="Agentic. More.")],
    )
    _import(tmp_path, content, "2025-06-22", [])
    write_files(
        content,
        {
            "topics.yml": TOPICS,
            "corrections/2506.00009.yaml": 'id: "2506.00009"\nreason: "spam"\nhide: true\n',
            "corrections/2506.00003.yaml": (
                # A URL the schema lets through (javascript: it does not) that no link may carry.
                'id: "2506.00003"\nreason: "test"\nset:\n'
                '  project_page: "https://example.org/x\\"onmouseover=alert(1)"\n'
            ),
        },
    )
    return content


def _build(content: Path) -> dict[str, bytes]:
    return generate_feeds(load_archive(content), CONFIG)


def _json(files: dict[str, bytes], path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(files[path])
    return data


def _ids(files: dict[str, bytes], path: str) -> list[str]:
    return [item["id"] for item in _json(files, path)["items"]]


def _paper_url(paper_id: str, day: str) -> str:
    return _site(f"{day.replace('-', '/')}/#{paper_id}")


# The feeds, their catalog and what readers see.


def test_files_match_the_catalog(content: Path) -> None:
    archive = load_archive(content)
    catalog = feed_catalog(archive, CONFIG)
    files = generate_feeds(archive, CONFIG)
    assert set(files) == {info.path for info in catalog} | {"feeds.opml"}
    assert len(catalog) == 3 * (3 + 2)
    assert all(isinstance(info, FeedInfo) for info in catalog)
    assert [(i.title, i.path, i.format, i.mime, i.group, i.topic) for i in catalog[:3]] == [
        ("New papers", "feed.xml", "rss", "application/rss+xml", "site", None),
        ("New papers", "atom.xml", "atom", "application/atom+xml", "site", None),
        ("New papers", "feed.json", "json", "application/feed+json", "site", None),
    ]
    assert [info.path for info in catalog[3:9:3]] == ["digest/feed.xml", "weekly/feed.xml"]
    assert [info.path for info in catalog if info.topic == "agents"] == [
        "topics/agents/feed.xml",
        "topics/agents/atom.xml",
        "topics/agents/feed.json",
    ]
    assert {info.group for info in catalog if info.topic} == {"topic"}
    assert all(info.description and "\n" not in info.description for info in catalog)


def test_every_feed_parses_and_keeps_w3c_rules(content: Path) -> None:
    files = _build(content)
    for path, data in files.items():
        if path.endswith(".xml"):
            parsed = feedparser.parse(data)
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            assert parsed.feed.title.startswith("Daily Papers Archive: ")
        problems = w3c_problems(path, data)
        if path.endswith(".xml"):
            # A title with a literal HTML end tag is W3C's ContainsHTML warning: only the
            # hostile fixture title has one, and it stays text.
            problems = [p for p in problems if "</script>" not in p]
        assert problems == [], path


def test_plain_text_written_with_hexadecimal_references(content: Path) -> None:
    files = _build(content)
    for path in ("feed.xml", "atom.xml", "topics/agents/feed.xml"):
        assert feedparser.parse(files[path]).entries[0].title == THINK
        assert b"Let's &#x3C;think&gt; about Q&#x26;A &#x26;amp; R&#x26;D" in files[path]
        named = files[path].replace(b"&#x3C;", b"&lt;").replace(b"&#x26;", b"&amp;")
        assert any("looks like markup" in problem for problem in w3c_problems(path, named))


def test_new_papers_newest_first_each_paper_once(content: Path) -> None:
    files = _build(content)
    expected = [
        _paper_url("2506.00005", "2025-06-16"),
        _paper_url("2506.00003", "2025-06-10"),
        _paper_url("2506.00002", "2025-06-09"),  # Hugging Face order within the day
        _paper_url("2506.00001", "2025-06-09"),  # listed again on 06-10: once, on its first day
    ]
    assert _ids(files, "feed.json") == expected  # 2506.00009 is hidden
    rss = feedparser.parse(files["feed.xml"])
    atom = feedparser.parse(files["atom.xml"])
    assert [e.id for e in rss.entries] == [e.id for e in atom.entries] == expected
    assert [e.link for e in rss.entries] == expected
    assert rss.entries[3].published == "Mon, 09 Jun 2025 00:00:00 +0000"
    assert rss.feed.updated == "Mon, 16 Jun 2025 00:00:00 +0000"  # the newest entry's date
    assert atom.entries[3].published == "2025-06-09T00:00:00+00:00"
    updated = [datetime.fromisoformat(e.updated) for e in atom.entries]
    published = [datetime.fromisoformat(e.published) for e in atom.entries]
    assert all(
        timedelta(0) < u - p < timedelta(minutes=20)
        for u, p in zip(updated, published, strict=True)
    )
    assert atom.feed.updated == max(updated).isoformat()


def test_new_papers_entry_content(content: Path) -> None:
    item = _json(_build(content), "feed.json")["items"][3]
    assert item["title"] == "Paper 2506.00001"
    assert item["date_published"] == "2025-06-09T00:00:00+00:00"
    assert item["authors"] == [{"name": "Ada Lovelace"}]
    assert item["external_url"] == "https://arxiv.org/abs/2506.00001"
    text = item["content_html"]
    for piece in (
        "<strong>Authors:</strong> Ada Lovelace",
        "Listed on Monday, 9 June 2025 · 6 upvotes",  # the newest counts
        f"<p>{ABSTRACT}</p>",
        '<a href="https://arxiv.org/pdf/2506.00001">PDF</a>',
        f'<a href="{_paper_url("2506.00001", "2025-06-09")}">Permalink</a>',
    ):
        assert piece in text


def test_json_feed_fields(content: Path) -> None:
    files = _build(content)
    feed = _json(files, "feed.json")
    assert list(feed)[:4] == ["version", "title", "home_page_url", "feed_url"]
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == _site("feed.json")
    assert feed["home_page_url"] == _site("")
    assert feed["authors"] == [{"name": "Daily Papers Archive", "url": _site("")}]
    for item in feed["items"]:
        assert {"id", "url", "title", "content_html", "date_published"} <= set(item)
    agents = _json(files, "topics/agents/feed.json")["items"][0]
    assert agents["tags"] == ["Agents & tools"]


def test_digest_one_entry_per_list_day(content: Path) -> None:
    files = _build(content)
    feed = _json(files, "digest/feed.json")
    days = ["2025/06/16/", "2025/06/10/", "2025/06/09/"]  # the empty 06-22 has no entry
    assert [item["id"] for item in feed["items"]] == [_site(day) for day in days]
    tuesday = feed["items"][1]
    assert tuesday["title"] == "Daily Papers of Tuesday, 10 June 2025"
    assert tuesday["date_published"] == "2025-06-10T00:00:00+00:00"
    # Its papers in order, linked to their permalinks (2506.00001's lives on 06-09).
    links = re.findall(r'<h3><a href="([^"]+)">', tuesday["content_html"])
    assert links == [_paper_url("2506.00001", "2025-06-09"), _paper_url("2506.00003", "2025-06-10")]
    monday = feed["items"][2]["content_html"]
    assert "An agentic planner, summarised." in monday  # the AI summary first
    assert "A first sentence here.</p>" in monday  # else the abstract's first sentence
    assert "2506.00009" not in monday


def test_weekly_finished_weeks_with_top_papers(content: Path, tmp_path: Path) -> None:
    feed = _json(_build(content), "weekly/feed.json")
    assert [item["id"] for item in feed["items"]] == [
        _site("weeks/2025-W25/"),
        _site("weeks/2025-W24/"),
    ]
    week = feed["items"][1]
    assert week["date_published"] == "2025-06-10T00:00:00+00:00"  # the week's last list day
    links = re.findall(r'<h3>\d+\. <a href="([^"]+)">', week["content_html"])
    assert links == [  # most upvoted first, each paper once
        _paper_url("2506.00002", "2025-06-09"),
        _paper_url("2506.00001", "2025-06-09"),
        _paper_url("2506.00003", "2025-06-10"),
    ]
    # A week still running has no entry yet: its entry would be read once, on its first day.
    _import(tmp_path, content, "2025-06-23", [api_item("2506.00006", 1)])
    assert len(_json(_build(content), "weekly/feed.json")["items"]) == 2


def test_topic_feeds(content: Path) -> None:
    files = _build(content)
    assert _ids(files, "topics/agents/feed.json") == [
        _paper_url("2506.00005", "2025-06-16"),
        _paper_url("2506.00002", "2025-06-09"),
    ]
    assert _ids(files, "topics/nothing/feed.json") == []
    empty = feedparser.parse(files["topics/nothing/atom.xml"])
    assert not empty.bozo and empty.entries == []
    assert empty.feed.updated == "2025-06-22T00:00:00+00:00"  # the data's newest day, no clock
    rss = etree.fromstring(files["topics/agents/feed.xml"])
    assert rss.find("channel/link").text == _site("topics/agents/")
    assert [c.text for c in rss.iterfind("channel/item/category")] == ["Agents & tools"] * 2


def test_hidden_and_corrected(content: Path) -> None:
    files = _build(content)
    assert not any(b"2506.00009" in data for data in files.values())
    assert not any(b"javascript:" in data for data in files.values())
    assert not any(b"onmouseover" in data for data in files.values())
    assert not any(b"example.org/x" in data for data in files.values())


# Ids never change; the same content gives the same bytes.


def _updated(files: dict[str, bytes]) -> dict[str, str]:
    return {e.id: e.updated for e in feedparser.parse(files["atom.xml"]).entries}


def test_ids_survive_correction_refetch_and_rebuild(content: Path, tmp_path: Path) -> None:
    before = _build(content)
    write_files(
        content,
        {"corrections/2506.00001.yaml": 'id: "2506.00001"\nreason: "t"\nset:\n  title: "Fixed"\n'},
    )
    refetch = [
        api_item("2506.00001", 50, summary=ABSTRACT),
        api_item("2506.00002", 9, summary="Agentic."),
        api_item("2506.00009", 4),
    ]
    _import(tmp_path, content, "2025-06-09", refetch)
    after = _build(content)
    for path in ("feed.json", "digest/feed.json", "weekly/feed.json", "topics/agents/feed.json"):
        assert sorted(_ids(after, path)) == sorted(_ids(before, path)), path
    ids = _ids(after, "feed.json")
    assert ids[2:] == [
        _paper_url("2506.00001", "2025-06-09"),
        _paper_url("2506.00002", "2025-06-09"),
    ]
    assert _json(after, "feed.json")["items"][2]["title"] == "Fixed"
    assert _updated(after) == _updated(before)  # no entry looks modified
    assert _build(content) == after


def test_byte_identical_builds(content: Path) -> None:
    first, second = _build(content), _build(content)
    assert first == second
    assert first["feed.json"].endswith(b"\n")
    # Nothing from the clock or from feedgen's version.
    assert b"<generator>Daily Papers Archive</generator>" in first["atom.xml"]
    assert not any(b"feedgen" in data for data in first.values())
    days = {b"2025-06-09", b"2025-06-10", b"2025-06-16", b"2025-06-22"}
    for path in (path for path in first if path.endswith("atom.xml")):
        assert set(re.findall(rb"<(?:updated|published)>([\d-]{10})T", first[path])) <= days


# Hostile text and limits, on archives made in memory.


def _paper(
    paper_id: str, title: str = "A paper", upvotes: int = 1, **fields: Any
) -> dict[str, Any]:
    return {
        "id": paper_id,
        "title": title,
        "authors": ["Ada"],
        "upvotes": upvotes,
        "abstract": "An abstract.",
        **fields,
    }


def test_hostile_text_stays_text() -> None:
    controls = "".join(chr(c) for c in (0, 1, 8, 11, 12, 27, 0x7F, 0x85, 0xFFFE)) + "\ud800"
    title = f"Title{controls} {HOSTILE}"
    paper = _paper(
        "2501.00001",
        title,
        abstract=f"Abstract {HOSTILE}\n\nNext{controls}",
        authors=[f"Eve {HOSTILE}"],
        ai_summary=HOSTILE,
        github="javascript:alert(1)",
        project_page='https://example.org/a"b<c>',
    )
    archive = Archive(days=[Day(date(2025, 1, 6), [paper]), Day(date(2025, 1, 12), [])])
    files = generate_feeds(archive, CONFIG)
    clean_title = f"Title {HOSTILE}"
    for path in ("feed.xml", "atom.xml", "digest/atom.xml", "weekly/feed.xml"):
        etree.fromstring(files[path])  # well-formed
        parsed = feedparser.parse(files[path], sanitize_html=False)
        assert not parsed.bozo, path
        if path in ("feed.xml", "atom.xml"):
            assert parsed.entries[0].title == clean_title
            assert parsed.entries[0].author == f"Eve {HOSTILE}"
        problems = w3c_problems(path, files[path])
        assert all("contains HTML" in p for p in problems), problems
    for item in _json(files, "feed.json")["items"] + _json(files, "digest/feed.json")["items"]:
        fragment = lxml.html.fragment_fromstring(item["content_html"], create_parent="div")
        assert fragment.xpath("//script") == []
        assert HOSTILE in fragment.text_content()
        assert {a.get("href").split(":")[0] for a in fragment.iter("a")} == {"https"}
        assert not re.search("[\x00-\x08\x0b\x0c\x7f-\x9f\ufffe\ud800]", item["content_html"])


def _as_read(detail: Any) -> str:
    """What a feed reader shows of a parsed text: HTML rendered, which must hold no element."""
    if detail.type == "text/plain":
        return str(detail.value)
    assert detail.type == "text/html", detail
    fragment = lxml.html.fragment_fromstring(detail.value, create_parent="div")
    assert len(fragment) == 0, f"live markup in {detail.value!r}"
    return str(fragment.text_content())


@pytest.mark.parametrize("text", [HOSTILE, "<script>alert(1)</script>", "&amp;", "<b>A</b> & B"])
def test_channel_text_reads_as_written(text: str) -> None:
    """A topic's name and description reach every reader as written, markup and all."""
    topic = Topic(slug="odd", name=f"Odd {text}", description=f"About {text}.", words=(("a",),))
    archive = Archive(days=[Day(date(2025, 1, 6), [_paper("2501.00001")])], topics=[topic])
    files = generate_feeds(archive, CONFIG)
    title = f"Daily Papers Archive: Odd {text}"
    description = f"About {text}. The topic's newest {TOPIC_MAX} papers."
    for path in ("topics/odd/feed.xml", "topics/odd/atom.xml"):
        for sanitize in (True, False):
            parsed = feedparser.parse(files[path], sanitize_html=sanitize)
            assert not parsed.bozo, path
            assert _as_read(parsed.feed.title_detail) == title, path
            assert _as_read(parsed.feed.subtitle_detail) == description, path
            assert [t.label or t.term for t in parsed.entries[0].tags] == [f"Odd {text}"], path
        problems = w3c_problems(path, files[path])
        assert all("contains HTML" in p and "title" in p for p in problems), problems
    feed = _json(files, "topics/odd/feed.json")
    assert (feed["title"], feed["description"]) == (title, description)
    assert feed["items"][0]["tags"] == [f"Odd {text}"]
    opml = etree.fromstring(files["feeds.opml"]).find(".//outline[@text='Topics']/outline")
    assert (opml.get("title"), opml.get("description")) == (title, description)
    catalog = [info for info in feed_catalog(archive, CONFIG) if info.topic == "odd"]
    assert {(info.title, info.description) for info in catalog} == {(f"Odd {text}", description)}


def test_bidirectional_controls_never_reach_a_feed() -> None:
    """Content loading drops them; text that still has them loses them in every feed."""
    bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    rtl = "\u05e9\u05dc\u05d5\u05dd \u200f\u0645\u0631\u062d\u0628\u0627\u200e"
    paper = _paper(
        "2501.00001",
        f"Title{bidi} {rtl}",
        abstract=f"Abstract{bidi} {rtl}.",
        authors=[f"Eve{bidi}"],
        ai_summary=f"Summary{bidi}.",
        organization_name=f"Org{bidi}",
    )
    topic = Topic(slug="t", name=f"Topic{bidi}", description=f"About{bidi}.", words=(("title",),))
    files = generate_feeds(Archive(days=[Day(date(2025, 1, 6), [paper])], topics=[topic]), CONFIG)
    for path, data in files.items():
        text = data.decode("utf-8")
        assert not any(char in text for char in bidi), path
    for path in ("feed.json", "topics/t/feed.json"):
        assert _json(files, path)["items"][0]["title"] == f"Title {rtl}"  # RTL text as it was


def test_limits_on_a_busy_archive() -> None:
    start = date(2025, 1, 1)
    days = [
        Day(
            start + timedelta(days=n),
            [_paper(f"2501.{n * 12 + i:05d}", upvotes=12 - i) for i in range(12)],
        )
        for n in range(70)
    ]
    everything = Topic(slug="all", name="All", description="Every paper.", words=(("paper",),))
    files = generate_feeds(Archive(days=days, topics=[everything]), CONFIG)
    new = feedparser.parse(files["atom.xml"]).entries
    assert len(new) == 300  # 30 list days hold 360 papers
    assert new[0].published == "2025-03-11T00:00:00+00:00"
    assert new[-1].published == "2025-02-15T00:00:00+00:00"  # 25 days of 12
    assert len(_ids(files, "digest/feed.json")) == 60
    assert len(_ids(files, "weekly/feed.json")) == 10  # 2025-W01 to W10 are over on 11 March
    assert len(_ids(files, "topics/all/feed.json")) == TOPIC_MAX == 100
    assert all(w3c_problems(path, data) == [] for path, data in files.items())


# The whole real corpus.


@pytest.fixture(scope="module")
def corpus_feeds(imported: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    content = tmp_path_factory.mktemp("feeds") / "content"
    shutil.copytree(imported, content)
    shutil.copy(Path(__file__).resolve().parent.parent / "content" / "topics.yml", content)
    return _build(content)


def test_corpus_feeds_parse_and_keep_limits(corpus_feeds: dict[str, bytes]) -> None:
    for path, data in corpus_feeds.items():
        if path.endswith(".xml"):
            # Sanitising is feedparser's job for readers; well-formedness is ours.
            parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            assert len(parsed.entries) < 3000  # Inoreader's limit
        assert w3c_problems(path, data) == [], path
    new = _json(corpus_feeds, "feed.json")["items"]
    assert len(new) == 300 and len({item["id"] for item in new}) == 300
    assert len(_ids(corpus_feeds, "digest/feed.json")) == 60
    assert len(_ids(corpus_feeds, "weekly/feed.json")) == 52
    topics = [path for path in corpus_feeds if path.startswith("topics/")]
    assert len(topics) == 15 * 3
    assert all(0 < len(_ids(corpus_feeds, p)) <= 100 for p in topics if p.endswith(".json"))


def test_corpus_new_papers_are_the_newest_list_days(corpus_feeds: dict[str, bytes]) -> None:
    dates = [item["date_published"] for item in _json(corpus_feeds, "feed.json")["items"]]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == "2026-05-29T00:00:00+00:00"
    assert len(set(dates)) <= 30


# A checker for the W3C Feed Validation Service's rules (the service is not reachable here):
# https://github.com/w3c/feedvalidator, src/feedvalidator/validators.py and friends.

RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d\d:\d\d(:\d\d)? ([+-]\d\d[03]0|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)$"
)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
FULL_URI = re.compile(r"^[a-zA-Z][0-9a-zA-Z+\-.]*:(//)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$")
# W3C's HTMLValidator.htmltags: an end tag of one of these in plain text is "contains HTML".
HTML_TAGS = set(
    """a abbr acronym address applet area article aside audio b base basefont bdi bdo big
    blockquote body br button canvas caption center cite code col colgroup command data datagrid
    datalist dd del details dfn dialog dir div dl dt em eventsource fieldset figcaption figure
    font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img
    input ins isindex kbd label legend li link m main mark map menu meta meter nav noframes
    noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp
    script section select slot small source span strike strong style sub summary sup table tbody
    td template textarea tfoot th thead time title tr track tt u ul var xmp plaintext embed
    comment listing video wbr""".split()
)
SAFE_TAGS = {"a", "p", "strong", "em", "h3", "br"}
ENTITIES = set(html.entities.name2codepoint) | {"apos"}
NAMESPACES = {
    "http://www.w3.org/2005/Atom",
    "http://purl.org/rss/1.0/modules/content/",
    "http://purl.org/dc/elements/1.1/",
}


def w3c_problems(path: str, data: bytes) -> list[str]:
    """Whatever W3C's feed validator would report as an error or a warning."""
    if path.endswith(".json"):
        return _json_feed_problems(data, _site(path))
    root = etree.fromstring(data)
    lines = data.decode("utf-8").split("\n")
    if root.tag == "rss":
        return _rss_problems(root, lines, _site(path))
    if root.tag == ATOM + "feed":
        return _atom_problems(root, lines, _site(path))
    return _opml_problems(root)


def _plain_text(element: Any, lines: list[str], rss: bool) -> list[str]:
    """W3C's nonhtml rule for titles and names: nothing a reader could take for markup."""
    if element is None or not element.text:
        return [] if element is None else [f"{element.tag} is blank"]
    value, raw = element.text, lines[element.sourceline - 1]
    tags = [t for t in re.findall(r"</(\w+)>", value) if t.lower() in HTML_TAGS]
    if tags:
        return [f"{element.tag} contains HTML: {value}"]
    entities = [e for e in re.findall(r"&(#?\w+)", value) if e in ENTITIES or not e.isalpha()]
    markup = rss and re.search(r"&#[x0-9]|<[/a-zA-Z]", value)
    if (entities or markup) and "&#x" not in raw:  # unless written as hexadecimal references
        return [f"{element.tag} looks like markup: {value}"]
    return []


def _uri(value: str | None, where: str) -> list[str]:
    return [] if value and FULL_URI.match(value) else [f"{where}: not an absolute URI: {value}"]


def _date(value: str | None, where: str, rss: bool) -> list[str]:
    if not value or not (RFC822 if rss else RFC3339).match(value):
        return [f"{where}: bad date {value}"]
    # W3C checks an RFC 822 date's day of the week too.
    if rss and parsedate_to_datetime(value).strftime("%a") != value[:3]:
        return [f"{where}: wrong day of the week: {value}"]
    return []


def _html(value: str | None, where: str) -> list[str]:
    """W3C's safeHtml rule: no script or unknown elements, absolute links only."""
    if not value:
        return [f"{where}: no content"]
    fragment = lxml.html.fragment_fromstring(value, create_parent="div")
    problems = [f"{where}: <{e.tag}>" for e in fragment.iter() if e.tag not in SAFE_TAGS | {"div"}]
    for element in fragment.iter():
        problems += [f"{where}: attribute {a}" for a in element.attrib if a != "href"]
    for href in (a.get("href") for a in fragment.iter("a")):
        problems += _uri(href, where)
    return problems


def _rss_problems(root: Any, lines: list[str], url: str) -> list[str]:
    channel = root.find("channel")
    problems = [
        f"channel: no {name}"
        for name in ("title", "link", "description", "language")
        if channel.find(name) is None
    ]
    selfs = [link for link in channel.iterfind(ATOM + "link") if link.get("rel") == "self"]
    if [(s.get("href"), s.get("type")) for s in selfs] != [(url, "application/rss+xml")]:
        problems.append("channel: atom:link rel=self must be the feed's own absolute URL")
    problems += _plain_text(channel.find("title"), lines, rss=True)
    problems += _plain_text(channel.find("description"), lines, rss=True)
    problems += _uri(channel.findtext("link"), "channel link")
    problems += _date(channel.findtext("lastBuildDate"), "lastBuildDate", rss=True)
    guids = [item.findtext("guid") for item in channel.iterfind("item")]
    if len(set(guids)) != len(guids):
        problems.append("duplicate guids")
    for item in channel.iterfind("item"):
        problems += _rss_item_problems(item, lines)
    problems += [f"unknown namespace {e.tag}" for e in root.iter() if _namespace(e.tag) is False]
    return problems


def _rss_item_problems(item: Any, lines: list[str]) -> list[str]:
    guid = item.find("guid")
    where = f"item {None if guid is None else guid.text}"
    if guid is None or guid.get("isPermaLink") != "true":
        return [f"{where}: needs a guid that is its permalink"]
    problems = _plain_text(item.find("title"), lines, rss=True)
    problems += _uri(guid.text, where) + _uri(item.findtext("link"), where)
    problems += _date(item.findtext("pubDate"), where, rss=True)
    problems += _html(item.findtext("description"), where)
    if item.find("author") is not None:
        problems.append(f"{where}: <author> must be an e-mail address")
    return problems


def _atom_problems(root: Any, lines: list[str], url: str) -> list[str]:
    problems = [
        f"feed: no {name}"
        for name in ("id", "title", "updated", "author")
        if root.find(ATOM + name) is None
    ]
    if not root.get("{http://www.w3.org/XML/1998/namespace}lang"):
        problems.append("feed: no xml:lang")
    links = [
        (link.get("rel", "alternate"), link.get("type"), link.get("hreflang"), link.get("href"))
        for link in root.iterfind(ATOM + "link")
    ]
    if len({link[:3] for link in links}) != len(links):
        problems.append("feed: duplicate link rel/type")
    if ("self", "application/atom+xml", None, url) not in links:
        problems.append("feed: link rel=self must be the feed's own absolute URL")
    problems += _uri(root.findtext(ATOM + "id"), "feed id")
    problems += _date(root.findtext(ATOM + "updated"), "feed updated", rss=False)
    problems += _plain_text(root.find(ATOM + "title"), lines, rss=False)
    problems += _plain_text(root.find(ATOM + "subtitle"), lines, rss=False)
    for name in root.iterfind(f".//{ATOM}name"):
        problems += _plain_text(name, lines, rss=False)
    entries = root.findall(ATOM + "entry")
    for field in ("id", "updated"):  # W3C: DuplicateEntries, DuplicateUpdated
        values = [entry.findtext(ATOM + field) for entry in entries]
        if len(set(values)) != len(values):
            problems.append(f"entries share an {field}")
    for entry in entries:
        problems += _atom_entry_problems(entry, lines, root.find(ATOM + "author") is not None)
    return problems


def _atom_entry_problems(entry: Any, lines: list[str], feed_author: bool) -> list[str]:
    where = f"entry {entry.findtext(ATOM + 'id')}"
    problems = [
        f"{where}: no {name}"
        for name in ("id", "title", "updated", "published")
        if entry.find(ATOM + name) is None
    ]
    if entry.find(ATOM + "author") is None and not feed_author:
        problems.append(f"{where}: no author")
    problems += _uri(entry.findtext(ATOM + "id"), where)
    problems += _plain_text(entry.find(ATOM + "title"), lines, rss=False)
    for field in ("updated", "published"):
        problems += _date(entry.findtext(ATOM + field), where, rss=False)
    alternates = [
        link
        for link in entry.iterfind(ATOM + "link")
        if link.get("rel", "alternate") == "alternate"
    ]
    if len(alternates) != 1:
        problems.append(f"{where}: needs exactly one alternate link")
    problems += [p for link in alternates for p in _uri(link.get("href"), where)]
    content = entry.find(ATOM + "content")
    if content is None or content.get("type") != "html":
        return [*problems, f"{where}: content must be type html"]
    return problems + _html(content.text, where)


def _json_feed_problems(data: bytes, url: str) -> list[str]:
    feed = json.loads(data)
    problems = [
        f"feed: no {key}" for key in ("title", "home_page_url", "authors") if not feed.get(key)
    ]
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("feed: version must be https://jsonfeed.org/version/1.1")
    if feed.get("feed_url") != url:
        problems.append("feed: feed_url must be the feed's own absolute URL")
    if data.decode("utf-8") != json.dumps(feed, ensure_ascii=False, indent=1) + "\n":
        problems.append("feed: not written in the one deterministic JSON format")
    ids = [item.get("id") for item in feed["items"]]
    if len(set(ids)) != len(ids):
        problems.append("duplicate item ids")
    for item in feed["items"]:
        where = f"item {item.get('id')}"
        problems += [f"{where}: no {key}" for key in ("title", "content_html") if not item.get(key)]
        problems += _uri(item.get("id"), where) + _uri(item.get("url"), where)
        problems += _date(item.get("date_published"), where, rss=False)
        if not all(author.get("name") for author in item.get("authors", [{"name": "feed's"}])):
            problems.append(f"{where}: an author without a name")
    return problems


def _opml_problems(root: Any) -> list[str]:
    problems = [] if root.get("version") == "2.0" else ["opml: version must be 2.0"]
    if not root.findtext("head/title"):
        problems.append("opml: no head/title")
    feeds = root.findall(".//outline[@xmlUrl]")
    if not feeds:
        problems.append("opml: no feeds")
    for outline in root.iter("outline"):
        if outline.get("xmlUrl") is None:
            if set(outline.attrib) != {"text"}:
                problems.append("opml: a group outline carries feed attributes")
            continue
        where = f"outline {outline.get('xmlUrl')}"
        if outline.get("type") != "rss" or not outline.get("text") or not outline.get("title"):
            problems.append(f"{where}: needs type=rss, text and title")
        problems += _uri(outline.get("xmlUrl"), where) + _uri(outline.get("htmlUrl"), where)
    return problems


def _namespace(tag: str) -> bool | None:
    """None for elements in no namespace, else whether the namespace is a known one."""
    match = re.match(r"\{(.*)\}", tag)
    return None if match is None else match[1] in NAMESPACES


def test_checker_catches_what_w3c_would() -> None:
    bad_rss = b"""<?xml version='1.0' encoding='UTF-8'?>
<rss version="2.0"><channel><title>T</title><link>x/y</link><description>d</description>
<lastBuildDate>Mon, 10 Jun 2025 00:00:00 +0000</lastBuildDate>
<item><title>A &lt;b&gt;bold&lt;/b&gt; title</title><link>https://e.org/</link>
<description>&lt;a href="rel/x"&gt;x&lt;/a&gt;</description><guid isPermaLink="true">https://e.org/</guid>
<pubDate>2025-06-10</pubDate></item>
<item><title>B</title><link>https://e.org/</link><description>d</description>
<guid isPermaLink="true">https://e.org/</guid>
<pubDate>Tue, 10 Jun 2025 00:00:00 GMT</pubDate></item>
</channel></rss>"""
    problems = w3c_problems("feed.xml", bad_rss)
    for expected in (
        "no language",
        "rel=self",
        "not an absolute URI: x/y",
        "wrong day of the week: Mon, 10 Jun 2025",
        "contains HTML",
        "not an absolute URI: rel/x",
        "bad date 2025-06-10",
        "duplicate guids",
    ):
        assert any(expected in problem for problem in problems), expected
    # Two papers of one day with the same <updated>: W3C's DuplicateUpdated warning.
    day = Day(date(2025, 1, 6), [_paper("2501.00001"), _paper("2501.00002")])
    atom = generate_feeds(Archive(days=[day]), CONFIG)["atom.xml"]
    assert w3c_problems("atom.xml", atom) == []
    same = re.sub(rb"<updated>2025-01-06T00:\d\d:[\d.]+", b"<updated>2025-01-06T00:00:00", atom)
    assert w3c_problems("atom.xml", same) == ["entries share an updated"]
