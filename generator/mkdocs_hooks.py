"""MkDocs hooks: ready-HTML pages skip Python-Markdown and share theme parts; no indentation;
a page whose source is unchanged since the last build is taken from the page cache."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
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
# extra.dpa_page_cache: a folder of built pages, each named by its source path and bytes. The
# build names one whose name also stands for everything else a page's HTML is made from (the
# theme, its overrides, these hooks, package versions), so a name found there is that HTML.
CACHE = "dpa_page_cache"
_pages: dict[str, tuple[Any, str]] = {}  # this build's: source path -> (File, its cache name)


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


def on_files(files: Any, config: Any) -> Any:
    """Put each page the cache holds in place, dated so that MkDocs' dirty build skips it."""
    _pages.clear()
    cache = config.extra.get(CACHE)
    if not cache:
        return files
    for file in files.documentation_pages():
        source = Path(file.abs_src_path)
        digest = hashlib.sha256(file.src_uri.encode() + b"\0" + source.read_bytes())
        name = digest.hexdigest() + ".html"
        _pages[file.src_uri] = (file, name)
        cached, target = Path(cache) / name, Path(file.abs_dest_path)
        if not cached.is_file():  # MkDocs builds it
            continue
        try:
            # MkDocs builds a page in a dirty build only when its source is newer than its
            # output: dated first, so that a page whose link then fails is built, never
            # written over the cached file it would share.
            os.utime(source, (0, 0))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(cached, target)  # a page is never changed once written
        except OSError:  # the cache is only a shortcut: MkDocs builds the page
            continue
    return files


def on_post_build(config: Any) -> None:
    """Keep this build's pages in the cache for the next; drop those it no longer has."""
    cache = config.extra.get(CACHE)
    if not cache:
        return
    # A full disk or a read-only cache costs the next build time, nothing more.
    with contextlib.suppress(OSError):
        _keep(Path(cache))
    _pages.clear()


def _keep(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    keep = set()
    for file, name in _pages.values():
        built = Path(file.abs_dest_path)
        if not built.is_file():  # an empty page MkDocs did not write
            continue
        keep.add(name)
        if not (folder / name).exists():
            partial = folder / f".{name}.partial"  # a name in the cache is always a whole page
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
            os.link(built, partial)
            partial.rename(folder / name)
    for old in folder.iterdir():
        if old.name not in keep:
            old.unlink()


class DirtyNotice(logging.Filter):
    """Drops MkDocs' warning about a dirty build: with the page cache, it is what we want."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")
