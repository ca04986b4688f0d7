"""Trends: the numbers behind /trends/, from the archive alone, and the same as open data.

Each paper counts once, on its first list day, as readers see it (corrections applied,
hidden papers gone). Periods whose days may still grow are marked provisional.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain, pairwise
from typing import Any

from . import urls
from .archive import Archive
from .forked import in_two
from .models import REFRESH_DAYS, Paper, linkable
from .topics import keyword_form

TOP_ORGANIZATIONS = 8  # organizations shown per quarter
RISING_TERMS = 15  # terms shown as rising this month
RISING_BEFORE_MONTHS = 12  # this month is compared with the twelve months before it
# A term must be in this many papers this month: fewer is a handful of papers, not a trend.
RISING_MIN_PAPERS = 5
# Added to both shares before dividing: a term new this month in 5 of 600 papers would
# otherwise rise infinitely, above one in 30% of papers that was in 10% before.
RISING_PRIOR_SHARE = 0.005
# A phrase gives way to a longer one holding it in at least this share of its papers this
# month: "time scaling" to "test-time scaling", while "language models" said alone stays.
MAXIMAL_COVER = 0.8
PARALLEL_BEFORE = 2000  # papers of the year before from which counting in two processes pays off
MAX_WORDS = 3  # longest n-gram of titles and abstracts (_ngrams); AI keywords may be longer

# Words a term may not start or end with: function words, and the words abstracts use about
# themselves rather than their subject. Inside a phrase they stay ("chain of thought"), and a
# function word may start or end a compound written with a hyphen ("on-policy", "all-in-one").
FUNCTION_WORDS = frozenset(
    """
    a about above according across after again against all almost along already also although
    always am among amongst an and another any are around as at be became because become
    becomes been before being below besides between beyond both but by can cannot could did do
    does doing done down due during each either else enough even ever every few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just least less let like many may me might more most much must my near nearly neither no
    nor not now of off often on once one only onto or other others otherwise our ours out over
    own per perhaps rather same she should since so some still such than that the their theirs
    them themselves then there thereby therefore these they this those though through
    throughout thus to together too toward towards under unlike until up upon us very via vs
    was way ways we well were what when where whereas whether which while who whom whose why
    will with within without would yet you your
    """.split()
)
BOILERPLATE_WORDS = frozenset(
    """
    achieve achieved achieves achieving actually additionally al allow allows art available
    based demonstrate demonstrated demonstrates demonstrating different effectively eg enable
    enables enabling especially et etc existing experiment experimental experiments extensive
    finally first furthermore given however ie improve improved improves improving including
    indeed introduce introduced introduces introducing key leverage leverages leveraging
    likely moreover mostly namely new novel outperform outperformed outperforming outperforms
    overall paper papers particular particularly performance present presented presents propose
    proposed proposes proposing publicly recent recently remain remains respectively result
    results second several show showed showing shown shows significant significantly
    specifically state study substantial substantially third use used uses using various work
    works
    """.split()
)
STOP_WORDS = FUNCTION_WORDS | BOILERPLATE_WORDS
# Whole terms that are how papers talk, not what they are about.
BOILERPLATE = frozenset(
    tuple(phrase.split())
    for phrase in (
        *"method methods approach approaches framework frameworks model models task tasks".split(),
        *"problem problems technique techniques".split(),
        "state of the art",
        "large margin",
        "wide range",
        "wide variety",
        "source code",
        "large scale",
        "ablation study",
        "ablation studies",
        "empirical results",
        "empirical evaluation",
        "comprehensive evaluation",
        "comprehensive experiments",
        "promising results",
        "strong performance",
        "superior performance",
        "competitive performance",
        "significant improvements",
        "key insight",
        "code and data",
        "code and models",
    )
)
# AI keywords are the noun phrases a researcher would name: where most of the month's papers
# have them, a term must be a keyword of some paper in the thirteen months, and a single word
# of two papers (one paper's keywords hold "evidence" or "ties" as often as a real name).
KEYWORDS_NAME_FROM = 0.5
NAMED_WORD_PAPERS = 2

_BREAK = "\x01"  # the token where a phrase cannot go on: punctuation, math, links
# Math and links hold no terms; removed first, so their dots and slashes join nothing.
_NOT_PROSE = re.compile(r"\$[^$]*\$|https?://\S+|www\.\S+")
# A hyphen or slash joins the words of one term ("test-time" is "test time"); any other
# punctuation ends a phrase, dots too ("e.g." joins nothing).
_JOINS = "-/\u2010\u2011"
_ASCII_BREAKS = {
    c: " " if chr(c) in _JOINS else _BREAK for c in range(128) if not re.match(r"[\w\s]", chr(c))
}
_JOINERS = re.compile(f"[{_JOINS}]")
_BREAKS = re.compile(r"[^\w\s]+")
_COMPOUND = frozenset("-\u2010\u2011")  # what makes a stop word part of a term: "on-policy"

Term = str | tuple[str, ...]  # one word, or the words of a phrase


@dataclass(frozen=True)
class WeekCount:
    """Papers first listed in one ISO week."""

    week: date  # its Monday
    papers: int
    provisional: bool  # some of its days may still grow


@dataclass(frozen=True)
class TopicShare:
    """One topic's share of the papers first listed in one month."""

    month: str  # YYYY-MM
    topic: str  # slug
    name: str
    papers: int  # the month's papers in the topic
    total: int  # all the month's papers
    share: float  # papers / total, 0 for a month without papers
    provisional: bool


