"""The built site: pages, links, inert content, determinism, golden files, the whole corpus."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lxml.html
import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import urls
from generator.build import build_site
from generator.config import SiteConfig, load_config
from generator.content import day_paths, load_day
from generator.models import Day, Paper
from generator.pages import iter_pages
from tests.helpers import GOLDEN, HOSTILE_TITLE, fixture_content, golden_files, write_files

ROOT = Path(__file__).resolve().parent.parent
CONFIG = SiteConfig(
    "Daily Papers Archive", "https://example.org/archive/", "https://github.com/owner/repo", "main"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    content = fixture_content(root)
    build_site(content, root / "site", root / "build", ROOT / "mkdocs.yml")
    return root / "site"


def _html(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def _scripts(tree: lxml.html.HtmlElement) -> set[tuple[str, str]]:
    # Relative paths ("../../..") removed, so the same theme script matches at any depth.
    def strip(text: str) -> str:
        return re.sub(r"(\.\.?/)*\.\.?(?=[/\"])/?", "", text)

    return {(strip(s.get("src", "")), strip(s.text or "")) for s in tree.iter("script")}


def _assert_inert(tree: lxml.html.HtmlElement, where: str, allowed: set | None = None) -> None:
    """Nothing from content became a live element, attribute or link."""
    unexpected = _scripts(tree) - (allowed or set())
    assert not unexpected, f"{where}: scripts not in the theme: {unexpected}"
    articles = tree.xpath("//article") or [tree]  # what the generator wrote, not the theme
    for element in (e for article in articles for e in article.iter()):
        if not isinstance(element.tag, str):
            continue
        # No img either: pages load nothing from third parties (thumbnails are in the data).
        assert element.tag not in ("iframe", "object", "embed", "form", "base", "meta", "img"), (
            f"{where}: {lxml.html.tostring(element)!r}"
        )
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on") or (element.tag, name) == (
                "input",
                "onfocus",
            ), f"{where}: event handler {name} on <{element.tag}>"
            if name in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith(("javascript:", "data:")), (
                    f"{where}: {name}={value!r}"
                )


def test_every_page_is_inert(site: Path) -> None:
    # 404 and the search page carry nothing from content (the search form is the site's own).
    static = {site / "404.html", site / "search/index.html"}
    pages = sorted(p for p in site.rglob("*.html") if p not in static)
    assert len(pages) > 10
    theme = _scripts(_html(site / "about/index.html"))  # a page with nothing from content
    theme.add(("assets/correct.js", ""))  # the contributing page's own
    for page in pages:
        _assert_inert(_html(page), str(page.relative_to(site)), theme)


def test_hostile_title_shows_literally(site: Path) -> None:
    tree = _html(site / "2025/06/09/index.html")
    section = tree.get_element_by_id("2506.00002")
    assert section.find("h2").text_content() == HOSTILE_TITLE
    abstract = section.find_class("dpa-abstract")[0]
    assert "<img src=x onerror=alert(1)>" in abstract.text_content()
    assert "a_b*c*" in abstract.text_content() and "costs $5 and $10." in abstract.text_content()
    links = [a.get("href") for a in section.iter("a")]
    assert not any("javascript" in h or h.startswith("data:") for h in links)
    # Both formulas render as MathML; the damaged "$textbf{x}$" is repaired.
    maths = section.findall(".//math")
    assert [m.get("alttext") for m in maths] == ["O(n^2)", "textbf{x}"]


def test_day_page_structure(site: Path) -> None:
    tree = _html(site / "2025/06/09/index.html")
    ids = [s.get("id") for s in tree.find_class("dpa-paper")]
    assert ids == ["2506.00001", "2506.00002"]  # Hugging Face order; hidden spam absent
    first = tree.get_element_by_id("2506.00001")
    hrefs = {a.text_content(): a.get("href") for a in first.iter("a")}
    assert hrefs["arXiv"] == "https://arxiv.org/abs/2506.00001"
    assert hrefs["PDF"] == "https://arxiv.org/pdf/2506.00001"
    assert hrefs["GitHub ★ 12"] == "https://github.com/a/b"
    assert first.find("h2/a").get("href") == "#2506.00001"  # the title links to its place
    assert hrefs["Suggest a correction"] == "../../../contributing/?paper=2506.00001"
    fix = _html(site / "contributing/index.html").get_element_by_id("dpa-fix")
    assert fix.get("data-editor").startswith(
        "https://github.com/example/daily-papers-archive/new/main/content/corrections?"
    )
    assert "filename=PAPER_ID.yaml" in fix.get("data-editor")
    nav = {a.get("rel"): a.get("href") for a in tree.find_class("dpa-nav")[0].iter("a")}
    assert nav["next"] == "../10/"
    assert "Spam paper" not in (site / "2025/06/09/index.html").read_text("utf-8")
    page = tree.get_element_by_id("2506.00004") if False else None
    assert page is None


def test_long_author_lists_are_cut(site: Path) -> None:
    section = _html(site / "2025/06/10/index.html").get_element_by_id("2506.00004")
    authors = section.find_class("dpa-authors")[0]
    assert authors.find(".//summary").text_content() == "+22 more"


def test_corrected_and_hidden(site: Path) -> None:
    text = (site / "2025/06/12/index.html").read_text("utf-8")
    assert "Right title" in text and "Wrong title" not in text
    for page in site.rglob("*.html"):
        assert "Spam paper" not in page.read_text("utf-8"), page
    data = (site / "data/2025/06/09.json").read_text("utf-8")
    assert "2506.00003" not in data and "2506.00001" in data


def test_month_calendar_and_coverage(site: Path) -> None:
    month = _html(site / "2025/06/index.html")
    cells = {
        c.find_class("dpa-date")[0].text_content(): c.get("class")
        for c in month.iter("td")
        if c.find_class("dpa-date")
    }
    assert cells["9"] in ("dpa-listed", "dpa-growing") and cells["11"] == "dpa-empty"
    coverage = _html(site / "coverage/index.html")
    rows = {r[0].text_content(): r[1].text_content() for r in coverage.iter("tr") if len(r) == 4}
    assert rows["2025-06-11"] == "empty list"


def test_topics_and_weeks(site: Path) -> None:
    agents = (site / "topics/agents/index.html").read_text("utf-8")
    assert "Agents that plan" in agents and "Robot hands" not in agents
    assert "&lt;b&gt;that act&lt;/b&gt;" in agents  # a topic description is text too
    assert "Robot hands" in (site / "topics/robotics/index.html").read_text("utf-8")
    week = (site / "weeks/2025-W24/index.html").read_text("utf-8")
    assert week.index("Agents that plan") < week.index("Robot hands")  # by upvotes


def test_open_graph_and_feeds_in_head(site: Path) -> None:
    head = _html(site / "2025/06/09/index.html").find("head")
    og = {m.get("property"): m.get("content") for m in head.iter("meta") if m.get("property")}
    assert og["og:title"] == "Papers of 9 June 2025"
    assert og["og:image"].endswith("/papers/2506.00001.png")
    alternates = [link.get("href") for link in head.iter("link") if link.get("rel") == "alternate"]
    assert "https://example.github.io/daily-papers-archive/feed.xml" in alternates
    topic_head = _html(site / "topics/agents/index.html").find("head")
    assert any(
        link.get("href", "").endswith("topics/agents/atom.xml") for link in topic_head.iter("link")
    )


def test_no_third_party_assets(site: Path) -> None:
    for page in site.rglob("*.html"):
        tree = _html(page)
        for element in tree.iter("link", "script", "img", "iframe", "source"):
            url = element.get("href") or element.get("src") or ""
            if element.get("rel") in ("alternate", "canonical"):
                continue
            assert not url.startswith(("http://", "https://", "//")), f"{page}: {url}"


def test_same_content_same_site(site: Path, tmp_path: Path) -> None:
    content = fixture_content(tmp_path)
    build_site(content, tmp_path / "site", tmp_path / "build", ROOT / "mkdocs.yml")
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {
        p.relative_to(tmp_path / "site"): p.read_bytes()
        for p in (tmp_path / "site").rglob("*")
        if p.is_file()
    }
    assert sorted(first) == sorted(second)
    assert [k for k in first if first[k] != second[k]] == []


def test_ready_html_hook_changes_nothing_but_whitespace(site: Path, tmp_path: Path) -> None:
    """Skipping Python-Markdown for ready-HTML pages gives what Markdown would have given."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as load_mkdocs_config

    docs = site.parent / "build" / "docs"
    assert "ready_html: true" in (docs / "2025/06/09.md").read_text("utf-8")
    cfg = load_mkdocs_config(
        str(ROOT / "mkdocs.yml"),
        docs_dir=str(docs),
        site_dir=str(tmp_path / "plain"),
        hooks=[],
        **urls.mkdocs_nav(),  # as generator.build.run_mkdocs does
    )
    cfg["extra"]["dpa_urls"] = urls.theme_extra()  # as generator.build.run_mkdocs does
    build(cfg)
    pages = sorted(path.relative_to(site) for path in site.rglob("*.html"))
    assert len(pages) > 15
    for page in pages:
        plain = (tmp_path / "plain" / page).read_text("utf-8")
        ours = (site / page).read_text("utf-8")
        assert len(ours) < len(plain) or page.name == "404.html", page  # a template, no page
        assert re.sub(r"\n\s+", "\n", plain) == re.sub(r"\n\s+", "\n", ours), page


