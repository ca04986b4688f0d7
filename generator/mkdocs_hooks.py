"""MkDocs hooks: ready-HTML pages skip Python-Markdown, and pages lose the theme's indentation."""

from __future__ import annotations

import re
from typing import Any

# Loaded by MkDocs from a file path (mkdocs.yml `hooks:`), not as part of the package, so
# nothing here imports from generator; pages.py's READY_HTML names the same flag.
FLAG = "ready_html"
_INDENT = re.compile(r"\n[ \t\n]+")
_KEEP = re.compile(r"(<pre[\s>].*?</pre>|<textarea[\s>].*?</textarea>)", re.DOTALL)
# A word Markdown leaves alone: the page converts to "<p>TOKEN</p>", which is then replaced.
TOKEN = "dpa-ready-html-5b1e0c"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Keep a ready-HTML page's body aside and give Markdown a placeholder instead."""
    if page.meta.get(FLAG) is not True:
        return markdown
    page.dpa_ready_html = markdown.strip("\n")
    return TOKEN


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Put the kept body where Markdown rendered the placeholder."""
    ready = getattr(page, "dpa_ready_html", None)
    if ready is None:
        return html
    rendered = f"<p>{TOKEN}</p>"
    if html != rendered:  # a markdown extension changed it: better to fail than lose a page
        raise ValueError(f"{page.file.src_uri}: unexpected placeholder rendering {html[:80]!r}")
    return ready


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Drop the theme's indentation and blank lines: a tenth of a day page's bytes."""
    parts = _KEEP.split(output)  # odd items: <pre> and <textarea> elements, kept as they are
    return "".join(part if i % 2 else _INDENT.sub("\n", part) for i, part in enumerate(parts))
