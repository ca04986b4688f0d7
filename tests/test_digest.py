"""The digest e-mail: read back with the standard library's parser, as a mail client would."""

from __future__ import annotations

import email
import json
import re
from datetime import date
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml

from generator import feeds, urls
from generator.__main__ import main
from generator.archive import Archive, archive_from_checked, load_archive
from generator.config import SiteConfig
from generator.digest import MAX_BYTES, Digest, Settings, make_digest, settings_from_checked
from generator.errors import ArchiveError, ContentError
from generator.importer import import_dir
from generator.models import Paper
from generator.topics import topics_from_checked
from generator.validate import check_content, validate
from tests.helpers import (
    HOSTILE_TITLE,
    TOPICS,
    api_item,
    fixture_content,
    typed_day,
    write_files,
    write_response,
)
from tests.test_reader_matching import matching_cases

CONFIG = SiteConfig(
    "Daily Papers Archive", "https://example.org/archive/", "https://github.com/o/r", "main"
)
HOSTILE_NAME = 'Zoë\'s "Lab", <b>Inc.</b>\r\nBcc: evil@example.org'


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar of text, CR and LF included (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def render(content: Path, day: date | None = None, weekly: bool = False) -> Digest:
    """The digest of content as the command makes it, with CONFIG's site URL."""
    checked = check_content(content)
    checked.raise_problems()
    settings = settings_from_checked(checked.digest)
    return make_digest(archive_from_checked(checked), CONFIG, settings, day=day, weekly=weekly)


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts, decoded, with the CRLF line ends of SMTP as LF."""
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    decoded = [part.get_content().replace("\r\n", "\n") for part in (text, html)]
    assert not any("\r" in part for part in decoded)  # no line end but SMTP's
    return decoded[0], decoded[1]


def links(message: EmailMessage) -> list[str]:
    """Every link of both parts: the HTML's hrefs, and what looks like a URL in the text."""
    text, html = parts(message)
    hrefs = lxml.html.document_fromstring(html).xpath("//@href")
    return [*hrefs, *re.findall(r"(?:https?://|mailto:)\S+", text)]


def site_urls(archive: Archive) -> set[str]:
    """Every page and permalink a digest may link to, as the site has them."""
    found = {CONFIG.site_url}
    found |= {CONFIG.url(urls.day(day.date)) for day in archive.listed_days}
    found |= {CONFIG.url(urls.week(day.date)) for day in archive.listed_days}
    found |= {CONFIG.url(archive.permalink(paper_id)) for paper_id in archive.papers}
    return found


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return fixture_content(tmp_path)


# The message.


def test_the_newest_day_as_a_multipart_message(content: Path) -> None:
    digest = render(content)
    message = parse(digest.data)
    assert message["Subject"] == "Daily Papers Archive, Thu 12 Jun 2025: 1 paper"
    assert message["Date"] == "Thu, 12 Jun 2025 00:00:00 +0000"
    assert message["Message-ID"] == "<daily.2025-06-12.archive@example.org>"
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert all(part.get_content_charset() == "utf-8" for part in message.iter_parts())
    for absent in ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "From", "To"):
        assert absent not in message  # no list configured; the sender sets From and To
    text, html = parts(message)
    assert (
        "1.  Right title\n    Ada Lovelace · 2 upvotes\n    An abstract with a hard wrap." in text
    )
    assert "https://example.org/archive/2025/06/12/#2506.00005" in text
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    root = lxml.html.document_fromstring(html)
    assert root.findtext(".//title") == message["Subject"]
    assert root.xpath("//meta/@charset") == ["utf-8"]
    assert not root.xpath("//style | //img | //script | //link | //*[@bgcolor]")
    assert "background" not in html and "color:" not in html  # the reader's colours stand
    assert digest.key == "daily/2025-06-12"
    assert digest.summary() == (
        f"daily/2025-06-12: Daily Papers Archive, Thu 12 Jun 2025: 1 paper [1 listed, 0 more; "
        f"{len(digest.data):,} bytes]"
    )


