"""A dry run of the nightly job: `make nightly`, as the workflow calls it, in a scratch repository.

Hugging Face and arXiv are stood in for by a server on 127.0.0.1. The scratch repository is a
copy of the working tree (tracked and new files, as `git ls-files` lists them) rather than a
`git clone`: a clone would test the last commit, not the Makefile and code being edited. The
archive itself (day files, corrections) is left out, so every run starts from an empty content/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from tests.helpers import api_item
from tests.servers import loopback

ROOT = Path(__file__).resolve().parent.parent
BOT = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
# Thursday, Friday, a weekend Hugging Face lists nothing on, Monday.
DAYS = ["2026-05-21", "2026-05-22", "2026-05-23", "2026-05-24", "2026-05-25"]
ARCHIVE = ("content/papers/", "content/corrections/", "content/fetch-status.yaml")


@dataclass
class Stub:
    """What the stand-in servers answer, and every request they were sent."""

    days: dict[str, list[Any]]  # list day -> the daily_papers items Hugging Face lists
    failing: set[str] = field(default_factory=set)  # days answered with HTTP 500
    # arXiv failing. A 404 rather than a 503: it fails at once, while retries of a 503 would
    # wait arXiv's 3 seconds between requests each time.
    arxiv_down: bool = False
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@contextmanager
def serve(stub: Stub) -> Iterator[str]:
    """Serve daily_papers (`?date=D&limit=N&p=P`) and arXiv's query API; yield the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            stub.requests.append((url.path, query))
            if url.path == "/api/daily_papers":
                if query["date"] in stub.failing:
                    return self.send(500, b"Internal Server Error", "text/plain")
                limit, page = int(query.get("limit", 50)), int(query.get("p", 0))
                items = stub.days.get(query["date"], [])[page * limit : (page + 1) * limit]
                return self.send(200, json.dumps(items).encode(), "application/json")
            if url.path == "/api/query":
                if stub.arxiv_down:
                    return self.send(404, b"Not Found", "text/plain")
                feed = atom_feed(query["id_list"].split(","))
                return self.send(200, feed.encode(), "application/atom+xml")
            self.send(404, b"Not Found", "text/plain")

        def send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if status >= 500:
                self.send_header("Retry-After", "0")  # the fetcher's retries cost no time
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback(Handler) as url:
        yield url


def atom_feed(ids: list[str]) -> str:
    """An arXiv answer for ids: each one version 2, in cs.CL and cs.AI."""
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/{paper_id}v2</id><title>{paper_id}</title>"
        '<arxiv:primary_category term="cs.CL"/><category term="cs.CL"/><category term="cs.AI"/>'
        "</entry>"
        for paper_id in ids
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xmlns:arxiv="http://arxiv.org/schemas/atom">{entries}</feed>'
    )


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=repo, env=_env(), capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    # No user or system git config: no signing prompts, no identity but the ones given here.
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", **extra)
    return env


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The working tree without its archive, committed as the first commit of a new repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    repo = tmp_path / "repo"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if name.startswith(ARCHIVE) or not source.is_file():  # not the archive; not deleted
            continue
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, repo / name)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qm", "start")
    return repo


def nightly(repo: Path, base: str, since: str = DAYS[0], until: str = DAYS[-1]):
    """`make nightly` with this venv's Python (no install) and the stand-in servers."""
    fetch_args = (
        f"--since {since} --until {until} "
        f"--api-url {base}/api/daily_papers --arxiv-url {base}/api/query"
    )
    return subprocess.run(
        ["make", "--no-print-directory", "nightly", f"PY={sys.executable}"],
        cwd=repo,
        env=_env(FETCH_ARGS=fetch_args),
        capture_output=True,
        text=True,
        timeout=600,
    )


def day_file(repo: Path, day: str) -> Path:
    return repo / "content/papers" / day[:4] / day[5:7] / f"{day}.yaml"


