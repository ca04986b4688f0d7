"""One gate: `build` accepts exactly what `validate` accepts, through the same code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import yamlfile
from generator.__main__ import main
from generator.archive import load_archive
from generator.config import load_config
from generator.data import iter_data
from generator.errors import ContentError
from generator.feeds import feed_catalog, generate_feeds
from generator.outputs import Writer
from generator.pages import iter_pages
from generator.search import search_records
from generator.validate import DAY_SCHEMA_HEADER, MAX_FILE_BYTES, validate
from tests.helpers import write_files

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT / "mkdocs.yml")
H = DAY_SCHEMA_HEADER


def day_text(day: str, papers: list[dict[str, Any]], **extra: Any) -> str:
    data = {"date": day, "status": "listed" if papers else "empty", **extra, "papers": papers}
    return yamlfile.dump(data, header=H)


PAPER = {"id": "2506.00001", "title": "A paper", "authors": ["Ada"], "upvotes": 3}
GOOD_DAY = day_text("2025-06-10", [PAPER])
TOPICS = (
    "topics:\n- slug: agents\n  name: Agents\n  description: Agents.\n"
    "  match:\n    words: [agent]\n"
)


def generate_everything(content: Path, out: Path | None = None) -> None:
    """What `build` makes from content, short of MkDocs and Pagefind: pages, feeds, data,
    written through the build's writer (each path once, none outside its folder)."""
    archive = load_archive(content)
    out = out or content.parent / "out"
    shutil.rmtree(out, ignore_errors=True)
    Writer(out / "docs").write_all(
        "pages", iter_pages(archive, CONFIG, feed_catalog(archive, CONFIG))
    )
    staged = Writer(out / "staged")
    staged.write_all("open data", iter_data(archive))
    staged.write_all("feeds", generate_feeds(archive, CONFIG).items())
    search_records(archive)


def assert_agree(content: Path) -> None:
    """validate's problems are what reading for a build refuses; no problem, it all builds."""
    problems = validate(content)
    if problems:
        with pytest.raises(ContentError) as refused:
            generate_everything(content)
        said = str(refused.value)
        assert said.startswith("content is invalid (python -m generator validate):\n")
        assert str(problems[0]) in said
    else:
        generate_everything(content)


# Values a hostile or careless contributor could put anywhere.
ODD_TEXT = [
    "",
    " ",
    "\n",
    "2506.00001\n",
    "../../escape",
    "a/../../b",
    "<script>alert(1)</script>",
    "{{ config }}{% raw %}",
    "\u202eevil\u202c",
    "!!!",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2025-06-10\n",
    "hep-th/9901001",
    "javascript:alert(1)",
    "https://example.org/x\n",
    "x" * 300,
]
ODD_VALUES: list[Any] = [
    *ODD_TEXT,
    None,
    True,
    0,
    -1,
    10**30,
    1.5,
    [],
    ["a", 1],
    "a string, not a list",
    {},
    {"nested": {"deeper": [1]}},
]
PAPER_KEYS = ["id", "title", "authors", "upvotes", "published", "github", "abstract", "arxiv"]
PAPER_KEYS += ["organization", "ai_keywords", "withdrawn", "dropped", "unknown_field"]


# Valid values that stress generation: text that must stay text, edge-of-range dates.
FINE_VALUES: dict[str, list[Any]] = {
    "title": ["<script>alert(1)</script>", "{{ config }}{% raw %}", "\u202eevil\u202c", "!!!"],
    "authors": [["<b>Ada</b>", "{{ x }}"], ["x" * 300]],
    "upvotes": [0, 10**30],
    "published": ["2099-12-31", "1991-08-14"],
    "github": ['https://github.com/a/b?x=<y>&z="q"'],
    "abstract": ["$x^2$ <img src=x onerror=alert(1)>", "a\n\nb", "\\begin{x}"],
    "organization": ["../../etc", "a b"],
    "ai_keywords": [["<i>k</i>"]],
    "withdrawn": ["2025-06-11"],
    "dropped": [True],
}
DAYS = ["2025-06-10", "2023-05-01", "2099-12-31", "2024-02-29", "9999-12-31", "0001-01-01"]