def test_a_day_lists_its_papers_in_order_each_linked_to_its_permalink(content: Path) -> None:
    message = parse(render(content, date(2025, 6, 10)).data)
    assert message["Subject"] == "Daily Papers Archive, Tue 10 Jun 2025: 2 papers"
    assert message["Message-ID"] == "<daily.2025-06-10.archive@example.org>"
    text, html = parts(message)
    root = lxml.html.document_fromstring(html)
    # Hugging Face's order; a paper listed before links to its first day's page.
    assert root.xpath("//h2/a/@href") == [
        "https://example.org/archive/2025/06/09/#2506.00001",
        "https://example.org/archive/2025/06/10/#2506.00004",
    ]
    assert root.xpath("//h2/a/text()") == ["Agents that plan", "Robot hands"]
    # Authors short: three names of thirty.
    assert "\n    Author 0, Author 1, Author 2 and 27 more · 12 upvotes\n" in text
    assert "\n    An abstract with a hard wrap.\n" in text  # its first sentence


def test_every_link_is_absolute_and_one_the_site_has(content: Path) -> None:
    write_files(content, {"digest.yml": "unsubscribe: https://example.org/unsubscribe?list=a\n"})
    archive = load_archive(content)
    allowed = site_urls(archive) | {"https://example.org/unsubscribe?list=a"}
    for day in archive.listed_days:
        found = links(parse(render(content, day.date).data))
        assert found and set(found) <= allowed, day.date
        page = CONFIG.url(urls.day(day.date))
        assert page in found and CONFIG.site_url in found
        permalinks = {CONFIG.url(archive.permalink(paper.id)) for paper in day.papers}
        assert permalinks <= set(found)


def test_hostile_text_stays_text_in_both_parts_and_out_of_the_headers(content: Path) -> None:
    title = f"Line one\r\nBcc: evil@example.org\r\n\r\n{HOSTILE_TITLE}"
    write_files(
        content,
        {
            "digest.yml": f"name: {_yaml_string(HOSTILE_NAME)}\nlist_id: digest.example.org\n",
            "corrections/2506.00001.yaml": (
                f'id: "2506.00001"\nreason: r\nset:\n  title: {_yaml_string(title)}\n'
                f"  ai_summary: {_yaml_string('Gist </p><script>alert(1)</script>')}\n"
                f"  authors: [{_yaml_string('Eve <img src=x>' + chr(13) + 'To: x@y.z')}]\n"
            ),
        },
    )
    assert validate(content) == []
    data = render(content, date(2025, 6, 9)).data
    head = data.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"(^|\n)(Bcc|To):", head)  # "Bcc: evil@..." is only words of a line
    message = parse(data)
    assert message.defects == []
    assert set(message.keys()) == {
        "Subject",
        "Date",
        "Message-ID",
        "List-Id",
        "MIME-Version",
        "Content-Type",
    }
    flat_name = 'Zoë\'s "Lab", <b>Inc.</b> Bcc: evil@example.org'
    assert message["Subject"] == f"{flat_name}, Mon 9 Jun 2025: 2 papers"
    assert "\r" not in message["Subject"] and "\n" not in message["Subject"]
    assert message["List-Id"] == "Zoë's Lab b Inc /b Bcc evil example org <digest.example.org>"
    text, html = parts(message)
    flat_title = f"Line one Bcc: evil@example.org {HOSTILE_TITLE}"
    root = lxml.html.document_fromstring(html)
    assert not root.xpath("//script | //img | //b")
    assert "<script>" not in html and "<img" not in html
    assert root.xpath("//h2/a/text()") == [flat_title, HOSTILE_TITLE]
    assert root.xpath("//h2/a/@href") == [
        "https://example.org/archive/2025/06/09/#2506.00001",
        "https://example.org/archive/2025/06/09/#2506.00002",
    ]
    assert "Gist </p><script>alert(1)</script>" in root.text_content()
    assert "Eve <img src=x> To: x@y.z · 41 upvotes" in root.text_content()
    assert root.findtext(".//title") == message["Subject"]
    # The plain text keeps every character, on the lines the digest gives it.
    assert "Line one Bcc: evil@example.org <script>alert('x')</script>" in text
    assert "\n    Eve <img src=x> To: x@y.z · 41 upvotes\n" in text
    assert "\n    Gist </p><script>alert(1)</script>\n" in text  # the AI summary as the gist
    assert "\nBcc" not in text


