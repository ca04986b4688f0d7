"""`import` of the real recorded corpus: every paper kept, idempotent, vintages, merge rules."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from generator import importer
from generator.__main__ import main
from generator.archive import load_archive
from generator.content import DayFile, day_path, day_paths, load_day
from generator.hf_api import MAX_BODY
from generator.importer import import_dir
from tests.helpers import api_item, write_response


def _source_ids(path: Path) -> list[str]:
    return [item["paper"]["id"] for item in json.loads(path.read_text("utf-8"))]


def _snapshot(content: Path) -> dict[str, bytes]:
    return {str(p.relative_to(content)): p.read_bytes() for p in sorted(content.rglob("*.yaml"))}


def test_every_corpus_day_keeps_every_paper(corpus_days: Path, imported: Path) -> None:
    sources = sorted(corpus_days.glob("*.json"))
    assert len(sources) == 515
    days = {day.date.isoformat(): day for day in load_archive(imported).days}
    assert len(days) == len(sources)
    total = 0
    for source in sources:
        ids = _source_ids(source)
        unique = list(dict.fromkeys(ids))  # minus duplicate ids within one response
        day = days[source.stem]
        assert [p.id for p in day.papers] == unique, source.name
        total += len(day.papers)
    assert total == 8379


def test_second_import_changes_no_byte(corpus_days: Path, imported: Path, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(imported, content)
    before = _snapshot(content)
    summary = import_dir(corpus_days, content)
    assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 515)
    assert summary.papers_added == 0
    assert _snapshot(content) == before


def test_list_day_is_the_requested_date_not_a_timestamp(imported: Path) -> None:
    # 2024: 15% of items had top-level timestamps late on the previous day.
    for path in day_paths(imported):
        assert load_day(path).date.isoformat() == path.stem


def test_2024_minimal_shape(imported: Path) -> None:
    from datetime import date

    day = load_day(day_path(imported, date(2024, 3, 12)))
    assert day.status == "listed" and len(day.papers) == 9
    first = day.papers[0]
    assert first["id"] == "2403.06634"
    assert first["title"] == "Stealing Part of a Production Language Model"
    assert first["upvotes"] == 63 and first["comments"] == 3
    assert first["published"] == "2024-03-11"
    assert first["authors"][:2] == ["Nicholas Carlini", "Daniel Paleka"]
    assert first["media"] == [
        "https://cdn-uploads.huggingface.co/production/uploads/60f1abe7544c2adfd699860c/"
        "dhiUnxDGTRatavk4pKf9h.png"
    ]
    assert "\n" not in first["abstract"] and "  " not in first["abstract"]
    assert first["abstract"].startswith("We introduce the first model-stealing attack")
    assert "thumbnail" not in first and "ai_summary" not in first


def test_2025_shape(imported: Path) -> None:
    from datetime import date

    day = load_day(day_path(imported, date(2025, 6, 10)))
    first = day.papers[0]
    assert first["id"] == "2506.08007" and first["upvotes"] == 97
    assert first["submitter"] == "unilm" and first["submitter_name"] == "Li Dong"
    assert first["ai_keywords"][0] == "Reinforcement Pre-Training (RPT)"
    assert first["ai_summary"].startswith("Reinforcement Pre-Training (RPT) improves")
    assert first["thumbnail"].endswith("/papers/2506.08007.png")
    upvotes = [p["upvotes"] for p in day.papers]
    assert upvotes == sorted(upvotes, reverse=True)


def test_2026_shape(imported: Path) -> None:
    from datetime import date

    day = load_day(day_path(imported, date(2026, 5, 29)))
    first = day.papers[0]
    assert first["id"] == "2605.29801"
    assert first["organization"] == "ShanghaiAiLab"
    assert first["organization_name"] == "shanghai ailab"  # trailing space normalised
    assert first["project_page"] == "https://ai45lab.github.io/AgentDoG/v1_5/"
    assert first["published"] == "2026-05-28"
    assert len(first["authors"]) == 50


def test_github_fields_and_plain_titles(imported: Path) -> None:
    days = load_archive(imported).days
    papers = [p for day in days for p in day.papers]
    with_repo = [p for p in papers if p.github]
    assert len(with_repo) >= 2800
    assert all(p.github.startswith("https://github.com/") for p in with_repo)
    # paper.title is plain; the top-level title keeps LaTeX such as "Synth$^2$".
    synth = next(p for p in papers if p.id == "2403.07750")
    assert synth.title.startswith("Synth^2: Boosting Visual-Language Models")
    assert all("\n" not in p.title for p in papers)


def test_same_paper_on_two_days_is_kept_on_both(imported: Path) -> None:
    listed = [
        d.date.isoformat()
        for d in load_archive(imported).days
        if any(p.id == "2604.07429" for p in d.papers)
    ]
    assert listed == ["2026-04-10", "2026-04-16"]


def test_older_snapshot_after_newer_loses_nothing(tmp_path: Path) -> None:
    newer = [
        api_item(
            "2506.00001",
            40,
            githubRepo="https://github.com/a/b",
            githubStars=12,
            ai_summary="Summary.",
            ai_keywords=["agents"],
        ),
        api_item("2506.00002", 30),
        api_item("2506.00003", 5),
    ]
    older = [api_item("2506.00002", 3), api_item("2506.00001", 2)]  # early snapshot
    content = tmp_path / "content"
    import_dir(write_response(tmp_path / "new", "2025-06-10", newer).parent, content)
    before = load_day(day_path(content, _d("2025-06-10")))
    summary = import_dir(write_response(tmp_path / "old", "2025-06-10", older).parent, content)
    after = load_day(day_path(content, _d("2025-06-10")))
    assert summary.papers_added == 0
    assert [p["id"] for p in after.papers] == ["2506.00001", "2506.00002", "2506.00003"]
    first = after.papers[0]
    assert first["upvotes"] == 40 and first["github_stars"] == 12
    assert first["github"] == "https://github.com/a/b" and first["ai_keywords"] == ["agents"]
    # A paper the older response lacks is kept, marked as dropped upstream.
    assert after.papers[2] == {**before.papers[2], "dropped": True}
    assert "dropped" not in first


def test_counts_and_late_fields_update(tmp_path: Path) -> None:
    content = tmp_path / "content"
    import_dir(
        write_response(tmp_path / "a", "2025-06-10", [api_item("2506.00001", 3)]).parent, content
    )
    later = [api_item("2506.00001", 9, githubRepo="https://github.com/x/y", title="Better  title")]
    summary = import_dir(write_response(tmp_path / "b", "2025-06-10", later).parent, content)
    paper = load_day(day_path(content, _d("2025-06-10"))).papers[0]
    assert summary.changed == 1
    assert paper["upvotes"] == 9 and paper["github"] == "https://github.com/x/y"
    assert paper["title"] == "Better title"


def test_dropped_paper_listed_again_loses_the_mark(tmp_path: Path) -> None:
    content = tmp_path / "content"
    both = [api_item("2506.00001", 3), api_item("2506.00002", 2)]
    import_dir(write_response(tmp_path / "a", "2025-06-10", both).parent, content)
    import_dir(write_response(tmp_path / "b", "2025-06-10", both[:1]).parent, content)
    import_dir(write_response(tmp_path / "c", "2025-06-10", both).parent, content)
    papers = load_day(day_path(content, _d("2025-06-10"))).papers
    assert all("dropped" not in p for p in papers)


def test_empty_list_is_an_empty_day(tmp_path: Path) -> None:
    content = tmp_path / "content"
    summary = import_dir(write_response(tmp_path / "a", "2025-06-14", []).parent, content)
    path = day_path(content, _d("2025-06-14"))
    assert summary.empty == 1
    assert load_day(path) == DayFile(date=_d("2025-06-14"), papers=[])
    assert "status: empty\n" in path.read_text("utf-8")


def test_bad_file_fails_its_day_only(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_response(source, "2025-06-10", [api_item("2506.00001")])
    (source / "2025-06-11.json").write_text("<html>502 Bad Gateway</html>", "utf-8")
    (source / "2025-06-12.json").write_text('[{"paper": {"id": "2506.0', "utf-8")
    write_response(source, "2025-06-13", [{"paper": {"title": "no id"}}, api_item("2506.00009")])
    summary = import_dir(source, tmp_path / "content")
    assert summary.new == 2
    assert [f.split(": ", 1)[1] for f in summary.failed] == [
        "got an HTML page instead of JSON",
        "invalid JSON at line 1 column 19: Unterminated string starting at",
    ]
    assert summary.warnings == [
        f"{source / '2025-06-13.json'}: item 0: skipped: 'paper.id' is not an arXiv id: None"
    ]


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_response(source, "2025-06-10", [api_item("2506.00001")])
    os.mkfifo(source / "2025-06-11.json")  # no writer: opening it for reading would block
    (source / "2025-06-12.json").mkdir()
    (source / "2025-06-13.json").symlink_to("/dev/zero")  # endless if read
    (source / "2025-06-14.json").symlink_to(source / "2025-06-10.json")  # a regular file
    done: list[Any] = []
    worker = threading.Thread(target=lambda: done.append(import_dir(source, tmp_path / "c")))
    worker.daemon = True
    worker.start()
    worker.join(timeout=30)
    assert done, "import_dir hung"
    summary = done[0]
    assert summary.new == 2
    assert summary.failed == [
        f"{source / '2025-06-11.json'}: not a regular file but a FIFO; skipped",
        f"{source / '2025-06-12.json'}: not a regular file but a directory; skipped",
        f"{source / '2025-06-13.json'}: not a regular file but a character device; skipped",
    ]


def test_file_size_and_nesting_are_bounded(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_response(source, "2025-06-10", [api_item("2506.00001")])
    with (source / "2025-06-11.json").open("wb") as big:
        big.truncate(MAX_BODY + 1)  # sparse: refused by its size, before it is read
    (source / "2025-06-12.json").write_text("[" * 100_000, "utf-8")
    (source / "2025-06-13.json").write_text('{"a": ' * 100_000, "utf-8")
    summary = import_dir(source, tmp_path / "content")
    assert summary.new == 1
    assert summary.failed == [
        f"{source / '2025-06-11.json'}: file ({MAX_BODY + 1} bytes) is larger than 16 MiB; refused",
        f"{source / '2025-06-12.json'}: JSON nested too deeply; refused",
        f"{source / '2025-06-13.json'}: JSON nested too deeply; refused",
    ]


def _bug_on(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make parsing the file called name fail as a bug would."""
    real = importer.parse_response

    def parse(body: bytes, source: str) -> Any:
        if source.endswith(name):
            raise RuntimeError("a bug")
        return real(body, source)

    monkeypatch.setattr(importer, "parse_response", parse)


