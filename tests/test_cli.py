"""The command line: --help everywhere, one clear line per error, tracebacks only with --debug."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["import", "validate", "sample", "build"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True
    )


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help(command: str) -> None:
    result = _run(*([command] if command else []), "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m generator")
    if command:
        assert "--content" in result.stdout and "--debug" in result.stdout


def test_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = _run("import", str(tmp_path / "missing"), "--content", str(tmp_path / "c"))
    assert result.returncode == 1
    assert result.stderr == f"error: {tmp_path / 'missing'}: not a directory\n"


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = _run("import", str(tmp_path / "missing"), "--debug")
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "ArchiveError" in result.stderr


def test_broken_day_file_stops_build_with_its_name(tmp_path: Path, capsys) -> None:
    day = tmp_path / "content/papers/2025/06/2025-06-10.yaml"
    day.parent.mkdir(parents=True)
    day.write_text("date: 2025-06-10\npapers: [\n", "utf-8")
    code = main(
        [
            "build",
            "--content",
            str(tmp_path / "content"),
            "--site-dir",
            str(tmp_path / "site"),
            "--build-dir",
            str(tmp_path / "b"),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert err == (
        "error: content is invalid (python -m generator validate):\n"
        f"{day}:3:1: YAML syntax error: did not find expected node content "
        "(while parsing a flow node at line 3, column 1)\n"
    )


def test_bad_date_argument(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "x", "--fetched", "2025-13-01"])
    assert exit_info.value.code == 2
    assert "not a date (YYYY-MM-DD): '2025-13-01'" in capsys.readouterr().err


def test_invalid_day_stops_build_with_validation_messages(tmp_path: Path, capsys) -> None:
    from generator.content import DAY_SCHEMA_HEADER

    day = tmp_path / "content/papers/2025/06/2025-06-10.yaml"
    day.parent.mkdir(parents=True)
    day.write_text(
        DAY_SCHEMA_HEADER + "date: 2025-06-10\nstatus: listed\npapers:\n"
        "- id: '2506.00001'\n  title: T\n  upvotes: many\n",
        "utf-8",
    )
    code = main(
        [
            "build",
            "--content",
            str(tmp_path / "content"),
            "--site-dir",
            str(tmp_path / "site"),
            "--build-dir",
            str(tmp_path / "b"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.startswith("error: content is invalid (python -m generator validate):\n")
    assert "2025-06-10.yaml:7:12: paper 2506.00001 upvotes must be a whole number" in err
