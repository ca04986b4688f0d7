"""Topics (content/topics.yml): editable rules that score papers into subjects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .models import Paper, strip_invisible

_WORD = re.compile(r"\w+")
_NOT_WORD = {c: " " for c in range(128) if not re.match(r"\w", chr(c))}  # ASCII only

# Points each kind of match is worth. A phrase in the title names the paper's subject, so it
# alone reaches the usual threshold of 3; a word of the abstract must recur, or come with
# others, to show the subject is a main one and not a passing mention.
TITLE_POINTS = 3
WORD_POINTS = 1  # each time a phrase of `words` appears in the title or abstract
KEYWORD_POINTS = 1  # each of the paper's AI keywords equal to one of `keywords`
CATEGORY_POINTS = 1  # each of the paper's arXiv categories in `categories`
ORGANIZATION_POINTS = 1  # the paper's organization in `organizations`


@dataclass(frozen=True)
class Topic:
    """A subject, its rules, and the score from which a paper belongs to it."""

    slug: str
    name: str
    description: str
    keywords: frozenset[str] = frozenset()  # Hugging Face AI keywords, as keyword_form gives
    words: tuple[tuple[str, ...], ...] = ()  # whole words or phrases in title or abstract
    title_words: tuple[tuple[str, ...], ...] = ()  # whole words or phrases in the title
    exclude: tuple[tuple[str, ...], ...] = ()  # in title or abstract: out, whatever the score
    title_exclude: tuple[tuple[str, ...], ...] = ()  # in the title: out, whatever the score
    categories: frozenset[str] = frozenset()  # arXiv categories, e.g. cs.RO
    organizations: frozenset[str] = frozenset()  # Hugging Face organization handles
    min_score: int = 1

    def matches(self, paper: Paper) -> bool:
        """Whether the paper belongs: its points reach min_score and nothing excludes it."""
        seen = Seen.of(paper)
        words = WORD_POINTS * sum(seen.text.count(phrase) for phrase in self.words)
        titles = TITLE_POINTS * sum(seen.title.has(phrase) for phrase in self.title_words)
        return self.decides(seen, words + titles)

    def decides(self, seen: Seen, points: int) -> bool:
        """Whether the paper belongs, given the points its words and title words already made."""
        points += KEYWORD_POINTS * len(self.keywords & seen.keywords)
        points += CATEGORY_POINTS * len(self.categories & seen.categories)
        points += ORGANIZATION_POINTS * (seen.organization in self.organizations)
        if points < self.min_score:
            return False
        if any(seen.title.has(phrase) for phrase in self.title_exclude):
            return False
        return not any(seen.text.has(phrase) for phrase in self.exclude)


@dataclass(frozen=True)
class Seen:
    """What the rules look at in one paper, worked out once for every topic."""

    text: Words  # title and abstract
    title: Words
    keywords: frozenset[str]  # its AI keywords, as keyword_form gives them
    categories: frozenset[str]
    organization: str

    @classmethod
    def of(cls, paper: Paper) -> Seen:
        """The paper as its topics' rules see it."""
        return cls(
            text=Words(f"{paper.title} {paper.abstract}"),
            title=Words(paper.title),
            keywords=frozenset(keyword_form(k) for k in paper.ai_keywords),
            categories=frozenset(paper.categories),
            organization=paper.organization.lower(),
        )


class TopicMatcher:
    """Every topic's rules at once: the topics of thousands of papers in one pass."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        # Each phrase filed under its first word: a paper's words pick out the few phrases
        # worth looking for, instead of looking for every phrase of every topic in every paper.
        self.words = _index([topic.words for topic in topics])
        self.title_words = _index([topic.title_words for topic in topics])

    def slugs(self, paper: Paper) -> list[str]:
        """The slugs of the paper's topics, in topics.yml order (as Topic.matches decides)."""
        seen = Seen.of(paper)
        points = [0] * len(self.topics)
        for number, phrase in _candidates(self.words, seen.text):
            points[number] += WORD_POINTS * seen.text.count(phrase)
        for number, phrase in _candidates(self.title_words, seen.title):
            points[number] += TITLE_POINTS * seen.title.has(phrase)
        return [
            topic.slug
            for number, topic in enumerate(self.topics)
            if topic.decides(seen, points[number])
        ]