def test_the_same_digest_is_the_same_bytes(content: Path) -> None:
    first = render(content, date(2025, 6, 9)).data
    assert render(content, date(2025, 6, 9)).data == first
    assert render(content).data != first
    assert parse(render(content, date(2025, 6, 9)).data)["Message-ID"] == (
        "<daily.2025-06-09.archive@example.org>"
    )


def test_list_headers_when_configured(content: Path) -> None:
    write_files(
        content,
        {
            "digest.yml": (
                "name: Daily Papers\nlist_id: daily-papers.example.org\n"
                "unsubscribe: https://lists.example.org/u?l=daily\n"
            )
        },
    )
    message = parse(render(content).data)
    assert message["Subject"] == "Daily Papers, Thu 12 Jun 2025: 1 paper"
    assert message["List-Id"] == "Daily Papers <daily-papers.example.org>"
    assert message["List-Unsubscribe"] == "<https://lists.example.org/u?l=daily>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    assert "Unsubscribe: https://lists.example.org/u?l=daily" in text
    root = lxml.html.document_fromstring(html)
    assert root.xpath("//a[. = 'Unsubscribe']/@href") == ["https://lists.example.org/u?l=daily"]

    write_files(content, {"digest.yml": "unsubscribe: mailto:leave@example.org?subject=stop\n"})
    message = parse(render(content).data)
    assert message["List-Unsubscribe"] == "<mailto:leave@example.org?subject=stop>"
    assert "List-Unsubscribe-Post" not in message  # one-click is for https only (RFC 8058)
    assert "List-Id" not in message


# Which day and week: the feeds' own.


def _feed_json(archive: Archive, path: str) -> dict[str, Any]:
    feed: dict[str, Any] = json.loads(feeds.generate_feeds(archive, CONFIG)[path])
    return feed


def test_by_default_the_day_the_digest_feed_publishes_first(content: Path) -> None:
    archive = load_archive(content)
    newest = _feed_json(archive, urls.feed("json", urls.DIGEST_FEEDS))["items"][0]
    message = parse(render(content).data)
    assert newest["url"] in links(message)
    assert newest["url"] == CONFIG.url(urls.day(date(2025, 6, 12)))
    assert message["Date"] == "Thu, 12 Jun 2025 00:00:00 +0000"
    # The feed's entry is the e-mail's body, byte for byte: a feed-to-mail service sends it.
    assert newest["content_html"].startswith("<div style=")
    assert newest["content_html"] in parts(message)[1]


def weekly_content(root: Path) -> Path:
    """The fixture archive and a day of the week after, so that its first week is finished."""
    content = fixture_content(root)
    items = [
        api_item(f"2506.001{n:02d}", upvotes=n % 7, title=f"Week paper {n}") for n in range(14)
    ]
    import_dir(write_response(root / "later", "2025-06-16", items).parent, content)
    return content


def test_weekly_is_the_weekly_feeds_newest_week_in_its_order(tmp_path: Path) -> None:
    content = weekly_content(tmp_path)
    archive = load_archive(content)
    entry = _feed_json(archive, urls.feed("json", urls.WEEKLY_FEEDS))["items"][0]
    digest = render(content, weekly=True)
    message = parse(digest.data)
    assert message["Subject"] == (
        "Daily Papers Archive, top papers of the week of 9 Jun 2025: 4 papers"
    )
    assert message["Message-ID"] == "<weekly.2025-W24.archive@example.org>"
    assert message["Date"] == "Thu, 12 Jun 2025 00:00:00 +0000"  # the week's last list day
    text, html = parts(message)
    root = lxml.html.document_fromstring(html)
    assert entry["content_html"] in html  # the feed's entry is the e-mail's body
    assert len(root.xpath("//h2/a")) == 4
    assert entry["url"] == CONFIG.url(urls.week(date(2025, 6, 9)))
    assert entry["url"] in links(message)
    intro = "The 4 most upvoted of the 4 papers first listed in the week of 9 June 2025."
    assert intro in " ".join(text.split())
    assert set(links(message)) <= site_urls(archive)
    # Another day of the same week: the same digest.
    assert render(content, date(2025, 6, 15), weekly=True).data == digest.data


