"""Shared fixtures: the real recorded corpus beside the repository, small content trees."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
# Every skip for a missing corpus starts so: the terminal summary counts them by it.
CORPUS_SKIP = "corpus absent: "


def _corpus_or_skip(folder: Path) -> Path:
    """The corpus folder; skips when DPA_CORPUS=absent declares it absent or, locally, when
    it is missing; a missing corpus fails under CI=true."""
    shown = os.path.relpath(folder, ROOT)
    if os.environ.get("DPA_CORPUS") == "absent":
        pytest.skip(f"{CORPUS_SKIP}DPA_CORPUS=absent: {shown} not used")
    if folder.is_dir():
        return folder
    if os.environ.get("CI") == "true":
        pytest.fail(f"{folder} is missing: CI runs need ../shared beside the repository")
    pytest.skip(f"{CORPUS_SKIP}{shown} not found")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """../shared/corpus"""
    return _corpus_or_skip(CORPUS)


@pytest.fixture(scope="session")
def corpus_days(corpus_dir: Path) -> Path:
    """The recorded Hugging Face daily_papers responses, one YYYY-MM-DD.json per list day."""
    return _corpus_or_skip(corpus_dir / "hf-daily-papers" / "days")


@pytest.fixture(scope="session")
def imported(corpus_days: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A content folder holding the whole corpus, imported once per session (read-only)."""
    from generator.importer import import_dir

    content = tmp_path_factory.mktemp("imported")
    summary = import_dir(corpus_days, content)
    assert not summary.failed
    return content


# Per module, not per session: Playwright keeps a thread while it runs, and the build forks
# only when its process has one thread (generator/forked.py), so a browser left open would
# change how the tests after a browser module build.
@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright; missing Chromium fails under CI=true."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip(f"BROWSER TESTS SKIPPED: {CHROMIUM} not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _corpus_skips(terminalreporter: pytest.TerminalReporter) -> Counter[str]:
    """How many tests each corpus skip reason skipped."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        if isinstance(report.longrepr, tuple):  # (path, line, "Skipped: reason")
            reason = report.longrepr[2].removeprefix("Skipped: ")
            if reason.startswith(CORPUS_SKIP):
                reasons[reason.removeprefix(CORPUS_SKIP)] += 1
    return reasons


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Say loudly when the corpus or browser tests could not run."""
    reasons = _corpus_skips(terminalreporter)
    if reasons:
        count = sum(reasons.values())
        terminalreporter.write_line(
            f"CORPUS ABSENT: {count} test{'s' * (count != 1)} skipped ({'; '.join(reasons)})",
            yellow=True,
            bold=True,
        )
    if not CHROMIUM.exists():
        terminalreporter.write_line(
            f"BROWSER TESTS SKIPPED: {CHROMIUM} not found; run `apt-get install chromium`",
            red=True,
            bold=True,
        )
