"""Atomic writes: a process killed at any moment leaves each file old or new, never truncated."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import yamlfile
from generator.content import day_paths, load_day
from generator.errors import ContentError
from generator.importer import import_dir
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent


def _snapshot(content: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in day_paths(content)}


@pytest.fixture(scope="module")
def old_and_new(
    corpus_days: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict, dict]:
    """Content from altered responses (old), and what re-importing the real ones gives (new)."""
    base = tmp_path_factory.mktemp("kill")
    altered = base / "altered"
    altered.mkdir()
    for source in sorted(corpus_days.glob("*.json")):
        items = json.loads(source.read_text("utf-8"))
        for item in items:
            item["paper"]["title"] = "OLD " + item["paper"]["title"]
        (altered / source.name).write_text(json.dumps(items), "utf-8")
    old = base / "old"
    assert not import_dir(altered, old).failed
    new = base / "new"
    shutil.copytree(old, new)
    assert not import_dir(corpus_days, new).failed
    return old, _snapshot(old), _snapshot(new)


@pytest.mark.parametrize("target", [1, 60, 250, 450])
def test_import_killed_midway_leaves_old_or_new_files(
    target: int, corpus_days: Path, old_and_new: tuple[Path, dict, dict], tmp_path: Path
) -> None:
    old_dir, old, new = old_and_new
    content = tmp_path / "content"
    shutil.copytree(old_dir, content)
    paths = day_paths(content)
    start = time.time()
    time.sleep(0.05)  # let mtimes tell the files this run rewrote
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "import", str(corpus_days), "--content", str(content)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Kill as soon as `target` files have been rewritten: mid-way, by construction.
    deadline = time.time() + 60
    while process.poll() is None and time.time() < deadline:
        if sum(p.stat().st_mtime > start for p in paths) >= target:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "import finished before it could be killed"

    after = _snapshot(content)
    assert set(after) == set(old)
    rewritten = [name for name, data in after.items() if data == new[name]]
    untouched = [name for name, data in after.items() if data == old[name]]
    assert len(rewritten) >= target and untouched, "the kill did not land mid-way"
    assert len(rewritten) + len(untouched) == len(old), "a file is neither old nor new"
    for path in day_paths(content):
        assert load_day(path).papers  # parseable and complete
    assert validate(content) == []  # leftover temporary files are ignored


def test_failed_rename_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "day.yaml"
    path.write_text("old\n", "utf-8")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ContentError, match=r"day\.yaml: cannot write: No space left on device"):
        yamlfile.write_atomic(path, "new\n")
    assert path.read_text("utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["day.yaml"]


def test_unchanged_text_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "day.yaml"
    assert yamlfile.write_atomic(path, "a: 1\n") is True
    mtime = path.stat().st_mtime_ns
    time.sleep(0.01)
    assert yamlfile.write_atomic(path, "a: 1\n") is False
    assert path.stat().st_mtime_ns == mtime
