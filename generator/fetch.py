"""`fetch`: bring content/ up to date from the Hugging Face API, optionally enriched by arXiv.

Which days to ask for, and the run: it asks through http_client, reads the answers with hf_api
and arxiv_api, and writes through content. A day is written only after every page of it was
fetched and parsed; a day that fails keeps its file byte-identical and gets an entry in
content/fetch-status.yaml until a later fetch of it succeeds.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from . import arxiv_api, hf_api
from .arxiv_api import BATCH_SIZE
from .content import day_path, load_day, load_status, save_day, save_status
from .errors import ArchiveError
from .http_client import PRODUCT, Clock, HttpClient, RateLimiter, RetryPolicy, Sleep
from .models import REFRESH_DAYS
from .progress import progress_bar
from .summary import Summary
from .validate import FIRST_DAY, LAST_DAY, OUT_OF_RANGE, check_content


def utc_today() -> date:
    """Today's date in UTC, the calendar Hugging Face lists days in."""
    return datetime.now(UTC).date()


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
    # The command line passes http_client.user_agent(), which names the archive's repository.
    user_agent: str = PRODUCT


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
        hf_limiter = RateLimiter(options.clock, options.sleep, *hf_api.RATE_LIMIT)
        arxiv_limiter = RateLimiter(options.clock, options.sleep, interval=arxiv_api.INTERVAL)
        self.hf = self._client(client, hf_limiter)
        self.arxiv = self._client(client, arxiv_limiter)
        self.summary = Summary()
        self.status = load_status(content)
        self.pending: list[_Pending] = []
        self.papers = 0
        self.arxiv_skipped: list[str] = []
        self.arxiv_error: str | None = None

    def _client(self, client: httpx.Client, limiter: RateLimiter) -> HttpClient:
        options = self.options
        return HttpClient(
            client,
            limiter,
            options.policy,
            options.clock,
            options.sleep,
            options.jitter,
            agent=options.user_agent,
            max_body=hf_api.MAX_BODY,  # arxiv_api.parse_xml has the same cap
        )

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
