"""`validate`: every problem reported as path:line:column: message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.__main__ import main
from generator.content import DAY_SCHEMA_HEADER
from generator.validate import validate
from tests.helpers import write_files

H = DAY_SCHEMA_HEADER
GOOD_DAY = (
    H + "date: 2025-06-10\nstatus: listed\npapers:\n- id: '2506.00001'\n  title: A\n  upvotes: 3\n"
)

BROKEN = {
    "content/papers/2025/06/2025-06-10.yaml": H
    + """\
date: 2025-06-10
status: listed
papers:
- id: '2506.00001'
  title: A good paper
  upvotes: 3
- id: '2506.00002'
  title: ''
  upvotes: many
  github: ftp://example.org/repo
  color: blue
  published: 2025-02-30
- id: '2506.00001'
  title: Twice
  upvotes: 1
- title: No id
  upvotes: 1
""",
    "content/papers/2025/06/2025-06-11.yaml": H + "date: 2025-06-12\nstatus: empty\npapers: []\n",
    "content/papers/2025/06/2025-06-13.yaml": H
    + """\
date: 2025-06-13
status: listed
papers:
- id: '2506.00003'
  title: "unterminated
""",
    "content/papers/2025/06/2025-06-16.yaml": "date: 2025-06-16\nstatus: empty\npapers: []\n",
    "content/papers/2025/06/2025-06-18.yaml": H + "date: 2025-06-18\nstatus: empty\npapers:\n"
    "- id: '2506.00004'\n  title: T\n  upvotes: 0\n",
    "content/papers/2025/06/notes.txt": "x\n",
    "content/corrections/2506.00001.yaml": """\
id: "2506.00001"
reason: "typo"
set:
  title: "Fixed"
  upvotes: 9
  github: javascript:alert(1)