@dataclass(frozen=True)
class OrganizationCount:
    """One of a quarter's top organizations by papers first listed in the quarter."""

    quarter: str  # YYYY-Qn
    rank: int  # 1 for the most papers
    handle: str  # Hugging Face handle, as in huggingface.co/<handle>
    name: str  # its display name (the handle when the API gave none)
    papers: int
    provisional: bool


@dataclass(frozen=True)
class CodeMonth:
    """One month's papers: how many link a GitHub repository, and their median upvotes."""

    month: str  # YYYY-MM
    papers: int
    with_code: int
    code_share: float  # with_code / papers, 0 for a month without papers
    median_upvotes: float | None  # None for a month without papers
    provisional: bool


@dataclass(frozen=True)
class RisingTerm:
    """A word or phrase whose share of this month's papers rose against the months before."""

    term: str  # as most papers write it, e.g. "test-time scaling"
    words: str  # its words as search and topics see them, e.g. "test time scaling"
    papers: int  # papers this month that hold it
    share: float  # papers / this month's papers
    papers_before: int  # papers of the months before that hold it
    share_before: float
    ratio: float  # (share + RISING_PRIOR_SHARE) / (share_before + RISING_PRIOR_SHARE)


@dataclass(frozen=True)
class Rising:
    """The terms rising most in the newest month."""

    month: str  # YYYY-MM, the month of the newest list day
    papers: int  # papers first listed that month
    before_from: str  # YYYY-MM, the first of the months compared with
    papers_before: int  # papers first listed in the twelve months before
    provisional: bool
    terms: tuple[RisingTerm, ...]


@dataclass(frozen=True)
class Trends:
    """Every series of the trends page."""

    newest_fetch: date | None  # the newest fetch, or the newest list day when none is known
    provisional_from: date | None  # days from this one on may still grow
    weeks: tuple[WeekCount, ...]
    topic_shares: tuple[TopicShare, ...]  # month by month, topics in topics.yml order
    organizations: tuple[OrganizationCount, ...]  # quarter by quarter, by rank
    code: tuple[CodeMonth, ...]
    rising: Rising | None  # None for an archive without papers