@st.composite
def content_trees(draw: st.DrawFn) -> dict[str, str]:
    """A content folder: valid files with odd but fine values, and now and then a broken one."""
    day = draw(st.sampled_from(DAYS))
    paper: dict[str, Any] = dict(PAPER)
    for key in draw(st.lists(st.sampled_from(PAPER_KEYS), max_size=3)):
        choice = draw(st.integers(0, 5))
        if choice == 0:
            paper.pop(key, None)
        elif choice == 1:
            paper[key] = draw(st.sampled_from(ODD_VALUES))
        elif key in FINE_VALUES:
            paper[key] = draw(st.sampled_from(FINE_VALUES[key]))
    path = f"papers/{day[:4]}/{day[5:7]}/{day}.yaml"
    files = {path: day_text(day, [paper])}
    if draw(st.booleans()):  # a second file, possibly for the same day or misplaced
        other = draw(st.sampled_from(["2025-06-11", "2025-06-11", day]))
        folder = draw(st.sampled_from([f"{other[:4]}/{other[5:7]}"] * 3 + ["2025/07"]))
        files[f"papers/{folder}/{other}.yaml"] = day_text(other, [{**PAPER, "id": "2506.00002"}])
    kind = draw(st.sampled_from(["correction", "topics", "status", "none"]))
    broken = draw(st.integers(0, 2)) == 0
    if kind == "correction":
        fields: dict[str, Any] = {"id": "2506.00001", "reason": "why", "hide": True}
        if draw(st.booleans()):
            field = draw(st.sampled_from(["title", "authors", "published", "github", "abstract"]))
            fields.pop("hide")
            fields["set"] = {field: draw(st.sampled_from(FINE_VALUES[field]))}
        name = "2506.00001.yaml"
        if broken:
            key = draw(st.sampled_from(["id", "reason", "hide", "set", "name"]))
            if key == "name":
                name = draw(st.sampled_from([".2506.00001.yaml", "other.yaml"]))
            else:
                fields[key] = draw(st.sampled_from(ODD_VALUES))
        files[f"corrections/{name}"] = yamlfile.dump(fields)
    elif kind == "topics":
        topic: dict[str, Any] = {"slug": "agents", "name": "Agents <b>", "description": "{{ x }}"}
        rule = draw(st.sampled_from(["words", "keywords", "categories", "organizations"]))
        topic["match"] = {rule: [draw(st.sampled_from(["agent", "a b", "cs.RO", "ada"]))]}
        if broken:
            key = draw(st.sampled_from(["slug", "name", "description", "match"]))
            if key == "match":
                topic["match"] = {rule: [draw(st.sampled_from(ODD_TEXT))]}
            else:
                topic[key] = draw(st.sampled_from(ODD_VALUES))
        files["topics.yml"] = yamlfile.dump({"topics": [topic]})
    elif kind == "status":
        key, entry = "2025-06-09", {"failed": "2025-06-10", "error": "HTTP 500 <b>"}
        if broken:
            key = draw(st.sampled_from(["2025-02-30", "not a day", "1", "0001-01-01", key]))
            entry = draw(st.sampled_from([{}, "x", {"failed": "x", "error": ""}, entry]))
        files["fetch-status.yaml"] = yamlfile.dump({key: entry})
    return files


