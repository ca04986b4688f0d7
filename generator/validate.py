"""Check every content file and report each problem as `path:line:column: message`.

This is the one gate: every command that reads content/ reads it through `check_content`
(or, for one file, `check_day_file`), so what `validate` accepts is exactly what is built.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import yaml

from . import checkcache, yamlfile
from .errors import ContentError
from .forked import in_two
from .models import strip_invisible

SCHEMAS = Path(__file__).parent / "schemas"
DATE_KEYS = frozenset(
    {"date", "fetched", "published", "withdrawn", "checked", "failed"}
    | {"first_failed", "last_failed", "reported"}  # mail-sent.yaml's
)
DAY_SCHEMA_HEADER = (
    "# yaml-language-server: $schema=../../../../generator/schemas/day.schema.json\n"
)
DAY_FILE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.yaml$")
CORRECTION_FILE = re.compile(r"^[^.].*\.yaml$")
TOPICS_FILE = "topics.yml"
DIGEST_FILE = "digest.yml"  # the digest e-mail's name, list headers and selection
STATUS_FILE = "fetch-status.yaml"
MAIL_FILE = "mail-sent.yaml"  # the record of digests sent by e-mail (generator/mail.py)
# Limits on what one file may make the tools do. A real day file is under 0.5 MB and nests
# five levels deep (papers, a paper, arxiv, categories, a category). Parsing takes up to about
# 300 times a file's size in memory (a file of one long list of 0s), so 2 MB stays under 0.6 GB.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 12
# List days the archive can hold: Hugging Face's lists began in May 2023, and pages span every
# day from the first to the last, so a stray 0001-01-01 or 9999-12-31 would make millions.
FIRST_DAY, LAST_DAY = date(2023, 5, 1), date(2099, 12, 31)
RANGED_KEYS = frozenset({"date", "fetched", "failed"})  # list days and fetch days
OUT_OF_RANGE = f"is outside the list days the archive holds ({FIRST_DAY} to {LAST_DAY})"
PARALLEL_CHECK = 300  # day files from which checking them in two processes pays off

Path_ = tuple[str | int, ...]
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_HIDDEN_CONTENT = re.compile(r"^\..*\.ya?ml$")  # a hidden YAML file: read by no command


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass
class Located:
    """A YAML document as plain Python values, with where each value and key starts."""

    value: Any
    values: dict[Path_, tuple[int, int]]
    keys: dict[Path_, tuple[int, int]]
    seen: set[int] = field(default_factory=set)
    text: str = ""  # the file as read

    def at(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """Line and column of a value (or of its key), falling back to the nearest parent."""
        table = self.keys if key else self.values
        while path not in table and path:
            path = path[:-1]
        return table.get(path, (1, 1))


@dataclass
class Checked:
    """content/ as `validate` read it: every problem, and the values of the files it read."""

    problems: list[Problem] = field(default_factory=list)
    days: list[dict[str, Any]] = field(default_factory=list)  # oldest first, controls removed
    corrections: list[dict[str, Any]] = field(default_factory=list)  # by file name
    topics: dict[str, Any] | None = None  # topics.yml, if there is one
    digest: dict[str, Any] | None = None  # digest.yml, if there is one
    status: dict[str, Any] | None = None  # fetch-status.yaml, if there is one
    mail: dict[str, Any] | None = None  # mail-sent.yaml, if there is one
    cache: checkcache.CheckCache | None = None  # for the build to save, given one

    def raise_problems(self) -> None:
        """Raise a ContentError listing the problems, if there are any."""
        if self.problems:
            raise ContentError(report(self.problems))


def report(problems: list[Problem], most: int = 20) -> str:
    """The message a command that refuses invalid content gives: what `validate` says."""
    shown = "\n".join(str(problem) for problem in problems[:most])
    more = f"\n... and {len(problems) - most} more" if len(problems) > most else ""
    return f"content is invalid (python -m generator validate):\n{shown}{more}"


def validate(content: Path) -> list[Problem]:
    """Every problem in content/, sorted by file and line."""
    return check_content(content).problems


def check_content(content: Path, cache: Path | None = None) -> Checked:
    """Read and check every file of content/; a folder that is not there is an error.

    Given a check cache folder, a day file checked before without problem, by this code and
    with these bytes, is read back from it (checkcache.py); Checked.cache saves the rest.
    """
    if not content.is_dir():
        what = "does not exist" if not content.exists() else "is not a folder"
        raise ContentError(f"{content}: the content folder {what}")
    checked = Checked(cache=checkcache.CheckCache(cache) if cache else None)
    problems = checked.problems
    paths = _files(content / "papers", problems, DAY_FILE, "YYYY-MM-DD.yaml", 2)
    kept, names = _from_cache(checked.cache, paths)
    unchecked = [path for path in paths if path not in kept]
    # Parsing is most of the time: at 30,000 papers a forked process checks the newer half.
    found_by = in_two(_check_days, unchecked, at_least=PARALLEL_CHECK)
    checks = dict(zip(unchecked, found_by, strict=True))
    results = [(kept[path], []) if path in kept else checks[path] for path in paths]
    if checked.cache:
        for path, (value, found) in checks.items():
            if not found and path in names:
                checked.cache.put(names[path], value)
    ids: set[str] = set()
    for value, found in results:
        problems += found
        if isinstance(value, dict):
            checked.days.append(value)
            papers = value.get("papers")
            for paper in papers if isinstance(papers, list) else []:
                if isinstance(paper, dict) and isinstance(paper.get("id"), str):
                    ids.add(paper["id"])
    checked.days.sort(key=lambda day: str(day.get("date")))
    for path in _files(content / "corrections", problems, CORRECTION_FILE, "<arXiv id>.yaml", 0):
        value, found = _check_correction(path, ids)
        problems += found
        checked.corrections.append(value)
    checked.topics, found = _check_single(content / TOPICS_FILE, _check_topics)
    problems += found
    slugs = _topic_slugs(checked.topics)
    checked.digest, found = _check_single(content / DIGEST_FILE, lambda p: _check_digest(p, slugs))
    problems += found
    checked.status, found = _check_single(content / STATUS_FILE, _check_status)
    problems += found
    checked.mail, found = _check_single(content / MAIL_FILE, _check_mail)
    problems += found
    problems.sort()
    return checked


def check_day_file(path: Path) -> dict[str, Any]:
    """One day file's value, checked as `validate` checks it; ContentError if it has problems."""
    value, problems = _check_single(path, _check_day)
    if value is None and not problems:
        raise ContentError(f"{_show(path)}: no such day file")
    if problems:
        raise ContentError(report(sorted(problems)))
    return value


