"""The one-screen account of an import or fetch run."""

from __future__ import annotations

from dataclasses import dataclass, field

from .content import SaveResult


@dataclass
class Summary:
    """Counts of what a run did to content/, and every problem it met."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    empty: int = 0
    failed: list[str] = field(default_factory=list)  # one line per failed day
    warnings: list[str] = field(default_factory=list)  # skipped items, skipped enrichment
    papers_added: int = 0
    requests: int = 0
    retries: int = 0

    def record(self, result: SaveResult) -> None:
        """Count one saved day."""
        setattr(self, result.state, getattr(self, result.state) + 1)
        self.empty += not result.day.papers
        self.papers_added += result.papers_added

    def lines(self) -> list[str]:
        """The summary as short lines for the terminal."""
        lines = [
            f"days: {self.new} new, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.empty} empty, {len(self.failed)} failed",
            f"papers added: {self.papers_added}",
        ]
        if self.requests:
            lines.append(f"requests: {self.requests} ({self.retries} retries)")
        lines += [f"warning: {warning}" for warning in self.warnings]
        lines += [f"failed: {failure}" for failure in self.failed]
        return lines
