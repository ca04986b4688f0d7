"""Small helpers for tests: inline fixture trees and API items in the real response shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write an inline fixture tree {relative path: text} under root."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def api_item(paper_id: str, upvotes: int = 1, **paper: Any) -> dict[str, Any]:
    """One daily_papers item in the 2025 shape, with paper fields overridable."""
    inner = {
        "id": paper_id,
        "authors": [{"_id": "a1", "name": "Ada Lovelace", "hidden": False}],
        "publishedAt": "2025-06-09T17:59:53.000Z",
        "title": f"Paper {paper_id}",
        "summary": "An abstract\n  with a hard wrap.",
        "upvotes": upvotes,
    }
    inner.update(paper)
    return {
        "paper": inner,
        "publishedAt": "2025-06-09T13:59:53.000Z",
        "title": inner["title"],
        "numComments": 0,
    }


def write_response(folder: Path, day: str, items: list[Any]) -> Path:
    """Write one recorded response file, folder/YYYY-MM-DD.json."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path
