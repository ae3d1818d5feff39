"""The shape of a question bank: pydantic models of exercises/*.yml, one question at a time.

Pydantic (extra='forbid', frozen) checks what one field can check on its own;
the rules that need several fields, the edition or other banks are in
:mod:`casebook.quiz.checks`, and what each question type accepts in
:mod:`casebook.quiz.types`. Imports nothing of casebook but the shared leaves.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

if TYPE_CHECKING:
    from casebook.quiz.types import QuestionType

Kind = Literal["single", "multiple", "true_false", "numeric", "ordering", "matching", "short_text", "written"]
TYPES: tuple[str, ...] = get_args(Kind)
Bloom = Literal["remember", "understand", "apply", "analyze", "evaluate"]
BLOOM: tuple[str, ...] = get_args(Bloom)
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
TOKEN = re.compile(r"^\S+$")
Problem = tuple[str, str]  # (field, message) of one question


def as_key(value: Any) -> Any:
    """YAML reads `key: 1` as an int; a key is a key whichever way it was typed."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    key: str = Field(pattern=TOKEN.pattern)
    text: str
    misconception: str | None = None

    _key = field_validator("key", mode="before")(as_key)


class Target(_Strict):
    key: str = Field(pattern=TOKEN.pattern)
    text: str

    _key = field_validator("key", mode="before")(as_key)


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
    type: Kind
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
    bloom: Bloom

    @property
    def option_keys(self) -> list[str]:
        return [o.key for o in self.options or []]

    @property
    def target_keys(self) -> list[str]:
        return [t.key for t in self.targets or []]

    @property
    def kind(self) -> QuestionType:
        """This question's type in the registry: how it is checked, answered, scored, worded."""
        from casebook.quiz.types import REGISTRY

        return REGISTRY[self.type]

    def key_answer(self) -> Any:
        """The answer in the shape the scorer compares (keys as strings, models as dicts)."""
        return self.kind.shape(self.answer)

    @property
    def manual(self) -> bool:
        return self.kind.manual


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
        from casebook.quiz.bank import version

        return version(self)


def _loc(parts: tuple[int | str, ...]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def messages(exc: ValidationError) -> list[Problem]:
    """Pydantic's errors as (field, message) pairs in the bank's own words."""
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
