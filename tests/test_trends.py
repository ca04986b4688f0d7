"""generator/trends.py: the numbers behind /trends/, and the same as CSV and JSON open data."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import trends as trends_module
from generator import urls
from generator.archive import Archive, load_archive
from generator.importer import import_dir
from generator.models import REFRESH_DAYS, linkable
from generator.topics import keyword_form
from generator.trends import (
    DATASETS,
    FUNCTION_WORDS,
    RISING_BEFORE_MONTHS,
    RISING_PRIOR_SHARE,
    STOP_WORDS,
    TOP_ORGANIZATIONS,
    Trends,
    iter_trends_data,
    trends_of,
)
from tests.helpers import TOPICS, api_item, write_files, write_response

ROOT = Path(__file__).resolve().parent.parent
BOILERPLATE = "In this paper, we propose a state-of-the-art method, and we show that it works."
NEVER = {
    "the",
    "of the",
    "we",
    "we propose",
    "in this paper",
    "state of the art",
    "state-of-the-art",
}


def _item(
    paper_id: str,
    title: str,
    abstract: str,
    upvotes: int = 1,
    keywords: tuple[str, ...] = (),
    org: tuple[str, str] | None = None,
    github: str | None = None,
) -> dict[str, Any]:
    """One daily_papers item in the API's shape."""
    fields: dict[str, Any] = {"title": title, "summary": abstract}
    if keywords:
        fields["ai_keywords"] = list(keywords)
    if org:
        fields["organization"] = {"name": org[0], "fullname": org[1]}
    if github:
        fields["githubRepo"] = github
    return api_item(paper_id, upvotes, **fields)


def _content(
    root: Path,
    days: dict[str, list[dict[str, Any]]],
    files: dict[str, str] | None = None,
    fetched: date | None = None,
) -> Path:
    """A content folder imported from recorded responses, with topics and corrections."""
    content = root / "content"
    for day, items in days.items():
        import_dir(write_response(root / "src" / day, day, items).parent, content, fetched)
    write_files(content, {"topics.yml": TOPICS, **(files or {})})
    return content


def _rising_days(keywords: bool = True) -> dict[str, list[dict[str, Any]]]:
    """June 2025 against the year before: "test-time scaling" and "speculative decoding" rise,
    while every June abstract also says "in this paper, we propose" and "state-of-the-art"."""

    def kw(*words: str) -> tuple[str, ...]:
        return words if keywords else ()

    june = [
        _item(
            "2506.00001",
            "Test-Time Scaling for Agents",
            f"{BOILERPLATE} Test-time scaling helps agents plan.",
            40,
            kw("test-time scaling", "we propose", "the", "state-of-the-art"),
            ("zeta-lab", "Zeta Lab"),
            "https://github.com/a/one",
        ),
        _item(
            "2506.00002",
            "Budgets and test-time scaling",
            f"{BOILERPLATE} We study test-time scaling of reasoning models with speculative "
            "decoding.",
            12,
            kw("test-time scaling", "reasoning models"),
        ),
        _item(
            "2506.00003",
            "Verifiers",
            f"{BOILERPLATE} Verifiers make test-time scaling cheaper for an agent.",
            7,
            kw("test-time scaling", "verifiers"),
        ),
        _item(
            "2506.00004",
            "Search at inference",
            f"{BOILERPLATE} Tree search is a form of test-time scaling.",
            3,
            kw("test-time scaling", "tree search"),
        ),
        _item(
            "2506.00005",
            "Long chains",
            f"{BOILERPLATE} Longer chains are test time scaling too.",
            2,
        ),
        _item("2506.00006", "Wrong title", f"{BOILERPLATE} Proofs with a solver.", 1),
        # Hidden below, though it would count: a duplicate.
        _item("2506.00007", "Test-Time Scaling again", f"{BOILERPLATE} Test-time scaling.", 9),
        _item(
            "2506.00008",
            "Draft models",
            f"{BOILERPLATE} Speculative decoding with draft models.",
            5,
            kw("speculative decoding", "time scaling"),
            github="javascript:alert(1)",  # not a link: no code
        ),
        _item(
            "2506.00009",
            "Fast decoding",
            f"{BOILERPLATE} Speculative decoding for long outputs.",
            4,
            kw("speculative decoding"),
        ),
        _item("2506.00010", "Drafts", f"{BOILERPLATE} Speculative decoding on phones.", 6),
        _item("2506.00011", "Trees", f"{BOILERPLATE} Speculative decoding with trees.", 8),
    ]
    kernels = [
        _item(
            f"24{month:02d}.{number:05d}",
            f"Graph kernels {number}",
            "Graph kernels for molecules. Large language models read molecules.",
            number,
            kw("graph kernels", "test time") if number == 1 else kw("graph kernels"),
        )
        for month, numbers in ((7, range(1, 8)), (10, range(8, 15)))
        for number in numbers
    ]
    once = _item("2407.00099", "Scaling", "Test-time scaling of graph kernels.", 2, kw("scaling"))
    before_2025 = [
        _item(f"2501.{n:05d}", f"Agents {n}", "An agent for molecules.", n, kw("agents"))
        for n in range(1, 5)
    ]
    return {
        # Older than the twelve months before June 2025: not compared with.
        "2024-05-20": [_item("2405.00001", "Old", "Test-time scaling, early.", 1)],
        "2024-07-15": [*kernels[:7], once],
        "2024-10-07": kernels[7:],
        "2025-01-13": before_2025,
        # Listed again in June: counted on its first list day, in May, with its newest values.
        "2025-05-30": [_item("2505.00001", "Tables", "Table parsing.", 1)],
        "2025-06-02": [*june[:6], _item("2505.00001", "Tables", "Table parsing.", 30)],
        "2025-06-03": june[6:9],
        "2025-06-16": june[9:],
    }


