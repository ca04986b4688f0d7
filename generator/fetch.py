"""`fetch`: bring content/ up to date from the Hugging Face API, optionally enriched by arXiv.

The only code that touches the network. A day is written only after every page of it was
fetched and parsed; a day that fails keeps its file byte-identical and gets an entry in
content/fetch-status.yaml until a later fetch of it succeeds.
"""

from __future__ import annotations

import contextlib
import email.utils
import random
import re
import time
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from . import arxiv_api, hf_api, yamlfile
from .arxiv_api import BATCH_SIZE
from .content import day_path, load_day, save_day
from .errors import ApiError, ArchiveError
from .models import REFRESH_DAYS
from .progress import progress_bar
from .summary import Summary
from .validate import (
    FIRST_DAY,
    LAST_DAY,
    OUT_OF_RANGE,
    STATUS_FILE,
    check_content,
    check_status_file,
)


def _user_agent() -> str:
    """Named so Hugging Face and arXiv can tell who is calling: mkdocs.yml's repo_url."""
    from .config import load_config

    try:
        return f"daily-papers-archive/0.1 (+{load_config().repo_url})"
    except ArchiveError:  # an unreadable mkdocs.yml must not stop the nightly fetch
        return "daily-papers-archive/0.1"


USER_AGENT = _user_agent()
# Only encodings _read_body can inflate a bounded amount at a time (httpx would also ask for
# br and zstd were their packages installed).
HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
# Bytes read off the wire at a time: 64 KiB of gzip inflate to at most ~66 MB, but the inflater
# is told how much room is left under the cap, so no more than that is ever held.
READ_CHUNK = 64 * 1024
MAX_REDIRECTS = 20  # as httpx's own default
# Explicit, since a hung socket would otherwise stall the nightly job until CI kills it.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Hugging Face allows 500 requests per 5 minutes per IP anonymously; keep a margin.
HF_LIMIT = (450, 300.0)
STATUS_HEADER = (
    "# Days whose last fetch failed: day -> {failed: date of that fetch, error: why}.\n"
    "# Written by `python -m generator fetch`; an entry goes when the day is fetched again.\n"
)

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def utc_today() -> date:
    """Today's date in UTC, the calendar Hugging Face lists days in."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one request before giving up on it."""

    attempts: int = 5  # tries in all, the first one included
    base_delay: float = 2.0  # seconds before the first retry; doubles each time
    max_delay: float = 60.0  # cap on one backoff delay
    # Seconds one request may take, waits included: a bit over one 5-minute rate window,
    # so a 429 whose Retry-After runs to the end of the window is still honoured.
    budget: float = 330.0


class RateLimiter:
    """Keep requests under `limit` per `window` seconds and at least `interval` apart."""

    def __init__(
        self, clock: Clock, sleep: Sleep, limit: int = 0, window: float = 0.0, interval: float = 0.0
    ) -> None:
        self.clock, self.sleep = clock, sleep
        self.limit, self.window, self.interval = limit, window, interval
        self.sent: deque[float] = deque()

    def wait(self) -> None:
        """Sleep until the next request is allowed, then count it as sent."""
        now = self.clock()
        delay = self.sent[-1] + self.interval - now if self.interval and self.sent else 0.0
        while self.sent and self.sent[0] <= now - self.window:
            self.sent.popleft()
        if self.limit and len(self.sent) >= self.limit:
            delay = max(delay, self.sent[-self.limit] + self.window - now)
        if delay > 0:
            self.sleep(delay)
        self.sent.append(self.clock())


def retry_after(headers: httpx.Headers, now: float) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP-date) or RateLimit's `t=`, if given."""
    value = headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        with contextlib.suppress(TypeError, ValueError):
            when = email.utils.parsedate_to_datetime(value)
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            return max(0.0, when.timestamp() - now)
    # Hugging Face's 429s carry the IETF draft header, e.g. `RateLimit: "api";r=0;t=120`.
    reset = re.search(r"\bt=(\d+)", headers.get("RateLimit", ""))
    return float(reset[1]) if reset else None


