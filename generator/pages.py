"""Generate the site's Markdown pages from the archive: a pure function, {docs path: text}."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from calendar import Calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from . import dates, figures, urls
from .archive import Archive
from .citations import coins
from .config import SiteConfig
from .content import day_path
from .corrections import CORRECTION_SCHEMA_HEADER
from .feeds import FeedInfo
from .mathml import has_math, render_text
from .mkdocs_hooks import FLAG as READY_HTML
from .models import REFRESH_DAYS, Day, Paper, linkable, strip_invisible
from .topics import Topic
from .trends import Trends, trends_of
from .validate import correction_name

TEMPLATES = Path(__file__).parent / "templates"
# The pages written in Markdown (their headings and lists); the rest are ready HTML.
MARKDOWN_TEMPLATES = {"about.md.j2", "contributing.md.j2", "search.md.j2", "saved.md.j2"}
CHARTS = "charts"  # front matter: the page draws charts, so its head links charts.css
_META_UNSAFE = re.compile(r"[<>&\"'{}\x00-\x1f]")


def correction_path(paper_id: str) -> str:
    """content/corrections/2605.29801.yaml; an old-style id's "/" becomes "_", as validate
    wants (hep-th/9901001 -> hep-th_9901001.yaml): in GitHub's editor it would make a folder."""
    return f"content/corrections/{correction_name(paper_id)}"


