"""Search: one Pagefind record per paper, one bundle per list year.

records.py (what Pagefind stores per paper) -> index.py (build_index: a bundle per year) with
cache.py (years kept between builds), pagefind.py (driving Pagefind's services), written.py
(until their files are whole), pagefind_private.py (the one use of Pagefind's internals),
reproducible.py (the same bytes every build) and manifest.py (dpa-search.json). search.js
(overrides/assets/search/) searches the bundles in the browser, on the /search/ page that
pages.py makes from templates/search.md.j2 like every other page.
"""

from .index import BUNDLE_DIR, SearchStats, build_index
from .manifest import MANIFEST
from .records import HAS_CODE, SearchRecord, search_records

__all__ = [
    "BUNDLE_DIR",
    "HAS_CODE",
    "MANIFEST",
    "SearchRecord",
    "SearchStats",
    "build_index",
    "search_records",
]
