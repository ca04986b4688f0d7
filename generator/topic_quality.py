"""How far topics.yml's rules agree with human judgement: precision and recall on a gold set.

The gold set (tests/data/topics-gold.yaml) holds two kinds of judgement, made by reading each
paper's title and abstract: papers judged for one topic ("would a subscriber want it?"), and
random papers labelled with every topic they belong to, which alone show what rules miss
across the archive. Each paper falls in one of two halves by its id, so that rules can be
tuned on one half and reported on the other.

A change to the rules is shown by `compare`: each topic under the old rules and the new, on
the same papers, and the papers that enter and leave it.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import yamlfile
from .archive import Archive
from .errors import ContentError
from .models import Paper, strip_invisible
from .topics import Topic

HALVES = ("tune", "report")
EXAMPLES = 3  # titles shown of the papers entering a topic, and of those leaving it
TITLE_CHARS = 100  # a longer title is cut: a table cell, not the paper's page
# Backslash-escaped in a title: what would start emphasis, code, a link or math, and "|",
# which would end a table cell (GitHub reads "\|" as a "|" even inside a table).
_MARKDOWN = re.compile(r"([\\`*_~\[\]|$])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


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


@dataclass
class Change:
    """One topic under the old rules and the new: its scores and the papers that move."""

    slug: str
    before: Score | None  # None: the topic is new
    after: Score | None  # None: the topic was removed
    entering: list[str] = field(default_factory=list)  # ids, in the archive's order
    leaving: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """'new', 'removed', 'changed' (papers move) or 'unchanged'."""
        if self.before is None:
            return "new"
        if self.after is None:
            return "removed"
        return "changed" if self.entering or self.leaving else "unchanged"


def members(archive: Archive) -> dict[str, list[str]]:
    """Each topic's paper ids, topics in topics.yml order, papers in the archive's order."""
    found: dict[str, list[str]] = {topic.slug: [] for topic in archive.topics}
    for paper_id, slugs in archive.paper_topics.items():
        for slug in slugs:
            found[slug].append(paper_id)
    return found


def compare(
    archive: Archive, old: list[Topic], judgements: list[Judgement], half: str | None = "report"
) -> list[Change]:
    """Each topic under the old rules and the archive's own; the old rules' own topics last."""
    before = replace(archive, topics=old)  # the same papers: only membership can differ
    old_scores, new_scores = _scores(before, judgements, half), _scores(archive, judgements, half)
    was, now = members(before), members(archive)
    changes = []
    for slug in [*now, *(slug for slug in was if slug not in now)]:
        old_ids, new_ids = was.get(slug, []), now.get(slug, [])
        old_set, new_set = set(old_ids), set(new_ids)
        changes.append(
            Change(
                slug,
                old_scores.get(slug),
                new_scores.get(slug),
                entering=[paper_id for paper_id in new_ids if paper_id not in old_set],
                leaving=[paper_id for paper_id in old_ids if paper_id not in new_set],
            )
        )
    return changes


def _scores(archive: Archive, judgements: list[Judgement], half: str | None) -> dict[str, Score]:
    # Old rules may lack a topic the gold set judges (it is new): only their own are scored.
    slugs = {topic.slug for topic in archive.topics}
    judged = [judgement for judgement in judgements if judgement.topic in slugs]
    return {s.slug: s for s in score(archive, judged, half)}


def change_tables(
    changes: list[Change], papers: dict[str, Paper], examples: int = EXAMPLES
) -> list[str]:
    """The changes as Markdown: a count of each kind, then a table per topic."""
    counts = {kind: 0 for kind in ("changed", "new", "removed", "unchanged")}
    for change in changes:
        counts[change.status] += 1
    lines = [
        "## Topics before and after the change to topics.yml\n",
        ", ".join(f"{n} {kind}" for kind, n in counts.items())
        + " (changed: papers enter or leave). Precision, recall and F1 on the report half of "
        "the gold set; papers on the whole archive.",
    ]
    for change in changes:
        b, a = change.before, change.after
        note = "" if change.status == "changed" else f" ({change.status})"
        lines += [
            f"\n### {cell(change.slug)}{note}\n",
            f"| {cell(change.slug)} | before | after |",
            "|---|---|---|",
            f"| precision | {_ratio(b, 'precision')} | {_ratio(a, 'precision')} |",
            f"| recall | {_ratio(b, 'recall')} | {_ratio(a, 'recall')} |",
            f"| F1 | {_ratio(b, 'f1')} | {_ratio(a, 'f1')} |",
            f"| papers | {_size(b)} | {_size(a)} |",
            f"| papers leaving / entering | {len(change.leaving):,} | {len(change.entering):,} |",
        ]
        if change.leaving or change.entering:  # the newest first: the ones feeds show next
            left, entered = (
                "<br>".join(_example(paper_id, papers) for paper_id in ids[::-1][:examples]) or "-"
                for ids in (change.leaving, change.entering)
            )
            lines.append(f"| such as | {left} | {entered} |")
    return lines


def _ratio(s: Score | None, what: str) -> str:
    """A score's precision, recall or F1, with the counts behind the first two."""
    if s is None:
        return "-"
    tp = s.true_positive
    if what == "precision":
        return f"{s.precision:.2f} ({tp}/{tp + s.false_positive})"
    if what == "recall":
        return f"{s.recall:.2f} ({tp}/{tp + s.false_negative})"
    return f"{s.f1:.2f}"


def _size(s: Score | None) -> str:
    return "-" if s is None else f"{s.size:,}"


def _example(paper_id: str, papers: dict[str, Paper]) -> str:
    title = " ".join(strip_invisible(papers[paper_id].title).split())
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rstrip() + "…"
    return f"{cell(paper_id)} {cell(title)}"


def cell(text: str) -> str:
    """Untrusted text as a Markdown table cell that shows it as it is: no HTML, no markup."""
    text = " ".join(strip_invisible(text).split())  # a newline would end the table row
    text = _MARKDOWN.sub(r"\\\1", text)
    return "".join(_HTML.get(char, char) for char in text)  # entities, not tags


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
