"""The Hugging Face daily-papers API: turn its responses into the archive's papers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from .errors import ApiError
from .models import clean_text, order_paper, versionless_id

API_URL = "https://huggingface.co/api/daily_papers"
# The most bytes one response body (or recorded response file) may have, decompressed. The
# largest recorded day is 0.35 MB; a full page of 100 papers with 600-author lists stays a few
# MB. Parsing costs up to ~25x the body in memory (16 MiB of "[{},{},...]" peaks at 430 MB), so
# the cap is what bounds the memory of a hostile or broken response.
MAX_BODY = 16 * 1024 * 1024
# Hugging Face allows 500 requests per 5 minutes per IP anonymously; keep a margin. As
# (requests, seconds) for http_client.RateLimiter; arxiv_api.INTERVAL is arXiv's counterpart.
RATE_LIMIT = (450, 300.0)


def too_large(source: str, what: str = "response") -> ApiError:
    """The error for a body over MAX_BODY, naming where it came from."""
    return ApiError(f"{source}: {what} is larger than {MAX_BODY >> 20} MiB; refused")


@dataclass
class ParsedDay:
    """The usable papers of one response, and a warning for each item left out."""

    papers: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_response(body: bytes | str, source: str) -> ParsedDay:
    """Parse one daily_papers response body (a JSON array); raise ApiError if it is unusable."""
    if len(body) > MAX_BODY:
        raise too_large(source)
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError(f"{source}: response is not UTF-8 (byte {exc.start})") from exc
    stripped = body.lstrip()
    if stripped.startswith("<"):
        raise ApiError(f"{source}: got an HTML page instead of JSON")
    try:
        items = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ApiError(
            f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError:
        # json's depth limit is the interpreter's recursion limit (1000); real responses nest 6.
        raise ApiError(f"{source}: JSON nested too deeply; refused") from None
    if not isinstance(items, list):
        raise ApiError(f"{source}: expected a JSON array of papers, got {type(items).__name__}")
    parsed = ParsedDay()
    seen: set[str] = set()
    for index, item in enumerate(items):
        try:
            paper = normalise_item(item)
        except ApiError as exc:
            parsed.warnings.append(f"{source}: item {index}: skipped: {exc}")
            continue
        if paper["id"] in seen:
            parsed.warnings.append(f"{source}: item {index}: paper {paper['id']} listed twice")
            continue
        seen.add(paper["id"])
        parsed.papers.append(paper)
    return parsed


def normalise_item(item: Any) -> dict[str, Any]:
    """Turn one API item into an archive paper; raise ApiError when id or title is unusable."""
    if not isinstance(item, dict):
        raise ApiError(f"expected an object, got {type(item).__name__}")
    inner = item.get("paper")
    if not isinstance(inner, dict):
        raise ApiError("no 'paper' object")
    raw_id = inner.get("id")
    paper_id = versionless_id(raw_id) if isinstance(raw_id, str) else None
    if paper_id is None:
        raise ApiError(f"'paper.id' is not an arXiv id: {raw_id!r}")
    # paper.title is plain text; the top-level title keeps raw LaTeX such as "$^2$".
    title = _text(inner.get("title")) or _text(item.get("title"))
    if not title:
        raise ApiError(f"paper {paper_id} has no title")

    organization = _mapping(inner.get("organization")) or _mapping(item.get("organization"))
    submitter = _mapping(inner.get("submittedOnDailyBy"))
    submitted_by = _mapping(item.get("submittedBy"))
    media = _urls(inner.get("mediaUrls")) or _urls(item.get("mediaUrls"))
    media += [url for url in _urls([item.get("mediaUrl")]) if url not in media]

    paper: dict[str, Any] = {
        "id": paper_id,
        "title": title,
        "authors": _authors(inner.get("authors")),
        "published": _date(inner.get("publishedAt")),
        "upvotes": _count(inner.get("upvotes")),
        "comments": _count(item.get("numComments")),
        "github": _url(inner.get("githubRepo")),
        "github_stars": _count(inner.get("githubStars")),
        "project_page": _url(inner.get("projectPage")),
        "organization": _text(organization.get("name")),
        "organization_name": _text(organization.get("fullname")),
        "submitter": _text(submitter.get("user")) or _text(submitted_by.get("name")),
        "submitter_name": _text(submitter.get("fullname")) or _text(submitted_by.get("fullname")),
        "thumbnail": _url(item.get("thumbnail")),
        "media": media,
        "withdrawn": _date(inner.get("withdrawnAt")),
        "ai_keywords": _keywords(inner.get("ai_keywords")),
        "ai_summary": _text(inner.get("ai_summary")),
        "abstract": _text(inner.get("summary")) or _text(item.get("summary")),
    }
    if paper["upvotes"] is None:
        paper["upvotes"] = 0
    if paper["github"] is None:
        paper["github_stars"] = None  # stars without a repository mean nothing
    return order_paper(paper)


def _text(value: Any) -> str | None:
    return clean_text(value) or None if isinstance(value, str) else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> int | None:
    # bool is an int in Python; a JSON true is no count.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _url(value: Any) -> str | None:
    text = _text(value)
    if text and text.startswith(("https://", "http://")) and not any(c.isspace() for c in text):
        return text
    return None


def _urls(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    urls: list[str] = []
    for value in values:
        url = _url(value)
        if url and url not in urls:
            urls.append(url)
    return urls


def _date(value: Any) -> str | None:
    # ISO timestamps such as "2026-05-28T00:00:00.000Z": the UTC calendar date.
    text = _text(value)
    try:
        return date.fromisoformat(text[:10]).isoformat() if text else None
    except ValueError:
        return None


def _authors(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    names = (_text(a.get("name")) for a in values if isinstance(a, dict))
    return [name for name in names if name]


def _keywords(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    keywords: list[str] = []
    for value in values:
        keyword = _text(value)
        if keyword and keyword not in keywords:
            keywords.append(keyword)
    return keywords


# Fetching: the one part of this module that talks to the network, through an injected getter.

PAGE_LIMIT = 100  # the API's default of 50 silently truncates busy days
MAX_PAGES = 20  # a day has never listed more than a few pages; stop a runaway server

# (url, query parameters) -> the final response; retries, timeouts and rate limiting are the
# getter's business (http_client.HttpClient), so this module stays testable without a network.
Getter = Callable[[str, dict[str, str]], httpx.Response]


def fetch_day(get: Getter, day: date, api_url: str = API_URL) -> ParsedDay:
    """Fetch every page of one list day (`limit=100&p=0,1,...`); raise ApiError if unusable."""
    fetched = ParsedDay()
    seen: set[str] = set()
    for page in range(MAX_PAGES):
        source = f"{day} page {page}"
        params = {"date": day.isoformat(), "limit": str(PAGE_LIMIT), "p": str(page)}
        try:
            response = get(api_url, params)
        except ApiError as exc:
            raise ApiError(f"{source}: {exc}") from exc
        if response.status_code != 200:
            raise ApiError(
                f"{source}: HTTP {response.status_code} {response.reason_phrase} "
                f"from {response.request.url}"
            )
        parsed = parse_response(response.content, source)
        fetched.warnings += parsed.warnings
        new = [paper for paper in parsed.papers if paper["id"] not in seen]
        seen.update(paper["id"] for paper in new)
        fetched.papers += new
        # parse_response turns each item into a paper or a warning, so their sum is the page
        # size. A short page is the last; a page with nothing new means `p` was ignored.
        if len(parsed.papers) + len(parsed.warnings) < PAGE_LIMIT or (parsed.papers and not new):
            return fetched
    raise ApiError(f"{day}: more than {MAX_PAGES} pages of {PAGE_LIMIT}; refusing to go on")
