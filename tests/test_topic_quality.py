"""generator/topic_quality.py and `topics`: the rules scored against human judgements."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from generator import yamlfile
from generator.__main__ import NO_GOLD_PAPERS, main
from generator.archive import Archive, load_archive
from generator.errors import ContentError
from generator.models import Day, Paper
from generator.topic_quality import (
    Judgement,
    below_floors,
    cell,
    change_tables,
    compare,
    half_of,
    load_gold,
    macro_f1,
    score,
)
from generator.topics import Topic
from generator.validate import DAY_SCHEMA_HEADER
from tests.helpers import write_files

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "topics-gold.yaml"


def _archive() -> Archive:
    papers = (
        Paper(id="2501.00001", title="Robot arm grasping"),
        Paper(id="2501.00002", title="A robot benchmark"),
        Paper(id="2501.00003", title="Humanoid walking"),
        Paper(id="2501.00004", title="Protein folding"),
    )
    robots = Topic("robotics", "Robotics", "Robots.", words=(("robot",),))
    return Archive(days=[Day(date(2025, 1, 6), papers)], topics=[robots])


def test_precision_recall_and_what_is_taken_wrongly_or_missed() -> None:
    judged = [
        Judgement("2501.00001", "robotics", True),  # taken, wanted
        Judgement("2501.00002", "robotics", False),  # taken, not wanted: a benchmark paper
        Judgement("2501.00003", "robotics", True),  # not taken, wanted: no "robot" in it
        Judgement("2501.00004", "robotics", False),  # not taken, not wanted
        Judgement("2501.00001", "robotics", False),  # judged again: the first judgement counts
    ]
    (robots,) = score(_archive(), judged)
    assert (robots.precision, robots.recall) == (0.5, 0.5)
    assert robots.taken_wrongly == ["2501.00002"] and robots.missed == ["2501.00003"]
    assert (robots.size, robots.share) == (2, 0.5)
    assert macro_f1([robots]) == 0.5
    floors = {"robotics": {"precision": 0.9, "recall": 0.5}}
    assert below_floors([robots], floors) == ["robotics: precision 0.50 is below its floor 0.90"]


def test_halves_split_the_judgements_by_paper() -> None:
    judged = [Judgement(f"2501.0000{n}", "robotics", n < 3) for n in range(1, 5)]
    halves = {half: score(_archive(), judged, half)[0] for half in ("tune", "report")}
    counted = sum(s.true_positive + s.false_positive + s.false_negative for s in halves.values())
    assert counted == 2  # the two papers taken and wanted, each in exactly one half
    assert {half_of(j.id) for j in judged} == {"tune", "report"}


def test_a_judgement_of_an_unknown_paper_is_an_error() -> None:
    with pytest.raises(ContentError, match=r"2601\.99999"):
        score(_archive(), [Judgement("2601.99999", "robotics", True)])


def test_the_gold_file_is_read_and_checked(tmp_path: Path) -> None:
    gold = write_files(
        tmp_path,
        {
            "gold.yaml": (
                "judged:\n  robotics:\n  - {id: '2501.00001', in: true, why: w}\n"
                "random:\n- {id: '2501.00004', topics: [], why: w}\n"
            ),
            "bad.yaml": "judged:\n  robotics:\n  - {id: '2501.00001', in: maybe}\nrandom: []\n",
        },
    )
    assert load_gold(gold / "gold.yaml") == [
        Judgement("2501.00001", "robotics", True),
        Judgement("2501.00004", "robotics", False),
    ]
    with pytest.raises(ContentError, match=r"bad\.yaml: paper 2501\.00001: 'in' must be true"):
        load_gold(gold / "bad.yaml")


def test_the_gold_set_holds_what_it_promises() -> None:
    judgements = load_gold(GOLD)
    per_topic: dict[str, int] = {}
    for judged in judgements:
        per_topic[judged.topic] = per_topic.get(judged.topic, 0) + 1
    assert len(per_topic) == 15
    assert min(per_topic.values()) >= 80 + 150  # 80 judged for the topic, 150 random
    assert "the topic is a MAIN SUBJECT of the paper" in GOLD.read_text("utf-8")


@pytest.fixture
def corpus_content(imported: Path, tmp_path: Path) -> Path:
    """The imported corpus with the repository's topics.yml: what `topics` scores."""
    content = tmp_path / "content"
    shutil.copytree(imported, content)
    shutil.copy(ROOT / "content" / "topics.yml", content / "topics.yml")
    return content


