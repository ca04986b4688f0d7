"""Every site path of the archive, here only: pages, feeds, open data, search, permalinks.

Paths are relative to the site root, pages as directory URLs ("2026/05/29/"), so the site
works under any base path. Pages, feeds, data, the search index and the theme (through
`theme_extra`) take their paths from here; tests/test_urls.py fails when one is spelled
anywhere else.
"""

from __future__ import annotations

from datetime import date
from typing import Any

HOME = ""
ARCHIVE = "archive/"
COVERAGE = "coverage/"
FEEDS = "feeds/"
ABOUT = "about/"
CONTRIBUTING = "contributing/"
TOPICS = "topics/"
TRENDS = "trends/"
WEEKS = "weeks/"
SEARCH = "search/"
SAVED = "saved/"  # the reader's saved papers, kept in their browser
SEARCH_BUNDLES = "pagefind/"  # one Pagefind bundle per list year below it: pagefind/2026/
SEARCH_MANIFEST = SEARCH_BUNDLES + "dpa-search.json"  # the years and each filter's values
DATA = "data/"  # open data: a JSON file per day, the whole archive gzipped
ARCHIVE_DATA = DATA + "archive.json.gz"
DAY_DATA_PATTERN = DATA + "YYYY/MM/DD.json"  # day_data's paths, as the About page says
DAY_BIB_PATTERN = DATA + "YYYY/MM/DD.bib"  # day_bib's paths
TRENDS_DATA = DATA + "trends/"  # the trends page's numbers: one CSV and one JSON per dataset
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
    return f"{WEEKS}{week_key(any_day)}/"


def topic(slug: str, older_month: date | None = None) -> str:
    """topics/agents/ (its newest month), or topics/agents/2026-04/ for an older month."""
    return f"{TOPICS}{slug}/" + (f"{older_month:%Y-%m}/" if older_month else "")


def day_data(list_day: date) -> str:
    """data/2026/05/29.json"""
    return f"{DATA}{list_day:%Y/%m/%d}.json"


def day_bib(list_day: date) -> str:
    """data/2026/05/29.bib: the day's papers as BibTeX."""
    return f"{DATA}{list_day:%Y/%m/%d}.bib"


def trends_data(dataset: str, fmt: str) -> str:
    """data/trends/weekly.csv: a trends dataset as "csv" or "json"."""
    return f"{TRENDS_DATA}{dataset}.{fmt}"


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
    """The Markdown file MkDocs makes a page from: 2026/05/29/ -> 2026/05/29.md."""
    # A folder's page, one with pages below it (a month, a year, a topic): 2026/05/index.md.
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


# The site's menu: Material renders the whole nav into every page, so the thousands of
# generated day, week and month pages stay out of it (and link to each other instead).
NAV = (
    ("Home", HOME),
    ("Archive", ARCHIVE),
    ("Topics", TOPICS),
    ("Trends", TRENDS),
    ("Feeds", FEEDS),
    ("Coverage", COVERAGE),
    ("About", ABOUT),
    ("Contributing", CONTRIBUTING),
)


def mkdocs_nav() -> dict[str, Any]:
    """MkDocs' nav and not_in_nav settings (the build hands them over): the menu, the rest."""
    folders = {TOPICS}  # menu pages with pages below them
    return {
        "nav": [{title: docs_path(url, folder=url in folders)} for title, url in NAV],
        # Years, weeks, topics' own pages and the search page: reached by links, not the menu.
        "not_in_nav": "\n".join(
            [
                "/[0-9][0-9][0-9][0-9]/",
                f"/{WEEKS}",
                f"/{TOPICS}*/",
                f"/{docs_path(SEARCH)}",
                f"/{docs_path(SAVED)}",
            ]
        ),
    }


def theme_extra() -> dict[str, str]:
    """The paths overrides/ links to, handed to MkDocs as `extra.dpa_urls` by the build."""
    return {
        "search": SEARCH,
        "saved": SAVED,
        "day_data": DAY_DATA_PATTERN,  # data/YYYY/MM/DD.json: a paper's record, for the reader
        "day_bib": DAY_BIB_PATTERN,
        "search_bundles": SEARCH_BUNDLES,
        "search_manifest": SEARCH_MANIFEST,
        "feed_rss": feed("rss"),
        "feed_atom": feed("atom"),
        "feed_json": feed("json"),
        "digest_atom": feed("atom", DIGEST_FEEDS),
    }
