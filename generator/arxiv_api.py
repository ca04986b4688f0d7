"""The arXiv export API: categories, comment, journal reference, DOI and version of papers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.parsers import expat

import httpx

from .errors import ApiError
from .hf_api import MAX_BODY, too_large
from .models import clean_text, versionless_id

API_URL = "https://export.arxiv.org/api/query"
BATCH_SIZE = 100  # arXiv asks for batched ids: "up to a few hundred per request"
INTERVAL = 3.0  # seconds between requests, as https://info.arxiv.org/help/api/tou.html asks
MAX_DEPTH = 32  # elements nested in a feed; arXiv's nest 4 (feed, entry, author, name)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
# http://arxiv.org/abs/1707.08567v1, http://arxiv.org/abs/hep-th/9901001v2
ENTRY_ID = re.compile(r"/abs/(?P<id>.+?)v(?P<version>\d+)$")

Getter = Callable[[str, dict[str, str]], httpx.Response]


@dataclass
class Enrichment:
    """arXiv mappings by paper id; ids not asked because a request failed, and why."""

    found: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # ids arXiv does not know
    skipped: list[str] = field(default_factory=list)
    error: str | None = None  # the failure that skipped them


def parse_feed(body: bytes | str, source: str, checked: date) -> dict[str, dict[str, Any]]:
    """Parse an Atom response into {versionless id: arxiv mapping}; raise ApiError if unusable."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    root = parse_xml(data, source)
    if root.tag != f"{ATOM}feed":
        raise ApiError(f"{source}: expected an Atom feed, got <{root.tag}>")
    found: dict[str, dict[str, Any]] = {}
    for entry in root.iterfind(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id", "").strip()
        # Errors come as a feed with one entry titled "Error" (HTTP 400 for a malformed id).
        if "/api/errors" in entry_id or entry.findtext(f"{ATOM}title", "").strip() == "Error":
            reason = clean_text(entry.findtext(f"{ATOM}summary", "")) or entry_id
            raise ApiError(f"{source}: arXiv error: {reason}")
        parsed = parse_entry(entry, checked)
        if parsed is not None:
            found[parsed[0]] = parsed[1]
    return found


def parse_xml(data: bytes, source: str) -> ET.Element:
    """The document's root element; ApiError if it is too big, not XML, has a DTD or nests deep.

    Built with expat directly rather than ET.fromstring because expat stops at once when a
    handler raises: a DTD (and with it every entity-expansion bomb, in any encoding) is refused
    as it opens, and nesting at MAX_DEPTH + 1, before anything more is parsed.
    """
    if len(data) > MAX_BODY:
        raise too_large(source)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    builder = ET.TreeBuilder()
    depth = 0

    def name(raw: str) -> str:  # expat's "uri}local" is ElementTree's "{uri}local"
        return "{" + raw if "}" in raw else raw

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise ApiError(f"{source}: XML nested more than {MAX_DEPTH} elements deep; refused")
        builder.start(name(tag), {name(key): value for key, value in attributes.items()})

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(name(tag))

    def doctype(*_: object) -> None:
        # arXiv never sends a DTD; refusing one rules out entity-expansion bombs.
        raise ApiError(f"{source}: response declares a DTD; refused")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ApiError(f"{source}: not XML: {exc}") from exc
    return builder.close()


def parse_entry(entry: ET.Element, checked: date) -> tuple[str, dict[str, Any]] | None:
    """One <entry> as (versionless id, arxiv mapping), or None if its id is not an arXiv id."""
    match = ENTRY_ID.search(entry.findtext(f"{ATOM}id", "").strip())
    paper_id = versionless_id(match["id"]) if match else None
    if match is None or paper_id is None:
        return None
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [c.get("term", "").strip() for c in entry.iterfind(f"{ATOM}category")]
    mapping: dict[str, Any] = {
        "checked": checked.isoformat(),
        "primary_category": primary.get("term", "").strip() if primary is not None else "",
        "categories": list(dict.fromkeys(c for c in categories if c)),
        "comment": clean_text(entry.findtext(f"{ARXIV}comment", "")),
        "journal_ref": clean_text(entry.findtext(f"{ARXIV}journal_ref", "")),
        "doi": clean_text(entry.findtext(f"{ARXIV}doi", "")),
        "version": int(match["version"]),
    }
    return paper_id, {key: value for key, value in mapping.items() if value not in ("", [])}


def batches(ids: list[str], size: int = BATCH_SIZE) -> Iterator[list[str]]:
    """ids in lists of at most size."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def fetch_batch(get: Getter, ids: list[str], checked: date, url: str = API_URL) -> Enrichment:
    """Ask arXiv about up to BATCH_SIZE ids in one request; raise ApiError if that fails."""
    # max_results defaults to 10: without it a batch of 100 would come back cut short.
    params = {"id_list": ",".join(ids), "start": "0", "max_results": str(len(ids))}
    source = f"arXiv ({len(ids)} ids from {ids[0]})"
    response = get(url, params)
    if response.status_code not in (200, 400):  # a 400 carries an Atom error feed
        raise ApiError(f"{source}: HTTP {response.status_code} {response.reason_phrase}")
    found = parse_feed(response.content, source, checked)
    if response.status_code != 200:
        raise ApiError(f"{source}: HTTP {response.status_code} {response.reason_phrase}")
    result = Enrichment(found={i: found[i] for i in ids if i in found})
    missing = [i for i in ids if i not in found]
    if missing:
        result.warnings.append(f"arXiv has no entry for {len(missing)} paper(s): {few(missing)}")
    return result


def enrich(get: Getter, ids: list[str], checked: date, url: str = API_URL) -> Enrichment:
    """Ask arXiv about ids in batches; never raises: a failed request skips the rest."""
    result = Enrichment()
    chunks = list(batches(list(dict.fromkeys(ids))))
    for index, chunk in enumerate(chunks):
        try:
            batch = fetch_batch(get, chunk, checked, url)
        except ApiError as exc:
            # One failed batch usually means arXiv is down: do not spend the run retrying it.
            result.skipped = [i for c in chunks[index:] for i in c]
            result.error = str(exc)
            break
        result.found.update(batch.found)
        result.warnings += batch.warnings
    return result


def few(ids: list[str], limit: int = 5) -> str:
    """The first few ids, for a one-line message."""
    shown = ", ".join(ids[:limit])
    return f"{shown}, ..." if len(ids) > limit else shown
