"""Every site path of the archive, here only: pages, feeds, open data, search, permalinks.

Paths are relative to the site root, pages as directory URLs ("2026/05/29/"), so the site
works under any base path. Pages, feeds, data, the search index and the theme (through
`theme_extra`) take their paths from here; tests/test_urls.py fails when one is spelled
anywhere else.
"""

from __future__ import annotations

from datetime import date

HOME = ""
ARCHIVE = "archive/"
COVERAGE = "coverage/"
FEEDS = "feeds/"
ABOUT = "about/"
CONTRIBUTING = "contributing/"
TOPICS = "topics/"
SEARCH = "search/"
SEARCH_BUNDLES = "pagefind/"  # one Pagefind bundle per list year below it: pagefind/2026/
SEARCH_MANIFEST = SEARCH_BUNDLES + "dpa-search.json"  # the years and each filter's values
ARCHIVE_DATA = "data/archive.json.gz"
DAY_DATA_PATTERN = "data/YYYY/MM/DD.json"  # day_data's paths, as the About page describes them
OPML = "feeds.opml"

# A feed's file name by format; the folder says which feed ("" the new papers).
FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}
DIGEST_FEEDS = "digest/"
WEEKLY_FEEDS = "weekly/"


def day(list_day: date) -> str:
    """2026/05/29/"""
    return f"{list_day:%Y/%m/%d}/"


def month(any_day: date) -> str:
    """2026/05/"""
    return f"{any_day:%Y/%m}/"


def year(any_day: date) -> str:
    """2026/"""
    return f"{any_day:%Y}/"


def week_key(any_day: date) -> str:
    """The ISO week of a day, e.g. 2026-W22."""
    iso_year, iso_week, _ = any_day.isocalendar()
    return f"{iso_year}-W{iso_week:02d}"


def week(any_day: date) -> str:
    """weeks/2026-W22/, the page of the ISO week a day is in."""
    return f"weeks/{week_key(any_day)}/"


def topic(slug: str, newest_month: date | None = None) -> str:
    """topics/agents/, or topics/agents/2026-05/ for a month before the topic's newest."""
    return f"{TOPICS}{slug}/" + (f"{newest_month:%Y-%m}/" if newest_month else "")


def day_data(list_day: date) -> str:
    """data/2026/05/29.json"""
    return f"data/{list_day:%Y/%m/%d}.json"


def permalink(first_listed: date, paper_id: str) -> str:
    """A paper's section on the day it was first listed: 2026/05/29/#2605.29801."""
    return f"{day(first_listed)}#{paper_id}"


def feed(fmt: str, folder: str = "") -> str:
    """A feed file: feed.xml (new papers), digest/atom.xml, topics/agents/feed.json."""
    return folder + FEED_FILES[fmt]


def topic_feed(fmt: str, slug: str) -> str:
    """topics/agents/feed.xml"""
    return feed(fmt, topic(slug))


def docs_path(url: str, folder: bool = False) -> str:
    """The Markdown file MkDocs makes a page URL from: 2026/05/29/ -> 2026/05/29.md.

    folder: the page has pages below it (a month, a year, a topic): 2026/05/ -> 2026/05/index.md.
    """
    if url == HOME:
        return "index.md"
    return url + "index.md" if folder else url.rstrip("/") + ".md"


def relative(page_url: str, target: str) -> str:
    """A link from one directory URL to another site path, working under any base path."""
    # posixpath.relpath's result, without its cost: it runs for every link of every page.
    path, _, fragment = target.partition("#")
    relative = ""
    if path:
        here = [part for part in page_url.split("/") if part]
        there = [part for part in path.split("/") if part]
        common = 0
        for mine, theirs in zip(here, there, strict=False):
            if mine != theirs:
                break
            common += 1
        relative = "/".join([".."] * (len(here) - common) + there[common:])
        if not relative:
            relative = "./"
        elif path.endswith("/"):
            relative += "/"
    return relative + (f"#{fragment}" if fragment else "")


def theme_extra() -> dict[str, str]:
    """The paths overrides/ links to, handed to MkDocs as `extra.dpa_urls` by the build."""
    return {
        "search": SEARCH,
        "search_bundles": SEARCH_BUNDLES,
        "search_manifest": SEARCH_MANIFEST,
        "feed_rss": feed("rss"),
        "feed_atom": feed("atom"),
        "feed_json": feed("json"),
        "digest_atom": feed("atom", DIGEST_FEEDS),
    }