CORRECTIONS = {
    "corrections/2506.00007.yaml": 'id: "2506.00007"\nreason: "duplicate"\nhide: true\n',
    "corrections/2506.00006.yaml": (
        'id: "2506.00006"\nreason: "typo"\nset:\n  title: "Test-Time Scaling for Proofs"\n'
        '  github: "https://github.com/b/two"\n'
        '  organization: "alpha"\n  organization_name: "Alpha"\n'
    ),
}


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    """The June 2025 fixture, fetched on 2025-06-20."""
    return load_archive(_content(tmp_path, _rising_days(), CORRECTIONS, date(2025, 6, 20)))


def _term(trends: Trends, words: str) -> Any:
    assert trends.rising is not None
    (found,) = [term for term in trends.rising.terms if term.words == words]
    return found


# Rising this month


def test_a_planted_phrase_rises_with_its_numbers(archive: Archive) -> None:
    trends = trends_of(archive)
    rising = trends.rising
    assert rising is not None
    assert (rising.month, rising.before_from) == ("2025-06", "2024-06")
    # June: ten papers (one hidden); the twelve months before: 20 (May's paper among them,
    # though listed again in June; May 2024's paper is older and left out).
    assert (rising.papers, rising.papers_before) == (10, 20)
    scaling = _term(trends, "test time scaling")
    # Five papers say it (one "test time scaling", unhyphenated), and the corrected title
    # a sixth; the hidden paper is not counted. Before: one of 20.
    assert scaling.term == "test-time scaling"
    assert (scaling.papers, scaling.papers_before) == (6, 1)
    assert scaling.share == pytest.approx(0.6) and scaling.share_before == pytest.approx(0.05)
    prior = RISING_PRIOR_SHARE
    assert scaling.ratio == pytest.approx((0.6 + prior) / (0.05 + prior))
    decoding = _term(trends, "speculative decoding")
    assert (decoding.term, decoding.papers, decoding.papers_before) == (
        "speculative decoding",
        5,
        0,
    )
    assert decoding.ratio == pytest.approx((0.5 + prior) / prior)
    # Highest ratio first.
    ratios = [term.ratio for term in rising.terms]
    assert ratios == sorted(ratios, reverse=True) and rising.terms[0] == decoding


@pytest.mark.parametrize("keywords", [True, False], ids=["keywords", "text-only"])
def test_the_maximal_phrase_wins_and_stop_words_never_appear(
    tmp_path: Path, keywords: bool
) -> None:
    content = _content(tmp_path, _rising_days(keywords), CORRECTIONS, date(2025, 6, 20))
    rising = trends_of(load_archive(content)).rising
    assert rising is not None
    words = {term.words for term in rising.terms}
    assert "test time scaling" in words
    # "time scaling", "test time" and their words are in no June paper without the whole.
    assert not words & {"time scaling", "test time", "time", "test", "scaling"}
    shown = {term.term.lower() for term in rising.terms}
    assert not (words | shown) & NEVER
    for term in rising.terms:
        _names_a_thing(term)
        assert term.papers >= 5 and term.ratio > 1