def test_theme_parts_made_once_are_the_same_bytes(site: Path, tmp_path: Path) -> None:
    """The tabs, sidebars, footer and config shared by alike pages are what each would get."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as load_mkdocs_config

    # A hook after ours that keys no page: every page renders every part for itself. It
    # notes the keys ours gave, to show that pages did share parts in the site fixture's build.
    (tmp_path / "each_page.py").write_text(
        "KEYS = []\n"
        "def on_page_context(context, page, config, nav):\n"
        "    KEYS.append(context['dpa_same_key'])\n"
        "    context['dpa_same_key'] = None\n"
        "    return context\n"
    )
    hooks = [str(ROOT / "generator/mkdocs_hooks.py"), str(tmp_path / "each_page.py")]
    docs = site.parent / "build" / "docs"
    cfg = load_mkdocs_config(
        str(ROOT / "mkdocs.yml"),
        docs_dir=str(docs),
        site_dir=str(tmp_path / "each"),
        hooks=hooks,
        **urls.mkdocs_nav(),
    )
    cfg["extra"]["sample_data"] = False
    cfg["extra"]["dpa_urls"] = urls.theme_extra()
    build(cfg)
    each_page = next(hook for hook in cfg.plugins.values() if hasattr(hook, "KEYS"))
    keys = [key for key in each_page.KEYS if key is not None]
    assert len(keys) >= 5 and len(set(keys)) < len(keys)  # pages shared their parts
    pages = sorted(path.relative_to(site) for path in site.rglob("*.html"))
    for page in pages:
        assert (tmp_path / "each" / page).read_bytes() == (site / page).read_bytes(), page


def test_golden_files(tmp_path: Path) -> None:
    """Regenerate with `make golden` after an intended change, and read the diff."""
    made = golden_files(tmp_path)
    kept = {
        str(p.relative_to(GOLDEN)): p
        for p in GOLDEN.rglob("*")
        if p.is_file() and not p.name.startswith("trends-")  # test_trends_site.py's
    }
    assert sorted(kept) == sorted(made), "golden files missing or stale: run make golden"
    for name, data in made.items():
        assert kept[name].read_bytes() == data, f"{name} differs: run make golden"


NASTY = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "{{ 7*7 }}",
        "{% if %}",
        "javascript:alert(1)",
        "data:text/html,x",
        "[a](javascript:x)",
        "*em* _u_ **b**",
        "$x",
        "$a_1$",
        "\\",
        "`code`",
        "<!--",
        "]]>",
        "&amp;",
        "&#x3C;",
        "\"'",
        "<math><mi>x</mi>",
        "$\\href{javascript:alert(1)}{x}$",
        "$\\text{<b>x</b>}$",
        "# heading",
        "---",
        "\n\n",
    ]
)
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=20)), min_size=1, max_size=6).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, abstract=TEXT, author=TEXT, keyword=TEXT, summary=TEXT)
def test_hostile_content_stays_inert(
    title: str, abstract: str, author: str, keyword: str, summary: str
) -> None:
    from datetime import date

    from generator.archive import Archive
    from generator.models import clean_text

    paper = {
        "id": "2506.00009",
        "title": clean_text(title) or "t",
        "upvotes": 1,
        "authors": [clean_text(author) or "a"],
        "abstract": clean_text(abstract) or "x",
        "ai_keywords": [clean_text(keyword) or "k"],
        "ai_summary": clean_text(summary) or "s",
    }
    archive = Archive(days=[Day(date=date(2025, 6, 9), papers=(Paper.from_checked(paper),))])
    page = dict(iter_pages(archive, CONFIG))["2025/06/09.md"]
    body = page.split("\n---\n", 1)[1]
    html = markdown.markdown(body, extensions=["admonition", "attr_list", "toc"])
    tree = lxml.html.fromstring(f"<div>{html}</div>")
    _assert_inert(tree, "generated day page")
    section = tree.get_element_by_id("2506.00009")
    assert section.find("h2").text_content() == paper["title"]


def test_whole_corpus_build(imported: Path, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(imported, content)
    shutil.copy(ROOT / "content/topics.yml", content / "topics.yml")
    days = [day for day in map(load_day, day_paths(content)) if day.papers]
    hidden, corrected = days[10].papers[0]["id"], days[20].papers[1]["id"]
    write_files(
        content,
        {
            f"corrections/{hidden}.yaml": f'id: "{hidden}"\nreason: "test"\nhide: true\n',
            f"corrections/{corrected}.yaml": (
                f'id: "{corrected}"\nreason: "test"\nset:\n  title: Fixed\n'
            ),
        },
    )
    site = tmp_path / "site"
    build_site(content, site, tmp_path / "build", ROOT / "mkdocs.yml")
    for index, day in enumerate(days):
        page = site / f"{day.date:%Y/%m/%d}/index.html"
        text = page.read_text("utf-8")
        ids = re.findall(r'<section class="dpa-paper" id="([^"]+)"', text)
        assert ids == [p["id"] for p in day.papers if p["id"] != hidden], day.date
        if index:
            assert f'href="{_rel(day.date, days[index - 1].date)}" rel="prev"' in text
        if index + 1 < len(days):
            assert f'href="{_rel(day.date, days[index + 1].date)}" rel="next"' in text
    assert f'id="{corrected}"' in (site / f"{days[20].date:%Y/%m/%d}/index.html").read_text()
    assert ">Fixed</a></h2>" in (site / f"{days[20].date:%Y/%m/%d}/index.html").read_text()
    assert (site / "data/archive.json.gz").stat().st_size > 1_000_000
    assert load_config(ROOT / "mkdocs.yml").site_url in (site / "sitemap.xml").read_text()


def _rel(page: object, target: object) -> str:
    return urls.relative(urls.day(page), urls.day(target))  # type: ignore[arg-type]


def test_every_link_of_the_digest_e_mails_is_a_page_of_the_built_site(
    site: Path, tmp_path: Path
) -> None:
    import email
    import email.policy

    from generator.digest import load_inputs, make_digest_for, published

    archive, config, settings = load_inputs(fixture_content(tmp_path), ROOT / "mkdocs.yml")
    keys = [item.key for weekly in (False, True) for item in published(archive, config, weekly)]
    assert len(keys) == 3  # the fixture's three list days with papers; no week is over
    for key in keys:
        message = email.message_from_bytes(
            make_digest_for(archive, config, settings, key).data, policy=email.policy.default
        )
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        hrefs = lxml.html.document_fromstring(html).xpath("//a/@href")
        assert set(re.findall(r"https?://\S+", text)) <= set(hrefs)
        for href in hrefs:
            assert href.startswith(config.site_url), (key, href)
            path, _, anchor = href.removeprefix(config.site_url).partition("#")
            page = site / path / "index.html"
            assert page.is_file(), (key, href)
            if anchor:
                assert f'id="{anchor}"' in page.read_text("utf-8"), (key, href)
