"""The HTTP client `fetch` talks through: timeouts, a User-Agent, rate limits, bounded retries.

It knows no server: each API's own limits (hf_api.RATE_LIMIT, hf_api.MAX_BODY,
arxiv_api.INTERVAL) live with that API and are handed in by `fetch`. Nothing here reads a file
or the configuration when imported; `user_agent` reads mkdocs.yml when a run asks for it.
"""

from __future__ import annotations

import contextlib
import email.utils
import re
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import httpx

from .config import MKDOCS_YML, load_config
from .errors import ApiError, ArchiveError

PRODUCT = "daily-papers-archive/0.1"  # the User-Agent when mkdocs.yml cannot say whose copy
# Only encodings _read_body can inflate a bounded amount at a time (httpx would also ask for
# br and zstd were their packages installed).
ACCEPT_ENCODING = "gzip, deflate"
# Bytes read off the wire at a time: 64 KiB of gzip inflate to at most ~66 MB, but the inflater
# is told how much room is left under the cap, so no more than that is ever held.
READ_CHUNK = 64 * 1024
MAX_REDIRECTS = 20  # as httpx's own default
# Explicit, since a hung socket would otherwise stall the nightly job until CI kills it.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def user_agent(config: Path = MKDOCS_YML) -> str:
    """Named so Hugging Face and arXiv can tell who is calling: mkdocs.yml's repo_url."""
    try:
        return f"{PRODUCT} (+{load_config(config).repo_url})"
    except ArchiveError:  # an unreadable mkdocs.yml must not stop the nightly fetch
        return PRODUCT


def request_headers(agent: str) -> dict[str, str]:
    """The headers every request carries."""
    return {"User-Agent": agent, "Accept-Encoding": ACCEPT_ENCODING}


def make_client(agent: str) -> httpx.Client:
    """The real HTTP client (timeouts and headers are also set on every request)."""
    return httpx.Client(timeout=TIMEOUT, headers=request_headers(agent))


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
        *,
        agent: str,
        max_body: int,  # decompressed bytes of one response body
    ) -> None:
        self.client, self.limiter, self.policy = client, limiter, policy
        self.clock, self.sleep, self.jitter = clock, sleep, jitter
        self.headers, self.max_body = request_headers(agent), max_body
        self.requests = 0
        self.retries = 0

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
                "GET", url, params=params, headers=self.headers, timeout=TIMEOUT
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


def _too_large(where: str, limit: int) -> ApiError:
    return ApiError(f"{where}: response body is larger than {limit >> 20} MiB; refused")


def _read_body(response: httpx.Response, limit: int) -> httpx.Response:
    """The response with its body read, decompressed, and at most limit bytes; else ApiError."""
    where = f"GET {response.request.url}"
    if response.is_stream_consumed:  # built from bytes already in memory (httpx.MockTransport)
        if len(response.content) > limit:
            raise _too_large(where, limit)
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
                raise _too_large(where, limit)
        if inflater is not None:
            body += inflater.flush()
            if not inflater.eof:
                raise ApiError(f"{where}: {codings[0]} body is cut short")
    except zlib.error as exc:
        raise ApiError(f"{where}: {codings[0]} body does not decompress: {exc}") from exc
    if len(body) > limit:
        raise _too_large(where, limit)
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
