"""Feeds: entries, ids, dates, order and limits, hostile text, determinism, W3C's rules."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime, timedelta
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
from generator.models import Day, Paper
from generator.topics import Topic
from tests.feed_checks import w3c_problems
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
        problems = w3c_problems(_site(path), data)
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
        assert any("looks like markup" in problem for problem in w3c_problems(_site(path), named))


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
    links = re.findall(r'<h2 style="[^"]*">\d+\. <a href="([^"]+)">', tuesday["content_html"])
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
    links = re.findall(r'<h2 style="[^"]*">\d+\. <a href="([^"]+)">', week["content_html"])
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


def _paper(paper_id: str, title: str = "A paper", upvotes: int = 1, **fields: Any) -> Paper:
    """A paper made as content loading makes one, but from values no check has seen."""
    raw = {"id": paper_id, "title": title, "authors": ["Ada"], "upvotes": upvotes}
    return Paper.from_checked({**raw, "abstract": "An abstract.", **fields})


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
        problems = w3c_problems(_site(path), files[path])
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
        problems = w3c_problems(_site(path), files[path])
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
    assert all(w3c_problems(_site(path), data) == [] for path, data in files.items())


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
        assert w3c_problems(_site(path), data) == [], path
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
    problems = w3c_problems(_site("feed.xml"), bad_rss)
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
    assert w3c_problems(_site("atom.xml"), atom) == []
    same = re.sub(rb"<updated>2025-01-06T00:\d\d:[\d.]+", b"<updated>2025-01-06T00:00:00", atom)
    assert w3c_problems(_site("atom.xml"), same) == ["entries share an updated"]


def test_topic_entries_keep_their_ids_when_papers_enter_or_leave(content: Path) -> None:
    before = _ids(_build(content), "topics/agents/feed.json")
    # A rule change: papers with "sentence" in their abstract enter, the agentic one stays.
    (content / "topics.yml").write_text(
        TOPICS.replace("words: [agentic]", "words: [agentic, sentence]"), "utf-8"
    )
    files = _build(content)
    after = _ids(files, "topics/agents/feed.json")
    entered = [entry for entry in after if entry not in before]
    assert entered and set(before) <= set(after)  # the old entries are there, same ids
    everywhere = set(_ids(files, "feed.json"))
    assert set(entered) <= everywhere  # an entering paper's id is its id in every feed
    (content / "topics.yml").write_text(TOPICS, "utf-8")
    assert _ids(_build(content), "topics/agents/feed.json") == before  # and it leaves cleanly
