"""YAML files: one deterministic format, dates kept as strings, errors with their place, and
atomic writes (a process killed at any moment leaves each file old or new, never truncated)."""

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
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import yamlfile
from generator.content import day_paths, load_day
from generator.errors import ContentError
from generator.importer import import_dir
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent


# One format: the same data, the same text.


def test_the_format_of_a_dump() -> None:
    data = {
        "date": "2026-05-29",
        "upvotes": 3,
        "look_alikes": ["yes", "1.0", "null", "0x1F", "2026-05-29T10:00:00Z"],
        "title": "Ünïcode — “quoted”",
        "abstract": " ".join(["word"] * 30),
        "url": "https://example.org/" + "a" * 90,
        "lines": "a\nb",
        "empty": [],
    }
    assert yamlfile.dump(data, header="# a header\n") == (
        "# a header\n"
        "date: 2026-05-29\n"  # unquoted: it loads back as a string
        "upvotes: 3\n"
        "look_alikes:\n"
        "- 'yes'\n"
        "- '1.0'\n"
        "- 'null'\n"
        "- '0x1F'\n"
        "- 2026-05-29T10:00:00Z\n"
        "title: Ünïcode — “quoted”\n"  # as written, not escaped
        "abstract: >-\n"  # long prose folds at 88 columns: a changed word is a one-line diff
        f"  {' '.join(['word'] * 18)}\n"
        f"  {' '.join(['word'] * 12)}\n"
        f"url: https://example.org/{'a' * 90}\n"  # a long word stays on one line
        "lines: >-\n"
        "  a\n"
        "\n"
        "  b\n"
        "empty: []\n"
    )
    assert yamlfile.loads(yamlfile.dump(data)) == data


def test_dates_and_times_load_as_strings() -> None:
    loaded = yamlfile.loads("date: 2026-05-29\nat: 2026-05-29T10:00:00Z\nn: 3\nok: true\n")
    assert loaded == {"date": "2026-05-29", "at": "2026-05-29T10:00:00Z", "n": 3, "ok": True}


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)  # no lone surrogates


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.one_of(TEXT, st.integers(), st.booleans(), st.none(), st.lists(TEXT, max_size=3)),
        max_size=5,
    )
)
def test_any_data_comes_back_as_it_went_and_dumps_the_same(data: dict) -> None:
    text = yamlfile.dump(data)
    assert yamlfile.loads(text) == data
    assert yamlfile.dump(yamlfile.loads(text)) == text


# Reading: every problem names the file, and the line and column when there is one.


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [\n", "day.yaml:2:1: YAML syntax error: did not find expected node content"),
        ("a: b: c\n", "day.yaml:1:5: YAML syntax error: mapping values are not allowed in this"),
        ("a: 'x\n", "day.yaml:2:1: YAML syntax error: found unexpected end of stream"),
        ("\t- a\n", "day.yaml:1:1: YAML syntax error: found character that cannot start any"),
    ],
)
def test_syntax_errors_name_the_place(text: str, message: str) -> None:
    with pytest.raises(ContentError) as error:
        yamlfile.loads(text, "day.yaml")
    assert str(error.value).startswith(message)


def test_read_names_the_file_and_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "day.yaml"
    path.write_bytes(b"title: caf\xe9\n")
    with pytest.raises(ContentError, match=r"day\.yaml: not valid UTF-8 \(byte 10\)$"):
        yamlfile.read(path)
    with pytest.raises(
        ContentError, match=r"missing\.yaml: cannot read: No such file or directory$"
    ):
        yamlfile.read(tmp_path / "missing.yaml")
    path.write_text("title: café\n", "utf-8")
    assert yamlfile.read(path) == {"title": "café"}


# Writing: atomically, only when the text changed.


def test_a_write_makes_the_folders_and_a_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "papers/2026/05/2026-05-29.yaml"
    assert yamlfile.write_atomic(path, "title: café\n") is True
    assert path.read_bytes() == "title: café\n".encode()
    assert path.stat().st_mode & 0o777 == 0o644  # mkstemp's 0600 would hide it from a web server
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert yamlfile.write_atomic(path, "title: other\n") is True
    assert path.read_text("utf-8") == "title: other\n"


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
