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
# scheme, a feed, data or page file name. Text that only mentions one in a docstring or
# comment is prose, not a path, and is not looked at; nor is a URL of another site.
SPELLED = re.compile(
    r"%Y/%m|(^|/)(weeks|topics|digest|weekly|data|pagefind)/"
    r"|feed\.xml|atom\.xml|feed\.json|feeds\.opml|dpa-search\.json"
    r"|^/?(search|archive|coverage|contributing|about|feeds)/$"
    r"|(^|/)(index|archive|coverage|contributing|about|feeds|search)\.md$"
)
ELSEWHERE = re.compile(r"^https?://")
# Where a path starts and ends in a template, a script or YAML: quotes, brackets, spaces.
_BOUNDS = re.compile(r"[\s\"'`()\[\]<>=,|]+")


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


def _text_words(path: Path) -> list[tuple[int, str]]:
    """A template's, script's or YAML file's words, without comments and Jinja expressions."""
    text = path.read_text("utf-8")
    comments = [r"(?s)\{#.*?#\}", r"(?s)<!--.*?-->", r"(?s)/\*.*?\*/", r"(?m)(^|\s)//[^\n]*"]
    if path.suffix in (".yml", ".yaml"):
        comments = [r"(?m)(^|\s)#[^\n]*"]
    for comment in comments:
        text = re.sub(comment, lambda m: "\n" * m[0].count("\n"), text)
    # What Jinja puts in a path is not spelled there: "{{ base }}topics/{{ slug }}/feed.xml"
    # still shows its "feed.xml" once the expressions are gone.
    text = re.sub(r"(?s)\{\{.*?\}\}|\{%.*?%\}", lambda m: "X" + "\n" * m[0].count("\n"), text)
    return [
        (n, word) for n, line in enumerate(text.splitlines(), 1) for word in _BOUNDS.split(line)
    ]


def _spelled(path: Path, root: Path = ROOT) -> list[str]:
    words = _python_strings(path) if path.suffix == ".py" else _text_words(path)
    return [
        f"{path.relative_to(root)}:{n}: {word!r}"
        for n, word in words
        if SPELLED.search(word) and not ELSEWHERE.match(word)
    ]


def test_no_site_path_is_spelled_outside_urls_py() -> None:
    files = [
        *(ROOT / "generator").rglob("*.py"),
        *(ROOT / "generator/templates").glob("*.j2"),
        *(ROOT / "overrides").rglob("*.html"),
        *(ROOT / "overrides").rglob("*.js"),
        *(ROOT / "bench").glob("*.py"),
        ROOT / "mkdocs.yml",
    ]
    files = [path for path in files if path != ROOT / "generator/urls.py"]
    assert len(files) > 30
    found = [line for path in sorted(files) for line in _spelled(path)]
    assert not found, "site paths spelled outside generator/urls.py:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "text",
    ['f"weeks/{key}/"', '"topics/" + slug', 'f"{day:%Y/%m/%d}/"', '"feed.xml"', '"search/"'],
)
def test_the_check_finds_a_path_spelled_in_python(tmp_path: Path, text: str) -> None:
    module = tmp_path / "spelled.py"
    module.write_text(f"key = slug = day = None\nPATH = {text}\n", encoding="utf-8")
    assert _spelled(module, tmp_path), text


@pytest.mark.parametrize(
    ("name", "text"),
    [
        # overrides/main.html before urls.py: the path between two Jinja expressions
        (
            "main.html",
            '<link href="{{ config.site_url }}topics/{{ meta.feeds | urlencode }}/feed.xml">',
        ),
        ("about.md.j2", "With [feeds](feeds.md) and search."),
        ("search.js", "fetch(new URL(`pagefind/${year}/pagefind.js`, root));"),
        ("mkdocs.yml", "nav:\n  - Topics: topics/index.md\n"),
    ],
)
def test_the_check_finds_a_path_spelled_in_a_template(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert _spelled(tmp_path / name, tmp_path), text
    comments = (
        "# feeds.md\nkey: value  # atom.xml\n"
        if name.endswith(".yml")
        else "{# feeds.md #} <!-- feed.xml -->\n/* x/ */ // pagefind/\nx = 1; // atom.xml\n"
    )
    (tmp_path / name).write_text(comments, "utf-8")
    assert not _spelled(tmp_path / name, tmp_path)  # comments are prose


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
