"""generator/citations.py: BibTeX that bibtexparser reads back, unique keys, COinS on pages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import bibtexparser
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import citations, urls
from generator.archive import Archive, load_archive
from generator.build import build_site
from generator.citations import (
    COINS_AUTHORS,
    bibtex,
    cite_key,
    coins,
    day_bib,
    latex_text,
    unique_keys,
    year,
)
from generator.data import iter_data
from generator.models import Arxiv, Paper, clean_text
from tests.helpers import fixture_content

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ["title", "author", "year", "eprint", "archivePrefix", "url"]  # no arXiv data: no class


# The inverse of what citations.py adds, kept simple: the protecting braces, the escapes.
_UNESCAPE = {
    r"\textbackslash{}": "\\",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    **{"\\" + char: char for char in "&%$#_"},
}
# Kept math first: it is as written, its own \% or \{ included. Text's $ is always \$.
_ESCAPED = re.compile(r"(?<!\\)\$[^$]+\$|\\text[a-z]+\{\}|\\[&%$#_]")


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda match: _UNESCAPE.get(match.group(), match.group()), text)


def _plain_title(field: str) -> str:
    """The title as content has it, from the field bibtexparser gives: "{...}"."""
    assert field.startswith("{") and field.endswith("}"), field
    return _unescape(field[1:-1].removeprefix("{}"))


def _plain_authors(field: str) -> list[str]:
    names = []
    for name in field.split(" and "):
        if "," in name:
            assert name.startswith("{") and name.endswith("}"), name
            name = name[1:-1]
        names.append(_unescape(re.sub(r"\{(and)\}", r"\1", name, flags=re.IGNORECASE)))
    return names


def _spaces(text: str) -> str:
    return " ".join(text.split())


def _check_bib(text: str, papers: tuple[Paper, ...] | list[Paper]) -> list[str]:
    """bibtexparser reads every paper back from the .bib text, in order; the keys."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [] and len(library.blocks) == len(papers)
    keys = [entry.key for entry in library.entries]
    assert len(set(keys)) == len(keys)
    for entry, paper in zip(library.entries, papers, strict=True):
        fields = entry.fields_dict
        assert entry.entry_type == "misc"
        assert fields["eprint"].value == paper.id, paper.id
        assert fields["url"].value == f"https://arxiv.org/abs/{paper.id}"
        assert fields["archivePrefix"].value == "arXiv"
        assert _plain_title(fields["title"].value) == _spaces(paper.title), paper.id
        authors = [_spaces(name) for name in paper.authors if name.strip()]
        if authors:
            assert _plain_authors(fields["author"].value) == authors, paper.id
        assert fields["year"].value == str(year(paper))
    return keys


# The fixture archive, built.


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Archive]:
    root = tmp_path_factory.mktemp("citations")
    content = fixture_content(root)
    build_site(content, root / "site", root / "build", ROOT / "mkdocs.yml")
    return root / "site", load_archive(content)


def test_every_bib_of_the_fixture_build_gives_back_its_papers(built: tuple[Path, Archive]) -> None:
    site, archive = built
    for day in archive.days:
        path = site / urls.day_bib(day.date)
        if not day.papers:
            assert not path.exists(), path  # an empty list day has no .bib
            continue
        text = path.read_text("utf-8")
        _check_bib(text, day.papers)
        assert "2506.00003" not in text  # hidden
    assert "Right title" in (site / "data/2025/06/12.bib").read_text("utf-8")  # corrected


def test_the_day_page_links_its_bib(built: tuple[Path, Archive]) -> None:
    site, archive = built
    for day in archive.listed_days:
        page = site / urls.day(day.date) / "index.html"
        links = {a.text_content(): a for a in lxml.html.fromstring(page.read_bytes()).iter("a")}
        bib = links["BibTeX"]
        assert bib.getparent() is links["JSON"].getparent()  # next to the JSON link
        assert (page.parent / bib.get("href")).resolve() == (site / urls.day_bib(day.date))
        assert bib.get("download") is not None


def _spans(page: Path) -> list[tuple[str, lxml.html.HtmlElement]]:
    """(paper id, COinS span) of each paper on a page, in order."""
    tree = lxml.html.fromstring(page.read_bytes())
    found = []
    for span in tree.find_class("Z3988"):
        assert span.tag == "span" and len(span) == 0 and not span.text, "an empty span"
        if span.getparent().tag == "section":  # a day page: the paper's own section
            found.append((span.getparent().get("id"), span))
        else:  # a list: the title's link just before it
            found.append((span.getprevious().get("href").split("#")[1], span))
    return found


