"""A digest edition (a list day's papers, or a week's top papers) as e-mail HTML and text.

The digest and weekly feeds' entries are the HTML the digest e-mail carries, so a feed-to-mail
service (Buttondown, follow.it, Mailchimp's RSS campaigns) sends from the feed the mail that
`python -m generator mail` sends. Pure: a View in, text out; every value is text, escaped by
the templates' autoescape, never markup.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import jinja2

from . import dates

TEMPLATES = Path(__file__).parent / "templates"
AUTHOR_NAMES = 3  # names in a paper's byline: "A, B, C and 27 more"
TEXT_WIDTH = 72  # the plain-text part's lines, for clients that do not wrap
INDENT = "    "  # a paper's lines under its number in the plain-text part


@dataclass(frozen=True)
class Item:
    """A paper as a digest shows it: plain text, escaped only by the HTML template."""

    rank: int
    title: str
    url: str  # its permalink, absolute
    byline: str  # "A, B, C and 27 more"
    upvotes: str  # "12 upvotes"
    gist: str  # the AI summary, else the abstract's first sentence


@dataclass(frozen=True)
class View:
    """Everything one edition shows, in the order it shows it."""

    subject: str  # the e-mail's subject, or the feed entry's title: the document's <title>
    name: str  # the digest's name, above the heading
    heading: str  # Thursday, 3 December 2026; or Week of 30 November 2026
    intro: str
    items: tuple[Item, ...]
    more: str  # "And 3 more papers", or "" when every paper is listed
    page: str  # the day's or week's page, absolute
    page_label: str
    site_name: str
    site_url: str
    unsubscribe: str | None = None  # a mailto: or https:// URL, shown last


def heading(weekly: bool, first: date) -> str:
    """The edition's heading: the list day in full, or the week by its Monday."""
    return f"Week of {dates.day_text(first)}" if weekly else dates.long_date(first)


def page_label(weekly: bool) -> str:
    """The words of the link to the edition's page on the site."""
    return "The whole week in the archive" if weekly else "This day in the archive"


def intro(weekly: bool, first: date, total: int, matched: int | None, chosen: int) -> str:
    """One sentence on what the edition lists; matched is None without a selection."""
    papers = plural(total, "paper")
    if not weekly:
        text = f"{papers} on Hugging Face's Daily Papers"
        if matched is not None:
            verb = "matches" if matched == 1 else "match"
            text += f"; {matched or 'none'} {verb} your selection"
        return text + "."
    listed = f"first listed in the week of {dates.day_text(first)}"
    if matched is None:
        return f"The {chosen} most upvoted of the {papers} {listed}."
    if not matched:
        return f"None of the {papers} {listed} matches your selection."
    return (
        f"The {chosen} most upvoted of the {plural(matched, 'paper')} that match your "
        f"selection, of the {papers} {listed}."
    )


def byline(names: list[str]) -> str:
    """Up to AUTHOR_NAMES names and how many more: a line, not a paragraph."""
    if len(names) > AUTHOR_NAMES + 1:  # "and 1 more" would take the place of the name
        return ", ".join(names[:AUTHOR_NAMES]) + f" and {len(names) - AUTHOR_NAMES} more"
    return ", ".join(names)


def plural(count: int, noun: str) -> str:
    """'1 paper', '1,204 papers'."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def body_html(view: View) -> str:
    """The edition as an HTML fragment: a feed entry's content, and the e-mail's <body>."""
    return _templates().get_template("digest-body.html.j2").render(view=view).strip()


def document_html(view: View) -> str:
    """The e-mail's HTML part: a whole document around body_html."""
    return _templates().get_template("digest.html.j2").render(view=view)


def text(view: View) -> str:
    """The e-mail's plain-text part: complete without the HTML, lines wrapped, links whole."""
    lines = [view.name, view.heading, "", *_wrap(view.intro), ""]
    for item in view.items:
        number = f"{item.rank}. ".ljust(len(INDENT))
        lines += _wrap(item.title, number, INDENT)
        lines += _wrap(f"{item.byline} · {item.upvotes}", INDENT, INDENT)
        lines += _wrap(item.gist, INDENT, INDENT)
        lines += [INDENT + item.url, ""]
    if view.more:
        lines += [*_wrap(f"{view.more}: {view.page}"), ""]
    lines += ["-- ", f"{view.site_name}: {view.site_url}"]
    lines.append(f"{view.page_label}: {view.page}")
    if view.unsubscribe:
        lines.append(f"Unsubscribe: {view.unsubscribe}")
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
