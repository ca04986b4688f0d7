"""Search in Debian's Chromium: the header box, `/`, the search page, its URL, its filters."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest

from generator.build import build_site
from generator.importer import import_dir
from tests.helpers import api_item, write_files, write_response
from tests.servers import serve

ROOT = Path(__file__).resolve().parent.parent
SUB_PATH = "daily-papers-archive/"  # as on GitHub Pages: https://OWNER.github.io/REPO/
TITLE = "Diffusion Models for Robot Video Generation"
DECOY = (  # every word of TITLE, many times over, in a more upvoted paper
    "Diffusion models for robot video generation are everywhere. We compare diffusion models "
    "for robot video generation, video generation for robots and robot video diffusion."
)
HOSTILE = "Robust <img src=x onerror=window.pwned=1> parsing"
# An organization whose name has what Pagefind's inline "key:value, key:value" form splits on.
# Not `"` or `\`: Pagefind 1.5.2's search matches no filter value holding one (its WebAssembly
# reads the filter JSON without unescaping), although the bundle has them right (test_search).
ORG = "Acme, Inc.: R&D <Lab> & O'Brien"
SPARSE = "Sparse attention kernels: " + "sparse attention kernels, " * 4 + "and more."
PAPERS = {  # list day -> (id, upvotes, title, fields)
    "2024-12-30": [
        ("2412.00001", 12, "Robot Learning with Diffusion Models", {"githubRepo": "x"}),
        ("2412.00002", 7, "Scaling Laws for Video Generation", {}),
        ("2412.00003", 3, "A Survey of Diffusion", {}),
        # Words every paper of its year has, so they weigh little in that year's index ...
        ("2412.00004", 1, "Sparse Attention Kernels", {"summary": "Fast sparse attention."}),
        ("2412.00008", 1, "Attention Sinks", {"summary": SPARSE}),
        ("2412.00009", 1, "Kernel Fusion", {"summary": SPARSE}),
    ],
    "2025-06-10": [
        ("2506.00007", 90, "A Benchmark of Generative World Models", {"summary": DECOY}),
        ("2506.00002", 40, "Video Generation with Diffusion Transformers", {"githubRepo": "x"}),
        ("2506.00001", 25, TITLE, {"githubRepo": "x"}),
        ("2506.00004", 5, "Efficient Diffusion Sampling", {"githubRepo": "x"}),
        (
            "2506.00003",
            2,
            HOSTILE,
            {
                "summary": "A <script>window.pwned=2</script> parser.",
                "organization": {"name": "acme", "fullname": ORG},
            },
        ),
    ],
    "2025-06-11": [
        ("2506.00006", 60, "Diffusion Policy for Robots", {}),
        ("2506.00001", 31, TITLE, {"githubRepo": "x"}),  # listed again, more votes
        ("2506.00005", 8, "Reward Models for Robot Video", {"githubRepo": "x"}),
        # ... and that one paper of the next year has, over and over: rare there, they weigh more.
        ("2506.00008", 1, "Fast Kernels", {"summary": SPARSE}),
    ],
}


def _content(root: Path) -> Path:
    for day, papers in PAPERS.items():
        items = []
        for paper_id, upvotes, title, fields in papers:
            if fields.get("githubRepo"):
                fields = {**fields, "githubRepo": f"https://github.com/example/{paper_id}"}
            items.append(api_item(paper_id, upvotes, title=title, **fields))
        write_response(root / "responses", day, items)
    content = root / "content"
    assert not import_dir(root / "responses", content).failed
    topics = "topics:\n- slug: video\n  name: Video\n  description: Video.\n  match:\n"
    write_files(content, {"topics.yml": topics + "    words: [video]\n"})
    return content


def _build(root: Path) -> Path:
    site = root / "serve" / SUB_PATH
    build_site(_content(root), site, root / "build", ROOT / "mkdocs.yml")
    return root / "serve"


@pytest.fixture(scope="module")
def served(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # `browser` first: without Chromium the tests skip (or fail under CI) before building.
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        yield pool.submit(_build, tmp_path_factory.mktemp("search-site")).result()


@pytest.fixture(scope="module")
def base_url(served: Path) -> Iterator[str]:
    """The site under /daily-papers-archive/, as GitHub Pages serves a project's site."""
    with serve(served) as url:
        yield url + SUB_PATH


