"""pagefind/dpa-search.json: what search.js needs before it loads any year's index."""

from __future__ import annotations

import json

from .. import urls
from .records import HAS_CODE, SearchRecord

# Beside the bundles: the years that have one (newest first; the browser searches the newest
# first) and each filter's values for the search page's selects. Pagefind's own
# pagefind.filters() downloads every filter's page lists to list them.
MANIFEST = urls.SEARCH_MANIFEST.removeprefix(urls.SEARCH_BUNDLES)  # its name in that folder


class Manifest:
    """What pagefind/dpa-search.json says: the years and their papers, each filter's values."""

    def __init__(self) -> None:
        self.papers: dict[str, int] = {}
        self.seen: dict[str, dict[str, None]] = {"topic": {}, "organization": {}, "code": {}}

    def add(self, year: str, records: list[SearchRecord]) -> None:
        """Count in a year's records."""
        self.papers[year] = len(records)
        for record in records:
            for key, names in record.filters.items():
                self.seen[key].update(dict.fromkeys(names))

    def json(self, topics: list[str]) -> str:
        """The file's text; topics (all names, in topics.yml order) order the topic values."""
        seen = self.seen
        values = {
            "papers": self.papers,  # search.js weighs each year's scores by its size
            "year": sorted(self.papers, reverse=True),  # also the bundles, pagefind/<year>/
            "topic": [name for name in topics if name in seen["topic"]],
            "organization": sorted(seen["organization"], key=lambda name: (name.casefold(), name)),
            "code": sorted(seen["code"]),
            "has_code": HAS_CODE,  # the `code` value search.js asks for when "Has code" is ticked
        }
        return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