def test_topics_scores_the_real_rules_on_the_real_corpus(
    corpus_content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = corpus_content
    assert main(["topics", "--content", str(content), "--verbose"]) == 0  # no topic below floor
    out = capsys.readouterr().out
    assert out.count("| llm-reasoning |") == 3  # tune half, report half, both
    assert "macro-averaged F1" in out and "taken wrongly" in out


def test_topics_says_when_the_content_holds_none_of_the_judged_papers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A copy without the imported corpus (as this repository's own content/): its own status.
    content = write_files(tmp_path / "content", {"papers/.keep": ""})
    shutil.copy(ROOT / "content" / "topics.yml", content / "topics.yml")
    summary = tmp_path / "summary.md"
    args = ["topics", "--content", str(content), "--summary", str(summary)]
    assert main(args) == NO_GOLD_PAPERS == 3
    assert "holds none of the" in capsys.readouterr().err
    assert not summary.exists()  # CI writes its own note


def test_topics_fails_when_some_judged_papers_are_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The real archive without one of the gold set's papers: a failure, not a note.
    content, gold = _moving_archive(tmp_path)
    (content / "papers/2025/01/2025-01-07.yaml").unlink()
    assert main(["topics", "--content", str(content), "--gold", str(gold)]) == 1
    assert "papers of the gold set are not there (such as 2501.00" in capsys.readouterr().err


# --- `topics --before`: a change to topics.yml shown topic by topic --------------------------

HOSTILE = "Humanoid | <img src=x onerror=alert(1)> *bold* `code` [link](http://x) $x$\nrow | two"
# Titles by id; ids 00001-00003, 00008 and 00009 are in the report half.
MOVING = {
    "2501.00001": "Robot arm grasping",  # robotics before and after, judged in
    "2501.00002": "A robot survey",  # leaves robotics (exclude: survey), judged out
    "2501.00003": "Humanoid walking",  # enters robotics (title_words: humanoid), judged in
    "2501.00004": "Robot learning: a survey",  # leaves robotics (tune half)
    "2501.00005": "Humanoid robot hands",  # robotics before and after (tune half)
    "2501.00006": "Humanoid control",  # enters robotics (tune half)
    "2501.00008": "Protein folding",  # in no topic, judged out of robotics
    "2501.00009": HOSTILE,  # enters robotics, judged in
    "2501.00010": "Agent planning",  # agents: a topic the old file lacks
    "2501.00011": "Image segmentation",  # vision: a topic the new file removed
}
# Title words alone: whatever else the rules' matching weighs, a title phrase decides.
ROBOTICS = {"slug": "robotics", "name": "Robotics", "description": "Robots."}
OLD_TOPICS = {
    "topics": [
        {**ROBOTICS, "match": {"title_words": ["robot"]}},
        {**ROBOTICS, "slug": "vision", "match": {"title_words": ["image"]}},
    ]
}
NEW_TOPICS = {
    "topics": [
        {**ROBOTICS, "match": {"title_words": ["robot", "humanoid"], "exclude": ["survey"]}},
        {**ROBOTICS, "slug": "agents", "match": {"title_words": ["agent"]}},
    ]
}
GOLD_TEXT = """\
judged:
  robotics:
  - {id: '2501.00001', in: true}
  - {id: '2501.00002', in: false}
  - {id: '2501.00003', in: true}
  - {id: '2501.00008', in: false}
  - {id: '2501.00009', in: true}
  - {id: '2501.00004', in: false}
  - {id: '2501.00005', in: true}
random: []
"""


def _day(day: str, ids: list[str]) -> str:
    papers = [{"id": i, "title": MOVING[i], "upvotes": 1} for i in ids]
    return yamlfile.dump(
        {"date": day, "status": "listed", "papers": papers}, header=DAY_SCHEMA_HEADER
    )


def _moving_archive(tmp_path: Path) -> tuple[Path, Path]:
    """A content folder whose topics.yml is NEW_TOPICS, and its gold file."""
    ids = sorted(MOVING)
    content = write_files(
        tmp_path / "content",
        {
            "papers/2025/01/2025-01-06.yaml": _day("2025-01-06", ids[:5]),
            "papers/2025/01/2025-01-07.yaml": _day("2025-01-07", ids[5:]),
            "topics.yml": yamlfile.dump(NEW_TOPICS),
        },
    )
    gold = write_files(tmp_path, {"gold.yaml": GOLD_TEXT}) / "gold.yaml"
    return content, gold


def _tables(markdown: str) -> dict[str, dict[str, list[str]]]:
    """Each topic's table in the Markdown: {slug: {row label: [before, after]}}."""
    tables: dict[str, dict[str, list[str]]] = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 3 and cells[1:] == ["before", "after"]:
            rows = tables[cells[0]] = {}
        elif len(cells) == 3 and cells[0] not in ("", "---"):
            rows[cells[0]] = cells[1:]
    return tables


def test_compare_scores_each_topic_before_and_after_and_finds_the_papers_that_move(
    tmp_path: Path,
) -> None:
    content, gold = _moving_archive(tmp_path)
    archive = load_archive(content)
    old = load_archive(write_files(tmp_path / "old", {"topics.yml": yamlfile.dump(OLD_TOPICS)}))
    robotics, agents, vision = compare(archive, old.topics, load_gold(gold))
    assert [c.slug for c in (robotics, agents, vision)] == ["robotics", "agents", "vision"]
    assert [c.status for c in (robotics, agents, vision)] == ["changed", "new", "removed"]
    assert robotics.before and robotics.after and vision.before and agents.after
    # Report half: before, robot in the title takes 00001 (in) and 00002 (out), misses 00003
    # and 00009; after, exclude and humanoid take exactly the three judged in.
    assert (robotics.before.precision, robotics.before.recall) == (0.5, 1 / 3)
    assert (robotics.after.precision, robotics.after.recall) == (1.0, 1.0)
    assert (robotics.before.size, robotics.after.size) == (4, 5)
    assert robotics.leaving == ["2501.00002", "2501.00004"]
    assert robotics.entering == ["2501.00003", "2501.00006", "2501.00009"]
    assert (agents.before, agents.entering, agents.leaving) == (None, ["2501.00010"], [])
    assert (vision.after, vision.entering, vision.leaving) == (None, [], ["2501.00011"])

    markdown = "\n".join(change_tables([robotics, agents, vision], archive.papers, examples=2))
    assert "1 changed, 1 new, 1 removed, 0 unchanged" in markdown
    assert "### agents (new)" in markdown and "### vision (removed)" in markdown
    tables = _tables(markdown)
    assert tables["robotics"] == {
        "precision": ["0.50 (1/2)", "1.00 (3/3)"],
        "recall": ["0.33 (1/3)", "1.00 (3/3)"],
        "F1": ["0.40", "1.00"],
        "papers": ["4", "5"],
        "papers leaving / entering": ["2", "3"],
        "such as": [  # the newest first, at most 2 here
            "2501.00004 Robot learning: a survey<br>2501.00002 A robot survey",
            f"2501.00009 {cell(HOSTILE)}<br>2501.00006 Humanoid control",
        ],
    }
    assert tables["agents"]["papers"] == ["-", "1"]
    assert tables["vision"]["such as"] == ["2501.00011 Image segmentation", "-"]


def test_a_hostile_title_stays_text_in_its_cell() -> None:
    escaped = cell(HOSTILE)
    assert "\n" not in escaped and "<" not in escaped and ">" not in escaped
    assert re.findall(r"(?<!\\)[|*`\[\]$]", escaped) == []  # each one backslash-escaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in escaped
    assert cell("a \\| b & c\u202e") == "a \\\\\\| b &amp; c"  # the backslash too


def test_topics_before_prints_and_appends_the_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, gold = _moving_archive(tmp_path)
    old = write_files(tmp_path, {"base-topics.yml": yamlfile.dump(OLD_TOPICS)}) / "base-topics.yml"
    summary = write_files(tmp_path, {"summary.md": "# an earlier step\n"}) / "summary.md"
    args = ["topics", "--content", str(content), "--gold", str(gold), "--before", str(old)]
    assert main([*args, "--summary", str(summary)]) == 0
    out = capsys.readouterr().out
    written = summary.read_text("utf-8")
    assert written.startswith("# an earlier step\n## Topics before and after")  # appended
    added = written.removeprefix("# an earlier step\n")
    assert added.rstrip() == out[out.index("## Topics before") :].rstrip()  # as printed
    tables = _tables(written)
    assert tables["robotics"]["papers leaving / entering"] == ["2", "3"]
    assert tables["robotics"]["precision"] == ["0.50 (1/2)", "1.00 (3/3)"]
    # The hostile title neither splits its row nor becomes HTML: every row has three cells.
    for line in written.splitlines():
        if line.startswith("|"):
            assert len(re.split(r"(?<!\\)\|", line)) == 5, line
    assert "<img" not in written and "&lt;img" in tables["robotics"]["such as"][1]

    assert main([*args, "--summary", str(summary)]) == 0  # appends again, the same text
    assert summary.read_text("utf-8") == written + added


def test_topics_summary_without_before_holds_the_report_half_and_broken_floors(
    tmp_path: Path,
) -> None:
    content, gold = _moving_archive(tmp_path)
    gold.write_text(GOLD_TEXT + "floors:\n  robotics: {precision: 1.01}\n", "utf-8")
    summary = tmp_path / "summary.md"
    args = ["topics", "--content", str(content), "--gold", str(gold), "--summary", str(summary)]
    assert main(args) == 1
    written = summary.read_text("utf-8")
    assert written.startswith("## report half of gold.yaml\n")
    assert "- robotics: precision 1.00 is below its floor 1.01" in written


@pytest.mark.parametrize(
    ("old_text", "message"),
    [
        ("topics:\n- slug: Not A Slug\n", r"base-topics\.yml: not a valid topics file"),
        ("topics: [\n", r"base-topics\.yml: not a valid topics file.*YAML syntax error"),
        (None, r"base-topics\.yml: no such topics file"),
    ],
    ids=["invalid", "not YAML", "missing"],
)
def test_a_bad_before_file_is_a_content_error_naming_it(
    tmp_path: Path, old_text: str | None, message: str
) -> None:
    content, gold = _moving_archive(tmp_path)
    old = tmp_path / "base-topics.yml"
    if old_text is not None:
        old.write_text(old_text, "utf-8")
    args = ["topics", "--content", str(content), "--gold", str(gold), "--before", str(old)]
    with pytest.raises(ContentError, match=re.compile(message, re.DOTALL)):
        main([*args, "--debug"])


def test_topics_before_on_the_real_corpus(
    corpus_content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = corpus_content
    # The base's rules: without the first topic, and the second without its last rule list.
    old: dict[str, Any] = yamlfile.loads((content / "topics.yml").read_text("utf-8"), "topics")
    first, second = old["topics"][:2]
    del old["topics"][0]
    if len(second["match"]) > 1:
        second["match"].popitem()
    before = write_files(tmp_path, {"old.yml": yamlfile.dump(old)}) / "old.yml"
    summary = tmp_path / "summary.md"
    args = ["--content", str(content), "--before", str(before), "--summary", str(summary)]
    assert main(["topics", *args]) in (0, 1)  # 1: a floor broken, the test above's concern
    tables = _tables(summary.read_text("utf-8"))
    assert tables[first["slug"]]["papers"][0] == "-"
    assert "-" not in tables[second["slug"]]["papers"]
    for slug, rows in tables.items():  # what enters and leaves is the change in size
        size = [int(n.replace(",", "")) if n != "-" else 0 for n in rows["papers"]]
        leaving, entering = (int(n.replace(",", "")) for n in rows["papers leaving / entering"])
        assert size[1] - size[0] == entering - leaving, slug
