"""hf_api: daily_papers responses into the archive's papers; every refusal names its cause.

Recorded corpus days (2024-03 to 2026-05, through the corpus_days fixture) show what the API
really sent; tests.helpers.api_item builds what the corpus lacks. fetch_day runs on a getter
answering from a list of items, so nothing leaves the machine.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.errors import ApiError
from generator.hf_api import (
    API_URL,
    MAX_BODY,
    MAX_PAGES,
    PAGE_LIMIT,
    Getter,
    fetch_day,
    normalise_item,
    parse_response,
)
from generator.models import PAPER_FIELDS
from tests.helpers import api_item

DAY = date(2026, 5, 28)
SOURCE = "2026-05-28 page 0"  # how fetch_day names page 0 of 2026-05-28
HTML = "got an HTML page instead of JSON"


def corpus_item(corpus_days: Path, day: str, index: int) -> dict[str, Any]:
    """Item `index` of a recorded day, as the API sent it."""
    return json.loads((corpus_days / f"{day}.json").read_text("utf-8"))[index]


def body(items: list[Any]) -> bytes:
    return json.dumps(items).encode()


def refusal(item: Any) -> str:
    """The ApiError text normalise_item raises for item."""
    with pytest.raises(ApiError) as caught:
        normalise_item(item)
    return str(caught.value)


# Unusable responses: refused whole, naming the source and the cause.


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<!DOCTYPE html><html><body>Bad gateway</body></html>", HTML),
        ("\r\n  <html><body>502</body></html>", HTML),
        (
            '[{"paper": {"id": "2605.00001", "title": "Cut',
            "invalid JSON at line 1 column 42: Unterminated string starting at",
        ),
        ('{"error": "Invalid date"}', "expected a JSON array of papers, got dict"),
        ("null", "expected a JSON array of papers, got NoneType"),
        ("[" * 100_000, "JSON nested too deeply; refused"),  # was "internal error: RecursionError"
        ('[{"paper": ' * 50_000, "JSON nested too deeply; refused"),
    ],
    ids="html html-indented truncated-json object null-body nested-arrays nested-objects".split(),
)
def test_unusable_response_is_refused_naming_the_cause(text: str, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_response(text.encode(), SOURCE)
    assert str(caught.value) == f"{SOURCE}: {error}"


def test_a_body_not_in_utf8_is_refused_at_its_first_bad_byte() -> None:
    latin1 = '[{"paper": {"title": "café"}}]'.encode("latin-1")
    with pytest.raises(ApiError) as caught:
        parse_response(latin1, SOURCE)
    assert str(caught.value) == f"{SOURCE}: response is not UTF-8 (byte 25)"  # the é


def test_a_body_over_max_body_is_refused_before_it_is_parsed() -> None:
    assert parse_response(b"[]" + b" " * (MAX_BODY - 2), SOURCE).papers == []  # just fits
    for oversized in (b"[]" + b" " * (MAX_BODY - 1), "[]" + " " * (MAX_BODY - 1)):
        with pytest.raises(ApiError) as caught:
            parse_response(oversized, SOURCE)
        assert str(caught.value) == f"{SOURCE}: response is larger than 16 MiB; refused"


# Unusable items: skipped with a warning naming the item; the rest of the response is kept.


def test_item_missing_required_fields_is_skipped_with_a_warning_naming_it() -> None:
    untitled = api_item("2605.00002", 3)
    del untitled["paper"]["title"], untitled["title"]  # nor a top-level title to fall back on
    no_id = api_item("2605.00003", 2)
    del no_id["paper"]["id"]
    parsed = parse_response(body([api_item("2605.00001", 5), untitled, no_id]), SOURCE)
    assert parsed.warnings == [
        "2026-05-28 page 0: item 1: skipped: paper 2605.00002 has no title",
        "2026-05-28 page 0: item 2: skipped: 'paper.id' is not an arXiv id: None",
    ]
    assert [p["id"] for p in parsed.papers] == ["2605.00001"]


def _blank_titles(item: dict[str, Any]) -> dict[str, Any]:
    item["paper"]["title"] = item["title"] = " \n\t "
    return item


@pytest.mark.parametrize(
    ("item", "error"),
    [
        ([api_item("2506.00001")], "expected an object, got list"),
        ("2506.00001", "expected an object, got str"),
        ({"title": "A paper without its paper object"}, "no 'paper' object"),
        ({"paper": "2506.00001"}, "no 'paper' object"),
        (api_item("abc"), "'paper.id' is not an arXiv id: 'abc'"),
        (api_item("2506.00001 and more"), "'paper.id' is not an arXiv id: '2506.00001 and more'"),
        (api_item("2506.00001", id=2506), "'paper.id' is not an arXiv id: 2506"),
        (_blank_titles(api_item("2506.00001")), "paper 2506.00001 has no title"),
    ],
    ids="list string no-paper paper-not-object not-arxiv trailing number blank".split(),
)
def test_an_unusable_item_is_refused_saying_why(item: Any, error: str) -> None:
    assert refusal(item) == error


def test_a_paper_listed_twice_in_one_response_is_kept_once_as_first_listed() -> None:
    items = [api_item("2506.00001", 5), api_item("2506.00002", 3), api_item("2506.00001v2", 1)]
    parsed = parse_response(body(items), SOURCE)
    assert parsed.warnings == ["2026-05-28 page 0: item 2: paper 2506.00001 listed twice"]
    kept = [(p["id"], p["upvotes"]) for p in parsed.papers]
    assert kept == [("2506.00001", 5), ("2506.00002", 3)]


def test_nulls_and_unknown_fields_are_harmless() -> None:
    plain = api_item("2605.00001", 4)
    del plain["numComments"]  # a null count is no count
    noisy = api_item(
        "2605.00001",
        4,
        githubRepo=None,
        githubStars=None,
        ai_keywords=None,
        organization=None,
        brandNewField={"nested": [1, 2]},
    )
    noisy.update(numComments=None, organization=None, someFutureFlag=True, thumbnail=None)
    expected = parse_response(body([plain]), SOURCE)
    parsed = parse_response(body([noisy, None]), SOURCE)
    assert expected.warnings == [] and parsed.warnings == [
        "2026-05-28 page 0: item 1: skipped: expected an object, got NoneType"
    ]
    assert len(expected.papers) == 1 and parsed.papers == expected.papers


# Field by field: which API field wins, and what is cleaned or left out.


def test_ids_lose_their_version_suffix_old_style_ids_too() -> None:
    assert normalise_item(api_item("2506.08007v2"))["id"] == "2506.08007"
    assert normalise_item(api_item(" 2506.08007 "))["id"] == "2506.08007"
    assert normalise_item(api_item("hep-th/9901001v3"))["id"] == "hep-th/9901001"


def test_title_and_abstract_from_the_paper_else_the_item(corpus_days: Path) -> None:
    wrapped = corpus_item(corpus_days, "2024-03-12", 1)  # paper.title carries an arXiv hard wrap
    assert "\n  " in wrapped["paper"]["title"]
    assert normalise_item(wrapped)["title"] == (
        "Adding NVMe SSDs to Enable and Accelerate 100B Model Fine-tuning on a Single GPU"
    )
    item = api_item("2506.00001", title="Synth^2: plain", summary="Paper abstract.")
    item.update(title="Synth$^2$: raw LaTeX", summary="Item abstract.")
    paper = normalise_item(item)
    assert (paper["title"], paper["abstract"]) == ("Synth^2: plain", "Paper abstract.")
    item["paper"].update(title=None, summary="  ")
    item.update(title="Synth$^2$:  top-level\n  title", summary="Top-level\n  abstract.")
    paper = normalise_item(item)
    assert paper["title"] == "Synth$^2$: top-level title"
    assert paper["abstract"] == "Top-level abstract."


def test_submitter_from_the_2025_field_else_the_2024_one(corpus_days: Path) -> None:
    old = normalise_item(corpus_item(corpus_days, "2024-06-13", 0))  # submittedBy only
    assert (old["submitter"], old["submitter_name"]) == ("yulunliu", "Yu-Lun Liu")
    item = api_item("2506.00001", submittedOnDailyBy={"user": "daily", "fullname": "Daily Name"})
    item["submittedBy"] = {"name": "older", "fullname": "Older Name"}
    paper = normalise_item(item)
    assert (paper["submitter"], paper["submitter_name"]) == ("daily", "Daily Name")
    item["paper"]["submittedOnDailyBy"] = {"user": "daily"}  # each field falls back on its own
    paper = normalise_item(item)
    assert (paper["submitter"], paper["submitter_name"]) == ("daily", "Older Name")


def test_organization_from_the_paper_else_the_item() -> None:
    item = api_item("2506.00001", organization={"name": "nvidia", "fullname": "NVIDIA"})
    item["organization"] = {"name": "other", "fullname": "Other"}
    paper = normalise_item(item)
    assert (paper["organization"], paper["organization_name"]) == ("nvidia", "NVIDIA")
    del item["paper"]["organization"]
    paper = normalise_item(item)
    assert (paper["organization"], paper["organization_name"]) == ("other", "Other")


def test_media_from_the_paper_else_the_item_plus_the_2024_media_url(corpus_days: Path) -> None:
    march_2024 = corpus_item(corpus_days, "2024-03-12", 1)  # a single top-level mediaUrl
    assert normalise_item(march_2024)["media"] == [march_2024["mediaUrl"]]
    june_2024 = corpus_item(corpus_days, "2024-06-12", 12)  # top-level mediaUrls only
    assert june_2024["paper"].get("mediaUrls") is None
    assert normalise_item(june_2024)["media"] == [
        "https://cdn-uploads.huggingface.co/production/uploads/62dae3734398e21bf7f53443/"
        "XwhYauVo770ji3fIdotWk.mp4"
    ]
    a, b, c = (f"https://cdn.example/{name}.png" for name in "abc")
    item = api_item("2506.00001", mediaUrls=[a, a, "javascript:alert(1)", None, b])
    item.update(mediaUrls=[c], mediaUrl=b)
    assert normalise_item(item)["media"] == [a, b]  # the item's list unused, b not repeated
    item["mediaUrl"] = c
    assert normalise_item(item)["media"] == [a, b, c]


def test_counts_are_whole_numbers_and_upvotes_default_to_zero(corpus_days: Path) -> None:
    unvoted = corpus_item(corpus_days, "2024-05-30", 8)
    assert unvoted["paper"]["upvotes"] == 0 and normalise_item(unvoted)["upvotes"] == 0
    for count in (True, -3, 2.5, "12", None):  # a JSON true is no count, nor is "12"
        item = api_item("2506.00001", githubRepo="https://github.com/a/b")
        item["paper"].update(upvotes=count, githubStars=count)
        item["numComments"] = count
        paper = normalise_item(item)
        assert paper["upvotes"] == 0, count
        assert "github_stars" not in paper and "comments" not in paper, count
    del item["paper"]["upvotes"]
    assert normalise_item(item)["upvotes"] == 0


def test_stars_without_a_repository_are_left_out(corpus_days: Path) -> None:
    starred = corpus_item(corpus_days, "2025-10-13", 22)
    assert starred["paper"]["githubStars"] == 0 and "githubRepo" not in starred["paper"]
    assert "github_stars" not in normalise_item(starred)
    with_repo = api_item("2506.00001", githubRepo="https://github.com/a/b", githubStars=0)
    assert normalise_item(with_repo)["github_stars"] == 0  # a repository's zero stars are kept


def test_urls_are_trimmed_and_must_be_http_without_spaces(corpus_days: Path) -> None:
    padded = corpus_item(corpus_days, "2025-03-17", 2)
    assert padded["paper"]["projectPage"] == " https://sites.google.com/view/adc-robot"
    assert normalise_item(padded)["project_page"] == "https://sites.google.com/view/adc-robot"
    item = api_item("2506.00001", githubRepo="http://a.example/b", projectPage="https://a.org/b c")
    item["thumbnail"] = 42
    paper = normalise_item(item)
    assert paper["github"] == "http://a.example/b"
    assert "project_page" not in paper and "thumbnail" not in paper


def test_dates_are_the_utc_calendar_day_or_nothing() -> None:
    item = api_item("2506.00001", publishedAt="2026-05-27T23:59:59.999Z")
    item["paper"]["withdrawnAt"] = "2026-06-01T10:00:00.000Z"
    paper = normalise_item(item)
    assert (paper["published"], paper["withdrawn"]) == ("2026-05-27", "2026-06-01")
    for bad in ("yesterday", "2026-02-30T00:00:00.000Z", "", 1780000000):
        paper = normalise_item(api_item("2506.00001", publishedAt=bad, withdrawnAt=bad))
        assert "published" not in paper and "withdrawn" not in paper, bad


def test_authors_are_the_named_ones_cleaned() -> None:
    authors = [
        {"_id": "a1", "name": " Ada \n  Lovelace "},
        {"_id": "a2", "name": ""},
        {"_id": "a3", "name": None},
        {"_id": "a4"},
        "Grace Hopper",  # not an author object
        {"_id": "a5", "name": "Alan Turing", "hidden": False},
    ]
    assert normalise_item(api_item("2506.00001", authors=authors))["authors"] == [
        "Ada Lovelace",
        "Alan Turing",
    ]
    assert "authors" not in normalise_item(api_item("2506.00001", authors={"name": "Ada"}))


def test_keywords_are_cleaned_and_kept_once_in_order(corpus_days: Path) -> None:
    repeated = corpus_item(corpus_days, "2025-03-11", 14)  # lists "MedAgentsBench" twice
    raw = repeated["paper"]["ai_keywords"]
    assert raw.count("MedAgentsBench") == 2
    assert normalise_item(repeated)["ai_keywords"] == list(dict.fromkeys(raw))
    item = api_item("2506.00001", ai_keywords=[" agents ", "agents", 3, None, "", "tool\n  use"])
    assert normalise_item(item)["ai_keywords"] == ["agents", "tool use"]


# Shapes of the recorded years: fields appeared over time; an absent field is no key.


@pytest.mark.parametrize(
    ("day", "keys"),
    [
        (
            "2024-03-12",  # byte-exact early body: mediaUrl, no thumbnail or submitter
            "id title authors published upvotes comments media abstract",
        ),
        (
            "2024-06-13",  # thumbnail and the top-level submittedBy
            "id title authors published upvotes comments submitter submitter_name thumbnail "
            "abstract",
        ),
        (
            "2025-03-17",  # paper.submittedOnDailyBy and ai_keywords
            "id title authors published upvotes comments submitter submitter_name thumbnail "
            "ai_keywords abstract",
        ),
        (
            "2025-10-03",  # GitHub stars, project pages, organizations, ai_summary
            "id title authors published upvotes comments github github_stars project_page "
            "organization organization_name submitter submitter_name thumbnail media "
            "ai_keywords ai_summary abstract",
        ),
        (
            "2026-05-29",  # the last recorded day
            "id title authors published upvotes comments project_page organization "
            "organization_name submitter submitter_name thumbnail ai_keywords ai_summary abstract",
        ),
    ],
)
def test_first_paper_of_each_vintage_has_the_fields_of_its_time(
    corpus_days: Path, day: str, keys: str
) -> None:
    paper = normalise_item(corpus_item(corpus_days, day, 0))
    assert list(paper) == keys.split()
    assert keys.split() == [key for key in PAPER_FIELDS if key in paper]  # PAPER_FIELDS order


def test_a_2025_paper_in_full(corpus_days: Path) -> None:
    paper = normalise_item(corpus_item(corpus_days, "2025-10-03", 0))
    uploads = "https://cdn-uploads.huggingface.co/production/uploads/65862671e878be571bf9fc52/"
    abstract, ai_summary = paper.pop("abstract"), paper.pop("ai_summary")
    assert paper == {
        "id": "2510.02283",
        "title": "Self-Forcing++: Towards Minute-Scale High-Quality Video Generation",
        "authors": "Justin Cui, Jie Wu, Ming Li, Tao Yang, Xiaojie Li, Rui Wang, Andrew Bai, "
        "Yuanhao Ban, Cho-Jui Hsieh".split(", "),
        "published": "2025-10-02",
        "upvotes": 43,
        "comments": 2,
        "github": "https://github.com/justincui03/Self-Forcing-Plus-Plus",
        "github_stars": 1,
        "project_page": "https://self-forcing-plus-plus.github.io/",
        "organization": "ByteDance-Seed",
        "organization_name": "ByteDance Seed",
        "submitter": "cuijiaxing",
        "submitter_name": "cuijiaxing",
        "thumbnail": "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2510.02283.png",
        "media": [f"{uploads}Fb3ffDmXrslDcQSJH51MW.mp4", f"{uploads}I0qCOZqF-XJo2Xg3i__RJ.mp4"],
        "ai_keywords": [
            "diffusion models",
            "transformer architectures",
            "autoregressive formulations",
            "bidirectional teachers",
            "latent space",
            "quality degradation",
            "temporal consistency",
            "position embedding",
        ],
    }
    assert ai_summary.startswith("A method is proposed to enhance long-horizon video generation")
    # The raw abstract is hard-wrapped ("generation, achieving\nunprecedented"); this one is not.
    assert abstract.startswith(
        "Diffusion models have revolutionized image and video generation, achieving "
        "unprecedented visual quality. However,"
    )
    assert "\n" not in abstract and "  " not in abstract


# fetch_day: every page of one day through an injected getter.


def pages_of(items: list[Any], asked: list[tuple[str, dict[str, str]]]) -> Getter:
    """A getter serving items `limit` a page as daily_papers does, recording each request."""

    def get(url: str, params: dict[str, str]) -> httpx.Response:
        asked.append((url, params))
        limit, page = int(params["limit"]), int(params["p"])
        request = httpx.Request("GET", url, params=params)
        return httpx.Response(200, json=items[page * limit : (page + 1) * limit], request=request)

    return get


def test_a_skipped_item_still_counts_towards_a_full_page() -> None:
    items: list[Any] = [api_item(f"2605.{n:05d}", 200 - n) for n in range(PAGE_LIMIT - 1)]
    items += [None, api_item("2605.00100", 1)]  # page 0 is full although one item is unusable
    asked: list[tuple[str, dict[str, str]]] = []
    parsed = fetch_day(pages_of(items, asked), DAY, "https://hf.test/api/daily_papers")
    assert asked == [
        ("https://hf.test/api/daily_papers", {"date": "2026-05-28", "limit": "100", "p": "0"}),
        ("https://hf.test/api/daily_papers", {"date": "2026-05-28", "limit": "100", "p": "1"}),
    ]
    assert parsed.warnings == [f"{SOURCE}: item 99: skipped: expected an object, got NoneType"]
    assert len(parsed.papers) == 100 and parsed.papers[-1]["id"] == "2605.00100"


def test_a_failure_on_a_later_page_fails_the_whole_day_naming_the_page() -> None:
    items = [api_item(f"2605.{n:05d}") for n in range(PAGE_LIMIT)]
    serve = pages_of(items, [])

    def get(url: str, params: dict[str, str]) -> httpx.Response:
        if params["p"] == "1":
            raise ApiError("timed out after 3 attempt(s)")
        return serve(url, params)

    with pytest.raises(ApiError) as caught:
        fetch_day(get, DAY)
    assert str(caught.value) == "2026-05-28 page 1: timed out after 3 attempt(s)"


def test_a_server_that_never_runs_out_is_stopped_after_max_pages() -> None:
    asked: list[tuple[str, dict[str, str]]] = []
    endless = [api_item(f"2605.{n:05d}") for n in range(PAGE_LIMIT * (MAX_PAGES + 1))]
    with pytest.raises(ApiError) as caught:
        fetch_day(pages_of(endless, asked), DAY)
    assert str(caught.value) == "2026-05-28: more than 20 pages of 100; refusing to go on"
    assert len(asked) == MAX_PAGES == 20 and {url for url, _ in asked} == {API_URL}
