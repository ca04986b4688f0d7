"""Progress bars: drawn on a terminal, then cleared; nothing at all in a log or a pipe."""

from __future__ import annotations

import io
import sys

import pytest

from generator.progress import progress_bar


class _Terminal(io.StringIO):
    """A stderr that says a person is watching."""

    def isatty(self) -> bool:
        return True


def _terminal(monkeypatch: pytest.MonkeyPatch) -> _Terminal:
    """stderr as a terminal that can move the cursor, whatever terminal runs the tests."""
    # Set in the test itself: pytest's capturing puts its own sys.stderr back after a fixture.
    monkeypatch.setenv("TERM", "xterm-256color")
    for name in ("TTY_COMPATIBLE", "TTY_INTERACTIVE"):  # rich's overrides
        monkeypatch.delenv(name, raising=False)
    stderr = _Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    return stderr


def test_nothing_is_written_when_stderr_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    with progress_bar("Fetching", 3) as advance:
        advance(1)
        advance(2, "2025-06-09")
    assert log.getvalue() == ""
    assert capsys.readouterr() == ("", "")


def test_a_terminal_sees_the_bar_then_it_is_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _terminal(monkeypatch)
    with progress_bar("Fetching", 4) as advance:
        advance(1)
        advance(2, "2025-06-09")
    shown = terminal.getvalue()
    first, last = shown.index("Fetching"), shown.index("2025-06-09")
    assert first < shown.index("0/4") < last < shown.index("3/4")
    # Transient: the last thing written moves up a line and erases it.
    assert shown.endswith("\x1b[1A\x1b[2K")


def test_advancing_without_a_description_keeps_the_label(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _terminal(monkeypatch)
    with progress_bar("Importing", 2) as advance:
        advance(1)
    final = terminal.getvalue().rpartition("\r\x1b[2K")[2]  # the last line drawn
    assert final.startswith("Importing ") and "1/2" in final