def meta_text(text: str, limit: int = 200) -> str:
    """Text safe in any head tag whatever the theme does with it: no markup characters at all."""
    text = " ".join(_META_UNSAFE.sub(" ", strip_invisible(text)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Cell:
    """One day of a month calendar or coverage table."""

    date: date
    state: str  # listed, growing, empty, failed, missing
    label: str
    count: int | None
    fetched: str | None


# (name, render) -> a page's text: render()'s, or what it gave before under that name, which
# stands for everything the text is made from but the code (the build's render cache,
# rendercache.py, which adds that).
Memo = Callable[[str, Callable[[], str]], str]


class Generator:
    """Renders every page; each template is rendered once per page."""

    def __init__(
        self,
        archive: Archive,
        config: SiteConfig,
        feeds: list[FeedInfo],
        trends: Trends | None = None,
        memo: Memo | None = None,
    ) -> None:
        self.archive, self.config, self.feeds, self.memo = archive, config, feeds, memo
        if trends is not None:  # worked out already (the build's are): not again
            self.trends = trends
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,  # every value is escaped unless a filter returns Markup
            keep_trailing_newline=True,
            trim_blocks=True,
        )
        self.env.filters.update(
            num=lambda n: f"{n:,}",
            math=render_text,
            linkable=linkable,
            urlpart=lambda s: quote(str(s), safe="/"),
            long_date=dates.long_date,
            short_date=dates.short_date,
            month_name=dates.month_text,
            short_month=dates.short_month,
            iso_week=urls.week_key,
            front_matter=lambda front: Markup(_front_matter(front)),
        )
        self.env.globals.update(
            urls=urls,
            permalink=archive.permalink,
            first_listed=lambda paper_id: archive.first_listed[paper_id].isoformat(),
            # A paper's topic slugs, for the reader's topic: watch and mute terms.
            topics_of=lambda paper_id: " ".join(archive.paper_topics.get(paper_id, ())),
            correction_url=self.correction_url,
            # The same KEV on every page the paper is on; URL-safe characters only (coins()).
            coins_kev=functools.cache(lambda paper: Markup(coins(paper))),
            absolute=config.url,
            site_name=config.site_name,
            email_signup_url=config.email_signup_url,
            repo_url=config.repo_url,
            branch=config.branch,
            topics_edit_url=config.edit_url("content/topics.yml"),
            sample=archive.sample,
        )
        self.status = archive.fetch_status
        self.by_week: dict[str, list[Paper]] = defaultdict(list)
        self.by_month: dict[tuple[int, int], list[Paper]] = defaultdict(list)
        for paper_id, first in archive.first_listed.items():
            paper = archive.papers[paper_id]
            self.by_week[urls.week_key(first)].append(paper)
            self.by_month[(first.year, first.month)].append(paper)

    def render(self, template: str, url: str, front: dict[str, Any], **values: Any) -> str:
        """Render one page whose links are made relative to its own URL."""
        if template not in MARKDOWN_TEMPLATES:
            front = {**front, READY_HTML: True}  # all HTML: hooks skip Markdown
        return self.env.get_template(template).render(
            link=lambda target: urls.relative(url, target), front=front, **values
        )

    @cached_property
    def trends(self) -> Trends:
        """The archive's numbers over time, worked out once for every page that draws them."""
        return trends_of(self.archive)

    def correction_url(self, paper_id: str) -> str:
        """GitHub's web editor on a new correction file, prefilled for this paper."""
        # The schema comment on the first line gives editors completion for the fields under
        # `set`. The contributing page holds this once, for the id "PAPER_ID" (correct.js).
        text = f'{CORRECTION_SCHEMA_HEADER}id: "{paper_id}"\nreason: ""\nset:\n  '
        return self.config.new_file_url(correction_path(paper_id), text)

    def pages(self) -> Iterator[tuple[str, str]]:
        """Every page of the site, one at a time: the build writes each before the next."""
        listed = self.archive.listed_days
        for index, day in enumerate(listed):
            prev = listed[index - 1].date if index else None
            nxt = listed[index + 1].date if index + 1 < len(listed) else None
            yield urls.docs_path(urls.day(day.date)), self._day(day, prev, nxt)
        yield from self.week_pages().items()
        yield from self.month_and_year_pages().items()
        yield from self.topic_pages().items()
        yield urls.docs_path(urls.HOME), self.home()
        yield urls.docs_path(urls.ARCHIVE), self.archive_page()
        yield urls.docs_path(urls.COVERAGE), self.coverage()
        yield urls.docs_path(urls.TRENDS), self.trends_page()
        yield urls.docs_path(urls.FEEDS), self.feeds_page()
        about = self.render("about.md.j2", urls.ABOUT, {"title": "About"})
        yield urls.docs_path(urls.ABOUT), about
        # correction_form: overrides/main.html adds the script behind "Suggest a correction".
        front = {"title": "Contributing", "correction_form": True}
        contributing = self.render("contributing.md.j2", urls.CONTRIBUTING, front)
        yield urls.docs_path(urls.CONTRIBUTING), contributing
        yield urls.docs_path(urls.SEARCH), self.search_page()
        yield urls.docs_path(urls.SAVED), self.saved_page()

    def _day(self, day: Day, prev: date | None, nxt: date | None) -> str:
        """A day page, through the memo when there is one (most days are as they were)."""
        if self.memo is None:
            return self.day_page(day, prev, nxt)
        # All a day page is made from besides the code and templates (the memo's part): the
        # site's settings, its papers (every field), its neighbours and its papers' topics.
        # permalink() and first_listed() it does not use.
        topics = [self.archive.paper_topics.get(paper.id, []) for paper in day.papers]
        inputs = (self.config, self.archive.sample, day, prev, nxt, topics)
        name = hashlib.sha256(repr(inputs).encode("utf-8", "surrogatepass")).hexdigest()
        return self.memo(name, lambda: self.day_page(day, prev, nxt))

    def search_page(self) -> str:
        """/search/: the form, filters, sort and results, which search.js brings to life."""
        what = "Find any paper of the archive by words from its title, authors or abstract."
        return self.render("search.md.j2", urls.SEARCH, _front("Search", what, None))

    def saved_page(self) -> str:
        """/saved/: the papers the reader saved, kept in their browser; reader.js lists them."""
        what = "The papers you saved, kept in your browser: export them as BibTeX, RIS or JSON."
        return self.render("saved.md.j2", urls.SAVED, _front("Saved papers", what, None))

    def day_page(self, day: Day, prev: date | None, nxt: date | None) -> str:
        """One list day, every paper as a section whose id is its arXiv id."""
        top = day.papers[0]
        front = _front(
            f"Papers of {dates.day_text(day.date)}",
            f"{len(day.papers)} papers listed on Hugging Face Daily Papers. Top: {top.title}",
            top.thumbnail,
            math=any(has_math(p.abstract) for p in day.papers),
        )
        repo_path = day_path(Path("content"), day.date).as_posix()
        return self.render(
            "day.md.j2",
            urls.day(day.date),
            front,
            day=day,
            prev=prev,
            next=nxt,
            fetched=day.fetched.isoformat() if day.fetched else None,
            edit_url=self.config.edit_url(repo_path),
        )

    def home(self) -> str:
        """The latest list day, the days before it, and this week's and month's top papers."""
        listed = self.archive.listed_days
        latest = listed[-1] if listed else None
        values: dict[str, Any] = {"latest": latest, "earlier": list(reversed(listed[-15:-1]))}
        if latest:
            values["week_top"] = _top(self.by_week[urls.week_key(latest.date)], 10)
            values["month_top"] = _top(self.by_month[(latest.date.year, latest.date.month)], 10)
        front = _front(self.config.site_name, "The archive of Hugging Face Daily Papers.", None)
        front["hide"] = ["navigation", "toc"]
        return self.render(
            "home.md.j2",
            urls.HOME,
            front,
            total_papers=len(self.archive.papers),
            total_days=len(listed),
            first_day=listed[0].date if listed else date(2024, 1, 1),
            **values,
        )

    def week_pages(self) -> dict[str, str]:
        """A page per ISO week with its most upvoted papers."""
        days_by_week: dict[str, list[Day]] = defaultdict(list)
        for day in self.archive.listed_days:
            days_by_week[urls.week_key(day.date)].append(day)
        # In time order: week keys of years before 1000 would not sort as text.
        weeks = sorted(days_by_week, key=lambda week: days_by_week[week][0].date)
        pages = {}
        for index, week in enumerate(weeks):
            days = days_by_week[week]
            iso_year, iso_week, _ = days[0].date.isocalendar()
            start = date.fromisocalendar(iso_year, iso_week, 1)
            top = _top(self.by_week[week], 20)
            prev = weeks[index - 1] if index else None
            nxt = weeks[index + 1] if index + 1 < len(weeks) else None
            front = _front(
                f"Week {week}", _describe(f"Top papers of week {week}", top), _thumb(top)
            )
            url = urls.week(start)
            pages[urls.docs_path(url)] = self.render(
                "week.md.j2",
                url,
                front,
                week=week,
                days=days,
                top=top,
                count=len(self.by_week[week]),
                start=start,
                end=dates.week_end(start),
                prev=prev,
                next=nxt,
                prev_url=urls.week(days_by_week[prev][0].date) if prev else None,
                next_url=urls.week(days_by_week[nxt][0].date) if nxt else None,
            )
        return pages

    def month_and_year_pages(self) -> dict[str, str]:
        """Month pages with a calendar grid, year pages, in one pass over the months."""
        cells = {cell.date: cell for cell in self.cells()}
        months = sorted({(d.year, d.month) for d in cells})
        pages = {}
        for index, (year, month) in enumerate(months):
            first = date(year, month, 1)
            papers = self.by_month[(year, month)]
            top = _top(papers, 30)
            # Day numbers, 0 outside the month: monthdatescalendar would make dates of the
            # weeks' ends in the year before 0001 or after 9999, which do not exist.
            grid = [
                [cells.get(date(year, month, d)) if d else None for d in week]
                for week in Calendar().monthdayscalendar(year, month)
            ]
            front = _front(
                dates.month_text(first),
                _describe(f"Top papers of {dates.month_text(first)}", top),
                _thumb(top),
            )
            pages[urls.docs_path(urls.month(first), folder=True)] = self.render(
                "month.md.j2",
                urls.month(first),
                front,
                first=first,
                top=top,
                calendar=grid,
                count=len(papers),
                listed=sum(
                    1 for row in grid for c in row if c and c.state in ("listed", "growing")
                ),
                prev=date(*months[index - 1], 1) if index else None,
                next=date(*months[index + 1], 1) if index + 1 < len(months) else None,
            )
        days = [(cell.date, cell.state, cell.count) for cell in cells.values()]
        for year in sorted({y for y, _ in months}):
            year_months = [self._month_summary(y, m) for y, m in months if y == year]
            papers = [p for y, m in months if y == year for p in self.by_month[(y, m)]]
            top = _top(papers, 25)
            front = _front(str(year), _describe(f"Top papers of {year}", top), _thumb(top))
            front[CHARTS] = True
            pages[urls.docs_path(urls.year(date(year, 1, 1)), folder=True)] = self.render(
                "year.md.j2",
                urls.year(date(year, 1, 1)),
                front,
                year=year,
                months=year_months,
                top=top,
                count=len(papers),
                listed=sum(1 for d in self.archive.listed_days if d.date.year == year),
                calendar=figures.coverage_calendar(
                    year, days, urls.relative(urls.year(date(year, 1, 1)), urls.COVERAGE)
                ),
            )
        return pages

    def _month_summary(self, year: int, month: int) -> dict[str, Any]:
        return {"first": date(year, month, 1), "count": len(self.by_month[(year, month)])}

    def archive_page(self) -> str:
        """Every month of every year, with paper counts."""
        months = sorted(self.by_month)
        years = [
            {
                "year": y,
                "first": date(y, 1, 1),
                "months": [self._month_summary(y, m) for y2, m in reversed(months) if y2 == y],
            }
            for y in sorted({y for y, _ in months}, reverse=True)
        ]
        front = _front("Archive", "Every month of the Daily Papers Archive.", None)
        return self.render(
            "archive.md.j2",
            urls.ARCHIVE,
            front,
            years=years,
            total_papers=len(self.archive.papers),
            total_days=len(self.archive.listed_days),
        )

    def topic_pages(self) -> dict[str, str]:
        """The topics index, and per topic its newest month plus a page per older month."""
        members: dict[str, list[Paper]] = defaultdict(list)
        for paper_id, slugs in self.archive.paper_topics.items():
            for slug in slugs:
                members[slug].append(self.archive.papers[paper_id])
        pages = {}
        for topic in self.archive.topics:
            pages.update(self._topic(topic, members[topic.slug]))
        summary = [
            {
                "topic": t,
                "count": len(members[t.slug]),
                "spark": figures.topic_sparkline(self.trends, t.slug, t.name),
            }
            for t in self.archive.topics
        ]
        front = _front("Topics", "Papers of the Daily Papers Archive by subject.", None)
        front[CHARTS] = True
        pages[urls.docs_path(urls.TOPICS, folder=True)] = self.render(
            "topics.md.j2", urls.TOPICS, front, topics=summary
        )
        return pages

    def _topic(self, topic: Topic, papers: list[Paper]) -> dict[str, str]:
        by_month: dict[date, list[Paper]] = defaultdict(list)
        for paper in papers:
            first = self.archive.first_listed[paper.id]
            by_month[first.replace(day=1)].append(paper)
        newest_first = sorted(by_month, reverse=True) or [date(1970, 1, 1)]
        month_urls = {
            m: urls.topic(topic.slug, None if i == 0 else m) for i, m in enumerate(newest_first)
        }
        months = [
            {"first": m, "count": len(by_month[m]), "url": month_urls[m]} for m in newest_first
        ]
        # An older month's page leaves out what grows every night (the newest month's count,
        # the total, the sparkline: the front page has them), so it stays as it was and the
        # render and page caches keep it: else every topic page is made again every night.
        older = [{**m, "count": None} if i == 0 else m for i, m in enumerate(months)]
        pages = {}
        spark = figures.topic_sparkline(self.trends, topic.slug, topic.name)
        for month in newest_first:
            listed = sorted(by_month[month], key=self._newest_key)
            is_front = month == newest_first[0]
            values = {
                "topic": topic,
                "month": month,
                "months": months if is_front else older,
                "papers": listed,
                "total": len(papers) if is_front else None,
                "spark": spark if is_front else None,
            }
            url = month_urls[month]
            pages[urls.docs_path(url, folder=is_front)] = self._topic_month(url, values)
        return pages

    def _topic_month(self, url: str, values: dict[str, Any]) -> str:
        """A topic's page of one month, through the memo when there is one."""
        topic, listed = values["topic"], values["papers"]

        def render() -> str:
            front = _front(
                meta_text(f"{topic.name}, {dates.month_text(values['month'])}"),
                meta_text(topic.description),
                _thumb(listed),
            )
            front["feeds"] = {fmt: urls.topic_feed(fmt, topic.slug) for fmt in urls.FEED_FILES}
            front[CHARTS] = values["spark"] is not None  # charts.css for the sparkline only
            return self.render("topic.md.j2", url, front, **values)

        if self.memo is None:
            return render()
        # All the page is made from besides the code and templates: as for a day page, and
        # each listed paper's permalink, first list day and topics, which its item shows.
        shown = [
            (
                self.archive.permalink(p.id),
                self.archive.first_listed[p.id],
                self.archive.paper_topics.get(p.id, []),
            )
            for p in listed
        ]
        # The topic by what the page shows of it: its rules hold frozensets, whose order (and
        # so repr) changes from one process to the next.
        about = (topic.slug, topic.name, topic.description)
        rest = sorted((k, v) for k, v in values.items() if k != "topic")
        inputs = (self.config, self.archive.sample, url, about, rest, shown)
        name = hashlib.sha256(repr(inputs).encode("utf-8", "surrogatepass")).hexdigest()
        return self.memo(name, render)

    def _newest_key(self, paper: Paper) -> tuple[int, int]:
        # Newest list day first; within a day, most upvoted first.
        return (-self.archive.first_listed[paper.id].toordinal(), -paper.upvotes)

    def cells(self) -> list[Cell]:
        """Every day from the first known one to the last: its coverage state."""
        days = {day.date: day for day in self.archive.days}
        failed = {date.fromisoformat(k): v for k, v in self.status.items()}
        known = list(days) + list(failed)
        if not known:
            return []
        fetched = [d.fetched for d in self.archive.days if d.fetched]
        newest = max(fetched) if fetched else None
        # By ordinal: the day after 9999-12-31 does not exist.
        return [
            _cell(day, days.get(day), failed.get(day), newest)
            for day in map(
                date.fromordinal, range(min(known).toordinal(), max(known).toordinal() + 1)
            )
        ]

    def coverage(self) -> str:
        """Every day's state: listed, empty, never fetched, failed, may still grow."""
        rows = self.cells()
        days = [(row.date, row.state, row.count) for row in rows]
        counts: dict[str, int] = defaultdict(int)
        for row in rows:
            counts["listed" if row.state == "growing" else row.state] += 1
        fetched = [d.fetched for d in self.archive.days if d.fetched]
        front = _front("Coverage", "Which days the archive holds, and their state.", None)
        front[CHARTS] = True
        return self.render(
            "coverage.md.j2",
            urls.COVERAGE,
            front,
            rows=rows,
            counts=counts,
            first=rows[0].date if rows else date(2024, 1, 1),
            newest_fetch=max(fetched).isoformat() if fetched else None,
            calendars=[
                (date(year, 1, 1), figures.coverage_calendar(year, days))
                for year in sorted({row.date.year for row in rows}, reverse=True)
            ],
        )

    def trends_page(self) -> str:
        """The archive's numbers as pictures: weeks, topics, organizations, code, rising terms."""
        trends = self.trends

        def link(target: str) -> str:
            return urls.relative(urls.TRENDS, target)

        rising = trends.rising
        front = _front(
            "Trends",
            "How the field moves: papers per week, topics by month, top organizations, "
            "papers with code and the terms rising this month.",
            None,
        )
        front[CHARTS] = True
        return self.render(
            "trends.md.j2",
            urls.TRENDS,
            front,
            total_papers=len(self.archive.papers),
            provisional_from=trends.provisional_from,
            rising=figures.rising_rows(trends, link),
            rising_month=date.fromisoformat(f"{rising.month}-01") if rising else None,
            rising_papers=rising.papers if rising else 0,
            rising_before=rising.papers_before if rising else 0,
            rising_provisional=rising.provisional if rising else False,
            weekly=figures.weekly_figure(trends, link),
            topic_share=figures.topic_share_figure(trends, link),
            organizations=figures.organization_figures(trends, link),
            code=figures.code_figures(trends, link),
        )

    def feeds_page(self) -> str:
        """Every feed, its three formats side by side, with copyable URLs."""
        labels = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
        feeds: dict[tuple[str, str | None, str], dict[str, Any]] = {}
        for info in self.feeds:
            key = (info.group, info.topic, info.title)
            entry = feeds.setdefault(
                key,
                {
                    "title": info.title,
                    "description": info.description,
                    "formats": [],
                    "anchor": f"topic-{info.topic}"
                    if info.topic
                    else info.path.split("/")[0].replace(".", "-"),
                },
            )
            entry["formats"].append(
                {"label": labels.get(info.format, info.format), "path": info.path}
            )
        groups = [
            {
                "id": "site",
                "title": "Whole archive",
                "feeds": [f for (group, _, _), f in feeds.items() if group == "site"],
            },
            {
                "id": "topics",
                "title": "Topics",
                "feeds": [f for (group, _, _), f in feeds.items() if group == "topic"],
            },
        ]
        front = _front("Feeds", "RSS, Atom and JSON feeds of the Daily Papers Archive.", None)
        return self.render("feeds.md.j2", urls.FEEDS, front, groups=groups)


def iter_pages(
    archive: Archive,
    config: SiteConfig,
    feeds: Iterable[FeedInfo] = (),
    trends: Trends | None = None,
    memo: Memo | None = None,
) -> Iterator[tuple[str, str]]:
    """(path under docs/, Markdown) of every page, one at a time (not all held at once)."""
    return Generator(archive, config, list(feeds), trends, memo).pages()


def _cell(
    day: date, stored: Day | None, failure: dict[str, str] | None, newest: date | None
) -> Cell:
    fetched = stored.fetched.isoformat() if stored is not None and stored.fetched else None
    if failure is not None:
        count = len(stored.papers) if stored is not None else None
        return Cell(day, "failed", f"fetch failed {failure.get('failed', '')}", count, fetched)
    if stored is None:
        return Cell(day, "missing", "never fetched", None, None)
    if not stored.papers:
        return Cell(day, "empty", "empty list", 0, fetched)
    # Ordinals: 14 days before a fetch in 0001-01 would be before the first date there is.
    growing = newest is not None and day.toordinal() > newest.toordinal() - (REFRESH_DAYS + 1)
    label = "may still grow" if growing else "listed"
    return Cell(day, "growing" if growing else "listed", label, len(stored.papers), fetched)


def _top(papers: list[Paper], count: int) -> list[Paper]:
    # Most upvoted first; ties broken by id so the order never depends on input order.
    return sorted(papers, key=lambda p: (-p.upvotes, p.id))[:count]


def _thumb(papers: list[Paper]) -> str | None:
    return next((p.thumbnail for p in papers if linkable(p.thumbnail)), None)


def _describe(prefix: str, top: list[Paper]) -> str:
    return f"{prefix}. First: {top[0].title}" if top else prefix


def _front(title: str, description: str, image: str | None, math: bool = False) -> dict[str, Any]:
    front: dict[str, Any] = {
        "title": meta_text(title),
        "description": meta_text(description),
        "hide": ["toc"],
    }
    if linkable(image):
        front["image"] = image
    if math:
        front["math"] = True
    return front


def _front_matter(front: dict[str, Any]) -> str:
    # JSON strings are valid YAML double-quoted scalars: nothing in a value can break out.
    return "\n".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()
    )
