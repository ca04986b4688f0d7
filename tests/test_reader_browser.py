"""Reader tools in Debian's Chromium: Save, the saved papers page and its exports, Cite, watch
and mute, new since the last visit, keys; without JavaScript, with storage refused or corrupt."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy

from generator.build import build_site
from generator.citations import bibtex
from generator.models import Paper
from tests.helpers import HOSTILE_TITLE, fixture_content
from tests.servers import serve
from tests.test_reader_matching import matching_cases

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "overrides" / "assets"
SUB_PATH = "archive/"  # served below a path, as GitHub Pages serves a project's site
KEY = "/" + SUB_PATH + "dpa-"  # reader.js keeps its data under the site's path
SIZE_BUDGET = 15 * 1024  # reader.js and reader.css, each gzipped (level 6, as served), together


@pytest.fixture(scope="module")
def built(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # `browser` first: without Chromium the tests skip (or fail under CI) before building.
    root = tmp_path_factory.mktemp("reader-site")
    args = (fixture_content(root), root / "serve" / SUB_PATH, root / "build", ROOT / "mkdocs.yml")
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(build_site, *args).result()
    return root / "serve" / SUB_PATH


@pytest.fixture(scope="module")
def base_url(built: Path) -> Iterator[str]:
    with serve(built.parent) as url:
        yield url + SUB_PATH


class Tab:
    """A fresh context (empty storage) recording errors and requests; nothing leaves 127.0.0.1."""

    def __init__(self, browser: Any, **options: Any) -> None:
        init = options.pop("init", None)
        self.context = browser.new_context(
            **{"viewport": {"width": 1280, "height": 900}, "accept_downloads": True, **options}
        )
        if init:
            self.context.add_init_script(script=init)
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"{error}\n{error.stack}"))

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def get(self, name: str) -> Any:
        text = self.page.evaluate("(key) => localStorage.getItem(key)", KEY + name)
        return None if text is None else json.loads(text)

    def put(self, name: str, value: Any) -> None:
        text = value if isinstance(value, str) else json.dumps(value)
        self.page.evaluate("([key, text]) => localStorage.setItem(key, text)", [KEY + name, text])

    def paper(self, paper_id: str) -> Any:
        return self.page.locator(f'[id="{paper_id}"]')


@pytest.fixture
def tabs(browser: Any) -> Iterator[Any]:
    opened: list[Tab] = []

    def make(**options: Any) -> Tab:
        opened.append(Tab(browser, **options))
        return opened[-1]

    yield make
    for tab in opened:
        tab.context.close()
        assert tab.errors == [], f"console errors: {tab.errors}"
        assert tab.external == [], f"requests left 127.0.0.1: {tab.external}"


@pytest.fixture
def tab(tabs: Any) -> Tab:
    made: Tab = tabs()
    return made


def set_rules(tab: Tab, base_url: str, watch: list[str], mute: list[str]) -> None:
    """Write the watch and mute lists through the panel, as a reader does."""
    page = tab.page
    page.get_by_role("button", name="Saved papers, watch and mute").click()
    page.get_by_label("Watch", exact=True).fill("\n".join(watch))
    page.get_by_label("Mute", exact=True).fill("\n".join(mute))
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()


# ---- Saved papers


def test_save_keeps_the_full_record_and_the_saved_page_lists_it(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "2025/06/09/")
    save = tab.paper("2506.00001").get_by_role("button", name="Save Agents that plan")
    assert save.get_attribute("aria-pressed") == "false"
    save.click()
    assert save.get_attribute("aria-pressed") == "true"
    page.wait_for_function(f"!localStorage.getItem('{KEY}saved').includes('incomplete')")
    (record,) = tab.get("saved")["papers"]
    assert record.pop("saved") > 0
    assert record == {
        "id": "2506.00001",
        "title": "Agents that plan",
        "authors": ["Ada Lovelace"],
        "day": "2025-06-09",
        "link": "2025/06/09/#2506.00001",
        "published": "2025-06-09",
        "github": "https://github.com/a/b",
    }
    assert tab.get("saved")["v"] == 1
    # The home page lists the paper twice (week and month): both buttons say it is saved.
    page.goto(base_url)
    pressed = page.locator('li:has(a[href$="#2506.00001"]) .dpa-save')
    assert pressed.count() >= 2
    assert set(pressed.evaluate_all("bs => bs.map(b => b.ariaPressed)")) == {"true"}
    page.goto(base_url + "saved/")
    item = page.locator("#dpa-saved li")
    assert item.count() == 1
    link = item.get_by_role("link", name="Agents that plan")
    assert link.evaluate("a => a.href") == base_url + "2025/06/09/#2506.00001"
    day = item.get_by_role("link", name="2025-06-09")
    assert day.evaluate("a => a.href") == base_url + "2025/06/09/"
    arxiv = item.get_by_role("link", name="arXiv 2506.00001")
    assert arxiv.get_attribute("href") == "https://arxiv.org/abs/2506.00001"
    item.get_by_role("button", name="Remove Agents that plan").click()
    assert page.locator("#dpa-saved li").count() == 0
    assert "None yet" in page.inner_text("#dpa-saved")
    assert tab.get("saved")["papers"] == []


def test_save_without_the_day_data_keeps_what_the_page_shows(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.route("**/data/**", lambda route: route.fulfill(status=503, body="down"))
    page.goto(base_url + "2025/06/10/")
    tab.paper("2506.00004").locator(".dpa-save").click()
    page.wait_for_timeout(300)
    (record,) = tab.get("saved")["papers"]
    assert record["incomplete"] is True
    assert record["title"] == "Robot hands"
    assert record["authors"] == [f"Author {i}" for i in range(30)]  # all, the hidden ones too
    assert "published" not in record
    tab.errors.clear()  # the refused requests, as the browser reports them
    page.unroute("**/data/**")
    page.goto(base_url + "saved/")  # online again: the saved page completes the record
    page.wait_for_function(f"!localStorage.getItem('{KEY}saved').includes('incomplete')")
    assert tab.get("saved")["papers"][0]["published"] == "2025-06-09"


def test_the_saved_page_lists_from_the_stored_records_alone(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "2025/06/09/")
    tab.paper("2506.00001").locator(".dpa-save").click()
    page.wait_for_function(f"!localStorage.getItem('{KEY}saved').includes('incomplete')")
    asked: list[str] = []
    page.route("**/data/**", lambda route: (asked.append(route.request.url), route.abort()))
    page.goto(base_url + "saved/")
    assert page.locator("#dpa-saved li").count() == 1
    assert "Ada Lovelace" in page.inner_text("#dpa-saved li")
    assert asked == []  # a complete record needs no data file


# ---- Exports and imports


def _download(page: Any, name: str) -> str:
    with page.expect_download() as download:
        page.get_by_role("button", name=name, exact=True).click()
    return Path(download.value.path()).read_text("utf-8")


def test_exports_parse_and_the_json_imports_back(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "2025/06/09/")
    complete = f"!localStorage.getItem('{KEY}saved').includes('incomplete')"
    for paper_id in ("2506.00001", "2506.00002"):
        tab.paper(paper_id).locator(".dpa-save").click()
    # Each page completes its own saves from the day's data; leaving first would abort that fetch.
    page.wait_for_function(complete)
    page.goto(base_url + "2025/06/10/")
    tab.paper("2506.00004").locator(".dpa-save").click()
    page.wait_for_function(complete)
    page.goto(base_url + "saved/")
    titles = page.locator("#dpa-saved li > a:first-child").all_inner_texts()
    assert titles == ["Robot hands", HOSTILE_TITLE, "Agents that plan"]  # newest saved first

    library = bibtexparser.parse_string(_download(page, "BibTeX"))
    assert library.failed_blocks == []
    entries = {entry["eprint"]: entry for entry in library.entries}
    assert set(entries) == {"2506.00001", "2506.00002", "2506.00004"}
    assert entries["2506.00004"].entry_type == "misc"
    assert entries["2506.00004"]["archivePrefix"] == "arXiv"
    assert entries["2506.00004"]["url"] == "https://arxiv.org/abs/2506.00004"
    assert entries["2506.00004"]["author"].startswith("Author 0 and Author 1 and ")
    assert entries["2506.00004"]["year"] == "2025"
    assert len({entry.key for entry in library.entries}) == 3  # "lovelace2025..." kept apart

    references = rispy.loads(_download(page, "RIS"))
    assert [r["title"] for r in references] == titles
    assert references[2]["authors"] == ["Ada Lovelace"]
    assert references[2]["year"] == "2025"
    assert "https://arxiv.org/abs/2506.00001" in references[2]["urls"]
    assert "https://github.com/a/b" in references[2]["urls"]

    exported = json.loads(_download(page, "JSON"))
    assert exported["format"] == "dpa-saved" and len(exported["papers"]) == 3
    tab.put("saved", {"v": 1, "papers": []})
    page.reload()
    broken = [*exported["papers"], {"id": "javascript:alert(1)", "title": "x"}]
    broken.append({**exported["papers"][0], "link": "//evil.example/#x", "id": "2506.09999"})
    upload = json.dumps({**exported, "papers": broken}).encode()
    page.set_input_files(
        "#dpa-saved-file",
        files=[{"name": "s.json", "mimeType": "application/json", "buffer": upload}],
    )
    page.wait_for_function("document.querySelectorAll('#dpa-saved li').length === 3")
    assert "2 entries were not valid and left out" in page.inner_text(".dpa-toast")
    assert page.locator("#dpa-saved li > a:first-child").all_inner_texts() == titles
    assert tab.get("saved")["papers"] == exported["papers"]
    # Importing again merges: nothing doubles.
    page.set_input_files(
        "#dpa-saved-file",
        files=[{"name": "s.json", "mimeType": "application/json", "buffer": upload}],
    )
    page.wait_for_function(
        "document.querySelector('.dpa-toast').textContent.includes('Imported 0')"
    )
    assert len(tab.get("saved")["papers"]) == 3


def test_rules_export_and_import_as_a_file(base_url: str, tabs: Any) -> None:
    first = tabs()
    first.page.goto(base_url)
    set_rules(first, base_url, ["plan", "author:Ada Lovelace"], ["survey"])
    first.page.get_by_role("button", name="Saved papers, watch and mute").click()
    text = _download(first.page, "Export")
    assert json.loads(text) == {
        "format": "dpa-rules",
        "v": 1,
        "watch": ["plan", "author:Ada Lovelace"],
        "mute": ["survey"],
    }
    second = tabs()  # another browser
    second.page.goto(base_url)
    second.page.get_by_role("button", name="Saved papers, watch and mute").click()
    with second.page.expect_file_chooser() as chooser:
        second.page.get_by_role("button", name="Import").click()
    with second.page.expect_navigation():
        chooser.value.set_files(
            files=[{"name": "r.json", "mimeType": "application/json", "buffer": text.encode()}]
        )
    assert second.get("rules")["watch"] == ["plan", "author:Ada Lovelace"]
    assert second.page.locator(".dpa-watched").count() > 0


def test_rules_travel_as_a_link_and_apply_only_when_accepted(base_url: str, tabs: Any) -> None:
    first = tabs(permissions=["clipboard-read", "clipboard-write"])
    first.page.goto(base_url)
    set_rules(first, base_url, ["robot hands"], ["spam"])
    first.page.get_by_role("button", name="Saved papers, watch and mute").click()
    first.page.get_by_role("button", name="Copy link").click()
    first.page.wait_for_function("document.querySelector('.dpa-toast').textContent")
    link = first.page.evaluate("navigator.clipboard.readText()")
    assert link.startswith(base_url + "#watch=")
    second = tabs()
    second.page.goto(link)
    dialog = second.page.get_by_role("dialog", name="Use these watch and mute lists?")
    assert "robot hands" in dialog.inner_text() and "spam" in dialog.inner_text()
    assert second.get("rules") is None  # nothing applied before the reader says so
    assert second.page.evaluate("location.hash") == ""
    dialog.get_by_role("button", name="Close").click()
    assert second.get("rules") is None
    second.page.goto(link)
    with second.page.expect_navigation():
        second.page.get_by_role("button", name="Add to mine").click()
    assert second.get("rules")["watch"] == ["robot hands"]
    assert second.get("rules")["mute"] == ["spam"]


# ---- Cite


def _bib_entry(built: Path, day: str, paper_id: str) -> str:
    text = (built / "data" / f"{day}.bib").read_text("utf-8")
    (entry,) = [e for e in text.split("\n@") if "eprint={" + paper_id + "}" in e]
    return ("@" + entry.lstrip("@")).strip() + "\n"


def test_cite_copies_the_days_bibtex_entry(base_url: str, built: Path, tabs: Any) -> None:
    tab = tabs(permissions=["clipboard-read", "clipboard-write"])
    tab.page.goto(base_url + "2025/06/09/")
    tab.paper("2506.00002").get_by_role("button", name="Cite").click()
    tab.page.wait_for_function("document.querySelector('.dpa-toast').textContent")
    copied = tab.page.evaluate("navigator.clipboard.readText()")
    assert copied == _bib_entry(built, "2025/06/09", "2506.00002")
    assert bibtexparser.parse_string(copied).entries[0]["eprint"] == "2506.00002"


def test_cite_without_clipboard_shows_the_entry_selected(
    base_url: str, built: Path, tabs: Any
) -> None:
    refuse = "navigator.clipboard.writeText = () => Promise.reject(new Error('refused'));"
    tab = tabs(init=refuse)
    tab.page.goto(base_url + "2025/06/10/")
    tab.paper("2506.00004").get_by_role("button", name="Cite").click()
    dialog = tab.page.get_by_role("dialog", name="Cite this paper")
    area = dialog.get_by_role("textbox", name="BibTeX entry")
    assert area.input_value() == _bib_entry(built, "2025/06/10", "2506.00004")
    selected = tab.page.evaluate(
        "(a => a.value.slice(a.selectionStart, a.selectionEnd))(document.activeElement)"
    )
    assert selected == area.input_value()
    tab.page.keyboard.press("Escape")
    # Removed on its close event, which comes after the key: under load, a moment later.
    tab.page.locator("dialog").wait_for(state="detached", timeout=5000)
    assert tab.page.locator("dialog").count() == 0


def test_cite_without_the_bib_file_builds_the_same_entry(
    base_url: str, built: Path, tabs: Any
) -> None:
    tab = tabs(permissions=["clipboard-read", "clipboard-write"])
    tab.page.route("**/*.bib", lambda route: route.fulfill(status=404, body=""))
    tab.page.goto(base_url + "2025/06/09/")
    tab.paper("2506.00002").get_by_role("button", name="Cite").click()
    tab.page.wait_for_function("document.querySelector('.dpa-toast').textContent")
    copied = tab.page.evaluate("navigator.clipboard.readText()")
    day = json.loads((built / "data/2025/06/09.json").read_text("utf-8"))
    paper = next(p for p in day["papers"] if p["id"] == "2506.00002")
    assert copied == bibtex(Paper.from_checked(paper))
    tab.errors.clear()  # the 404, as the browser reports it


TRICKY = [  # titles and authors that exercise every rule of generator/citations.py
    {
        "title": "Scaling $O(n^2)$ attention with $\\mathbf{x}_i$ and 100% of $5",
        "authors": ["Ada Lovelace"],
    },
    {
        "title": "\\input{/etc/passwd} $\\input{x}$ and $\\def\\a{b}$ {unbalanced",
        "authors": ["A and B"],
    },
    {"title": "Müller's _under_ #hash ~tilde ^caret & more }{", "authors": ["Müller, Jörg", "and"]},
    {"title": "The Of A Für", "authors": ["  ", "Zoë  Ångström"], "published": "1999-12-31"},
    {
        "title": "$a$$b$ costs $10 and $x^{2}$",
        "authors": [],
        "arxiv": {"categories": ["cs.LG", "cs.AI"]},
    },
    {"title": "$50%$ and $x#y$ and $a&b$ are text, $x^^5cinput^^7bx^^7d$ too", "authors": ["C"]},
    {
        "title": "Ünïcödé\u2003spaces\u00a0here",
        "authors": ["Ñame"],
        "arxiv": {"primary_category": "math.CO"},
    },
]


def test_reader_bibtex_is_citations_bibtex(base_url: str, built: Path, tab: Tab) -> None:
    tab.page.goto(base_url + "2025/06/09/")
    papers = [
        p
        for day in ("09", "10", "12")
        for p in json.loads((built / f"data/2025/06/{day}.json").read_text("utf-8"))["papers"]
    ]
    papers += [{"id": f"2506.{9000 + n}", "upvotes": 1, **p} for n, p in enumerate(TRICKY)]
    papers.append({"id": "hep-th/9901001", "title": "Old", "authors": ["X Y"], "upvotes": 0})
    for paper in papers:
        mine = tab.page.evaluate(
            "([paper]) => window.dpaReader.bibtex({papers: [paper]}, paper.id)", [paper]
        )
        assert mine == bibtex(Paper.from_checked(paper)), paper


# ---- Watch and mute


def test_reader_matcher_follows_every_matching_case(base_url: str, tab: Tab) -> None:
    tab.page.goto(base_url)
    cases = matching_cases()
    found = tab.page.evaluate(
        "cases => cases.map(c => window.dpaReader.matches(c.text, c.phrase))", cases
    )
    wrong = [case for case, got in zip(cases, found, strict=True) if got is not case["expected"]]
    assert wrong == []


def test_watch_and_mute_across_a_reload_and_pages(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "2025/06/09/")
    set_rules(tab, base_url, ["plan", "org:nobody"], ["robot"])
    for _ in range(2):  # as applied, then after a reload
        watched = tab.paper("2506.00001")
        assert "dpa-watched" in (watched.get_attribute("class") or "")
        assert watched.locator("mark").all_inner_texts() == ["plan", "plan"]  # title, AI summary
        assert watched.locator("h2").inner_text().startswith("Agents that plan")
        assert "dpa-watched" not in (tab.paper("2506.00002").get_attribute("class") or "")
        page.reload()
    page.goto(base_url + "2025/06/10/")
    muted = tab.paper("2506.00004")
    assert "dpa-muted" in (muted.get_attribute("class") or "")
    assert not muted.locator(".dpa-abstract").is_visible()
    box = muted.bounding_box()
    assert box and box["height"] < 60  # one line
    toggle = muted.get_by_role("button", name="Muted · show Robot hands")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert muted.locator(".dpa-abstract").is_visible()
    hide = muted.get_by_role("button", name="Muted · hide Robot hands")
    assert hide.get_attribute("aria-expanded") == "true"
    page.goto(base_url + "weeks/2025-W24/")  # a list page
    assert page.locator('li.dpa-watched > a[href$="#2506.00001"]').count() == 1
    folded = page.locator('li.dpa-muted:has(> a[href$="#2506.00004"])')
    assert not folded.locator(".dpa-by").is_visible()
    folded.get_by_role("button", name="Muted · show Robot hands").click()
    assert folded.locator(".dpa-by").is_visible()
    assert page.locator("li.dpa-watched mark").first.inner_text() == "plan"


def test_a_topic_term_holds_on_every_page_that_lists_the_paper(base_url: str, tab: Tab) -> None:
    tab.page.goto(base_url + "topics/agents/")
    set_rules(tab, base_url, ["topic:agents"], ["topic:robotics"])
    items = tab.page.locator("ol.dpa-list > li")
    assert items.count() > 0
    assert tab.page.locator("ol.dpa-list > li.dpa-watched").count() == items.count()
    tab.page.goto(base_url + "topics/robotics/")
    assert tab.page.locator("ol.dpa-list > li.dpa-muted").count() > 0
    # Each paper carries its topics (data-topics), so day and week pages know them too.
    tab.page.goto(base_url + "2025/06/10/")
    assert tab.page.locator("section.dpa-watched[id='2506.00001']").count() == 1
    assert tab.page.locator("section.dpa-muted[id='2506.00004']").count() == 1
    tab.page.goto(base_url + "weeks/2025-W24/")
    assert tab.page.locator("ol.dpa-list > li.dpa-muted").count() > 0


def test_a_day_page_says_how_many_papers_match_with_links(base_url: str, tab: Tab) -> None:
    tab.page.goto(base_url + "2025/06/09/")
    set_rules(tab, base_url, ["author:Lovelace", "chain of thought"], [])
    line = tab.page.locator(".dpa-watchsum")
    assert line.inner_text().startswith("2 of 2 papers match your watch list: Agents that plan · ")
    hrefs = line.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["#2506.00001", "#2506.00002"]
    tab.put("rules", {"v": 1, "watch": ["chain of thought"], "mute": []})
    tab.page.goto(base_url + "2025/06/12/")
    assert tab.page.inner_text(".dpa-watchsum") == "0 of 1 paper matches your watch list."
    tab.put("rules", {"v": 1, "watch": [], "mute": ["right"]})
    tab.page.reload()
    assert tab.page.inner_text(".dpa-watchsum") == "1 of 1 paper muted."
    tab.put("rules", {"v": 1, "watch": ["right title"], "mute": []})
    tab.page.reload()
    assert (
        tab.page.inner_text(".dpa-watchsum") == "1 of 1 paper matches your watch list: Right title"
    )


def test_lists_wait_unseen_until_the_rules_are_applied(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "2025/06/09/")
    tab.put("rules", {"v": 1, "watch": ["plan"], "mute": []})
    # The script held back: the content waits unseen, then shows itself within two seconds.
    page.route("**/reader.js", lambda route: route.abort())
    page.goto(base_url + "2025/06/09/", wait_until="commit")
    page.wait_for_selector("section.dpa-paper", state="attached")
    content = "getComputedStyle(document.querySelector('.md-content')).visibility"
    assert page.evaluate(content) == "hidden"
    page.wait_for_function(f"{content} === 'visible'", timeout=3000)
    tab.errors.clear()  # the refused script
    page.unroute("**/reader.js")
    page.goto(base_url + "2025/06/09/")  # with it: applied, then shown
    assert page.locator(".dpa-watched").count() == 1
    assert page.evaluate(content) == "visible"
    # Without lists, nothing waits.
    page.unroute("**/reader.js")
    tab.put("rules", {"v": 1, "watch": [], "mute": []})
    page.goto(base_url + "2025/06/09/", wait_until="commit")
    page.wait_for_selector("section.dpa-paper", state="attached")
    assert page.evaluate("document.documentElement.classList.contains('dpa-wait')") is False


# ---- New since the last visit


def test_new_papers_and_days_since_the_last_visit(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url)  # the first visit: nothing is new
    assert page.locator(".dpa-new").count() == 0
    assert page.locator(".dpa-since").count() == 0
    seen = tab.get("seen")
    assert seen["day"] == "2025-06-12"
    assert set(seen["ids"].split()) == {"2506.00001", "2506.00002", "2506.00004", "2506.00005"}
    # The last visit, as it would have been two days ago: only the 9th's papers were out.
    day = 24 * 3600 * 1000
    back = {
        "v": 1,
        "ids": "2506.00001 2506.00002",
        "fresh": "",
        "day": "2025-06-09",
        "since": "",
        "at": time.time() * 1000 - 2 * day,
    }
    tab.put("seen", back)
    page.reload()
    line = page.locator(".dpa-since")
    assert line.inner_text() == (
        "2 list days since your last visit: Thursday, 12 June 2025 · Tuesday, 10 June 2025"
    )
    hrefs = line.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["2025/06/12/", "2025/06/10/"]
    new = page.locator("li:has(.dpa-new) > a:first-child").all_inner_texts()
    assert set(new) == {"Right title", "Robot hands"}
    page.reload()  # the same visit: still new
    assert page.locator(".dpa-since").count() == 1
    assert page.locator(".dpa-new").count() == len(new)
    page.goto(base_url + "2025/06/10/")
    assert tab.paper("2506.00004").locator(".dpa-new").count() == 1
    assert tab.paper("2506.00001").locator(".dpa-new").count() == 0
    later = {**tab.get("seen"), "at": time.time() * 1000 - day}  # the next visit
    tab.put("seen", later)
    page.goto(base_url)
    assert page.locator(".dpa-new").count() == 0
    assert page.locator(".dpa-since").count() == 0


def test_seen_ids_stay_bounded(base_url: str, tab: Tab) -> None:
    tab.page.goto(base_url)
    many = " ".join(f"2401.{n:05d}" for n in range(7000))
    tab.put("seen", {"v": 1, "ids": many, "fresh": "", "day": "2025-06-12", "since": "", "at": 1})
    tab.page.reload()
    ids = tab.get("seen")["ids"].split()
    assert len(ids) == 6000 and "2506.00005" in ids


# ---- Keys


def test_keys_move_save_cite_and_open(base_url: str, tabs: Any) -> None:
    tab = tabs(
        permissions=["clipboard-read", "clipboard-write"], viewport={"width": 1280, "height": 500}
    )
    page = tab.page
    page.goto(base_url + "2025/06/09/")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "2506.00001"
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "2506.00002"
    top = page.evaluate("document.activeElement.getBoundingClientRect().top")
    header = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
    assert page.evaluate("scrollY") > 0
    assert header <= top < 300, (header, top)  # scrolled into view, below the header
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == "2506.00001"
    page.keyboard.press("b")
    page.wait_for_function(f"(localStorage.getItem('{KEY}saved') || '').includes('2506.00001')")
    assert tab.paper("2506.00001").locator(".dpa-save").get_attribute("aria-pressed") == "true"
    page.keyboard.press("c")
    page.wait_for_function("document.querySelector('.dpa-toast').textContent")
    assert "eprint={2506.00001}" in page.evaluate("navigator.clipboard.readText()")
    with tab.context.expect_page() as popup:
        page.keyboard.press("o")
    popup.value.wait_for_load_state("commit")
    popup.value.close()  # before it asks arXiv for anything more
    assert tab.external[0] == "https://arxiv.org/abs/2506.00001"
    assert all(url.startswith("https://arxiv.org/") for url in tab.external)
    tab.external.clear()
    tab.errors.clear()  # the refused arXiv page (offline)
    page.keyboard.press("?")
    keys = page.get_by_role("dialog", name="Keys")
    shown = keys.locator("kbd").all_inner_texts()
    assert shown == ["j", "k", "[", "]", "b", "o", "c", "w", "?", "/"]
    page.keyboard.press("j")  # no key acts behind a dialog
    assert keys.is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("]")
    page.wait_for_url(base_url + "2025/06/10/")
    page.keyboard.press("[")
    page.wait_for_url(base_url + "2025/06/09/")


def test_no_key_acts_while_typing_or_with_a_modifier(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "2025/06/09/")
    page.keyboard.press("/")  # search.js's key: the search box
    page.keyboard.type("jkbco?[]w")
    assert page.input_value("#dpa-sbox-q") == "jkbco?[]w"
    page.keyboard.press("Escape")
    page.locator("h1").click()
    page.keyboard.press("Control+j")
    page.keyboard.press("Alt+b")
    assert page.evaluate("document.activeElement.tagName") == "BODY"
    assert page.locator("dialog").count() == 0
    assert tab.get("saved") is None
    page.keyboard.press("w")
    page.get_by_label("Watch", exact=True).type("jk[]?b")  # the panel's own fields
    assert page.get_by_label("Watch", exact=True).input_value() == "jk[]?b"


# ---- Without JavaScript, with storage refused, full or corrupt


def _article_text(page: Any) -> str:
    return page.evaluate(
        "(() => { const a = document.querySelector('article').cloneNode(true);"
        " a.querySelectorAll('.dpa-tools, .dpa-notices').forEach(x => x.remove());"
        " return a.textContent; })()"
    )


def test_without_javascript_every_page_is_complete(base_url: str, built: Path, tabs: Any) -> None:
    on = tabs()
    on.page.goto(base_url)
    set_rules(on, base_url, ["plan"], ["robot"])
    state = on.context.storage_state()
    off = tabs(java_script_enabled=False, storage_state=state)  # even with lists kept
    for path in ("", "2025/06/09/", "2025/06/10/", "weeks/2025-W24/", "topics/agents/"):
        off.page.goto(base_url + path)
        made = ".dpa-btn, .dpa-open, .dpa-tools:not(:empty), .dpa-badge, .dpa-watchsum, .dpa-since"
        made += ", dialog"
        assert off.page.locator(made).count() == 0
        # A list's empty slot for the buttons takes no room without scripts.
        slots = off.page.locator(".dpa-tools")
        assert all(slots.nth(n).bounding_box()["width"] == 0 for n in range(slots.count()))
        papers = off.page.locator("section.dpa-paper, ol.dpa-list > li")
        assert papers.count() > 0
        assert all(papers.nth(n).is_visible() for n in range(papers.count()))
        html = (built / path / "index.html").read_text("utf-8")
        assert off.page.content().count("dpa-paper") == html.count("dpa-paper")
    off.page.goto(base_url + "saved/")
    assert "needs JavaScript" in off.page.inner_text("#dpa-saved")


SHIFTS = """window.dpaShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    for (const source of entry.sources) {
      const parent = source.node && source.node.parentElement;
      if (parent && parent.closest(".md-content"))
        dpaShifts.push((parent.className || parent.nodeName) + " "
          + (source.node.textContent || "").slice(0, 40));
    }
}).observe({ type: "layout-shift", buffered: true });"""


@pytest.mark.parametrize("width", [375, 1280])
def test_lists_stay_put_while_the_buttons_arrive(base_url: str, tabs: Any, width: int) -> None:
    """Save and Cite fill a slot of their own size: no list line wraps anew (was CLS 0.04)."""
    tab = tabs(init=SHIFTS, viewport={"width": width, "height": 900})
    for path in ("", "2025/06/", "weeks/2025-W24/", "topics/agents/", "2025/06/09/"):
        tab.page.goto(base_url + path)
        tab.page.wait_for_selector(".dpa-btn")
        tab.page.wait_for_timeout(300)
        assert tab.page.evaluate("dpaShifts") == [], path
        slots = tab.page.locator("li > .dpa-tools")
        # The slot holds the buttons whole: they are not wider than the room kept for them.
        widths = tab.page.evaluate(
            "[...document.querySelectorAll('li > .dpa-tools')].map(t => "
            "[t.getBoundingClientRect().width, [...t.children].reduce((w, c) => "
            "w + c.getBoundingClientRect().width, 0)])"
        )
        assert slots.count() == len(widths)
        assert all(inner <= outer for outer, inner in widths), (path, widths)


REFUSE = """(() => {
  const fail = () => { throw new DOMException("The operation is insecure.", "SecurityError"); };
  Object.defineProperty(window, "localStorage", { get: fail, configurable: true });
})();"""


def _material_errors(browser: Any, base_url: str, path: str) -> list[str]:
    """What Material itself throws on the page when storage is refused: reader.js blocked."""
    tab = Tab(browser, init=REFUSE)
    tab.page.route("**/reader.js", lambda route: route.abort())
    tab.page.goto(base_url + path)
    tab.page.wait_for_timeout(200)
    tab.context.close()
    return [
        error for error in tab.errors if "reader.js" not in error and "Failed to load" not in error
    ]


def test_storage_refused_on_every_call(base_url: str, browser: Any, tabs: Any) -> None:
    for path in ("", "2025/06/09/", "saved/"):
        material = _material_errors(browser, base_url, path)
        tab = tabs(init=REFUSE)
        tab.page.goto(base_url + path)
        tab.page.wait_for_timeout(200)
        assert not [e for e in tab.errors if "reader.js" in e], tab.errors
        assert sorted(tab.errors) == sorted(material)  # reader.js adds no error of its own
        tab.errors.clear()
        assert tab.page.locator(".dpa-save, .dpa-open").count() == 0  # nothing it cannot keep
        if path == "2025/06/09/":
            assert tab.page.locator("section.dpa-paper").count() == 2
            assert (
                tab.page.locator(".dpa-tools").first.get_by_role("button", name="Cite").count() == 1
            )
        if path == "saved/":
            assert "storage is off" in tab.page.inner_text("#dpa-saved")
        tab.page.keyboard.press("j")
        tab.page.keyboard.press("b")
        assert tab.errors == []


def test_storage_full(base_url: str, tabs: Any) -> None:
    full = """(() => {
      const set = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (key.endsWith("saved")) throw new DOMException("full", "QuotaExceededError");
        return set.call(this, key, value);
      };
    })();"""
    tab = tabs(init=full)
    tab.page.goto(base_url + "2025/06/09/")
    save = tab.paper("2506.00001").locator(".dpa-save")
    save.click()
    assert save.get_attribute("aria-pressed") == "false"
    notice = tab.page.locator(".dpa-notice")
    assert notice.inner_text() == (
        "Your browser would not keep this change: its storage for this site is full or off."
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("rules", "not json {"),
        ("rules", '{"v": 1, "watch": "plan", "mute": []}'),
        ("saved", '{"v": 1, "papers": [{"id": "2506.00001"}]}'),
        ("saved", "[1, 2, 3]"),
        ("seen", '{"ids": "2506.00001"}'),
    ],
)
def test_a_corrupt_store_is_set_aside_with_a_notice(
    base_url: str, tab: Tab, name: str, text: str
) -> None:
    page = tab.page
    page.goto(base_url + "2025/06/09/")
    tab.put(name, text)
    page.reload()
    notice = page.locator(".dpa-notice")
    assert notice.count() == 1
    said = notice.inner_text()
    assert (
        said.startswith("Your saved settings (")
        and "could not be read; a copy was kept as “" in said
    )
    backup = said.split("“")[1].rstrip("”.")
    assert backup.startswith(KEY + name + ".unreadable-")
    assert page.evaluate("(key) => localStorage.getItem(key)", backup) == text  # kept, as it was
    assert page.evaluate("(key) => localStorage.getItem(key)", KEY + name) != text
    assert page.locator("section.dpa-paper").count() == 2
    page.reload()
    assert page.locator(".dpa-notice").count() == 0  # set aside once: the store works again


def test_a_store_from_a_newer_version_is_left_alone(base_url: str, tab: Tab) -> None:
    tab.page.goto(base_url + "2025/06/09/")
    newer = '{"v": 2, "papers": "a shape this version does not know"}'
    tab.put("saved", newer)
    tab.page.reload()
    tab.paper("2506.00001").locator(".dpa-save").click()
    assert tab.page.evaluate("(key) => localStorage.getItem(key)", KEY + "saved") == newer
    assert tab.page.locator(".dpa-notice").count() == 0


# ---- Accessibility, size


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations_on_the_controls(
    base_url: str, tabs: Any, scheme: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    tab = tabs(color_scheme=scheme)
    page = tab.page
    page.goto(base_url + "2025/06/09/")
    set_rules(tab, base_url, ["plan"], ["bound"])
    tab.paper("2506.00001").locator(".dpa-save").click()
    page.goto(base_url)  # a new visit: papers marked new
    tab.put(
        "seen",
        {"v": 1, "ids": "2506.00001", "fresh": "", "day": "2025-06-09", "since": "", "at": 1},
    )
    problems = []
    for path, open_panel in (
        ("2025/06/09/", False),
        ("", False),
        ("saved/", False),
        ("2025/06/10/", True),
    ):
        page.goto(base_url + path)
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.dataset.mdColorScheme") == expected
        if open_panel:
            page.keyboard.press("w")
        violations = Axe().run(page).response["violations"]
        problems += [
            f"{path}: {item['id']} ({item['impact']}): {item['help']} at {node['target']}"
            for item in violations
            if item["impact"] in ("serious", "critical")
            for node in item["nodes"][:3]
        ]
    assert problems == []


def test_every_control_is_reached_by_keyboard_and_named(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "2025/06/09/")
    set_rules(tab, base_url, ["plan"], ["bound", "lovelace"])
    controls = page.locator("button.dpa-btn, button.dpa-open")
    count = controls.count()
    assert count >= 4
    names = controls.evaluate_all(
        "bs => bs.map(b => (b.getAttribute('aria-label') || b.textContent).trim())"
    )
    assert all(names), names
    page.locator("body").click(position={"x": 1, "y": 1})
    for _ in range(120):  # Tab through the page, marking each control reached
        page.keyboard.press("Tab")
        page.evaluate(
            "document.activeElement.matches('button.dpa-btn, button.dpa-open')"
            " && (document.activeElement.dataset.reached = 1)"
        )
    missed = page.locator("button.dpa-btn:not([data-reached]), button.dpa-open:not([data-reached])")
    # Controls of a folded (muted) paper are hidden until it is shown: none of those.
    assert missed.evaluate_all("bs => bs.filter(b => b.checkVisibility()).length") == 0
    # And the panel: every field and button by Tab, then Escape closes it.
    page.keyboard.press("w")
    dialog = page.get_by_role("dialog", name="Watch and mute")
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(
            page.evaluate("document.activeElement.id || document.activeElement.textContent")
        )
    for wanted in ("dpa-watch", "dpa-mute", "Apply", "Export", "Import", "Copy link", "Close"):
        assert wanted in seen, seen
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_reader_files_fit_the_size_budget() -> None:
    sizes = {
        name: len(gzip.compress((ASSETS / name).read_bytes(), compresslevel=6))
        for name in ("reader.js", "reader.css")
    }
    assert sum(sizes.values()) <= SIZE_BUDGET, sizes


def test_search_results_are_marked_and_folded_as_they_come(base_url: str, tab: Tab) -> None:
    tab.page.goto(base_url + "search/")
    set_rules(tab, base_url, ["plan"], ["robot"])
    tab.page.goto(base_url + "search/?q=agents")
    watched = tab.page.locator("#dpa-search-results li.dpa-watched")
    watched.first.wait_for()
    assert watched.first.locator("mark.dpa-mk").first.inner_text().lower() == "plan"
    tab.page.goto(base_url + "search/?q=robot")
    muted = tab.page.locator("#dpa-search-results li.dpa-muted")
    muted.first.wait_for()
    assert not muted.first.locator(".dpa-hit__excerpt").is_visible()  # folded to its title
    muted.first.get_by_role("button", name="Muted · show Robot hands").click()
    assert muted.first.locator(".dpa-hit__excerpt").is_visible()
    assert not tab.errors
