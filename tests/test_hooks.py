"""MkDocs hooks: ready-HTML bodies skip Python-Markdown, theme parts shared, no indentation."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest

from generator import mkdocs_hooks as hooks
from tests.helpers import write_files

ROOT = Path(__file__).resolve().parent.parent
READY = "---\nready_html: true\ntitle: A day\n---\n"


def _page(source: Path | None = None, url: str = "2025/06/09/", **meta: Any) -> Any:
    """A stand-in for mkdocs.structure.pages.Page with the attributes the hooks read."""
    file = SimpleNamespace(src_uri="2025/06/09.md", abs_src_path=str(source))
    return SimpleNamespace(meta=meta, file=file, url=url)


def _ready(tmp_path: Path, body: str, output: str) -> str:
    """on_post_page's result for a ready-HTML page whose source is READY + body."""
    source = tmp_path / "page.md"
    source.write_text(READY + body, "utf-8")
    page = _page(source, ready_html=True)
    assert hooks.on_page_markdown(READY + body, page, None, None) == hooks.TOKEN
    assert hooks.on_page_content(f"<p>{hooks.TOKEN}</p>", page, None, None) == hooks.MARK
    return hooks.on_post_page(output.replace("BODY", hooks.MARK), page, None)


# Pages that are not ready HTML.


@pytest.mark.parametrize("meta", [{}, {"ready_html": False}, {"ready_html": "true"}])
def test_other_pages_go_through_markdown_untouched(meta: dict[str, Any]) -> None:
    page = _page(**meta)
    assert hooks.on_page_markdown("# Title\n\n*em*", page, None, None) == "# Title\n\n*em*"
    assert not hasattr(page, "dpa_ready_html")
    assert hooks.on_page_content("<h1>Title</h1>", page, None, None) == "<h1>Title</h1>"
    output = "<html>\n  <body>\n    <p>x</p>\n  </body>\n</html>\n"
    assert hooks.on_post_page(output, page, None) == "<html>\n<body>\n<p>x</p>\n</body>\n</html>\n"


# Ready-HTML pages: a placeholder through Markdown, the body read again from the source.


def test_the_mark_says_whether_the_body_has_its_own_h1() -> None:
    plain, titled = _page(ready_html=True), _page(ready_html=True)
    assert hooks.on_page_markdown("<p>a</p>", plain, None, None) == hooks.TOKEN
    assert hooks.on_page_markdown('<h1 id="t">T</h1>', titled, None, None) == hooks.TOKEN
    assert (plain.dpa_ready_html, titled.dpa_ready_html) == (hooks.MARK, hooks.MARK_H1)
    assert hooks.on_page_content(f"<p>{hooks.TOKEN}</p>", titled, None, None) == hooks.MARK_H1


@pytest.mark.parametrize(
    "rendered", [f"<p><em>{hooks.TOKEN}</em></p>", hooks.TOKEN, f"<p>{hooks.TOKEN}</p>\n"]
)
def test_a_placeholder_rendered_otherwise_fails_the_page(rendered: str) -> None:
    page = _page(ready_html=True)
    hooks.on_page_markdown("<p>a</p>", page, None, None)
    with pytest.raises(ValueError, match=r"^2025/06/09\.md: unexpected placeholder rendering"):
        hooks.on_page_content(rendered, page, None, None)


def test_the_body_replaces_the_mark_as_written(tmp_path: Path) -> None:
    body = '\n<div class="day">*not emphasis* &amp; {{ x }}</div>\n<p>second</p>\n\n'
    output = "<html>\n  <main>\n    BODY\n  </main>\n</html>"
    assert _ready(tmp_path, body, output) == (
        '<html>\n<main>\n<div class="day">*not emphasis* &amp; {{ x }}</div>\n'
        "<p>second</p>\n</main>\n</html>"
    )