def test_without_the_maximal_rule_the_pieces_would_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rule, not the stop list or the keywords, keeps out "time scaling" and "test time".
    monkeypatch.setattr(trends_module, "MAXIMAL_COVER", 1.01)
    content = _content(tmp_path, _rising_days(), CORRECTIONS, date(2025, 6, 20))
    rising = trends_of(load_archive(content)).rising
    assert rising is not None
    assert {"time scaling", "test time"} <= {term.words for term in rising.terms}


def _names_a_thing(term: Any) -> None:
    """No stop word at an edge of the term, but as part of a hyphenated compound."""
    words = term.words.split()
    assert not {term.words, term.term.lower()} & NEVER
    assert re.sub(r"[-/\u2010\u2011\s]+", " ", term.term.lower()) == term.words
    if len(words) == 1:
        assert words[0] not in STOP_WORDS, term
        return
    first, last = words[0], words[-1]
    for edge, joint in ((first, term.term[len(first)]), (last, term.term[-len(last) - 1])):
        if edge in STOP_WORDS:
            assert edge in FUNCTION_WORDS and joint == "-", term


def test_a_stop_word_joined_by_a_hyphen_starts_a_term(tmp_path: Path) -> None:
    on_policy = [
        _item(f"2506.{n:05d}", f"Distillation {n}", f"We use on-policy distillation {n}.", n)
        for n in range(1, 7)
    ]
    spaced = [  # "on policy" spaced is prose ("depends on policy"), not the compound
        _item(f"2506.{n:05d}", f"Depends {n}", f"It depends on policy gradients {n}.", n)
        for n in range(7, 13)
    ]
    content = _content(tmp_path, {"2025-06-02": on_policy + spaced})
    rising = trends_of(load_archive(content)).rising
    assert rising is not None
    shown = {term.term for term in rising.terms}
    assert "on-policy distillation" in shown
    assert not {term for term in shown if term.startswith("on policy")}


def test_a_term_is_shown_as_abstracts_write_it_mid_sentence(tmp_path: Path) -> None:
    items = [
        _item(
            f"2506.{n:05d}",
            f"Paper {n}",
            f"Opd is short. We study OPD and the Claude Opus model {n}.",
            n,
            ("OPD", "Claude Opus"),
        )
        for n in range(1, 7)
    ]
    rising = trends_of(load_archive(_content(tmp_path, {"2025-06-02": items}))).rising
    assert rising is not None
    assert {term.term for term in rising.terms} >= {"OPD", "Claude Opus"}


# The other series


def test_weeks_months_quarters_count_each_paper_once_on_its_first_day(archive: Archive) -> None:
    trends = trends_of(archive)
    weeks = {week.week: week.papers for week in trends.weeks}
    assert min(weeks) == date(2024, 5, 20) and max(weeks) == date(2025, 6, 16)
    assert list(weeks) == [min(weeks) + timedelta(days=7 * n) for n in range(len(weeks))]
    assert weeks[date(2025, 5, 26)] == 1  # 2505.00001, first listed on Friday 30 May
    assert weeks[date(2025, 6, 2)] == 8  # 2506.00001-6, then 8 and 9: 7 is hidden
    assert weeks[date(2025, 6, 16)] == 2
    assert weeks[date(2024, 6, 3)] == 0  # a week without papers between others
    assert sum(weeks.values()) == len(archive.papers) == 1 + 15 + 4 + 1 + 10

    code = {month.month: month for month in trends.code}
    assert list(code) == [f"{2024 + (4 + n) // 12}-{(4 + n) % 12 + 1:02d}" for n in range(14)]
    june = code["2025-06"]
    # Two links: 2506.00001's and the corrected one of 2506.00006; "javascript:" is none.
    assert (june.papers, june.with_code, june.code_share) == (10, 2, 0.2)
    assert june.median_upvotes == statistics.median([40, 12, 7, 3, 2, 1, 5, 4, 6, 8])
    # 2505.00001 counts in May, with its newest upvotes (30, from its June listing).
    assert (code["2025-05"].papers, code["2025-05"].median_upvotes) == (1, 30.0)
    assert (code["2024-06"].papers, code["2024-06"].median_upvotes) == (0, None)

    shares = {(share.month, share.topic): share for share in trends.topic_shares}
    assert [topic.slug for topic in archive.topics] == ["agents", "robotics"]
    assert len(shares) == 14 * 2
    agents = shares["2025-06", "agents"]
    assert (agents.papers, agents.total, agents.share) == (2, 10, 0.2)  # "Agents" in two
    assert shares["2025-01", "agents"].share == 1.0
    assert shares["2024-06", "agents"].share == 0.0

    orgs = [(o.quarter, o.rank, o.handle, o.name, o.papers) for o in trends.organizations]
    # The correction's organization counts; papers without one do not.
    assert orgs == [("2025-Q2", 1, "alpha", "Alpha", 1), ("2025-Q2", 2, "zeta-lab", "Zeta Lab", 1)]


