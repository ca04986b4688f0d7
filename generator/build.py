"""`build`: content/ -> Markdown in build/docs -> `mkdocs build` -> site/."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from .content import load_days
from .corrections import apply_corrections, load_corrections
from .errors import BuildError
from .pages import generate_pages
from .sample import make_sample

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PAPERS = 400


def build_site(content: Path, site_dir: Path, build_dir: Path, config: Path) -> bool:
    """Build the whole site; return True when it was built from sample data."""
    days = load_days(content)
    sample = not any(day.papers for day in days)
    if sample:
        content = build_dir / "sample-content"
        shutil.rmtree(content, ignore_errors=True)
        make_sample(content, SAMPLE_PAPERS)
        days = load_days(content)
    days = apply_corrections(days, load_corrections(content))
    docs = build_dir / "docs"
    write_tree(docs, generate_pages(days, sample=sample))
    run_mkdocs(config, docs, site_dir, sample)
    return sample


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Replace root with exactly these files."""
    shutil.rmtree(root, ignore_errors=True)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def run_mkdocs(config: Path, docs: Path, site_dir: Path, sample: bool) -> None:
    """`mkdocs build --strict` through MkDocs' Python API."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's notice about MkDocs 2.0
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        cfg = load_config(
            str(config), docs_dir=str(docs.resolve()), site_dir=str(site_dir.resolve()), strict=True
        )
        cfg["extra"]["sample_data"] = sample
        build(cfg)
    except MkDocsException as exc:
        raise BuildError(f"mkdocs build failed: {exc}") from exc
