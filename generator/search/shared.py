"""One pagefind.js and one WebAssembly for every year's bundle.

Each year's bundle has the same pagefind.js and wasm.en.pagefind (Pagefind writes them with
every index). The browser needs them once: pagefind/pagefind.js, with PagefindInstance exported
(Pagefind 1.5.2 exports only its public API, whose instances each fetch the WebAssembly from
their own folder), and pagefind/wasm.en.pagefind. Applied only to the pagefind.js checked;
otherwise the years keep their own copies and search.js loads each (dpa-search.json's shared).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

SHARED = ("pagefind.js", "wasm.en.pagefind")
CHECKED_JS = "252d272bd34d483d19a752060f6a065114d15ab12c42d8f905ca565e2768a009"  # 1.5.2
EXPORT = b"\nexport{PagefindInstance as DpaPagefindInstance};\n"


def share_runtime(bundle: Path, years: list[str]) -> bool:
    """Write the shared pagefind.js and WebAssembly; drop the years' copies. False: left as is."""
    if not years:
        return False
    first = bundle / years[0]
    js = (first / "pagefind.js").read_bytes()
    if hashlib.sha256(js).hexdigest() != CHECKED_JS or js.count(b"var PagefindInstance=class") != 1:
        return False
    for year in years:
        for name in SHARED:
            if (bundle / year / name).read_bytes() != (first / name).read_bytes():
                return False
    (bundle / "pagefind.js").write_bytes(js + EXPORT)
    shutil.copyfile(first / "wasm.en.pagefind", bundle / "wasm.en.pagefind")
    for year in years:
        for name in SHARED:
            os.unlink(bundle / year / name)  # a hard link to the cache's copy at most
    return True
