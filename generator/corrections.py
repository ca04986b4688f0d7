"""Human corrections (content/corrections/<id>.yaml): they always win over fetched values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .models import Day, clean_text, order_paper

CORRECTION_SCHEMA_HEADER = (
    "# yaml-language-server: $schema=../../generator/schemas/correction.schema.json\n"
)


@dataclass
class Correction:
    """One contributor's fix for one paper, wherever it is listed."""

    id: str
    reason: str
    set: dict[str, Any] = field(default_factory=dict)
    hide: bool = False


def correction_from_checked(data: dict[str, Any]) -> Correction:
    """A Correction from a correction file's value that `validate` accepted."""
    return Correction(
        id=data["id"],
        reason=data["reason"],
        set={key: _clean(value) for key, value in (data.get("set") or {}).items()},
        hide=data.get("hide") is True,
    )


def apply_corrections(days: Iterable[Day], corrections: dict[str, Correction]) -> list[Day]:
    """Return the days as readers see them: corrected values set, hidden papers gone."""
    result = []
    for day in days:
        papers = []
        for paper in day.papers:
            correction = corrections.get(paper["id"])
            if correction is None:
                papers.append(paper)
            elif not correction.hide:
                papers.append(order_paper({**paper, **correction.set}))
        result.append(Day(date=day.date, papers=papers, fetched=day.fetched))
    return result


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_text(item) if isinstance(item, str) else item for item in value]
    return value
