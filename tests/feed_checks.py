"""A checker for the W3C Feed Validation Service's rules, for RSS, Atom, JSON Feed and OPML."""

from __future__ import annotations

import html.entities
import json
import re
from email.utils import parsedate_to_datetime
from typing import Any

import lxml.html
from lxml import etree

# The service is not reachable from tests; its rules are read off
# https://github.com/w3c/feedvalidator, src/feedvalidator/validators.py and friends.

ATOM = "{http://www.w3.org/2005/Atom}"
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d\d:\d\d(:\d\d)? ([+-]\d\d[03]0|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)$"
)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
FULL_URI = re.compile(r"^[a-zA-Z][0-9a-zA-Z+\-.]*:(//)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$")
# W3C's HTMLValidator.htmltags: an end tag of one of these in plain text is "contains HTML".
HTML_TAGS = set(
    """a abbr acronym address applet area article aside audio b base basefont bdi bdo big
    blockquote body br button canvas caption center cite code col colgroup command data datagrid
    datalist dd del details dfn dialog dir div dl dt em eventsource fieldset figcaption figure
    font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img
    input ins isindex kbd label legend li link m main mark map menu meta meter nav noframes
    noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp
    script section select slot small source span strike strong style sub summary sup table tbody
    td template textarea tfoot th thead time title tr track tt u ul var xmp plaintext embed
    comment listing video wbr""".split()
)
# The elements our feeds use, all of W3C's acceptable_elements.
SAFE_TAGS = {"a", "p", "strong", "em", "h1", "h2", "h3", "br", "hr", "div"}
# W3C's DangerousStyleAttr rule: a style attribute may set these properties only, and the
# background, border, margin and padding ones only to lengths, colours and a few keywords.
CSS_PROPERTIES = set(
    """background background-color border border-bottom border-bottom-color border-bottom-style
    border-bottom-width border-collapse border-color border-left border-left-color
    border-left-style border-left-width border-right border-right-color border-right-style
    border-right-width border-spacing border-style border-top border-top-color border-top-style
    border-top-width border-width clear color cursor direction display elevation float font
    font-family font-size font-style font-variant font-weight height letter-spacing line-height
    margin margin-bottom margin-left margin-right margin-top overflow padding padding-bottom
    padding-left padding-right padding-top text-align text-decoration text-indent unicode-bidi
    vertical-align white-space width""".split()
)
CSS_KEYWORDS = set(
    """aqua auto black block blue bold both bottom brown center collapse dashed dotted fuchsia
    gray green !important italic left lime maroon medium none navy normal nowrap olive pointer
    purple red right solid silver teal top transparent underline white yellow""".split()
)
CSS_VALUE = re.compile(
    r"^(#[0-9a-f]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|\d?\.?\d?\d(cm|em|ex|in|mm|pc|pt|px|%|,|\))?)$"
)
STYLE_CHARACTERS = re.compile(
    r"""^([:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*$"""
)
STYLE_DECLARATIONS = re.compile(r"^(\s*[-\w]+\s*:\s*[^:;]*(;|$))*$")
ENTITIES = set(html.entities.name2codepoint) | {"apos"}
NAMESPACES = {
    "http://www.w3.org/2005/Atom",
    "http://purl.org/rss/1.0/modules/content/",
    "http://purl.org/dc/elements/1.1/",
}


def w3c_problems(url: str, data: bytes) -> list[str]:
    """Every error or warning W3C's validator would give the feed or OPML published at url."""
    if url.endswith(".json"):
        return _json_feed_problems(data, url)
    root = etree.fromstring(data)
    lines = data.decode("utf-8").split("\n")
    if root.tag == "rss":
        return _rss_problems(root, lines, url)
    if root.tag == ATOM + "feed":
        return _atom_problems(root, lines, url)
    return _opml_problems(root)


def _plain_text(element: Any, lines: list[str], rss: bool) -> list[str]:
    """W3C's nonhtml rule for titles and names: nothing a reader could take for markup."""
    if element is None or not element.text:
        return [] if element is None else [f"{element.tag} is blank"]
    value, raw = element.text, lines[element.sourceline - 1]
    tags = [t for t in re.findall(r"</(\w+)>", value) if t.lower() in HTML_TAGS]
    if tags:
        return [f"{element.tag} contains HTML: {value}"]
    entities = [e for e in re.findall(r"&(#?\w+)", value) if e in ENTITIES or not e.isalpha()]
    markup = rss and re.search(r"&#[x0-9]|<[/a-zA-Z]", value)
    if (entities or markup) and "&#x" not in raw:  # unless written as hexadecimal references
        return [f"{element.tag} looks like markup: {value}"]
    return []


