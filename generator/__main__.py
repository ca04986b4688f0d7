"""Command line: python -m generator <command> [--help]."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ArchiveError, ContentError, MailError

if TYPE_CHECKING:
    from .topics import Topic

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = ROOT / "content"


def cmd_import(args: argparse.Namespace) -> int:
    """Import recorded API responses."""
    from .importer import import_dir

    summary = import_dir(args.directory, args.content, fetched=args.fetched)
    for line in summary.lines():
        print(line)
    return 1 if summary.failed else 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch list days from the Hugging Face API (and arXiv with --arxiv)."""
    from .fetch import Options, choose_days, fetch
    from .http_client import make_client, user_agent

    options = Options(arxiv=args.arxiv, progress=args.since is not None or args.gaps)
    options.user_agent = user_agent()  # read from mkdocs.yml now, not when a module is imported
    options.api_url = args.api_url or options.api_url
    options.arxiv_url = args.arxiv_url or options.arxiv_url
    mode = {"day": args.date, "since": args.since, "until": args.until, "gaps": args.gaps}
    days = choose_days(args.content, options.today, **mode)
    with make_client(options.user_agent) as client:
        summary = fetch(client, args.content, days, options)
    for line in summary.lines():
        print(line)
    return 1 if summary.failed else 0


def _escape(text: str, chars: str = "%\r\n") -> str:
    # GitHub's workflow-command escaping: message data escapes %, CR and LF; property
    # values (file=...) also the "," and ":" that would end them.
    return "".join(f"%{ord(c):02X}" if c in chars else c for c in text)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every content file."""
    from .validate import validate

    problems = validate(args.content)
    for problem in problems:
        print(problem)
        if args.format == "github":  # an annotation on the line, in the pull request's diff
            path = _escape(problem.path, "%\r\n,:")
            where = f"file={path},line={problem.line},col={problem.column}"
            print(f"::error {where}::{_escape(problem.message)}")
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("content is valid", file=sys.stderr)
    return 0


# `topics` on content that holds none of the gold set's papers (a copy without the imported
# corpus): nothing can be scored. Its own status, so that CI can tell it from a real failure.
NO_GOLD_PAPERS = 3


def cmd_topics(args: argparse.Namespace) -> int:
    """Score topics.yml's rules (and --before's) on the gold set; 1: a topic under its floor."""
    from .archive import load_archive
    from .topic_quality import (
        HALVES,
        Score,
        below_floors,
        change_tables,
        compare,
        load_floors,
        load_gold,
        score,
        table,
    )

    archive = load_archive(args.content)
    old = _topics_file(args.before) if args.before else None
    judgements = load_gold(args.gold)
    judged = {j.id for j in judgements}
    missing = judged - archive.papers.keys()
    if judged and missing == judged:  # not the archive the gold set was drawn from
        print(
            f"error: {args.content} holds none of the {len(judged)} papers of the gold set: "
            "nothing to score (CONTRIBUTING.md says how to import the corpus)",
            file=sys.stderr,
        )
        return NO_GOLD_PAPERS
    if missing:  # the gold set's papers come from ../shared/corpus: CONTRIBUTING.md says how
        raise ArchiveError(
            f"{args.content}: {len(missing)} papers of the gold set are not there (such as "
            f"{min(missing)}); score on content that holds the imported corpus"
        )
    report: list[Score] = []
    for half in (*HALVES, None):
        scores = score(archive, judgements, half)
        report = scores if half == "report" else report
        print(f"## {f'{half} half' if half else 'both halves'} of {args.gold.name}\n")
        print("\n".join(table(scores)) + "\n")
        for s in scores if args.verbose else []:
            wrong, missed = ", ".join(s.taken_wrongly) or "-", ", ".join(s.missed) or "-"
            print(f"{s.slug}: taken wrongly {wrong}; missed {missed}")
    if old is not None:
        summary = change_tables(compare(archive, old, judgements), archive.papers)
        print("\n".join(summary) + "\n")
    else:
        summary = [f"## report half of {args.gold.name}\n", *table(report)]
    below = below_floors(report, load_floors(args.gold))
    for line in below:
        print(line, file=sys.stderr)
    if args.summary:
        floors = ["\n**Below their floors:**\n", *(f"- {line}" for line in below)]
        _append(args.summary, [*summary, *(floors if below else [])])
    return 1 if below else 0


def _topics_file(path: Path) -> list[Topic]:
    """Another topics.yml's topics, checked as validate checks content's; else ContentError."""
    from .topics import topics_from_checked
    from .validate import check_topics_file

    try:
        value = check_topics_file(path)
    except ContentError as exc:
        raise ContentError(f"{path}: not a valid topics file (--before):\n{exc}") from exc
    if value is None:
        raise ContentError(f"{path}: no such topics file (--before)")
    return topics_from_checked(value)


def _append(path: Path, lines: list[str]) -> None:
    """Add the lines to the end of a file, as GitHub's step summary is written."""
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n\n")
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot append the summary: {exc.strerror}") from exc