Index = dict[str, list[tuple[int, tuple[str, ...]]]]


def _index(phrases_of_topics: list[tuple[tuple[str, ...], ...]]) -> Index:
    """Each topic's phrases (by the topic's number) under their first word; patterns under *."""
    index: Index = {}
    for number, phrases in enumerate(phrases_of_topics):
        for phrase in phrases:
            first = "*" if "*" in phrase[0] else phrase[0]
            index.setdefault(first, []).append((number, phrase))
    return index


def _candidates(index: Index, words: Words) -> list[tuple[int, tuple[str, ...]]]:
    """The phrases of the index that the words may hold: their first word is there."""
    found = [entry for token in words.tokens & index.keys() for entry in index[token]]
    return found + index.get("*", [])  # patterns ("*bench"): tried on every paper


class Words:
    """Text (a paper's title, or title and abstract) as words, for whole-word and phrase tests."""

    def __init__(self, text: str) -> None:
        text = text.lower()
        # For ASCII text (nearly every paper) this splits exactly as \w+ does, 4 times faster.
        tokens = text.translate(_NOT_WORD).split() if text.isascii() else _WORD.findall(text)
        self.tokens = set(tokens)
        self.text = " " + " ".join(tokens) + " "

    def has(self, phrase: tuple[str, ...]) -> bool:
        """Whether the words hold the phrase ("chain of thought" also finds Chain-of-Thought)."""
        if "*" in phrase[0]:
            return any(_wild(phrase[0], token) for token in self.tokens)
        # The set test rules out most phrases before the slower substring search.
        if not all(token in self.tokens for token in phrase):
            return False
        return len(phrase) == 1 or " " + " ".join(phrase) + " " in self.text

    def count(self, phrase: tuple[str, ...]) -> int:
        """How many times the phrase appears (repeats side by side count each)."""
        if "*" in phrase[0]:
            return sum(_wild(phrase[0], token) for token in self.text.split())
        if not all(token in self.tokens for token in phrase):
            return 0
        needle = " " + " ".join(phrase) + " "
        found, start = 0, self.text.find(needle)
        while start >= 0:
            found += 1
            # The next match may share this one's trailing space: "x x" holds "x" twice.
            start = self.text.find(needle, start + len(needle) - 1)
        return found


def _wild(pattern: str, token: str) -> bool:
    """Whether a word fits "*bench" (ends so), "robot*" (begins so) or "*bench*" (holds it)."""
    core = pattern.strip("*")
    if pattern.startswith("*") and pattern.endswith("*"):
        return core in token
    return token.endswith(core) if pattern.startswith("*") else token.startswith(core)


def keyword_form(text: str) -> str:
    """A keyword as rules see it: words only, lower case (Chain-of-Thought: chain of thought)."""
    return " ".join(_WORD.findall(text.lower()))


def topic_from_checked(data: dict[str, Any]) -> Topic:
    """One Topic from its mapping in a topics.yml that `validate` accepted."""
    rules = data["match"]

    def strings(key: str) -> tuple[str, ...]:
        return tuple(value.strip().lower() for value in rules.get(key, []))

    def phrases(key: str) -> tuple[tuple[str, ...], ...]:
        # A word with a * at either end ("*bench", "robot*") is kept whole: a pattern.
        return tuple(
            (phrase,) if "*" in phrase else tuple(_WORD.findall(phrase)) for phrase in strings(key)
        )

    return Topic(
        slug=data["slug"],
        name=strip_invisible(data["name"]),
        description=strip_invisible(data["description"]),
        keywords=frozenset(keyword_form(k) for k in rules.get("keywords", [])),
        words=phrases("words"),
        title_words=phrases("title_words"),
        exclude=phrases("exclude"),
        title_exclude=phrases("title_exclude"),
        categories=frozenset(rules.get("categories", [])),
        organizations=frozenset(strings("organizations")),
        min_score=rules.get("min_score", 1),
    )


def topics_from_checked(data: dict[str, Any] | None) -> list[Topic]:
    """The topics of a checked topics.yml, in file order (none if there is no file)."""
    return [topic_from_checked(item) for item in data["topics"]] if data else []