def trends_of(archive: Archive) -> Trends:
    """Every trends series of the archive, each paper counted once on its first list day."""
    first = archive.first_listed
    papers = archive.papers
    newest_fetch = _newest_fetch(archive)
    # By ordinal: 14 days before a fetch in 0001-01 would be before the first date there is.
    since = _days_after(newest_fetch, -REFRESH_DAYS) if newest_fetch else None
    if not first:
        return Trends(newest_fetch, since, (), (), (), (), None)
    # first_listed follows the days, oldest first: the newest listed paper is last.
    oldest, newest = next(iter(first.values())), next(reversed(first.values()))

    def provisional(last_day: date) -> bool:
        return since is not None and last_day >= since

    by_day: dict[date, list[Paper]] = defaultdict(list)
    for paper_id, day in first.items():
        by_day[day].append(papers[paper_id])
    by_month: dict[str, list[Paper]] = defaultdict(list)
    weekly: Counter[date] = Counter()
    for day, listed in by_day.items():
        by_month[_month(day)].extend(listed)
        weekly[_monday(day)] += len(listed)
    weeks = tuple(
        WeekCount(monday, weekly[monday], provisional(_days_after(monday, 6)))
        for monday in _mondays(_monday(oldest), _monday(newest))
    )
    months = _months(oldest, newest)
    month_ends = {month: _month_end(month) for month in months}
    return Trends(
        newest_fetch=newest_fetch,
        provisional_from=since,
        weeks=weeks,
        topic_shares=_topic_shares(archive, months, by_month, provisional),
        organizations=_organizations(archive, provisional),
        code=tuple(
            _code_month(month, by_month[month], provisional(month_ends[month])) for month in months
        ),
        rising=_rising(months, by_month, provisional(month_ends[months[-1]])),
    )


def _newest_fetch(archive: Archive) -> date | None:
    fetched = [day.fetched for day in archive.days if day.fetched]
    if fetched:
        return max(fetched)
    return archive.days[-1].date if archive.days else None


def _topic_shares(
    archive: Archive,
    months: list[str],
    by_month: dict[str, list[Paper]],
    provisional: Callable[[date], bool],
) -> tuple[TopicShare, ...]:
    topics_of = archive.paper_topics
    shares = []
    for month in months:
        listed = by_month[month]
        counts = Counter(slug for paper in listed for slug in topics_of[paper.id])
        late = provisional(_month_end(month))
        for topic in archive.topics:
            count = counts[topic.slug]
            share = count / len(listed) if listed else 0.0
            shares.append(
                TopicShare(month, topic.slug, topic.name, count, len(listed), share, late)
            )
    return tuple(shares)


def _organizations(
    archive: Archive, provisional: Callable[[date], bool]
) -> tuple[OrganizationCount, ...]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for paper_id, day in archive.first_listed.items():
        paper = archive.papers[paper_id]
        if paper.organization:
            counts[_quarter(day)][paper.organization] += 1
            if paper.organization_name:
                names[paper.organization][paper.organization_name] += 1
    # One display name per handle, the one its papers give most (the API's may change).
    shown = {
        handle: min(named.items(), key=lambda item: (-item[1], item[0]))[0]
        for handle, named in names.items()
    }
    rows = []
    for quarter in sorted(counts):
        top = sorted(counts[quarter].items(), key=lambda item: (-item[1], item[0]))
        late = provisional(_quarter_end(quarter))
        for rank, (handle, count) in enumerate(top[:TOP_ORGANIZATIONS], 1):
            name = shown.get(handle, handle)
            rows.append(OrganizationCount(quarter, rank, handle, name, count, late))
    return tuple(rows)


def _code_month(month: str, listed: list[Paper], provisional: bool) -> CodeMonth:
    with_code = sum(1 for paper in listed if linkable(paper.github))
    return CodeMonth(
        month=month,
        papers=len(listed),
        with_code=with_code,
        code_share=with_code / len(listed) if listed else 0.0,
        median_upvotes=float(statistics.median(p.upvotes for p in listed)) if listed else None,
        provisional=provisional,
    )


