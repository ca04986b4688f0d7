"""Driving Pagefind: years of records into bundles, on a few services side by side.

Indexing runs on an event loop in a thread of its own (asyncio.run() refuses to run where an
event loop already runs: a caller's, or Playwright's sync API in the browser tests), fed
through a queue, so that the caller makes the next year's records while Pagefind indexes.
"""

from __future__ import annotations

import asyncio
import os
import queue
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import BuildError
from .pagefind_private import service_class
from .records import SearchRecord
from .written import until_written

PIPELINED = 64  # records sent to Pagefind before waiting for its answers
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

# Index parts of about 2,000 word locations instead of Pagefind's 20,000, so that a rare word
# no longer comes with the common words sorted next to it: a search of every year at 30,000
# papers fell from 837 to 634 KB (BENCHMARKS.md). Pagefind 1.5.2 reads it from its environment
# only; "UNSTABLE" is its own word for it.
CHUNK_SIZE = "2000"

Job = tuple[str, list[SearchRecord]]  # a bundle's folder name (its year) and its records


class Indexing:
    """Bundles written under `bundle` while the caller adds them; `beside` runs meanwhile.

    `beside` runs once every record is in Pagefind, while it writes (unless indexing fails
    first: then it is cancelled). Leaving the `with` block waits until every bundle is whole.
    """

    def __init__(self, bundle: Path, beside: Callable[[], None] = lambda: None) -> None:
        self.bundle, self.beside = bundle, beside
        self.todo: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self.thread = ThreadPoolExecutor(1)
        self.writing: Future[None] | None = None

    def __enter__(self) -> Indexing:
        writing = _write_bundles(self.todo, self.bundle, self.beside)
        self.writing = self.thread.submit(asyncio.run, writing)
        return self

    def add(self, name: str, records: list[SearchRecord]) -> None:
        """Index these records into bundle/name (Pagefind numbers them in this order)."""
        self.todo.put((name, records))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # One end for each service, even after a failure in the block: none waits forever.
        for _ in range(SERVICES):
            self.todo.put(None)
        self.thread.shutdown(wait=True)
        if exc_type is None and self.writing is not None:
            try:
                self.writing.result()
            except Exception as failure:
                # Pagefind's service reports its failures as bare Exceptions; anything more
                # specific (an AttributeError, say) is a bug here, and stays one.
                if type(failure) is not Exception:
                    raise
                raise BuildError(f"search index: Pagefind failed: {failure}") from failure


async def _write_bundles(
    todo: queue.SimpleQueue[Job | None], bundle: Path, beside: Callable[[], None]
) -> None:
    """Index the jobs from todo (None: no more) on up to SERVICES Pagefind services."""
    # Each service takes one None and stops there.
    sending = set(range(SERVICES))  # services that may still send records
    sent = asyncio.Event()

    def done_sending(service_number: int) -> None:
        sending.discard(service_number)
        if not sending:
            sent.set()

    async def service_work(number: int) -> None:
        job = await asyncio.to_thread(todo.get)
        if job is None:  # nothing left to index: no Pagefind started
            done_sending(number)
            return
        os.environ["PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"] = CHUNK_SIZE
        service = await service_class()().launch()
        try:
            writing = None
            while job is not None:
                name, records = job
                writing = await _add_bundle(service, records, bundle / name)
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


async def _add_bundle(service: Any, records: list[SearchRecord], bundle: Path) -> Any:
    """Send a bundle's records to Pagefind; return the task writing the bundle and freeing it."""
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
        await until_written(bundle)
        await index.delete_index()  # the service holds every index it made until told
        for name in UNUSED:
            (bundle / name).unlink(missing_ok=True)

    return asyncio.ensure_future(write())