def check_day_text(path: Path, text: str) -> None:
    """Check a day file's text before it is written: ContentError if `validate` would refuse
    it, so that fetch and import never write what a build then refuses."""
    doc, problems = _parse(path, text.encode("utf-8"))
    if doc is not None:
        problems += _day_problems(path, doc)
    if problems:
        raise ContentError(report(sorted(problems)))


def check_status_file(path: Path) -> dict[str, Any]:
    """fetch-status.yaml's value (empty if there is none); ContentError if it has problems."""
    value, problems = _check_single(path, _check_status)
    if problems:
        raise ContentError(report(sorted(problems)))
    return value or {}


def check_mail_file(path: Path) -> dict[str, Any]:
    """A mail record's value (empty if there is none); ContentError if it has problems."""
    value, problems = _check_single(path, _check_mail)
    if problems:
        raise ContentError(report(sorted(problems)))
    return value or {}


def check_topics_file(path: Path) -> dict[str, Any] | None:
    """A topics.yml's value as validate checks content's (None if absent); else ContentError."""
    value, problems = _check_single(path, _check_topics)
    if problems:
        raise ContentError(report(sorted(problems)))
    return value


Check = Callable[[Path], tuple[Any, list[Problem]]]


def _check_single(path: Path, check: Check) -> tuple[Any, list[Problem]]:
    """A file content/ may hold once: None when it is absent; only a regular file is read."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [_problem(path, 1, 1, f"cannot read: {exc.strerror}")]
    if not stat.S_ISREG(mode):
        return None, [_problem(path, 1, 1, f"{_kind(mode)}: not read as content")]
    return check(path)


def _from_cache(
    cache: checkcache.CheckCache | None, paths: list[Path]
) -> tuple[dict[Path, Any], dict[Path, str]]:
    """The day files' values the cache holds, and every readable file's name there."""
    kept: dict[Path, Any] = {}
    names: dict[Path, str] = {}
    if cache is None:
        return kept, names
    for path in paths:
        try:
            names[path] = checkcache.name(path, _read(path))
        except (OSError, ValueError):  # checked below, which says what is wrong
            continue
        value = cache.get(names[path])
        if value is not None:
            kept[path] = value
    return kept, names


def _check_days(paths: list[Path]) -> list[tuple[Any, list[Problem]]]:
    results = []
    for path in paths:
        value, problems = _check_day(path)
        # Older files may hold invisible controls (bidirectional overrides, say) that fetching
        # now removes: they never reach a page or a feed. Removed here, in both processes.
        results.append((value if problems else _visible(value), problems))
    return results


def _visible(value: Any) -> Any:
    if isinstance(value, str):
        return strip_invisible(value)
    if isinstance(value, list):
        return [_visible(item) for item in value]
    if isinstance(value, dict):
        return {key: _visible(item) for key, item in value.items()}
    return value


def _check_topics(path: Path) -> tuple[Any, list[Problem]]:
    doc, problems = _load(path)
    if doc is None:
        return None, problems
    problems += _schema_problems(path, doc, "topics")
    topics = doc.value.get("topics") if isinstance(doc.value, dict) else None
    first_line: dict[str, int] = {}
    for index, topic in enumerate(topics if isinstance(topics, list) else []):
        slug = topic.get("slug") if isinstance(topic, dict) else None
        if isinstance(slug, str):
            line, col = doc.at(("topics", index, "slug"))
            if slug in first_line:
                message = f"topic slug {slug} is used twice (first at line {first_line[slug]})"
                problems.append(_problem(path, line, col, message))
            first_line.setdefault(slug, line)
    return doc.value, problems


def _topic_slugs(topics: Any) -> set[str]:
    """The slugs a topics.yml value names, whether or not the file is valid."""
    items = topics.get("topics") if isinstance(topics, dict) else None
    return {
        item["slug"]
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("slug"), str)
    }


def _check_digest(path: Path, slugs: set[str]) -> tuple[Any, list[Problem]]:
    doc, problems = _load(path)
    if doc is None:
        return None, problems
    problems += _schema_problems(path, doc, "digest")
    select = doc.value.get("select") if isinstance(doc.value, dict) else None
    topics = select.get("topics") if isinstance(select, dict) else None
    reported = {(problem.line, problem.column) for problem in problems}
    for index, slug in enumerate(topics if isinstance(topics, list) else []):
        line, col = doc.at(("select", "topics", index))
        # A slug topics.yml does not have would select nothing, silently: a renamed topic.
        if isinstance(slug, str) and slug not in slugs and (line, col) not in reported:
            message = f"select.topics[{index}]: topics.yml has no topic {slug}"
            problems.append(_problem(path, line, col, message))
    return doc.value, problems


def _check_status(path: Path) -> tuple[Any, list[Problem]]:
    doc, problems = _load(path)
    if doc is None:
        return None, problems
    problems += _schema_problems(path, doc, "status")
    problems += _date_problems(path, doc)
    for key in doc.value if isinstance(doc.value, dict) else {}:
        day = _as_date(key)
        line, col = doc.at((key,), key=True)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", key) and day is None:
            problems.append(_problem(path, line, col, f"{key} is not a real date (YYYY-MM-DD)"))
        elif day is not None and not FIRST_DAY <= day <= LAST_DAY:
            problems.append(_problem(path, line, col, f"day {key} {OUT_OF_RANGE}"))
    return doc.value, problems


def _check_mail(path: Path) -> tuple[Any, list[Problem]]:
    doc, problems = _load(path)
    if doc is None:
        return None, problems
    problems += _schema_problems(path, doc, "mail")
    problems += _date_problems(path, doc)
    for key in doc.value if isinstance(doc.value, dict) else {}:
        shaped = re.fullmatch(r"daily/(\d{4}-\d{2}-\d{2})", key)
        if shaped and _as_date(shaped[1]) is None:
            line, col = doc.at((key,), key=True)
            problems.append(_problem(path, line, col, f"{key}: not a real date"))
    return doc.value, problems


def _files(
    folder: Path, problems: list[Problem], pattern: re.Pattern[str], want: str, depth: int
) -> list[Path]:
    """The content files `depth` folders below folder; anything but a regular file with the
    right name in the right place is a problem. Hidden names are read by no command: a hidden
    YAML file is named as a problem, other hidden files (editor swap files, interrupted
    writes) are passed over."""
    try:
        mode = folder.lstat().st_mode
    except FileNotFoundError:
        return []
    except OSError as exc:
        problems.append(_problem(folder, 1, 1, f"cannot read: {exc.strerror}"))
        return []
    if not stat.S_ISDIR(mode):
        problems.append(_problem(folder, 1, 1, f"{_kind(mode)}: expected a folder"))
        return []

    def unreadable(exc: OSError) -> None:  # os.walk would pass over a folder it cannot list
        problems.append(_problem(Path(exc.filename), 1, 1, f"cannot read: {exc.strerror}"))

    found = []
    for root, dirs, files in os.walk(folder, onerror=unreadable):
        here = Path(root)
        for name in sorted(dirs):  # os.walk does not follow links to folders: say so
            if name.startswith("."):
                dirs.remove(name)
            elif (here / name).is_symlink():
                problems.append(_problem(here / name, 1, 1, "symbolic link: not read as content"))
        for name in files:
            path = here / name
            if name.startswith("."):
                if _HIDDEN_CONTENT.match(name):
                    problems.append(_problem(path, 1, 1, "hidden file: no command reads it"))
                continue
            mode = path.lstat().st_mode
            if not stat.S_ISREG(mode):
                problems.append(_problem(path, 1, 1, f"{_kind(mode)}: not read as content"))
            elif not pattern.match(name):
                problems.append(_problem(path, 1, 1, f"unexpected file: expected {want}"))
            elif len(path.relative_to(folder).parts) != depth + 1:
                where = f"{folder.name}/{'YYYY/MM/' if depth else ''}{want}"
                problems.append(_problem(path, 1, 1, f"misplaced file: expected {where}"))
            else:
                found.append(path)
    return sorted(found)


def content_files(content: Path) -> list[Path]:
    """The day files `validate` reads, oldest first (problems with others are its to report)."""
    return _files(content / "papers", [], DAY_FILE, "YYYY-MM-DD.yaml", 2)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _check_day(path: Path) -> tuple[Any, list[Problem]]:
    doc, problems = _load(path)
    if doc is None:
        return None, problems
    return doc.value, problems + _day_problems(path, doc)


def _day_problems(path: Path, doc: Located) -> list[Problem]:
    problems: list[Problem] = []
    if not doc.text.startswith(DAY_SCHEMA_HEADER):
        problems.append(_problem(path, 1, 1, f"first line must be '{DAY_SCHEMA_HEADER.strip()}'"))
    problems += _schema_problems(path, doc, "day")
    data = doc.value
    if not isinstance(data, dict):
        return problems
    problems += _date_problems(path, doc)
    day = _as_date(data.get("date"))
    if day is not None:
        want = Path(f"{day:%Y}") / f"{day:%m}" / f"{day.isoformat()}.yaml"
        if path.parts[-3:] != want.parts:
            line, col = doc.at(("date",))
            problems.append(
                _problem(path, line, col, f"date {day} belongs in papers/{want}, not this file")
            )
    papers = data.get("papers")
    if isinstance(papers, list):
        first_line: dict[str, int] = {}
        for index, paper in enumerate(papers):
            paper_id = paper.get("id") if isinstance(paper, dict) else None
            if not isinstance(paper_id, str):
                continue
            line, col = doc.at(("papers", index, "id"))
            if paper_id in first_line:
                message = f"paper {paper_id} is listed twice (first at line {first_line[paper_id]})"
                problems.append(_problem(path, line, col, message))
            else:
                first_line[paper_id] = line
        status = data.get("status")
        line, col = doc.at(("status",))
        if status == "empty" and papers:
            problems.append(
                _problem(path, line, col, f"status is 'empty' but {len(papers)} papers are listed")
            )
        if status == "listed" and not papers:
            problems.append(_problem(path, line, col, "status is 'listed' but there are no papers"))
    return problems


def _check_correction(path: Path, ids: set[str]) -> tuple[Any, list[Problem]]:
    doc, problems = _load(path)
    if doc is None:
        return None, problems
    problems += _schema_problems(path, doc, "correction")
    data = doc.value
    if not isinstance(data, dict):
        return data, problems
    problems += _date_problems(path, doc)
    paper_id = data.get("id")
    line, col = doc.at(("id",))
    if isinstance(paper_id, str):
        expected = correction_name(paper_id)
        if path.name != expected:
            problems.append(
                _problem(path, line, col, f"a correction to {paper_id} must be named {expected}")
            )
        if paper_id not in ids:
            problems.append(_problem(path, line, col, f"no day lists paper {paper_id}"))
    if not data.get("set") and data.get("hide") is not True:
        problems.append(
            _problem(
                path, 1, 1, "correction changes nothing: add fields under 'set' or 'hide: true'"
            )
        )
    return data, problems


def correction_name(paper_id: str) -> str:
    """The file name of a paper's correction: hep-th/9901001 -> hep-th_9901001.yaml."""
    return paper_id.replace("/", "_") + ".yaml"