@pytest.fixture(scope="module")
def root_url(served: Path) -> Iterator[str]:
    """The same site at a host's root, as `python -m http.server -d site` serves it."""
    with serve(served / SUB_PATH) as url:
        yield url


# search.js announces each search it has put on screen on the search page's form; with every
# year's results in, this tells the tests which search that is (see Tab.wait_for_search).
PROBE = """document.addEventListener("dpa-search-shown", (event) => {
  if (event.detail.final) document.documentElement.dataset.dpaSearch = event.detail.search;
});"""


class Tab:
    """A fresh page (cold cache) that records requests and errors; nothing leaves 127.0.0.1."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(script=PROBE)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)

    def _route(self, route: Any) -> None:
        self.requests.append(route.request.url)
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            route.abort()  # offline

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def titles(self, where: str) -> list[str]:
        return self.page.locator(f"{where} .dpa-hit__title").all_inner_texts()

    def wait_for_request(self, wanted: Callable[[str], bool]) -> None:
        """Until a request (the page's or its worker's) that `wanted` says yes to was made."""
        for _ in range(300):
            if any(wanted(url) for url in self.requests):
                return
            self.page.wait_for_timeout(50)
        raise AssertionError("no such request")

    def wait_for_search(self) -> None:
        """Until the search page has shown the results of what its URL says."""
        self.page.wait_for_function(
            "document.documentElement.dataset.dpaSearch === location.search.slice(1)"
        )


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    opened = Tab(browser)
    yield opened
    opened.context.close()
    assert opened.errors == []
    assert [url for url in opened.requests if not url.startswith("http://127.0.0.1:")] == []


@pytest.mark.parametrize("where", ["base_url", "root_url"])
def test_exact_title_comes_first_and_lands_on_its_section(
    where: str, tab: Tab, request: pytest.FixtureRequest
) -> None:
    base_url = request.getfixturevalue(where)
    page = tab.page
    page.goto(base_url + "2025/06/11/")
    page.click("#dpa-sbox-q")
    page.keyboard.type(TITLE)
    page.wait_for_selector("#dpa-sbox-list .dpa-hit")
    titles = tab.titles("#dpa-sbox-list")
    assert titles[0] == TITLE
    assert "A Benchmark of Generative World Models" in titles  # it matches, but ranks lower
    page.click("#dpa-sbox-list .dpa-hit >> nth=0")
    page.wait_for_url(base_url + "2025/06/10/#2506.00001")  # its first list day
    assert page.evaluate("document.querySelector(':target').id") == "2506.00001"
    assert page.evaluate("document.getElementById('2506.00001').getBoundingClientRect().top") < 900


ALL_TITLES = sorted({title for papers in PAPERS.values() for _, _, title, _ in papers} - {HOSTILE})


def test_every_exact_title_comes_first(base_url: str, tab: Tab) -> None:
    # Across years too: each year's index scores words by that year's papers alone.
    for title in ALL_TITLES:
        tab.page.goto(base_url + "search/?q=" + quote_plus(title))
        tab.wait_for_search()
        assert tab.titles("#dpa-search-results")[0] == title


def test_slash_focuses_the_box_unless_typing(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "2025/06/10/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "dpa-sbox-q"
    assert page.input_value("#dpa-sbox-q") == ""  # the slash focused, it was not typed
    page.keyboard.type("robot/video")  # now typing: a slash is a slash
    assert page.input_value("#dpa-sbox-q") == "robot/video"
    page.goto(base_url + "search/")
    page.click("body")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "dpa-search-q"  # the page's own box


def test_year_filter_narrows_results(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "search/?q=diffusion")
    tab.wait_for_search()
    assert page.inner_text("#dpa-search-status") == "7 papers for “diffusion”"
    page.select_option("select[name=year]", "2024")
    page.wait_for_url("**/search/?q=diffusion&year=2024")
    tab.wait_for_search()
    assert page.inner_text("#dpa-search-status") == "2 papers for “diffusion”"
    assert sorted(tab.titles("#dpa-search-results")) == [
        "A Survey of Diffusion",
        "Robot Learning with Diffusion Models",
    ]
    days = page.locator("#dpa-search-results .dpa-hit__meta").all_inner_texts()
    assert all(" · 2024-12-30 · " in day for day in days)


def test_search_url_reproduces_a_search(base_url: str, tab: Tab) -> None:
    page = tab.page
    query = "search/?q=diffusion&sort=upvotes&year=2025&code=1"
    page.goto(base_url + query)
    tab.wait_for_search()
    expected = [
        "Video Generation with Diffusion Transformers",  # 40 upvotes
        TITLE,  # 31, its newest count
        "Efficient Diffusion Sampling",  # 5
    ]
    assert tab.titles("#dpa-search-results") == expected
    assert page.input_value("#dpa-search-q") == "diffusion"
    assert page.input_value("select[name=sort]") == "upvotes"
    assert page.input_value("select[name=year]") == "2025"
    assert page.is_checked("input[name=code]")
    metas = page.locator("#dpa-search-results .dpa-hit__meta").all_inner_texts()
    assert metas[1] == "Ada Lovelace · 2025-06-10 · 31 upvotes"
    page.reload()
    tab.wait_for_search()
    assert tab.titles("#dpa-search-results") == expected


def test_has_code_asks_for_the_value_the_build_names(base_url: str, tab: Tab) -> None:
    # "Has code" asks for dpa-search.json's has_code, not a value of search.js's own: with
    # another name there, the same search finds nothing.
    page = tab.page
    page.goto(base_url + "search/?q=diffusion&code=1")
    tab.wait_for_search()
    assert page.inner_text("#dpa-search-status") == "4 papers for “diffusion”"
    manifest = json.loads(page.evaluate("fetch('../pagefind/dpa-search.json').then(r => r.text())"))
    assert manifest["has_code"] == "yes"
    renamed = json.dumps({**manifest, "has_code": "has-a-repository"})
    page.route("**/pagefind/dpa-search.json", lambda route: route.fulfill(body=renamed))
    page.reload()
    tab.wait_for_search()
    assert page.inner_text("#dpa-search-status") == "0 papers for “diffusion”"


def test_pagefind_names_come_from_the_build(base_url: str, tab: Tab) -> None:
    # search.js spells none of Pagefind's filter, sort or meta names: handed a dpa-search.json
    # that swaps some, it asks the same bundles for the swapped ones. Had it a name of its own,
    # each search below would find or order or show something else.
    page = tab.page
    page.goto(base_url + "search/")
    manifest = json.loads(page.evaluate("fetch('../pagefind/dpa-search.json').then(r => r.text())"))
    filters, sorts, meta = manifest["filters"], manifest["sorts"], manifest["meta"]
    swapped = {
        **manifest,
        "filters": {**filters, "topic": filters["org"], "org": filters["topic"]},
        "sorts": {**sorts, "newest": sorts["upvotes"]},
        "meta": {**meta, "title": meta["authors"], "authors": meta["title"]},
    }
    page.route("**/pagefind/dpa-search.json", lambda route: route.fulfill(body=json.dumps(swapped)))
    page.goto(base_url + "search/?topic=" + quote_plus(ORG))  # the organization filter
    tab.wait_for_search()
    assert tab.titles("#dpa-search-results") == ["Ada Lovelace"]  # the authors, as the title
    about = page.inner_text("#dpa-search-results .dpa-hit__meta")
    assert about == f"{HOSTILE} · 2025-06-10 · 2 upvotes"
    page.goto(base_url + "search/?year=2025&sort=newest")  # the upvotes sort key
    tab.wait_for_search()
    metas = page.locator("#dpa-search-results .dpa-hit__meta").all_inner_texts()
    assert [int(line.split(" · ")[-1].split()[0]) for line in metas] == [90, 60, 40, 31, 8, 5, 2, 1]


def test_newest_first(base_url: str, tab: Tab) -> None:
    tab.page.goto(base_url + "search/?q=diffusion&sort=newest")
    tab.wait_for_search()
    titles = tab.titles("#dpa-search-results")
    assert titles[0] == "Diffusion Policy for Robots"  # 2025-06-11
    assert sorted(titles[-2:]) == ["A Survey of Diffusion", "Robot Learning with Diffusion Models"]


def test_filters_without_words(base_url: str, tab: Tab) -> None:
    tab.page.goto(base_url + "search/?topic=Video&sort=upvotes")
    tab.wait_for_search()
    assert tab.titles("#dpa-search-results") == [
        "A Benchmark of Generative World Models",  # its abstract says video
        "Video Generation with Diffusion Transformers",
        TITLE,
        "Reward Models for Robot Video",
        "Scaling Laws for Video Generation",
    ]


def test_pagefind_loads_only_when_search_is_used(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "2025/06/10/")
    page.wait_for_load_state("networkidle")
    assert [url for url in tab.requests if "/pagefind/" in url or "search-worker" in url] == []
    page.focus("#dpa-sbox-q")  # the reader is about to search: the newest year's index loads
    # The one pagefind.js and WebAssembly every year shares, and the newest year's index.
    tab.wait_for_request(lambda url: url.endswith(".pf_meta"))
    tab.wait_for_request(lambda url: url.endswith("/pagefind/wasm.en.pagefind"))
    assert any(url.endswith("/pagefind/pagefind.js") for url in tab.requests)
    assert any("/pagefind/2025/" in url for url in tab.requests)
    assert not [url for url in tab.requests if "/pagefind/2024/" in url]


def test_the_newest_year_shows_first_then_every_year(base_url: str, tab: Tab) -> None:
    page = tab.page
    held: list[Any] = []  # the older year's index answers only when the test lets it
    hold = lambda route: held.append(route)  # noqa: E731 (Playwright wants a function)
    page.route("**/pagefind/2024/**", hold)
    page.goto(base_url + "search/?q=diffusion")
    status = "#dpa-search-status"
    page.wait_for_function(f"document.querySelector('{status}').textContent.includes('earlier')")
    assert page.inner_text(status) == "5 papers for “diffusion” in 2025; searching earlier years…"
    days = page.locator("#dpa-search-results .dpa-hit__meta").all_inner_texts()
    assert len(days) == 5 and all(" · 2025-06-1" in day for day in days)
    assert page.evaluate("document.documentElement.dataset.dpaSearch") is None
    page.unroute("**/pagefind/2024/**", hold)
    for route in held:
        route.continue_()
    tab.wait_for_search()
    assert page.inner_text(status) == "7 papers for “diffusion”"
    assert "A Survey of Diffusion" in tab.titles("#dpa-search-results")


def test_most_upvoted_across_years(base_url: str, tab: Tab) -> None:
    tab.page.goto(base_url + "search/?q=diffusion&sort=upvotes")
    tab.wait_for_search()
    metas = tab.page.locator("#dpa-search-results .dpa-hit__meta").all_inner_texts()
    assert [int(meta.split(" · ")[-1].split()[0]) for meta in metas] == [90, 60, 40, 31, 12, 5, 3]
    assert " · 2024-12-30 · 12 upvotes" in metas[4]  # an older year's paper, in its place


@pytest.mark.parametrize("sort", ["newest", "upvotes"])
def test_more_results_page_through_every_year(sort: str, base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + f"search/?sort={sort}")  # no words: every paper, 14 of them
    tab.wait_for_search()
    assert len(tab.titles("#dpa-search-results")) == 10
    page.click("#dpa-search-more")
    page.wait_for_function("document.querySelectorAll('#dpa-search-results li').length === 14")
    assert page.is_hidden("#dpa-search-more")
    metas = page.locator("#dpa-search-results .dpa-hit__meta").all_inner_texts()
    days = [meta.split(" · ")[-2] for meta in metas]
    votes = [int(meta.split(" · ")[-1].split()[0]) for meta in metas]
    key = days if sort == "newest" else votes
    assert key == sorted(key, reverse=True)
    assert len(set(tab.titles("#dpa-search-results"))) == 14


def test_a_year_that_fails_to_load_leaves_the_others(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.route("**/pagefind/2024/**", lambda route: route.abort())
    page.goto(base_url + "search/?q=diffusion")
    tab.wait_for_search()
    said = "5 papers for “diffusion” (2024 could not be searched)"
    assert page.inner_text("#dpa-search-status") == said
    assert len(tab.titles("#dpa-search-results")) == 5
    # The browser may report the refused requests (the page's, not its worker's); nothing else
    # went wrong.
    assert all("2024" in error or "Failed" in error for error in tab.errors)
    tab.errors.clear()


def _choose_first_box_result(tab: Tab, base_url: str, words: str) -> None:
    """On the home page: `/`, type the words, ArrowDown onto the first result."""
    tab.page.goto(base_url)
    tab.page.keyboard.press("/")
    tab.page.keyboard.type(words)
    tab.page.wait_for_selector("#dpa-sbox-list .dpa-hit")
    tab.page.keyboard.press("ArrowDown")


def test_typing_after_choosing_shows_the_new_words_results(base_url: str, tab: Tab) -> None:
    page = tab.page
    _choose_first_box_result(tab, base_url, "reward models")
    page.keyboard.press("Control+A")
    page.keyboard.type("scaling laws")
    page.wait_for_function(
        "document.querySelector('#dpa-sbox-list .dpa-hit__title')?.textContent"
        " === 'Scaling Laws for Video Generation'"
    )
    assert page.get_attribute("#dpa-sbox-q", "aria-activedescendant") is None
    page.keyboard.press("Enter")  # nothing chosen: the search page for the new words
    page.wait_for_url(base_url + "search/?q=scaling+laws")


def test_a_year_loads_only_its_own_index(base_url: str, tab: Tab) -> None:
    tab.page.goto(base_url + "search/?q=diffusion&year=2024")
    tab.wait_for_search()
    assert len(tab.titles("#dpa-search-results")) == 2
    searched = {
        url.split("/pagefind/")[1].split("/")[0] for url in tab.requests if "/pagefind/" in url
    }
    assert searched == {"2024", "dpa-search.json", "pagefind.js", "wasm.en.pagefind"}


def test_nothing_is_downloaded_twice_in_a_session(base_url: str, tab: Tab) -> None:
    # Several searches of every year, the header box and the page: each file once.
    page = tab.page
    page.goto(base_url + "search/?q=diffusion")
    tab.wait_for_search()
    for query in ("video", "scaling laws", "diffusion"):
        page.fill("#dpa-search-q", query)
        page.press("#dpa-search-q", "Enter")
        tab.wait_for_search()
    fetched = [url for url in tab.requests if "/pagefind/" in url]
    assert fetched and len(fetched) == len(set(fetched)), fetched


def test_a_choice_made_while_every_years_results_load_stays(base_url: str, tab: Tab) -> None:
    page = tab.page
    held: list[Any] = []  # the older year's results answer only when the test lets them
    hold = lambda route: held.append(route)  # noqa: E731 (Playwright wants a function)
    page.route("**/pagefind/2024/fragment/**", hold)
    page.goto(base_url)
    page.keyboard.press("/")
    page.keyboard.type("diffusion")  # 5 papers in 2025, 2 in 2024: every year's top 6 has one
    page.wait_for_selector("#dpa-sbox-list .dpa-hit")  # the newest year's
    for _ in range(100):  # until every year's results are loading (a 2024 paper's record)
        if held:
            break
        page.wait_for_timeout(50)
    assert held
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#dpa-sbox-q", "aria-activedescendant") == "dpa-sbox-opt-0"
    page.unroute("**/pagefind/2024/fragment/**", hold)
    for route in held:
        route.continue_()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # what the box does with every year's results, done
    assert page.get_attribute("#dpa-sbox-q", "aria-activedescendant") == "dpa-sbox-opt-0"


def test_keyboard_choice_and_enter(base_url: str, tab: Tab) -> None:
    page = tab.page
    _choose_first_box_result(tab, base_url, "reward models")
    assert page.get_attribute("#dpa-sbox-q", "aria-activedescendant") == "dpa-sbox-opt-0"
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + "2025/06/11/#2506.00005")
    page.keyboard.press("/")
    page.keyboard.type("robot")
    page.wait_for_selector("#dpa-sbox-list .dpa-hit")
    page.keyboard.press("Enter")  # nothing chosen: the search page, with the words in its URL
    page.wait_for_url(base_url + "search/?q=robot")
    tab.wait_for_search()
    assert page.inner_text("#dpa-search-status").endswith("papers for “robot”")


def test_markup_in_papers_stays_text(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "search/?q=" + quote_plus("robust parsing"))
    tab.wait_for_search()
    assert tab.titles("#dpa-search-results") == [HOSTILE]
    excerpt = page.inner_text("#dpa-search-results .dpa-hit__excerpt")
    assert "<script>window.pwned=2</script>" in excerpt
    assert page.locator("#dpa-search-results img, #dpa-search-results script").count() == 0
    assert page.evaluate("window.pwned") is None


def test_an_organization_with_commas_and_quotes_filters(base_url: str, tab: Tab) -> None:
    page = tab.page
    page.goto(base_url + "search/?org=" + quote_plus(ORG))
    tab.wait_for_search()
    assert tab.titles("#dpa-search-results") == [HOSTILE]
    assert page.locator("select[name=org] option").all_inner_texts() == ["Any", ORG]
    assert page.input_value("select[name=org]") == ORG


RUNTIME = ("/pagefind/pagefind.js", "/pagefind/wasm.en.pagefind")


def _loaded_here(page_or_worker: Any) -> list[str]:
    """The files a page or worker fetched, from its own resource timing."""
    names: list[str] = page_or_worker.evaluate(
        "performance.getEntriesByType('resource').map((entry) => entry.name)"
    )
    return names


def test_pagefind_runs_in_a_worker(base_url: str, tab: Tab) -> None:
    # Pagefind's WebAssembly and index parts load and run in search-worker.js, not on the page.
    page = tab.page
    page.goto(base_url + "search/?q=diffusion")
    tab.wait_for_search()
    assert page.inner_text("#dpa-search-status") == "7 papers for “diffusion”"
    workers = [w for w in page.workers if w.url.endswith("/assets/search/search-worker.js")]
    assert len(workers) == 1
    in_worker = _loaded_here(workers[0])
    for name in RUNTIME:
        assert any(url.endswith(name) for url in in_worker)
    assert any("/pagefind/2024/fragment/" in url for url in in_worker)
    on_page = [url for url in _loaded_here(page) if "/pagefind/" in url]
    assert [url for url in on_page if not url.endswith("/dpa-search.json")] == []


def _block_worker_script(tab: Tab) -> None:
    tab.page.route("**/assets/search/search-worker.js", lambda route: route.abort())


def _no_worker(tab: Tab) -> None:
    tab.context.add_init_script(script="delete window.Worker;")


def _no_runtime_in_worker(tab: Tab) -> None:
    # The worker starts, but the first request for pagefind.js (the worker's) fails.
    refused: list[str] = []

    def once(route: Any) -> None:
        if refused:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    tab.page.route("**/pagefind/pagefind.js", once)


@pytest.mark.parametrize("block", [_block_worker_script, _no_worker, _no_runtime_in_worker])
def test_without_the_worker_pagefind_runs_on_the_page(
    block: Callable[[Tab], None], base_url: str, tab: Tab, browser: Any
) -> None:
    with_worker = Tab(browser)  # the same search, in the worker, for comparison
    with_worker.page.goto(base_url + "search/?q=diffusion")
    with_worker.wait_for_search()
    expected = with_worker.titles("#dpa-search-results")
    with_worker.context.close()
    assert len(expected) == 7 and not with_worker.errors
    block(tab)
    page = tab.page
    page.goto(base_url + "search/?q=diffusion")
    tab.wait_for_search()
    assert page.inner_text("#dpa-search-status") == "7 papers for “diffusion”"
    assert tab.titles("#dpa-search-results") == expected
    on_page = _loaded_here(page)
    for name in RUNTIME:
        assert any(url.endswith(name) for url in on_page)
    page.fill("#dpa-search-q", "scaling laws")  # later searches, too, on the page
    page.press("#dpa-search-q", "Enter")
    tab.wait_for_search()
    assert tab.titles("#dpa-search-results") == ["Scaling Laws for Video Generation"]
    # The browser reports the refused request; nothing else went wrong.
    assert all("Failed to load" in error for error in tab.errors), tab.errors
    tab.errors.clear()


_TIMING = """(suffix) => performance.getEntriesByType("resource")
  .filter((e) => e.name.split("?")[0].endsWith(suffix))
  .map((e) => ({name: e.name, start: e.startTime, end: e.responseEnd}))"""


def test_the_metadata_file_downloads_beside_the_entry(
    base_url: str, tab: Tab, served: Path
) -> None:
    # dpa-search.json names each year's metadata file: the worker asks for it before the
    # year's entry has come back, not after, a round trip less on a slow link.
    page = tab.page
    page.goto(base_url + "search/?q=diffusion")
    tab.wait_for_search()
    (worker,) = [w for w in page.workers if w.url.endswith("/search-worker.js")]
    manifest = json.loads((served / SUB_PATH / "pagefind" / "dpa-search.json").read_text("utf-8"))
    for year, name in manifest["metadata"].items():
        (entry,) = worker.evaluate(_TIMING, f"/pagefind/{year}/pagefind-entry.json")
        (meta,) = worker.evaluate(_TIMING, f"/pagefind/{year}/{name}")  # once
        assert meta["start"] <= entry["start"] < meta["end"], year


def test_a_stale_metadata_name_is_not_used(base_url: str, tab: Tab, served: Path) -> None:
    # A dpa-search.json from before a deploy (cached for 10 minutes) may name a metadata file
    # the year no longer has: the year's entry decides, and the search is as ever.
    manifest = json.loads((served / SUB_PATH / "pagefind" / "dpa-search.json").read_text("utf-8"))
    gone = "pagefind.en_0000000000.pf_meta"
    stale = {**manifest, "metadata": dict.fromkeys(manifest["year"], gone)}
    tab.page.route("**/pagefind/dpa-search.json", lambda r: r.fulfill(json=stale))
    tab.page.goto(base_url + "search/?q=diffusion")
    tab.wait_for_search()
    assert tab.page.inner_text("#dpa-search-status") == "7 papers for “diffusion”"
    assert len(tab.titles("#dpa-search-results")) == 7
    asked = [url for url in tab.requests if url.endswith(".pf_meta")]
    assert sum("en_0000000000" in url for url in asked) == len(manifest["year"])  # 404s
    assert {url.rsplit("/", 1)[1] for url in asked} >= set(manifest["metadata"].values())
    # The browser reports the refused requests; nothing else went wrong.
    assert all("404" in error or "Failed to load" in error for error in tab.errors), tab.errors
    tab.errors.clear()
