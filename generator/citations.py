"""Citations: BibTeX in arXiv's own @misc shape, a day's .bib file, COinS for Zotero.

BibTeX choices, each checked against bibtexparser (tests/test_citations.py) and BibTeX's rules:

- Titles are wrapped in a second pair of braces, `title={{...}}`, so every style prints them as
  written. Titles here are dense with names and acronyms (BERT, GPT-4, LoRA, Qwen, Gaussian,
  DeepSeek-R1) that no rule tells from ordinary words, and a sentence-case style (plain,
  plainnat, many biblatex styles) lowercases every unprotected one. arXiv's own export leaves
  them bare, and "Gpt-4" is what readers then get; bibtexparser hands the inner pair back, which
  is one pair to strip.
- Text is escaped: & % $ # _ as \\&..., ~ ^ \\ { } as \\textasciitilde{} and the like. A literal
  brace never becomes `\\{`: BibTeX counts every brace, escaped or not, so a title's lone `}`
  would close the field. The only braces in a field are ours and kept math's, always balanced;
  so no text can leave its field or start an entry, whatever `@`, `}`, `,` or newline it holds.
- `$...$` math (Pandoc's rule, as on the pages) stays math, as written, when its braces balance
  and it uses only ordinary math commands and no bare % # &; anything else is shown as text, so
  a title cannot make a reader's LaTeX run `\\input`, `\\write18` or `\\def`.
- Accents and other Unicode stay UTF-8, as biber, bibtexparser and BibTeX read it; pdfLaTeX
  typesets accents as is, and Greek or CJK letters with the packages any UTF-8 .bib needs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

from .models import Paper

# Pandoc's rule for inline math, as generator/mathml.py applies it to abstracts: `$` then a
# non-space, a non-space then `$` not followed by a digit, so "$200k" or "$1 Million" is text.
_MATH = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]{1,200}?)(?<=\S)\$(?![\d$])")
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
}
_TEXT_SPECIAL = re.compile(r"[\\{}~^&%$#_]")
# Inside math: a command, a control symbol, or a character math cannot hold unescaped.
_MATH_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\\$|[%#&]")
_MATH_SYMBOLS = frozenset(["\\" + char for char in ",;:! {}|%&#_$"])
_MATH_COMMANDS = frozenset(
    """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu
    xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta
    Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    mathcal mathbf mathbb mathrm mathit mathsf mathtt mathfrak mathscr boldsymbol bm
    text textbf textit textrm textsf texttt textsc emph operatorname
    frac dfrac tfrac sqrt sum prod int oint lim limsup liminf sup inf log ln exp sin cos tan
    min max arg det dim ker mod bmod pmod gcd Pr
    leq geq le ge neq ne ll gg approx sim simeq cong equiv propto times cdot div pm mp ast
    star circ bullet oplus otimes odot in notin ni subset subseteq supset supseteq cup cap
    setminus emptyset varnothing forall exists nabla partial infty ell hbar Re Im
    to rightarrow leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow mapsto
    longrightarrow longleftarrow uparrow downarrow
    ldots cdots dots vdots ddots hat tilde bar vec dot ddot widehat widetilde overline
    underline overrightarrow left right big Big bigl bigr Bigl Bigr langle rangle lfloor
    rfloor lceil rceil mid parallel perp top bot quad qquad prime vert Vert lvert rvert
    lVert rVert textstyle displaystyle scriptstyle""".split()
)
# Words a key passes over: arXiv's keys skip English function words the same way.
_STOPWORDS = frozenset(
    """a an the and or but nor of for to in on at by with from into onto over under via as
    is are was were be been being it its this that these those we our you your do does did
    can could should would will how what when where which who whom why all any not no vs
    than then so if towards toward through within without about after before between""".split()
)
KEY_WORDS = 2  # title words in a key (arXiv takes up to four): vaswani2017attentionneed
# COinS carries the first ten authors, all of them for 76% of the corpus's papers. On its 515
# day pages (16 papers on average, 52.9 KB, 15.7 KB gzipped) spans with ten authors added 8.0 KB,
# 1.7 KB gzipped (95th percentile 16.5 KB, 3.3 KB); with every author 9.1 KB, 2.0 KB (19.0 KB,
# 4.1 KB); with the first author alone 6.1 KB, 1.1 KB. Written as coins() now writes them they
# add 6.3 KB (95th percentile 13.2 KB). The .bib file has every author.
# _macros.html.j2 says 10 too: tests/test_citations.py compares its spans with coins().
COINS_AUTHORS = 10
_KEV_SAFE = re.compile(r"[A-Za-z0-9_.~%+:/=&-]*")  # what coins() may write
_AND = re.compile(r"(?<!\S)and(?!\S)", re.IGNORECASE)


def _spaces(text: str) -> str:
    """The text on one line, runs of whitespace as one space."""
    return " ".join(text.split())


def _escape_text(text: str) -> str:
    """Text with every character special to BibTeX or LaTeX written as a command."""
    return _TEXT_SPECIAL.sub(lambda match: _TEXT_ESCAPES[match.group()], text)


def _safe_math(latex: str) -> bool:
    """Whether math can go into a field as it is: balanced braces, ordinary commands only."""
    if "^^" in latex:
        return False  # TeX reads ^^5c as a backslash: \input written another way
    depth = 0
    for char in latex:  # BibTeX counts every brace, a `\{` too
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    for token in _MATH_TOKEN.findall(latex):
        if token in "%#&":
            return False  # a comment or an alignment tab in math: the title's text, not math
        if len(token) > 2 and token[1:] not in _MATH_COMMANDS:
            return False  # \input, \def, \write18, ... or a command this list does not know
        if len(token) <= 2 and token not in _MATH_SYMBOLS:
            return False  # \\ or a lone backslash
    return depth == 0


def latex_text(text: str) -> str:
    """Text from content as LaTeX for a BibTeX field: escaped, its safe `$...$` math kept."""
    text = _spaces(text)
    if "$" not in text:
        return _escape_text(text)
    parts, position = [], 0
    for match in _MATH.finditer(text):
        if not _safe_math(match.group(1)):
            continue  # shown as text with the rest
        parts.append(_escape_text(text[position : match.start()]))
        parts.append(match.group())
        position = match.end()
    parts.append(_escape_text(text[position:]))
    return "".join(parts)


def _title_field(title: str) -> str:
    """The title in a protecting pair of braces: every style prints it as written."""
    latex = latex_text(title)
    # A group starting with a backslash is a "special character" to BibTeX, whose case it
    # changes after all: an empty group first keeps the title's own group ordinary.
    return "{" + ("{}" if latex.startswith("\\") else "") + latex + "}"


def _author(name: str) -> str:
    """One name for an author list: escaped, a lone "and" braced, a name with a comma whole."""
    latex = _AND.sub(lambda match: "{" + match.group() + "}", _escape_text(_spaces(name)))
    # "Last, First" is BibTeX's own order; a comma in a name as given is not meant as that.
    return "{" + latex + "}" if "," in latex else latex


def _ascii_word(word: str) -> str:
    """The word in lower-case ASCII letters and digits: "Müller," -> "muller"."""
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    return "".join(char for char in folded.lower() if char.isalnum())


def year(paper: Paper) -> int | None:
    """The paper's year: its arXiv v1 date's, else its id's (2506.01234: 2025)."""
    if paper.published:
        return paper.published.year
    match = re.match(r"(?:[a-z.-]+(?:\.[A-Z]{2})?/)?(\d{2})(\d{2})", paper.id)
    if not match:
        return None
    yy = int(match.group(1))
    return (1900 if yy >= 91 else 2000) + yy  # arXiv began in August 1991


