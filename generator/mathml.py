"""LaTeX in abstracts to MathML, on the server: no script on any page, plain text when unsure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from html import escape

from markupsafe import Markup

MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"

# Pandoc's rule for inline math: `$` then a non-space, a non-space then `$` not followed by a
# digit, so "costs $5 and $10" stays text. At most 200 characters, on one line.
_INLINE = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]{1,200}?)(?<=\S)\$(?![\d$])")

# The API strips backslashes from abstracts ("$textbf{x}$", "$mathcal{O}$"): put them back on
# the commands it is plainly missing, so they render instead of spelling out "textbf".
_STRIPPED = re.compile(
    r"(?<![\\A-Za-z])(textbf|textit|text|mathcal|mathbf|mathbb|mathrm|mathit|frac|sqrt|"
    r"sum|prod|int|alpha|beta|gamma|delta|epsilon|varepsilon|lambda|mu|sigma|theta|pi|tau|phi|"
    r"omega|infty|leq|geq|times|cdot|ldots|cdots|approx|sim|nabla|partial|hat|tilde|bar|"
    r"log|exp|min|max|in|rightarrow|to|pm)(?![A-Za-z])"
)

# What MathML may carry onto the page: the presentation elements and their layout attributes.
# latex2mathml passes through \href, \style and raw text, so its output is rebuilt from this.
_ELEMENTS = frozenset(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup munder mover munderover mfrac "
    "msqrt mroot mstyle mpadded mphantom menclose mtable mtr mtd semantics annotation".split()
)
_ATTRIBUTES = frozenset(
    "display mathvariant stretchy fence separator accent accentunder displaystyle scriptlevel "
    "lspace rspace linethickness columnalign rowspacing columnspacing notation width height "
    "depth largeop movablelimits symmetric minsize maxsize form".split()
)


def has_math(text: str) -> bool:
    """Whether the text holds something that looks like inline LaTeX."""
    return "$" in text and _INLINE.search(text) is not None


def render_text(text: str) -> Markup:
    """Escape text for HTML, turning each `$...$` span that parses into MathML."""
    if "$" not in text:
        return Markup(escape(text, quote=False))
    parts: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        parts.append(escape(text[position : match.start()], quote=False))
        parts.append(to_mathml(match.group(1)) or escape(match.group(0), quote=False))
        position = match.end()
    parts.append(escape(text[position:], quote=False))
    return Markup("".join(parts))


@lru_cache(maxsize=4096)
def to_mathml(latex: str) -> str | None:
    """Inline MathML for a LaTeX formula, or None when it cannot be rendered faithfully."""
    from latex2mathml.converter import convert

    try:
        converted = convert(_STRIPPED.sub(r"\\\1", latex))
        tree = ET.fromstring(converted)
    except Exception:  # the converter raises many kinds; any of them means "show as text"
        return None
    clean = _rebuild(tree)
    if clean is None:
        return None
    clean.set("alttext", latex)  # what screen readers and copy-paste get
    return ET.tostring(clean, encoding="unicode", short_empty_elements=False)


def _rebuild(node: ET.Element) -> ET.Element | None:
    """A copy of the tree with only allowed elements and attributes, or None if any other."""
    name = node.tag.removeprefix(MATHML_NS)
    if name not in _ELEMENTS:
        return None
    copy = ET.Element(name, {k: v for k, v in node.attrib.items() if k in _ATTRIBUTES})
    copy.text = node.text
    for child in node:
        rebuilt = _rebuild(child)
        if rebuilt is None:
            return None
        rebuilt.tail = child.tail
        copy.append(rebuilt)
    if name == "math":
        copy.set("xmlns", "http://www.w3.org/1998/Math/MathML")
    return copy
