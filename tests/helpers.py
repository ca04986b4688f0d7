"""Small helpers for tests: inline fixture trees and API items in the real response shape."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from generator.models import Day, Paper

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


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


TOPICS = """\
topics:
- slug: agents
  name: Agents
  description: "Language-model agents <b>that act</b>."
  match:
    words: [agent, agents]
- slug: robotics
  name: Robotics
  description: Robots.
  match:
    categories: [cs.RO]
    keywords: [Robot-Manipulation]  # equal to the keyword but for case and hyphens
"""

THUMBS = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/"
HOSTILE_TITLE = "<script>alert('x')</script> {{ 7*7 }} {% raw %} [link](javascript:alert(1)) *em*"


def fixture_content(root: Path) -> Path:
    """A small archive: three list days, an empty day, a paper on two days, hostile text,
    math, a hidden paper and a corrected one, and topics."""
    from generator.importer import import_dir

    days = {
        "2025-06-09": [
            {
                **api_item(
                    "2506.00001",
                    40,
                    title="Agents that plan",
                    githubRepo="https://github.com/a/b",
                    githubStars=12,
                    ai_summary="Agents plan.",
                    ai_keywords=["agents", "planning"],
                ),
                "thumbnail": "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2506.00001.png",
            },
            api_item(
                "2506.00002",
                7,
                title=HOSTILE_TITLE,
                summary="We bound $O(n^2)$ and $textbf{x}$; <img src=x onerror=alert(1)> "
                "and a_b*c* and costs $5 and $10.",
                githubRepo="javascript:alert(1)",
                projectPage="data:text/html,x",
            ),
            api_item("2506.00003", 3, title="Spam paper"),
        ],
        "2025-06-10": [
            api_item(
                "2506.00004",
                12,
                title="Robot hands",
                ai_keywords=["robot manipulation"],
                authors=[{"name": f"Author {i}"} for i in range(30)],
            ),
            api_item("2506.00001", 41, title="Agents that plan"),
        ],
        "2025-06-11": [],
        "2025-06-12": [api_item("2506.00005", 2, title="Wrong title")],
    }
    content = root / "content"
    for day, items in days.items():
        import_dir(write_response(root / "src" / day, day, items).parent, content)
    write_files(
        content,
        {
            "topics.yml": TOPICS,
            "corrections/2506.00003.yaml": 'id: "2506.00003"\nreason: "spam"\nhide: true\n',
            "corrections/2506.00005.yaml": (
                'id: "2506.00005"\nreason: "typo"\nset:\n  title: Right title\n'
            ),
        },
    )
    return content


GOLDEN = Path(__file__).parent / "golden"
# What the fixture archive must build, byte for byte: generated Markdown, a built day page,
# one feed of each format and one data file.
GOLDEN_PAGES = (
    "2025/06/09.md",
    "2025/06/10.md",
    "2025/06/index.md",
    "coverage.md",
    "topics/agents/index.md",
    "weeks/2025-W24.md",
)
GOLDEN_SITE = ("2025/06/09/index.html", "feed.xml", "atom.xml", "feed.json", "data/2025/06/09.json")


def golden_files(root: Path) -> dict[str, bytes]:
    """The golden files as the code makes them now, built under root: {name: bytes}."""
    from generator.archive import load_archive
    from generator.build import build_site
    from generator.config import SiteConfig
    from generator.pages import iter_pages

    config = SiteConfig(
        "Daily Papers Archive",
        "https://example.org/archive/",
        "https://github.com/owner/repo",
        "main",
    )
    content = fixture_content(root)
    pages = dict(iter_pages(load_archive(content), config))
    files = {f"pages/{name}": pages[name].encode("utf-8") for name in GOLDEN_PAGES}
    repository = Path(__file__).resolve().parent.parent
    build_site(content, root / "site", root / "build", repository / "mkdocs.yml")
    files.update({f"built/{name}": (root / "site" / name).read_bytes() for name in GOLDEN_SITE})
    return files


class FakeClock:
    """time() and sleep() for the code under test: sleeping only moves the clock."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def typed_day(day: date, papers: list[dict[str, Any]]) -> Day:
    """A list day as the read model holds it, from paper mappings in the day files' shape."""
    return Day(day, tuple(Paper.from_checked(paper) for paper in papers))
