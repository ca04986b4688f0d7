"""The topic cache: each paper's topics kept between builds, named by what the rules read.

Matching the 30,000 papers of a large archive against every topic's rules takes 3.6 s of CPU,
and every build waits for it before pages, data and the search index can start; a night
changes the text of a few papers at most. A paper is named by a hash of all the rules look at
(title, abstract, AI keywords, arXiv categories, organization), and the file by a hash of the
rules and the code, so a paper found in it has the topics matching would give it. The cache is
only a shortcut: a missing or unreadable file is matched again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

from .archive import Archive
from .models import Paper
from .rendercache import code_fingerprint
from .topics import Topic


def paper_topics(archive: Archive, folder: Path) -> dict[str, list[str]]:
    """Archive.paper_topics, with the papers whose text is as before read from the folder."""
    path = folder / f"{_rules(archive.topics)}.json"
    kept: dict[str, list[str]] = {}
    with contextlib.suppress(OSError, ValueError):
        loaded = json.loads(path.read_bytes())
        if isinstance(loaded, dict):
            kept = loaded
    known = {topic.slug for topic in archive.topics}
    names = {paper_id: _seen(paper) for paper_id, paper in archive.papers.items()}
    new = [
        paper
        for paper_id, paper in archive.papers.items()
        if not _valid(kept.get(names[paper_id]), known)
    ]
    found = dict(zip((p.id for p in new), archive.match_topics(new), strict=True))
    topics = {
        paper_id: found[paper_id] if paper_id in found else list(kept[names[paper_id]])
        for paper_id in archive.papers
    }
    if new or len(kept) != len(names):  # keep this build's papers, and only them
        _save(folder, path, {names[paper_id]: slugs for paper_id, slugs in topics.items()})
    return topics


def _valid(entry: object, slugs: set[str]) -> bool:
    """Whether a file's entry is a list of these rules' slugs (anything else is matched again)."""
    return isinstance(entry, list) and all(isinstance(s, str) and s in slugs for s in entry)


def _seen(paper: Paper) -> str:
    """A paper's name: a hash of every field the rules read (topics.Seen.of)."""
    parts = [paper.title, paper.abstract, *paper.ai_keywords, "", *paper.categories, ""]
    parts.append(paper.organization)
    return hashlib.sha1("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _rules(topics: list[Topic]) -> str:
    """The file's name: a hash of the rules (sets sorted: their order varies by process)."""
    rules = [
        (t.slug, sorted(t.keywords), t.words, t.title_words, t.exclude, t.title_exclude,
         sorted(t.categories), sorted(t.organizations), t.min_score)
        for t in topics
    ]  # fmt: skip
    return hashlib.sha256(code_fingerprint() + repr(rules).encode()).hexdigest()


def _save(folder: Path, path: Path, names: dict[str, list[str]]) -> None:
    with contextlib.suppress(OSError):  # costs the next build time, nothing more
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():  # other rules' and code's files
            if old != path:
                old.unlink()
        partial = path.with_name(f".{path.name}.partial")  # the file is whole or absent
        partial.write_text(json.dumps(names, separators=(",", ":")), "utf-8")
        partial.replace(path)
