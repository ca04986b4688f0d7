"""`build` never destroys what it did not make, and the last good site stays whole."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import generator.outputs
from generator.__main__ import main
from generator.errors import BuildError
from generator.outputs import BUILD_MARKER, MARKER, Outputs, Writer
from tests.helpers import api_item, fixture_content, write_response

ROOT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under folder and a hash of its bytes (links as their target)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if path.is_symlink():
            files[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            files[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def build_args(content: Path, site: Path, build: Path) -> list[str]:
    return ["build", "--content", str(content), "--site-dir", str(site), "--build-dir", str(build)]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return fixture_content(tmp_path / "fixture")


@pytest.mark.parametrize("how", ["path", "symlink", "parent", "inside", "build-dir"])
def test_the_content_folder_is_never_an_output(
    how: str, content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(content.parent)
    site, build = tmp_path / "site", tmp_path / "build"
    if how == "path":
        site = content
    elif how == "symlink":
        site = tmp_path / "link"
        site.symlink_to(content)
    elif how == "parent":
        site = content.parent
    elif how == "inside":
        site = content / "papers"
    else:
        build = content
    assert main(build_args(content, site, build)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --") and "content folder" in err, err
    assert snapshot(content.parent) == before
    if how == "symlink":
        assert site.is_symlink()


@pytest.mark.parametrize("place", ["repository", "root", "home"])
def test_the_repository_root_and_home_are_never_outputs(place: str, content: Path) -> None:
    folder = {"repository": ROOT, "root": Path("/"), "home": Path.home()}[place]
    for site, build in ((folder, content.parent / "build"), (content.parent / "site", folder)):
        with pytest.raises(BuildError, match="refusing to write there"):
            Outputs.claim(content, site, build)
    with pytest.raises(BuildError, match="contains the repository"):
        Outputs.claim(content, ROOT.parent, content.parent / "build")


def test_a_folder_holding_files_it_did_not_make_is_refused(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "mine"
    (site / "notes").mkdir(parents=True)
    (site / "notes" / "thesis.tex").write_text("years of work")
    assert main(build_args(content, site, tmp_path / "build")) == 1
    assert "holds files a build did not make" in capsys.readouterr().err
    assert (site / "notes" / "thesis.tex").read_text() == "years of work"
    build = tmp_path / "scratch"
    (build / "keep.txt").parent.mkdir()
    (build / "keep.txt").write_text("x")
    assert main(build_args(content, tmp_path / "site", build)) == 1
    assert "--build-dir" in capsys.readouterr().err and (build / "keep.txt").exists()
    (tmp_path / "file").write_text("x")
    assert main(build_args(content, tmp_path / "file", tmp_path / "build")) == 1
    assert "is not a folder" in capsys.readouterr().err


def test_a_build_folder_of_the_nightly_run_and_the_tests_is_accepted(
    content: Path, tmp_path: Path
) -> None:
    # What `make nightly`, the Actions cache and `make test` leave in build/ before any build.
    build = tmp_path / "build"
    for name in ("search-cache/2025-x", "test-artifacts/day-375px.png", "fetch-summary.txt"):
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        (build / name).write_text("x")
    assert Outputs.claim(content, tmp_path / "site", build).build == build


def test_site_and_build_folders_must_be_apart(content: Path, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="must be apart"):
        Outputs.claim(content, tmp_path / "out", tmp_path / "out")
    with pytest.raises(BuildError, match="must be apart"):
        Outputs.claim(content, tmp_path / "out" / "site", tmp_path / "out")


def test_a_site_it_made_is_replaced_whole_and_leaves_nothing_beside(
    content: Path, tmp_path: Path
) -> None:
    site, build = tmp_path / "site", tmp_path / "build"
    assert main(build_args(content, site, build)) == 0
    assert (site / MARKER).is_file() and (build / BUILD_MARKER).is_file()
    (site / "stale.html").write_text("from an older build")
    assert main(build_args(content, site, build)) == 0
    assert not (site / "stale.html").exists(), "the new site replaces the old one whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "build", "fixture", "site"]


def test_a_site_built_before_markers_existed_is_still_replaced(
    content: Path, tmp_path: Path
) -> None:
    site, build = tmp_path / "site", tmp_path / "build"
    assert main(build_args(content, site, build)) == 0
    (site / MARKER).unlink()
    (build / BUILD_MARKER).unlink()
    assert main(build_args(content, site, build)) == 0


def test_the_writer_keeps_every_path_inside_and_writes_it_once(tmp_path: Path) -> None:
    writer = Writer(tmp_path / "out")
    writer.write("topics/agents/index.md", "x", "pages")
    for bad in ("../escape.md", "topics/../../escape.md", "/etc/passwd", "", "a//b", "./a"):
        with pytest.raises(BuildError, match="made a path outside"):
            writer.write(bad, "x", "topic feeds")
    with pytest.raises(BuildError, match="written by both pages and feeds"):
        writer.write("topics/agents/index.md", b"y", "feeds")
    (tmp_path / "out" / "pagefind").mkdir()
    (tmp_path / "out" / "pagefind" / "x.js").write_text("Pagefind's")
    with pytest.raises(BuildError, match=r"pagefind/x\.js: written by both data and another"):
        Writer(tmp_path / "out").write("pagefind/x.js", b"", "data")
    assert not (tmp_path / "escape.md").exists()
    assert (tmp_path / "out" / "topics/agents/index.md").read_text() == "x"


def test_mkdocs_and_the_side_outputs_never_write_one_path(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.build

    real = generator.build.iter_data

    def clashing(archive: object, trends: object, memo: object) -> object:
        yield from real(archive, trends, memo)
        yield "index.html", b"not the home page"  # MkDocs writes the home page

    monkeypatch.setattr(generator.build, "iter_data", clashing)
    with pytest.raises(BuildError, match=r"index.html: written by both MkDocs and data"):
        generator.build.build_site(
            content, tmp_path / "site", tmp_path / "build", ROOT / "mkdocs.yml"
        )
    assert not (tmp_path / "site").exists()


def test_a_swap_stopped_half_way_is_mended_by_the_next_build(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, build = tmp_path / "site", tmp_path / "build"
    assert main(build_args(content, site, build)) == 0
    old = snapshot(site)
    # Where the file system cannot exchange two folders, the swap is two renames; a build
    # that dies between them leaves the old site aside, which the next build puts back.
    monkeypatch.setattr(generator.outputs, "_exchange", lambda one, other: False)
    real_rename = Path.rename

    def die_after_first(self: Path, target: Path) -> Path:
        if self.name == ".site.new":
            raise KeyboardInterrupt  # as if killed here
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", die_after_first)
    assert main(build_args(content, site, build)) == 130
    assert not site.exists() and (tmp_path / ".site.old").is_dir()
    monkeypatch.setattr(Path, "rename", real_rename)
    outputs = Outputs.claim(content, site, build)
    with outputs.locked():  # what every build does first
        pass
    assert snapshot(site) == old
    assert not (tmp_path / ".site.old").exists() and not (tmp_path / ".site.new").exists()


def _changed(content: Path, tmp_path: Path) -> None:
    """A new list day, so that the next build's site differs from the last one."""
    from generator.importer import import_dir

    responses = tmp_path / "more"
    write_response(responses, "2025-06-13", [api_item("2506.00009", 4, title="A new paper")])
    assert not import_dir(responses, content).failed


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = (task / "children").read_text().split() if task.exists() else []
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _start(content: Path, site: Path, build: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "generator", *build_args(content, site, build), "--verbose"]
    return subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def sigint_heard() -> Iterator[None]:
    """SIGINT reaches the builds this test starts, even where it is ignored here.

    A shell runs a job put in the background (`make test &`) with SIGINT ignored, and every
    process it starts inherits that: a build would never hear the Ctrl-C the test sends.
    A handler (unlike "ignore") is reset to the default in a started program.
    """
    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_build_stopped_at_any_stage_leaves_the_old_site_whole(
    how: signal.Signals, content: Path, tmp_path: Path, sigint_heard: None
) -> None:
    site, build = tmp_path / "site", tmp_path / "build"
    assert main(build_args(content, site, build)) == 0
    old = snapshot(site)
    _changed(content, tmp_path)
    # The site the next build makes, built aside: a build stopped just after its last stage
    # may already have put it in place (the swap takes milliseconds), and that is whole too.
    assert main(build_args(content, tmp_path / "new", tmp_path / "build-new")) == 0
    new = snapshot(tmp_path / "new")
    # Stop a build as it reaches each stage (the line --verbose prints when one ends).
    for stage in ("load content", "generate pages", "mkdocs build"):
        process = _start(content, site, build)
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith(stage):
                break
        family = _descendants(process.pid)
        if stage == "generate pages":  # data, feeds and search are being built beside
            assert family, "the forked process was there to be stopped"
        process.send_signal(how)
        process.wait(timeout=60)
        process.stderr.close()
        if stage == "mkdocs build" and snapshot(site) == new:
            break  # the signal came after the swap: the new site is whole, which is fine
        assert process.returncode != 0, stage
        assert snapshot(site) == old, f"stopped after {stage}: the old site changed"
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in family if _alive(pid)], f"{stage}: children outlived it"
    assert main(build_args(content, site, build)) == 0
    assert snapshot(site) != old and "2506.00009" in (site / "2025/06/13/index.html").read_text()
    assert not list(tmp_path.glob(".site.[!l]*")), "no half-built or old site is left beside"


