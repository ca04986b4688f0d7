"""The check cache: a day file's checked value kept between builds, named by its bytes.

Parsing and checking day files is most of loading them (10 s at 30,000 papers); most nights
change a dozen of them. A file whose path and bytes hash to a name found here was checked by
the same code before and had no problem, so its value is read back instead. The name also
covers the code and schemas that check, so a change to them checks every file afresh. The
cache is only a shortcut: a missing or unreadable entry costs time, nothing more.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
# The code a day file's checked value comes from, and the packages it calls.
CODE = ("validate.py", "yamlfile.py", "models.py", "checkcache.py")
PACKAGES = ("PyYAML", "fastjsonschema", "jsonschema")


@cache
def _code() -> bytes:
    digest = hashlib.sha256(sys.version.encode())
    for package in PACKAGES:
        try:
            digest.update(f"\n{package} {version(package)}".encode())
        except PackageNotFoundError:
            digest.update(f"\n{package} -".encode())
    for path in [*(HERE / name for name in CODE), *sorted((HERE / "schemas").glob("*.json"))]:
        digest.update(f"\n{path.name}\n".encode() + path.read_bytes())
    return digest.digest()


def name(path: Path, raw: bytes) -> str:
    """The entry's name for a day file: its place under content/ (the checks read it), its
    bytes and the checking code."""
    place = "/".join(path.parts[-3:]).encode()
    return hashlib.sha256(_code() + place + b"\0" + raw).hexdigest()


@dataclass
class CheckCache:
    """One build's use of the cache: the entries it read and the values it checked anew."""

    folder: Path
    used: set[str] = field(default_factory=set)
    fresh: dict[str, Any] = field(default_factory=dict)  # name -> a value checked without problem

    def get(self, entry: str) -> Any | None:
        """The value kept under this name, or None."""
        try:
            value = json.loads((self.folder / f"{entry}.json").read_bytes())
        except (OSError, ValueError):
            return None
        self.used.add(entry)
        return value

    def put(self, entry: str, value: Any) -> None:
        """A value checked without problem, kept by save()."""
        self.fresh[entry] = value
        self.used.add(entry)

    def save(self) -> None:
        """Write the new entries and drop those this build did not use."""
        with contextlib.suppress(OSError):  # costs the next build time, nothing more
            self.folder.mkdir(parents=True, exist_ok=True)
            for entry, value in self.fresh.items():
                partial = self.folder / f".{entry}.partial"  # an entry is whole or absent
                partial.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
                partial.replace(self.folder / f"{entry}.json")
            for old in self.folder.iterdir():
                if old.stem not in self.used:
                    old.unlink()
        self.fresh.clear()
