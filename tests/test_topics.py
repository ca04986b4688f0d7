"""Topic matching: the one-pass TopicMatcher decides exactly as each Topic's own rules."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.archive import PARALLEL_TOPICS, load_archive
from generator.models import Paper
from generator.sample import make_sample
from generator.topics import Topic, TopicMatcher, Words, topic_from_checked

ROOT = Path(__file__).resolve().parent.parent


def _one_by_one(topics: list[Topic], paper: Paper) -> list[str]:
    return [topic.slug for topic in topics if topic.matches(paper)]


def test_matcher_agrees_with_each_topic_on_the_sample(tmp_path: Path) -> None:
    make_sample(tmp_path, 600)
    shutil.copy(ROOT / "content" / "topics.yml", tmp_path / "topics.yml")
    archive = load_archive(tmp_path)
    assert len(archive.topics) > 10
    expected = {pid: _one_by_one(archive.topics, p) for pid, p in archive.papers.items()}
    assert archive.paper_topics == expected
    assert sum(map(len, expected.values())) > 300  # the sample gives most papers a topic


def test_matcher_agrees_on_the_real_corpus(imported: Path) -> None:
    archive = load_archive(imported)
    archive.topics = load_archive(ROOT / "content").topics  # the corpus import has no topics.yml
    assert archive.topics
    expected = {pid: _one_by_one(archive.topics, p) for pid, p in archive.papers.items()}
    assert len(expected) >= PARALLEL_TOPICS  # matched in two processes, where it can fork
    assert list(archive.paper_topics.items()) == list(expected.items())


def test_words_split_ascii_and_unicode_text_alike() -> None:
    paper = Paper(id="1", title="Chain-of-Thought, 3D_gen & Zoë's naïve LLMs", abstract="x/y (z)")
    assert Words(f"{paper.title} {paper.abstract}").tokens == {
        "chain", "of", "thought", "3d_gen", "zoë", "s", "naïve", "llms", "x", "y", "z"
    }  # fmt: skip
    ascii_paper = Paper(id="2", title="Chain-of-Thought, 3D_gen & LLMs", abstract="x/y (z)")
    assert Words(f"{ascii_paper.title} {ascii_paper.abstract}").tokens == {
        "chain",
        "of",
        "thought",
        "3d_gen",
        "llms",
        "x",
        "y",
        "z",
    }
    assert TopicMatcher([Topic("r", "R", "", words=(("chain", "of", "thought"),))]).slugs(
        ascii_paper
    ) == ["r"]


def test_title_words_count_in_the_title_only_and_exclude_keeps_papers_out() -> None:
    topic = Topic(
        "t", "T", "", title_words=(("lora",),), words=(("optimizer",),), exclude=(("survey",),)
    )
    in_title = Paper(id="1", title="LoRA for all", abstract="Nothing else.")
    in_abstract = Paper(id="2", title="A method", abstract="We fine-tune with LoRA.")
    excluded = Paper(id="3", title="LoRA: a survey", abstract="Every optimizer.")
    matcher = TopicMatcher([topic])
    for paper, expected in ((in_title, True), (in_abstract, False), (excluded, False)):
        assert topic.matches(paper) is expected, paper.id
        assert matcher.slugs(paper) == (["t"] if expected else []), paper.id


def _topic(**rules: object) -> Topic:
    return topic_from_checked({"slug": "t", "name": "T", "description": "d", "match": rules})


def test_points_add_up_to_the_topics_min_score() -> None:
    topic = _topic(title_words=["robot"], words=["manipulation"], min_score=3)
    title = Paper(id="1", title="A robot", abstract="Nothing else.")
    twice = Paper(id="2", title="Grasping", abstract="Manipulation and more manipulation.")
    thrice = Paper(id="3", title="Grasping", abstract="Manipulation manipulation manipulation.")
    once = Paper(id="4", title="Grasping", abstract="One word on manipulation.")
    matcher = TopicMatcher([topic])
    for paper, expected in ((title, True), (twice, False), (thrice, True), (once, False)):
        assert topic.matches(paper) is expected, paper.id
        assert matcher.slugs(paper) == (["t"] if expected else []), paper.id


def test_keywords_are_equal_not_contained() -> None:
    topic = _topic(keywords=["LoRA", "chain of thought"])
    assert topic.keywords == {"lora", "chain of thought"}
    for keywords, expected in (
        (("Chain-of-Thought",), True),  # case, hyphens and punctuation aside
        (("lora",), True),
        (("exploration",), False),  # "lora" is inside it: no longer a match
        (("chain of thought prompting",), False),
    ):
        paper = Paper(id="1", title="T", abstract="A.", ai_keywords=keywords)
        assert topic.matches(paper) is expected, keywords
        assert TopicMatcher([topic]).slugs(paper) == (["t"] if expected else [])


def test_word_patterns_and_title_exclude() -> None:
    topic = _topic(title_words=["*bench", "robot*"], title_exclude=["survey"])
    matcher = TopicMatcher([topic, _topic(words=["*bench"], min_score=2)])
    cases = {
        "VTCBench: long context": ["t"],
        "Robotics at scale": ["t"],
        "A survey of robots": [],  # title_exclude wins over any score
        "Benches and tables": [],  # "*bench" ends the word: not "benches"
        "NeedleBench and ProcessBench": ["t", "t"],  # two pattern words: 2 points of `words`
    }
    for title, expected in cases.items():
        paper = Paper(id="1", title=title, abstract="Nothing.")
        assert matcher.slugs(paper) == expected, title
        assert [t.slug for t in matcher.topics if t.matches(paper)] == expected, title


def test_words_count_every_appearance() -> None:
    words = Words("x x y x-x z x")
    assert words.count(("x",)) == 5
    assert words.count(("x", "x")) == 2  # side by side, without sharing a word
    assert words.count(("q",)) == 0
    assert words.count(("*x",)) == 5
