"""generator/urls.py: the one home of site paths; nothing else in the product spells them."""

from __future__ import annotations

import ast
import posixpath
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import urls

ROOT = Path(__file__).resolve().parent.parent

# What a site path looks like when spelled out: a date path format, a folder of the URL
# scheme, a feed or data file name, a page of the site. Text that only mentions one in a
# docstring or comment is prose, not a path, and is not looked at; nor is a URL of another site.
ELSEWHERE = re.compile(r"^https?://")
SPELLED = re.compile(
    r"%Y/%m|(^|/)(weeks|topics|digest|weekly|data|pagefind)/"
    r"|feed\.xml|atom\.xml|feed\.json|feeds\.opml|dpa-search\.json"
    r"|^/?(search|archive|coverage|contributing|about|feeds)/$"
)


def _python_strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a module, f-string parts included, but not its docstrings."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _template_lines(path: Path) -> list[tuple[int, str]]:
    """A template's or script's lines without its comments (Jinja, HTML, JavaScript)."""
    text = path.read_text("utf-8")
    for comment in (r"(?s)\{#.*?#\}", r"(?s)<!--.*?-->", r"(?s)/\*.*?\*/", r"(?m)^[ \t]*//[^\n]*"):
        text = re.sub(comment, lambda m: "\n" * m[0].count("\n"), text)
    return list(enumerate(text.splitlines(), 1))


def _spelled(path: Path) -> list[str]:
    lines = _python_strings(path) if path.suffix == ".py" else _template_lines(path)
    if path.suffix == ".py":
        return [
            f"{path.relative_to(ROOT)}:{n}: {text!r}"
            for n, text in lines
            if SPELLED.search(text) and not ELSEWHERE.match(text)
        ]
    return [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}"
        for n, line in lines
        if any(
            SPELLED.search(quoted) and not ELSEWHERE.match(quoted)
            for quoted in re.findall(r"[\"'`]([^\"'`\s]*)[\"'`]", line)
        )
    ]


def test_no_site_path_is_spelled_outside_urls_py() -> None:
    files = [
        *(ROOT / "generator").rglob("*.py"),
        *(ROOT / "generator/templates").glob("*.j2"),
        *(ROOT / "overrides").rglob("*.html"),
        *(ROOT / "overrides").rglob("*.js"),
    ]
    files = [path for path in files if path != ROOT / "generator/urls.py"]
    assert len(files) > 30
    found = [line for path in sorted(files) for line in _spelled(path)]
    assert not found, "site paths spelled outside generator/urls.py:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "text",
    ['f"weeks/{key}/"', '"topics/" + slug', 'f"{day:%Y/%m/%d}/"', '"feed.xml"', '"search/"'],
)
def test_the_check_finds_a_spelled_path(tmp_path: Path, text: str) -> None:
    module = ROOT / "generator" / "_spelled_probe.py"  # _spelled names paths relative to ROOT
    try:
        module.write_text(f"key = slug = day = None\nPATH = {text}\n", encoding="utf-8")
        assert _spelled(module), text
    finally:
        module.unlink()


def test_paths_of_each_kind() -> None:
    day = date(2026, 5, 29)
    assert urls.day(day) == "2026/05/29/"
    assert urls.month(day) == "2026/05/"
    assert urls.year(day) == "2026/"
    assert urls.week(day) == "weeks/2026-W22/"
    assert urls.week(date(2027, 1, 1)) == "weeks/2026-W53/"  # ISO year, not the calendar's
    assert urls.topic("agents") == "topics/agents/"
    assert urls.topic("agents", date(2026, 4, 1)) == "topics/agents/2026-04/"
    assert urls.topic_feed("json", "agents") == "topics/agents/feed.json"
    assert urls.feed("atom", urls.DIGEST_FEEDS) == "digest/atom.xml"
    assert urls.day_data(day) == "data/2026/05/29.json"
    assert urls.permalink(day, "2605.29801") == "2026/05/29/#2605.29801"
    early = date(1, 1, 1)  # strftime does not pad the year: every path of it says "1/" alike
    assert urls.permalink(early, "hep-th/9901001") == urls.day(early) + "#hep-th/9901001"


def test_docs_paths_are_where_mkdocs_makes_the_urls() -> None:
    assert urls.docs_path(urls.HOME) == "index.md"
    assert urls.docs_path(urls.day(date(2026, 5, 29))) == "2026/05/29.md"
    assert urls.docs_path(urls.month(date(2026, 5, 1)), folder=True) == "2026/05/index.md"
    assert urls.docs_path(urls.ABOUT) == "about.md"
    # MkDocs' own rule (use_directory_urls): x.md -> x/, x/index.md -> x/.
    for url in (urls.SEARCH, urls.week(date(2026, 5, 29)), urls.topic("a", date(2026, 1, 1))):
        assert urls.docs_path(url).removesuffix(".md") + "/" == url


def test_theme_paths_are_the_feeds_and_search() -> None:
    extra = urls.theme_extra()
    assert extra["feed_rss"] == urls.feed("rss")
    assert extra["digest_atom"] == "digest/atom.xml"
    assert extra["search"] == urls.SEARCH


_SEGMENT = st.sampled_from(["2026", "05", "29", "weeks", "topics", "a-b", "x.json", "feed.xml"])


@settings(max_examples=2000, deadline=None)
@given(
    page=st.lists(_SEGMENT, max_size=4),
    target=st.lists(_SEGMENT, max_size=5),
    folder=st.booleans(),
    fragment=st.sampled_from(["", "#2605.00001"]),
)
def test_relative_links_are_what_relpath_gives(
    page: list[str], target: list[str], folder: bool, fragment: str
) -> None:
    """urls.relative equals posixpath.relpath for directory page URLs, and is faster."""
    page_url = "".join(f"{part}/" for part in page)
    path = "/".join(target) + ("/" if folder and target else "")
    expected = posixpath.relpath("/" + path, "/" + page_url) if path else ""
    if expected == ".":
        expected = "./"
    elif path.endswith("/"):
        expected += "/"
    assert urls.relative(page_url, path + fragment) == expected + fragment