def test_top_organizations_per_quarter_by_papers_then_handle(tmp_path: Path) -> None:
    handles = {"zeta": 3, "alpha": 2, "beta": 2, **{f"org{n}": 1 for n in range(1, 8)}}
    items = [
        _item(f"2501.{n:05d}", "T", "A.", org=(handle, handle.title()))
        for n, handle in enumerate(
            [handle for handle, count in handles.items() for _ in range(count)], 1
        )
    ]
    items.append(_item("2501.00099", "T", "A."))  # no organization: not counted
    trends = trends_of(load_archive(_content(tmp_path, {"2025-01-13": items})))
    assert [(o.rank, o.handle, o.papers) for o in trends.organizations] == [
        (1, "zeta", 3),
        (2, "alpha", 2),
        (3, "beta", 2),
        *((n + 3, f"org{n}", 1) for n in range(1, TOP_ORGANIZATIONS - 2)),
    ]
    assert {o.quarter for o in trends.organizations} == {"2025-Q1"}


def test_periods_within_the_refresh_days_of_the_newest_fetch_are_provisional(
    archive: Archive,
) -> None:
    trends = trends_of(archive)
    since = date(2025, 6, 20) - timedelta(days=REFRESH_DAYS)  # 6 June
    assert (trends.newest_fetch, trends.provisional_from) == (date(2025, 6, 20), since)
    late = {week.week for week in trends.weeks if week.provisional}
    assert late == {date(2025, 6, 2), date(2025, 6, 9), date(2025, 6, 16)}  # 8 June >= 6 June
    assert [m.month for m in trends.code if m.provisional] == ["2025-06"]
    assert {s.month for s in trends.topic_shares if s.provisional} == {"2025-06"}
    assert {o.quarter for o in trends.organizations if o.provisional} == {"2025-Q2"}
    assert trends.rising is not None and trends.rising.provisional


def test_without_a_fetch_date_the_newest_list_day_decides(tmp_path: Path) -> None:
    trends = trends_of(load_archive(_content(tmp_path, _rising_days(), CORRECTIONS)))
    assert trends.newest_fetch == date(2025, 6, 16)
    # From 2 June: the week of 26 May ends on 1 June, 15 days before the newest list day.
    assert [week.week for week in trends.weeks if week.provisional] == [
        date(2025, 6, 2),
        date(2025, 6, 9),
        date(2025, 6, 16),
    ]
    assert [m.month for m in trends.code if m.provisional] == ["2025-06"]


def test_an_archive_without_papers_has_empty_series(tmp_path: Path) -> None:
    trends = trends_of(load_archive(_content(tmp_path, {"2025-06-07": []})))
    assert trends == Trends(date(2025, 6, 7), date(2025, 5, 24), (), (), (), (), None)
    files = dict(iter_trends_data(trends))
    assert len(files) == 2 * len(DATASETS)
    assert files[urls.trends_data("weekly", "csv")] == b"week,iso_week,papers,provisional\n"


