"""Question banks: the YAML format of exercises/README.md, validated to one-line problems.

Chapter authors write banks by hand, so every mistake must come back as one
line that names the file, the question and the field
(``exercises/bottom-up.yml: bu-q03: evidence[0].quote: not found in P045``).
Pydantic (extra='forbid') checks the shape of each question; the rules that
need more than one field, the edition or other banks are plain functions
below, so that every problem of every question is reported in one run.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from casebook import edition, paths
from casebook.errors import CasebookError
from casebook.quiz import scoring

TYPES = ("single", "multiple", "true_false", "numeric", "ordering", "matching", "short_text",
         "written")
MANUAL = {"written"}  # scored by hand with a rubric, never by the grader
BLOOM = ("remember", "understand", "apply", "analyze", "evaluate")
WITH_OPTIONS = {"single", "multiple", "ordering", "matching"}
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
TOKEN = re.compile(r"^\S+$")


def _as_key(value: Any) -> Any:
    """YAML reads `key: 1` as an int; a key is a key whichever way it was typed."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    key: str = Field(pattern=TOKEN.pattern)
    text: str
    misconception: str | None = None

    _key = field_validator("key", mode="before")(_as_key)


class Target(_Strict):
    key: str = Field(pattern=TOKEN.pattern)
    text: str

    _key = field_validator("key", mode="before")(_as_key)


class Evidence(_Strict):
    para: str
    quote: str = Field(min_length=1)


class WrongAnswer(_Strict):
    answer: str | float
    misconception: str = Field(min_length=1)


class NumericAnswer(_Strict):
    value: float
    tolerance: float = Field(default=0, ge=0)
    unit: str = ""


class TextAnswer(_Strict):
    accept: list[str] = Field(min_length=1)

    @field_validator("accept", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Level(_Strict):
    points: float = Field(ge=0)
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)


class Criterion(_Strict):
    criterion: str = Field(min_length=1)
    description: str = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)

    @property
    def max_points(self) -> float:
        return max(level.points for level in self.levels)


class Question(_Strict):
    id: str = Field(pattern=TOKEN.pattern)
    type: Literal[TYPES]  # type: ignore[valid-type]
    prompt: str = Field(min_length=1)
    options: list[Option] | None = None
    targets: list[Target] | None = None
    answer: Any = None
    misconception: str | None = None
    wrong: list[WrongAnswer] | None = None
    points: float = Field(default=1, gt=0)
    explanation: str | None = Field(default=None, min_length=1)
    word_limit: int | None = Field(default=None, gt=0)
    rubric: list[Criterion] | None = None
    evidence: list[Evidence] = Field(min_length=1)
    objective: str
    bloom: Literal[BLOOM]  # type: ignore[valid-type]

    @property
    def option_keys(self) -> list[str]:
        return [o.key for o in self.options or []]

    @property
    def target_keys(self) -> list[str]:
        return [t.key for t in self.targets or []]

    def key_answer(self) -> Any:
        """The answer in the shape the scorer compares (keys as strings, models as dicts)."""
        kind, answer = self.type, self.answer
        if kind == "single":
            return _as_key(answer)
        if kind in ("multiple", "ordering"):
            return [_as_key(a) for a in answer]
        if kind == "matching":
            return {_as_key(k): _as_key(v) for k, v in answer.items()}
        if kind == "numeric":
            return NumericAnswer.model_validate(answer)
        if kind == "short_text":
            return TextAnswer.model_validate(answer)
        return answer

    @property
    def manual(self) -> bool:
        return self.type in MANUAL


class Bank(_Strict):
    quiz: str = Field(pattern=SLUG.pattern)
    title: str = Field(min_length=1)
    chapter: str = Field(pattern=SLUG.pattern)
    questions: list[Question] = Field(min_length=1)
    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def version(self) -> str:
        return version(self)