def test_weekly_lists_the_top_ten_and_counts_the_rest(tmp_path: Path) -> None:
    content = weekly_content(tmp_path)
    # A day of the week after finishes the week of 16 June.
    later = write_response(tmp_path / "later2", "2025-06-23", [api_item("2506.00200")])
    import_dir(later.parent, content)
    digest = render(content, weekly=True)
    message = parse(digest.data)
    assert message["Subject"] == (
        "Daily Papers Archive, top papers of the week of 16 Jun 2025: 14 papers"
    )
    text, html = parts(message)
    root = lxml.html.document_fromstring(html)
    upvotes = [
        int(s.split(" · ")[-1].split()[0])
        for s in root.xpath("//h2/following-sibling::p[1]/text()")
    ]
    assert len(upvotes) == 10 and upvotes == sorted(upvotes, reverse=True)
    week = CONFIG.url(urls.week(date(2025, 6, 16)))
    assert f"And 4 more papers: {week}" in text
    assert root.xpath("//p[starts-with(., 'And 4 more papers:')]/a/@href") == [week]
    assert (digest.total, digest.shown, digest.matched) == (14, 10, None)


def test_an_unfinished_or_unknown_week_or_day_is_refused(tmp_path: Path, content: Path) -> None:
    with pytest.raises(ArchiveError, match="no finished week with papers"):
        render(content, weekly=True)
    with pytest.raises(ArchiveError, match=r"--day 2025-06-11 lists no papers \(the newest"):
        render(content, date(2025, 6, 11))
    with pytest.raises(ArchiveError, match="--day 2025-07-01 is not a day of the archive"):
        render(content, date(2025, 7, 1))
    weekly = weekly_content(tmp_path / "w")
    with pytest.raises(ArchiveError, match="does not publish its week, 2025-W25"):
        render(weekly, date(2025, 6, 16), weekly=True)


# Selection: the matcher of topics.yml's words and of the reader's author: and org: terms.


def papers_archive(papers: list[dict[str, Any]]) -> Archive:
    """One list day, 4 May 2026, of these papers, with the test topics."""
    day = typed_day(date(2026, 5, 4), papers)
    return Archive(days=[day], topics=topics_from_checked(yaml.safe_load(TOPICS)))


SELECTABLE = [
    {"id": "2605.00001", "title": "Agents that plan", "authors": ["Ada Lovelace"],
     "upvotes": 50, "organization": "nvidia"},
    {"id": "2605.00002", "title": "Robot hands", "abstract": "We grasp.", "upvotes": 3,
     "authors": ["Zoë Müller"], "ai_keywords": ["robot manipulation"]},
    {"id": "2605.00003", "title": "A survey of benchmarks", "upvotes": 12,
     "authors": ["Grace Hopper", "Pat O'Brien"], "organization": "Acme"},
    {"id": "2605.00004", "title": "Nothing here", "abstract": "Chain-of-Thought prompting.",
     "upvotes": 1, "authors": ["Alan Turing"]},
]  # fmt: skip


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ({"words": ["plan"]}, ["2605.00001"]),
        ({"words": ["robot*"]}, ["2605.00002"]),
        ({"words": ["chain of thought"]}, ["2605.00004"]),  # in the abstract
        ({"words": ["planned", "robotics", "hand"]}, []),  # whole words only
        ({"authors": ["lovelace"]}, ["2605.00001"]),
        ({"authors": ["O'Brien"]}, ["2605.00003"]),
        ({"authors": ["müller", "grace"]}, ["2605.00002", "2605.00003"]),
        ({"authors": ["love"]}, []),
        ({"organizations": ["NVIDIA"]}, ["2605.00001"]),  # the handle, ignoring case
        ({"organizations": ["acme"]}, ["2605.00003"]),
        ({"organizations": ["nvid", "Acme Inc"]}, []),
        ({"topics": ["robotics"]}, ["2605.00002"]),  # by its AI keyword, as topics.yml says
        ({"topics": ["agents", "robotics"]}, ["2605.00001", "2605.00002"]),
        ({"min_upvotes": 12}, ["2605.00001", "2605.00003"]),
        ({"words": ["grasp"], "min_upvotes": 50}, ["2605.00001", "2605.00002"]),  # any rule
    ],
)
def test_selection_lists_what_any_rule_finds(select: dict[str, Any], expected: list[str]) -> None:
    archive = papers_archive(SELECTABLE)
    digest = make_digest(archive, CONFIG, settings_from_checked({"select": select}))
    assert (digest.total, digest.matched, digest.shown) == (4, len(expected), len(expected))
    message = parse(digest.data)
    verb = "matches" if len(expected) == 1 else "match"
    assert message["Subject"] == (
        f"Daily Papers Archive, Mon 4 May 2026: 4 papers ({len(expected)} {verb} your selection)"
    )
    text, html = parts(message)
    root = lxml.html.document_fromstring(html)
    assert root.xpath("//h2/a/@href") == [CONFIG.url(archive.permalink(pid)) for pid in expected]
    page = CONFIG.url(urls.day(date(2026, 5, 4)))
    rest = 4 - len(expected)
    more = f"And {rest} more paper{'s' * (rest != 1)}"
    assert f"\n{more}: {page}\n" in text
    assert root.xpath(f"//p[starts-with(., '{more}:')]/a/@href") == [page]