class HttpClient:
    """GET with explicit timeouts, a User-Agent, a rate limiter and bounded retries."""

    def __init__(
        self,
        client: httpx.Client,
        limiter: RateLimiter,
        policy: RetryPolicy,
        clock: Clock,
        sleep: Sleep,
        jitter: Callable[[], float],
    ) -> None:
        self.client, self.limiter, self.policy = client, limiter, policy
        self.clock, self.sleep, self.jitter = clock, sleep, jitter
        self.requests = 0
        self.retries = 0
        self.max_body = hf_api.MAX_BODY  # decompressed bytes of one response body

    def get(self, url: str, params: dict[str, str]) -> httpx.Response:
        """The final response (success or a status not worth retrying); ApiError if none came."""
        start = self.clock()
        for attempt in range(1, self.policy.attempts + 1):
            outcome = self._send(url, params)
            if isinstance(outcome, httpx.Response) and outcome.status_code not in RETRY_STATUSES:
                return outcome
            reason = _reason(outcome)
            delay = self._delay(attempt, outcome)
            if attempt == self.policy.attempts:
                break
            if self.clock() - start + delay > self.policy.budget:
                reason += f"; waiting {delay:.0f} s more would exceed the retry budget"
                break
            self.retries += 1
            self.sleep(delay)
        where = httpx.URL(url, params=params)
        raise ApiError(f"{reason}, gave up after {attempt} attempt(s): GET {where}")

    def _send(self, url: str, params: dict[str, str]) -> httpx.Response | str:
        """One attempt: a response, or why a transient transport failure happened.

        The body is streamed and decompressed here, at most `max_body` bytes of it: a bigger
        one (a gzip bomb, a runaway server) is an ApiError naming the URL, never retried.
        Redirects are followed here too, since httpx would read a redirect's body whole.
        """
        self.limiter.wait()
        self.requests += 1
        try:
            request = self.client.build_request(
                "GET", url, params=params, headers=HEADERS, timeout=TIMEOUT
            )
            for _ in range(MAX_REDIRECTS + 1):
                response = self.client.send(request, stream=True, follow_redirects=False)
                try:
                    if response.next_request is None:  # no redirect: the answer
                        return _read_body(response, self.max_body)
                    request = response.next_request  # its body is never read
                finally:
                    response.close()
        except httpx.TimeoutException as exc:
            return f"timed out ({type(exc).__name__})"
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            return f"connection failed ({type(exc).__name__}: {exc})"
        except httpx.HTTPError as exc:  # a bad URL, an unsupported protocol, ...: not transient
            raise ApiError(f"GET {url}: {type(exc).__name__}: {exc}") from exc
        raise ApiError(f"GET {url}: more than {MAX_REDIRECTS} redirects")

    def _delay(self, attempt: int, outcome: httpx.Response | str) -> float:
        """Seconds before the next attempt: the server's word, else backoff with jitter."""
        if isinstance(outcome, httpx.Response):
            told = retry_after(outcome.headers, self.clock())
            if told is not None:
                return told
        backoff = min(self.policy.max_delay, self.policy.base_delay * 2 ** (attempt - 1))
        # "Equal jitter": spread out retrying clients but keep at least half the backoff.
        return backoff * (0.5 + self.jitter() / 2)


def _reason(outcome: httpx.Response | str) -> str:
    if isinstance(outcome, str):
        return outcome
    return f"HTTP {outcome.status_code} {outcome.reason_phrase}".strip()


def _read_body(response: httpx.Response, limit: int) -> httpx.Response:
    """The response with its body read, decompressed, and at most limit bytes; else ApiError."""
    where = f"GET {response.request.url}"
    if response.is_stream_consumed:  # built from bytes already in memory (httpx.MockTransport)
        if len(response.content) > limit:
            raise hf_api.too_large(where, "response body")
        return response
    codings = [c.strip().lower() for c in response.headers.get("Content-Encoding", "").split(",")]
    codings = [c for c in codings if c not in ("", "identity")]
    if codings not in ([], ["gzip"], ["x-gzip"], ["deflate"]):
        raise ApiError(f"{where}: unsupported Content-Encoding {', '.join(codings)!r}")
    # 32 + MAX_WBITS: a gzip or zlib header, whichever comes (deflate means zlib-wrapped).
    inflater = zlib.decompressobj(32 + zlib.MAX_WBITS) if codings else None
    body = bytearray()
    try:
        for raw in response.iter_raw(READ_CHUNK):
            if inflater is None:
                body += raw
            else:  # inflate no more than one byte past the cap, however small the input
                while raw and len(body) <= limit:
                    body += inflater.decompress(raw, limit + 1 - len(body))
                    raw = inflater.unconsumed_tail
            if len(body) > limit:
                raise hf_api.too_large(where, "response body")
        if inflater is not None:
            body += inflater.flush()
            if not inflater.eof:
                raise ApiError(f"{where}: {codings[0]} body is cut short")
    except zlib.error as exc:
        raise ApiError(f"{where}: {codings[0]} body does not decompress: {exc}") from exc
    if len(body) > limit:
        raise hf_api.too_large(where, "response body")
    headers = httpx.Headers(response.headers)
    for name in ("Content-Encoding", "Content-Length"):  # they describe the bytes on the wire
        headers.pop(name, None)
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=bytes(body),
        request=response.request,
        extensions=response.extensions,
    )