""",
    "content/corrections/2506.00009.yaml": "id: 2506.00009\nhide: true\n",
    "content/corrections/2506.00077.yaml": 'id: "2506.00077"\nreason: "r"\nset:\n  title: T\n',
    "content/corrections/wrong-name.yaml": 'id: "2506.00002"\nreason: "why"\nhide: yes please\n',
}

EXPECTED = """\
content/corrections/2506.00001.yaml:5:3: unknown field 'upvotes' in set (known: abstract, \
ai_keywords, ai_summary, authors, github, organization, organization_name, project_page, \
published, thumbnail, title)
content/corrections/2506.00001.yaml:6:11: set.github must be an http(s) URL \
(got 'javascript:alert(1)')
content/corrections/2506.00009.yaml:1:1: hide: true needs a 'reason' saying why the paper is hidden
content/corrections/2506.00009.yaml:1:5: id must be an arXiv id without version, in quotes, \
like "2509.01234" (got 2506.00009)
content/corrections/2506.00077.yaml:1:5: no day lists paper 2506.00077
content/corrections/wrong-name.yaml:1:1: correction changes nothing: add fields under 'set' \
or 'hide: true'
content/corrections/wrong-name.yaml:1:5: a correction to 2506.00002 must be named 2506.00002.yaml
content/corrections/wrong-name.yaml:3:7: hide must be true or false (got 'yes please')
content/papers/2025/06/2025-06-10.yaml:9:10: paper 2506.00002 title must have visible text (got '')
content/papers/2025/06/2025-06-10.yaml:10:12: paper 2506.00002 upvotes must be a whole number, \
0 or more (got 'many')
content/papers/2025/06/2025-06-10.yaml:11:11: paper 2506.00002 github must be an http(s) URL \
(got 'ftp://example.org/repo')
content/papers/2025/06/2025-06-10.yaml:12:3: unknown field 'color' in paper 2506.00002
content/papers/2025/06/2025-06-10.yaml:13:14: paper 2506.00002 published 2025-02-30 is not a \
real date
content/papers/2025/06/2025-06-10.yaml:14:7: paper 2506.00001 is listed twice (first at line 5)
content/papers/2025/06/2025-06-10.yaml:17:3: missing field 'id' in papers[3]
content/papers/2025/06/2025-06-11.yaml:2:7: date 2025-06-12 belongs in \
papers/2025/06/2025-06-12.yaml, not this file
content/papers/2025/06/2025-06-13.yaml:7:1: YAML syntax error: found unexpected end of stream \
(while scanning a quoted scalar at line 6, column 10)
content/papers/2025/06/2025-06-16.yaml:1:1: first line must be '# yaml-language-server: \
$schema=../../../../generator/schemas/day.schema.json'
content/papers/2025/06/2025-06-18.yaml:3:9: status is 'empty' but 1 papers are listed
content/papers/2025/06/notes.txt:1:1: unexpected file: expected YYYY-MM-DD.yaml
"""


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, BROKEN)
    (tmp_path / "content/papers/2025/06/2025-06-17.yaml").write_bytes(b"date: x\n\xff\xfe")
    return tmp_path / "content"


def test_broken_suite_exact_messages(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--content", "content"]) == 1
    out, err = capsys.readouterr()
    expected = EXPECTED.replace(
        "content/papers/2025/06/2025-06-18.yaml",
        "content/papers/2025/06/2025-06-17.yaml:2:1: not valid UTF-8 (byte 8)\n"
        "content/papers/2025/06/2025-06-18.yaml",
        1,
    )
    assert out == expected
    assert err == f"{len(expected.splitlines())} problem(s) found\n"
    assert "Traceback" not in out + err


def test_valid_content_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_files(tmp_path, {"papers/2025/06/2025-06-10.yaml": GOOD_DAY})
    write_files(
        content, {"corrections/2506.00001.yaml": 'id: "2506.00001"\nreason: r\nhide: true\n'}
    )
    assert main(["validate", "--content", str(content)]) == 0
    assert capsys.readouterr() == ("", "content is valid\n")


def test_whole_corpus_import_is_valid(imported: Path) -> None:
    assert validate(imported) == []


HOSTILE = [
    b"",
    b"---\n",
    b"- just\n- a list\n",
    b"plain scalar\n",
    b"a: 1\n---\nb: 2\n",
    b"date: !!python/object/apply:os.system ['echo hi']\n",
    b"papers: &a [*a]\n",
    b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    b"? [complex, key]\n: value\n",
    b"date: 2025-06-10\ndate: 2025-06-11\nstatus: empty\npapers: []\n",
    b"date: 99999999999999999999999999\npapers: {a: b}\nstatus: [1]\n",
    b"papers:\n- 12\n- [a]\n- {id: 5, title: [x], upvotes: -1, authors: a}\n",
    b"\x00\x01\x02",
    b"\t- bad indent\n  :\n",
    "date: 2025-06-10\npapers:\n- title: \u202e\ud800\n".encode("utf-8", "surrogatepass"),
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_no_input_makes_a_traceback(
    raw: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "content/papers/2025/06/2025-06-10.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    (tmp_path / "content/corrections").mkdir()
    (tmp_path / "content/corrections/2506.00001.yaml").write_bytes(raw)
    assert main(["validate", "--content", str(tmp_path / "content")]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    for line in out.splitlines():
        path_part, line_no, col, message = line.split(":", 3)
        assert path_part.endswith(".yaml") and int(line_no) >= 1 and int(col) >= 1 and message


def test_duplicate_keys_and_aliases_are_named(tmp_path: Path) -> None:
    content = write_files(
        tmp_path,
        {
            "papers/2025/06/2025-06-10.yaml": H
            + ("date: 2025-06-10\ndate: 2025-06-10\nstatus: empty\npapers: &p []\nextra: *p\n")
        },
    )
    messages = [f"{p.line}:{p.column}: {p.message}" for p in validate(content)]
    assert messages == [
        "3:1: field 'date' appears twice",
        "6:1: aliases (*name) are not allowed",
        "6:1: unknown field 'extra' (known: date, fetched, papers, status)",
    ]


def test_topics_file_problems(tmp_path: Path) -> None:
    content = write_files(
        tmp_path,
        {
            "topics.yml": (
                "topics:\n- slug: Bad Slug\n  name: X\n  description: ''\n  match: {}\n"
                "- slug: a\n  name: A\n  description: d\n  match:\n    words: x\n"
                "- slug: a\n  name: A\n  description: d\n  match:\n    colour: [x]\n"
            )
        },
    )
    assert [f"{p.line}:{p.column}: {p.message}" for p in validate(content)] == [
        "2:9: topics[0].slug must be at most 64 lower-case characters: words joined by "
        "hyphens, like llm-reasoning (got 'Bad Slug')",
        "4:16: topics[0].description must be non-empty text (got '')",
        "5:10: topics[0].match must hold at least one of keywords, words, title_words, "
        "categories, organizations (got {})",
        "10:12: topics[1].match.words must be a list of words or phrases (got 'x')",
        "11:9: topic slug a is used twice (first at line 6)",
        "15:5: unknown field 'colour' in topics[2].match (known: categories, exclude, "
        "keywords, min_score, organizations, title_exclude, title_words, words)",
    ]


def test_topic_scores_and_patterns_are_checked_where_written(tmp_path: Path) -> None:
    content = write_files(
        tmp_path,
        {
            "topics.yml": (
                "topics:\n- slug: a\n  name: A\n  description: d\n  match:\n"
                "    title_words: ['*bench', 'robot*', ro*bot, '*']\n"
                "    min_score: 0\n"
                "- slug: b\n  name: B\n  description: d\n  match:\n"
                "    words: [fine]\n    title_exclude: ['a *b']\n    min_score: two\n"
            )
        },
    )
    assert [f"{p.line}:{p.column}: {p.message}" for p in validate(content)] == [
        "6:39: topics[0].match.title_words[2] must be a word or phrase with a letter or digit; "
        "a * only at either end of a single word (*bench, robot*) (got 'ro*bot')",
        "6:47: topics[0].match.title_words[3] must be a word or phrase with a letter or digit; "
        "a * only at either end of a single word (*bench, robot*) (got '*')",
        "7:16: topics[0].match.min_score must be a whole number from 1 to 100 (got 0)",
        "13:21: topics[1].match.title_exclude[0] must be a word or phrase with a letter or "
        "digit; a * only at either end of a single word (*bench, robot*) (got 'a *b')",
        "14:16: topics[1].match.min_score must be a whole number from 1 to 100 (got 'two')",
    ]


def test_the_repository_topics_are_valid() -> None:
    root = Path(__file__).resolve().parent.parent
    assert validate(root / "content") == []


# --format github: GitHub Actions annotations.


def test_validate_prints_github_annotations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    odd = content / "papers/2026/05/odd,name:100%.yaml"
    odd.parent.mkdir(parents=True)
    odd.write_text("date: 2026-05-29\n", "utf-8")
    correction = content / "corrections/2605.00001.yaml"
    correction.parent.mkdir(parents=True)
    correction.write_text('id: "2605.00001"\nreason: r\nset:\n  "50%": x\n', "utf-8")

    assert main(["validate", "--content", str(content), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    # Each problem twice: as path:line:column: message, then as a workflow command.
    plain, annotations = lines[0::2], lines[1::2]
    assert all(line.startswith("::error file=") for line in annotations)
    assert not any(line.startswith("::") for line in plain)
    odd_file = str(odd.parent) + "/odd%2Cname%3A100%25.yaml"  # "," and ":" would end it
    unexpected = f"::error file={odd_file},line=1,col=1::unexpected file: expected YYYY-MM-DD.yaml"
    assert unexpected in annotations
    unknown = f"::error file={correction},line=4,col=3::unknown field '50%25' in set (known: "
    assert [line for line in annotations if line.startswith(unknown)]


def test_validate_prints_no_annotations_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    correction = tmp_path / "content/corrections/2605.00001.yaml"
    correction.parent.mkdir(parents=True)
    correction.write_text('id: "2605.00001"\nreason: r\nhide: true\n', "utf-8")
    assert main(["validate", "--content", str(tmp_path / "content")]) == 1
    out = capsys.readouterr().out
    assert "no day lists paper 2605.00001" in out
    assert "::error" not in out


def test_a_topic_slug_too_long_for_a_folder_name_is_refused(tmp_path: Path) -> None:
    slug = "x" * 65  # it names the topic's folder: topics/<slug>/
    topics = f"topics:\n- slug: {slug}\n  name: N\n  description: D\n  match:\n    words: [agent]\n"
    content = write_files(tmp_path, {"topics.yml": topics, "papers/.keep": ""})
    (problem,) = validate(content)
    assert "topics.yml:2:" in str(problem) and "at most 64" in problem.message
