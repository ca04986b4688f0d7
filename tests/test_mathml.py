"""LaTeX to MathML: which `$...$` spans render, what they become, and text around them escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from generator.mathml import MATHML_NS, has_math, render_text, to_mathml

NS = MATHML_NS


def _math(html: str) -> ET.Element:
    """The one <math> element of a rendered fragment."""
    root = ET.fromstring(f"<div>{html}</div>")
    (math,) = root.iter(NS + "math")
    return math


def _tags(element: ET.Element) -> list[str]:
    return [node.tag.removeprefix(NS) for node in element.iter()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We bound $O(n^2)$ here.", True),
        ("a$x$b", True),
        ("costs $5 and $10", False),  # a closing $ followed by a digit is money
        ("$ x$", False),  # a space after the opening $
        ("$x $", False),  # a space before the closing $
        ("$a\nb$", False),  # math stays on one line
        ("$" + "x" * 201 + "$", False),  # at most 200 characters
        (r"\$x$", False),  # an escaped dollar opens nothing
        ("$$x$$", False),  # display math is not rendered
        ("no dollars at all", False),
    ],
)
def test_has_math(text: str, expected: bool) -> None:
    assert has_math(text) is expected


def test_inline_math_becomes_mathml_with_its_source_as_alttext() -> None:
    html = render_text("We bound $O(n^2)$ here.")
    assert html.startswith("We bound <math ") and html.endswith("</math> here.")
    math = _math(html)
    assert math.get("display") == "inline"
    assert math.get("alttext") == "O(n^2)"
    assert _tags(math) == ["math", "mrow", "mi", "mo", "msup", "mi", "mn", "mo"]
    assert [node.text for node in math.iter() if node.text] == ["O", "(", "n", "2", ")"]


def test_every_span_renders_and_the_text_between_is_kept() -> None:
    html = str(render_text("$a$ and $b_1$, then $c$."))
    root = ET.fromstring(f"<div>{html}</div>")
    maths = list(root.iter(NS + "math"))
    assert [math.get("alttext") for math in maths] == ["a", "b_1", "c"]
    assert [math.tail for math in maths] == [" and ", ", then ", "."]


def test_commands_whose_backslash_the_api_stripped_render() -> None:
    # The Hugging Face API serves "$\textbf{x}$" as "$textbf{x}$".
    for text in ("$textbf{x}$", r"$\textbf{x}$"):
        math = _math(render_text(text))
        (bold,) = math.iter(NS + "mtext")
        assert (bold.text, bold.get("mathvariant")) == ("x", "bold")
    assert _math(render_text("$mathcal{O}$")).find(f".//{NS}mi").text == "\U0001d4aa"
    assert _math(render_text(r"$a \in A$")).find(f".//{NS}mo").text == "\u2208"
    # A longer word that starts like a command ("in") is left alone.
    assert "".join(_math(render_text("$x_{index}$")).itertext()) == "xindex"


@pytest.mark.parametrize(
    "text",
    [
        "costs $5 and $10",
        "$$E = mc^2$$",
        "$ spaced $",
        r"\$x$",
    ],
)
def test_text_that_is_not_inline_math_stays_text(text: str) -> None:
    assert str(render_text(text)) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("$x^$ <b>", "$x^$ &lt;b&gt;"),  # the converter raises
        (r"$\frac{1}{$", r"$\frac{1}{$"),
        # latex2mathml copies raw text into <mtext>: an element outside MathML refuses it.
        (r"$\text{<b>hi</b>}$ & more", r"$\text{&lt;b&gt;hi&lt;/b&gt;}$ &amp; more"),
    ],
)
def test_math_that_cannot_render_faithfully_is_shown_as_escaped_source(
    text: str, shown: str
) -> None:
    assert str(render_text(text)) == shown


def test_text_around_math_is_escaped() -> None:
    html = str(render_text("<script>alert(1)</script> & $x^2$ <img src=x onerror=y> \"q\" 'a'"))
    before, _, rest = html.partition("<math ")
    after = rest.partition("</math>")[2]
    assert before == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
    # Quotes stay as they are: the result is element text, never an attribute value.
    assert after == " &lt;img src=x onerror=y&gt; \"q\" 'a'"
    assert str(render_text("<i>no math</i> & more")) == "&lt;i&gt;no math&lt;/i&gt; &amp; more"


def test_hostile_latex_cannot_leave_the_math_element() -> None:
    text = r"$<script>$ and $\href{javascript:alert(1)}{x}$ and $\style{color:red}{y}$"
    html = str(render_text(text))
    assert "<script" not in html
    root = ET.fromstring(f"<div>{html}</div>")
    allowed = {"div", *(NS + tag for tag in ("math", "mrow", "mi", "mo"))}
    assert {node.tag for node in root.iter()} <= allowed
    script, link, style = root.iter(NS + "math")
    assert [node.text for node in script.iter() if node.text] == [*"<script>"]
    assert link.get("alttext") == r"\href{javascript:alert(1)}{x}"  # an attribute value
    # The href and style latex2mathml puts on an <mrow> are dropped: no link, no style.
    attributes = {name for node in root.iter() for name in node.attrib}
    assert attributes == {"display", "alttext"}
    assert [node.text for node in style.iter() if node.text] == ["y"]


def test_only_presentation_attributes_survive() -> None:
    math = ET.fromstring(to_mathml(r"\color{red}{x} \hat{y}") or "")
    assert math.find(f".//{NS}mstyle").attrib == {}  # mathcolor dropped
    assert math.find(f".//{NS}mover").attrib == {"accent": "true"}


def test_to_mathml_returns_none_when_unsure() -> None:
    assert to_mathml("x^") is None
    assert to_mathml(r"\text{<b>hi</b>}") is None
    assert to_mathml("x") == (
        '<math display="inline" xmlns="http://www.w3.org/1998/Math/MathML" alttext="x">'
        "<mrow><mi>x</mi></mrow></math>"
    )
