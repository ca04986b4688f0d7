"""`fetch`: pagination, the fault matrix, day isolation, day status, summary and exit status.

Every test but the loopback ones runs against httpx.MockTransport with a fake clock, so
nothing really sleeps and nothing leaves the machine. What hf_api makes of one response (each
refusal's text, each item's fields) is tested in test_hf_api.py; here, what a run does with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from generator.__main__ import main
from generator.config import load_config
from generator.content import day_path, load_day, load_status, save_day
from generator.fetch import Options, choose_days, fetch, utc_today
from generator.hf_api import MAX_BODY
from generator.http_client import PRODUCT, RetryPolicy
from generator.importer import import_dir
from generator.summary import Summary
from generator.validate import STATUS_FILE
from tests.helpers import FakeClock, api_item
from tests.servers import loopback as serve_handler

TODAY = date(2026, 5, 29)  # the last corpus day
DAY = date(2026, 5, 28)
ARXIV_URL = "https://export.arxiv.test/api/query"


def item(paper_id: str, upvotes: int = 1, **paper: Any) -> dict[str, Any]:
    """One daily_papers item in the real 2025 shape, published just before DAY."""
    result = api_item(paper_id, upvotes, **{"publishedAt": "2026-05-27T17:59:53.000Z", **paper})
    del result["title"]  # no top-level fallback: deleting paper.title leaves the item untitled
    return result


def atom(ids: list[str]) -> str:
    """An arXiv export API response (current format) with one entry per id."""
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/{i}v2</id><title>T {i}</title>"
        '<category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>'
        '<category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>'
        "<arxiv:comment>Accepted at\n  NeurIPS 2025</arxiv:comment>"
        '<arxiv:primary_category term="cs.CL"/></entry>'
        for i in ids
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f"{entries}</feed>"
    )


Fault = httpx.Response | type[Exception]


class FakeApi:
    """A MockTransport handler behaving like daily_papers: `limit` defaults to 50, `p` pages.

    faults[day] is a script of responses or httpx exception classes played before the day is
    served normally; arxiv answers requests to ARXIV_URL.
    """

    def __init__(self, days: dict[date, list[Any]] | None = None) -> None:
        self.days = days or {}
        self.faults: dict[date, list[Fault]] = {}
        self.arxiv: Callable[[httpx.Request], httpx.Response] = self.arxiv_ok
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if str(request.url).startswith(ARXIV_URL):
            return self.arxiv(request)
        params = request.url.params
        day = date.fromisoformat(params["date"])
        script = self.faults.get(day)
        if script:
            fault = script.pop(0)
            if isinstance(fault, httpx.Response):
                return fault
            raise fault("simulated", request=request)  # type: ignore[call-arg]
        limit, page = int(params.get("limit", 50)), int(params.get("p", 0))
        return httpx.Response(200, json=self.days.get(day, [])[page * limit : (page + 1) * limit])

    def arxiv_ok(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=atom(request.url.params["id_list"].split(",")))

    def hf_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if not str(r.url).startswith(ARXIV_URL)]


def run(
    api: FakeApi, content: Path, days: list[date], clock: FakeClock | None = None, **options: Any
) -> Summary:
    """Fetch days through a MockTransport, with a fake clock and no jitter randomness."""
    clock = clock or FakeClock()
    settings = Options(
        today=TODAY, arxiv_url=ARXIV_URL, clock=clock.time, sleep=clock.sleep, jitter=lambda: 1.0
    )
    for key, value in options.items():
        setattr(settings, key, value)
    with httpx.Client(transport=httpx.MockTransport(api)) as client:
        return fetch(client, content, days, settings)


def corpus_items(corpus_days: Path, day: str) -> list[Any]:
    return list(json.loads((corpus_days / f"{day}.json").read_text("utf-8")))


def snapshot(content: Path) -> dict[str, bytes]:
    return {str(p.relative_to(content)): p.read_bytes() for p in sorted(content.rglob("*.yaml"))}


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    """A content folder where DAY already holds two papers."""
    content = tmp_path / "content"
    save_day(content, DAY, [_paper("2605.00001", 5), _paper("2605.00002", 3)], date(2026, 5, 28))
    return content


def _paper(paper_id: str, upvotes: int) -> dict[str, Any]:
    return {"id": paper_id, "title": f"Stored {paper_id}", "upvotes": upvotes}


# Transient faults: retried, honoured through the fake sleep, then the day is written.


def test_429_retry_after_seconds_is_honoured(tmp_path: Path) -> None:
    api = FakeApi({DAY: [item("2605.00001")]})
    api.faults[DAY] = [httpx.Response(429, headers={"Retry-After": "7"})]
    clock = FakeClock()
    summary = run(api, tmp_path, [DAY], clock)
    assert clock.sleeps == [7.0]
    assert (summary.new, summary.requests, summary.retries, summary.failed) == (1, 2, 1, [])
    assert [p["id"] for p in load_day(day_path(tmp_path, DAY)).papers] == ["2605.00001"]


def test_retries_exhausted_fail_the_day_and_keep_its_file(stored: Path) -> None:
    before = snapshot(stored)
    api = FakeApi({DAY: [item("2605.00009")]})
    api.faults[DAY] = [httpx.Response(503)] * 5
    clock = FakeClock()
    summary = run(api, stored, [DAY], clock)
    assert clock.sleeps == [2.0, 4.0, 8.0, 16.0]
    assert (summary.requests, summary.retries) == (5, 4)
    assert summary.failed == [
        "2026-05-28 page 0: HTTP 503 Service Unavailable, gave up after 5 attempt(s): "
        "GET https://huggingface.co/api/daily_papers?date=2026-05-28&limit=100&p=0"
    ]
    assert snapshot(stored) == {**before, STATUS_FILE: (stored / STATUS_FILE).read_bytes()}
    assert load_status(stored) == {
        "2026-05-28": {"failed": "2026-05-29", "error": summary.failed[0]}
    }


# Bad responses: an unusable one fails its day (file untouched), a bad item is skipped.
# test_hf_api.py has every kind of unusable body; two are enough to show what a run does.


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("<!DOCTYPE html><html><body>Bad gateway</body></html>", "got an HTML page"),
        # Its RecursionError once escaped the day and ended the run as an internal error.
        ("[" * 100_000, "JSON nested too deeply"),
    ],
    ids=["html", "nested-arrays"],
)
def test_unusable_response_fails_the_day_only(stored: Path, body: str, error: str) -> None:
    before = snapshot(stored)
    other = DAY - timedelta(days=1)
    api = FakeApi({DAY: [item("2605.00009")], other: [item("2605.00100")]})
    api.faults[DAY] = [httpx.Response(200, text=body)]
    summary = run(api, stored, [other, DAY])
    assert len(summary.failed) == 1 and error in summary.failed[0]
    assert summary.failed[0].startswith("2026-05-28 page 0: ")
    assert summary.new == 1 and day_path(stored, other).exists()  # the other day went on
    assert day_path(stored, DAY).read_bytes() == before["papers/2026/05/2026-05-28.yaml"]


def test_skipped_items_are_warned_in_the_summary_and_the_rest_is_saved(tmp_path: Path) -> None:
    untitled = item("2605.00002", 3)
    del untitled["paper"]["title"]
    no_id = item("2605.00003", 2)
    del no_id["paper"]["id"]
    api = FakeApi({DAY: [item("2605.00001", 5), untitled, no_id]})
    summary = run(api, tmp_path, [DAY])
    assert summary.warnings == [
        "2026-05-28 page 0: item 1: skipped: paper 2605.00002 has no title",
        "2026-05-28 page 0: item 2: skipped: 'paper.id' is not an arXiv id: None",
    ]
    assert [p["id"] for p in load_day(day_path(tmp_path, DAY)).papers] == ["2605.00001"]
    assert "warning: 2026-05-28 page 0: item 1: skipped: paper 2605.00002" in "\n".join(
        summary.lines()
    )


# Isolation, day status, summary.


def test_failed_day_is_isolated_and_recorded_until_it_succeeds(tmp_path: Path) -> None:
    days = [date(2026, 5, 25), date(2026, 5, 26), date(2026, 5, 27)]
    api = FakeApi({days[0]: [item("2605.00001")], days[2]: [item("2605.00003")]})
    api.faults[days[1]] = [httpx.Response(404)]
    summary = run(api, tmp_path, days)
    assert (summary.new, summary.empty, len(summary.failed)) == (2, 0, 1)
    assert not day_path(tmp_path, days[1]).exists()
    assert (tmp_path / STATUS_FILE).read_text("utf-8").splitlines()[2:4] == [
        "2026-05-26:",
        "  failed: 2026-05-29",
    ]
    again = run(api, tmp_path, days)  # the fault is gone: the day comes back as empty
    assert (again.new, again.unchanged, again.empty, again.failed) == (1, 2, 1, [])
    assert load_day(day_path(tmp_path, days[1])).status == "empty"
    assert not (tmp_path / STATUS_FILE).exists()


def test_empty_day_never_fetched_and_failed_are_distinct(tmp_path: Path) -> None:
    empty, failed, never = date(2026, 5, 23), date(2026, 5, 24), date(2026, 5, 22)
    api = FakeApi()
    api.faults[failed] = [httpx.Response(200, text="<html>oops</html>")]
    run(api, tmp_path, [empty, failed])
    text = day_path(tmp_path, empty).read_text("utf-8")
    assert "status: empty\nfetched: 2026-05-29\npapers: []\n" in text
    status = load_status(tmp_path)
    assert list(status) == ["2026-05-24"] and not day_path(tmp_path, failed).exists()
    assert not day_path(tmp_path, never).exists() and "2026-05-22" not in status


def test_summary_lines_count_everything(tmp_path: Path) -> None:
    api = FakeApi({DAY: [item("2605.00001"), item("2605.00002")]})
    api.faults[DAY] = [httpx.Response(502)]
    api.faults[TODAY] = [httpx.Response(403)]
    summary = run(api, tmp_path, [DAY - timedelta(days=1), DAY, TODAY])
    assert summary.lines() == [
        "days: 2 new, 0 changed, 0 unchanged, 1 empty, 1 failed",
        "papers added: 2",
        "requests: 4 (1 retries)",
        "failed: 2026-05-29 page 0: HTTP 403 Forbidden from "
        "https://huggingface.co/api/daily_papers?date=2026-05-29&limit=100&p=0",
    ]


# Pagination.


def test_day_of_more_than_100_papers_takes_two_pages(corpus_days: Path, tmp_path: Path) -> None:
    pool: dict[str, Any] = {}
    for name in ("2026-05-12", "2026-05-13", "2026-05-15"):  # 50, 50 and 46 papers
        for entry in corpus_items(corpus_days, name):
            pool.setdefault(entry["paper"]["id"], entry)
    items = sorted(pool.values(), key=lambda e: -e["paper"]["upvotes"])[:130]
    api = FakeApi({DAY: items})
    summary = run(api, tmp_path, [DAY])
    assert [r.url.params["p"] for r in api.requests] == ["0", "1"]
    assert summary.requests == 2 and summary.papers_added == 130
    stored = [p["id"] for p in load_day(day_path(tmp_path, DAY)).papers]
    assert stored == [e["paper"]["id"] for e in items]


def test_exactly_100_papers_then_an_empty_page(tmp_path: Path) -> None:
    items = [item(f"2605.{n:05d}", 200 - n) for n in range(100)]
    api = FakeApi({DAY: items})
    summary = run(api, tmp_path, [DAY])
    assert summary.requests == 2 and summary.papers_added == 100 and not summary.warnings


def test_ids_repeated_across_pages_are_kept_once(tmp_path: Path) -> None:
    items = [item(f"2605.{n:05d}", 200 - n) for n in range(100)]
    items += [items[99], item("2605.00100", 1)]  # the list moved while we paged
    summary = run(FakeApi({DAY: items}), tmp_path, [DAY])
    papers = load_day(day_path(tmp_path, DAY)).papers
    assert len(papers) == 101 and summary.papers_added == 101


def test_server_ignoring_the_page_parameter_stops(tmp_path: Path) -> None:
    items = [item(f"2605.{n:05d}", 200 - n) for n in range(100)]

    def same_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=items)

    with httpx.Client(transport=httpx.MockTransport(same_page)) as client:
        summary = fetch(client, tmp_path, [DAY], Options(today=TODAY, sleep=lambda s: None))
    assert summary.requests == 2 and summary.papers_added == 100


def test_busy_day_truncated_at_50_is_caught(corpus_days: Path, tmp_path: Path) -> None:
    # 2026-05-12 came back with exactly 50: the API's default limit. Serve it with ten more.
    items = corpus_items(corpus_days, "2026-05-12")
    items += [item(f"2605.{n:05d}", 0) for n in range(90000, 90010)]
    api = FakeApi({DAY: items})  # FakeApi, like Hugging Face, gives 50 when limit is absent
    run(api, tmp_path, [DAY])
    assert all(r.url.params["limit"] == "100" for r in api.requests)
    assert len(load_day(day_path(tmp_path, DAY)).papers) == 60


# Same bytes: fetch = import, fetch twice = no change, and the request count.


def test_fetch_and_import_of_the_same_response_give_the_same_bytes(
    corpus_days: Path, tmp_path: Path
) -> None:
    names = ["2024-03-12", "2025-09-30", "2026-05-29"]
    source = tmp_path / "responses"
    source.mkdir()
    for name in names:
        (source / f"{name}.json").write_bytes((corpus_days / f"{name}.json").read_bytes())
    import_dir(source, tmp_path / "imported", fetched=TODAY)
    api = FakeApi({date.fromisoformat(n): corpus_items(corpus_days, n) for n in names})
    summary = run(api, tmp_path / "fetched", [date.fromisoformat(n) for n in names])
    assert summary.new == 3 and not summary.failed
    assert snapshot(tmp_path / "fetched") == snapshot(tmp_path / "imported")


def test_fetching_twice_changes_nothing(corpus_days: Path, tmp_path: Path) -> None:
    days = [date(2026, 5, 11), date(2026, 5, 12), date(2026, 5, 13)]
    api = FakeApi({d: corpus_items(corpus_days, d.isoformat()) for d in days})
    first = run(api, tmp_path, days)
    before = snapshot(tmp_path)
    second = run(api, tmp_path, days)
    assert (first.new, second.unchanged, second.changed, second.papers_added) == (3, 3, 0, 0)
    assert snapshot(tmp_path) == before


def test_30_day_backfill_makes_one_request_per_page_needed(
    corpus_days: Path, tmp_path: Path
) -> None:
    days = choose_days(tmp_path, TODAY, since=date(2026, 4, 20), until=date(2026, 5, 19))
    assert len(days) == 30
    recorded = [d for d in days if (corpus_days / f"{d}.json").exists()]  # weekdays
    served = {d: corpus_items(corpus_days, d.isoformat()) for d in recorded}
    served[days[3]] = served[days[3]] + [item(f"2604.{n:05d}") for n in range(60000, 60080)]
    pages = sum(len(served.get(d, [])) // 100 + 1 for d in days)
    api = FakeApi(served)
    summary = run(api, tmp_path, days)
    assert summary.requests == len(api.requests) == pages == 31  # one day needs two pages
    assert summary.retries == 0 and summary.new == 30


# Choosing days.


def test_default_mode_is_today_and_the_14_days_before(tmp_path: Path) -> None:
    days = choose_days(tmp_path, TODAY)
    assert (days[0], days[-1], len(days)) == (date(2026, 5, 15), TODAY, 15)
    assert choose_days(tmp_path, TODAY, day=DAY) == [DAY]
    assert choose_days(tmp_path, TODAY, since=date(2026, 5, 27)) == [date(2026, 5, 27), DAY, TODAY]


def test_gaps_are_the_days_missing_since_the_first_archived_day(tmp_path: Path) -> None:
    for day in (date(2026, 5, 24), date(2026, 5, 26)):
        save_day(tmp_path, day, [])
    assert choose_days(tmp_path, TODAY, gaps=True) == [
        date(2026, 5, 25),
        date(2026, 5, 27),
        DAY,
        TODAY,
    ]


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ({"until": DAY}, "--until needs --since"),
        ({"since": TODAY, "until": DAY}, "--since 2026-05-29 is after --until 2026-05-28"),
        ({"day": TODAY + timedelta(days=1)}, "2026-05-30 is in the future"),
        ({"gaps": True}, "no archived day to look for gaps after"),
    ],
)
def test_bad_modes_are_refused(tmp_path: Path, mode: dict[str, Any], error: str) -> None:
    from generator.errors import ArchiveError

    with pytest.raises(ArchiveError, match=error):
        choose_days(tmp_path, TODAY, **mode)


# What a run hands its HTTP clients: its policy, its User-Agent, hf_api's cap on bodies.


def test_the_runs_policy_and_user_agent_reach_every_request(tmp_path: Path) -> None:
    agent = "daily-papers-archive/0.1 (+https://github.com/owner/repo)"
    api = FakeApi({TODAY: [item("2605.00001")]})
    api.faults[DAY] = [httpx.Response(503)] * 2
    policy = RetryPolicy(attempts=2)
    summary = run(api, tmp_path, [DAY, TODAY], arxiv=True, policy=policy, user_agent=agent)
    assert "gave up after 2 attempt(s)" in summary.failed[0]
    assert len(api.requests) == 4  # DAY twice, TODAY, one arXiv batch
    assert {r.headers["User-Agent"] for r in api.requests} == {agent}
    plain = FakeApi()
    run(plain, tmp_path / "plain", [DAY])
    assert plain.requests[0].headers["User-Agent"] == PRODUCT  # no repository given: none said


def test_a_body_over_max_body_fails_the_day(tmp_path: Path) -> None:
    api = FakeApi()
    api.faults[DAY] = [httpx.Response(200, content=b" " * (MAX_BODY + 1))]
    summary = run(api, tmp_path, [DAY])
    assert summary.failed == [
        "2026-05-28 page 0: GET https://huggingface.co/api/daily_papers?date=2026-05-28&limit=100"
        "&p=0: response body is larger than 16 MiB; refused"
    ]
    assert not day_path(tmp_path, DAY).exists()


# arXiv enrichment inside a fetch.


def test_arxiv_enrichment_is_batched_and_attached(tmp_path: Path) -> None:
    days = [date(2026, 5, 26), date(2026, 5, 27)]
    api = FakeApi({days[0]: [item("2605.00001", 2)], days[1]: [item("2605.00002", 9)]})
    summary = run(api, tmp_path, days, arxiv=True)
    arxiv_requests = [r for r in api.requests if str(r.url).startswith(ARXIV_URL)]
    assert len(arxiv_requests) == 1  # both days' papers in one batch
    assert arxiv_requests[0].url.params["id_list"] == "2605.00001,2605.00002"
    assert arxiv_requests[0].url.params["max_results"] == "2"
    assert load_day(day_path(tmp_path, days[1])).papers[0]["arxiv"] == {
        "checked": "2026-05-29",
        "primary_category": "cs.CL",
        "categories": ["cs.CL", "cs.AI"],
        "comment": "Accepted at NeurIPS 2025",
        "version": 2,
    }
    assert summary.requests == 3 and not summary.warnings


def test_arxiv_batches_hold_at_most_100_ids_3_seconds_apart(tmp_path: Path) -> None:
    days = [date(2026, 5, 20) + timedelta(days=n) for n in range(3)]
    served = {d: [item(f"2605.{n * 1000 + k:05d}") for k in range(60)] for n, d in enumerate(days)}
    api = FakeApi(served)
    clock = FakeClock()
    summary = run(api, tmp_path, days, clock, arxiv=True)
    sizes = [
        len(r.url.params["id_list"].split(","))
        for r in api.requests
        if str(r.url).startswith(ARXIV_URL)
    ]
    assert sizes == [100, 20, 60]  # two days pending reach 120 ids; the third flushes at the end
    assert clock.sleeps == [3.0, 3.0] and not summary.warnings


def test_arxiv_down_is_not_fatal_and_keeps_stored_data(tmp_path: Path) -> None:
    enriched = {"checked": "2026-05-01", "primary_category": "cs.LG", "version": 1}
    save_day(tmp_path, DAY, [{**_paper("2605.00001", 5), "arxiv": enriched}])
    api = FakeApi({DAY: [item("2605.00001", 8), item("2605.00002", 3)]})
    api.arxiv = lambda request: httpx.Response(503)
    summary = run(api, tmp_path, [DAY, TODAY], arxiv=True)
    assert summary.failed == [] and summary.new == 1 and summary.changed == 1
    assert summary.warnings == [
        "arXiv enrichment skipped for 2 paper(s) (2605.00001, 2605.00002); stored arXiv data "
        "kept: HTTP 503 Service Unavailable, gave up after 5 attempt(s): GET "
        f"{ARXIV_URL}?id_list=2605.00001%2C2605.00002&start=0&max_results=2"
    ]
    papers = load_day(day_path(tmp_path, DAY)).papers
    assert papers[0]["upvotes"] == 8 and papers[0]["arxiv"] == enriched
    assert "arxiv" not in papers[1]


def test_arxiv_is_asked_only_about_papers_not_enriched_outside_the_window(tmp_path: Path) -> None:
    old = date(2026, 4, 1)
    enriched = {"checked": "2026-04-02", "primary_category": "cs.LG"}
    save_day(tmp_path, old, [{**_paper("2603.00001", 5), "arxiv": enriched}])
    api = FakeApi({old: [item("2603.00001", 5), item("2603.00002", 1)], DAY: [item("2605.00009")]})
    run(api, tmp_path, [old, DAY], arxiv=True)
    asked = [r.url.params["id_list"] for r in api.requests if str(r.url).startswith(ARXIV_URL)]
    assert asked == ["2603.00002,2605.00009"]
    papers = load_day(day_path(tmp_path, old)).papers
    assert papers[0]["arxiv"] == enriched and papers[1]["arxiv"]["checked"] == "2026-05-29"


# The real command line against a loopback server serving corpus days.


class CorpusHandler(BaseHTTPRequestHandler):
    """daily_papers from the recorded corpus (limit defaults to 50); /arxiv answers 400."""

    corpus: ClassVar[Path]
    broken: ClassVar[set[str]]  # dates answered with an HTML error page
    arxiv_body: ClassVar[bytes]
    agents: ClassVar[list[str]]  # the User-Agent of every request

    def do_GET(self) -> None:
        self.agents.append(self.headers.get("User-Agent", ""))
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/arxiv":
            return self.reply(400, self.arxiv_body, "application/atom+xml")
        if query.get("date") in self.broken:
            return self.reply(200, b"<html><body>Bad gateway</body></html>", "text/html")
        path = self.corpus / f"{query.get('date')}.json"
        items = json.loads(path.read_bytes()) if path.exists() else []
        limit, page = int(query.get("limit", 50)), int(query.get("p", 0))
        body = json.dumps(items[page * limit : (page + 1) * limit]).encode()
        self.reply(200, body, "application/json")

    def reply(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest's output clean


@dataclass
class Loopback:
    """A server thread on 127.0.0.1 serving corpus days; its handler can break days."""

    url: str
    handler: type[CorpusHandler]


@pytest.fixture
def loopback(corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loopback]:
    """Start the corpus server on an ephemeral port; stop it after the test."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    error = corpus_dir / "arxiv-api" / "id_list_abc_error400_2026-04-12.xml"
    attributes = {
        "corpus": corpus_dir / "hf-daily-papers" / "days",
        "broken": set(),
        "arxiv_body": error.read_bytes(),
        "agents": [],
    }
    handler = type("Handler", (CorpusHandler,), attributes)
    with serve_handler(handler) as url:
        yield Loopback(url, handler)