def examples(variable: str, default: int) -> Any:
    """Hypothesis settings: `default` examples, or as many as the environment variable says."""
    return settings(
        max_examples=int(os.environ.get(variable, str(default))),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@examples("GATE_EXAMPLES", 120)
@given(files=content_trees())
def test_validate_and_build_agree_on_generated_content(
    files: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    content = write_files(tmp_path_factory.mktemp("content"), files)
    assert_agree(content)


@examples("GATE_BUILDS", 6)
@given(files=content_trees())
def test_the_build_command_itself_agrees_with_validate(
    files: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("built")
    content = write_files(root / "content", files)
    problems = validate(content)
    args = ["build", "--content", str(content), "--site-dir", str(root / "site")]
    code = main([*args, "--build-dir", str(root / "build")])
    assert code == (1 if problems else 0)
    assert (root / "site" / "index.html").is_file() != bool(problems)


def _link(target: str) -> Any:
    def make(content: Path) -> None:
        path = content / "corrections" / "2506.00001.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)

    return make


def _fifo(content: Path) -> None:
    os.mkfifo(content / "papers/2025/06/2025-06-11.yaml")


# The cases the hardening issue found, each by its class; every one must be refused by both.
REFUSED: dict[str, Any] = {
    "slug that climbs out": {"topics.yml": TOPICS.replace("slug: agents", "slug: ../../x")},
    "topic word of punctuation only": {"topics.yml": TOPICS.replace("[agent]", "['!!!']")},
    "blank topic keyword": {"topics.yml": TOPICS.replace("words: [agent]", "keywords: ['  ']")},
    "hidden correction": {
        "corrections/.2506.00001.yaml": 'id: "2506.00001"\nreason: r\nhide: true\n'
    },
    "hidden paper without a reason": {
        "corrections/2506.00001.yaml": 'id: "2506.00001"\nhide: true\n'
    },
    "correction named for another paper": {
        "corrections/2506.00002.yaml": 'id: "2506.00001"\nreason: r\nhide: true\n'
    },
    "two files for one day": {"papers/2025/07/2025-06-10.yaml": GOOD_DAY},
    "authors as a string": {
        "papers/2025/06/2025-06-10.yaml": GOOD_DAY.replace("- Ada", "Ada Lovelace").replace(
            "authors:\n", "authors: "
        )
    },
    "odd key in fetch-status.yaml": {"fetch-status.yaml": "2025-02-30: {failed: x}\n"},
    "fetch-status.yaml of the wrong shape": {"fetch-status.yaml": "- a list\n"},
    "id with a trailing newline": {
        "papers/2025/06/2025-06-10.yaml": GOOD_DAY.replace(
            "id: '2506.00001'", "id: |\n    2506.00001"
        )
    },
    "deep nesting": {"papers/2025/06/2025-06-10.yaml": H + "date: " + "[" * 5000 + "]" * 5000},
    "block nesting": {"papers/2025/06/2025-06-10.yaml": H + "date:\n" + "  - " * 40 + "x\n"},
    "alias bomb": {
        "papers/2025/06/2025-06-10.yaml": H
        + "date: 2025-06-10\nstatus: listed\nx: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        + "".join(
            f"x{n}: &a{n} [{', '.join(['*a' if n == 0 else f'*a{n - 1}'] * 10)}]\n"
            for n in range(12)
        )
        + "papers: *a11\n"
    },
    "alias to a long text": {
        "papers/2025/06/2025-06-10.yaml": GOOD_DAY.replace(
            "title: A paper", "title: &t A paper"
        ).replace("- Ada", "- *t\n  - *t")
    },
    "day file in a nested folder": {"papers/old/2025/06/2025-06-10.yaml": GOOD_DAY},
    "correction in a subfolder": {
        "corrections/a/2506.00001.yaml": 'id: "2506.00001"\nreason: r\nhide: true\n'
    },
    "count with a fraction": {
        "papers/2025/06/2025-06-10.yaml": GOOD_DAY.replace("upvotes: 3", "upvotes: 3.0")
    },
    "fetch day out of range": {
        "papers/2025/06/2025-06-10.yaml": GOOD_DAY.replace(
            "status: listed", "status: listed\nfetched: 2001-01-01"
        )
    },
    "huge file": {"papers/2025/06/2025-06-12.yaml": H + "#" * MAX_FILE_BYTES + "\n"},
    "correction linked to /dev/zero": _link("/dev/zero"),
    "correction linked to a good file": _link("/etc/hostname"),
    "FIFO as a day file": _fifo,
}


def _content(tmp_path: Path, case: Any) -> Path:
    content = write_files(tmp_path / "content", {"papers/2025/06/2025-06-10.yaml": GOOD_DAY})
    if callable(case):
        case(content)
    else:
        write_files(content, case)
    return content


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_what_the_issue_found_is_refused_by_validate_and_build_alike(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = _content(tmp_path, REFUSED[case])
    assert main(["validate", "--content", str(content)]) == 1
    said = capsys.readouterr().out.splitlines()
    assert said and all(line.count(":") >= 3 for line in said), said
    site = tmp_path / "site"
    args = ["build", "--content", str(content), "--site-dir", str(site)]
    assert main([*args, "--build-dir", str(tmp_path / "build")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: content is invalid (python -m generator validate):\n")
    assert said[0] in err, "build names the same first problem validate does"
    assert "internal error" not in err and not site.exists(), "refused before writing a byte"


def test_a_missing_or_file_content_folder_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x")
    for content in (tmp_path / "missing", tmp_path / "file"):
        assert main(["validate", "--content", str(content)]) == 1
        assert "content is valid" not in capsys.readouterr().err
        args = ["build", "--content", str(content), "--site-dir", str(tmp_path / "site")]
        assert main([*args, "--build-dir", str(tmp_path / "build")]) == 1
        err = capsys.readouterr().err
        assert f"error: {content}: the content folder" in err
        assert not (tmp_path / "site").exists(), "no sample site for a folder that is not there"


def test_editor_leftovers_are_passed_over_by_every_command(tmp_path: Path) -> None:
    content = _content(tmp_path, {"papers/2025/06/.2025-06-10.yaml.swp": "x", ".notes": "y"})
    write_files(content, {"papers/2025/06/.2025-06-10.yaml.abc.tmp": "half a file"})
    assert validate(content) == []
    generate_everything(content)


def test_a_bug_in_generation_is_reported_as_a_bug_not_as_bad_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import generator.build

    def broken(*args: Any) -> Any:
        return {}["no such key"]  # a consumer with a bug

    monkeypatch.setattr(generator.build, "iter_pages", broken)
    content = _content(tmp_path, {})
    args = ["build", "--content", str(content), "--site-dir", str(tmp_path / "site")]
    assert main([*args, "--build-dir", str(tmp_path / "build")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("internal error: KeyError") and "content is invalid" not in err
    with pytest.raises(KeyError):
        main([*args, "--build-dir", str(tmp_path / "build"), "--debug"])


def test_deep_json_and_yaml_never_reach_a_recursion_error(tmp_path: Path) -> None:
    deep = H + "date: " + "{a: " * 900 + "1" + "}" * 900 + "\n"
    content = write_files(tmp_path / "content", {"papers/2025/06/2025-06-10.yaml": deep})
    result = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--content", str(content)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1 and "internal error" not in result.stderr
    assert "nested" in result.stdout or "nesting" in result.stdout
    shutil.rmtree(content)


def test_import_and_fetch_never_write_what_validate_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers import api_item, write_response

    content = write_files(tmp_path / "content", {"papers/2025/06/2025-06-10.yaml": GOOD_DAY})
    responses = tmp_path / "responses"
    write_response(responses, "2020-01-01", [api_item("2001.00001")])
    write_response(responses, "2025-06-11", [api_item("2506.00002")])
    assert main(["import", str(responses), "--content", str(content)]) == 1
    out = capsys.readouterr().out
    assert "2020-01-01" in out and "outside the list days" in out
    assert not (content / "papers/2020").exists() and validate(content) == []
    assert main(["import", str(responses), "--content", str(content), "--fetched", "2001-01-01"])
    assert "fetched 2001-01-01 is outside" in capsys.readouterr().out
    assert validate(content) == []
    assert main(["fetch", "--since", "2020-01-01", "--content", str(content)]) == 1
    assert "2020-01-01 is outside the list days" in capsys.readouterr().err


def test_a_fifo_day_file_is_refused_by_import_without_hanging(tmp_path: Path) -> None:
    from tests.helpers import api_item, write_response

    content = write_files(tmp_path / "content", {"papers/2025/06/2025-06-10.yaml": GOOD_DAY})
    os.mkfifo(content / "papers/2025/06/2025-06-11.yaml")
    responses = tmp_path / "responses"
    write_response(responses, "2025-06-11", [api_item("2506.00002")])
    result = subprocess.run(
        [sys.executable, "-m", "generator", "import", str(responses), "--content", str(content)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1
    assert "2025-06-11.yaml:1:1: not a regular file: not read as content" in result.stdout


def test_fetch_gaps_sees_the_days_validate_sees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import date

    from generator.fetch import choose_days

    content = write_files(tmp_path / "content", {"papers/2025/06/2025-06-10.yaml": GOOD_DAY})
    hidden = content / "papers/.old/06/2025-06-11.yaml"
    write_files(content, {"papers/.old/06/2025-06-11.yaml": day_text("2025-06-11", [])})
    gaps = choose_days(content, date(2025, 6, 12), gaps=True)
    assert gaps == [date(2025, 6, 11), date(2025, 6, 12)], "a hidden folder is read by none"
    hidden.unlink()
    write_files(content, {"papers/2025/13/2025-13-45.yaml": "x"})
    assert main(["fetch", "--gaps", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert "content is invalid" in err and "internal error" not in err


def test_invisible_controls_in_older_files_never_reach_the_archive(tmp_path: Path) -> None:
    text = GOOD_DAY.replace("title: A paper", 'title: "A \\u202epaper\\u2066"').replace(
        "- Ada", '- "Ada\\u202d"'
    )
    content = write_files(tmp_path / "content", {"papers/2025/06/2025-06-10.yaml": text})
    assert validate(content) == []
    (paper,) = load_archive(content).days[0].papers
    assert paper.title == "A paper" and paper.authors == ("Ada",)


@pytest.mark.parametrize("title", ["' '", '"\\u202e"', '"\\t\\u2066 "'])
def test_a_title_with_nothing_visible_is_refused(title: str, tmp_path: Path) -> None:
    text = GOOD_DAY.replace("title: A paper", f"title: {title}")
    content = write_files(tmp_path / "content", {"papers/2025/06/2025-06-10.yaml": text})
    (problem,) = validate(content)
    assert problem.message.startswith("paper 2506.00001 title must have visible text")
