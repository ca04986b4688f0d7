"""Site settings, read from mkdocs.yml: the one place to say where a copy of the archive lives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import BuildError

ROOT = Path(__file__).resolve().parent.parent
MKDOCS_YML = ROOT / "mkdocs.yml"


@dataclass(frozen=True)
class SiteConfig:
    """Where the site is published and where its sources live."""

    site_name: str
    site_url: str  # absolute, ending in "/": feeds and Open Graph tags need absolute links
    repo_url: str  # https://github.com/OWNER/REPO, for edit and correction links
    branch: str  # the branch content/ is edited on
    # extra.email_signup_url: a feed-to-mail service's sign-up page for the digest, if any.
    email_signup_url: str | None = None

    def url(self, path: str) -> str:
        """Absolute URL of a site path such as '2026/05/29/'."""
        return self.site_url + path.lstrip("/")

    def edit_url(self, repo_path: str) -> str:
        """GitHub's web editor on an existing file of the repository."""
        return f"{self.repo_url}/edit/{self.branch}/{repo_path}"

    def new_file_url(self, repo_path: str, text: str) -> str:
        """GitHub's web editor on a new file, prefilled with text."""
        from urllib.parse import quote

        folder, _, name = repo_path.rpartition("/")
        return (
            f"{self.repo_url}/new/{self.branch}/{quote(folder)}"
            f"?filename={quote(name)}&value={quote(text)}"
        )


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring tags such as !!python/name that only MkDocs understands."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def load_config(path: Path = MKDOCS_YML) -> SiteConfig:
    """Read the site settings from mkdocs.yml."""
    try:
        data: Any = yaml.load(path.read_text("utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise BuildError(f"{path}: expected a mapping")
    site_url = str(data.get("site_url") or "")
    repo_url = str(data.get("repo_url") or "").rstrip("/")
    if not re.match(r"^https?://[^\s]+$", site_url):
        raise BuildError(f"{path}: site_url must be the absolute http(s) URL of the site")
    if not re.match(r"^https://github\.com/[^/\s]+/[^/\s]+$", repo_url):
        raise BuildError(f"{path}: repo_url must be https://github.com/OWNER/REPO")
    parts = str(data.get("edit_uri") or "edit/main/").strip("/").split("/")
    if len(parts) < 2 or not parts[1]:  # edit/BRANCH/...: edit and correction links need it
        raise BuildError(f"{path}: edit_uri must name the branch, like edit/main/content/")
    branch = parts[1]
    extra = data.get("extra")
    signup = extra.get("email_signup_url") if isinstance(extra, dict) else None
    # Shown as a link on the home and feeds pages: an https URL without spaces or quotes only.
    if signup is not None and not (
        isinstance(signup, str) and re.match(r"^https://[^\s\"'<>]+$", signup)
    ):
        raise BuildError(f"{path}: extra.email_signup_url must be an https:// URL")
    return SiteConfig(
        site_name=str(data.get("site_name") or "Daily Papers Archive"),
        site_url=site_url.rstrip("/") + "/",
        repo_url=repo_url,
        branch=branch,
        email_signup_url=signup,
    )