def cite_key(paper: Paper) -> str:
    """arXiv's kind of key: first author's last name, year, first significant title words."""
    first = paper.authors[0] if paper.authors else ""
    names = first.split(",")[0].split()  # "Ada Lovelace"; "Lovelace, Ada": before the comma
    last = _ascii_word(names[-1]) if names else ""
    title = re.sub(r"\\[A-Za-z]+", " ", _MATH.sub(" ", paper.title))  # no math, no commands
    words = (_ascii_word(word) for word in title.split())
    significant = [word for word in words if word and word not in _STOPWORDS][:KEY_WORDS]
    return f"{last or 'anon'}{year(paper) or ''}{''.join(significant)}"


def bibtex(paper: Paper, key: str | None = None) -> str:
    """One @misc entry in arXiv's shape: title, author, year, eprint, class, url."""
    fields = [("title", _title_field(paper.title))]
    authors = [_author(name) for name in paper.authors if name.strip()]
    if authors:
        fields.append(("author", " and ".join(authors)))
    found = year(paper)
    if found:
        fields.append(("year", str(found)))
    fields += [("eprint", _escape_text(paper.id)), ("archivePrefix", "arXiv")]
    category = paper.arxiv and (paper.arxiv.primary_category or next(iter(paper.categories), ""))
    if category:
        fields.append(("primaryClass", _escape_text(category)))
    fields.append(("url", _escape_text(arxiv_url(paper.id))))
    lines = "".join(f"  {name}={{{value}}},\n" for name, value in fields)
    return f"@misc{{{key or cite_key(paper)},\n{lines}}}\n"


