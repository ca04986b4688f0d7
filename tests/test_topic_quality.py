"""generator/topic_quality.py and `topics`: the rules scored against human judgements."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.archive import Archive
from generator.errors import ContentError
from generator.models import Day, Paper
from generator.topic_quality import (
    Judgement,
    below_floors,
    half_of,
    load_gold,
    macro_f1,
    score,
)
from generator.topics import Topic
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
    assert min(per_topic.values()) >= 40 + 150  # 40 judged for the topic, 150 random
    assert "the topic is a MAIN SUBJECT of the paper" in GOLD.read_text("utf-8")


def test_topics_scores_the_real_rules_on_the_real_corpus(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(imported, content)
    shutil.copy(ROOT / "content" / "topics.yml", content / "topics.yml")
    assert main(["topics", "--content", str(content), "--verbose"]) == 0  # no topic below floor
    out = capsys.readouterr().out
    assert out.count("| llm-reasoning |") == 3  # tune half, report half, both
    assert "macro-averaged F1" in out and "taken wrongly" in out


def test_topics_says_when_the_content_lacks_the_judged_papers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = write_files(tmp_path / "content", {"papers/.keep": ""})
    shutil.copy(ROOT / "content" / "topics.yml", content / "topics.yml")
    assert main(["topics", "--content", str(content)]) == 1
    assert "papers of the gold set are not there" in capsys.readouterr().err
