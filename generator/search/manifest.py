"""pagefind/dpa-search.json: what search.js needs before it loads any year's index."""

from __future__ import annotations

import json
from pathlib import Path

from .. import urls
from .records import (
    FILTER_CODE,
    FILTER_ORGANIZATION,
    FILTER_TOPIC,
    HAS_CODE,
    META_AUTHORS,
    META_DAY,
    META_TITLE,
    META_UPVOTES,
    SORT_DATE,
    SORT_UPVOTES,
    SearchRecord,
)

# Beside the bundles: the years that have one (newest first; the browser searches the newest
# first), each filter's values for the search page's selects, and the names search.js asks
# Pagefind for, so that records.py alone spells them. Pagefind's own pagefind.filters()
# downloads every filter's page lists to list them.
MANIFEST = urls.SEARCH_MANIFEST.removeprefix(urls.SEARCH_BUNDLES)  # its name in that folder
# The search page's URL parameters (its form's fields, generator/templates/search.md.j2) ->
# Pagefind filter; `year` is not one: it chooses the year's bundle to search.
FILTERS = {"topic": FILTER_TOPIC, "org": FILTER_ORGANIZATION, "code": FILTER_CODE}
# The `sort` parameter's values -> Pagefind sort key, largest first.
SORTS = {"newest": SORT_DATE, "upvotes": SORT_UPVOTES}
# What a result shows -> Pagefind meta key.
META = {"title": META_TITLE, "authors": META_AUTHORS, "day": META_DAY, "upvotes": META_UPVOTES}


class Manifest:
    """What pagefind/dpa-search.json says: the years and their papers, each filter's values."""

    def __init__(self) -> None:
        self.papers: dict[str, int] = {}
        self.seen: dict[str, dict[str, None]] = {name: {} for name in FILTERS.values()}

    def add(self, year: str, records: list[SearchRecord]) -> None:
        """Count in a year's records."""
        self.papers[year] = len(records)
        for record in records:
            for key, names in record.filters.items():
                self.seen[key].update(dict.fromkeys(names))

    def json(
        self, topics: list[str], shared: bool = False, metadata: dict[str, str] | None = None
    ) -> str:
        """The file's text; topics (all names, in topics.yml order) order the topic values;
        metadata names each year's metadata file."""
        seen = self.seen
        organizations = seen[FILTER_ORGANIZATION]
        values = {
            "papers": self.papers,  # search.js weighs each year's scores by its size
            "year": sorted(self.papers, reverse=True),  # also the bundles, pagefind/<year>/
            FILTER_TOPIC: [name for name in topics if name in seen[FILTER_TOPIC]],
            FILTER_ORGANIZATION: sorted(organizations, key=lambda name: (name.casefold(), name)),
            FILTER_CODE: sorted(seen[FILTER_CODE]),
            "has_code": HAS_CODE,  # the `code` value search.js asks for when "Has code" is ticked
            "filters": FILTERS,
            "sorts": SORTS,
            "meta": META,
            "shared": shared,  # pagefind.js and its WebAssembly beside this file serve every year
            # Each year's metadata file, which its pagefind-entry.json names too: search.js
            # downloads it beside the entry, a round trip earlier (the entry still decides).
            "metadata": metadata or {},
        }
        return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def metadata_file(year_bundle: Path) -> str | None:
    """The name of a year's metadata file, as its pagefind-entry.json gives it (English, or
    the language with most pages, as Pagefind chooses); None without one."""
    try:
        entry = json.loads((year_bundle / "pagefind-entry.json").read_text("utf-8"))
        languages = entry["languages"]
        index = languages.get("en") or max(languages.values(), key=lambda v: v["page_count"])
        return f"pagefind.{index['hash']}.pf_meta"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
