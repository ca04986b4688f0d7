"""Search index: one Pagefind record per paper, read back from the files Pagefind wrote."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cbor2
import pytest

import generator.search.index
import generator.search.pagefind
from generator.archive import Archive, load_archive
from generator.errors import BuildError
from generator.importer import import_dir
from generator.search import MANIFEST, SearchStats, build_index, search_records
from generator.search.pagefind import UNUSED
from generator.search.pagefind_private import (
    CHECKED_WITH,
    ISSUE,
    changed_internals,
    service_class,
)
from generator.search.written import all_whole, until_written
from tests.helpers import HOSTILE_TITLE, api_item, typed_day, write_files, write_response

TOPICS = """\
topics:
- slug: robotics
  name: Robotics
  description: "Robots."
  match:
    words: [robot, robots]
- slug: video
  name: Video
  description: "Video."
  match:
    keywords: [video generation]
"""


def _authors(*names: str) -> list[dict[str, Any]]:
    return [{"_id": f"a{i}", "name": name, "hidden": False} for i, name in enumerate(names)]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """Three list days over two years: a paper on two days, a hidden one, a corrected one."""
    tmp = tmp_path_factory.mktemp("search")
    responses = tmp / "responses"
    twice = {
        "title": "Listed twice",
        "authors": _authors("Ada Lovelace", "Charles Babbage", "Alan Turing", "Grace Hopper"),
        "githubRepo": "https://github.com/example/twice",
        "organization": {"name": "nvidia", "fullname": "NVIDIA"},
        "ai_keywords": ["video generation", "diffusion"],
    }
    write_response(
        responses,
        "2024-12-31",
        [api_item("2412.00001", 4, title="Old year paper about robots")],
    )
    write_response(
        responses,
        "2025-06-10",
        [
            api_item("2506.00001", 9, **twice),
            api_item("2506.00002", 5, title="Spam paper"),
            api_item("2506.00003", 3, title="Wrong title"),
        ],
    )
    write_response(
        responses,
        "2025-06-11",
        [
            api_item("2506.00001", 30, **twice),  # more votes a day later
            api_item("2506.00004", 1, title="Robot hands", summary="A robot <b>grasps</b>."),
        ],
    )
    content = tmp / "content"
    summary = import_dir(responses, content)
    assert not summary.failed
    write_files(
        content,
        {
            "topics.yml": TOPICS,
            "corrections/2506.00002.yaml": 'id: "2506.00002"\nreason: "spam"\nhide: true\n',
            "corrections/2506.00003.yaml": (
                'id: "2506.00003"\nreason: "typo"\nset:\n  title: "Right title"\n'
            ),
        },
    )
    return load_archive(content)


@pytest.fixture(scope="module")
def built(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> tuple[SearchStats, Path]:
    site = tmp_path_factory.mktemp("site")
    (site / "pagefind" / "stale.pf_fragment").parent.mkdir(parents=True)
    (site / "pagefind" / "stale.pf_fragment").write_text("from an older build")
    return build_index(archive, site / "pagefind"), site / "pagefind"


@pytest.fixture(scope="module")
def bundle(built: tuple[SearchStats, Path]) -> Index:
    return Index(built[1])


def test_one_record_per_paper_at_its_permalink(
    archive: Archive, built: tuple[SearchStats, Path], bundle: Index
) -> None:
    stats, _ = built
    assert stats.records == 4 == len(bundle.pages)
    assert (stats.years, stats.reused) == (2, 0)
    assert sorted(page["url"] for page in bundle.pages) == [
        "/2024/12/31/#2412.00001",
        "/2025/06/10/#2506.00001",  # first listed day, although listed again on 06-11
        "/2025/06/10/#2506.00003",
        "/2025/06/11/#2506.00004",
    ]
    assert {page["url"] for page in bundle.pages} == {
        "/" + archive.permalink(paper_id) for paper_id in archive.papers
    }
    assert stats.files == len(bundle.files()) and stats.bytes == sum(
        path.stat().st_size for path in bundle.files()
    )
    assert not (bundle.root / "stale.pf_fragment").exists()


def test_one_bundle_per_list_year(bundle: Index) -> None:
    # A paper is in the bundle of the year it was first listed in; the browser loads
    # pagefind.js and the WebAssembly of each year it searches, and nothing else Pagefind wrote.
    assert {year: sorted(b.ids()) for year, b in bundle.years.items()} == {
        "2024": ["2412.00001"],
        "2025": ["2506.00001", "2506.00003", "2506.00004"],
    }
    # One pagefind.js, exporting the class each year's index is an instance of, and one
    # WebAssembly serve every year: a search of every year downloads them once.
    js = (bundle.root / "pagefind.js").read_bytes()
    assert js.endswith(b"\nexport{PagefindInstance as DpaPagefindInstance};\n")
    assert (bundle.root / "wasm.en.pagefind").is_file()
    for year in bundle.years:
        assert not (bundle.root / year / "pagefind.js").exists()
        assert not (bundle.root / year / "wasm.en.pagefind").exists()
        assert not [name for name in UNUSED if (bundle.root / year / name).exists()]


def test_hidden_papers_are_absent_and_corrections_applied(bundle: Index) -> None:
    everything = json.dumps(bundle.pages)
    assert "2506.00002" not in everything and "Spam paper" not in everything
    assert "Wrong title" not in everything
    corrected = bundle.page("2506.00003")
    assert corrected["meta"]["title"] == "Right title"
    assert corrected["content"].startswith("Right title.")


def test_meta_shown_in_results(bundle: Index) -> None:
    twice = bundle.page("2506.00001")
    assert twice["meta"] == {
        "title": "Listed twice",
        "authors": "Ada Lovelace, Charles Babbage, Alan Turing et al.",
        "day": "2025-06-10",
        "upvotes": "30",  # the newest count, from its second listing
    }
    # The record's text holds every author, the abstract, keywords and the organization.
    for words in ("Grace Hopper", "An abstract with a hard wrap.", "video generation", "NVIDIA"):
        assert words in twice["content"]


def test_filters(bundle: Index) -> None:
    assert bundle.filter("topic") == {
        "Robotics": ["2412.00001", "2506.00004"],
        "Video": ["2506.00001"],
    }
    assert bundle.filter("organization") == {"NVIDIA": ["2506.00001"]}
    assert bundle.filter("code") == {"yes": ["2506.00001"]}
    assert bundle.page("2506.00001")["filters"] == {
        "topic": ["Video"],
        "organization": ["NVIDIA"],
        "code": ["yes"],
    }


def test_sorts(bundle: Index) -> None:
    year = bundle.years["2025"]
    assert year.sort("upvotes") == ["2506.00004", "2506.00003", "2506.00001"]
    assert year.sort("date") == ["2506.00001", "2506.00003", "2506.00004"]
    assert bundle.years["2024"].sort("upvotes") == ["2412.00001"]


def test_manifest_years_filter_values_and_names(bundle: Index) -> None:
    values = json.loads((bundle.root / MANIFEST).read_text("utf-8"))
    # Each year's metadata file, as its pagefind-entry.json names it (search.js downloads it
    # beside the entry).
    metadata = values.pop("metadata")
    assert sorted(metadata) == ["2024", "2025"]
    for year, name in metadata.items():
        entry = json.loads((bundle.root / year / "pagefind-entry.json").read_text("utf-8"))
        assert name == f"pagefind.{entry['languages']['en']['hash']}.pf_meta"
        assert (bundle.root / year / name).is_file()
    assert values == {
        "code": ["yes"],
        "has_code": "yes",  # what search.js asks for when "Has code" is ticked
        "organization": ["NVIDIA"],
        "papers": {"2024": 1, "2025": 3},  # search.js weighs each year's scores by its size
        "topic": ["Robotics", "Video"],
        "year": ["2025", "2024"],
        # search.js spells none of Pagefind's names: URL parameter -> filter, the `sort`
        # parameter's values -> sort key, what a result shows -> meta key.
        "filters": {"topic": "topic", "org": "organization", "code": "code"},
        "sorts": {"newest": "date", "upvotes": "upvotes"},
        "meta": {"title": "title", "authors": "authors", "day": "day", "upvotes": "upvotes"},
        "shared": True,  # pagefind.js and the WebAssembly beside this file serve every year
    }


def test_manifest_names_are_the_bundles(bundle: Index) -> None:
    # What search.js asks Pagefind for is what the bundles hold: every filter (with its
    # values), sort key and meta key of the records, and no other.
    values = json.loads((bundle.root / MANIFEST).read_text("utf-8"))
    filters = {key for year in bundle.years.values() for key, _ in year.meta[3]}
    assert sorted(values["filters"].values()) == sorted(filters)
    for name in filters:
        assert sorted(values[name]) == sorted(bundle.filter(name))
    for year in bundle.years.values():
        assert sorted(values["sorts"].values()) == sorted(key for key, _ in year.meta[4])
    for page in bundle.pages:
        assert sorted(values["meta"].values()) == sorted(page["meta"])


def test_markup_in_content_stays_text(bundle: Index) -> None:
    # Pagefind stores the text as given; search.js shows excerpts as text plus <mark> only.
    assert "A robot <b>grasps</b>." in bundle.page("2506.00004")["content"]


def test_records_from_enriched_papers() -> None:
    paper = {
        "id": "2605.29801",
        "title": "T",
        "authors": ["A"],
        "upvotes": 2,
        "organization": "ShanghaiAiLab",
        "organization_name": "Shanghai AI Laboratory",
        "arxiv": {"categories": ["cs.RO", "cs.CV"]},
    }
    (record,) = search_records(Archive(days=[typed_day(date(2026, 5, 29), [paper])]))
    assert record.url == "/2026/05/29/#2605.29801"
    assert record.content == "T. A. Shanghai AI Laboratory ShanghaiAiLab cs.RO cs.CV 2605.29801"
    assert record.filters == {"organization": ["Shanghai AI Laboratory"]}
    assert record.sort == {"date": "2026-05-29", "upvotes": "2"}


HOSTILE_ORG = 'Acme, Inc.: "R&D" <Lab> url:/x, title:y'
HOSTILE_AUTHORS = ["O'Brien, Jr.", 'Zoë "Z" Müller', "key:value, <b>bold</b> & co"]


def test_hostile_text_round_trips_exactly(tmp_path: Path) -> None:
    papers = [
        {"id": "2605.00001", "title": HOSTILE_TITLE, "authors": HOSTILE_AUTHORS, "upvotes": 3,
         "organization": "acme", "organization_name": HOSTILE_ORG, "abstract": "A & B < C."},
        {"id": "2605.00002", "title": "Plain", "authors": ["B"], "upvotes": 1},
    ]  # fmt: skip
    archive = Archive(days=[typed_day(date(2026, 5, 29), papers)])
    stats = build_index(archive, tmp_path / "pagefind")
    bundle = Index(tmp_path / "pagefind")
    assert stats.records == 2 == len(bundle.pages)
    page = bundle.page("2605.00001")
    assert page["url"] == "/2026/05/29/#2605.00001"
    assert page["meta"] == {
        "title": HOSTILE_TITLE,
        "authors": ", ".join(HOSTILE_AUTHORS),
        "day": "2026-05-29",
        "upvotes": "3",
    }
    assert page["filters"] == {"organization": [HOSTILE_ORG]}
    assert bundle.filter("organization") == {HOSTILE_ORG: ["2605.00001"]}
    assert page["content"].startswith(HOSTILE_TITLE + ". A & B < C. O'Brien, Jr., Zoë")
    values = json.loads((tmp_path / "pagefind" / MANIFEST).read_text("utf-8"))
    assert values["organization"] == [HOSTILE_ORG]


def test_the_same_archive_gives_the_same_bundle(archive: Archive, tmp_path: Path) -> None:
    def build(name: str) -> dict[str, bytes]:
        bundle = tmp_path / name
        build_index(archive, bundle)
        return {str(p.relative_to(bundle)): p.read_bytes() for p in bundle.rglob("*.*")}

    first, second = build("one"), build("two")
    assert first == second and any(name.startswith("2025/filter/") for name in first)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_unchanged_years_come_from_the_cache(archive: Archive, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh = build_index(archive, tmp_path / "fresh")
    assert build_index(archive, tmp_path / "first", cache=cache).reused == 0
    assert sorted(path.name.split("-")[0] for path in cache.iterdir()) == ["2024", "2025"]
    again = build_index(archive, tmp_path / "again", cache=cache)
    assert (again.years, again.reused) == (2, 2)
    assert _files(tmp_path / "again") == _files(tmp_path / "fresh")
    assert (again.records, again.files, again.bytes) == (fresh.records, fresh.files, fresh.bytes)

    # A new upvote count in 2025: that year is indexed again, 2024 is copied, and the result
    # is what a build without the cache gives; the cache keeps one bundle per year.
    last = archive.days[-1]
    papers = (replace(last.papers[0], upvotes=99), *last.papers[1:])
    days = [*archive.days[:-1], replace(last, papers=papers)]
    changed = replace(archive, days=days)
    assert build_index(changed, tmp_path / "next", cache=cache).reused == 1
    build_index(changed, tmp_path / "next-fresh")
    assert _files(tmp_path / "next") == _files(tmp_path / "next-fresh")
    assert _files(tmp_path / "next") != _files(tmp_path / "fresh")
    assert len(list(cache.glob("2025-*"))) == 1 == len(list(cache.glob("2024-*")))


def test_years_on_one_service_or_two_give_the_same_bundles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three years on two services: one of them indexes a second year after freeing its first.
    days = [
        typed_day(date(year, 3, 2), [{"id": f"{year % 100}03.0000{n}", "title": f"Paper {year} {n}",
                                "authors": ["A"], "upvotes": n} for n in (1, 2)])
        for year in (2023, 2024, 2025)
    ]  # fmt: skip
    archive = Archive(days=days)
    two = build_index(archive, tmp_path / "two")
    monkeypatch.setattr(generator.search.pagefind, "SERVICES", 1)
    build_index(archive, tmp_path / "one")
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    index = Index(tmp_path / "two")
    assert (two.years, two.records) == (3, 6)
    assert {year: sorted(b.ids()) for year, b in index.years.items()} == {
        "2023": ["2303.00001", "2303.00002"],
        "2024": ["2403.00001", "2403.00002"],
        "2025": ["2503.00001", "2503.00002"],
    }


def test_a_stopped_builds_leftovers_leave_the_cache(archive: Archive, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for leftover in (".2024-0123.partial", ".2025-4567.old", "2025-89ab"):
        (cache / leftover).mkdir(parents=True)
        (cache / leftover / "pagefind.js").write_text("half of a bundle")
    build_index(archive, tmp_path / "site", cache=cache)
    assert sorted(path.name.split("-")[0] for path in cache.iterdir()) == ["2024", "2025"]
    assert all((path / "pagefind-entry.json").is_file() for path in cache.iterdir())


def test_an_archive_without_papers_has_no_years(tmp_path: Path) -> None:
    stats = build_index(Archive(days=[]), tmp_path / "pagefind")
    assert (stats.records, stats.years) == (0, 0)
    manifest = json.loads((tmp_path / "pagefind" / MANIFEST).read_text("utf-8"))
    assert manifest["year"] == [] and manifest["papers"] == {}


def test_an_unusable_cache_costs_time_only(archive: Archive, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.write_text("a file where the cache folder should be")
    stats = build_index(archive, tmp_path / "site", cache=cache)
    assert (stats.years, stats.reused) == (2, 0)
    build_index(archive, tmp_path / "plain")
    assert _files(tmp_path / "site") == _files(tmp_path / "plain")
    assert cache.read_text() == "a file where the cache folder should be"


def test_a_broken_cache_entry_is_built_again(archive: Archive, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_index(archive, tmp_path / "first", cache=cache)
    for entry in cache.iterdir():  # as if a build had stopped while filling it
        (entry / "pagefind-entry.json").unlink()
    stats = build_index(archive, tmp_path / "second", cache=cache)
    assert stats.reused == 0
    assert _files(tmp_path / "second") == _files(tmp_path / "first")


def test_a_failure_while_pagefind_indexes_ends_the_build(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The newest year is being indexed when checking the next one against the cache fails:
    # the services are told to stop, and the build fails instead of waiting on them forever.
    checked: list[str] = []

    def from_cache(cache: Path | None, year: str, key: str, target: Path) -> bool:
        checked.append(year)
        if len(checked) == 2:
            raise OSError(28, "No space left on device")
        return False

    monkeypatch.setattr(generator.search.index, "from_cache", from_cache)
    with ThreadPoolExecutor(1) as thread:
        running = thread.submit(build_index, archive, tmp_path / "pagefind")
        with pytest.raises(BuildError, match="No space left on device"):
            running.result(timeout=120)
    assert len(checked) == 2


def test_an_unwritable_site_is_a_build_error(archive: Archive, tmp_path: Path) -> None:
    blocker = tmp_path / "site"
    blocker.write_text("a file where the site folder should be")
    with pytest.raises(BuildError, match=r"^search index: cannot write .*site/pagefind"):
        build_index(archive, blocker / "pagefind")


def test_a_pagefind_crash_fails_the_build_with_its_message() -> None:
    # Pagefind's service panics (its message on stdout, the answers' channel) and exits:
    # the waiting request fails with that message instead of waiting forever.
    async def crash() -> BaseException | None:
        stdout = asyncio.StreamReader()
        stdout.feed_data(b"thread 'main' panicked at pagefind/src/output/mod.rs:422:46:\n")
        stdout.feed_data(b'Os { code: 20, kind: NotADirectory, message: "Not a directory" }\n')
        stdout.feed_eof()
        service = object.__new__(service_class())
        service._backend = SimpleNamespace(stdout=stdout)
        waiting: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        service._responses = {1: waiting}
        await asyncio.wait_for(service._wait_for_responses(), 5)
        return waiting.exception()

    with ThreadPoolExecutor(1) as thread:  # no event loop there, whatever ran before
        error = thread.submit(asyncio.run, crash()).result()
    assert isinstance(error, BuildError)
    assert str(error).startswith("search index: Pagefind stopped: thread 'main' panicked")
    assert "NotADirectory" in str(error)


def test_pagefind_internals_are_the_ones_checked() -> None:
    from importlib.metadata import version

    from pagefind.service import PagefindService

    installed, module = version("pagefind"), "generator/search/pagefind_private.py"
    changed = changed_internals()
    assert not changed, (
        f"pagefind {installed} changed PagefindService's {', '.join(changed)}, which {module} "
        f"relies on (checked against {CHECKED_WITH}): builds now fall back to the stock "
        f"service, 0.1 s a record ({ISSUE}). Read the new source, adapt or drop the subclass, "
        "then update RELIED_ON and CHECKED_WITH."
    )
    assert installed == CHECKED_WITH, (
        f"pagefind {installed} is installed, {module} was checked against {CHECKED_WITH}: "
        f"see whether {ISSUE} is fixed (then drop the subclass), else update CHECKED_WITH."
    )
    assert service_class() is not PagefindService


def test_changed_internals_fall_back_to_the_stock_service(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from pagefind.service import PagefindService

    async def _wait_for_responses(self: Any) -> None:  # as if a new Pagefind had fixed it
        pass

    monkeypatch.setattr(PagefindService, "_wait_for_responses", _wait_for_responses)
    monkeypatch.delattr(PagefindService, "close")
    service_class.cache_clear()
    try:
        assert changed_internals() == ["_wait_for_responses", "close (not found)"]
        assert service_class() is PagefindService
    finally:
        service_class.cache_clear()  # the next test gets the real one again
    assert "indexing with its stock service" in caplog.text


class Index:
    """Every year's bundle, decoded, and what is true of them together."""

    def __init__(self, root: Path) -> None:
        self.root = root
        years = json.loads((root / MANIFEST).read_text("utf-8"))["year"]
        assert sorted(path.name for path in root.iterdir() if path.is_dir()) == sorted(years)
        self.years = {year: Bundle(root / year) for year in years}
        self.pages = [page for bundle in self.years.values() for page in bundle.pages]

    def files(self) -> list[Path]:
        return [path for path in self.root.rglob("*") if path.is_file()]

    def page(self, paper_id: str) -> dict[str, Any]:
        (page,) = [p for p in self.pages if p["url"].endswith(f"#{paper_id}")]
        return page

    def filter(self, name: str) -> dict[str, list[str]]:
        merged: dict[str, list[str]] = {}
        for bundle in self.years.values():
            for value, ids in bundle.filter(name).items():
                merged[value] = sorted(merged.get(value, []) + ids)
        return merged