# Open data


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_csv_and_json_hold_the_numbers_in_fixed_form(archive: Archive) -> None:
    trends = trends_of(archive)
    files = dict(iter_trends_data(trends))
    assert list(files) == [
        urls.trends_data(name, fmt) for name in DATASETS for fmt in ("csv", "json")
    ]
    assert all(path.startswith(urls.TRENDS_DATA) for path in files)
    for path, data in files.items():
        text = data.decode("utf-8")
        assert "\r" not in text and text.endswith("\n")
        if path.endswith(".json"):  # sorted keys, compact: the one form of these numbers
            record = json.loads(text)
            assert json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n" == text
            assert record["newest_fetch"] == "2025-06-20"
            assert record["provisional_from"] == "2025-06-06"

    def both(name: str) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
        table = _csv_rows(files[urls.trends_data(name, "csv")])
        record = json.loads(files[urls.trends_data(name, "json")])
        assert [set(row) for row in record["rows"]] == [set(row) for row in table]
        return table, record["rows"]

    table, rows = both("weekly")
    assert len(table) == len(trends.weeks)
    for week, cells, row in zip(trends.weeks, table, rows, strict=True):
        assert cells == {
            "week": week.week.isoformat(),
            "iso_week": urls.week_key(week.week),
            "papers": str(week.papers),
            "provisional": "true" if week.provisional else "false",
        }
        assert row == {**cells, "papers": week.papers, "provisional": week.provisional}

    table, rows = both("topic-share")
    for share, cells, row in zip(trends.topic_shares, table, rows, strict=True):
        assert cells["share"] == f"{share.share:.4f}" and row["share"] == round(share.share, 4)
        assert (cells["month"], cells["topic"], cells["topic_name"]) == (
            share.month,
            share.topic,
            share.name,
        )
        assert (row["papers"], row["month_papers"]) == (share.papers, share.total)

    table, rows = both("organizations")
    assert [
        (c["quarter"], c["rank"], c["organization"], c["organization_name"]) for c in table
    ] == [(o.quarter, str(o.rank), o.handle, o.name) for o in trends.organizations]
    assert [row["papers"] for row in rows] == [o.papers for o in trends.organizations]

    table, rows = both("code-upvotes")
    june = table[-1]
    assert june == {
        "month": "2025-06",
        "papers": "10",
        "with_code": "2",
        "code_share": "0.2000",
        "median_upvotes": "5.5",
        "provisional": "true",
    }
    assert rows[-1]["code_share"] == 0.2 and rows[-1]["median_upvotes"] == 5.5
    assert table[1]["median_upvotes"] == "" and rows[1]["median_upvotes"] is None

    table, rows = both("rising")
    assert trends.rising is not None
    assert [(c["rank"], c["term"], c["words"]) for c in table] == [
        (str(n), t.term, t.words) for n, t in enumerate(trends.rising.terms, 1)
    ]
    scaling = next(c for c in table if c["words"] == "test time scaling")
    assert scaling | {"rank": ""} == {
        "month": "2025-06",
        "rank": "",
        "term": "test-time scaling",
        "words": "test time scaling",
        "papers": "6",
        "share": "0.6000",
        "papers_before": "1",
        "share_before": "0.0500",
        "ratio": f"{0.605 / 0.055:.2f}",
        "provisional": "true",
    }
    record = json.loads(files[urls.trends_data("rising", "json")])
    assert (record["month"], record["month_papers"]) == ("2025-06", 10)
    assert (record["before_from"], record["before_papers"]) == ("2024-06", 20)


def test_two_runs_give_the_same_bytes(tmp_path: Path) -> None:
    days = _rising_days()
    runs = [
        dict(
            iter_trends_data(
                trends_of(load_archive(_content(tmp_path / str(n), days, CORRECTIONS)))
            )
        )
        for n in range(2)
    ]
    assert runs[0] == runs[1]


def test_csv_cells_cannot_become_spreadsheet_formulas(tmp_path: Path) -> None:
    names = ['=HYPERLINK("https://evil.example","x")', "+1", "-1", "@SUM(A1)", "Fine"]
    items = [
        _item(f"2501.{n:05d}", "T", "A.", org=(f"org{n}", name)) for n, name in enumerate(names, 1)
    ]
    files = dict(
        iter_trends_data(trends_of(load_archive(_content(tmp_path, {"2025-01-13": items}))))
    )
    shown = [
        row["organization_name"]
        for row in _csv_rows(files[urls.trends_data("organizations", "csv")])
    ]
    assert sorted(shown) == sorted(["'" + name for name in names[:4]] + ["Fine"])
    # JSON is data, not a sheet: the names as they are.
    rows = json.loads(files[urls.trends_data("organizations", "json")])["rows"]
    assert sorted(row["organization_name"] for row in rows) == sorted(names)


# The real corpus, recomputed the plain way from its day files


