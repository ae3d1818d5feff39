"""Question banks: exercises/*.yml found, read and checked to one-line problems.

Chapter authors write banks by hand, so every mistake must come back as one
line that names the file, the question and the field
(``exercises/bottom-up.yml: bu-q03: evidence[0].quote: not found in P045``).
This module reads the YAML (refusing duplicate keys), validates each question
against the schema (:mod:`.schema`) and the cross-field rules (:mod:`.checks`,
and each type's own in :mod:`.types`), so that every problem of every question
is reported in one run; it also finds, selects and versions banks. The answer
key is :mod:`.key`.

The names most of the engine uses are re-exported here (``bank.Bank``,
``bank.TYPES``, ``bank.answer_key``...).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casebook import edition, paths
from casebook.errors import CasebookError
from casebook.quiz.checks import check_question
from casebook.quiz.key import answer_key
from casebook.quiz.layout import alias, variable
from casebook.quiz.schema import (
    BLOOM,
    SLUG,
    TYPES,
    Bank,
    Criterion,
    Evidence,
    Level,
    NumericAnswer,
    Option,
    Question,
    Target,
    TextAnswer,
    WrongAnswer,
    messages,
)
from casebook.quiz.types import HAND_SCORED_TYPES, OPTION_TYPES, REGISTRY

__all__ = [
    "BLOOM",
    "HAND_SCORED_TYPES",
    "OPTION_TYPES",
    "REGISTRY",
    "TYPES",
    "Bank",
    "Criterion",
    "Evidence",
    "Level",
    "NumericAnswer",
    "Option",
    "Question",
    "Target",
    "TextAnswer",
    "WrongAnswer",
    "alias",
    "answer_key",
    "discover",
    "display_path",
    "load",
    "load_all",
    "problems",
    "select",
    "variable",
    "version",
]


class _Head(BaseModel):
    """The bank without its questions, so each question is checked on its own."""

    model_config = ConfigDict(extra="forbid")
    quiz: str = Field(pattern=SLUG.pattern)
    title: str = Field(min_length=1)
    chapter: str = Field(pattern=SLUG.pattern)
    questions: list[dict[str, Any]] = Field(min_length=1)


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML as a bank needs it, and no more, so a bank cannot exhaust memory or crash a command.

    - Two equal keys are an error (PyYAML keeps the last silently; an author wants to know).
    - Aliases (``*name``) are refused: a few lines of nested aliases expand to billions of
      items (the "billion laughs") as soon as anything walks the answer.
    - Explicit tags (``!!int``, ``!!python/...``, ``!custom``) are refused: a bank is plain
      text, numbers, lists and mappings.
    - Dates are not resolved (``2020-13-45`` stays text, not an invalid date).
    - A mapping key must be a plain value (``? [a, b]`` is an error, not a crash).
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = getattr(event, "start_mark", None)
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, f"alias *{event.anchor} is not allowed in a bank (write the value out)", mark
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and isinstance(
            event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
        ):
            raise yaml.composer.ComposerError(
                None, None, f"tag {tag} is not allowed in a bank (write a plain value)", mark
            )
        return super().compose_node(parent, index)


_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value, not a list or mapping", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def version(bank: Bank) -> str:
    """Content hash of what students see to answer (ids and prompts), never of answers.

    Grading compares it with the notebook's to flag a submission made against
    an older wording of the quiz.
    """
    data = json.dumps([[q.id, q.prompt] for q in bank.questions], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def display_path(path: Path, root: Path | None = None) -> str:
    """Project-relative when inside the project, so problem lines read the same anywhere."""
    root = root or paths.project_root()
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def discover(root: Path | None = None, extra: list[Path] | tuple[Path, ...] = ()) -> list[Path]:
    """Every exercises/*.yml plus the banks named with --bank, each once."""
    found = sorted(paths.exercises_dir(root).glob("*.yml"))
    seen = {p.resolve() for p in found}
    for path in extra:
        path = Path(path)
        if not path.is_file():
            raise CasebookError(f"{path}: no such bank file")
        if path.resolve() not in seen:
            seen.add(path.resolve())
            found.append(path)
    return found


MAX_BANK_BYTES = 5 * 1024 * 1024  # the course's banks are about 30 KB; prompts go into every page


def _read_yaml(path: Path, shown: str) -> tuple[Any, str | None]:
    try:
        if path.stat().st_size > MAX_BANK_BYTES:
            return None, f"{shown}: larger than {MAX_BANK_BYTES // 1024 // 1024} MB: not a bank"
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, f"{shown}: cannot read ({exc.strerror or exc})"
    except UnicodeDecodeError:
        return None, f"{shown}: not UTF-8 text"
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader), None  # noqa: S506 (safe loader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        context = getattr(exc, "context_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        if context is not None and mark is not None and context.line != mark.line:
            problem += f" (in what starts on line {context.line + 1})"  # an unclosed quote
        return None, f"{shown}{line}: invalid YAML: {problem}"
    except (ValueError, TypeError, KeyError, OverflowError, RecursionError, MemoryError) as exc:
        # a value PyYAML cannot build (none is expected with the loader above): still one line
        return None, f"{shown}: invalid YAML: {type(exc).__name__}: {str(exc)[:200]}"


def _bank_problems(
    path: Path, shown: str, paras: dict[str, edition.Paragraph]
) -> tuple[Bank | None, list[str]]:
    """All problems of one file, and the bank when it has none."""
    raw, error = _read_yaml(path, shown)
    if error:
        return None, [error]
    if not isinstance(raw, dict):
        return None, [f"{shown}: expected a mapping with quiz, title, chapter, questions"]
    out: list[str] = []
    try:
        head = _Head.model_validate(raw)
    except ValidationError as exc:
        out.extend(f"{shown}: {f}: {m}" for f, m in messages(exc) if not f.startswith("questions["))
        head = None
        if not isinstance(raw.get("questions"), list):
            return None, out
    chapter = head.chapter if head else str(raw.get("chapter", ""))
    seen: set[str] = set()
    for i, item in enumerate(raw["questions"]):
        qid = item.get("id") if isinstance(item, dict) else None
        label = str(qid) if isinstance(qid, str) and qid else f"questions[{i}]"
        if not isinstance(item, dict):
            out.append(f"{shown}: {label}: expected a mapping")
            continue
        if isinstance(qid, str):
            if qid in seen:
                out.append(f"{shown}: {label}: id: duplicate question id")
            seen.add(qid)
        try:
            question = Question.model_validate(item)
        except ValidationError as exc:
            out.extend(f"{shown}: {label}: {f}: {m}" for f, m in messages(exc))
            continue
        out.extend(f"{shown}: {label}: {f}: {m}" for f, m in check_question(question, chapter, paras))
    if out:
        return None, out
    bank = Bank.model_validate(raw)
    bank._path = path
    return bank, []


def problems(bank_paths: list[Path], root: Path | None = None) -> list[str]:
    """Every problem of every bank, including ids repeated across banks (for `validate`)."""
    _, found = _load_many(bank_paths, root)
    return found


def _load_many(bank_paths: list[Path], root: Path | None) -> tuple[list[Bank], list[str]]:
    paras = edition.by_id(root)
    banks: list[Bank] = []
    out: list[str] = []
    owner: dict[str, str] = {}
    quizzes: dict[str, str] = {}
    for path in bank_paths:
        shown = display_path(Path(path), root)
        bank, found = _bank_problems(Path(path), shown, paras)
        out.extend(found)
        if bank is None:
            continue
        if bank.quiz in quizzes:
            out.append(f"{shown}: quiz: {bank.quiz} is also the quiz of {quizzes[bank.quiz]}")
        quizzes.setdefault(bank.quiz, shown)
        for q in bank.questions:
            if q.id in owner:
                out.append(f"{shown}: {q.id}: id: duplicate question id (also in {owner[q.id]})")
            owner.setdefault(q.id, shown)
        banks.append(bank)
    return banks, out


def load(path: Path, root: Path | None = None) -> Bank:
    """One bank, or CasebookError naming its first problem."""
    path = Path(path)
    if not path.is_file():
        raise CasebookError(f"{path}: no such bank file")
    bank, found = _bank_problems(path, display_path(path, root), edition.by_id(root))
    if found:
        raise CasebookError(found[0])
    assert bank is not None
    return bank


def load_all(bank_paths: list[Path], root: Path | None = None) -> list[Bank]:
    """Several banks checked together (ids unique across all), or the first problem."""
    if not bank_paths:
        raise CasebookError("no question banks: add exercises/*.yml or pass --bank PATH")
    banks, found = _load_many(bank_paths, root)
    if found:
        more = f" (and {len(found) - 1} more; run 'casebook validate')" if len(found) > 1 else ""
        raise CasebookError(found[0] + more)
    return banks


def select(banks: list[Bank], quiz: str | None) -> list[Bank]:
    if quiz is None:
        return banks
    chosen = [b for b in banks if b.quiz == quiz]
    if not chosen:
        known = ", ".join(b.quiz for b in banks) or "none"
        raise CasebookError(f"no quiz {quiz!r} (banks have: {known})")
    return chosen
