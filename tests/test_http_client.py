"""The HTTP client: retries and their budget, rate limits, bounded bodies, the User-Agent.

Every request goes to httpx.MockTransport with a fake clock, so nothing really sleeps and
nothing leaves the machine. Last, what importing the network side may and may not do.
"""

from __future__ import annotations

import email.utils
import gzip
import json
import subprocess
import sys
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.errors import ApiError
from generator.hf_api import MAX_BODY, RATE_LIMIT
from generator.http_client import (
    PRODUCT,
    TIMEOUT,
    HttpClient,
    RateLimiter,
    RetryPolicy,
    make_client,
    retry_after,
    user_agent,
)
from tests.helpers import FakeClock

ROOT = Path(__file__).resolve().parent.parent
URL = "https://huggingface.co/api/daily_papers"
PARAMS = {"date": "2026-05-28", "limit": "100", "p": "0"}
PAGE_URL = f"{URL}?date=2026-05-28&limit=100&p=0"
AGENT = "daily-papers-archive/0.1 (+https://github.com/owner/repo)"
TOO_LARGE = f"GET {PAGE_URL}: response body is larger than 16 MiB; refused"


Fault = httpx.Response | type[Exception]


class Server:
    """A MockTransport handler playing a script of responses or httpx exception classes,
    then answering 200 with an empty list; it keeps every request it was sent."""

    def __init__(self, *script: Fault) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.script:
            return httpx.Response(200, json=[])
        fault = self.script.pop(0)
        if isinstance(fault, httpx.Response):
            return fault
        raise fault("simulated", request=request)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


Connect = Callable[..., HttpClient]


@pytest.fixture
def connect(clock: FakeClock) -> Iterator[Connect]:
    """Make an HttpClient on a handler, with the fake clock and jitter pinned to its maximum."""
    clients: list[httpx.Client] = []

    def connect(
        handler: Callable[[httpx.Request], httpx.Response],
        policy: RetryPolicy | None = None,
        jitter: float = 1.0,
        limiter: RateLimiter | None = None,
        max_body: int = MAX_BODY,
    ) -> HttpClient:
        client = httpx.Client(transport=httpx.MockTransport(handler))
        clients.append(client)
        return HttpClient(
            client,
            limiter or RateLimiter(clock.time, clock.sleep),
            policy or RetryPolicy(),
            clock.time,
            clock.sleep,
            lambda: jitter,
            agent=AGENT,
            max_body=max_body,
        )

    yield connect
    for client in clients:
        client.close()


# Transient faults: retried, honouring the server's word through the fake sleep.


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_429_retry_after_is_honoured(connect: Connect, clock: FakeClock, form: str) -> None:
    when = email.utils.format_datetime(datetime.fromtimestamp(clock.now + 42, UTC), usegmt=True)
    value = {"seconds": "42", "http-date": when}[form]
    http = connect(Server(httpx.Response(429, headers={"Retry-After": value})))
    assert http.get(URL, PARAMS).status_code == 200
    assert clock.sleeps == [42.0]
    assert (http.requests, http.retries) == (2, 1)


def test_retry_after_forms() -> None:
    assert retry_after(httpx.Headers({"Retry-After": "120"}), 0.0) == 120.0
    assert retry_after(httpx.Headers({"Retry-After": "Thu, 01 Jan 1970 00:01:00 GMT"}), 0.0) == 60
    assert retry_after(httpx.Headers({"Retry-After": "Thu, 01 Jan 1970 00:01:00 GMT"}), 90) == 0
    assert retry_after(httpx.Headers({"RateLimit": '"api";r=0;t=33'}), 0.0) == 33.0
    assert retry_after(httpx.Headers({"Retry-After": "soon"}), 0.0) is None
    assert retry_after(httpx.Headers(), 0.0) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_with_backoff(
    connect: Connect, clock: FakeClock, status: int
) -> None:
    http = connect(Server(httpx.Response(status), httpx.Response(status)))
    assert http.get(URL, PARAMS).status_code == 200
    assert clock.sleeps == [2.0, 4.0]  # base 2 s, doubled; jitter pinned to its maximum
    assert (http.requests, http.retries) == (3, 2)