def _rising(months: list[str], by_month: dict[str, list[Paper]], provisional: bool) -> Rising:
    """The terms whose share of the newest month's papers rose most against the year before."""
    month = months[-1]
    before_from = _month_add(month, -RISING_BEFORE_MONTHS)
    now = by_month[month]
    before = [
        paper for earlier in months if before_from <= earlier < month for paper in by_month[earlier]
    ]
    # Each keyword once: the same ones recur ("large language models" in thousands of papers).
    distinct = set(chain.from_iterable(paper.ai_keywords for paper in now + before))
    forms = {keyword: term for keyword in distinct if (term := _keyword_term(keyword))}
    keywords_now = [_keyword_terms(paper, forms) for paper in now]
    keywords_before = [_keyword_terms(paper, forms) for paper in before]
    named: set[Term] | None = None  # None: keywords too few to name terms by
    if sum(map(bool, keywords_now)) >= KEYWORDS_NAME_FROM * len(now):
        named_by = Counter(chain.from_iterable(keywords_now + keywords_before))
        named = {
            term
            for term, count in named_by.items()
            if count >= (NAMED_WORD_PAPERS if isinstance(term, str) else 1)
        }
    texts = [_prose(paper) for paper in now]
    held = []  # each paper's terms
    for text, keywords in zip(texts, keywords_now, strict=True):
        ngrams = _ngrams(_tokens(text))
        terms = set(ngrams) if named is None else named.intersection(ngrams)
        held.append(terms | keywords)
    counts = Counter(chain.from_iterable(held))
    candidates = {
        term for term, count in counts.items() if count >= RISING_MIN_PAPERS and _may_name(term)
    }
    holders: dict[Term, list[int]] = defaultdict(list)  # the papers holding each candidate
    for number, terms in enumerate(held):
        for term in candidates.intersection(terms):
            holders[term].append(number)

    def written(term: Term) -> str:
        papers = holders[term]
        return _most_written(term, [texts[n] for n in papers], [now[n] for n in papers])

    shown = {term: written(term) for term in candidates if _joined_edges(term)}
    candidates = {term for term in candidates if term not in shown or _joined(term, shown[term])}
    kept = _maximal(candidates, {term: set(holders[term]) for term in candidates})
    counts_before = _count_before(kept, list(zip(before, keywords_before, strict=True)))
    scored = []
    for term in kept:
        share = counts[term] / len(now)
        share_before = counts_before[term] / len(before) if before else 0.0
        ratio = (share + RISING_PRIOR_SHARE) / (share_before + RISING_PRIOR_SHARE)
        if ratio > 1:
            scored.append((-ratio, -counts[term], _words(term), term, share, share_before, ratio))
    scored.sort()
    rising = tuple(
        RisingTerm(
            term=_cased(
                (shown.get(term) or written(term)).strip(_JOINS), [now[n] for n in holders[term]]
            ),
            words=" ".join(_words(term)),
            papers=counts[term],
            share=share,
            papers_before=counts_before[term],
            share_before=share_before,
            ratio=ratio,
        )
        for *_, term, share, share_before, ratio in scored[:RISING_TERMS]
    )
    return Rising(month, len(now), before_from, len(before), provisional, rising)


def _count_before(kept: set[Term], before: list[tuple[Paper, set[Term]]]) -> Counter[Term]:
    """How many of the papers (each with its keywords' terms) hold each term kept."""
    find = _Finder(kept)

    def count(papers: list[tuple[Paper, set[Term]]]) -> list[Counter[Term]]:
        counts: Counter[Term] = Counter()
        for paper, keywords in papers:
            counts.update(find.in_words(_tokens(_prose(paper))) | kept.intersection(keywords))
        return [counts]

    # Most of the work of trends (0.3 s for 5,000 papers in one process): a forked process
    # counts half the papers where forking is safe and pays off.
    return sum(in_two(count, before, at_least=PARALLEL_BEFORE), Counter())