def test_nightly_commits_fetched_days_builds_the_site_and_is_idempotent(
    corpus_days: Path, repo: Path
) -> None:
    recorded = {d: json.loads((corpus_days / f"{d}.json").read_text("utf-8")) for d in DAYS[:2]}
    recorded[DAYS[4]] = json.loads((corpus_days / f"{DAYS[4]}.json").read_text("utf-8"))
    stub = Stub(days=recorded)
    with serve(stub) as base:
        first = nightly(repo, base)
        assert first.returncode == 0, first.stdout + first.stderr
        summary = "days: 5 new, 0 changed, 0 unchanged, 2 empty, 0 failed"
        assert summary in (repo / "build/fetch-summary.txt").read_text("utf-8")

        # One commit by the bot, of content/ alone, its message carrying the day counts.
        assert git(repo, "rev-list", "--count", "HEAD") == "2"
        assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>") == f"{BOT}|{BOT}"
        assert git(repo, "log", "-1", "--format=%s") == f"Nightly fetch ({summary})"
        changed = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
        assert changed == [str(day_file(repo, d).relative_to(repo)) for d in DAYS]
        assert git(repo, "status", "--porcelain") == ""  # build/ and site/ are ignored

        # Each day holds the recorded papers, enriched from the arXiv stand-in.
        for day in DAYS:
            saved = yaml.safe_load(day_file(repo, day).read_text("utf-8"))
            ids = [item["paper"]["id"] for item in recorded.get(day, [])]
            assert [paper["id"] for paper in saved["papers"]] == ids
            assert all(paper["arxiv"]["primary_category"] == "cs.CL" for paper in saved["papers"])
        # Every day was asked for page 0 of 100 papers (no day here fills a page).
        asked = [q for path, q in stub.requests if path == "/api/daily_papers"]
        assert [(q["date"], q["limit"], q["p"]) for q in asked] == [(d, "100", "0") for d in DAYS]

        # The site is built: the home page and a day page with its papers as anchors.
        assert (repo / "site/index.html").is_file()
        page = (repo / "site/2026/05/21/index.html").read_text("utf-8")
        assert f'id="{recorded[DAYS[0]][0]["paper"]["id"]}"' in page

        head = git(repo, "rev-parse", "HEAD")
        second = nightly(repo, base)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "days: 0 new, 0 changed, 5 unchanged, 2 empty, 0 failed" in second.stdout
        assert git(repo, "rev-parse", "HEAD") == head  # nothing changed: no commit


def test_a_failed_day_still_commits_and_builds_the_others_then_fails(repo: Path) -> None:
    days = {
        DAYS[0]: [api_item("2605.21001", upvotes=9), api_item("2605.21002")],
        DAYS[1]: [api_item("2605.22001")],
        DAYS[4]: [api_item("2605.25001")],
    }
    stub = Stub(days=days, failing={DAYS[1]}, arxiv_down=True)
    with serve(stub) as base:
        result = nightly(repo, base)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output

    summary = (repo / "build/fetch-summary.txt").read_text("utf-8")
    assert "days: 4 new, 0 changed, 0 unchanged, 2 empty, 1 failed" in summary
    assert f"failed: {DAYS[1]} page 0: HTTP 500" in summary
    # arXiv being down costs the enrichment, nothing else.
    assert "warning: arXiv enrichment skipped for 3 paper(s)" in summary
    # The file the workflow reads to tell a failed fetch from a failed build, naming the day.
    failed = (repo / "build/fetch-failed.txt").read_text("utf-8").splitlines()
    assert failed[0] == "fetch exited 1; the other days were committed and built"
    assert [line[:18] for line in failed[1:]] == [f"failed: {DAYS[1]}"]

    # The other days and the failure record are committed by the bot; the site is built.
    assert git(repo, "log", "-1", "--format=%an <%ae>|%s") == (
        f"{BOT}|Nightly fetch (days: 4 new, 0 changed, 0 unchanged, 2 empty, 1 failed)"
    )
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert "content/fetch-status.yaml" in changed
    assert str(day_file(repo, DAYS[0]).relative_to(repo)) in changed
    assert not day_file(repo, DAYS[1]).exists()
    status = yaml.safe_load((repo / "content/fetch-status.yaml").read_text("utf-8"))
    assert [str(day) for day in status] == [DAYS[1]]
    assert (repo / "site/index.html").is_file()
    assert 'id="2605.21001"' in (repo / "site/2026/05/21/index.html").read_text("utf-8")
