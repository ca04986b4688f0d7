"""`build`: content to a real `mkdocs build`; sample data when content is empty."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import generator.build
from generator.__main__ import main
from generator.errors import BuildError
from generator.importer import import_dir
from tests.helpers import api_item, write_files, write_response

ROOT = Path(__file__).resolve().parent.parent


def _build(content: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    args = [
        "build",
        "--content",
        str(content),
        "--site-dir",
        str(site),
        "--build-dir",
        str(tmp_path / "build"),
    ]
    assert main(args) == 0
    return site


def test_empty_content_builds_from_sample_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "content"
    (empty / "papers").mkdir(parents=True)
    site = _build(empty, tmp_path)
    assert "built from generated sample data" in capsys.readouterr().out
    home = (site / "index.html").read_text("utf-8")
    assert "This site shows generated sample data, not real papers." in home
    assert list((site / "2024").rglob("index.html"))
    assert not list((empty / "papers").rglob("*.yaml")), "sample data never goes into content/"


def test_corrections_and_hostile_text_on_the_built_site(tmp_path: Path) -> None:
    hostile = "<script>alert('x')</script> {{ config.repo_url }} {% include 'x' %}"
    items = [
        api_item("2506.00001", 9, title=hostile, summary="<img src=x onerror=alert(1)>"),
        api_item("2506.00002", 5, title="Spam paper"),
        api_item("2506.00003", 3, title="Wrong title"),
    ]
    content = tmp_path / "content"
    import_dir(write_response(tmp_path / "src", "2025-06-10", items).parent, content)
    write_files(
        content,
        {
            "corrections/2506.00002.yaml": 'id: "2506.00002"\nreason: "spam"\nhide: true\n',
            "corrections/2506.00003.yaml": (
                'id: "2506.00003"\nreason: "typo"\nset:\n  title: Right\n'
            ),
        },
    )
    site = _build(content, tmp_path)
    page = (site / "2025/06/10/index.html").read_text("utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; {{ config.repo_url }}" in page
    assert "Spam paper" not in page and "Wrong title" not in page
    assert 'id="2506.00003"' in page and ">Right</a></h2>" in page
    assert "sample data" not in page


def _fixture(tmp_path: Path) -> Path:
    responses = tmp_path / "responses"
    write_response(responses, "2025-06-09", [api_item("2506.00001", 5), api_item("2506.00002", 2)])
    content = tmp_path / "content"
    assert not import_dir(responses, content).failed
    return content


def stages_said(lines: list[str]) -> list[str]:
    return [line.split(":")[0] for line in lines]


def _assert_assembled(site: Path) -> None:
    """MkDocs' pages and what the side process built (data, feeds, search) are all in site/."""
    for path in (
        "data/2025/06/09.json",
        "feed.xml",
        "pagefind/pagefind.js",
        "pagefind/2025/pagefind-entry.json",
        "pagefind/dpa-search.json",
        "2025/06/09/index.html",
    ):
        assert (site / path).is_file(), path


def test_verbose_build_reports_every_stage_and_assembles_the_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    args = ["build", "--content", str(_fixture(tmp_path)), "--site-dir", str(site)]
    assert main([*args, "--build-dir", str(tmp_path / "build"), "--verbose"]) == 0
    lines = capsys.readouterr().err.splitlines()
    stages = [line.split(":")[0].split(" (")[0] for line in lines]
    assert sorted(stages) == sorted(
        [
            "load content",
            "trends",
            "generate pages",
            "mkdocs build",
            "data and feeds",
            "search index",
            "total",
        ]
    )
    assert all(re.fullmatch(r"[a-z ]+( \(.+\))?: \d+\.\d\d s, peak \d+ MB", x) for x in lines)
    assert "search index (0 of 1 years unchanged)" in stages_said(lines)
    # What the forked process built in build/staged was moved into site/, next to MkDocs' pages.
    _assert_assembled(site)
    assert not (tmp_path / "build" / "staged").exists()
    # Built again from the same content: the year's search index comes from build/search-cache.
    assert main([*args, "--build-dir", str(tmp_path / "build"), "--verbose"]) == 0
    again = capsys.readouterr().err
    assert re.search(r"^search index \(1 of 1 years unchanged\): \d+\.\d\d s", again, re.M)
    _assert_assembled(site)