def cmd_sample(args: argparse.Namespace) -> int:
    """Write a synthetic archive."""
    from .content import day_paths
    from .sample import make_sample

    if day_paths(args.content):
        raise ArchiveError(
            f"{args.content} already holds day files; sample writes into an empty folder"
        )
    days = make_sample(args.content, args.papers, seed=args.seed)
    print(f"wrote {days} days, {args.papers} papers into {args.content}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Build the site."""
    from .build import build_site

    log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.verbose else None
    if build_site(args.content, args.site_dir, args.build_dir, args.config, log=log):
        print(f"note: {args.content} holds no papers: built from generated sample data")
    print(f"site built in {args.site_dir}")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    """Render the digest e-mail of a list day or a week; write it with --out."""
    from .digest import load_digest, save

    digest = load_digest(args.content, args.config, day=args.day, weekly=args.weekly)
    if args.out:
        save(args.out, digest.data)
        print(f"wrote {args.out}: {digest.summary()}")
    else:
        print(digest.summary())
    return 0


def cmd_mail(args: argparse.Namespace) -> int:
    """Send the digests that are due by e-mail, each once; exit with mail.py's status."""
    from . import mail
    from .digest import load_inputs, make_digest_for, published
    from .validate import MAIL_FILE

    record = args.record or args.content / MAIL_FILE

    if not args.dry_run:
        try:
            settings = mail.SmtpSettings.from_env(os.environ)
        except MailError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return mail.CONFIG
    archive, config, digest_settings = load_inputs(args.content, args.config)
    today = args.today or datetime.now(UTC).date()
    kinds = [kind for kind in ("daily", "weekly") if getattr(args, kind)] or ["daily"]
    found = [
        (item.key, item.complete)
        for kind in kinds
        for item in published(archive, config, weekly=kind == "weekly")
    ]
    try:
        keys = mail.due(record, found, today)
    except MailError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return mail.CONFIG
    if not keys:
        print(f"nothing to send: {record} holds every {' or '.join(kinds)} digest due")
    outcomes = []
    for key in keys:
        try:
            digest = make_digest_for(archive, config, digest_settings, key)
        except ArchiveError as exc:  # a failed digest whose day or week the feeds dropped
            outcomes.append(mail.Outcome(key, mail.CONFIG, False, f"not sent: {exc}"))
        else:
            if args.dry_run:
                print(f"would send {digest.summary()}")
                continue
            outcomes.append(mail.send_digest(digest.data, settings, record, key, today))
        print(outcomes[-1], flush=True)
        if args.format == "github" and outcomes[-1].status != mail.SENT:
            print(f"::error title=Digest e-mail {key}::{_escape(str(outcomes[-1]))}")
    return mail.exit_status(outcomes)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _url(text: str) -> str:
    if not text.startswith(("https://", "http://")):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return text


def make_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser, one sub-command per pipeline step."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    common.add_argument(
        "--content",
        type=Path,
        default=DEFAULT_CONTENT,
        help="content folder (default: %(default)s)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Daily Papers Archive: keep content/ up to date and build the site from it.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help, parents=[common])
        sub.set_defaults(func=func)
        return sub

    sub = add("import", cmd_import, "import recorded API responses (YYYY-MM-DD.json) into content")
    sub.add_argument("directory", type=Path, help="folder of YYYY-MM-DD.json response files")
    sub.add_argument("--fetched", type=_date, help="UTC date the responses were recorded, if known")

    sub = add("fetch", cmd_fetch, "fetch list days from the Hugging Face API into content")
    mode = sub.add_mutually_exclusive_group()
    mode.add_argument("--date", type=_date, help="fetch this one day")
    mode.add_argument("--since", type=_date, help="backfill from this day (with a progress bar)")
    mode.add_argument(
        "--gaps", action="store_true", help="fetch every day missing since the first archived day"
    )
    sub.add_argument("--until", type=_date, help="last day of a --since backfill (default: today)")
    sub.add_argument(
        "--arxiv", action="store_true", help="add categories, comment, DOI, ... from arXiv"
    )
    sub.add_argument("--api-url", type=_url, help="daily_papers endpoint (default: Hugging Face's)")
    sub.add_argument(
        "--arxiv-url", type=_url, help="arXiv query endpoint (default: export.arxiv.org's)"
    )

    sub = add(
        "validate", cmd_validate, "check every day and correction file; exit 1 on any problem"
    )
    sub.add_argument(
        "--format",
        choices=["text", "github"],
        default="text",
        help="github: also print each problem as a GitHub Actions annotation (default: text)",
    )

    sub = add(
        "sample", cmd_sample, "write a deterministic synthetic archive for demos and benchmarks"
    )
    sub.add_argument(
        "--papers", type=int, default=2000, help="number of papers (default: %(default)s)"
    )
    sub.add_argument(
        "--seed", type=int, default=20240101, help="random seed (default: %(default)s)"
    )

    sub = add("topics", cmd_topics, "score the topic rules against human judgements (the gold set)")
    sub.add_argument(
        "--gold",
        type=Path,
        default=ROOT / "tests" / "data" / "topics-gold.yaml",
        help="judged papers and each topic's floors (default: %(default)s)",
    )
    sub.add_argument(
        "--verbose", action="store_true", help="list the papers each topic takes wrongly or misses"
    )
    sub.add_argument(
        "--before",
        type=Path,
        help="an older topics.yml (the base branch's): also show each topic before and after, "
        "and the papers that enter and leave it",
    )
    sub.add_argument(
        "--summary",
        type=Path,
        help="also append the Markdown (the --before tables, or the report half's) to this file, "
        "such as $GITHUB_STEP_SUMMARY",
    )

    sub = add("build", cmd_build, "generate pages from content and build the site with MkDocs")
    sub.add_argument(
        "--site-dir", type=Path, default=ROOT / "site", help="output (default: %(default)s)"
    )
    sub.add_argument(
        "--build-dir",
        type=Path,
        default=ROOT / "build",
        help="scratch folder for generated Markdown",
    )
    sub.add_argument(
        "--config", type=Path, default=ROOT / "mkdocs.yml", help="MkDocs configuration"
    )
    sub.add_argument(
        "--verbose", action="store_true", help="print each stage's time and peak memory"
    )

    sub = add(
        "digest",
        cmd_digest,
        "render the digest e-mail (.eml) of the newest list day, another day, or a week",
    )
    sub.add_argument(
        "--day", type=_date, help="this list day instead of the newest (with --weekly: its week)"
    )
    sub.add_argument(
        "--weekly",
        action="store_true",
        help="the top papers of the newest finished week, as the weekly feed has them",
    )
    sub.add_argument(
        "--out", type=Path, help="write the message to this .eml file (else print a summary)"
    )
    sub.add_argument(
        "--config", type=Path, default=ROOT / "mkdocs.yml", help="MkDocs configuration (site_url)"
    )

    sub = add(
        "mail",
        cmd_mail,
        "e-mail the digests that are due over SMTP (settings from DPA_* variables), each once",
    )
    sub.add_argument(
        "--daily", action="store_true", help="the newest finished list day's digest (the default)"
    )
    sub.add_argument("--weekly", action="store_true", help="the newest finished week's top papers")
    sub.add_argument(
        "--record",
        type=Path,
        help="what was sent and what failed (default: CONTENT/mail-sent.yaml)",
    )
    sub.add_argument(
        "--today", type=_date, help="the UTC date to act on (default: today's); for catching up"
    )
    sub.add_argument(
        "--dry-run", action="store_true", help="say what is due and render it; send nothing"
    )
    sub.add_argument(
        "--format",
        choices=["text", "github"],
        default="text",
        help="github: also print each digest not sent as a GitHub Actions error annotation",
    )
    sub.add_argument(
        "--config", type=Path, default=ROOT / "mkdocs.yml", help="MkDocs configuration (site_url)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; ArchiveErrors become one line on stderr and exit status 1."""
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ArchiveError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line, unless the user asks for the traceback
        if args.debug:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
