"""Human corrections (content/corrections/<id>.yaml): they always win over fetched values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlfile
from .errors import ContentError
from .models import CORRECTABLE_FIELDS, Day, clean_text, order_paper

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


def correction_paths(content: Path) -> list[Path]:
    """Every correction file, sorted by name."""
    folder = content / "corrections"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def correction_from_data(data: Any, source: str) -> Correction:
    """Build a Correction from a loaded file; problems name the file."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise ContentError(f"{source}: expected a mapping with an 'id'")
    values = data.get("set") or {}
    unknown = sorted(set(values) - set(CORRECTABLE_FIELDS)) if isinstance(values, dict) else []
    if not isinstance(values, dict) or unknown:
        raise ContentError(f"{source}: 'set' has fields that cannot be corrected: {unknown}")
    return Correction(
        id=data["id"],
        reason=str(data.get("reason") or ""),
        set={key: _clean(value) for key, value in values.items()},
        hide=data.get("hide") is True,
    )


def load_corrections(content: Path) -> dict[str, Correction]:
    """Read every correction, keyed by paper id."""
    corrections = {}
    for path in correction_paths(content):
        correction = correction_from_data(yamlfile.read(path), str(path))
        corrections[correction.id] = correction
    return corrections


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
