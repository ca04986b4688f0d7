"""The same bundle bytes for the same records: Pagefind's filters and sorts put in order.

Pagefind 1.5.2 writes its filters and sorts in hash-map order, which changes from run to run:
the filter files, the metadata file listing filters and sorts, and the entry file naming that
one differ between two builds of the same content. Sorting them makes the bundle, like the
rest of the site, the same bytes for the same content. Those files are gzip of
b"pagefind_dcd" + CBOR; the few CBOR types they use are read and written below (RFC 8949;
re-encoding an unchanged file gives Pagefind's bytes back).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import BuildError

SIGNATURE = b"pagefind_dcd"


def make_reproducible(bundle: Path) -> None:
    """Sort a bundle's filters, filter values and sorts; rename the files that changed."""
    entry_file = bundle / "pagefind-entry.json"
    entry = json.loads(entry_file.read_text("utf-8"))
    for language in entry["languages"].values():
        meta_file = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = read_pf(meta_file)
        if not (isinstance(meta, list) and len(meta) > 4 and isinstance(meta[3], list)):
            raise BuildError(f"search index: {meta_file}: not the Pagefind 1.5 format")
        prefix = language["hash"].partition("_")[0]
        listed = []
        for name, old in sorted(meta[3]):
            old_file = bundle / "filter" / f"{old}.pf_filter"
            key, values = read_pf(old_file)
            old_file.unlink()
            listed.append([name, write_pf(bundle / "filter", prefix, [key, sorted(values)], 7)])
        meta[3] = listed  # [[filter, file]], by filter name
        meta[4] = sorted(meta[4])  # [[sort, page order]], by sort name
        meta_file.unlink()
        language["hash"] = write_pf(bundle, prefix, meta, 10)
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    entry_file.write_text(text, encoding="utf-8")


def read_pf(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise BuildError(f"search index: {path}: not a Pagefind file")
    value, end = _from_cbor(data, len(SIGNATURE))
    if end != len(data):
        raise BuildError(f"search index: {path}: unexpected data after its CBOR value")
    return value


def write_pf(folder: Path, prefix: str, value: Any, digits: int) -> str:
    """Write a value as Pagefind does, named by its content; return its hash name."""
    data = gzip.compress(SIGNATURE + _to_cbor(value), mtime=0)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    if folder.name == "filter":
        (folder / f"{name}.pf_filter").write_bytes(data)
    else:
        (folder / f"pagefind.{name}.pf_meta").write_bytes(data)
    return name


def _from_cbor(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info >= 24:
        if info > 27:
            raise BuildError(f"search index: CBOR {major}/{info} at byte {at} is not supported")
        size = 1 << (info - 24)
        number, at = int.from_bytes(data[at : at + size], "big"), at + size
    else:
        number = info
    if major == 0:
        return number, at
    if major in (2, 3):
        raw = data[at : at + number]
        return (raw.decode("utf-8") if major == 3 else raw), at + number
    if major == 4:
        items = []
        for _ in range(number):
            item, at = _from_cbor(data, at)
            items.append(item)
        return items, at
    raise BuildError(f"search index: CBOR {major}/{info} at byte {at} is not supported")


def _to_cbor(value: Any) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int | str | bytes | list):
        raise BuildError(f"search index: cannot write {type(value).__name__} as CBOR")
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, str | bytes):
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return _cbor_head(3 if isinstance(value, str) else 2, len(raw)) + raw
    return _cbor_head(4, len(value)) + b"".join(_to_cbor(item) for item in value)


def _cbor_head(major: int, number: int) -> bytes:
    if number < 24:
        return bytes([major << 5 | number])
    size = next(size for size in (1, 2, 4, 8) if number < 1 << (8 * size))
    return bytes([major << 5 | (24 + size.bit_length() - 1)]) + number.to_bytes(size, "big")