def _load(path: Path) -> tuple[Located | None, list[Problem]]:
    """Read and parse a file into a Located document, or return the problem that stops it."""
    try:
        raw = _read(path)
    except OSError as exc:
        return None, [_problem(path, 1, 1, f"cannot read: {exc.strerror}")]
    except ValueError as exc:
        return None, [_problem(path, 1, 1, str(exc))]
    return _parse(path, raw)


def _read(path: Path) -> bytes:
    """A regular file's bytes, at most MAX_FILE_BYTES; links, FIFOs and devices are refused
    as they are opened, so nothing can change between looking and reading."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(f"{_kind(mode)}: not read as content")
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: not read")
    return raw


def _parse(path: Path, raw: bytes) -> tuple[Located | None, list[Problem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [_problem(path, line, column, f"not valid UTF-8 (byte {exc.start})")]
    try:
        node = yaml.compose(text, Loader=yamlfile.Loader)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(path, exc)]
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        return None, [_problem(path, line, column, f"character {char} is not allowed in YAML")]
    except yaml.YAMLError as exc:
        return None, [_problem(path, 1, 1, f"YAML error: {exc}")]
    if node is None:
        return None, [_problem(path, 1, 1, "file is empty")]
    problems: list[Problem] = []
    doc = Located(None, {}, {}, text=text)
    doc.value = _to_python(node, (), doc, path, problems)
    return doc, problems


def _syntax_problem(path: Path, exc: yaml.MarkedYAMLError) -> Problem:
    """Point at the problem, and say where the construct it broke began."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = f"YAML syntax error: {exc.problem or exc.context}"
    start = exc.context_mark
    if exc.context and exc.problem and start and start is not exc.problem_mark:
        message += f" ({exc.context} at line {start.line + 1}, column {start.column + 1})"
    return _problem(path, line, col, message)


