"""How far topics.yml's rules agree with human judgement: precision and recall on a gold set.

The gold set (tests/data/topics-gold.yaml) holds two kinds of judgement, made by reading each
paper's title and abstract: papers judged for one topic ("would a subscriber want it?"), and
random papers labelled with every topic they belong to, which alone show what rules miss
across the archive. Each paper falls in one of two halves by its id, so that rules can be
tuned on one half and reported on the other.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlfile
from .archive import Archive
from .errors import ContentError

HALVES = ("tune", "report")


@dataclass(frozen=True)
class Judgement:
    """One paper judged for one topic."""

    id: str
    topic: str
    wanted: bool  # would a subscriber of the topic want it?

    @property
    def half(self) -> str:
        """'tune' or 'report', fixed by the paper's id."""
        return half_of(self.id)


@dataclass
class Score:
    """One topic's agreement with the judgements of one half (or both)."""

    slug: str
    size: int  # papers of the whole archive the rules give the topic
    share: float  # of the archive
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    taken_wrongly: list[str] = field(default_factory=list)  # ids the rules take, judged out
    missed: list[str] = field(default_factory=list)  # ids judged in, which the rules miss

    @property
    def precision(self) -> float:
        """Of the judged papers the rules take, the share judged in (1 when they take none)."""
        taken = self.true_positive + self.false_positive
        return self.true_positive / taken if taken else 1.0

    @property
    def recall(self) -> float:
        """Of the papers judged in, the share the rules take (1 when none is judged in)."""
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def half_of(paper_id: str) -> str:
    """The half a paper's judgements belong to, the same on every machine."""
    return HALVES[zlib.crc32(paper_id.encode("utf-8")) % 2]


def load_gold(path: Path) -> list[Judgement]:
    """Every judgement of the gold file: one per paper and topic judged."""
    data = _read(path)
    judgements: list[Judgement] = []
    for slug, papers in _mapping(path, data, "judged").items():
        for paper in _list(path, papers, f"judged.{slug}"):
            judgements.append(Judgement(_id(path, paper), slug, _flag(path, paper)))
    topics = list(_mapping(path, data, "judged"))
    for paper in _list(path, data.get("random"), "random"):
        paper_id, chosen = _id(path, paper), paper.get("topics")
        if not isinstance(chosen, list) or not set(chosen) <= set(topics):
            raise ContentError(f"{path}: random paper {paper_id}: topics must be judged slugs")
        judgements += [Judgement(paper_id, slug, slug in chosen) for slug in topics]
    return judgements


def score(archive: Archive, judgements: list[Judgement], half: str | None = None) -> list[Score]:
    """Each topic's score, in topics.yml order, on one half of the judgements or on both."""
    members = archive.paper_topics
    total = len(archive.papers) or 1
    sizes = {topic.slug: 0 for topic in archive.topics}
    for slugs in members.values():
        for slug in slugs:
            sizes[slug] += 1
    scores = {slug: Score(slug, size, size / total) for slug, size in sizes.items()}
    seen: set[tuple[str, str]] = set()  # a paper judged twice for a topic counts once
    for judged in judgements:
        if (half and judged.half != half) or (judged.id, judged.topic) in seen:
            continue
        if judged.id not in members or judged.topic not in scores:
            raise ContentError(f"gold set: {judged.id} or {judged.topic} is not in the archive")
        seen.add((judged.id, judged.topic))
        topic, taken = scores[judged.topic], judged.topic in members[judged.id]
        if taken and judged.wanted:
            topic.true_positive += 1
        elif taken:
            topic.false_positive += 1
            topic.taken_wrongly.append(judged.id)
        elif judged.wanted:
            topic.false_negative += 1
            topic.missed.append(judged.id)
    return list(scores.values())


def load_floors(path: Path) -> dict[str, dict[str, float]]:
    """Each topic's lowest allowed precision, recall or F1 on the report half (the gold file's)."""
    floors = _read(path).get("floors", {})
    if not isinstance(floors, dict) or not all(isinstance(v, dict) for v in floors.values()):
        raise ContentError(f"{path}: 'floors' must map topics to precision and recall")
    return floors


def below_floors(scores: list[Score], floors: dict[str, dict[str, float]]) -> list[str]:
    """A line for each topic's precision or recall under its floor."""
    return [
        f"{s.slug}: {what} {value:.2f} is below its floor {floors[s.slug][what]:.2f}"
        for s in scores
        for what, value in (("precision", s.precision), ("recall", s.recall), ("f1", s.f1))
        if value < floors.get(s.slug, {}).get(what, 0.0)
    ]


def macro_f1(scores: list[Score]) -> float:
    """The mean of the topics' F1."""
    return sum(s.f1 for s in scores) / len(scores) if scores else 0.0


def table(scores: list[Score]) -> list[str]:
    """The scores as a Markdown table, then the macro-averaged F1."""
    lines = [
        "| topic | precision | recall | F1 | judged in / taken | size | share |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.slug} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} | "
            f"{s.true_positive + s.false_negative} / {s.true_positive + s.false_positive} | "
            f"{s.size:,} | {s.share:.0%} |"
        )
    lines.append(f"\nmacro-averaged F1: {macro_f1(scores):.2f}")
    return lines


def _read(path: Path) -> dict[str, Any]:
    """The gold file's mapping; ContentError naming the file if it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(f"{path}: cannot read the gold set: {exc.strerror}") from exc
    data = yamlfile.loads(text, str(path))
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping with 'judged' and 'random'")
    return data


def _mapping(path: Path, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ContentError(f"{path}: '{key}' must map each topic to its judged papers")
    return value


def _list(path: Path, value: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ContentError(f"{path}: '{where}' must be a list of papers")
    return value


def _id(path: Path, paper: dict[str, Any]) -> str:
    paper_id = paper.get("id")
    if not isinstance(paper_id, str):
        raise ContentError(f"{path}: a judged paper has no id")
    return paper_id


def _flag(path: Path, paper: dict[str, Any]) -> bool:
    wanted = paper.get("in")
    if not isinstance(wanted, bool):
        raise ContentError(f"{path}: paper {paper.get('id')}: 'in' must be true or false")
    return wanted
