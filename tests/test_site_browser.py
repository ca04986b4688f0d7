"""The built site in Debian's Chromium: navigation, permalinks, math, offline, 375 px, axe."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.build import build_site
from tests.helpers import fixture_content
from tests.servers import serve

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "build" / "test-artifacts"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser-site")
    args = (fixture_content(root), root / "site", root / "build", ROOT / "mkdocs.yml")
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(build_site, *args).result()
    with serve(root / "site") as url:
        yield url


def serious_violations(page: Any, options: dict[str, Any] | None = None) -> list[str]:
    """What axe finds serious or critical on the page, a line per place (three per rule)."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, options=options).response["violations"]
    return [
        f"{item['id']} ({item['impact']}): {item['help']} at {node['target']}"
        for item in violations
        if item["impact"] in ("serious", "critical")
        for node in item["nodes"][:3]
    ]


class Visit:
    """A page with every request and console error recorded; nothing leaves the machine."""

    def __init__(self, browser: Any, width: int = 1280) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.external: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("http://127.0.0.1:"):
            route.continue_()
            return
        self.external.append(url)
        route.abort()  # offline, and the site asks no other host for anything

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def check(self) -> None:
        assert self.external == [], f"requests left 127.0.0.1: {self.external}"
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    visits: list[Visit] = []

    def make(width: int = 1280) -> Visit:
        visits.append(Visit(browser, width))
        return visits[-1]

    yield make
    for v in visits:
        v.page.close()


def test_home_to_day_to_next_day(base_url: str, visit: Any) -> None:
    v = visit()
    v.page.goto(base_url)
    v.page.get_by_role("link", name="Tuesday, 10 June 2025").click()
    assert v.page.url == base_url + "2025/06/10/"
    assert v.page.locator("section.dpa-paper").first.get_attribute("id") == "2506.00001"
    v.page.locator('.dpa-head a[rel="next"]').click()
    assert v.page.url == base_url + "2025/06/12/"  # the 11th listed nothing
    assert v.page.locator("h1").inner_text() == "Papers of Thursday, 12 June 2025"
    v.check()


def test_permalink_scrolls_to_its_paper(base_url: str, visit: Any) -> None:
    v = visit()
    v.page.set_viewport_size({"width": 1280, "height": 500})
    v.page.goto(base_url + "2025/06/09/#2506.00002")
    v.page.wait_for_timeout(200)
    top = v.page.evaluate("document.getElementById('2506.00002').getBoundingClientRect().top")
    assert v.page.evaluate("window.scrollY") > 0
    # In view below the sticky header (the page may be too short to bring it to the very top).
    header = v.page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
    assert header - 5 <= top < 500 - 100, (header, top)
    v.check()


def test_suggest_a_correction_opens_the_prefilled_editor(base_url: str, visit: Any) -> None:
    v = visit()
    v.page.goto(base_url + "2025/06/09/")
    v.page.locator("#\\32 506\\.00001").get_by_role("link", name="Suggest a correction").click()
    assert v.page.url == base_url + "contributing/?paper=2506.00001"
    button = v.page.get_by_role("link", name="Open its correction file in GitHub's editor")
    button.wait_for(state="visible", timeout=5000)
    editor = urlsplit(button.get_attribute("href") or "")
    assert editor.netloc == "github.com"
    assert editor.path == "/example/daily-papers-archive/new/main/content/corrections"
    query = parse_qs(editor.query)
    assert query["filename"] == ["2506.00001.yaml"]
    assert 'id: "2506.00001"\nreason: ""\nset:' in query["value"][0]
    v.page.goto(base_url + "contributing/?paper=%3Cscript%3E")  # not an arXiv id: no button
    assert not button.is_visible()
    v.check()


def test_math_renders_as_mathml(base_url: str, visit: Any) -> None:
    v = visit()
    v.page.goto(base_url + "2025/06/09/")
    formula = v.page.locator("#\\32 506\\.00002 math").first
    box = formula.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 5
    assert v.page.evaluate("document.querySelector('math').constructor.name") == "MathMLElement"
    assert v.page.evaluate("typeof window.MathJax === 'undefined' && !window.katex")
    v.check()


def test_hostile_text_stays_text(base_url: str, visit: Any) -> None:
    v = visit()
    alerts: list[str] = []
    v.page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    v.page.goto(base_url + "2025/06/09/")
    heading = v.page.locator("#\\32 506\\.00002 h2").inner_text()
    assert "<script>alert('x')</script> {{ 7*7 }}" in heading
    assert alerts == []
    v.check()


def test_coins_read_in_the_browser_as_written(base_url: str, visit: Any, tmp_path: Path) -> None:
    # Zotero's connector reads span.title in the page: the bare & must come back as written.
    from generator.archive import load_archive
    from generator.citations import coins

    archive = load_archive(fixture_content(tmp_path))
    v = visit()
    v.page.goto(base_url + "2025/06/09/")
    read = v.page.evaluate(
        "[...document.querySelectorAll('.Z3988')].map((s) => [s.closest('section').id, s.title])"
    )
    assert [kev for _, kev in read] == [coins(archive.papers[paper_id]) for paper_id, _ in read]
    assert len(read) == 2 and "%3Cscript%3E" in read[1][1]  # the hostile title
    v.check()


def test_usable_at_375_px(base_url: str, visit: Any) -> None:
    v = visit(width=375)
    v.page.goto(base_url + "2025/06/10/")
    width = v.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways: {width}px"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=ARTIFACTS / "day-375px.png", full_page=True)
    assert (ARTIFACTS / "day-375px.png").stat().st_size > 10_000
    v.check()


def test_dark_mode_toggle(base_url: str, visit: Any) -> None:
    v = visit()
    v.page.goto(base_url + "2025/06/10/")
    before = v.page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    v.page.locator("label[for^='__palette']:visible").first.click()
    after = v.page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert {before, after} == {"default", "slate"}
    v.check()


@pytest.mark.parametrize(
    "path", ["", "2025/06/09/", "2025/06/", "topics/agents/", "coverage/", "feeds/"]
)
def test_no_serious_accessibility_violations(base_url: str, visit: Any, path: str) -> None:
    v = visit()
    v.page.goto(base_url + path)
    assert serious_violations(v.page) == []
