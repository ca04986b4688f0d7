"""The topic cache: each paper's topics as matching gives them, read back where nothing changed."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from generator import topiccache
from generator.archive import Archive, load_archive
from generator.sample import make_sample

ROOT = Path(__file__).resolve().parent.parent


def _sample(tmp_path: Path) -> Archive:
    make_sample(tmp_path / "content", 600)
    shutil.copy(ROOT / "content" / "topics.yml", tmp_path / "content" / "topics.yml")
    return load_archive(tmp_path / "content")


def _matched(archive: Archive) -> dict[str, list[str]]:
    papers = list(archive.papers.values())
    return dict(zip(archive.papers, archive.match_topics(papers), strict=True))


def test_cached_topics_are_the_matched_ones_and_follow_each_change(tmp_path: Path) -> None:
    archive, folder = _sample(tmp_path), tmp_path / "topic-cache"
    expected = _matched(archive)
    assert sum(map(len, expected.values())) > 300
    assert list(topiccache.paper_topics(archive, folder).items()) == list(expected.items())
    (kept,) = folder.iterdir()
    assert len(json.loads(kept.read_bytes())) == len(archive.papers)

    # Read back: a wrong entry planted in the file is what comes out, so nothing was matched.
    names = json.loads(kept.read_bytes())
    first = next(iter(archive.papers))
    planted = archive.topics[-1].slug
    names[topiccache._seen(archive.papers[first])] = [planted]
    kept.write_text(json.dumps(names), "utf-8")
    assert topiccache.paper_topics(archive, folder)[first] == [planted]
    assert planted not in expected[first]

    # A paper whose title changes is matched again; the others are read back.
    number = max(i for i, d in enumerate(archive.days) if d.papers)  # its papers' latest listing
    day = archive.days[number]
    paper = day.papers[0]
    retitled = dataclasses.replace(paper, title="Robot manipulation with vision-language-action")
    archive.days[number] = dataclasses.replace(day, papers=(retitled, *day.papers[1:]))
    del archive.papers  # a cached property, made again from the days
    topics = topiccache.paper_topics(archive, folder)
    assert topics[paper.id] == archive.match_topics([retitled])[0]
    assert "robotics" in topics[paper.id]

    # Other rules: another file, every paper matched again, the old file gone.
    archive.topics = archive.topics[:3]
    fewer = topiccache.paper_topics(archive, folder)
    assert fewer == _matched(archive)
    assert len(list(folder.iterdir())) == 1 and next(folder.iterdir()) != kept


def test_a_damaged_or_missing_file_is_matched_again(tmp_path: Path) -> None:
    archive, folder = _sample(tmp_path), tmp_path / "topic-cache"
    expected = _matched(archive)
    topiccache.paper_topics(archive, folder)
    (kept,) = folder.iterdir()
    first = topiccache._seen(next(iter(archive.papers.values())))
    for damage in (b"{not json", b"[]", b"", json.dumps({first: "robotics"}).encode()):
        kept.write_bytes(damage)
        assert topiccache.paper_topics(archive, folder) == expected
    shutil.rmtree(folder)
    folder.write_text("a file where the folder was", "utf-8")  # not even writable
    assert topiccache.paper_topics(archive, folder) == expected