_SCALARS = yaml.constructor.SafeConstructor()  # keeps no state for plain scalars


def _to_python(
    node: yaml.Node, at: Path_, doc: Located, path: Path, problems: list[Problem]
) -> Any:
    mark = node.start_mark
    doc.values[at] = (mark.line + 1, mark.column + 1)
    # An alias re-uses a node: each use would be expanded again by whatever reads the value,
    # so a file of a few KB could become GB (even with plain text, a long one used often).
    if id(node) in doc.seen:
        # The node's own mark is its anchor's; point at the key that uses the alias.
        line, col = doc.values[at] = doc.keys.get(at, doc.values[at])
        problems.append(_problem(path, line, col, "aliases (*name) are not allowed"))
        return None
    doc.seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        construct = _SCALARS.yaml_constructors.get(node.tag)
        try:
            if construct is None:
                raise yaml.constructor.ConstructorError(None, None, f"unknown tag {node.tag}")
            value = construct(_SCALARS, node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            line, col = doc.values[at]
            problems.append(_problem(path, line, col, f"unreadable value: {exc}"))
            return None
        if isinstance(value, float) and value.is_integer():  # JSON Schema takes 2.0 as integer
            line, col = doc.values[at]
            message = f"{node.value} is not a whole number (no field takes fractions)"
            problems.append(_problem(path, line, col, message))
        return value
    if len(at) >= MAX_DEPTH:
        line, col = doc.values[at]
        problems.append(_problem(path, line, col, f"nested more than {MAX_DEPTH} levels deep"))
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(_problem(path, line, col, "a key must be a plain name"))
                continue
            key = str(key_node.value)
            if key in result:
                problems.append(_problem(path, line, col, f"field '{key}' appears twice"))
            doc.keys[(*at, key)] = (line, col)
            result[key] = _to_python(value_node, (*at, key), doc, path, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(item, (*at, i), doc, path, problems) for i, item in enumerate(node.value)
        ]
    raise TypeError(f"unexpected YAML node {node!r}")  # PyYAML has only the three kinds


def _schema_problems(path: Path, doc: Located, name: str) -> list[Problem]:
    # A compiled check says yes quickly; only a file it rejects is walked by jsonschema,
    # whose every error is reported. jsonschema alone decides: a "no" it cannot explain
    # (the two disagree) lets the file through, exactly as jsonschema alone would.
    try:
        _fast_schema(name)(doc.value)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    problems = []
    validator = jsonschema.Draft7Validator(_schema(name))
    for error in validator.iter_errors(doc.value):
        at = tuple(error.absolute_path)
        label = _label(at, doc.value)
        if error.validator == "additionalProperties":
            known = sorted(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - set(known)):
                line, col = doc.at((*at, key), key=True)
                hint = f" (known: {', '.join(known)})" if len(known) <= 12 else ""
                where = f" in {label}" if label else ""
                problems.append(_problem(path, line, col, f"unknown field '{key}'{where}{hint}"))
            continue
        line, col = doc.at(at)
        if error.validator == "required":
            missing = re.match(r"'(.*)' is a required property", error.message)
            name = missing.group(1) if missing else str(error.validator_value)
            if name == "reason" and isinstance(error.instance, dict) and error.instance.get("hide"):
                message = "hide: true needs a 'reason' saying why the paper is hidden"
            else:
                message = f"missing field '{name}'" + (f" in {label}" if label else "")
        elif "errorMessage" in error.schema:
            message = f"{label} {error.schema['errorMessage']} (got {_show_value(error.instance)})"
        elif error.validator == "type":
            kind = {"object": "a mapping", "array": "a list"}.get(str(error.validator_value))
            message = f"{label or 'the file'} must be {kind or error.validator_value}"
        else:
            message = f"{label}: {error.message}"
        problems.append(_problem(path, line, col, message.strip()))
    return problems


def _date_problems(path: Path, doc: Located) -> list[Problem]:
    """Dates that have the right shape but do not exist, such as 2026-02-30."""
    problems = []
    for at, (line, col) in doc.values.items():
        if at and at[-1] in DATE_KEYS:
            value = _get(doc.value, at)
            shaped = isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
            day = _as_date(value)
            if shaped and day is None:
                label = _label(at, doc.value)
                problems.append(_problem(path, line, col, f"{label} {value} is not a real date"))
            elif day is not None and at[-1] in RANGED_KEYS and not FIRST_DAY <= day <= LAST_DAY:
                label = _label(at, doc.value)
                problems.append(_problem(path, line, col, f"{label} {value} {OUT_OF_RANGE}"))
    return problems


def _label(at: Path_, data: Any) -> str:
    """A reader's name for a place: 'paper 2509.01234 title', 'set.title', 'papers[3]'."""
    if len(at) >= 2 and at[0] == "papers" and isinstance(at[1], int):
        paper = _get(data, at[:2])
        paper_id = paper.get("id") if isinstance(paper, dict) else None
        name = f"paper {paper_id}" if isinstance(paper_id, str) else f"papers[{at[1]}]"
        rest = ".".join(str(part) for part in at[2:])
        return f"{name} {rest}".strip()
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in at).replace(".[", "[")


