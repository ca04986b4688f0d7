"""`build`: content to a real `mkdocs build`; sample data when content is empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.__main__ import main
from generator.importer import import_dir
from tests.helpers import api_item, write_files, write_response


def _build(content: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    args = [
        "build",
        "--content",
        str(content),
        "--site-dir",
        str(site),
        "--build-dir",
        str(tmp_path / "build"),
    ]
    assert main(args) == 0
    return site


def test_empty_content_builds_from_sample_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "content"
    (empty / "papers").mkdir(parents=True)
    site = _build(empty, tmp_path)
    assert "built from generated sample data" in capsys.readouterr().out
    home = (site / "index.html").read_text("utf-8")
    assert "This site shows generated sample data, not real papers." in home
    assert list((site / "2024").rglob("index.html"))
    assert not list((empty / "papers").rglob("*.yaml")), "sample data never goes into content/"


def test_corrections_and_hostile_text_on_the_built_site(tmp_path: Path) -> None:
    hostile = "<script>alert('x')</script> {{ config.repo_url }} {% include 'x' %}"
    items = [
        api_item("2506.00001", 9, title=hostile, summary="<img src=x onerror=alert(1)>"),
        api_item("2506.00002", 5, title="Spam paper"),
        api_item("2506.00003", 3, title="Wrong title"),
    ]
    content = tmp_path / "content"
    import_dir(write_response(tmp_path / "src", "2025-06-10", items).parent, content)
    write_files(
        content,
        {
            "corrections/2506.00002.yaml": 'id: "2506.00002"\nreason: "spam"\nhide: true\n',
            "corrections/2506.00003.yaml": (
                'id: "2506.00003"\nreason: "typo"\nset:\n  title: Right\n'
            ),
        },
    )
    site = _build(content, tmp_path)
    page = (site / "2025/06/10/index.html").read_text("utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; {{ config.repo_url }}" in page
    assert "Spam paper" not in page and "Wrong title" not in page
    assert 'id="2506.00003"' in page and "</a> Right</h2>" in page
    assert "sample data" not in page
