"""The digest e-mail: read back with the standard library's parser, as a mail client would."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.__main__ import main
from generator.archive import load_archive
from generator.errors import ContentError
from generator.validate import validate
from tests.helpers import write_files

# digest.yml through the one gate.


def test_a_bad_digest_file_fails_validate_with_line_and_column(tmp_path: Path) -> None:
    from tests.helpers import TOPICS

    content = write_files(
        tmp_path,
        {
            "topics.yml": TOPICS,
            "digest.yml": (
                "name: Papers\n"
                "list_id: not an id\n"
                "unsubscribe: http://example.org/u\n"
                "select:\n"
                "  topics: [agents, robots, Bad]\n"
                "  words: [plan, ro*bot]\n"
                "  authors: []\n"
                "  min_upvotes: 0\n"
                "  colour: [x]\n"
            ),
        },
    )
    path = content / "digest.yml"
    assert [str(problem) for problem in validate(content)] == [
        f"{path}:2:10: list_id must be an identifier like daily-papers.example.org: letters, "
        "digits and hyphens, in parts joined by dots (got 'not an id')",
        f"{path}:3:14: unsubscribe must be a mailto: address or an https:// URL, without "
        "spaces, quotes or angle brackets (got 'http://example.org/u')",
        f"{path}:5:20: select.topics[1]: topics.yml has no topic robots",
        f"{path}:5:28: select.topics[2] must be a topic's slug, like llm-reasoning (got 'Bad')",
        f"{path}:6:17: select.words[1] must be a word or phrase with a letter or digit; a * "
        "only at either end of a single word (*bench, robot*) (got 'ro*bot')",
        f"{path}:7:12: select.authors must be a list of words or phrases (got [])",
        f"{path}:8:16: select.min_upvotes must be a whole number from 1 to 100000 (got 0)",
        f"{path}:9:3: unknown field 'colour' in select (known: authors, min_upvotes, "
        "organizations, topics, words)",
    ]
    with pytest.raises(ContentError, match=r"digest.yml:2:10: list_id"):
        load_archive(content)  # build, like every command, reads only what validate accepts


def test_validate_accepts_a_good_digest_file_and_refuses_an_empty_selection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers import TOPICS

    good = (
        "name: Daily Papers\nlist_id: daily-papers.example.org\n"
        "unsubscribe: mailto:leave@example.org?subject=unsubscribe\n"
        "select:\n  topics: [agents]\n  words: [chain of thought, '*bench']\n"
        "  authors: [Lovelace]\n  organizations: [nvidia]\n  min_upvotes: 20\n"
    )
    content = write_files(tmp_path, {"topics.yml": TOPICS, "digest.yml": good})
    assert validate(content) == []
    write_files(content, {"digest.yml": "name: Daily Papers\nselect: {}\nextra: 1\n"})
    assert main(["validate", "--content", str(content)]) == 1
    out = capsys.readouterr().out.splitlines()
    path = content / "digest.yml"
    assert out == [
        f"{path}:2:9: select must hold at least one of topics, words, authors, organizations, "
        "min_upvotes (got {})",
        f"{path}:3:1: unknown field 'extra' (known: list_id, name, select, unsubscribe)",
    ]
