"""Human corrections (content/corrections/<id>.yaml): they always win over fetched values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import clean_text

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


def corrected(paper: dict[str, Any], corrections: dict[str, Correction]) -> dict[str, Any] | None:
    """A checked paper mapping as readers see it: corrected values set; None when hidden."""
    correction = corrections.get(paper["id"])
    if correction is None:
        return paper
    return None if correction.hide else {**paper, **correction.set}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_text(item) if isinstance(item, str) else item for item in value]
    return value
