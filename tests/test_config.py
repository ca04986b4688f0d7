"""Site settings from mkdocs.yml: what is read, what is normalised, what is refused and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import MKDOCS_YML, SiteConfig, load_config
from generator.errors import BuildError

GOOD = "site_url: https://example.org/dpa\nrepo_url: https://github.com/owner/repo\n"


def _load(tmp_path: Path, text: str) -> SiteConfig:
    path = tmp_path / "mkdocs.yml"
    path.write_text(text, "utf-8")
    return load_config(path)


def test_the_repository_settings() -> None:
    config = load_config()
    assert config == load_config(MKDOCS_YML)
    assert config.site_url.startswith("https://") and config.site_url.endswith("/")
    assert config.repo_url.startswith("https://github.com/")
    assert (config.site_name, config.branch) == ("Daily Papers Archive", "main")


def test_urls_are_normalised_and_defaults_filled(tmp_path: Path) -> None:
    config = _load(
        tmp_path, "site_url: https://example.org/dpa\nrepo_url: https://github.com/o/r/\n"
    )
    assert config == SiteConfig(
        site_name="Daily Papers Archive",
        site_url="https://example.org/dpa/",  # one slash at the end, always
        repo_url="https://github.com/o/r",  # none at the end
        branch="main",
    )
    again = _load(
        tmp_path, "site_url: https://example.org/dpa///\nrepo_url: https://github.com/o/r\n"
    )
    assert again.site_url == "https://example.org/dpa/"


def test_tags_only_mkdocs_understands_are_ignored_never_run(tmp_path: Path) -> None:
    text = GOOD + (
        "site_name: My papers\n"
        "markdown_extensions:\n"
        "- pymdownx.emoji:\n"
        "    emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        f"    emoji_generator: !!python/object/apply:os.mkdir ['{tmp_path / 'made'}']\n"
    )
    assert _load(tmp_path, text).site_name == "My papers"
    assert not (tmp_path / "made").exists()


@pytest.mark.parametrize(
    ("edit_uri", "branch"),
    [
        ("edit/main/content/", "main"),
        ("edit/dev/content/", "dev"),
        ("/edit/gh-pages/", "gh-pages"),
        ("blob/trunk/docs", "trunk"),
        ("", "main"),
    ],
)
def test_the_branch_comes_from_edit_uri(tmp_path: Path, edit_uri: str, branch: str) -> None:
    assert _load(tmp_path, GOOD + f"edit_uri: '{edit_uri}'\n").branch == branch


@pytest.mark.parametrize("edit_uri", ["edit/", "edit", "/"])
def test_an_edit_uri_without_a_branch_is_refused_by_name(tmp_path: Path, edit_uri: str) -> None:
    with pytest.raises(BuildError, match="edit_uri must name the branch"):
        _load(tmp_path, GOOD + f"edit_uri: {edit_uri}\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "expected a mapping"),
        ("site_url: [\n", "cannot read"),
        ("repo_url: https://github.com/o/r\n", "site_url must be the absolute http(s) URL"),
        ("site_url: /dpa/\nrepo_url: https://github.com/o/r\n", "site_url must be"),
        ("site_url: https://e.org/a b\nrepo_url: https://github.com/o/r\n", "site_url must be"),
        ("site_url: https://e.org/\n", "repo_url must be https://github.com/OWNER/REPO"),
        ("site_url: https://e.org/\nrepo_url: https://gitlab.com/o/r\n", "repo_url must be"),
        ("site_url: https://e.org/\nrepo_url: https://github.com/o\n", "repo_url must be"),
        ("site_url: https://e.org/\nrepo_url: https://github.com/o/r/tree/x\n", "repo_url must"),
    ],
)
def test_bad_settings_are_refused_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BuildError) as error:
        _load(tmp_path, text)
    assert str(error.value).startswith(f"{tmp_path / 'mkdocs.yml'}: {message}")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"missing\.yml: cannot read: .*No such file"):
        load_config(tmp_path / "missing.yml")


def test_site_and_github_urls() -> None:
    config = SiteConfig("Archive", "https://example.org/dpa/", "https://github.com/o/r", "dev")
    assert config.url("2026/05/29/") == "https://example.org/dpa/2026/05/29/"
    assert config.url("/feed.xml") == "https://example.org/dpa/feed.xml"
    assert config.url("") == "https://example.org/dpa/"
    assert config.edit_url("content/topics.yml") == (
        "https://github.com/o/r/edit/dev/content/topics.yml"
    )
    text = 'id: "2506.00001"\nreason: a & b #1?\n'
    assert config.new_file_url("content/corrections/2506.00001.yaml", text) == (
        "https://github.com/o/r/new/dev/content/corrections"
        "?filename=2506.00001.yaml"
        "&value=id%3A%20%222506.00001%22%0Areason%3A%20a%20%26%20b%20%231%3F%0A"
    )


def test_an_email_signup_url_is_read_from_extra_and_must_be_https(tmp_path: Path) -> None:
    assert _load(tmp_path, GOOD).email_signup_url is None
    url = "https://buttondown.com/daily-papers"
    text = GOOD + f"extra:\n  sample_data: false\n  email_signup_url: {url}\n"
    assert _load(tmp_path, text).email_signup_url == url
    for bad in ("http://example.org/signup", "javascript:alert(1)", "'https://a b'", "[1]"):
        with pytest.raises(BuildError, match="email_signup_url must be an https:// URL"):
            _load(tmp_path, GOOD + f"extra:\n  email_signup_url: {bad}\n")