@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.ConnectError, httpx.ReadError]
)
def test_timeouts_and_connection_errors_are_retried(
    connect: Connect, error: type[Exception]
) -> None:
    http = connect(Server(error))
    assert http.get(URL, PARAMS).status_code == 200
    assert http.retries == 1


def test_jitter_spreads_backoff_between_half_and_full(connect: Connect, clock: FakeClock) -> None:
    connect(Server(httpx.Response(503)), jitter=0.0).get(URL, PARAMS)
    assert clock.sleeps == [1.0]


def test_retry_after_beyond_the_budget_gives_up_without_sleeping(
    connect: Connect, clock: FakeClock
) -> None:
    http = connect(Server(httpx.Response(429, headers={"Retry-After": "3600"})))
    with pytest.raises(ApiError, match="HTTP 429 Too Many Requests; waiting 3600 s more would"):
        http.get(URL, PARAMS)
    assert clock.sleeps == [] and http.requests == 1


def test_total_time_bounds_retries(connect: Connect, clock: FakeClock) -> None:
    server = Server(*[httpx.Response(503, headers={"Retry-After": "100"})] * 5)
    http = connect(server, policy=RetryPolicy(budget=250.0))
    with pytest.raises(ApiError, match="would exceed the retry budget, gave up after 3 attempt"):
        http.get(URL, PARAMS)
    assert clock.sleeps == [100.0, 100.0]  # a third wait would pass 250 s


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_never_retried(connect: Connect, clock: FakeClock, status: int) -> None:
    http = connect(Server(httpx.Response(status)))
    assert http.get(URL, PARAMS).status_code == status  # the caller says what it means
    assert (http.requests, http.retries, clock.sleeps) == (1, 0, [])


# Rate limits.


def test_rate_limiter_stays_under_500_requests_per_5_minutes(clock: FakeClock) -> None:
    limiter = RateLimiter(clock.time, clock.sleep, *RATE_LIMIT)
    sent = []
    for _ in range(1200):
        limiter.wait()
        sent.append(clock.now)
    assert RATE_LIMIT[0] < 500 and RATE_LIMIT[1] == 300.0
    busiest = max(sum(1 for t in sent if start <= t < start + 300) for start in sent)
    assert busiest <= RATE_LIMIT[0]
    assert clock.sleeps  # it did have to wait


def test_rate_limiter_applies_to_retries_too(connect: Connect, clock: FakeClock) -> None:
    limiter = RateLimiter(clock.time, clock.sleep, interval=3.0)
    server = Server(httpx.Response(503))
    http = connect(server, policy=RetryPolicy(base_delay=1.0), jitter=0.0, limiter=limiter)
    assert http.get("https://x.test/", {}).status_code == 200
    assert clock.sleeps == [0.5, 2.5]  # backoff, then the rest of the 3-second interval


# Who is asking, and how long it waits.


def test_requests_name_the_project_and_have_explicit_timeouts(connect: Connect) -> None:
    server = Server()
    connect(server).get(URL, PARAMS)
    request = server.requests[0]
    assert request.headers["User-Agent"] == AGENT
    assert request.headers["Accept-Encoding"] == "gzip, deflate"  # what the client inflates
    assert request.extensions["timeout"] == {
        "connect": 10.0,
        "read": 30.0,
        "write": 30.0,
        "pool": 30.0,
    }


def test_the_real_client_carries_the_same_headers_and_timeouts() -> None:
    with make_client(AGENT) as client:
        assert client.headers["User-Agent"] == AGENT
        assert client.headers["Accept-Encoding"] == "gzip, deflate"
        assert client.timeout == TIMEOUT