def test_coins_on_every_paper_of_day_week_month_and_topic_pages(
    built: tuple[Path, Archive],
) -> None:
    site, archive = built
    pages = {site / urls.day(day.date) / "index.html": day.papers for day in archive.listed_days}
    pages |= {page: () for page in (site / "weeks").glob("*/index.html")}
    pages |= {site / "2025/06/index.html": (), site / "topics/agents/index.html": ()}
    pages |= {site / "topics/robotics/index.html": ()}
    checked = 0
    for page, papers in pages.items():
        spans = _spans(page)
        tree = lxml.html.fromstring(page.read_bytes())
        listed = tree.find_class("dpa-paper") or tree.find_class("dpa-list")[0]
        assert len(spans) == len(listed) > 0, page  # one span per paper
        shown = {paper.id: paper for paper in papers} or archive.papers
        for paper_id, span in spans:
            paper = shown[paper_id]
            kev = span.get("title")
            assert kev == coins(paper), (page, paper_id)  # the template's KEV is coins()'s
            fields = parse_qs(kev, strict_parsing=True)
            assert fields["rft.title"] == [paper.title]
            assert fields.get("rft.au", []) == list(paper.authors[:COINS_AUTHORS])
            assert fields["rft_id"] == [f"https://arxiv.org/abs/{paper_id}"]  # Zotero's URL
            assert fields["ctx_ver"] == ["Z39.88-2004"]
            assert fields["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:dc"]
            assert fields["rft.type"] == ["preprint"]
            assert fields["rft.date"] == [paper.published.isoformat()]  # type: ignore[union-attr]
            checked += 1
    assert checked > 10
    thirty = dict(_spans(site / "2025/06/10/index.html"))["2506.00004"]
    assert len(parse_qs(thirty.get("title"))["rft.au"]) == COINS_AUTHORS  # of 30 authors
    assert _spans(site / "index.html") == []  # the home page's lists repeat papers


# What a COinS attribute may hold as served: percent-encoded pairs joined by bare "&" (no
# character reference starts "&rft" or "&ctx"), nothing that could end the attribute or open a tag.
KEV_TEXT = r"[A-Za-z0-9_.~%+:/-]+=[A-Za-z0-9_.~%+:/-]*"
KEV = rf"{KEV_TEXT}(&(rft|ctx){KEV_TEXT})*"


def test_coins_attribute_is_escaped_text(built: tuple[Path, Archive]) -> None:
    site, _ = built
    html = (site / "2025/06/09/index.html").read_text("utf-8")  # the hostile title's day
    titles = re.findall(r'<span class="Z3988" title="([^"]*)"></span>', html)
    assert len(titles) == html.count("Z3988") > 1
    for title in titles:
        assert re.fullmatch(KEV, title), title
    assert "%3Cscript%3Ealert" in html and "<script>alert" not in html


# The whole corpus.


@pytest.fixture(scope="module")
def corpus(imported: Path) -> tuple[Archive, dict[str, bytes]]:
    archive = load_archive(imported)
    return archive, {path: data for path, data in iter_data(archive) if path.endswith(".bib")}


def test_every_bib_of_the_corpus_gives_back_its_papers(
    corpus: tuple[Archive, dict[str, bytes]],
) -> None:
    archive, bibs = corpus
    assert sorted(bibs) == sorted(urls.day_bib(day.date) for day in archive.listed_days)
    for day in archive.listed_days:
        keys = _check_bib(bibs[urls.day_bib(day.date)].decode("utf-8"), day.papers)
        assert all(re.fullmatch(r"[a-z][a-z0-9]*", key) for key in keys), keys


def test_coins_of_every_corpus_paper_decode(corpus: tuple[Archive, dict[str, bytes]]) -> None:
    archive, _ = corpus
    for paper in archive.papers.values():
        fields = parse_qs(coins(paper), strict_parsing=True)
        assert fields["rft.title"] == [paper.title]
        assert fields["rft.au"] == list(paper.authors[:COINS_AUTHORS])
        assert fields["rft_id"] == [f"https://arxiv.org/abs/{paper.id}"]


# Entries, titles, keys.


