"""The render cache: a day page's Markdown kept between builds, named by all it is made from.

Rendering the 1,552 day pages of a 30,000-paper archive takes 7 s, and a night changes about
fifteen of them. pages.py describes a day page by everything its text depends on besides the
code (the day, its neighbours, its papers' topics, the site's settings); this module adds the
code, templates and package versions and names the entry by a hash of both, so an entry found
is the text rendered from exactly those. The cache is only a shortcut: a missing, unreadable or
damaged entry is rendered again.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import distributions
from pathlib import Path

CODE = Path(__file__).parent  # the code and templates every page is made with
# Left out: the search index's code and packages. No page, day's data or paper's topics comes
# from them, and a new Pagefind or indexer is what makes a build cold (issue 20): it rebuilds
# the index, not every page as well.
SEARCH_CODE = CODE / "search"
# The packages a search bundle is made with: search/cache.py names its bundles by them.
SEARCH_PACKAGES = ("pagefind", "pagefind_bin", "cbor2")
_LEFT_OUT = frozenset(name.replace("_", "-") for name in SEARCH_PACKAGES)


@cache
def code_fingerprint() -> bytes:
    """This package's code and templates and the installed packages' versions, but search's."""
    digest = hashlib.sha256()
    found = {(d.metadata["Name"], d.version) for d in distributions()}
    for name, version in sorted(found):
        if name.lower().replace("_", "-") not in _LEFT_OUT:
            digest.update(f"{name} {version}\n".encode())
    for path in sorted(CODE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and SEARCH_CODE not in path.parents:
            digest.update(path.relative_to(CODE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


@dataclass
class RenderCache:
    """One build's use of the cache folder: what it read, and what it rendered anew."""

    folder: Path
    used: set[str] = field(default_factory=set)

    def __call__(self, inputs: str, render: Callable[[], str]) -> str:
        """The text kept for these inputs and this code, or render() kept for them."""
        name = hashlib.sha256(code_fingerprint() + inputs.encode()).hexdigest()
        path = self.folder / f"{name}.md"
        self.used.add(name)
        with contextlib.suppress(OSError, UnicodeDecodeError, ValueError):
            # The entry's first line is its text's hash: a file damaged since is rendered again.
            digest, text = path.read_bytes().decode("utf-8").split("\n", 1)
            if digest == _digest(text):
                return text
        text = render()
        with contextlib.suppress(OSError):  # costs the next build time, nothing more
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.partial"  # an entry is whole or absent
            partial.write_bytes(f"{_digest(text)}\n{text}".encode())
            partial.replace(path)
        return text

    def prune(self) -> None:
        """Drop the entries this build did not use."""
        with contextlib.suppress(OSError):
            for old in self.folder.iterdir():
                if old.name.removesuffix(".md") not in self.used:
                    old.unlink()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