def test_two_builds_at_once_one_refused_neither_hangs(content: Path, tmp_path: Path) -> None:
    site, build = tmp_path / "site", tmp_path / "build"
    first, second = _start(content, site, build), _start(content, site, build)
    outcomes = []
    for process in (first, second):
        _, err = process.communicate(timeout=180)
        outcomes.append((process.returncode, err))
    codes = sorted(code for code, _ in outcomes)
    assert codes == [0, 1], outcomes
    refused = next(err for code, err in outcomes if code == 1)
    assert "error: another build (process " in refused and "wait for it to end" in refused
    assert (site / "index.html").is_file() and (site / "pagefind/dpa-search.json").is_file()
    # A second build into other folders but the same build/ is refused too.
    other = _start(content, tmp_path / "site2", build)
    with generator.outputs._lock(build / ".lock", build):
        _, err = other.communicate(timeout=120)
    assert other.returncode == 1 and "another build" in err


def test_a_folder_it_cannot_write_is_an_error_not_a_bug(
    content: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # As root, permission bits do not stop a write: the refusal is simulated where it happens.
    real_mkdir = Path.mkdir

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        if self.name == ".site.new":
            raise PermissionError(13, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert main(build_args(content, tmp_path / "site", tmp_path / "build")) == 1
    err = capsys.readouterr().err
    assert err == f"error: cannot write {tmp_path / '.site.new'}: Permission denied\n"


def test_hidden_entries_of_the_old_site_are_kept(content: Path, tmp_path: Path) -> None:
    site, build = tmp_path / "site", tmp_path / "build"
    assert main(build_args(content, site, build)) == 0
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (site / ".well-known").mkdir()
    (site / ".well-known" / "security.txt").write_text("Contact: mailto:x@example.org\n")
    (site / ".nojekyll").write_text("")
    assert main(build_args(content, site, build)) == 0
    assert (site / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (site / ".well-known" / "security.txt").is_file() and (site / ".nojekyll").is_file()


def test_folders_beside_the_site_that_a_build_did_not_make_are_kept(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site, build = tmp_path / "site", tmp_path / "build"
    assert main(build_args(content, site, build)) == 0
    mine = tmp_path / ".site.old"
    mine.mkdir()
    (mine / "backup.html").write_text("mine")
    assert main(build_args(content, site, build)) == 1
    assert "holds files a build did not make: move it away" in capsys.readouterr().err
    assert (mine / "backup.html").read_text() == "mine"


def test_site_and_build_folders_are_never_taken_for_each_other(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site, build = tmp_path / "site", tmp_path / "build"
    assert main(build_args(content, site, build)) == 0
    before = snapshot(tmp_path)
    assert main(build_args(content, build, site)) == 1
    assert "holds files a build did not make" in capsys.readouterr().err
    assert main(build_args(content, site, tmp_path / ".site.new")) == 1
    assert "must be apart" in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_a_link_in_the_build_folder_is_removed_not_followed(content: Path, tmp_path: Path) -> None:
    site, build = tmp_path / "site", tmp_path / "build"
    assert main(build_args(content, site, build)) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.md").write_text("mine")
    for name in ("docs", "staged"):
        target = build / name
        if target.exists():
            shutil.rmtree(target)
        target.symlink_to(elsewhere)
    assert main(build_args(content, site, build)) == 0
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.md"]
    assert (elsewhere / "keep.md").read_text() == "mine"


def test_an_interrupt_while_waiting_for_the_side_process_stops_it_at_once() -> None:
    from generator.forked import Forked

    side = Forked(time.sleep, 30)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    previous = signal.signal(signal.SIGALRM, signal.default_int_handler)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            side.result()
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 10, "it waited for the forked process to finish"
    assert side._process is not None and side._process.exitcode is not None