class _Head(BaseModel):
    """The bank without its questions, so each question is checked on its own."""

    model_config = ConfigDict(extra="forbid")
    quiz: str = Field(pattern=SLUG.pattern)
    title: str = Field(min_length=1)
    chapter: str = Field(pattern=SLUG.pattern)
    questions: list[dict] = Field(min_length=1)


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
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, f"alias *{event.anchor} is not allowed in a bank (write the value "
                "out)", event.start_mark)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and isinstance(event, (
                yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            raise yaml.composer.ComposerError(
                None, None, f"tag {tag} is not allowed in a bank (write a plain value)",
                event.start_mark)
        return super().compose_node(parent, index)


_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value, not a list or mapping",
                key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


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


def discover(root: Path | None = None, extra: list[Path] | tuple = ()) -> list[Path]:
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


def _loc(parts: tuple) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for err in exc.errors():
        kind = err["type"]
        if kind == "extra_forbidden":
            msg = "unknown key"
        elif kind == "missing":
            msg = "missing"
        else:
            msg = err["msg"][0].lower() + err["msg"][1:]
        out.append((_loc(err["loc"]), msg))
    return out


def _check_question(q: Question, chapter: str, paras: dict[str, edition.Paragraph]) -> list[
        tuple[str, str]]:
    """Rules across fields of one question; (field, message) pairs."""
    out: list[tuple[str, str]] = []
    kind = q.type
    keys, targets = q.option_keys, q.target_keys

    if kind in WITH_OPTIONS:
        if not q.options or len(q.options) < 2:
            out.append(("options", f"{kind} needs at least two options"))
    elif q.options is not None:
        out.append(("options", f"not used by {kind} questions"))
    if kind == "matching":
        if not q.targets:
            out.append(("targets", "matching needs targets"))
    elif q.targets is not None:
        out.append(("targets", "only for matching questions"))
    for name, seq in (("options", keys), ("targets", targets)):
        dupes = sorted({k for k in seq if seq.count(k) > 1})
        if dupes:
            out.append((name, f"duplicate key {', '.join(dupes)}"))
    out.extend(_check_answer(q, keys, targets) if not q.manual else _check_written(q))
    if not q.manual and q.explanation is None:
        out.append(("explanation", "missing"))
    for name in ("word_limit", "rubric"):
        if not q.manual and getattr(q, name) is not None:
            out.append((name, "only for written questions"))
    if kind == "true_false":
        if not q.misconception:
            out.append(("misconception", "true_false needs what the wrong choice reveals"))
    elif q.misconception is not None:
        out.append(("misconception", "only for true_false (options carry their own)"))
    if q.wrong is not None and kind not in ("numeric", "short_text"):
        out.append(("wrong", "only for numeric and short_text questions"))
    if not re.fullmatch(rf"{re.escape(chapter)}-o[1-9][0-9]*", q.objective):
        out.append(("objective", f"expected {chapter}-oN, got {q.objective!r}"))
    for i, ev in enumerate(q.evidence):
        para = paras.get(ev.para)
        if para is None:
            out.append((f"evidence[{i}].para", f"no paragraph {ev.para}"))
        elif ev.quote not in para.text and ev.quote not in para.reading:
            out.append((f"evidence[{i}].quote", f"not found in {ev.para}"))
    return out


def _check_answer(q: Question, keys: list[str], targets: list[str]) -> list[tuple[str, str]]:
    kind, answer = q.type, q.answer
    out: list[tuple[str, str]] = []
    if answer is None:
        return [("answer", "missing")]
    if kind == "single":
        key = _as_key(answer)
        if not isinstance(key, str):
            return [("answer", "single needs one option key")]
        if key not in keys:
            return [("answer", f"no option {key}")]
        out.extend(_check_misconceptions(q, {key}))
    elif kind == "multiple":
        if not isinstance(answer, list) or not answer:
            return [("answer", "multiple needs a list of option keys")]
        picked = [_as_key(a) for a in answer]
        missing = [str(k) for k in picked if k not in keys]
        if missing:
            return [("answer", f"no option {', '.join(missing)}")]
        if len(set(picked)) != len(picked):
            return [("answer", "a key is listed twice")]
        out.extend(_check_misconceptions(q, set(picked)))
    elif kind == "true_false":
        if not isinstance(answer, bool):
            return [("answer", "true_false needs true or false")]
    elif kind == "numeric":
        try:
            NumericAnswer.model_validate(answer)
        except ValidationError as exc:
            return [(f"answer.{f}" if f else "answer", m) for f, m in _messages(exc)]
        for i, w in enumerate(q.wrong or []):
            if not isinstance(w.answer, float | int):
                out.append((f"wrong[{i}].answer", "numeric wrong answers are numbers"))
    elif kind == "ordering":
        if not isinstance(answer, list):
            return [("answer", "ordering needs a list of every option key")]
        order = [_as_key(a) for a in answer]
        if sorted(map(str, order)) != sorted(keys) or len(order) != len(keys):
            return [("answer", "not a permutation of the option keys")]
    elif kind == "matching":
        if not isinstance(answer, dict):
            return [("answer", "matching needs a mapping of left key to target key")]
        pairs = {_as_key(k): _as_key(v) for k, v in answer.items()}
        unknown = [str(k) for k in pairs if k not in keys]
        if unknown:
            return [("answer", f"no option {', '.join(unknown)}")]
        missing = [k for k in keys if k not in pairs]
        if missing:
            return [("answer", f"no match for {', '.join(missing)}")]
        bad = sorted({str(v) for v in pairs.values() if v not in targets})
        if bad:
            return [("answer", f"no target {', '.join(bad)}")]
    elif kind == "short_text":
        try:
            accepted = TextAnswer.model_validate(answer)
        except ValidationError as exc:
            return [(f"answer.{f}" if f else "answer", m) for f, m in _messages(exc)]
        forms = {scoring.normalize_text(a) for a in accepted.accept}
        if "" in forms:
            out.append(("answer.accept", "an accepted form is empty once normalised"))
        for i, w in enumerate(q.wrong or []):
            if scoring.normalize_text(str(w.answer)) in forms:
                out.append((f"wrong[{i}].answer", "is also accepted"))
    return out


def _check_written(q: Question) -> list[tuple[str, str]]:
    """Written answers are scored by hand: a rubric instead of an answer, adding up to points."""
    out = []
    if q.answer is not None:
        out.append(("answer", "written questions have a rubric, not an answer"))
    if not q.rubric:
        return out + [("rubric", "written questions need a rubric")]
    names = [c.criterion for c in q.rubric]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        out.append(("rubric", f"duplicate criterion {', '.join(dupes)}"))
    total = sum(c.max_points for c in q.rubric)
    if abs(total - q.points) > 1e-9:
        out.append(("rubric", f"top levels add up to {total:g}, but points is {q.points:g}"))
    return out


def _check_misconceptions(q: Question, right: set[str]) -> list[tuple[str, str]]:
    out = []
    for i, option in enumerate(q.options or []):
        if option.key in right and option.misconception:
            out.append((f"options[{i}].misconception", "the correct option has none"))
        elif option.key not in right and not option.misconception:
            out.append((f"options[{i}].misconception", "missing on a wrong option"))
    return out


def _bank_problems(path: Path, shown: str, paras: dict) -> tuple[Bank | None, list[str]]:
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
        out.extend(f"{shown}: {f}: {m}" for f, m in _messages(exc) if not f.startswith(
            "questions["))
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
            out.extend(f"{shown}: {label}: {f}: {m}" for f, m in _messages(exc))
            continue
        out.extend(f"{shown}: {label}: {f}: {m}" for f, m in _check_question(
            question, chapter, paras))
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


def variable(index: int) -> str:
    """Name of the answer variable of the index-th question (0-based): q01, q02, ..."""
    return f"q{index + 1:02d}"


def alias(question_id: str) -> str:
    """The question id as a Python name, accepted when a student renamed the cell's variable."""
    return re.sub(r"\W", "_", question_id)


def answer_key(bank: Bank) -> dict:
    """The bank as plain data for scoring: picklable, no pydantic, answers normalised."""
    questions = []
    for index, q in enumerate(bank.questions):
        entry: dict[str, Any] = {
            "id": q.id,
            "type": q.type,
            "var": variable(index),
            "alias": alias(q.id),
            "points": float(q.points),
            "options": q.option_keys,
            "targets": q.target_keys,
            "misconceptions": {o.key: o.misconception for o in q.options or [] if o.misconception},
        }
        answer = q.key_answer()
        if q.manual:
            entry.update(manual=True, answer=None, word_limit=q.word_limit)
        elif q.type == "numeric":
            entry.update(value=answer.value, tolerance=answer.tolerance, unit=answer.unit)
            entry["wrong"] = [(float(w.answer), w.misconception) for w in q.wrong or []]
            entry["answer"] = answer.value
        elif q.type == "short_text":
            entry["accept"] = sorted({scoring.normalize_text(a) for a in answer.accept})
            entry["answer"] = answer.accept[0]
            entry["wrong"] = [
                (scoring.normalize_text(str(w.answer)), w.misconception) for w in q.wrong or []
            ]
        else:
            entry["answer"] = answer
        if q.type == "true_false":
            entry["misconception"] = q.misconception or ""
        questions.append(entry)
    return {
        "quiz": bank.quiz,
        "title": bank.title,
        "version": bank.version,
        "max_score": float(sum(q.points for q in bank.questions if not q.manual)),
        "manual_points": float(sum(q.points for q in bank.questions if q.manual)),
        "questions": questions,
    }
