"""The same bundle bytes for the same records: Pagefind's filters and sorts put in order.

Pagefind 1.5.2 writes its filters and sorts in hash-map order, which changes from run to run:
the filter files, the metadata file listing filters and sorts, and the entry file naming that
one differ between two builds of the same content. Sorting them makes the bundle, like the
rest of the site, the same bytes for the same content. Those files are gzip of
b"pagefind_dcd" + CBOR, read and written with cbor2, whose encoding is Pagefind's (minicbor's:
definite lengths, the shortest heads): each file read is checked to encode back to its bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import cbor2

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
    """The value of a Pagefind metadata or filter file."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise BuildError(f"search index: {path}: not a Pagefind file")
    encoded = data[len(SIGNATURE) :]
    try:
        value = cbor2.loads(encoded)
        # Then what is changed and written back is encoded as Pagefind would have: a file
        # with data after its value, or one Pagefind encoded otherwise, stops the build.
        same = cbor2.dumps(value) == encoded
    except cbor2.CBORError as exc:
        raise BuildError(f"search index: {path}: unreadable CBOR: {exc}") from exc
    if not same:
        raise BuildError(f"search index: {path}: cbor2 does not encode it back to its bytes")
    return value


def write_pf(folder: Path, prefix: str, value: Any, digits: int) -> str:
    """Write a value as Pagefind does, named by its content; return its hash name."""
    data = gzip.compress(SIGNATURE + cbor2.dumps(value), mtime=0)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    if folder.name == "filter":
        (folder / f"{name}.pf_filter").write_bytes(data)
    else:
        (folder / f"pagefind.{name}.pf_meta").write_bytes(data)
    return name