class _Finder:
    """Which of a few terms a text's n-grams hold, without making every n-gram."""

    def __init__(self, terms: set[Term]) -> None:
        self.words: set[Term] = {term for term in terms if isinstance(term, str)}
        self.pairs = {term for term in terms if len(term) == 2 and not isinstance(term, str)}
        # A three-word term starts with a pair: looked for only where its pair is found.
        self.triples: dict[Term, list[tuple[str, ...]]] = defaultdict(list)
        for term in terms:
            if not isinstance(term, str) and len(term) == MAX_WORDS:
                self.triples[term[:2]].append(term)
        self.heads = self.pairs | self.triples.keys()

    def in_words(self, words: list[str]) -> set[Term]:
        """The terms the words hold, as _ngrams would find them."""
        heads = self.heads.intersection(pairwise(words))
        found = self.words.intersection(words)
        found.update(self.pairs.intersection(heads))
        heads &= self.triples.keys()
        if heads:
            text = f" {' '.join(words)} "
            for head in heads:
                found.update(t for t in self.triples[head] if f" {' '.join(t)} " in text)
        return found


def _prose(paper: Paper) -> str:
    """Title and abstract in lower case, math and links made breaks."""
    text = f"{paper.title} | {paper.abstract}".lower()
    if "$" in text or "://" in text or "www." in text:
        text = _NOT_PROSE.sub(f" {_BREAK} ", text)
    return text


def _tokens(prose: str) -> list[str]:
    """The words of the prose in order, joined words apart, a break token for punctuation."""
    # For ASCII text (nearly every paper) translate is 5 times faster than regular
    # expressions; one-character replacements keep it on its fast path.
    if prose.isascii():
        text = prose.translate(_ASCII_BREAKS).replace(_BREAK, f" {_BREAK} ")
    else:
        text = _BREAKS.sub(f" {_BREAK} ", _JOINERS.sub(" ", prose))
    return text.split()


def _ngrams(words: list[str]) -> Iterator[Term]:
    """Every n-gram of one to MAX_WORDS words (those across a break are filtered out later)."""
    return chain(words, pairwise(words), zip(words, words[1:], words[2:], strict=False))


def _keyword_term(keyword: str) -> Term | None:
    """An AI keyword as a term: "Test-Time Scaling" is ("test", "time", "scaling")."""
    words = tuple(keyword_form(keyword).split())
    return (words[0] if len(words) == 1 else words) if words else None


def _keyword_terms(paper: Paper, forms: dict[str, Term]) -> set[Term]:
    """The terms of the paper's AI keywords, given each keyword's term (forms)."""
    return {forms[keyword] for keyword in paper.ai_keywords if keyword in forms}


def _words(term: Term) -> tuple[str, ...]:
    return (term,) if isinstance(term, str) else term


def _stop(word: str) -> bool:
    # Single letters ("e.g.") and bare numbers name nothing alone or at a phrase's edge.
    return word in STOP_WORDS or len(word) < 2 or word.isdigit()


def _joinable(word: str) -> bool:
    """Whether a stop word may start or end a compound: "on-policy", "all-in-one", "gpt-4"."""
    return word not in BOILERPLATE_WORDS


def _may_name(term: Term) -> bool:
    """Whether a term can be named, its edges aside from how they are written."""
    words = _words(term)
    if _BREAK in words or words in BOILERPLATE:
        return False
    if all(map(_stop, words)):
        return False
    return all(not _stop(edge) or _joinable(edge) for edge in (words[0], words[-1]))


def _joined_edges(term: Term) -> bool:
    """Whether the term starts or ends with a stop word, allowed only as part of a compound."""
    words = _words(term)
    return len(words) > 1 and (_stop(words[0]) or _stop(words[-1]))


def _joined(term: Term, written: str) -> bool:
    """Whether the form most written starts or ends a compound with each stop word at an edge:
    "on-policy distillation" does, "on policy" and "of-the" (of "state-of-the-art") do not."""
    words = _words(term)
    first, last = words[0], words[-1]
    start = not _stop(first) or (
        written[:1] not in _COMPOUND and written[len(first) : len(first) + 1] in _COMPOUND
    )
    end = not _stop(last) or (
        written[-1:] not in _COMPOUND and written[-len(last) - 1 : -len(last)] in _COMPOUND
    )
    return start and end