def arxiv_url(paper_id: str) -> str:
    """https://arxiv.org/abs/2506.01234 (ids are checked: digits, letters, . - / only)."""
    return f"https://arxiv.org/abs/{paper_id}"


def _suffix(number: int) -> str:
    """a, b, ..., z, aa, ab, ...: the suffix that tells the nth repeat of a key apart."""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def unique_keys(papers: Iterable[Paper]) -> Iterator[str]:
    """Each paper's key, in order, a repeat suffixed a, b, ... so that no two are alike."""
    used: set[str] = set()
    for paper in papers:
        base = key = cite_key(paper)
        repeat = 0
        while key in used:
            key = base + _suffix(repeat)
            repeat += 1
        used.add(key)
        yield key


def day_bib(papers: Iterable[Paper]) -> str:
    """A day's .bib text: an entry per paper in the day's order, keys unique, a blank line apart."""
    papers = list(papers)
    entries = (bibtex(paper, key) for paper, key in zip(papers, unique_keys(papers), strict=True))
    return "\n".join(entries)


def coins_pairs(paper: Paper) -> list[tuple[str, str]]:
    """The OpenURL ContextObject of a paper, as the (key, value) pairs of its KEV."""
    # Dublin Core with rft.type=preprint: Zotero's parseContextObject reads rft_val_fmt mtx:dc
    # as a web page and rft.type, when it names a Zotero item type, as that type; rft.title
    # then is the title (rft.atitle it reads only for journal articles), rft.au each author,
    # and an http(s) rft_id the item's URL. mtx:journal with rft.genre=preprint would be a
    # journal article in Zotero. One rft_id, the abstract's URL: Zotero keeps an http(s) one as
    # the item's URL and reads no info:arxiv/ id, which cost 40 bytes a paper on every page.
    pairs = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc"),
        ("rft.type", "preprint"),
        ("rft.title", paper.title),
    ]
    pairs += [("rft.au", name) for name in paper.authors[:COINS_AUTHORS]]
    if paper.published:
        pairs.append(("rft.date", paper.published.isoformat()))
    pairs.append(("rft_id", arxiv_url(paper.id)))
    return pairs


def coins(paper: Paper) -> str:
    """The OpenURL KEV (Z39.88-2004) for a paper's COinS span, percent-encoded."""
    # Only letters, digits, "_.~-+%:/", "=" and "&": it stands in an HTML attribute as it is
    # (pages.py marks it safe; no character reference starts "&rft" or "&ctx"), 2 KB less on a
    # day page than with every & written &amp; and every : and / encoded. Zotero, parse_qs and
    # decodeURIComponent read ":" and "/" alike either way.
    kev = urlencode(coins_pairs(paper), safe=":/")
    if not _KEV_SAFE.fullmatch(kev):  # a bug here, whatever the paper's text
        raise ValueError(f"COinS of {paper.id} is not URL-safe text: {kev[:80]!r}")
    return kev