def test_user_agent_names_the_repository_of_mkdocs_yml(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_url: https://owner.github.io/repo/\nrepo_url: https://github.com/owner/repo\n",
        "utf-8",
    )
    assert user_agent(config) == AGENT
    assert user_agent().startswith(f"{PRODUCT} (+https://github.com/")  # this repository's


def test_an_unreadable_mkdocs_yml_still_gives_a_user_agent(tmp_path: Path) -> None:
    assert user_agent(tmp_path / "missing.yml") == PRODUCT
    (tmp_path / "mkdocs.yml").write_text("repo_url: not a url\n", "utf-8")
    assert user_agent(tmp_path / "mkdocs.yml") == PRODUCT


# Bodies: streamed, decompressed a bounded amount at a time, never more than max_body.


class Endless(httpx.SyncByteStream):
    """A body that never ends, 1 MiB at a time, counting what was read of it."""

    def __init__(self) -> None:
        self.chunks = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.chunks += 1
            yield b" " * 2**20


def streamed(body: bytes, encoding: str | None = None, status: int = 200) -> httpx.Response:
    """A response whose body the client has to read off the stream, as from a real server."""
    headers = {"Content-Encoding": encoding} if encoding else {}
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))


def traced(http: HttpClient) -> tuple[httpx.Response | ApiError, int]:
    """GET PAGE_URL: the response or the ApiError, and the peak memory Python allocated."""
    tracemalloc.start()
    try:
        try:
            outcome: httpx.Response | ApiError = http.get(URL, PARAMS)
        except ApiError as exc:
            outcome = exc
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_gzip_bomb_is_refused_without_inflating_it(connect: Connect) -> None:
    inflated = 256 * 2**20  # 16 times the cap, in a 1 MB body
    deflater = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(2**20)
    bomb = b"".join([deflater.compress(zeros) for _ in range(inflated // 2**20)])
    bomb += deflater.flush()
    http = connect(Server(streamed(bomb, "gzip")))
    outcome, peak = traced(http)
    assert isinstance(outcome, ApiError) and str(outcome) == TOO_LARGE
    assert (http.requests, http.retries) == (1, 0)  # a bomb is not worth retrying
    assert MAX_BODY == 16 * 2**20 and peak < 3 * MAX_BODY < inflated / 5


def test_endless_body_is_cut_off_at_the_cap(connect: Connect) -> None:
    body = Endless()
    http = connect(Server(httpx.Response(200, stream=body)))
    with pytest.raises(ApiError) as raised:
        http.get(URL, PARAMS)
    assert str(raised.value) == TOO_LARGE
    assert http.requests == 1 and body.chunks == MAX_BODY // 2**20 + 1  # no more read


@pytest.mark.parametrize("encoding", [None, "identity", "gzip", "x-gzip", "deflate"])
def test_streamed_bodies_are_decompressed(connect: Connect, encoding: str | None) -> None:
    text = json.dumps([{"paper": {"id": "2605.00001", "upvotes": 7}}]).encode()
    compress = {"gzip": gzip.compress, "x-gzip": gzip.compress, "deflate": zlib.compress}
    http = connect(Server(streamed(compress.get(encoding or "", bytes)(text), encoding)))
    response = http.get(URL, PARAMS)
    assert response.content == text
    assert "Content-Encoding" not in response.headers  # it describes bytes no longer there


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (streamed(b"not gzip", "gzip"), "gzip body does not decompress: Error -3"),
        (streamed(gzip.compress(b"[]" * 1000)[:-20], "gzip"), "gzip body is cut short"),
        (streamed(b"[]", "br"), "unsupported Content-Encoding 'br'"),
        (streamed(b"[]", "gzip, gzip"), "unsupported Content-Encoding 'gzip, gzip'"),
    ],
    ids=["not-gzip", "cut-short", "brotli", "gzip-twice"],
)
def test_undecodable_bodies_are_refused_naming_the_url(
    connect: Connect, response: httpx.Response, error: str
) -> None:
    http = connect(Server(response))
    with pytest.raises(ApiError) as raised:
        http.get(URL, PARAMS)
    assert str(raised.value).startswith(f"GET {PAGE_URL}: {error}")
    assert http.retries == 0


def test_redirects_are_followed_without_reading_their_bodies(connect: Connect) -> None:
    bomb = zlib.compress(bytes(64 * 2**20), 1)  # a redirect's body is never even inflated
    moved = "https://huggingface.co/api/moved?date=2026-05-28&limit=100&p=0"
    headers = {"Location": moved, "Content-Encoding": "deflate"}
    server = Server(httpx.Response(302, headers=headers, stream=httpx.ByteStream(bomb)))
    http = connect(server)
    outcome, peak = traced(http)
    assert isinstance(outcome, httpx.Response) and outcome.status_code == 200
    assert http.requests == 1  # one request as the rate limit counts it, redirects and all
    assert [str(r.url) for r in server.requests] == [PAGE_URL, moved]
    assert peak < 16 * 2**20


def test_a_redirect_loop_is_refused(connect: Connect) -> None:
    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": str(request.url)})

    http = connect(loop)
    with pytest.raises(ApiError, match=f"^GET {URL}: more than 20 redirects$"):
        http.get(URL, PARAMS)
    assert http.requests == 1


def test_body_already_read_is_capped_too(connect: Connect) -> None:
    # httpx.MockTransport hands over responses built from bytes with the body already read.
    http = connect(Server(httpx.Response(200, content=b" " * 1001)), max_body=1000)
    with pytest.raises(ApiError, match="response body is larger than"):
        http.get(URL, PARAMS)
    at_cap = connect(Server(httpx.Response(200, content=b" " * 1000)), max_body=1000)
    assert at_cap.get(URL, PARAMS).status_code == 200


# Importing: the read model leaves the network side alone, and nothing reads files.

READ_MODEL = ["build", "archive", "pages", "feeds", "data", "search", "validate"]
NETWORK_SIDE = [
    "generator.fetch",
    "generator.hf_api",
    "generator.arxiv_api",
    "generator.http_client",
    "httpx",
]


def _python(code: str, cwd: Path) -> Any:
    """Run code in a fresh interpreter (with this repository importable); its printed JSON."""
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r})\n{code}"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_read_model_imports_nothing_from_the_network_side(tmp_path: Path) -> None:
    here = ROOT / "generator"
    modules = [n for n in READ_MODEL if (here / f"{n}.py").exists() or (here / n).is_dir()]
    assert "search" in modules  # a package, not a module: both count
    loaded = _python(
        f"import json\nfor name in {modules!r}: __import__('generator.' + name)\n"
        "print(json.dumps(sorted(sys.modules)))",
        tmp_path,
    )
    assert "generator.build" in loaded  # the imports did happen
    assert [name for name in NETWORK_SIDE if name in loaded] == []


def test_importing_any_generator_module_reads_no_file_of_the_project(tmp_path: Path) -> None:
    # An audit hook sees every open(), whoever makes it; Python's own files (.py, .pyc,
    # extension modules) and installed packages' data are not the project's. fetch once read
    # mkdocs.yml here, for its User-Agent.
    opened = _python(
        "import json, pkgutil\nseen = []\n"
        "def hook(event, args):\n"
        "    if event == 'open':\n"
        "        seen.append(str(args[0]))\n"
        "sys.addaudithook(hook)\n"
        "import generator\n"
        "for module in pkgutil.iter_modules(generator.__path__):\n"
        "    __import__('generator.' + module.name)\n"
        "print(json.dumps(seen))",
        tmp_path,
    )
    project = [
        path
        for path in opened
        if Path(path).is_relative_to(ROOT)
        and not Path(path).is_relative_to(Path(sys.prefix))
        and not path.endswith((".py", ".pyc", ".so"))
    ]
    assert str(ROOT / "generator" / "fetch.py") in opened  # the hook does see the imports
    assert project == []