def _uri(value: str | None, where: str) -> list[str]:
    return [] if value and FULL_URI.match(value) else [f"{where}: not an absolute URI: {value}"]


def _date(value: str | None, where: str, rss: bool) -> list[str]:
    if not value or not (RFC822 if rss else RFC3339).match(value):
        return [f"{where}: bad date {value}"]
    # W3C checks an RFC 822 date's day of the week too.
    if rss and parsedate_to_datetime(value).strftime("%a") != value[:3]:
        return [f"{where}: wrong day of the week: {value}"]
    return []


def _html(value: str | None, where: str) -> list[str]:
    """W3C's safeHtml rule: no script or unknown elements, absolute links only."""
    if not value:
        return [f"{where}: no content"]
    fragment = lxml.html.fragment_fromstring(value, create_parent="div")
    problems = [f"{where}: <{e.tag}>" for e in fragment.iter() if e.tag not in SAFE_TAGS]
    for element in fragment.iter():
        problems += [
            f"{where}: attribute {a}" for a in element.attrib if a not in ("href", "style")
        ]
        problems += [f"{where}: style {bad}" for bad in _style_problems(element.get("style"))]
    for href in (a.get("href") for a in fragment.iter("a")):
        problems += _uri(href, where)
    return problems


def _style_problems(style: str | None) -> list[str]:
    """What W3C's DangerousStyleAttr warning names in a style attribute: nothing, if it is safe."""
    if style is None:
        return []
    if not STYLE_CHARACTERS.match(style) or not STYLE_DECLARATIONS.match(style):
        return [style]
    unsafe = []
    for name, value in re.findall(r"([-\w]+)\s*:\s*([^:;]*)", style.lower()):
        if name not in CSS_PROPERTIES:
            unsafe.append(name)
        elif name.split("-")[0] in ("background", "border", "margin", "padding"):
            unsafe += [v for v in value.split() if v not in CSS_KEYWORDS and not CSS_VALUE.match(v)]
    return unsafe


def _rss_problems(root: Any, lines: list[str], url: str) -> list[str]:
    channel = root.find("channel")
    problems = [
        f"channel: no {name}"
        for name in ("title", "link", "description", "language")
        if channel.find(name) is None
    ]
    selfs = [link for link in channel.iterfind(ATOM + "link") if link.get("rel") == "self"]
    if [(s.get("href"), s.get("type")) for s in selfs] != [(url, "application/rss+xml")]:
        problems.append("channel: atom:link rel=self must be the feed's own absolute URL")
    problems += _plain_text(channel.find("title"), lines, rss=True)
    problems += _plain_text(channel.find("description"), lines, rss=True)
    problems += _uri(channel.findtext("link"), "channel link")
    problems += _date(channel.findtext("lastBuildDate"), "lastBuildDate", rss=True)
    guids = [item.findtext("guid") for item in channel.iterfind("item")]
    if len(set(guids)) != len(guids):
        problems.append("duplicate guids")
    for item in channel.iterfind("item"):
        problems += _rss_item_problems(item, lines)
    problems += [f"unknown namespace {e.tag}" for e in root.iter() if _namespace(e.tag) is False]
    return problems


def _rss_item_problems(item: Any, lines: list[str]) -> list[str]:
    guid = item.find("guid")
    where = f"item {None if guid is None else guid.text}"
    if guid is None or guid.get("isPermaLink") != "true":
        return [f"{where}: needs a guid that is its permalink"]
    problems = _plain_text(item.find("title"), lines, rss=True)
    problems += _uri(guid.text, where) + _uri(item.findtext("link"), where)
    problems += _date(item.findtext("pubDate"), where, rss=True)
    problems += _html(item.findtext("description"), where)
    if item.find("author") is not None:
        problems.append(f"{where}: <author> must be an e-mail address")
    return problems