def _maximal(candidates: set[Term], holders: dict[Term, set[int]]) -> set[Term]:
    """The candidates but those a longer candidate holding them covers nearly all papers of."""
    longer: dict[Term, list[Term]] = defaultdict(list)
    for term in candidates:
        words = _words(term)
        for size in range(1, len(words)):
            for start in range(len(words) - size + 1):
                part = words[start : start + size]
                longer[part[0] if size == 1 else part].append(term)
    return {
        term
        for term in candidates
        if not any(
            len(holders[term] & holders[whole]) >= MAXIMAL_COVER * len(holders[term])
            for whole in longer.get(term, ())
        )
    }


def _most_written(term: Term, texts: list[str], papers: list[Paper]) -> str:
    """The term as its papers write it most: "test-time scaling" or "test time scaling", with
    a hyphen before or after where it is part of a longer compound ("-of-the-")."""
    words = _words(term)
    joint = rf"(?:\s+|[{_JOINS}])"
    # With the hyphen before and after, if any, but no part of a word outside the term.
    pattern = re.compile(
        rf"(?:(?<=\w)[{_JOINS}])?(?<!\w)"
        + joint.join(map(re.escape, words))
        + rf"(?!\w)(?:[{_JOINS}](?=\w))?"
    )
    written: Counter[str] = Counter()
    for text, paper in zip(texts, papers, strict=True):
        forms = {" ".join(found.split()) for found in pattern.findall(text)}
        for keyword in paper.ai_keywords:
            keyword = " ".join(keyword.lower().split())
            if pattern.fullmatch(keyword):
                forms.add(keyword)
        written.update(forms)
    if not written:
        return " ".join(words)
    return min(written.items(), key=lambda item: (-item[1], item[0]))[0]


def _cased(form: str, papers: list[Paper]) -> str:
    """The form with its letters as abstracts write it mid-sentence most: "OPD", "Claude"."""
    pattern = re.compile(
        r"(?<!\w)" + r"\s+".join(map(re.escape, form.split())) + r"(?!\w)", re.IGNORECASE
    )
    cased: Counter[str] = Counter()
    for paper in papers:
        for found in pattern.finditer(paper.abstract):
            # A sentence's first word is capitalised whatever it is: not counted.
            if paper.abstract[: found.start()].rstrip()[-1:] not in ("", ".", "!", "?", ":"):
                cased[" ".join(found[0].split())] += 1
    if not cased:
        return form
    return min(cased.items(), key=lambda item: (-item[1], item[0] != form, item[0]))[0]


# Periods: a month is "YYYY-MM", a quarter "YYYY-Qn", a week its Monday.


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"  # %Y gives "1", not "0001", on Linux


def _quarter(day: date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _mondays(first: date, last: date) -> Iterator[date]:
    while first <= last:
        yield first
        if first.toordinal() + 7 > date.max.toordinal():
            return  # the week after 9999-12-27 does not exist
        first += timedelta(days=7)


def _days_after(day: date, count: int) -> date:
    """The day count days later (earlier when negative), kept within the dates there are."""
    ordinal = min(max(day.toordinal() + count, 1), date.max.toordinal())
    return date.fromordinal(ordinal)


def _month_add(month: str, count: int) -> str:
    number = int(month[:4]) * 12 + int(month[5:]) - 1 + count
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def _months(first: date, last: date) -> list[str]:
    months = [_month(first)]
    while months[-1] != _month(last):
        months.append(_month_add(months[-1], 1))
    return months


def _month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, calendar.monthrange(year, number)[1])  # also 9999-12


def _quarter_end(quarter: str) -> date:
    return _month_end(f"{quarter[:4]}-{int(quarter[-1]) * 3:02d}")


# Open data: data/trends/<dataset>.csv and .json, the same rows in both.

DATASETS = ("weekly", "topic-share", "organizations", "code-upvotes", "rising")
SHARE_DECIMALS = 4
RATIO_DECIMALS = 2
MEDIAN_DECIMALS = 1


@dataclass(frozen=True)
class _Table:
    description: str
    columns: tuple[tuple[str, int | None], ...]  # name, and decimals for a float column
    rows: list[tuple[Any, ...]]
    about: dict[str, Any]  # what the JSON says beside its rows