def _paper(title: str = "Attention Is All You Need", **fields: object) -> Paper:
    values: dict[str, object] = {
        "id": "2506.01234",
        "authors": ("Ashish Vaswani", "Noam Shazeer"),
        "published": date(2025, 6, 9),
    }
    values.update(fields)
    return Paper(title=title, **values)  # type: ignore[arg-type]


def test_an_entry_in_arxivs_shape() -> None:
    paper = _paper(arxiv=Arxiv(categories=("cs.CL", "cs.LG")))
    assert bibtex(paper) == (
        "@misc{vaswani2025attentionneed,\n"
        "  title={{Attention Is All You Need}},\n"
        "  author={Ashish Vaswani and Noam Shazeer},\n"
        "  year={2025},\n"
        "  eprint={2506.01234},\n"
        "  archivePrefix={arXiv},\n"
        "  primaryClass={cs.CL},\n"
        "  url={https://arxiv.org/abs/2506.01234},\n"
        "}\n"
    )
    primary = _paper(arxiv=Arxiv(primary_category="cs.LG", categories=("cs.CL", "cs.LG")))
    assert "primaryClass={cs.LG}" in bibtex(primary)
    assert "primaryClass" not in bibtex(_paper())  # not known without arXiv's data
    assert "author" not in bibtex(_paper(authors=()))


TRICKY = [
    "$\\mathcal{O}(n^2)$ Attention for $k$-NN in $\\mathbb{R}^d$",
    "Crème Brûlée, Ünïcode and 日本語: ΑΒΓ",
    "{BERT} and {GPT}-4 in braces",
    "Q&A at 50% of $5 and $10 with snake_case #1",
    "a lone } brace",
    "a lone { brace",
    "@misc{x, title={pwned}}, @misc{y,",
    "\\& \\input{/etc/passwd} $\\input{x}$ $\\}$ $a}{b$ ~^",
    "\\$OneMillion-Bench starts with a backslash",
    "Back to Repair: A Minimal Denoising Network\\ for Time Series",
    "$50%$ and $x#y$ and $a&b$ are text, $\\{x\\}$ is math",
    "Ends with a backslash \\",
    "trailing $",
    "G^2RPO and SL^{2}A-INR",
    "line\nbreak and   spaces\tand\n\nparagraphs",
    "Leak $x^^5cinput^^7b/etc/passwd^^7d$ by TeX's own escapes",
    "A title holding $eprint={2506.00001}$",
]


@pytest.mark.parametrize("title", TRICKY)
def test_tricky_titles_round_trip(title: str) -> None:
    _check_bib(bibtex(_paper(title)), [_paper(title)])
    entry = bibtexparser.parse_string(bibtex(_paper(title))).entries[0]
    assert [field.key for field in entry.fields] == FIELDS


def test_math_stays_math_only_when_plainly_safe() -> None:
    assert latex_text("$\\mathcal{O}(n^2)$ cost") == "$\\mathcal{O}(n^2)$ cost"
    assert latex_text("$\\{x\\}$") == "$\\{x\\}$"
    assert (
        latex_text("$\\input{x}$") == r"\$\textbackslash{}input\textbraceleft{}x\textbraceright{}\$"
    )
    assert latex_text("$50%$") == r"\$50\%\$"
    assert latex_text("$x^^5cinput$") == r"\$x\textasciicircum{}\textasciicircum{}5cinput\$"
    assert latex_text("$a}{b$") == r"\$a\textbraceright{}\textbraceleft{}b\$"
    assert latex_text("costs $5 and $10") == r"costs \$5 and \$10"  # Pandoc's rule: not math


HOSTILE_AUTHORS = (
    "and Lei Bai",
    "Ben AND Jerry",
    "Lovelace, Ada",
    "x}, title={pwned",
    "@misc{evil,",
    "back\\slash",
    "Jürgen Schmidhuber",
)


def test_hostile_text_never_leaves_its_field() -> None:
    papers = [
        _paper(title, id=f"2506.{number:05d}", authors=HOSTILE_AUTHORS)
        for number, title in enumerate(["}\n@misc{evil, title={x}}", "}}}},\n}\n@comment{", "\\"])
    ]
    text = day_bib(papers)
    assert text.count("\n@") == len(papers) - 1 and text.startswith("@misc{")
    _check_bib(text, papers)
    for entry in bibtexparser.parse_string(text).entries:
        assert [field.key for field in entry.fields] == FIELDS


