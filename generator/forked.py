"""Work in a forked process, which inherits its arguments instead of receiving them pickled.

This module alone decides whether to fork: callers say what to do, and it runs in a second
process only where that is safe (fork exists, two cores or more, no other thread), else in
this one, with the same result.

Not concurrent.futures.ProcessPoolExecutor, whatever its mp_context: it pickles every
argument through its call queue (the archive at 30,000 papers: 69 MB, 3.3 s to pickle and
2.5 s to load again, a good part of the work it would share), and it has no public way to
end a task that is running, which an interrupted build must do (Forked.stop).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from .errors import BuildError

T = TypeVar("T")
R = TypeVar("R")


def _safe_to_fork() -> bool:
    """Whether a second process can help: two cores or more, no other thread, and fork."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # Not beside other threads: a forked child gets their locks in whatever state they were.
    alone = threading.active_count() == 1
    return (cores or 1) > 1 and alone and "fork" in multiprocessing.get_all_start_methods()


class Forked(Generic[R]):
    """work(*args) in a forked process; where forking is not safe, in this one at result()."""

    def __init__(self, work: Callable[..., R], *args: Any) -> None:
        if not _safe_to_fork():  # later, in turn: the same result, one core's time
            self._process = None
            self._inline = lambda: work(*args)
            return
        context = multiprocessing.get_context("fork")
        self._answer, send = context.Pipe(duplex=False)
        # The child gets args through a list this process empties once it has forked, so
        # that its own copies (the whole archive, say) can go when the caller is done.
        handed = [args]
        self._process = context.Process(
            target=_work_and_send, args=(send, work, handed, os.getpid())
        )
        # A Ctrl-C landing during the fork would be raised in one of Python's at-fork
        # callbacks, which print it and carry on: the build would go on. Held until forked.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._process.start()  # an OSError (no memory or process left) is the caller's
        finally:
            handed.clear()
            send.close()  # the child holds the other end: EOF here if it dies
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a held Ctrl-C comes here
            except BaseException:
                if self._process.pid is not None:  # started, and of no use now
                    self._process.terminate()
                    self._process.join()
                raise
        # Its answer is read as it comes, not when result() is called: the child would wait
        # on a full pipe meanwhile (parsed days take a second to come across).
        self._reader = ThreadPoolExecutor(1)
        self._answered = self._reader.submit(self._answer.recv)

    def stop(self) -> None:
        """End the process now: its work is of no use."""
        if self._process is not None:
            self._process.terminate()  # the reader then meets EOF
            self._close()

    def result(self) -> R:
        """What work returned; what it raised is raised here, its traceback as a note."""
        if self._process is None:
            return self._inline()
        try:
            done, value, said = self._answered.result()
        except EOFError:
            self._close()
            status = self._process.exitcode
            raise BuildError(f"a forked process ended with exit status {status}") from None
        except BaseException:  # interrupted while waiting: the work is of no use now
            self.stop()
            raise
        finally:
            self._close()
        if done:
            return value
        # An exception that cannot be made again here is none of the project's own (they all
        # can): a bug, reported as one with what the forked process said.
        error = _unpickled(value) or RuntimeError(said.splitlines()[-1])
        error.add_note(f"raised in a forked process:\n{said}")
        raise error

    def _close(self) -> None:
        assert self._process is not None
        self._reader.shutdown()
        self._process.join()
        self._answer.close()


def in_two(work: Callable[[list[T]], list[R]], items: list[T], at_least: int = 2) -> list[R]:
    """work(items); a forked process does the second half meanwhile, given at_least items."""
    if len(items) < at_least or not _safe_to_fork():
        return work(items)
    half = len(items) // 2
    try:
        other = Forked(work, items[half:])
    except OSError:  # no memory or process left to fork with: one process does it all
        return work(items)
    try:
        mine = work(items[:half])
    except BaseException:
        other.stop()
        raise
    return mine + other.result()


def _work_and_send(
    send: Connection, work: Callable[..., Any], handed: list[tuple], parent: int
) -> None:
    _die_with_parent(parent)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held while forking
    try:
        send.send((True, work(*handed[0]), ""))
    except BaseException as exc:  # the parent raises it, with this traceback as a note
        try:
            pickled: bytes | None = pickle.dumps(exc)
        except Exception:
            pickled = None
        send.send((False, pickled, traceback.format_exc()))
    finally:
        send.close()


def _unpickled(pickled: bytes | None) -> BaseException | None:
    try:
        error = pickle.loads(pickled) if pickled else None
    except Exception:  # an exception class whose arguments do not round-trip
        return None
    return error if isinstance(error, BaseException) else None


def _die_with_parent(parent: int) -> None:
    """End this forked process when its parent ends, even by SIGKILL (Linux only)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):  # not Linux: a killed build may leave this one running
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
