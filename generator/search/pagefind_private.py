"""Every use of Pagefind's private internals: a service that reads its answers at once.

Checked against pagefind 1.5.2 (requirements.txt). Its Python PagefindService sleeps 0.1 s
before reading each answer of the Pagefind process, so a record costs 0.1 s however the
requests are sent: 30,000 papers took 50 minutes
(https://github.com/Pagefind/pagefind/issues/976; still so on Pagefind's main branch in
August 2026). The subclass below replaces that reader, and close(), and so relies on what
PagefindService's __init__, launch() and send() do with its private attributes _backend (the
process), _responses (a future per message id) and _poll_task (the reader's task).

RELIED_ON holds a hash of the source of each of those methods as CHECKED_WITH has them. An
installed Pagefind whose methods differ gets the stock service (correct, only slow: a warning
says so), and tests/test_search.py's test_pagefind_internals_are_the_ones_checked fails,
naming what changed. Then read the new source, adapt or drop the subclass, and update both.
Two neighbours rest on CHECKED_WITH too, and are to be read again with it: reproducible.py
(the bundle's file format, whose filters and sorts it puts in order) and written.py (a wait
that Pagefind's pull 1272 makes needless once released).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import hashlib
import inspect
import json
import logging
from typing import Any

from ..errors import BuildError

CHECKED_WITH = "1.5.2"
ISSUE = "https://github.com/Pagefind/pagefind/issues/976"
RELIED_ON = {  # PagefindService's method -> sha256 of its source in CHECKED_WITH, first 16 digits
    "__init__": "db15cf11dbe8a574",  # sets _responses
    "launch": "ad2582e3e35a549a",  # sets _backend; _poll_task runs _wait_for_responses
    "send": "e0c025c98986fe2b",  # a future in _responses per message; base64 JSON then ","
    "_wait_for_responses": "a24cf8492ca7a8d9",  # replaced below
    "close": "258ac0d41d4723e6",  # replaced below
}

log = logging.getLogger(__name__)


def changed_internals() -> list[str]:
    """PagefindService's methods in RELIED_ON whose source is not the one checked."""
    from pagefind.service import PagefindService

    changed = []
    for name, expected in RELIED_ON.items():
        try:
            source = inspect.getsource(getattr(PagefindService, name))
        except (AttributeError, OSError, TypeError):  # gone, or installed without its source
            changed.append(f"{name} (not found)")
            continue
        if hashlib.sha256(source.encode()).hexdigest()[:16] != expected:
            changed.append(name)
    return changed


@functools.cache
def service_class() -> Any:
    """Pagefind's service with a reader that does not sleep before every answer, if it can be."""
    from pagefind.service import PagefindService

    changed = changed_internals()
    if changed:
        log.warning(
            "search index: Pagefind's service differs from %s's in %s: indexing with its "
            "stock service, at 0.1 s a record (%s; see %s)",
            CHECKED_WITH, ", ".join(changed), ISSUE, __name__,
        )  # fmt: skip
        return PagefindService

    class Service(PagefindService):
        async def close(self) -> None:
            # The stock close() terminates Pagefind at once. Closing its input makes it exit
            # too (at once, so the caller waits until its files are whole first); terminate
            # only if it hangs.
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

        # The same protocol as the stock reader's, read at once; and a Pagefind that stops
        # (a panic) fails the waiting requests with its message instead of leaving them
        # waiting forever.
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

    return Service


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
