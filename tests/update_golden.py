"""Rewrite tests/golden/ from the fixture archive: `make golden`, after an intended change.

It only writes the files and says so; the golden tests (test_site.py, test_trends_site.py) compare
them. Read `git diff tests/golden` before committing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tests.helpers import GOLDEN, golden_files
from tests.test_trends_site import trends_golden


def main() -> int:
    """Write every golden file anew."""
    with tempfile.TemporaryDirectory() as work:
        files = golden_files(Path(work))
    with tempfile.TemporaryDirectory() as work:  # a wider archive: tests/test_trends_site.py
        files.update(trends_golden(Path(work)))
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for name, data in files.items():
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(files)} files into {GOLDEN}: review them with `git diff tests/golden`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
