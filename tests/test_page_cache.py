"""The page cache: MkDocs builds only pages whose source changed, and the site is the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import PAGE_CACHE, build_site
from tests.helpers import fixture_content

ROOT = Path(__file__).resolve().parent.parent
DAY = Path("2025/06/10/index.html")  # a day the tests below leave alone
CHANGED = Path("2025/06/09/index.html")


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _cached(build: Path) -> list[Path]:
    (folder,) = (build / PAGE_CACHE).iterdir()  # one theme, hooks and packages: one folder
    return sorted(folder.iterdir())


def _retitle(content: Path) -> None:
    day = content / "papers/2025/06/2025-06-09.yaml"
    text = day.read_text("utf-8")
    assert "title: Agents that plan" in text
    day.write_text(text.replace("title: Agents that plan", "title: Agents that replan"), "utf-8")
    # A later fetch of the newest day: the build's date (SOURCE_DATE_EPOCH) moves too, as it
    # does every night, and no cached page may carry the old one.
    newest = content / "papers/2025/06/2025-06-12.yaml"
    text = newest.read_text("utf-8")
    assert "\nfetched:" not in text
    newest.write_text(
        text.replace("status: listed\n", "status: listed\nfetched: 2025-06-20\n"), "utf-8"
    )
    assert "fetched: 2025-06-20" in newest.read_text("utf-8")


def test_a_cached_build_is_the_site_a_cold_build_makes(tmp_path: Path) -> None:
    content = fixture_content(tmp_path / "fixture")
    site, build, config = tmp_path / "site", tmp_path / "build", ROOT / "mkdocs.yml"
    build_site(content, site, build, config)
    pages = {p.relative_to(site) for p in site.rglob("index.html")}
    assert len(_cached(build)) == len(pages)  # every page once
    unchanged = (site / DAY).stat().st_ino

    _retitle(content)
    build_site(content, site, build, config)
    cold = tmp_path / "cold"
    build_site(content, cold / "site", cold / "build", config)
    assert _files(site) == _files(cold / "site")  # byte for byte, every file
    assert "Agents that replan" in (site / CHANGED).read_text("utf-8")
    assert (site / DAY).stat().st_ino == unchanged  # taken from the cache, not built again
    assert (site / CHANGED).stat().st_ino != unchanged
    # The cache holds this build's pages only: the day's old page has gone from it.
    assert len(_cached(build)) == len(_cached(cold / "build"))


def test_a_theme_change_builds_every_page_again(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", config_dir / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", config_dir / "overrides")
    (config_dir / "generator").symlink_to(ROOT / "generator")  # the hooks, by their path
    config = config_dir / "mkdocs.yml"
    content = fixture_content(tmp_path / "fixture")
    site, build = tmp_path / "site", tmp_path / "build"
    build_site(content, site, build, config)
    before = (site / DAY).stat().st_ino
    old = (build / PAGE_CACHE).iterdir().__next__().name

    main_html = config_dir / "overrides" / "main.html"
    main_html.write_text(main_html.read_text("utf-8") + "\n{# changed #}\n", "utf-8")
    build_site(content, site, build, config)
    assert (site / DAY).stat().st_ino != before  # built again with the new theme
    assert [p.name for p in (build / PAGE_CACHE).iterdir()] != [old]  # the old cache is gone
    assert len(list((build / PAGE_CACHE).iterdir())) == 1


def test_a_page_whose_cache_entry_is_gone_is_built(tmp_path: Path) -> None:
    content = fixture_content(tmp_path / "fixture")
    site, build, config = tmp_path / "site", tmp_path / "build", ROOT / "mkdocs.yml"
    build_site(content, site, build, config)
    expected = (site / DAY).read_bytes()
    for cached in _cached(build):
        cached.unlink()  # lost between runs (an Actions cache restored in part, say)
    build_site(content, site, build, config)
    assert (site / DAY).read_bytes() == expected
    assert len(_cached(build)) == len(list(site.rglob("index.html")))


def test_day_pages_come_from_the_render_cache_and_follow_their_neighbours(
    tmp_path: Path,
) -> None:
    content = fixture_content(tmp_path / "fixture")
    site, build, config = tmp_path / "site", tmp_path / "build", ROOT / "mkdocs.yml"
    build_site(content, site, build, config)
    rendered = {p.name: p.stat().st_mtime_ns for p in (build / "render-cache").iterdir()}
    assert len(rendered) == 3 + 2  # one per day with papers, one per topic and month

    # A new day after the newest: the newest page gains a "next" link, the others stay.
    newest = content / "papers/2025/06/2025-06-12.yaml"
    text = newest.read_text("utf-8").replace("date: 2025-06-12", "date: 2025-06-13")
    (content / "papers/2025/06/2025-06-13.yaml").write_text(text, "utf-8")
    build_site(content, site, build, config)
    cold = tmp_path / "cold"
    build_site(content, cold / "site", cold / "build", config)
    assert _files(site) == _files(cold / "site")
    assert 'rel="next"' in (site / "2025/06/12/index.html").read_text("utf-8")
    now = {p.name: p.stat().st_mtime_ns for p in (build / "render-cache").iterdir()}
    assert len(now) == 4 + 2
    # 06-09 and 06-10 read back, and the topic pages, whose papers are as they were.
    assert len(set(now.items()) & set(rendered.items())) == 2 + 2
    # The days' open data likewise: a JSON file per day, a .bib per day with papers, and
    # each day's compressed part of data/archive.json.gz (byte for byte as a cold build's).
    assert len(list((build / "data-cache").iterdir())) == 5 + 4 + 5

    # A damaged entry is rendered again, not shown.
    for entry in (build / "render-cache").iterdir():
        entry.write_bytes(entry.read_bytes().replace(b"Agents", b"Agenst"))
    build_site(content, site, build, config)
    assert _files(site) == _files(cold / "site")


def test_older_topic_months_stay_as_they_were_when_the_topic_grows(tmp_path: Path) -> None:
    from generator.importer import import_dir
    from tests.helpers import api_item, write_response
    from tests.test_trends_site import trends_content

    content = trends_content(tmp_path / "fixture")
    site, build, config = tmp_path / "site", tmp_path / "build", ROOT / "mkdocs.yml"
    build_site(content, site, build, config)
    front = site / "topics/agents/index.html"
    older = sorted((site / "topics/agents").glob("????-??/index.html"))
    assert len(older) == 7  # the agents of 2023 to May 2025; June is the front page
    assert "9 papers in all" in front.read_text("utf-8")
    assert "assets/charts.css" in front.read_text("utf-8")
    for page in older:
        html = page.read_text("utf-8")
        # What grows every night is on the front page only: this page can stay as it was.
        assert "in all" not in html and "dpa-spark" not in html, page
        assert "assets/charts.css" not in html, page  # no chart, no chart styles
        assert '<a href="../">The newest papers, every month' in html, page
        assert '<a href="../">Jun 2025</a>' in html, page  # the newest month, without its count
    inodes = {page: page.stat().st_ino for page in older}

    # A new agents paper on a new day of the newest month.
    item = api_item("2506.00009", 4, title="Agents that learn")
    import_dir(write_response(tmp_path / "new" / "13", "2025-06-13", [item]).parent, content)
    build_site(content, site, build, config)
    cold = tmp_path / "cold"
    build_site(content, cold / "site", cold / "build", config)
    assert _files(site) == _files(cold / "site")
    assert "10 papers in all" in front.read_text("utf-8")
    assert {page: page.stat().st_ino for page in older} == inodes  # not rendered or built again


def test_render_cache_names_hold_from_one_process_to_the_next(tmp_path: Path) -> None:
    # Each night is a new process, with its own string hashing: a name made from a set's repr
    # (a topic's rules) would differ every night and nothing would be read back.
    import os
    import subprocess
    import sys

    from tests.test_trends_site import trends_content

    content = trends_content(tmp_path / "fixture")
    topics = content / "topics.yml"  # a rule of several keywords: a frozenset
    text = topics.read_text("utf-8")
    assert "    keywords: [Robot-Manipulation]" in text
    keywords = "    keywords: [Robot-Manipulation, robot hands, grasping, humanoid, locomotion]"
    topics.write_text(text.replace("    keywords: [Robot-Manipulation]", keywords), "utf-8")
    names = []
    for seed in ("1", "2"):
        command = [sys.executable, "-m", "generator", "build", "--content", str(content)]
        command += ["--site-dir", str(tmp_path / "site"), "--build-dir", str(tmp_path / "build")]
        command += ["--config", str(ROOT / "mkdocs.yml")]
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(command, check=True, cwd=ROOT, env=env, capture_output=True)
        names.append({p.name for p in (tmp_path / "build/render-cache").iterdir()})
    assert len(names[0]) > 10 and names[1] == names[0]


def test_the_search_code_and_packages_leave_the_render_cache_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new Pagefind or indexer makes the build cold for the search index only (issue 20):
    # the pages, days' data and topics rendered before stay valid.
    from generator import rendercache

    code = tmp_path / "generator"
    shutil.copytree(rendercache.CODE, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(rendercache, "CODE", code)
    monkeypatch.setattr(rendercache, "SEARCH_CODE", code / "search")
    fingerprint = rendercache.code_fingerprint.__wrapped__

    before = fingerprint()
    indexer = code / "search" / "index.py"
    indexer.write_text(indexer.read_text("utf-8") + "\n# a change to the indexer\n", "utf-8")
    assert fingerprint() == before
    template = code / "templates" / "day.md.j2"
    template.write_text(template.read_text("utf-8") + "\n", "utf-8")
    assert fingerprint() != before

    class Found:
        def __init__(self, name: str, version: str) -> None:
            self.metadata, self.version = {"Name": name}, version

    installed: list[Found] = []
    monkeypatch.setattr(rendercache, "distributions", lambda: installed)
    for name, changes in (("pagefind_bin", False), ("cbor2", False), ("Jinja2", True)):
        installed[:] = [Found(name, "1.0")]
        old = fingerprint()
        installed[:] = [Found(name, "2.0")]
        assert (fingerprint() != old) is changes, name
