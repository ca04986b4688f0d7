"""The digest e-mail's HTML part as a mail client shows it: Chromium, light and dark, on a phone."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import HOSTILE_TITLE, fixture_content, write_files
from tests.test_digest import parse, parts, render
from tests.test_site_browser import serious_violations


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The HTML part of a day's digest whose first paper has a hostile title and summary."""
    content = fixture_content(tmp_path_factory.mktemp("digest"))
    write_files(
        content,
        {
            "corrections/2506.00001.yaml": (
                f'id: "2506.00001"\nreason: r\nset:\n  title: {json.dumps(HOSTILE_TITLE)}\n'
                '  ai_summary: "Gist </p><script>alert(1)</script>"\n'
            )
        },
    )
    return parts(parse(render(content, date(2025, 6, 9)).data))[1]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_readable_in_light_and_dark_on_a_phone_and_loads_nothing(
    browser: Any, html: str, scheme: str
) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800}, color_scheme=scheme)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(html)
    # A mail client paints its own background; axe would take a transparent one for white.
    page.add_style_tag(content="html { background: Canvas }")
    # No colour is set, so the client's own light or dark colours stand (axe checks contrast).
    text = page.evaluate("getComputedStyle(document.body).color")
    assert text == ("rgb(0, 0, 0)" if scheme == "light" else "rgb(255, 255, 255)")
    assert serious_violations(page) == []
    # Nothing is loaded and nothing runs: the hostile title is words on the page.
    assert requests == [] and dialogs == []
    assert page.locator("script").count() == 0
    assert HOSTILE_TITLE in page.locator("h2").first.inner_text()
    # A phone shows the whole width: nothing to scroll sideways.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    page.close()


def test_the_same_html_is_the_digest_feeds_entry(html: str, tmp_path: Path) -> None:
    # What a feed-to-e-mail service sends: the entry of the day in the digest feed.
    from generator import urls
    from generator.archive import load_archive
    from generator.feeds import generate_feeds
    from tests.test_digest import CONFIG

    content = fixture_content(tmp_path)
    write_files(
        content,
        {
            "corrections/2506.00001.yaml": (
                f'id: "2506.00001"\nreason: r\nset:\n  title: {json.dumps(HOSTILE_TITLE)}\n'
                '  ai_summary: "Gist </p><script>alert(1)</script>"\n'
            )
        },
    )
    feed = json.loads(
        generate_feeds(load_archive(content), CONFIG)[urls.feed("json", urls.DIGEST_FEEDS)]
    )
    [entry] = [item for item in feed["items"] if item["id"].endswith("2025/06/09/")]
    assert entry["content_html"] in html