def make_client() -> httpx.Client:
    """The real HTTP client (timeouts and headers are also set on every request)."""
    return httpx.Client(timeout=TIMEOUT, headers=HEADERS)


# Which days to fetch.


def date_range(first: date, last: date) -> list[date]:
    """Every day from first to last, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def refresh_window(today: date) -> list[date]:
    """Today and the REFRESH_DAYS days before it: the days whose lists may still change."""
    return date_range(today - timedelta(days=REFRESH_DAYS), today)


def gap_days(content: Path, today: date) -> list[date]:
    """Every day from the first archived day to today that has no day file."""
    checked = check_content(content)  # what a build reads, so what it builds
    checked.raise_problems()
    have = {date.fromisoformat(day["date"]) for day in checked.days}
    if not have:
        raise ArchiveError(f"{content}: no archived day to look for gaps after; use --since")
    return [day for day in date_range(min(have), today) if day not in have]


def choose_days(
    content: Path,
    today: date,
    *,
    day: date | None = None,
    since: date | None = None,
    until: date | None = None,
    gaps: bool = False,
) -> list[date]:
    """The days a fetch run asks for, from the command-line mode (default: refresh window)."""
    if until is not None and since is None:
        raise ArchiveError("--until needs --since")
    if day is not None:
        days = [day]
    elif since is not None:
        last = until or today
        if since > last:
            raise ArchiveError(f"--since {since} is after --until {last}")
        days = date_range(since, last)
    else:
        days = gap_days(content, today) if gaps else refresh_window(today)
    if days and days[-1] > today:
        raise ArchiveError(f"{days[-1]} is in the future (today is {today} UTC)")
    outside = [d for d in days[:1] + days[-1:] if not FIRST_DAY <= d <= LAST_DAY]
    if outside:
        raise ArchiveError(f"{outside[0]} {OUT_OF_RANGE}")
    return days


# content/fetch-status.yaml


def load_status(content: Path) -> dict[str, dict[str, str]]:
    """Days whose last fetch failed, as {YYYY-MM-DD: {failed, error}}, checked as `validate`
    checks them."""
    return check_status_file(content / STATUS_FILE)


def save_status(content: Path, status: dict[str, dict[str, str]]) -> None:
    """Write the status file, sorted by day; remove it when no day has failed."""
    path = content / STATUS_FILE
    if not status:
        path.unlink(missing_ok=True)
        return
    entries = {day: dict(status[day]) for day in sorted(status)}
    yamlfile.write_atomic(path, yamlfile.dump(entries, header=STATUS_HEADER))


# The run.


@dataclass
class Options:
    """Settings of one fetch run; tests inject today, the clock, sleep and jitter."""

    today: date = field(default_factory=utc_today)
    api_url: str = hf_api.API_URL
    arxiv: bool = False  # enrich papers from the arXiv export API
    arxiv_url: str = arxiv_api.API_URL
    clock: Clock = time.time  # wall time: Retry-After may be an HTTP date
    sleep: Sleep = time.sleep
    jitter: Callable[[], float] = random.random
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    progress: bool = False  # show a progress bar (long backfills)


@dataclass
class _Pending:
    """A fetched day waiting for its arXiv batch before it is written."""

    day: date
    papers: list[dict[str, Any]]
    wanted: list[str]  # ids to ask arXiv about


def fetch(
    client: httpx.Client, content: Path, days: Sequence[date], options: Options | None = None
) -> Summary:
    """Fetch days into content/; each day is saved or failed on its own."""
    return _Run(client, content, options or Options()).run(days)


class _Run:
    """One fetch run: gather a few days, enrich them in one arXiv batch, write them."""

    def __init__(self, client: httpx.Client, content: Path, options: Options) -> None:
        self.content, self.options = content, options
        clock, sleep = options.clock, options.sleep
        hf_limiter = RateLimiter(clock, sleep, *HF_LIMIT)
        arxiv_limiter = RateLimiter(clock, sleep, interval=arxiv_api.INTERVAL)
        self.hf = HttpClient(client, hf_limiter, options.policy, clock, sleep, options.jitter)
        self.arxiv = HttpClient(client, arxiv_limiter, options.policy, clock, sleep, options.jitter)
        self.summary = Summary()
        self.status = load_status(content)
        self.pending: list[_Pending] = []
        self.papers = 0
        self.arxiv_skipped: list[str] = []
        self.arxiv_error: str | None = None

    def run(self, days: Sequence[date]) -> Summary:
        """Fetch every day in order, then report requests, retries and skipped enrichment."""
        with self._progress(len(days)) as advance:
            for day in days:
                self.fetch_day(day)
                advance(1, description=f"fetching ({self.papers} papers)")
            self.flush()
        self.summary.requests = self.hf.requests + self.arxiv.requests
        self.summary.retries = self.hf.retries + self.arxiv.retries
        if self.arxiv_skipped:
            self.summary.warnings.append(
                f"arXiv enrichment skipped for {len(self.arxiv_skipped)} paper(s) "
                f"({arxiv_api.few(self.arxiv_skipped)}); stored arXiv data kept: "
                f"{self.arxiv_error}"
            )
        return self.summary

    def _progress(self, total: int) -> contextlib.AbstractContextManager[Callable[..., None]]:
        if self.options.progress:
            return progress_bar("fetching", total)
        return contextlib.nullcontext(lambda *args, **kwargs: None)

    def fetch_day(self, day: date) -> None:
        """Fetch one day; queue it for writing, or record why it failed."""
        try:
            parsed = hf_api.fetch_day(self.hf.get, day, self.options.api_url)
            wanted = self.arxiv_wanted(day, parsed.papers) if self.options.arxiv else []
        except ArchiveError as exc:
            self.fail(day, exc)
            return
        self.summary.warnings += parsed.warnings
        self.papers += len(parsed.papers)
        self.pending.append(_Pending(day, parsed.papers, wanted))
        # With --arxiv, hold days back until their papers fill one arXiv batch.
        if not self.options.arxiv or sum(len(p.wanted) for p in self.pending) >= BATCH_SIZE:
            self.flush()

    def arxiv_wanted(self, day: date, papers: list[dict[str, Any]]) -> list[str]:
        """Ids to ask arXiv about: all in the refresh window, else those never enriched."""
        if day >= self.options.today - timedelta(days=REFRESH_DAYS):
            return [paper["id"] for paper in papers]
        path = day_path(self.content, day)
        stored = load_day(path).papers if path.exists() else []
        enriched = {paper["id"] for paper in stored if paper.get("arxiv")}
        return [paper["id"] for paper in papers if paper["id"] not in enriched]

    def flush(self) -> None:
        """Enrich the pending days in arXiv batches, then write each of them."""
        pending, self.pending = self.pending, []
        found = self.enrich([i for p in pending for i in p.wanted])
        for item in pending:
            # A paper arXiv did not answer for keeps its stored `arxiv` through the merge.
            papers = [
                {**paper, "arxiv": found[paper["id"]]} if paper["id"] in found else paper
                for paper in item.papers
            ]
            self.save(item.day, papers)

    def enrich(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """arXiv mappings for ids; after one failure the run asks arXiv nothing more."""
        if not ids:
            return {}
        if self.arxiv_error is not None:
            self.arxiv_skipped += ids
            return {}
        result = arxiv_api.enrich(self.arxiv.get, ids, self.options.today, self.options.arxiv_url)
        self.summary.warnings += result.warnings
        self.arxiv_skipped += result.skipped
        self.arxiv_error = result.error
        return result.found

    def save(self, day: date, papers: list[dict[str, Any]]) -> None:
        """Merge and write one day, and clear its failure entry."""
        try:
            result = save_day(self.content, day, papers, fetched=self.options.today)
        except ArchiveError as exc:
            self.fail(day, exc)
            return
        self.summary.record(result)
        self.set_status(day, None)

    def fail(self, day: date, exc: ArchiveError) -> None:
        """Count a failed day and record it in the status file; its day file is untouched."""
        message = " ".join(str(exc).split())  # one line
        if not message.startswith(day.isoformat()):
            message = f"{day}: {message}"
        self.summary.failed.append(message)
        self.set_status(day, {"failed": self.options.today.isoformat(), "error": message})

    def set_status(self, day: date, entry: dict[str, str] | None) -> None:
        """Update one day's entry in content/fetch-status.yaml, written at once if it changed."""
        key = day.isoformat()
        if self.status.get(key) == entry:
            return
        if entry is None:
            del self.status[key]
        else:
            self.status[key] = entry
        save_status(self.content, self.status)
