"""MkDocs hooks: ready-HTML pages skip Python-Markdown and share theme parts; no indentation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import YAML_RE

# Loaded by MkDocs from a file path (mkdocs.yml `hooks:`), not as part of the package, so
# nothing here imports from generator; pages.py imports the flag from here.
FLAG = "ready_html"  # front matter of pages whose body is all HTML, handed over as it is
_INDENT = re.compile(r"\n[ \t\n]+")
_KEEP = re.compile(r"(<pre[\s>].*?</pre>|<textarea[\s>].*?</textarea>)", re.DOTALL)
# A word Markdown leaves alone: the page converts to "<p>TOKEN</p>", which is then replaced
# by MARK, a comment no escaped text from content can contain, and that by the page's body.
TOKEN = "dpa-ready-html-5b1e0c"
MARK, MARK_H1 = f"<!--{TOKEN}-->", f"<!--{TOKEN} <h1>-->"


def on_env(env: Any, config: Any, files: Any) -> Any:
    """Give the templates dpa_same, which renders a part once for all pages alike in it."""
    made: dict[tuple[str, Any], Any] = {}  # one build's: on_env runs at the start of each

    def dpa_same(part: str, key: Any, caller: Any) -> Any:
        if (part, key) not in made:
            made[part, key] = caller()
        return made[part, key]

    env.globals["dpa_same"] = dpa_same
    return env


def on_page_context(context: Any, page: Any, config: Any, nav: Any) -> Any:
    """Key the theme parts main.html hands to dpa_same: None renders them for this page alone."""
    # A ready-HTML page outside the nav has no active nav item and an empty table of contents,
    # so its tabs, sidebars, footer and config differ from another's only in their links,
    # which are relative to the page: to the nav's pages (the logo's is the home page's) and
    # to the theme's assets. Those links, seen from the page, are the key. Rendering those
    # parts once per key is a third of MkDocs' time at 30,000 papers.
    key = None
    if getattr(page, "dpa_ready_html", False) and page not in nav.pages:
        links = [get_relative_url(item.url, page.url) for item in nav.pages]
        links.append(get_relative_url("assets/", page.url))
        key = (context["base_url"], repr(page.meta.get("hide")), tuple(links))
    context["dpa_same_key"] = key
    return context


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Give Markdown a placeholder instead of a ready-HTML page's body."""
    if page.meta.get(FLAG) is not True:
        return markdown
    # Material's content.html adds the title as <h1> unless the content has one: so the mark
    # says whether the body has one.
    page.dpa_ready_html = MARK_H1 if "<h1" in markdown else MARK
    return TOKEN


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Leave a mark where the body goes; on_post_page puts it there."""
    if not getattr(page, "dpa_ready_html", False):
        return html
    rendered = f"<p>{TOKEN}</p>"
    if html != rendered:  # a markdown extension changed it: better to fail than lose a page
        raise ValueError(f"{page.file.src_uri}: unexpected placeholder rendering {html[:80]!r}")
    # MkDocs renders every page's content before it builds any page: a body kept until then
    # would hold the whole site's HTML in memory at once (130 MB at 30,000 papers).
    return str(page.dpa_ready_html)


def _ready_body(page: Any, output: str) -> str:
    """The page's output with its body, read again from its source, in place of its mark."""
    source = Path(page.file.abs_src_path).read_text(encoding="utf-8-sig")  # as MkDocs reads
    # What get_data leaves of a page whose front matter MkDocs has parsed already, without
    # parsing it again (a tenth of MkDocs' time at 30,000 papers).
    front = YAML_RE.match(source)
    if front is None:
        raise ValueError(f"{page.file.src_uri}: a ready-HTML page without front matter")
    body = source[front.end() :].strip("\n")
    mark = page.dpa_ready_html
    before, found, after = output.partition(mark)
    if not found or mark in after:
        raise ValueError(f"{page.file.src_uri}: the theme did not show the page's content once")
    return before + body + after


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Put a ready-HTML page's body in; drop the theme's indentation and blank lines."""
    if getattr(page, "dpa_ready_html", False):
        output = _ready_body(page, output)
    # The indentation and blank lines are a tenth of a day page's bytes.
    parts = _KEEP.split(output)  # odd items: <pre> and <textarea> elements, kept as they are
    return "".join(part if i % 2 else _INDENT.sub("\n", part) for i, part in enumerate(parts))
