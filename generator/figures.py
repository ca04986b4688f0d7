"""The site's pictures: the archive's numbers (trends.py) drawn as charts (charts.py).

Pure: each function returns HTML for a template. Links come from the page's `link`, so they
stay relative to the page that shows them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import cast
from urllib.parse import urlencode

from markupsafe import Markup, escape

from . import charts, dates, urls
from .trends import Trends

Link = Callable[[str], str]
SPARK_MONTHS = 24  # a topic's sparkline: papers per month over the last two years
ORGANIZATION_QUARTERS = 4  # the trends page draws the newest quarters; the data has all


def _data_links(link: Link, dataset: str) -> list[tuple[str, str]]:
    return [
        ("CSV", link(urls.trends_data(dataset, "csv"))),
        ("JSON", link(urls.trends_data(dataset, "json"))),
    ]


def _provisional(flags: Iterable[bool]) -> int:
    """How many of the last values may still grow (they come last: lists grow at the end)."""
    count = 0
    for flag in reversed(list(flags)):
        if not flag:
            break
        count += 1
    return count


def _month_label(month: str) -> str:
    return dates.short_month(date.fromisoformat(f"{month}-01"))


def weekly_figure(trends: Trends, link: Link) -> Markup:
    """Papers per week over the whole archive."""
    labels = [w.week.isoformat() for w in trends.weeks]
    values = [w.papers for w in trends.weeks]
    provisional = _provisional(w.provisional for w in trends.weeks)
    chart = charts.bar_chart(
        "trends-weekly",
        "Papers per week",
        charts.describe([f"week of {label}" for label in labels], values, " papers"),
        labels,
        values,
        provisional=provisional,
    )
    table = charts.table_html(
        "Papers per week (week of its Monday)",
        ["Week", "Papers", "May still grow"],
        [(w.week.isoformat(), w.papers, "yes" if w.provisional else "") for w in trends.weeks],
    )
    caption = "Papers first listed each week, over the whole archive."
    if provisional:
        caption += " The lighter bars at the end may still grow."
    return Markup(charts.figure_html(chart, caption, table, _data_links(link, "weekly")))


def topic_share_figure(trends: Trends, link: Link) -> Markup:
    """Each topic's share of papers per month, one small chart per topic, one scale."""
    months = sorted({t.month for t in trends.topic_shares})
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    names: dict[str, str] = {}
    flags: dict[str, bool] = {}
    for t in trends.topic_shares:
        shares[t.topic][t.month] = round(t.share * 100, 1)
        names[t.topic] = t.name
        flags[t.month] = t.provisional
    panels = [(names[slug], [row.get(m, 0.0) for m in months]) for slug, row in shares.items()]
    labels = [_month_label(m) for m in months]
    provisional = _provisional(flags[m] for m in months)
    chart = charts.small_multiples(
        "trends-topics",
        "share of each month's papers",
        labels,
        panels,
        unit="%",
        provisional=provisional,
    )
    table = charts.table_html(
        "Share of each month's papers in each topic (%)",
        ["Month", *(names[slug] for slug in shares)],
        [
            (label, *(shares[slug].get(m, 0.0) for slug in shares))
            for label, m in zip(labels, months, strict=True)
        ],
    )
    caption = (
        "Each topic's share of the papers first listed each month, on one scale; a paper can "
        "be in several topics."
    )
    return Markup(charts.figure_html(chart, caption, table, _data_links(link, "topic-share")))


def organization_figures(trends: Trends, link: Link) -> Markup:
    """The top organizations of the newest quarters, one bar chart per quarter."""
    by_quarter: dict[str, list[tuple[str, int]]] = defaultdict(list)
    provisional: dict[str, bool] = {}
    for o in trends.organizations:
        by_quarter[o.quarter].append((o.name, o.papers))
        provisional[o.quarter] = o.provisional
    figures = []
    for quarter in sorted(by_quarter, reverse=True)[:ORGANIZATION_QUARTERS]:
        rows = by_quarter[quarter]
        note = " (may still grow)" if provisional[quarter] else ""
        names = [name for name, _ in rows]
        values = [count for _, count in rows]
        prefix = f"trends-org-{quarter.lower()}"
        chart = charts.hbar_chart(
            prefix,
            f"Top organizations, {quarter}{note}",
            f"Papers by organization in {quarter}: first {names[0]} with {values[0]}."
            if rows
            else "No papers with an organization.",
            names,
            values,
        )
        table = charts.table_html(f"Top organizations, {quarter}", ["Organization", "Papers"], rows)
        caption = f"{quarter}: the organizations with the most papers first listed{note}."
        figures.append(
            charts.figure_html(chart, caption, table, _data_links(link, "organizations"))
        )
    return Markup("".join(figures))