NASTY = st.sampled_from(
    ["{", "}", "\\", "$", "$x$", "$\\alpha$", "%", "&", "#", "_", "~", "^", "@misc{", ",", " and ",
     "\n", '"', "=", "@", "{}", "\\}", "$}$", "é", "日本"]
)  # fmt: skip
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=8)), min_size=1, max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(title=TEXT, authors=st.lists(TEXT, max_size=4))
def test_any_text_round_trips(title: str, authors: list[str]) -> None:
    title = clean_text(title) or "t"  # as content holds text
    names = tuple(name for name in map(clean_text, authors) if name)
    papers = [_paper(title, authors=names), _paper(title, id="2506.01235", authors=names)]
    _check_bib(day_bib(papers), papers)
    kev = coins(papers[0])
    assert re.fullmatch(KEV, kev), kev  # safe to stand unescaped in the page's attribute
    fields = parse_qs(kev, strict_parsing=True)
    assert fields["rft.title"] == [title] and fields.get("rft.au", []) == list(names[:10])


def test_keys_like_arxivs() -> None:
    assert cite_key(_paper()) == "vaswani2025attentionneed"
    assert cite_key(_paper(authors=("Jürgen Schmidhuber",))) == "schmidhuber2025attentionneed"
    assert cite_key(_paper(authors=("Lovelace, Ada",))) == "lovelace2025attentionneed"
    assert cite_key(_paper(authors=("王伟",))) == "anon2025attentionneed"
    assert cite_key(_paper(authors=())) == "anon2025attentionneed"
    assert (
        cite_key(_paper("$\\mathcal{O}(n)$ Scaling of GPT-4: the End")) == "vaswani2025scalinggpt4"
    )
    # The year of the id when the arXiv date is not known.
    assert year(_paper(published=None)) == 2025
    assert year(_paper(id="hep-th/9901001", published=None)) == 1999
    assert year(_paper(id="math.GT/0309136", published=None)) == 2003


def test_keys_unique_within_a_file() -> None:
    same = [_paper(id=f"2506.0000{number}") for number in range(4)]
    natural = _paper("Attention Needa", id="2506.00009")  # its own key is the first suffix's
    keys = list(unique_keys([*same[:2], natural, *same[2:]]))
    assert keys == [
        "vaswani2025attentionneed",
        "vaswani2025attentionneeda",
        "vaswani2025attentionneedaa",  # "needa" was taken: its key gets a suffix too
        "vaswani2025attentionneedb",
        "vaswani2025attentionneedc",
    ]
    many = [_paper(id=f"2506.{number:05d}") for number in range(30)]
    keys = list(unique_keys(many))
    assert len(set(keys)) == 30 and keys[27] == "vaswani2025attentionneedaa"


def test_same_content_same_bytes(tmp_path: Path) -> None:
    first = dict(iter_data(load_archive(fixture_content(tmp_path / "a"))))
    second = dict(iter_data(load_archive(fixture_content(tmp_path / "b"))))
    bibs = [path for path in first if path.endswith(".bib")]
    assert bibs and all(first[path] == second[path] for path in bibs)
    papers = load_archive(tmp_path / "a" / "content").days[0].papers
    assert day_bib(papers) == day_bib(list(papers)) == first[bibs[0]].decode("utf-8")


def test_reader_js_keeps_the_same_math_allowlist() -> None:
    # reader.js builds BibTeX offline (the saved page) by the same rules: its copy of the
    # commands and symbols kept as math must be this module's, word for word.
    from generator.citations import _MATH_COMMANDS, _MATH_SYMBOLS

    script = (ROOT / "overrides" / "assets" / "reader.js").read_text("utf-8")
    commands = re.search(r"const COMMANDS = new Set\(`([^`]*)`", script)
    symbols = re.search(r'const SYMBOLS = new Set\(\[\.\.\."([^"]*)"\]', script)
    assert commands and symbols, "reader.js's lists were not found"
    assert set(commands.group(1).split()) == _MATH_COMMANDS
    assert {"\\" + char for char in symbols.group(1)} == _MATH_SYMBOLS


def test_coins_refuses_to_write_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    # pages.py puts coins() into the attribute unescaped: were its encoding ever to let a
    # quote or a bracket through, the build stops instead.
    monkeypatch.setattr(citations, "urlencode", lambda pairs, safe="": '"><script>x</script>')
    with pytest.raises(ValueError, match="not URL-safe"):
        coins(_paper())