def _get(data: Any, at: Path_) -> Any:
    for part in at:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _as_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _show_value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _show(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _problem(path: Path, line: int, column: int, message: str) -> Problem:
    # One line per problem, whatever the file held: control characters are shown escaped.
    message = _CONTROL.sub(lambda m: repr(m.group())[1:-1], " ".join(message.split()))
    return Problem(_show(path), line, column, message)


@cache
def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    return _inline_refs(schema, schema.get("definitions", {}))


@cache
def _fast_schema(name: str) -> Callable[[Any], Any]:
    return fastjsonschema.compile(_schema(name), use_formats=False)


def _inline_refs(node: Any, definitions: dict[str, Any]) -> Any:
    """Replace each local "$ref" with its definition: resolving refs was 40% of validate's time.

    Patterns are anchored as the schema means them: JSON Schema's `$` ends the text, where
    Python's would also let a final newline through ("2509.01234\\n" is no arXiv id).
    """
    if isinstance(node, list):
        return [_inline_refs(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if ref.startswith("#/definitions/"):
        resolved = {**definitions[ref.rsplit("/", 1)[1]], **node}
        del resolved["$ref"]
        return _inline_refs(resolved, definitions)
    result = {key: _inline_refs(value, definitions) for key, value in node.items()}
    pattern = result.get("pattern")
    if isinstance(pattern, str) and pattern.endswith("$") and not pattern.endswith("\\$"):
        result["pattern"] = pattern[:-1] + r"\Z"
    return result