class Bundle:
    """What Pagefind wrote, decoded: pages (fragments) in page order, filters, sorts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        entry = json.loads((root / "pagefind-entry.json").read_text("utf-8"))
        language = entry["languages"]["en"]
        self.meta = _read(root / f"pagefind.{language['hash']}.pf_meta")
        assert language["page_count"] == len(self.meta[1])
        self.pages = [
            json.loads(_unpack(root / "fragment" / f"{page_hash}.pf_fragment"))
            for page_hash, _word_count in self.meta[1]
        ]

    def files(self) -> list[Path]:
        return [path for path in self.root.rglob("*") if path.is_file()]

    def page(self, paper_id: str) -> dict[str, Any]:
        (page,) = [p for p in self.pages if p["url"].endswith(f"#{paper_id}")]
        return page

    def ids(self) -> list[str]:
        return self._ids(list(range(len(self.pages))))

    def _ids(self, numbers: list[int]) -> list[str]:
        return [self.pages[number]["url"].rpartition("#")[2] for number in numbers]

    def filter(self, name: str) -> dict[str, list[str]]:
        found = [h for key, h in self.meta[3] if key == name]
        if not found:
            return {}
        (filter_hash,) = found
        key, values = _read(self.root / "filter" / f"{filter_hash}.pf_filter")
        assert key == name
        return {value: sorted(self._ids(numbers)) for value, numbers in values}

    def sort(self, name: str) -> list[str]:
        (order,) = [numbers for key, numbers in self.meta[4] if key == name]
        return self._ids(order)


def _unpack_bytes(data: bytes) -> bytes:
    data = gzip.decompress(data)
    assert data.startswith(b"pagefind_dcd")
    return data[len(b"pagefind_dcd") :]


def _unpack(path: Path) -> bytes:
    return _unpack_bytes(path.read_bytes())


def _read(path: Path) -> Any:
    data = io.BytesIO(_unpack(path))
    value = cbor2.CBORDecoder(data).decode()
    assert data.read() == b"", path  # one value, nothing after it
    return value


def test_pagefind_files_are_written_back_as_pagefind_wrote_them(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cbor2 encodes every CBOR file Pagefind wrote (metadata, filters, word index) back to its
    # bytes: re-encoding changes only what make_reproducible sorts.
    from generator.search import reproducible

    pagefind_wrote: dict[str, bytes] = {}

    def keep(bundle: Path) -> None:
        pagefind_wrote.update({f"{bundle.name}/{k}": v for k, v in _files(bundle).items()})
        reproducible.make_reproducible(bundle)

    monkeypatch.setattr(generator.search.index, "make_reproducible", keep)
    build_index(archive, tmp_path / "pagefind")
    kinds = {".pf_meta": 0, ".pf_filter": 0, ".pf_index": 0}
    for name, data in pagefind_wrote.items():
        if Path(name).suffix in kinds:
            body = _unpack_bytes(data)
            assert cbor2.dumps(cbor2.loads(body)) == body, name
            kinds[Path(name).suffix] += 1
    assert kinds[".pf_meta"] == 2 and kinds[".pf_filter"] >= 4 and kinds[".pf_index"] >= 2


def test_a_file_cbor2_would_write_otherwise_stops_the_build(tmp_path: Path) -> None:
    from generator.search.reproducible import SIGNATURE, read_pf

    path = tmp_path / "pagefind.en_1.pf_meta"
    path.write_bytes(gzip.compress(SIGNATURE + b"\x18\x05"))  # 5 in a longer head than needed
    with pytest.raises(BuildError, match="cbor2 does not encode it back to its bytes"):
        read_pf(path)
    path.write_bytes(gzip.compress(SIGNATURE + b"\x05\x05"))  # data after the value
    with pytest.raises(BuildError, match="cbor2 does not encode it back to its bytes"):
        read_pf(path)
    path.write_bytes(gzip.compress(SIGNATURE + b"\x1b"))  # cut short
    with pytest.raises(BuildError, match="unreadable CBOR"):
        read_pf(path)


def test_the_index_waits_until_pagefind_has_written_whole_files(tmp_path: Path) -> None:
    fragment = gzip.compress(b"pagefind_dcd" + b"x" * 1000)
    write_files(tmp_path, {"pagefind.js": "export {}", "pagefind.en_1.pf_meta": "meta"})
    (tmp_path / "pagefind-entry.json").write_text('{"languages": {"en": {"hash": "en_1"}}}')
    (tmp_path / "fragment").mkdir()
    (tmp_path / "fragment" / "a.pf_fragment").write_bytes(fragment[:-9])  # truncated

    events: list[str] = []

    async def finish_later() -> None:
        await asyncio.sleep(0.3)
        (tmp_path / "fragment" / "a.pf_fragment").write_bytes(fragment)
        events.append("finished")

    async def wait() -> None:
        await until_written(tmp_path, timeout=10)
        events.append("waited")

    async def both() -> None:
        await asyncio.gather(wait(), finish_later())

    # In a thread of its own: a browser test's Playwright may hold this thread's event loop.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, both()).result()
        assert events == ["finished", "waited"]
        (tmp_path / "fragment" / "b.pf_fragment").write_bytes(b"")  # never written
        with pytest.raises(BuildError, match="did not finish writing"):
            thread.submit(asyncio.run, until_written(tmp_path, timeout=0.3)).result()


def test_a_file_seen_whole_then_gone_does_not_count_for_another(tmp_path: Path) -> None:
    write_files(tmp_path, {"pagefind.js": "export {}", "pagefind.en_1.pf_meta": "meta"})
    (tmp_path / "pagefind-entry.json").write_text('{"languages": {"en": {"hash": "en_1"}}}')
    whole: set[str] = set()
    sizes: dict[str, int] = {}
    assert not all_whole(tmp_path, whole, sizes)  # sizes not yet seen twice
    assert all_whole(tmp_path, whole, sizes)
    (tmp_path / "pagefind.js").rename(tmp_path / "renamed.js")  # now one file not seen whole
    assert not all_whole(tmp_path, whole, sizes)
    assert all_whole(tmp_path, whole, sizes)


def test_an_unknown_pagefind_js_keeps_each_years_own_copy(tmp_path: Path) -> None:
    # The export line is appended only to the pagefind.js checked: another Pagefind's file is
    # left as it is, and search.js then loads each year's own copy (dpa-search.json: shared false).
    from generator.search.shared import share_runtime

    for year in ("2025", "2024"):
        (tmp_path / year).mkdir()
        (tmp_path / year / "pagefind.js").write_text("var PagefindInstance=class{};\n")
        (tmp_path / year / "wasm.en.pagefind").write_bytes(b"\0asm")
    assert share_runtime(tmp_path, ["2025", "2024"]) is False
    assert not (tmp_path / "pagefind.js").exists()
    assert all((tmp_path / year / "pagefind.js").exists() for year in ("2025", "2024"))
    assert share_runtime(tmp_path, []) is False