@pytest.fixture(scope="module")
def corpus(imported: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The imported corpus with the repository's topics.yml."""
    content = tmp_path_factory.mktemp("trends") / "content"
    shutil.copytree(imported, content)
    shutil.copy(ROOT / "content" / "topics.yml", content / "topics.yml")
    return content


def _plain_words(text: str) -> list[list[str]]:
    """Text as runs of words between punctuation: hyphens and slashes join, math is none."""
    text = re.sub(r"\$[^$]*\$|https?://\S+|www\.\S+", ".", text.lower())
    text = re.sub(r"[-/\u2010\u2011]", " ", text)
    return [run.split() for run in re.split(r"[^\w\s]", text)]


def _holds(runs: list[list[str]], words: list[str]) -> bool:
    size = len(words)
    return size <= 3 and any(
        run[start : start + size] == words for run in runs for start in range(len(run))
    )


def test_the_corpus_series_match_a_plain_recount(corpus: Path) -> None:
    first: dict[str, date] = {}
    latest: dict[str, dict[str, Any]] = {}
    newest_fetch = None
    for path in sorted((corpus / "papers").glob("*/*/*.yaml")):
        day = yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)
        if day.get("fetched"):
            newest_fetch = max(filter(None, [newest_fetch, day["fetched"]]))
        for paper in day.get("papers") or []:
            first.setdefault(paper["id"], day["date"])
            latest[paper["id"]] = paper
    assert not (corpus / "corrections").exists() or not any((corpus / "corrections").iterdir())
    archive = load_archive(corpus)
    trends = trends_of(archive)
    assert trends.newest_fetch == (newest_fetch or max(first.values()))

    weekly = Counter(day - timedelta(days=day.weekday()) for day in first.values())
    assert {w.week: w.papers for w in trends.weeks if w.papers} == dict(weekly)
    assert sum(w.papers for w in trends.weeks) == len(first)

    by_month: dict[str, list[str]] = defaultdict(list)
    for paper_id, day in first.items():
        by_month[f"{day:%Y-%m}"].append(paper_id)
    for month in trends.code:
        ids = by_month.get(month.month, [])
        assert month.papers == len(ids)
        assert month.with_code == sum(1 for i in ids if linkable(latest[i].get("github")))
        upvotes = [latest[i]["upvotes"] for i in ids]
        assert month.median_upvotes == (statistics.median(upvotes) if ids else None)

    topics = archive.paper_topics  # which topics a paper has is topics.py's to say
    assert len(archive.topics) == 15
    for share in trends.topic_shares:
        ids = by_month.get(share.month, [])
        inside = sum(1 for i in ids if share.topic in topics[i])
        assert (share.papers, share.total) == (inside, len(ids))

    quarters: dict[str, Counter[str]] = defaultdict(Counter)
    for paper_id, day in first.items():
        if latest[paper_id].get("organization"):
            quarters[f"{day.year}-Q{(day.month + 2) // 3}"][latest[paper_id]["organization"]] += 1
    expected = []
    for quarter in sorted(quarters):
        ranked = sorted(quarters[quarter].items(), key=lambda item: (-item[1], item[0]))
        expected += [(quarter, h, n) for h, n in ranked[:TOP_ORGANIZATIONS]]
    assert [(o.quarter, o.handle, o.papers) for o in trends.organizations] == expected

    # Rising: each term's papers counted again, by title and abstract words or AI keywords.
    rising = trends.rising
    assert rising is not None and len(rising.terms) == 15
    month = max(by_month)
    before_from = f"{int(month[:4]) - 1}-{month[5:]}"
    assert (rising.month, rising.before_from) == (month, before_from)
    assert RISING_BEFORE_MONTHS == 12
    now = by_month[month]
    before = [i for m, ids in by_month.items() if before_from <= m < month for i in ids]
    assert (rising.papers, rising.papers_before) == (len(now), len(before))

    def holding(ids: list[str], words: list[str]) -> int:
        count = 0
        for paper_id in ids:
            paper = latest[paper_id]
            runs = _plain_words(paper["title"]) + _plain_words(paper.get("abstract", ""))
            keywords = {keyword_form(k) for k in paper.get("ai_keywords", [])}
            count += _holds(runs, words) or " ".join(words) in keywords
        return count

    for term in rising.terms:
        words = term.words.split()
        _names_a_thing(term)
        assert (term.papers, term.papers_before) == (holding(now, words), holding(before, words))
        assert term.share == term.papers / len(now)
        assert term.share_before == term.papers_before / len(before)
        prior = RISING_PRIOR_SHARE
        assert term.ratio == (term.share + prior) / (term.share_before + prior) > 1
    ratios = [term.ratio for term in rising.terms]
    assert ratios == sorted(ratios, reverse=True)
