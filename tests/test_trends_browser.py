"""The charts in Debian's Chromium: offline, at 375 and 1280 px, light and dark, and axe."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from tests.servers import serve
from tests.test_site_browser import Visit, serious_violations
from tests.test_trends_site import build_trends_site

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "build" / "test-artifacts"
PAGES = {"trends": "trends/", "topic": "topics/agents/", "coverage": "coverage/"}
# How many charts each page draws with the trends fixture archive (tests/test_trends_site.py).
CHARTS = {"trends": 10, "topic": 1, "coverage": 3}
SCHEMES = {"light": "default", "dark": "slate"}
CASES = list(product(PAGES, SCHEMES, (375, 1280)))  # (page, scheme, width)
# The dark scheme changes colours only: there axe runs the rules that read colours.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]

# Each chart's box, and how its text and first bar or line stand out from the page's colour.
MEASURE = """() => {
  const rgba = (text) => {
    const [r, g, b, a = 1] = text.match(/[\\d.]+/g).map(Number);
    return [r, g, b, a];
  };
  const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const page = rgba(getComputedStyle(document.body).backgroundColor);
  const contrast = (element, property) => {
    const [a, b] = [luminance(over(rgba(getComputedStyle(element)[property]), page)),
                    luminance(page)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };
  const charts = [...document.querySelectorAll("article svg.dpa-chart")].map((svg) => {
    const box = svg.getBoundingClientRect();
    const text = svg.querySelector("text");
    const mark = svg.querySelector(".dpa-chart__bars rect, .dpa-chart__line");
    return {
      id: svg.querySelector("title").id,
      width: box.width,
      height: box.height,
      text: text ? contrast(text, "fill") : null,
      mark: mark ? contrast(mark, mark.tagName === "rect" ? "fill" : "stroke") : null,
    };
  });
  return {
    scheme: document.body.getAttribute("data-md-color-scheme"),
    background: page,
    charts,
  };
}"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("trends-browser")
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        site = pool.submit(build_trends_site, root).result()
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def show(browser: Any, base_url: str) -> Iterator[Callable[[str, str, int], Visit]]:
    """One of PAGES in a scheme at a width, offline, its colours settled; opened once for all
    the tests that look at it (requests and console errors keep being recorded)."""
    visits: dict[tuple[str, str, int], Visit] = {}

    def open_page(name: str, scheme: str, width: int) -> Visit:
        if (name, scheme, width) in visits:
            return visits[name, scheme, width]
        visit = visits[name, scheme, width] = Visit(browser, width)
        visit.page.goto(base_url + PAGES[name])
        # Material's dark scheme is the body's attribute, as its palette toggle sets it.
        visit.page.evaluate(
            f"document.body.setAttribute('data-md-color-scheme', '{SCHEMES[scheme]}')"
        )
        # Links fade to their new colour: axe measuring halfway would see neither scheme's.
        visit.page.wait_for_function(
            "document.getAnimations().every(a => a.playState !== 'running')"
        )
        return visit

    yield open_page
    for visit in visits.values():
        visit.page.close()


@pytest.mark.parametrize(("name", "scheme", "width"), CASES)
def test_charts_show_offline_in_both_schemes(
    show: Callable[[str, str, int], Visit], name: str, scheme: str, width: int
) -> None:
    v = show(name, scheme, width)
    measured = v.page.evaluate(MEASURE)
    assert measured["scheme"] == SCHEMES[scheme]
    dark = sum(measured["background"][:3]) < 3 * 128
    assert dark == (scheme == "dark"), measured["background"]
    charts = measured["charts"]
    assert len(charts) == CHARTS[name], [c["id"] for c in charts]
    for chart in charts:
        assert chart["width"] > 0 and chart["height"] > 0, chart
        # charts.css promises 4.5:1 for text, bars and lines in both schemes.
        for part in ("text", "mark"):
            assert chart[part] is None or chart[part] >= 4.5, (part, chart)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"trends-{name}-{scheme}-{width}.png"
    v.page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 10_000
    v.check()


@pytest.mark.parametrize(
    ("name", "scheme"),
    [pytest.param(name, scheme) for name, scheme in product(PAGES, SCHEMES)],
)
def test_the_page_never_scrolls_sideways_at_375_px(
    show: Callable[[str, str, int], Visit], name: str, scheme: str
) -> None:
    v = show(name, scheme, 375)
    # A wide chart may scroll inside its own figure; the page itself may not.
    width = v.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways: {width}px"
    v.check()


@pytest.mark.parametrize(
    ("name", "scheme", "width"),
    [
        # In the dark scheme only the colour rules run, which a scroller does not break.
        pytest.param(*case)
        for case in CASES
    ],
)
def test_axe_finds_nothing_serious(
    show: Callable[[str, str, int], Visit], name: str, scheme: str, width: int
) -> None:
    v = show(name, scheme, width)
    options = {"runOnly": COLOUR_RULES} if scheme == "dark" else None
    assert serious_violations(v.page, options) == []
    v.check()