def test_a_source_with_a_byte_order_mark_is_read_as_mkdocs_reads_it(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    source.write_text("\ufeff" + READY + "<p>body</p>\n", "utf-8")
    page = _page(source, ready_html=True)
    hooks.on_page_markdown(READY + "<p>body</p>\n", page, None, None)
    assert (
        hooks.on_post_page(f"<main>{hooks.MARK}</main>", page, None) == "<main><p>body</p></main>"
    )


@pytest.mark.parametrize("output", ["<main></main>", "<main>BODY BODY</main>"])
def test_a_theme_that_shows_the_body_not_exactly_once_fails(tmp_path: Path, output: str) -> None:
    with pytest.raises(ValueError, match="did not show the page's content once"):
        _ready(tmp_path, "<p>a</p>", output)


def test_a_ready_page_without_front_matter_fails(tmp_path: Path) -> None:
    source = tmp_path / "page.md"
    source.write_text("<p>no front matter</p>\n", "utf-8")
    page = _page(source, ready_html=True)
    hooks.on_page_markdown("<p>no front matter</p>\n", page, None, None)
    with pytest.raises(ValueError, match=r"^2025/06/09\.md: a ready-HTML page without front"):
        hooks.on_post_page(hooks.MARK, page, None)


# Indentation and blank lines go, except inside <pre> and <textarea>.


def test_indentation_goes_but_pre_and_textarea_keep_theirs() -> None:
    output = (
        "<div>\n    <p>a</p>\n\n\n  \t<preview>\n    x</preview>\n"
        '  <pre class="code">\n\n    kept\n  as is\n</pre>\n'
        "    <textarea>\n  typed\n\n</textarea>\n  <pre>  y\n   z</pre>\n</div>"
    )
    assert hooks.on_post_page(output, _page(), None) == (
        "<div>\n<p>a</p>\n<preview>\nx</preview>\n"
        '<pre class="code">\n\n    kept\n  as is\n</pre>\n'
        "<textarea>\n  typed\n\n</textarea>\n<pre>  y\n   z</pre>\n</div>"
    )


# Theme parts shared by alike pages.


def test_dpa_same_renders_a_part_once_per_key() -> None:
    calls: list[str] = []

    def count(name: str) -> str:
        calls.append(name)
        return f"{name}#{len(calls)}"

    env = jinja2.Environment()
    assert hooks.on_env(env, None, None) is env
    template = env.from_string("{% call dpa_same(part, key) %}{{ count(part) }}{% endcall %}")

    def render(part: str, key: Any) -> str:
        return template.render(part=part, key=key, count=count)

    assert render("tabs", ("a",)) == "tabs#1"
    assert render("tabs", ("a",)) == "tabs#1"  # made once, then reused
    assert render("tabs", ("b",)) == "tabs#2"
    assert render("footer", ("a",)) == "footer#3"
    assert calls == ["tabs", "tabs", "footer"]
    hooks.on_env(env, None, None)  # the next build starts afresh
    assert render("tabs", ("a",)) == "tabs#4"


def _key(page: Any, nav_pages: list[Any], base_url: str = "../../..") -> Any:
    context = hooks.on_page_context(
        {"base_url": base_url}, page, None, SimpleNamespace(pages=nav_pages)
    )
    return context["dpa_same_key"]


def test_only_ready_pages_outside_the_nav_share_theme_parts() -> None:
    home, feeds = _page(url=""), _page(url="feeds/")
    nav = [home, feeds]
    for page in (home, feeds):
        page.dpa_ready_html = hooks.MARK
    assert _key(home, nav) is None  # the nav marks it active: its parts are its own
    assert _key(_page(url="2025/06/09/"), nav) is None  # not ready HTML

    def day(url: str, **meta: Any) -> Any:
        page = _page(url=url, **meta)
        page.dpa_ready_html = hooks.MARK
        return page

    key = _key(day("2025/06/09/"), nav)
    assert key == ("../../..", "None", ("../../..", "../../../feeds/", "../../../assets/"))
    assert _key(day("2025/06/10/"), nav) == key  # alike: one rendering for both
    assert _key(day("2025/06/"), nav, "../..") != key  # its links differ
    assert _key(day("2025/06/11/", hide=["toc"]), nav) != key


# The hooks in a real MkDocs build.


def test_a_mkdocs_build_passes_ready_html_through(tmp_path: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    body = (
        '<div class="day">*not emphasis* &amp; <b>bold</b></div>\n'
        "<pre>\n    first\n        second\n</pre>"
    )
    hook = ROOT / "generator/mkdocs_hooks.py"
    write_files(
        tmp_path,
        {
            "mkdocs.yml": f"site_name: Test\ntheme: mkdocs\nnav: [index.md]\nhooks: ['{hook}']\n",
            "docs/index.md": "# Home\n\n*emphasis*\n",
            "docs/2025/06/09.md": READY + body + "\n",
        },
    )
    config = load_config(str(tmp_path / "mkdocs.yml"))
    build(config)
    day = (tmp_path / "site/2025/06/09/index.html").read_text("utf-8")
    assert body in day  # verbatim: Python-Markdown never saw it
    assert hooks.TOKEN not in day
    home = (tmp_path / "site/index.html").read_text("utf-8")
    assert "<p><em>emphasis</em></p>" in home  # an ordinary page is still Markdown
    for html in (day, home):
        outside_pre = html.replace(body, "")
        assert [line for line in outside_pre.splitlines() if line[:1].isspace()] == []
        assert "\n\n" not in outside_pre