def _three_days(source: Path) -> Path:
    for n, day in enumerate(["2025-06-10", "2025-06-11", "2025-06-12"]):
        write_response(source, day, [api_item(f"2506.0000{n}")])
    return source


def test_a_bug_mid_run_still_tells_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _three_days(tmp_path / "src")
    _bug_on("2025-06-11.json", monkeypatch)
    with pytest.raises(RuntimeError, match="a bug") as caught:
        import_dir(source, tmp_path / "content")
    stopped = f"import stopped at {source / '2025-06-11.json'} by RuntimeError; before it:"
    assert caught.value.__notes__ == [stopped]
    assert capsys.readouterr().out.splitlines() == [
        stopped,
        "days: 1 new, 0 changed, 0 unchanged, 0 empty, 0 failed",
        "papers added: 1",
    ]
    assert [p.stem for p in day_paths(tmp_path / "content")] == ["2025-06-10"]


def test_cli_prints_the_summary_before_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _three_days(tmp_path / "src")
    _bug_on("2025-06-12.json", monkeypatch)
    assert main(["import", str(source), "--content", str(tmp_path / "content")]) == 2
    out, err = capsys.readouterr()
    assert "by RuntimeError; before it:\ndays: 2 new, 0 changed" in out
    assert err.startswith("internal error: RuntimeError: a bug")


def _d(text: str):
    from datetime import date

    return date.fromisoformat(text)