def code_figures(trends: Trends, link: Link) -> Markup:
    """Per month: the share of papers with code, and their median upvotes."""
    months = [c for c in trends.code if c.papers]
    # Older responses carry no GitHub links at all: those months are unknown, not 0%.
    first_code = next((i for i, c in enumerate(months) if c.with_code), len(months))
    coded = months[first_code:]
    labels = [_month_label(c.month) for c in months]
    provisional = _provisional(c.provisional for c in months)
    share = [round(c.code_share * 100, 1) for c in coded]
    median = [c.median_upvotes or 0.0 for c in months]
    links = _data_links(link, "code-upvotes")
    figures = []
    if coded:
        share_chart = charts.line_chart(
            "trends-code",
            "Papers with code",
            charts.describe(labels[first_code:], share, "%"),
            labels[first_code:],
            [("with a GitHub repository", share)],
            unit="%",
            y_max=100,
            provisional=min(provisional, len(coded)),
        )
        since = (
            f" Hugging Face has given GitHub links since {labels[first_code]}."
            if first_code
            else ""
        )
        figures.append(
            charts.figure_html(
                share_chart,
                "The share of each month's papers that link a GitHub repository." + since,
                charts.table_html(
                    "Papers with code per month",
                    ["Month", "Papers", "With code", "With code (%)"],
                    [
                        (label, c.papers, c.with_code, s)
                        for label, c, s in zip(labels[first_code:], coded, share, strict=True)
                    ],
                ),
                links,
            )
        )
    upvote_chart = charts.line_chart(
        "trends-upvotes",
        "Median upvotes",
        charts.describe(labels, median, " upvotes"),
        labels,
        [("median upvotes", median)],
        provisional=provisional,
    )
    figures.append(
        charts.figure_html(
            upvote_chart,
            "The median upvotes of each month's papers; upvotes keep growing for 14 days.",
            charts.table_html(
                "Median upvotes per month",
                ["Month", "Papers", "Median upvotes"],
                [(label, c.papers, m) for label, c, m in zip(labels, months, median, strict=True)],
            ),
            links,
        )
    )
    return Markup("".join(figures))


def topic_sparkline(trends: Trends, slug: str, name: str) -> Markup:
    """A topic's papers per month over the last SPARK_MONTHS months, tiny, beside its name."""
    rows = [t for t in trends.topic_shares if t.topic == slug][-SPARK_MONTHS:]
    if not rows:
        return Markup("")
    values = [t.papers for t in rows]
    first, last = _month_label(rows[0].month), _month_label(rows[-1].month)
    return Markup(
        charts.sparkline(
            f"spark-{slug}",
            f"{name}: papers per month",
            f"{first} to {last}: from {values[0]} to {values[-1]} "
            f"paper{'' if values[-1] == 1 else 's'} a month, "
            f"at most {max(values)}.",
            values,
            provisional=_provisional(t.provisional for t in rows),
        )
    )


def coverage_calendar(
    year: int, cells: Sequence[tuple[date, str, int | None]], table: str | None = None
) -> Markup:
    """A year at a glance: each known day's state, and its papers as intensity.

    `table` links every day's numbers (the coverage table) where the page does not hold them.
    """
    days: dict[date, tuple[charts.DayState, int]] = {
        day: (cast(charts.DayState, state), count or 0)
        for day, state, count in cells
        if day.year == year and state in charts.DAY_STATES
    }
    listed = sum(1 for state, _ in days.values() if state in ("listed", "growing"))
    caption = (
        f'<figcaption>Every day\'s state and papers: <a href="{escape(table)}">the coverage '
        "table</a>.</figcaption>"
        if table
        else ""
    )
    chart = charts.calendar_heatmap(
        f"calendar-{year}",
        f"{year} at a glance",
        f"{listed} list days of {year}, darker with more papers; empty, never fetched and "
        "failed days marked apart.",
        year,
        days,
    )
    return Markup(
        '<figure class="dpa-figure dpa-figure--calendar">'
        f'<div class="dpa-figure__chart" tabindex="0">{chart}</div>{caption}</figure>'
    )


def rising_rows(trends: Trends, link: Link) -> list[dict[str, object]]:
    """ "Rising this month" as table rows: each term, its numbers, a search for it."""
    if trends.rising is None:
        return []
    search = link(urls.SEARCH)
    return [
        {
            "term": term.term,
            "search": f"{search}?{urlencode({'q': term.term})}",
            "papers": term.papers,
            "share": f"{term.share * 100:.1f}%",
            "papers_before": term.papers_before,
            "share_before": f"{term.share_before * 100:.2f}%",
            "ratio": f"{term.ratio:.1f} times",
        }
        for term in trends.rising.terms
    ]