def iter_trends_data(trends: Trends) -> Iterator[tuple[str, bytes]]:
    """(site path, bytes) of each trends dataset as CSV and as JSON, under data/trends/."""
    about = {
        "newest_fetch": _iso(trends.newest_fetch),
        "provisional_from": _iso(trends.provisional_from),
    }
    for name, table in zip(DATASETS, _tables(trends), strict=True):
        yield urls.trends_data(name, "csv"), _csv(table)
        yield urls.trends_data(name, "json"), _json(table, about)


def _tables(trends: Trends) -> list[_Table]:
    share, ratio, median = SHARE_DECIMALS, RATIO_DECIMALS, MEDIAN_DECIMALS
    rising = trends.rising
    return [
        _Table(
            "Papers first listed in each ISO week (week: its Monday).",
            (("week", None), ("iso_week", None), ("papers", None), ("provisional", None)),
            [
                (w.week.isoformat(), urls.week_key(w.week), w.papers, w.provisional)
                for w in trends.weeks
            ],
            {},
        ),
        _Table(
            "Each topic's share of the papers first listed in each month.",
            (
                ("month", None),
                ("topic", None),
                ("topic_name", None),
                ("papers", None),
                ("month_papers", None),
                ("share", share),
                ("provisional", None),
            ),
            [
                (t.month, t.topic, t.name, t.papers, t.total, t.share, t.provisional)
                for t in trends.topic_shares
            ],
            {},
        ),
        _Table(
            f"The top {TOP_ORGANIZATIONS} organizations of each quarter by papers first listed.",
            (
                ("quarter", None),
                ("rank", None),
                ("organization", None),
                ("organization_name", None),
                ("papers", None),
                ("provisional", None),
            ),
            [
                (o.quarter, o.rank, o.handle, o.name, o.papers, o.provisional)
                for o in trends.organizations
            ],
            {},
        ),
        _Table(
            "Each month's papers: the share linking a GitHub repository, and median upvotes.",
            (
                ("month", None),
                ("papers", None),
                ("with_code", None),
                ("code_share", share),
                ("median_upvotes", median),
                ("provisional", None),
            ),
            [
                (c.month, c.papers, c.with_code, c.code_share, c.median_upvotes, c.provisional)
                for c in trends.code
            ],
            {},
        ),
        _Table(
            f"Words and phrases whose share of the newest month's papers rose most against "
            f"the {RISING_BEFORE_MONTHS} months before.",
            (
                ("month", None),
                ("rank", None),
                ("term", None),
                ("words", None),
                ("papers", None),
                ("share", share),
                ("papers_before", None),
                ("share_before", share),
                ("ratio", ratio),
                ("provisional", None),
            ),
            [
                (
                    rising.month,
                    rank,
                    r.term,
                    r.words,
                    r.papers,
                    r.share,
                    r.papers_before,
                    r.share_before,
                    r.ratio,
                    rising.provisional,
                )
                for rank, r in enumerate(rising.terms, 1)
            ]
            if rising
            else [],
            {
                "month": rising.month if rising else None,
                "month_papers": rising.papers if rising else 0,
                "before_from": rising.before_from if rising else None,
                "before_papers": rising.papers_before if rising else 0,
            },
        ),
    ]


def _csv(table: _Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(name for name, _ in table.columns)
    for row in table.rows:
        writer.writerow(
            _cell(value, decimals) for value, (_, decimals) in zip(row, table.columns, strict=True)
        )
    return out.getvalue().encode("utf-8")


def _cell(value: Any, decimals: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if decimals is not None:
        return f"{value:.{decimals}f}"
    text = str(value)
    # Organization names and terms come from the API: a spreadsheet would run "=HYPERLINK(..."
    # as a formula, so such a cell starts with an apostrophe (OWASP's CSV injection advice).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _json(table: _Table, about: dict[str, Any]) -> bytes:
    rows = [
        {
            name: round(value, decimals) if decimals is not None and value is not None else value
            for value, (name, decimals) in zip(row, table.columns, strict=True)
        }
        for row in table.rows
    ]
    record = {**about, **table.about, "description": table.description, "rows": rows}
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
