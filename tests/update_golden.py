"""Rewrite tests/golden/ from the fixture archive: `make golden`, after an intended change.

It only writes the files and says so; the golden test (tests/test_site.py) is what compares
them. Read `git diff tests/golden` before committing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tests.helpers import GOLDEN, golden_files


def main() -> int:
    """Write every golden file anew."""
    with tempfile.TemporaryDirectory() as work:
        files = golden_files(Path(work))
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for name, data in files.items():
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(files)} files into {GOLDEN}: review them with `git diff tests/golden`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
