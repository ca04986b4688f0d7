"""The search page, /search/, from templates/search.md.j2."""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup

# Until pages.py's Generator renders this page with every other (it has no archive to show).
from ..pages import TEMPLATES, _front_matter

FRONT: dict[str, Any] = {
    "title": "Search",
    "description": "Find any paper of the archive by words from its title, authors or abstract.",
    "hide": ["toc"],
}


def search_page() -> str:
    """The Markdown (raw HTML inside) of /search/: the form, filters, sort and results."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
    )
    env.filters["front_matter"] = lambda front: Markup(_front_matter(front))
    return env.get_template("search.md.j2").render(front=FRONT)
