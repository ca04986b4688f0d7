"""YAML in and out: one deterministic dump format, fast loading, atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError

# libyaml's C parser and emitter, when PyYAML was built with it (the PyPI wheels are).
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
STR_TAG = "tag:yaml.org,2002:str"

# Long strings become folded block scalars wrapped at this width, so a changed
# word in an abstract shows up as a one-line git diff rather than a 1,400-character one.
WIDTH = 88
BLOCK_THRESHOLD = 80


def _without_timestamps(resolvers: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Drop the implicit timestamp resolver: dates stay strings, as JSON Schema sees them."""
    return {
        first: [(tag, regexp) for tag, regexp in entries if tag != TIMESTAMP_TAG]
        for first, entries in resolvers.items()
    }


class Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that reads `2026-05-29` as a string, like VS Code's YAML server does."""

    yaml_implicit_resolvers = _without_timestamps(_BaseLoader.yaml_implicit_resolvers)


class Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Safe dumper that writes date strings unquoted (they load back as strings above)."""

    yaml_implicit_resolvers = _without_timestamps(_BaseDumper.yaml_implicit_resolvers)


def _represent_str(dumper: yaml.BaseDumper, text: str) -> yaml.ScalarNode:
    # Prose only: a long URL stays one plain line, since folding it helps no diff.
    if "\n" in text or (len(text) > BLOCK_THRESHOLD and " " in text):
        return dumper.represent_scalar(STR_TAG, text, style=">")
    return dumper.represent_scalar(STR_TAG, text)


Dumper.add_representer(str, _represent_str)


def dump(data: Any, header: str = "") -> str:
    """Serialise data to YAML text; the same data always gives the same text."""
    body = yaml.dump(
        data,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=WIDTH,
        default_flow_style=False,
        indent=2,
    )
    return header + body


def loads(text: str, source: str = "<string>") -> Any:
    """Parse YAML text; a syntax error becomes a ContentError naming source, line and column."""
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ContentError(f"{where}: YAML syntax error: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{source}: YAML error: {exc}") from exc


def read(path: Path) -> Any:
    """Load one YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"{path}: not valid UTF-8 (byte {exc.start})") from exc
    except OSError as exc:
        raise ContentError(f"{path}: cannot read: {exc.strerror}") from exc
    return loads(text, str(path))


def write_atomic(path: Path, text: str) -> bool:
    """Write text to path unless it already holds exactly that; return whether it changed.

    The text goes to a temporary file in the same directory, is flushed to disk, then
    renamed over the target, so a process killed at any moment leaves the old file or
    the new one, never a truncated mix.
    """
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ContentError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ContentError(f"{path}: cannot write: {exc.strerror}") from exc
    return True
