"""Search: one Pagefind record per paper, built from the archive rather than scraped from HTML."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import gzip
import hashlib
import json
import os
import queue
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .archive import Archive
from .errors import BuildError

BUNDLE_DIR = "pagefind"  # under site_dir: one Pagefind bundle per list year, pagefind/<year>/
# Beside the bundles: the years that have one (newest first; the browser searches the newest
# first) and each filter's values for the search page's selects. Pagefind's own
# pagefind.filters() downloads every filter's page lists to list them.
MANIFEST = "dpa-search.json"
AUTHORS_SHOWN = 3  # authors in a result; the rest are "et al." (the record holds them all)
PIPELINED = 64  # records sent to Pagefind before waiting for its answers
HAS_CODE = "yes"  # the one value of the `code` filter: papers with a GitHub repository
# Pagefind services indexing years side by side: each is one single-threaded process holding
# one year (about 500 MB at 5,000 papers), so two use both cores of a CI runner.
SERVICES = 2
# What Pagefind writes into a bundle that the site never loads: its ready-made UIs, its web
# worker (search.js runs Pagefind on the page, see there) and the WebAssembly for languages
# other than English (every record is English).
UNUSED = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
    "pagefind-worker.js", "wasm.unknown.pagefind",
)  # fmt: skip


@dataclass(frozen=True)
class SearchRecord:
    """What Pagefind stores for one paper."""

    url: str  # site-root-relative, "/2026/05/29/#2605.29801"; the browser adds the base path
    content: str  # the searchable text; excerpts are cut from it
    meta: dict[str, str] = field(default_factory=dict)  # shown in results
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchStats:
    """What build_index wrote."""

    records: int
    files: int
    bytes: int  # the bundles' size, in bytes of their files
    years: int = 0  # bundles written
    reused: int = 0  # of which copied from the cache, unchanged


def search_records(archive: Archive, paper_ids: list[str] | None = None) -> list[SearchRecord]:
    """One record per paper (or per paper of paper_ids), in first-listed order."""
    # First-listed order, so that the same archive gives the same bundle.
    names = {topic.slug: topic.name for topic in archive.topics}
    topics = archive.paper_topics
    return [
        _record(archive.papers[paper_id], archive.permalink(paper_id),
                archive.first_listed[paper_id].isoformat(),
                [names[slug] for slug in topics.get(paper_id, [])])
        for paper_id in (archive.papers if paper_ids is None else paper_ids)
    ]  # fmt: skip


def _record(paper: dict[str, Any], permalink: str, day: str, topics: list[str]) -> SearchRecord:
    authors = [str(name) for name in paper.get("authors", [])]
    shown = ", ".join(authors[:AUTHORS_SHOWN]) + (" et al." if len(authors) > AUTHORS_SHOWN else "")
    organization = str(paper.get("organization_name") or paper.get("organization") or "")
    arxiv = paper.get("arxiv") or {}
    categories = [str(c) for c in arxiv.get("categories") or [arxiv.get("primary_category")] if c]
    # Title, then abstract: Pagefind cuts the excerpt around the matched words, so a match in
    # the title shows the title and the start of the abstract (results list authors anyway).
    text = [
        paper["title"] + ".",
        paper.get("abstract", ""),
        ", ".join(authors) + ".",
        ", ".join(paper.get("ai_keywords", [])),
        " ".join(dict.fromkeys(v for v in (organization, paper.get("organization")) if v)),
        " ".join(categories),
        paper["id"],
    ]
    filters = {"topic": topics}  # the year is the bundle's: pagefind/<year>/
    if organization:
        filters["organization"] = [organization]
    if paper.get("github"):
        filters["code"] = [HAS_CODE]
    upvotes = str(int(paper.get("upvotes") or 0))
    return SearchRecord(
        url="/" + permalink,
        content=" ".join(part for part in text if part and part != "."),
        meta={"title": paper["title"], "authors": shown, "day": day, "upvotes": upvotes},
        filters={key: values for key, values in filters.items() if values},
        # Every record has every sort key: Pagefind leaves records without it out of a sort.
        sort={"date": day, "upvotes": upvotes},
    )


def build_index(
    archive: Archive,
    bundle: Path,
    while_writing: Callable[[], None] | None = None,
    cache: Path | None = None,
) -> SearchStats:
    """Write one Pagefind bundle per list year under `bundle` (replaced), for site/pagefind."""
    # Record URLs are relative to the site root, so one bundle works wherever the site is
    # served (site_url, a sub-path, localhost), and the bundle can be built anywhere.
    # One bundle per year: a first search downloads the newest year's index (about the same
    # size every year) instead of one that grows with the archive, and a year whose records
    # are unchanged is copied from `cache` instead of indexed again, as most are every night.
    # while_writing runs once every record is in Pagefind, while it writes on its own.
    years: dict[str, list[str]] = {}  # paper ids by the year they were first listed in
    for paper_id in archive.papers:
        years.setdefault(str(archive.first_listed[paper_id].year), []).append(paper_id)
    shutil.rmtree(bundle, ignore_errors=True)  # file names are content hashes: old ones linger
    beside: list[BaseException] = []  # while_writing's failure: its own, not Pagefind's

    def run_beside() -> None:
        try:
            if while_writing is not None:
                while_writing()
        except BaseException as exc:
            beside.append(exc)

    try:
        bundle.mkdir(parents=True)
        manifest = Manifest()
        keys: dict[str, str] = {}
        todo: queue.SimpleQueue[tuple[str, list[SearchRecord]] | None] = queue.SimpleQueue()
        indexed: list[str] = []  # the years sent to Pagefind, newest first
        # In a thread of its own: asyncio.run() refuses to run where an event loop already
        # runs (a caller's, or Playwright's sync API in the browser tests). It indexes the
        # newest year while this thread makes the older years' records and checks the cache.
        with ThreadPoolExecutor(1) as thread:
            writing = thread.submit(asyncio.run, _write_bundles(todo, bundle, run_beside))
            try:
                for year in sorted(years, reverse=True):
                    # A year at a time: the records of the years the cache has are let go.
                    records = search_records(archive, years[year])
                    manifest.add(year, records)
                    keys[year] = _cache_key(records)
                    if not _from_cache(cache, year, keys[year], bundle / year):
                        indexed.append(year)
                        todo.put((year, records))
            finally:  # one end for each service, even after a failure here: none waits forever
                for _ in range(SERVICES):
                    todo.put(None)
            writing.result()
        for year in indexed:
            _make_reproducible(bundle / year)
            _to_cache(cache, year, keys[year], bundle / year)
    except OSError as exc:
        raise BuildError(f"search index: cannot write {bundle}: {exc}") from exc
    except BuildError:
        raise
    except Exception as exc:  # the service reports its failures as bare Exceptions
        raise BuildError(f"search index: Pagefind failed: {exc}") from exc
    finally:
        if beside:
            raise beside[0]
    text = manifest.json([topic.name for topic in archive.topics])
    (bundle / MANIFEST).write_text(text, encoding="utf-8")
    files = [path for path in bundle.rglob("*") if path.is_file()]
    size = sum(path.stat().st_size for path in files)
    reused = len(years) - len(indexed)
    return SearchStats(len(archive.papers), len(files), size, len(years), reused)


class Manifest:
    """What pagefind/dpa-search.json says: the years and their papers, each filter's values."""

    def __init__(self) -> None:
        self.papers: dict[str, int] = {}
        self.seen: dict[str, dict[str, None]] = {"topic": {}, "organization": {}, "code": {}}

    def add(self, year: str, records: list[SearchRecord]) -> None:
        """Count in a year's records."""
        self.papers[year] = len(records)
        for record in records:
            for key, names in record.filters.items():
                self.seen[key].update(dict.fromkeys(names))

    def json(self, topics: list[str]) -> str:
        """The file's text; topics (all names, in topics.yml order) order the topic values."""
        seen = self.seen
        values = {
            "papers": self.papers,  # search.js weighs each year's scores by its size
            "year": sorted(self.papers, reverse=True),  # also the bundles, pagefind/<year>/
            "topic": [name for name in topics if name in seen["topic"]],
            "organization": sorted(seen["organization"], key=lambda name: (name.casefold(), name)),
            "code": sorted(seen["code"]),
        }
        return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _cache_key(records: list[SearchRecord]) -> str:
    """What a year's bundle is made from: its records, Pagefind and this file."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        binary = version("pagefind_bin")
    except PackageNotFoundError:  # a binary from elsewhere (PAGEFIND_BINARY_PATH, say)
        binary = "?"
    digest = hashlib.sha256(f"{version('pagefind')} {binary}\n".encode())
    digest.update(Path(__file__).read_bytes())  # how records become a bundle, post-processing too
    names = [item.name for item in fields(SearchRecord)]  # not asdict: it deep-copies (0.5 s)
    for record in records:
        values = [getattr(record, name) for name in names]
        digest.update(json.dumps(values, sort_keys=True).encode("utf-8") + b"\n")
    return digest.hexdigest()[:20]


def _from_cache(cache: Path | None, year: str, key: str, target: Path) -> bool:
    """Copy a year's bundle from the cache if it was built from the same records."""
    cached = cache / f"{year}-{key}" if cache else None
    if cached is None or not (cached / "pagefind-entry.json").is_file():
        return False
    try:
        shutil.copytree(cached, target, copy_function=_link_or_copy)
    except OSError:  # the cache is only a shortcut: index the year instead
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _to_cache(cache: Path | None, year: str, key: str, built: Path) -> None:
    """Keep a year's new bundle for the next build, in place of the year's older ones."""
    if cache is None:
        return
    partial = cache / f".{year}-{key}.partial"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        # Renamed before deleted, and copied before renamed into place: a build stopped
        # anywhere here leaves a year's entry whole or absent, and only hidden leftovers.
        for old in [*cache.glob(f".{year}-*"), *cache.glob(f"{year}-*")]:  # leftovers first
            if not old.name.startswith("."):
                old = old.rename(cache / f".{old.name}.old")
            shutil.rmtree(old)
        shutil.copytree(built, partial, copy_function=_link_or_copy)
        partial.rename(cache / f"{year}-{key}")
    except OSError:  # a full disk or a read-only cache costs the next build time, nothing more
        shutil.rmtree(partial, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    # Bundle files are never changed once written, so the cache and the site can share them.
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


async def _write_bundles(
    todo: queue.SimpleQueue[tuple[str, list[SearchRecord]] | None],
    bundle: Path,
    beside: Callable[[], None],
) -> None:
    """Index the years from todo (None: no more) on up to SERVICES Pagefind services."""
    # `beside` runs once every record is in (unless indexing fails first: then the build
    # fails, and `beside` is cancelled). Each service takes one None and stops there.
    sending = set(range(SERVICES))  # services that may still send records
    sent = asyncio.Event()

    def done_sending(service_number: int) -> None:
        sending.discard(service_number)
        if not sending:
            sent.set()

    async def service_work(number: int) -> None:
        job = await asyncio.to_thread(todo.get)  # (year, its records), or None
        if job is None:  # nothing left to index: no Pagefind started
            done_sending(number)
            return
        service = await _service_class()().launch()
        try:
            writing = None
            while job is not None:
                year, records = job
                writing = await _add_year(service, records, bundle / year)
                job = await asyncio.to_thread(todo.get)
                if job is not None:  # one index at a time in memory; `beside` runs by the last
                    await writing
            done_sending(number)
            if writing is not None:
                await writing
        finally:
            done_sending(number)
            await service.close()

    async def run_beside() -> None:
        await sent.wait()
        await asyncio.to_thread(beside)

    await asyncio.gather(*(service_work(number) for number in range(SERVICES)), run_beside())


async def _add_year(service: Any, records: list[SearchRecord], bundle: Path) -> Any:
    """Send a year's records to Pagefind; return the task writing its bundle and freeing it."""
    from pagefind.index import IndexConfig

    index = await service.create_index(IndexConfig(force_language="en"))
    # Pagefind numbers pages in the order requests arrive, and gather() sends them in list
    # order (each send writes before its first await): the bundle follows the archive.
    # Batches keep Pagefind busy instead of idle between one answer and the next request.
    for start in range(0, len(records), PIPELINED):
        await asyncio.gather(
            *(
                index.add_custom_record(
                    url=record.url,
                    content=record.content,
                    language="en",
                    meta=record.meta,
                    filters=record.filters,
                    sort=record.sort,
                )
                for record in records[start : start + PIPELINED]
            )
        )

    async def write() -> None:
        bundle.mkdir(parents=True, exist_ok=True)
        await index.write_files(output_path=str(bundle.resolve()))
        await _until_written(bundle)
        await index.delete_index()  # the service holds every index it made until told
        for name in UNUSED:
            (bundle / name).unlink(missing_ok=True)

    return asyncio.ensure_future(write())


async def _until_written(bundle: Path, timeout: float = 120) -> None:
    """Wait until Pagefind's files are whole: it answers write_files before they all are."""
    # Pagefind hands its writes to background threads and exits as soon as its input closes,
    # which left files truncated or empty now and then, mostly on a busy machine. Its index
    # files are gzip, whose trailer proves a file whole; any other must stop growing.
    deadline = asyncio.get_running_loop().time() + timeout
    whole: set[str] = set()
    sizes: dict[str, int] = {}  # bytes of each file not yet whole, at the last look
    # Each look in a thread: the event loop meanwhile sends another year's records.
    while not await asyncio.to_thread(_all_whole, bundle, whole, sizes):
        if asyncio.get_running_loop().time() > deadline:
            raise BuildError(f"search index: Pagefind did not finish writing {bundle}")
        await asyncio.sleep(0.1)


def _all_whole(bundle: Path, whole: set[str], sizes: dict[str, int]) -> bool:
    """Look at the files not yet whole (adding those that now are); whether all are."""
    # Files found whole are not read again: a bundle has thousands.
    files = [os.path.join(folder, name) for folder, _, names in os.walk(bundle) for name in names]
    for path in files:
        if path not in whole:
            data = Path(path).read_bytes()
            if _whole(data, sizes.get(path)):
                whole.add(path)
            sizes[path] = len(data)
    whole.intersection_update(files)  # a file Pagefind renamed or removed meanwhile
    return len(whole) == len(files) and _entry_ok(bundle)


def _whole(data: bytes, size_before: int | None) -> bool:
    if not data.startswith(b"\x1f\x8b"):
        return bool(data) and len(data) == size_before  # the same size 0.1 s apart
    try:
        gzip.decompress(data)
    except (OSError, EOFError):  # gzip.BadGzipFile is an OSError
        return False
    return True


def _entry_ok(bundle: Path) -> bool:
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return all(
        (bundle / f"pagefind.{lang['hash']}.pf_meta").is_file()
        for lang in entry["languages"].values()
    )


def _service_class() -> Any:
    """Pagefind's Python service, with a reader that does not sleep before every answer."""
    from pagefind.service import PagefindService

    class Service(PagefindService):
        async def close(self) -> None:
            # The stock close() terminates Pagefind at once. Closing its input makes it exit
            # too (at once, so _until_written runs first); terminate only if it hangs.
            pending = asyncio.gather(*self._responses.values(), return_exceptions=True)
            with contextlib.suppress(TimeoutError):  # an unanswered request: exit regardless
                await asyncio.wait_for(pending, timeout=30)
            if self._backend.stdin is not None:
                self._backend.stdin.close()
            try:
                await asyncio.wait_for(self._backend.wait(), timeout=120)
            except TimeoutError:
                self._backend.terminate()
                await self._backend.wait()
            finally:
                self._poll_task.cancel()

        # pagefind 1.5.2's reader sleeps 0.1 s before reading each answer, so a record costs
        # 0.1 s however the requests are sent: 30,000 papers took 50 minutes
        # (https://github.com/Pagefind/pagefind/issues/976). Same protocol, read at once.
        async def _wait_for_responses(self) -> None:
            assert self._backend.stdout is not None
            said = b""  # what is not an answer: a panic's message, before the process exits
            while True:
                try:
                    message = await self._backend.stdout.readuntil(b",")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                    rest = exc.partial if isinstance(exc, asyncio.IncompleteReadError) else b""
                    text = (said + rest).decode("utf-8", "replace").strip()
                    _fail(self._responses, f"search index: Pagefind stopped: {text or exc}")
                    return
                try:
                    _answer(self._responses, message[:-1])
                except (ValueError, binascii.Error):  # JSONDecodeError is a ValueError
                    said += message

    # Only while the private hook this relies on exists; otherwise slow but correct.
    return Service if hasattr(PagefindService, "_wait_for_responses") else PagefindService


def _fail(pending: dict[int, asyncio.Future[Any]], message: str) -> None:
    for future in pending.values():
        if not future.done():
            future.set_exception(BuildError(message))


def _answer(pending: dict[int, asyncio.Future[Any]], message: bytes) -> None:
    """Resolve the request a service message answers (base64 JSON, as pagefind/service sends)."""
    answer = json.loads(base64.b64decode(message))
    if not isinstance(answer, dict):
        return
    payload = answer.get("payload") or {}
    message_id = answer.get("message_id")
    if message_id is None and payload.get("original_message"):
        # A request the service could not parse comes back without its id, but whole.
        message_id = json.loads(payload["original_message"]).get("message_id")
    future = pending.get(message_id) if isinstance(message_id, int) else None
    if future is None or future.done():
        return
    if payload.get("type") == "Error":
        said = f"search index: Pagefind failed: {payload.get('message')}"
        future.set_exception(BuildError(said))
    else:
        future.set_result(payload)


# Pagefind 1.5.2 writes its filters and sorts in hash-map order, which changes from run to
# run: the filter files, the metadata file listing filters and sorts, and the entry file
# naming that one differ between two builds of the same content. Sorting them makes the
# bundle, like the rest of the site, the same bytes for the same content. Those files are
# gzip of b"pagefind_dcd" + CBOR; the few CBOR types they use are read and written below
# (RFC 8949; re-encoding an unchanged file gives Pagefind's bytes back).
SIGNATURE = b"pagefind_dcd"


def _make_reproducible(bundle: Path) -> None:
    entry_file = bundle / "pagefind-entry.json"
    entry = json.loads(entry_file.read_text("utf-8"))
    for language in entry["languages"].values():
        meta_file = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _read_pf(meta_file)
        if not (isinstance(meta, list) and len(meta) > 4 and isinstance(meta[3], list)):
            raise BuildError(f"search index: {meta_file}: not the Pagefind 1.5 format")
        prefix = language["hash"].partition("_")[0]
        listed = []
        for name, old in sorted(meta[3]):
            old_file = bundle / "filter" / f"{old}.pf_filter"
            key, values = _read_pf(old_file)
            old_file.unlink()
            listed.append([name, _write_pf(bundle / "filter", prefix, [key, sorted(values)], 7)])
        meta[3] = listed  # [[filter, file]], by filter name
        meta[4] = sorted(meta[4])  # [[sort, page order]], by sort name
        meta_file.unlink()
        language["hash"] = _write_pf(bundle, prefix, meta, 10)
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    entry_file.write_text(text, encoding="utf-8")


def _read_pf(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise BuildError(f"search index: {path}: not a Pagefind file")
    value, end = _from_cbor(data, len(SIGNATURE))
    if end != len(data):
        raise BuildError(f"search index: {path}: unexpected data after its CBOR value")
    return value


def _write_pf(folder: Path, prefix: str, value: Any, digits: int) -> str:
    """Write a value as Pagefind does, named by its content; return its hash name."""
    data = gzip.compress(SIGNATURE + _to_cbor(value), mtime=0)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    if folder.name == "filter":
        (folder / f"{name}.pf_filter").write_bytes(data)
    else:
        (folder / f"pagefind.{name}.pf_meta").write_bytes(data)
    return name


def _from_cbor(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info >= 24:
        if info > 27:
            raise BuildError(f"search index: CBOR {major}/{info} at byte {at} is not supported")
        size = 1 << (info - 24)
        number, at = int.from_bytes(data[at : at + size], "big"), at + size
    else:
        number = info
    if major == 0:
        return number, at
    if major in (2, 3):
        raw = data[at : at + number]
        return (raw.decode("utf-8") if major == 3 else raw), at + number
    if major == 4:
        items = []
        for _ in range(number):
            item, at = _from_cbor(data, at)
            items.append(item)
        return items, at
    raise BuildError(f"search index: CBOR {major}/{info} at byte {at} is not supported")


def _to_cbor(value: Any) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int | str | bytes | list):
        raise BuildError(f"search index: cannot write {type(value).__name__} as CBOR")
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, str | bytes):
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return _cbor_head(3 if isinstance(value, str) else 2, len(raw)) + raw
    return _cbor_head(4, len(value)) + b"".join(_to_cbor(item) for item in value)


def _cbor_head(major: int, number: int) -> bytes:
    if number < 24:
        return bytes([major << 5 | number])
    size = next(size for size in (1, 2, 4, 8) if number < 1 << (8 * size))
    return bytes([major << 5 | (24 + size.bit_length() - 1)]) + number.to_bytes(size, "big")


def search_page() -> str:
    """The Markdown (raw HTML inside) of /search/: the form, filters, sort and results."""
    return _SEARCH_PAGE


# Raw HTML: MkDocs passes it through; assets/search/search.js (overrides/) brings it to life.
_SEARCH_PAGE = """\
---
title: "Search"
description: "Find any paper of the archive by words from its title, authors or abstract."
hide: ["toc"]
---

# Search

<form id="dpa-search" class="dpa-search" role="search" action="./" method="get" autocomplete="off">
<p class="dpa-search__row">
<label class="dpa-vh" for="dpa-search-q">Search papers</label>
<input id="dpa-search-q" class="dpa-search__q" type="search" name="q" spellcheck="false"
  placeholder="Words from a title, authors, abstract, keywords…" enterkeyhint="search" autofocus>
<button class="md-button md-button--primary" type="submit">Search</button>
</p>
<p class="dpa-search__row dpa-search__filters">
<label>Sort <select name="sort"><option value="">Relevance</option>
  <option value="newest">Newest</option><option value="upvotes">Most upvoted</option>
  </select></label>
<label>Year <select name="year"><option value="">Any</option></select></label>
<label>Topic <select name="topic"><option value="">Any</option></select></label>
<label>Organization <select name="org"><option value="">Any</option></select></label>
<label><input type="checkbox" name="code" value="1"> Has code</label>
</p>
</form>

<p id="dpa-search-status" class="dpa-search__status" role="status" aria-live="polite">
Search runs in your browser and needs JavaScript.</p>

<ol id="dpa-search-results" class="dpa-search__results"></ol>

<p><button id="dpa-search-more" class="md-button" type="button" hidden>More results</button></p>
"""