def test_a_failure_beside_mkdocs_fails_the_build_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise BuildError("search index: Pagefind failed: out of disk")

    monkeypatch.setattr(generator.build, "build_index", broken)  # the fork inherits it
    content = _fixture(tmp_path)
    args = ["build", "--content", str(content), "--site-dir", str(tmp_path / "site")]
    assert main([*args, "--build-dir", str(tmp_path / "build")]) == 1
    err = capsys.readouterr().err
    assert "data, feeds or search index: search index: Pagefind failed: out of disk" in err


def test_a_failed_mkdocs_build_stops_the_forked_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped: list[bool] = []
    real_stop = generator.build.Forked.stop

    def stop(self: generator.build.Forked) -> None:
        real_stop(self)
        stopped.append(self._process.exitcode is not None)

    def failing(*args: object) -> None:
        raise BuildError("mkdocs build --strict failed: a warning")

    monkeypatch.setattr(generator.build.Forked, "stop", stop)
    monkeypatch.setattr(generator.build, "run_mkdocs", failing)
    content = _fixture(tmp_path)
    with pytest.raises(BuildError, match="mkdocs build --strict failed"):
        generator.build.build_site(
            content, tmp_path / "site", tmp_path / "build", ROOT / "mkdocs.yml"
        )
    assert stopped == [True]


def test_without_fork_the_side_outputs_are_built_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # Windows
    site = tmp_path / "site"
    generator.build.build_site(_fixture(tmp_path), site, tmp_path / "build", ROOT / "mkdocs.yml")
    _assert_assembled(site)


def test_a_build_from_another_thread_builds_the_same_site(tmp_path: Path) -> None:
    """Beside another thread nothing forks (a child could inherit that thread's locks)."""
    from concurrent.futures import ThreadPoolExecutor

    content, config = _fixture(tmp_path), ROOT / "mkdocs.yml"
    main_thread, worker = tmp_path / "site-main", tmp_path / "site-thread"
    generator.build.build_site(content, main_thread, tmp_path / "build-main", config)
    with ThreadPoolExecutor(1) as thread:
        build = generator.build.build_site
        thread.submit(build, content, worker, tmp_path / "build-thread", config).result()
    files = sorted(p.relative_to(main_thread) for p in main_thread.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(worker) for p in worker.rglob("*") if p.is_file())
    assert len(files) > 50
    for name in files:
        assert (main_thread / name).read_bytes() == (worker / name).read_bytes(), name


def test_a_bug_in_data_or_feeds_is_a_bug_not_blamed_on_pagefind_or_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object) -> dict[str, bytes]:
        raise RuntimeError("feeds broke")

    monkeypatch.setattr(generator.build, "generate_feeds", broken)  # the fork inherits it
    with pytest.raises(RuntimeError, match="feeds broke") as caught:
        generator.build.build_site(
            _fixture(tmp_path), tmp_path / "site", tmp_path / "build", ROOT / "mkdocs.yml"
        )
    assert "raised in a forked process" in caught.value.__notes__[0]
    args = ["build", "--content", str(tmp_path / "content"), "--site-dir", str(tmp_path / "s")]
    assert main([*args, "--build-dir", str(tmp_path / "build")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("internal error: RuntimeError: feeds broke")
    assert "Pagefind" not in err and "content is invalid" not in err


def test_a_bug_in_the_search_index_is_a_bug_not_blamed_on_pagefind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import generator.search.records

    def broken(*args: object) -> object:
        raise AttributeError("'Paper' object has no attribute 'nothing'")

    monkeypatch.setattr(generator.search.records, "_record", broken)  # the fork inherits it
    _fixture(tmp_path)
    args = ["build", "--content", str(tmp_path / "content"), "--site-dir", str(tmp_path / "s")]
    assert main([*args, "--build-dir", str(tmp_path / "build")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("internal error: AttributeError: 'Paper' object has no attribute")
    assert "Pagefind" not in err


def test_a_failure_pagefind_reports_is_named_as_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import generator.search.pagefind

    async def refused(*args: object) -> object:
        raise Exception("index refused")  # how Pagefind's service reports a failure

    monkeypatch.setattr(generator.search.pagefind, "_add_bundle", refused)
    _fixture(tmp_path)
    args = ["build", "--content", str(tmp_path / "content"), "--site-dir", str(tmp_path / "s")]
    assert main([*args, "--build-dir", str(tmp_path / "build")]) == 1
    assert "search index: Pagefind failed: index refused" in capsys.readouterr().err