def cli(loopback: Loopback, content: Path, *args: str) -> list[str]:
    """The fetch command line pointed at the loopback server."""
    return [
        "fetch",
        *args,
        "--api-url",
        f"{loopback.url}/api/daily_papers",
        "--arxiv-url",
        f"{loopback.url}/arxiv",
        "--content",
        str(content),
    ]


def test_cli_fetches_corpus_days_like_import(
    loopback: Loopback, corpus_days: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "fetched"
    assert main(cli(loopback, content, "--since", "2026-05-11", "--until", "2026-05-17")) == 0
    out = capsys.readouterr().out
    assert "days: 7 new, 0 changed, 0 unchanged, 2 empty, 0 failed" in out
    assert "requests: 7 (0 retries)" in out
    # Named after mkdocs.yml's repository, read when the command ran.
    assert set(loopback.handler.agents) == {f"{PRODUCT} (+{load_config().repo_url})"}
    source = tmp_path / "responses"
    source.mkdir()
    for path in corpus_days.glob("2026-05-1[1-7].json"):
        (source / path.name).write_bytes(path.read_bytes())
    import_dir(source, tmp_path / "imported", fetched=utc_today())
    # The weekend (16th, 17th) has no recorded response: fetched as empty days, not imported.
    weekdays = {k: v for k, v in snapshot(content).items() if not k.endswith(("6.yaml", "7.yaml"))}
    assert weekdays == snapshot(tmp_path / "imported")


def test_cli_exit_status_is_1_when_a_day_failed(
    loopback: Loopback, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.handler.broken.add("2026-05-12")
    assert main(cli(loopback, tmp_path, "--since", "2026-05-11", "--until", "2026-05-13")) == 1
    out = capsys.readouterr().out
    assert "days: 2 new, 0 changed, 0 unchanged, 0 empty, 1 failed" in out
    assert "failed: 2026-05-12 page 0: got an HTML page instead of JSON" in out
    assert list(load_status(tmp_path)) == ["2026-05-12"]


def test_cli_arxiv_error_feed_is_a_warning(
    loopback: Loopback, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(cli(loopback, tmp_path, "--date", "2026-05-13", "--arxiv")) == 0
    out = capsys.readouterr().out
    assert "days: 1 new" in out
    assert "warning: arXiv enrichment skipped for 50 paper(s)" in out
    assert "arXiv error: incorrect id format for abc" in out
    assert len(load_day(day_path(tmp_path, date(2026, 5, 13))).papers) == 50
