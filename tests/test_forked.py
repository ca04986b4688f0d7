"""Work in a forked process: results, exceptions and deaths come back to the parent."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import BuildError, ContentError
from generator.forked import in_two

ROOT = Path(__file__).resolve().parent.parent


class _Odd(Exception):
    def __init__(self, number: int, why: str) -> None:  # arguments that do not round-trip
        super().__init__(f"{number}: {why}")


def _squares(numbers: list[int]) -> list[int]:
    if -1 in numbers:
        raise ContentError("no -1 here")
    if -2 in numbers:
        raise _Odd(-2, "odd")
    if -3 in numbers:
        os._exit(3)  # the process dies without a word
    return [n * n for n in numbers]


def test_in_two_gives_what_one_process_gives() -> None:
    numbers = list(range(100_001))  # results larger than a pipe's buffer
    assert in_two(_squares, numbers) == _squares(numbers)
    assert in_two(_squares, []) == []
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("where", [0, 100_000])  # the parent's half, the forked process's half
def test_in_two_raises_what_either_half_raises(where: int) -> None:
    numbers = list(range(100_001))
    numbers[where] = -1
    with pytest.raises(ContentError, match="no -1 here") as raised:
        in_two(_squares, numbers)
    assert multiprocessing.active_children() == []  # no forked process left waiting to send
    if where:
        assert "raised in a forked process" in "".join(raised.value.__notes__)


def test_in_two_names_what_it_cannot_raise_again() -> None:
    with pytest.raises(RuntimeError, match="_Odd: -2: odd") as raised:
        in_two(_squares, [1, 2, -2])
    assert "_squares" in "".join(raised.value.__notes__)  # the forked process's traceback


def test_in_two_says_when_the_forked_process_dies() -> None:
    with pytest.raises(BuildError, match="ended with exit status 3"):
        in_two(_squares, [1, 2, -3])
    assert multiprocessing.active_children() == []


def _pids(numbers: list[int]) -> list[int]:
    return [os.getpid() for _ in numbers]


def test_in_two_forks_only_where_that_is_safe() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    assert threading.active_count() == 1  # pytest's main thread alone: forking is safe
    pids = in_two(_pids, list(range(10)))
    assert pids[:5] == [os.getpid()] * 5 and len(set(pids[5:])) == 1 and pids[5] != os.getpid()
    assert set(in_two(_pids, list(range(10)), at_least=11)) == {os.getpid()}  # too few items
    with ThreadPoolExecutor(1) as thread:  # another thread: a child could inherit its locks
        assert set(thread.submit(in_two, _pids, list(range(10))).result()) == {os.getpid()}


def test_forked_work_runs_in_this_process_beside_another_thread() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from generator.forked import Forked

    with ThreadPoolExecutor(1) as thread:
        forked = thread.submit(Forked, _pids, [1, 2, 3]).result()  # made in the worker thread
    assert forked.result() == [os.getpid()] * 3
    assert Forked(_pids, [1]).result() != [os.getpid()]  # alone again: a forked process


def test_a_ctrl_c_during_the_fork_is_not_lost(tmp_path: Path) -> None:
    # Python runs at-fork callbacks (logging's among them) and prints, then drops, what they
    # raise: a Ctrl-C landing there would let the build go on. Forked holds it until forked.
    script = tmp_path / "fork.py"
    script.write_text(
        "import os, signal\n"
        "from generator.forked import Forked\n"
        "os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))\n"
        "try:\n"
        "    Forked(int, '1').result()\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
        "else:\n"
        "    print('went on')\n",
        "utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "interrupted", done.stderr
