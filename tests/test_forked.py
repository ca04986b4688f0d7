"""Work in a forked process: results, exceptions and deaths come back to the parent."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from generator.errors import BuildError, ContentError
from generator.forked import in_two


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
    with pytest.raises(BuildError, match="_Odd: -2: odd") as raised:
        in_two(_squares, [1, 2, -2])
    assert "_squares" in "".join(raised.value.__notes__)  # the forked process's traceback


def test_in_two_says_when_the_forked_process_dies() -> None:
    with pytest.raises(BuildError, match="ended with exit status 3"):
        in_two(_squares, [1, 2, -3])
    assert multiprocessing.active_children() == []
