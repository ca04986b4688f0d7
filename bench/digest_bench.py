"""Digest e-mail benchmark: the corpus's digests by size, vnu on their HTML, Chromium screenshots.

    .venv/bin/python bench/digest_bench.py                          # import the real corpus
    .venv/bin/python bench/digest_bench.py --content content --shots build/digest-shots

Renders the digest of every list day the digest feed publishes and of every finished week the
weekly feed publishes (as `python -m generator digest` does, with the repository's mkdocs.yml
and the content's digest.yml), reports their sizes against the 100 KB limit, runs the Nu HTML
Checker (vnu, the pinned npm vnu-jar of bench/page_bench.py) on the HTML part of the largest
daily and weekly digest, and saves Chromium screenshots of the largest daily digest at 375 px,
light and dark. Prints Markdown; not a timed test.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.page_bench import CORPUS, FETCHED, TOOLS, install_tools, machine, run_vnu
from generator.digest import MAX_BYTES, Digest, load_inputs, make_digest_for, published

ROOT = Path(__file__).resolve().parent.parent


def html_part(digest: Digest) -> str:
    """The digest's HTML part, decoded."""
    message = email.message_from_bytes(digest.data, policy=email.policy.default)
    part = message.get_body(("html",))  # type: ignore[attr-defined]
    assert part is not None
    return str(part.get_content())


def screenshots(html: Path, out: Path) -> list[str]:
    """The HTML in Chromium at 375 px, light and dark: the PNGs' paths and text colours."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    lines = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": 375, "height": 900}, color_scheme=scheme)
            page.goto(html.as_uri())
            png = out / f"digest-{scheme}.png"
            page.screenshot(path=str(png))
            colours = page.evaluate(
                "[getComputedStyle(document.body).color,"
                " getComputedStyle(document.querySelector('a')).color]"
            )
            lines.append(f"{scheme}: {png} (text {colours[0]}, links {colours[1]})")
            page.close()
        browser.close()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, help="content to use (default: import the corpus)")
    parser.add_argument("--shots", type=Path, default=ROOT / "build" / "digest-shots")
    parser.add_argument("--tools", type=Path, default=TOOLS, help="npm tools (vnu-jar)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        content = args.content
        if content is None:
            content = Path(work) / "content"
            command = [sys.executable, "-m", "generator", "import", str(CORPUS)]
            command += ["--content", str(content), "--fetched", FETCHED]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
            (content / "topics.yml").write_bytes((ROOT / "content" / "topics.yml").read_bytes())
        archive, config, settings = load_inputs(content, ROOT / "mkdocs.yml")
        digests: dict[str, list[Digest]] = {}
        for weekly in (False, True):
            keys = [item.key for item in published(archive, config, weekly)]
            kind = "weekly" if weekly else "daily"
            digests[kind] = [make_digest_for(archive, config, settings, key) for key in keys]
        install_tools(args.tools)
        print(f"# Digest e-mails\n\n{machine()}\n")
        print("| digests | how many | median bytes | largest | papers listed in it | cut to fit |")
        print("|---|---|---|---|---|---|")
        largest: dict[str, Digest] = {}
        for kind, made in digests.items():
            if not made:
                continue
            largest[kind] = max(made, key=lambda digest: len(digest.data))
            cut = sum(
                digest.shown < min(digest.total, 10 if kind == "weekly" else 10**9)
                for digest in made
            )
            big = largest[kind]
            print(
                f"| {kind} | {len(made)} | {statistics.median(len(d.data) for d in made):,.0f} "
                f"| {len(big.data):,} ({big.key}) | {big.shown} of {big.total} | {cut} |"
            )
        print(f"\nLimit: {MAX_BYTES:,} bytes per message (headers and both parts).\n")
        files = []
        for kind, digest in largest.items():
            path = Path(work) / f"{kind}.html"
            path.write_text(html_part(digest), encoding="utf-8")
            files.append(path)
        messages = run_vnu(args.tools, files)
        print(
            f"vnu on the HTML part of the largest daily and weekly digest: {len(messages)} messages"
        )
        for message in messages:
            print(f"- {message.get('type')}: {message.get('message')}")
        for line in screenshots(files[0], args.shots):
            print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
