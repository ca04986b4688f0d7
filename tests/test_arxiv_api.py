"""The arXiv export API: every recorded response parsed, batching, pacing, failures not fatal."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.arxiv_api import (
    BATCH_SIZE,
    INTERVAL,
    MAX_DEPTH,
    enrich,
    fetch_batch,
    parse_feed,
)
from generator.errors import ApiError
from generator.hf_api import MAX_BODY
from generator.http_client import PRODUCT, HttpClient, RateLimiter, RetryPolicy

CHECKED = date(2026, 5, 29)
URL = "https://export.arxiv.test/api/query"

# What each recorded file must give; a new recording without an expectation fails the test.
EXPECTED: dict[str, dict[str, Any] | str] = {
    "id_list_1605.08386_2026-04-12.xml": {
        "1605.08386": {
            "checked": "2026-05-29",
            "primary_category": "math.CO",
            "categories": ["math.CO", "math.ST"],
            "comment": "20 pages, 3 figures",
            "version": 1,
        }
    },
    "id_list_0808.05394_1707.08567_2026-04-12.xml": {
        "1707.08567": {
            "checked": "2026-05-29",
            "primary_category": "cs.IT",
            "categories": ["cs.IT"],
            "comment": "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck",
            "version": 1,
        }
    },
    "id_list_0000.0000_empty_2026-04-12.xml": {},
    "id_list_abc_error400_2026-04-12.xml": "arXiv error: incorrect id format for abc",
    "id_list_1111.2011v2_2016-10-09_legacy.xml": {
        "1111.2011": {
            "checked": "2026-05-29",
            "primary_category": "cond-mat.str-el",
            "categories": ["cond-mat.str-el", "cond-mat.stat-mech"],
            "comment": "8 pages, 3 figures. Published version",
            "journal_ref": "Phys. Rev. B 85, 115117 (2012)",
            "doi": "10.1103/PhysRevB.85.115117",
            "version": 2,
        }
    },
}


@pytest.fixture(scope="module")
def recorded(corpus_dir: Path) -> dict[str, bytes]:
    """Every recorded arXiv response, by file name."""
    return {p.name: p.read_bytes() for p in sorted((corpus_dir / "arxiv-api").glob("*.xml"))}


def test_every_recorded_response_parses_as_expected(recorded: dict[str, bytes]) -> None:
    assert sorted(recorded) == sorted(EXPECTED)
    for name, body in recorded.items():
        expected = EXPECTED[name]
        if isinstance(expected, str):
            with pytest.raises(ApiError, match=expected):
                parse_feed(body, name, CHECKED)
        else:
            assert parse_feed(body, name, CHECKED) == expected, name


def responder(body: bytes | str, status: int = 200) -> Any:
    """A getter that answers every request with the same response and records the params."""
    asked: list[dict[str, str]] = []

    def get(url: str, params: dict[str, str]) -> httpx.Response:
        asked.append(params)
        return httpx.Response(status, content=body, request=httpx.Request("GET", url))

    get.asked = asked  # type: ignore[attr-defined]
    return get


def test_an_id_arxiv_does_not_know_is_a_warning(recorded: dict[str, bytes]) -> None:
    get = responder(recorded["id_list_0808.05394_1707.08567_2026-04-12.xml"])
    result = fetch_batch(get, ["0808.05394", "1707.08567"], CHECKED, URL)
    assert list(result.found) == ["1707.08567"]
    assert result.warnings == ["arXiv has no entry for 1 paper(s): 0808.05394"]
    assert get.asked == [{"id_list": "0808.05394,1707.08567", "start": "0", "max_results": "2"}]


def test_the_400_error_feed_raises_with_arxivs_reason(recorded: dict[str, bytes]) -> None:
    get = responder(recorded["id_list_abc_error400_2026-04-12.xml"], status=400)
    with pytest.raises(ApiError, match=r"arXiv \(1 ids from abc\): arXiv error: incorrect id"):
        fetch_batch(get, ["abc"], CHECKED, URL)


def test_the_empty_feed_finds_nothing(recorded: dict[str, bytes]) -> None:
    result = fetch_batch(
        responder(recorded["id_list_0000.0000_empty_2026-04-12.xml"]), ["0000.0000"], CHECKED
    )
    assert result.found == {} and result.warnings == [
        "arXiv has no entry for 1 paper(s): 0000.0000"
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"<html><body>503 Service Unavailable</body></html>", "expected an Atom feed"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "not XML"),
        (b"", "not XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaa">]><feed>&a;</feed>',
            "declares a DTD",
        ),
    ],
    ids=["html", "truncated", "empty-body", "entity-bomb"],
)
def test_unusable_bodies_raise_api_error(body: bytes, error: str) -> None:
    with pytest.raises(ApiError, match=error):
        parse_feed(body, "arXiv", CHECKED)


FEED = '<feed xmlns="http://www.w3.org/2005/Atom">'
# "Billion laughs": 3 GB of "lol" once its nine levels of entities are expanded.
LAUGHS = (
    '<!DOCTYPE feed [<!ENTITY l0 "lol">'
    + "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    + f"]>{FEED}<title>&l9;</title></feed>"
)


@pytest.mark.parametrize(
    "body",
    [
        LAUGHS.encode(),
        LAUGHS.encode("utf-16"),  # no b"<!DOCTYPE" in its bytes, yet the same document
        f'<!DOCTYPE feed SYSTEM "http://evil.test/feed.dtd">{FEED}</feed>'.encode(),
        f'<!DOCTYPE feed [<!ENTITY % p SYSTEM "http://evil.test/p">%p;]>{FEED}</feed>'.encode(),
    ],
    ids=["billion-laughs", "utf-16", "external-dtd", "parameter-entity"],
)
def test_a_dtd_is_refused_before_any_entity_is_expanded(body: bytes) -> None:
    get = responder(body)
    with pytest.raises(ApiError) as caught:
        fetch_batch(get, ["2605.00001"], CHECKED, URL)
    assert str(caught.value) == "arXiv (1 ids from 2605.00001): response declares a DTD; refused"


def test_nesting_is_bounded() -> None:
    deep = f"{FEED}{'<x>' * 100_000}".encode()
    with pytest.raises(ApiError, match=rf"^arXiv: XML nested more than {MAX_DEPTH} elements deep"):
        parse_feed(deep, "arXiv", CHECKED)
    allowed = f"{FEED}{'<x>' * (MAX_DEPTH - 1)}{'</x>' * (MAX_DEPTH - 1)}</feed>"
    assert parse_feed(allowed, "arXiv", CHECKED) == {}


def test_an_oversized_body_is_refused_unparsed() -> None:
    body = FEED.encode() + b" " * MAX_BODY + b"</feed>"
    with pytest.raises(ApiError, match=r"^arXiv: response is larger than 16 MiB; refused$"):
        parse_feed(body, "arXiv", CHECKED)


def test_old_style_ids_and_missing_fields() -> None:
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        "<id>http://arxiv.org/abs/hep-th/9901001v3</id><title>Old</title></entry>"
        "<entry><id>http://arxiv.org/abs/not-an-id</id><title>Odd</title></entry></feed>"
    )
    assert parse_feed(body, "arXiv", CHECKED) == {
        "hep-th/9901001": {"checked": "2026-05-29", "version": 3}
    }


def test_batches_of_100_three_seconds_apart() -> None:
    clock = [1_780_000_000.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    def handler(request: httpx.Request) -> httpx.Response:
        ids = request.url.params["id_list"].split(",")
        entries = "".join(f"<entry><id>http://arxiv.org/abs/{i}v1</id></entry>" for i in ids)
        return httpx.Response(
            200, text=f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'
        )

    ids = [f"2605.{n:05d}" for n in range(250)]
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        limiter = RateLimiter(lambda: clock[0], sleep, interval=INTERVAL)
        http = HttpClient(
            client,
            limiter,
            RetryPolicy(),
            lambda: clock[0],
            sleep,
            lambda: 1.0,
            agent=PRODUCT,
            max_body=MAX_BODY,
        )
        result = enrich(http.get, ids + ids[:10], CHECKED, URL)  # duplicates asked once
    assert http.requests == 3 and BATCH_SIZE == 100
    assert sleeps == [3.0, 3.0]
    assert list(result.found) == ids and result.skipped == [] and result.error is None


def test_arxiv_down_skips_the_rest_without_raising() -> None:
    calls: list[str] = []

    def get(url: str, params: dict[str, str]) -> httpx.Response:
        calls.append(params["id_list"])
        raise ApiError("HTTP 503 Service Unavailable, gave up after 5 attempt(s)")

    ids = [f"2605.{n:05d}" for n in range(150)]
    result = enrich(get, ids, CHECKED, URL)
    assert len(calls) == 1  # the second batch is not even tried
    assert result.found == {} and result.skipped == ids
    assert result.error == "HTTP 503 Service Unavailable, gave up after 5 attempt(s)"


def test_http_error_without_a_feed_is_an_api_error() -> None:
    with pytest.raises(ApiError, match=r"HTTP 404 Not Found"):
        fetch_batch(responder(b"not found", status=404), ["2605.00001"], CHECKED, URL)