def _atom_problems(root: Any, lines: list[str], url: str) -> list[str]:
    problems = [
        f"feed: no {name}"
        for name in ("id", "title", "updated", "author")
        if root.find(ATOM + name) is None
    ]
    if not root.get("{http://www.w3.org/XML/1998/namespace}lang"):
        problems.append("feed: no xml:lang")
    links = [
        (link.get("rel", "alternate"), link.get("type"), link.get("hreflang"), link.get("href"))
        for link in root.iterfind(ATOM + "link")
    ]
    if len({link[:3] for link in links}) != len(links):
        problems.append("feed: duplicate link rel/type")
    if ("self", "application/atom+xml", None, url) not in links:
        problems.append("feed: link rel=self must be the feed's own absolute URL")
    problems += _uri(root.findtext(ATOM + "id"), "feed id")
    problems += _date(root.findtext(ATOM + "updated"), "feed updated", rss=False)
    problems += _plain_text(root.find(ATOM + "title"), lines, rss=False)
    problems += _plain_text(root.find(ATOM + "subtitle"), lines, rss=False)
    for name in root.iterfind(f".//{ATOM}name"):
        problems += _plain_text(name, lines, rss=False)
    entries = root.findall(ATOM + "entry")
    for field in ("id", "updated"):  # W3C: DuplicateEntries, DuplicateUpdated
        values = [entry.findtext(ATOM + field) for entry in entries]
        if len(set(values)) != len(values):
            problems.append(f"entries share an {field}")
    for entry in entries:
        problems += _atom_entry_problems(entry, lines, root.find(ATOM + "author") is not None)
    return problems


def _atom_entry_problems(entry: Any, lines: list[str], feed_author: bool) -> list[str]:
    where = f"entry {entry.findtext(ATOM + 'id')}"
    problems = [
        f"{where}: no {name}"
        for name in ("id", "title", "updated", "published")
        if entry.find(ATOM + name) is None
    ]
    if entry.find(ATOM + "author") is None and not feed_author:
        problems.append(f"{where}: no author")
    problems += _uri(entry.findtext(ATOM + "id"), where)
    problems += _plain_text(entry.find(ATOM + "title"), lines, rss=False)
    for field in ("updated", "published"):
        problems += _date(entry.findtext(ATOM + field), where, rss=False)
    alternates = [
        link
        for link in entry.iterfind(ATOM + "link")
        if link.get("rel", "alternate") == "alternate"
    ]
    if len(alternates) != 1:
        problems.append(f"{where}: needs exactly one alternate link")
    problems += [p for link in alternates for p in _uri(link.get("href"), where)]
    content = entry.find(ATOM + "content")
    if content is None or content.get("type") != "html":
        return [*problems, f"{where}: content must be type html"]
    return problems + _html(content.text, where)


def _json_feed_problems(data: bytes, url: str) -> list[str]:
    feed = json.loads(data)
    problems = [
        f"feed: no {key}" for key in ("title", "home_page_url", "authors") if not feed.get(key)
    ]
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("feed: version must be https://jsonfeed.org/version/1.1")
    if feed.get("feed_url") != url:
        problems.append("feed: feed_url must be the feed's own absolute URL")
    if data.decode("utf-8") != json.dumps(feed, ensure_ascii=False, indent=1) + "\n":
        problems.append("feed: not written in the one deterministic JSON format")
    ids = [item.get("id") for item in feed["items"]]
    if len(set(ids)) != len(ids):
        problems.append("duplicate item ids")
    for item in feed["items"]:
        where = f"item {item.get('id')}"
        problems += [f"{where}: no {key}" for key in ("title", "content_html") if not item.get(key)]
        problems += _uri(item.get("id"), where) + _uri(item.get("url"), where)
        problems += _date(item.get("date_published"), where, rss=False)
        if not all(author.get("name") for author in item.get("authors", [{"name": "feed's"}])):
            problems.append(f"{where}: an author without a name")
    return problems


def _opml_problems(root: Any) -> list[str]:
    problems = [] if root.get("version") == "2.0" else ["opml: version must be 2.0"]
    if not root.findtext("head/title"):
        problems.append("opml: no head/title")
    feeds = root.findall(".//outline[@xmlUrl]")
    if not feeds:
        problems.append("opml: no feeds")
    for outline in root.iter("outline"):
        if outline.get("xmlUrl") is None:
            if set(outline.attrib) != {"text"}:
                problems.append("opml: a group outline carries feed attributes")
            continue
        where = f"outline {outline.get('xmlUrl')}"
        if outline.get("type") != "rss" or not outline.get("text") or not outline.get("title"):
            problems.append(f"{where}: needs type=rss, text and title")
        problems += _uri(outline.get("xmlUrl"), where) + _uri(outline.get("htmlUrl"), where)
    return problems


def _namespace(tag: str) -> bool | None:
    """None for elements in no namespace, else whether the namespace is a known one."""
    match = re.match(r"\{(.*)\}", tag)
    return None if match is None else match[1] in NAMESPACES
