"""The check cache: day files checked before are read back, and nothing it holds hides a problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import checkcache
from generator.__main__ import main
from generator.validate import check_content
from tests.helpers import fixture_content

DAY = "papers/2025/06/2025-06-09.yaml"


def test_a_second_check_reads_every_day_back_as_it_was(tmp_path: Path) -> None:
    content, cache = fixture_content(tmp_path / "fixture"), tmp_path / "cache"
    plain = check_content(content)
    first = check_content(content, cache)
    assert first.cache is not None and len(first.cache.fresh) == len(plain.days)
    first.cache.save()
    assert len(list(cache.iterdir())) == len(plain.days)
    again = check_content(content, cache)
    assert again.cache is not None and again.cache.fresh == {}  # every day from the cache
    assert again.days == plain.days and again.problems == plain.problems == []


def test_an_edited_file_is_checked_again_and_its_problem_reported(tmp_path: Path) -> None:
    content, cache = fixture_content(tmp_path / "fixture"), tmp_path / "cache"
    checked = check_content(content, cache)
    assert checked.cache is not None
    checked.cache.save()
    day = content / DAY
    day.write_text(day.read_text("utf-8").replace("upvotes: 40", "upvotes: many"), "utf-8")
    again = check_content(content, cache)
    assert [p.path.replace("\\", "/").endswith(DAY) for p in again.problems] == [True]
    assert "many" in str(again.problems[0])
    assert again.cache is not None and again.cache.fresh == {}  # a file with a problem: not kept
    again.cache.save()
    assert len(list(cache.iterdir())) == len(checked.days) - 1  # the old entry is gone


def test_the_build_refuses_a_broken_file_whatever_the_cache_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = fixture_content(tmp_path / "fixture")
    args = ["build", "--content", str(content), "--site-dir", str(tmp_path / "site")]
    args += ["--build-dir", str(tmp_path / "build")]
    assert main(args) == 0
    assert len(list((tmp_path / "build" / "check-cache").iterdir())) >= 3
    day = content / DAY
    day.write_text(day.read_text("utf-8") + "  - broken: [\n", "utf-8")
    assert main(args) == 1
    assert f"{DAY}:" in capsys.readouterr().err.replace("\\", "/")


def test_an_unreadable_entry_is_checked_again(tmp_path: Path) -> None:
    content, cache = fixture_content(tmp_path / "fixture"), tmp_path / "cache"
    checked = check_content(content, cache)
    assert checked.cache is not None
    checked.cache.save()
    for entry in cache.iterdir():
        entry.write_text('{"papers": [', "utf-8")  # cut short: a full disk, say
    again = check_content(content, cache)
    assert again.days == checked.days
    assert again.cache is not None and len(again.cache.fresh) == len(checked.days)


def test_the_name_covers_the_place_the_bytes_and_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = Path("papers/2025/06/2025-06-09.yaml")
    name = checkcache.name(day, b"x")
    assert checkcache.name(Path("papers/2025/06/2025-06-10.yaml"), b"x") != name
    assert checkcache.name(day, b"y") != name
    code = tmp_path / "generator"
    shutil.copytree(checkcache.HERE, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(checkcache, "HERE", code)
    checkcache._code.cache_clear()
    try:
        assert checkcache.name(day, b"x") == name  # the same code
        schema = code / "schemas" / "day.schema.json"
        schema.write_text(schema.read_text("utf-8") + "\n", "utf-8")
        checkcache._code.cache_clear()
        assert checkcache.name(day, b"x") != name
    finally:
        checkcache._code.cache_clear()