def test_without_a_selection_every_paper_is_listed() -> None:
    for settings in (Settings(), settings_from_checked(None), settings_from_checked({})):
        digest = make_digest(papers_archive(SELECTABLE), CONFIG, settings)
        assert (digest.total, digest.matched, digest.shown) == (4, None, 4)
        message = parse(digest.data)
        assert message["Subject"] == "Daily Papers Archive, Mon 4 May 2026: 4 papers"
        assert "more paper" not in parts(message)[0]


@pytest.mark.parametrize("case", matching_cases(), ids=lambda case: f"{case['phrase']}")
def test_words_and_authors_match_as_the_shared_cases_say(case: dict[str, Any]) -> None:
    """tests/data/matching-cases.yaml, the cases of topics.yml's words and reader.js's terms."""
    paper = Paper(id="2605.00001", title=case["text"])
    words = settings_from_checked({"select": {"words": [case["phrase"]]}}).select
    assert words.matches(paper, []) is case["expected"], case
    author = Paper(id="2605.00001", title="-", authors=(case["text"],))
    authors = settings_from_checked({"select": {"authors": [case["phrase"]]}}).select
    assert authors.matches(author, []) is case["expected"], case


# Size.


def test_a_digest_too_large_for_one_message_lists_fewer_and_counts_the_rest() -> None:
    title = "Über " * 34  # 170 characters; "Ü" is 6 as quoted-printable
    papers = [
        {"id": f"2605.{n:05d}", "title": f"{title}{n}", "upvotes": 300 - n,
         "abstract": "Ω " * 300 + ".", "authors": [f"Ünal {n}", "B", "C", "D", "E"]}
        for n in range(300)
    ]  # fmt: skip
    digest = make_digest(papers_archive(papers), CONFIG, Settings())
    assert len(digest.data) <= MAX_BYTES
    assert 0 < digest.shown < digest.total == 300
    message = parse(digest.data)
    text, html = parts(message)
    root = lxml.html.document_fromstring(html)
    assert len(root.xpath("//h2")) == digest.shown
    page = CONFIG.url(urls.day(date(2026, 5, 4)))
    assert f"\nAnd {300 - digest.shown} more papers: {page}\n" in text
    assert message["Subject"] == "Daily Papers Archive, Mon 4 May 2026: 300 papers"


def test_the_fullest_corpus_days_stay_under_100_kb_and_link_the_site(imported: Path) -> None:
    archive = load_archive(imported)
    fullest = sorted(archive.listed_days, key=lambda day: (-len(day.papers), day.date))[:6]
    sizes = {}
    allowed = site_urls(archive)
    for day in fullest:
        digest = make_digest(archive, CONFIG, Settings(), day=day.date)
        sizes[day.date] = len(digest.data)
        assert digest.shown == digest.total == len(day.papers)  # no paper left out for size
        message = parse(digest.data)
        found = links(message)
        assert len(found) >= 2 * len(day.papers) and set(found) <= allowed
    largest = max(sizes, key=sizes.__getitem__)
    assert sizes[largest] < 100_000, (largest, sizes[largest])
    # Measured at 56,646 bytes (2026-05-13, 50 papers): the budget has room.
    assert sizes[largest] < 80_000


# digest.yml through the one gate.


