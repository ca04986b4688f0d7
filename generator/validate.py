"""Check every content file and report each problem as `path:line:column: message`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from . import yamlfile
from .content import DAY_FILE, DAY_SCHEMA_HEADER

SCHEMAS = Path(__file__).parent / "schemas"
DATE_KEYS = frozenset({"date", "fetched", "published", "withdrawn", "checked"})

Path_ = tuple[str | int, ...]
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


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

    def at(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """Line and column of a value (or of its key), falling back to the nearest parent."""
        table = self.keys if key else self.values
        while path not in table and path:
            path = path[:-1]
        return table.get(path, (1, 1))


def validate(content: Path) -> list[Problem]:
    """Every problem in content/, sorted by file and line."""
    problems: list[Problem] = []
    ids: set[str] = set()
    for path in _files(content / "papers", problems, DAY_FILE, "YYYY-MM-DD.yaml"):
        problems += _check_day(path, ids)
    corrections = re.compile(r"^.+\.yaml$")
    for path in _files(content / "corrections", problems, corrections, "<arXiv id>.yaml"):
        problems += _check_correction(path, ids)
    if (content / "topics.yml").exists():
        problems += _check_topics(content / "topics.yml")
    return sorted(problems)


def _check_topics(path: Path) -> list[Problem]:
    doc, problems = _load(path)
    if doc is None:
        return problems
    problems += _schema_problems(path, doc, _schema("topics"))
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
    return problems


def _files(
    folder: Path, problems: list[Problem], pattern: re.Pattern[str], want: str
) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name.startswith("."):
            continue  # editor swap files, interrupted writes
        if pattern.match(path.name):
            found.append(path)
        else:
            problems.append(Problem(_show(path), 1, 1, f"unexpected file: expected {want}"))
    return found


def _check_day(path: Path, ids: set[str]) -> list[Problem]:
    doc, problems = _load(path)
    if doc is None:
        return problems
    if not _text(path).startswith(DAY_SCHEMA_HEADER):
        problems.append(_problem(path, 1, 1, f"first line must be '{DAY_SCHEMA_HEADER.strip()}'"))
    problems += _schema_problems(path, doc, _schema("day"))
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
        ids.update(first_line)
        status = data.get("status")
        line, col = doc.at(("status",))
        if status == "empty" and papers:
            problems.append(
                _problem(path, line, col, f"status is 'empty' but {len(papers)} papers are listed")
            )
        if status == "listed" and not papers:
            problems.append(_problem(path, line, col, "status is 'listed' but there are no papers"))
    return problems


def _check_correction(path: Path, ids: set[str]) -> list[Problem]:
    doc, problems = _load(path)
    if doc is None:
        return problems
    problems += _schema_problems(path, doc, _schema("correction"))
    data = doc.value
    if not isinstance(data, dict):
        return problems
    problems += _date_problems(path, doc)
    paper_id = data.get("id")
    line, col = doc.at(("id",))
    if isinstance(paper_id, str):
        expected = paper_id.replace("/", "_") + ".yaml"
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
    return problems


def _load(path: Path) -> tuple[Located | None, list[Problem]]:
    """Parse a file into a Located document, or return the problem that stops it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [_problem(path, 1, 1, f"cannot read: {exc.strerror}")]
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
    doc = Located(None, {}, {})
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


def _to_python(
    node: yaml.Node, at: Path_, doc: Located, path: Path, problems: list[Problem]
) -> Any:
    doc.values[at] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.CollectionNode):
        # An alias re-uses a node: walking it again could blow up exponentially.
        if id(node) in doc.seen:
            # The node's own mark is its anchor's; point at the key that uses the alias.
            line, col = doc.values[at] = doc.keys.get(at, doc.values[at])
            problems.append(_problem(path, line, col, "aliases (*name) are not allowed here"))
            return None
        doc.seen.add(id(node))
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
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except yaml.YAMLError as exc:
        line, col = doc.values[at]
        problems.append(_problem(path, line, col, f"unreadable value: {exc}"))
        return None


def _schema_problems(path: Path, doc: Located, schema: dict[str, Any]) -> list[Problem]:
    problems = []
    validator = jsonschema.Draft7Validator(schema)
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
        problems.append(_problem(path, line, col, message))
    return problems


def _date_problems(path: Path, doc: Located) -> list[Problem]:
    """Dates that have the right shape but do not exist, such as 2026-02-30."""
    problems = []
    for at, (line, col) in doc.values.items():
        if at and at[-1] in DATE_KEYS:
            value = _get(doc.value, at)
            shaped = isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
            if shaped and _as_date(value) is None:
                label = _label(at, doc.value)
                problems.append(_problem(path, line, col, f"{label} {value} is not a real date"))
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


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _show(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
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


def _inline_refs(node: Any, definitions: dict[str, Any]) -> Any:
    """Replace each local "$ref" with its definition: resolving refs was 40% of validate's time."""
    if isinstance(node, list):
        return [_inline_refs(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if ref.startswith("#/definitions/"):
        resolved = {**definitions[ref.rsplit("/", 1)[1]], **node}
        del resolved["$ref"]
        return _inline_refs(resolved, definitions)
    return {key: _inline_refs(value, definitions) for key, value in node.items()}