def test_a_bad_digest_file_fails_validate_with_line_and_column(tmp_path: Path) -> None:
    content = write_files(
        tmp_path,
        {
            "topics.yml": TOPICS,
            "digest.yml": (
                "name: Papers\n"
                "list_id: not an id\n"
                "unsubscribe: http://example.org/u\n"
                "select:\n"
                "  topics: [agents, robots, Bad]\n"
                "  words: [plan, ro*bot]\n"
                "  authors: []\n"
                "  min_upvotes: 0\n"
                "  colour: [x]\n"
            ),
        },
    )
    path = content / "digest.yml"
    assert [str(problem) for problem in validate(content)] == [
        f"{path}:2:10: list_id must be an identifier like daily-papers.example.org: letters, "
        "digits and hyphens, in parts joined by dots (got 'not an id')",
        f"{path}:3:14: unsubscribe must be a mailto: address or an https:// URL, without "
        "spaces, quotes or angle brackets (got 'http://example.org/u')",
        f"{path}:5:20: select.topics[1]: topics.yml has no topic robots",
        f"{path}:5:28: select.topics[2] must be a topic's slug, like llm-reasoning (got 'Bad')",
        f"{path}:6:17: select.words[1] must be a word or phrase with a letter or digit; a * "
        "only at either end of a single word (*bench, robot*) (got 'ro*bot')",
        f"{path}:7:12: select.authors must be a list of words or phrases (got [])",
        f"{path}:8:16: select.min_upvotes must be a whole number from 1 to 100000 (got 0)",
        f"{path}:9:3: unknown field 'colour' in select (known: authors, min_upvotes, "
        "organizations, topics, words)",
    ]
    with pytest.raises(ContentError, match=r"digest.yml:2:10: list_id"):
        render(content)  # the digest, like build, reads only what validate accepts


def test_validate_accepts_a_good_digest_file_and_refuses_an_empty_selection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = (
        "name: Daily Papers\nlist_id: daily-papers.example.org\n"
        "unsubscribe: mailto:leave@example.org?subject=unsubscribe\n"
        "select:\n  topics: [agents]\n  words: [chain of thought, '*bench']\n"
        "  authors: [Lovelace]\n  organizations: [nvidia]\n  min_upvotes: 20\n"
    )
    content = write_files(tmp_path, {"topics.yml": TOPICS, "digest.yml": good})
    assert validate(content) == []
    write_files(content, {"digest.yml": "name: Daily Papers\nselect: {}\nextra: 1\n"})
    assert main(["validate", "--content", str(content)]) == 1
    out = capsys.readouterr().out.splitlines()
    path = content / "digest.yml"
    assert out == [
        f"{path}:2:9: select must hold at least one of topics, words, authors, organizations, "
        "min_upvotes (got {})",
        f"{path}:3:1: unknown field 'extra' (known: list_id, name, select, unsubscribe)",
    ]


# The command.


def test_the_command_writes_the_eml(content: Path, tmp_path: Path, capsys) -> None:
    from generator.config import load_config

    out = tmp_path / "digest.eml"
    args = ["digest", "--content", str(content)]
    assert main([*args, "--day", "2025-06-09", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    message = parse(out.read_bytes())
    summary = f"{message['Subject']} [2 listed, 0 more; {out.stat().st_size:,} bytes]"
    assert printed == f"wrote {out}: daily/2025-06-09: {summary}\n"
    site = load_config().site_url  # the repository's mkdocs.yml
    assert all(link.startswith(site) for link in links(message))
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []
    assert out.stat().st_mode & 0o777 == 0o644
    assert main(args) == 0  # without --out: the summary alone
    assert capsys.readouterr().out.startswith(
        "daily/2025-06-12: Daily Papers Archive, Thu 12 Jun 2025: 1 paper ["
    )
    assert main([*args, "--weekly"]) == 1
    assert capsys.readouterr().err == (
        "error: the archive has no finished week with papers: no weekly digest\n"
    )


def test_the_command_refuses_an_unknown_day_with_one_line(
    content: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "digest.eml"
    code = main(["digest", "--content", str(content), "--day", "2025-07-01", "--out", str(out)])
    assert code == 1 and not out.exists()
    assert capsys.readouterr().err == (
        "error: --day 2025-07-01 is not a day of the archive (the newest list day is 2025-06-12)\n"
    )


def test_the_command_has_help(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["digest", "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert all(option in help_text for option in ("--day", "--weekly", "--out", "--content"))
