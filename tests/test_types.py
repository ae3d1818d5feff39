"""The question-type registry: every consumer of a question type handles every type.

Each consumer keeps its per-type code in a table keyed by type; this test
enumerates ``bank.TYPES`` against every such table it knows of, and against
every ``casebook.lms`` module that exposes ``WRITERS``. Adding a type to
``schema.Kind`` without a line in one of these tables fails here, naming the
table.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

import bench
import pytest

import casebook.lms
from casebook import edition
from casebook.grading import analysis, demo, pages
from casebook.quiz import bank, schema, scoring, types, wording
from casebook.report import classreport
from casebook.sphinx import quiz as book_quiz

DATA = Path(__file__).parent / "data"
JS = Path(book_quiz.__file__).parent / "static" / "casebook-quiz.js"

TABLES = {
    "quiz.types.REGISTRY": types.REGISTRY,
    "quiz.scoring.CREDIT": scoring.CREDIT,
    "quiz.scoring.MISCONCEPTION": scoring.MISCONCEPTION,
    "quiz.scoring.CHOICES": scoring.CHOICES,
    "sphinx.quiz.BODY": book_quiz.BODY,
    "grading.demo.ANSWER": demo.ANSWER,
    "grading.demo.MISREADING": demo.MISREADING,
    "grading.analysis.CORRECT_LABELS": analysis.CORRECT_LABELS,
    "benchmarks/bench.TEST_SOURCE": bench.TEST_SOURCE,
    "report.classreport.MISREADINGS": classreport.MISREADINGS,
}


def _lms_modules() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(casebook.lms.__path__):
        found[info.name] = importlib.import_module(f"casebook.lms.{info.name}")
    return found


def _js_table(name: str) -> list[str]:
    """Keys of a top-level table `var NAME = { key: ..., }` in casebook-quiz.js."""
    text = JS.read_text(encoding="utf-8")
    start = text.index(f"  var {name} = {{")
    end = text.index("\n  };", start)
    return re.findall(r"^    (\w+): ", text[start:end], re.M)


def test_types_are_one_list() -> None:
    assert bank.TYPES == schema.TYPES == tuple(types.REGISTRY)
    assert len(set(bank.TYPES)) == len(bank.TYPES) >= 8


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_consumer_table_has_every_type(table: str) -> None:
    keys = TABLES[table]
    missing, unknown = set(bank.TYPES) - set(keys), set(keys) - set(bank.TYPES)
    assert not missing and not unknown, f"{table}: missing {sorted(missing)}, unknown {sorted(unknown)}"


@pytest.mark.parametrize("table", ["TYPES", "READ"])
def test_the_browser_quiz_has_every_type(table: str) -> None:
    assert sorted(_js_table(table)) == sorted(bank.TYPES), f"casebook-quiz.js {table}"


def test_every_bank_export_has_a_writer_for_every_type() -> None:
    modules = _lms_modules()
    exports = {name for name, m in modules.items() if hasattr(m, "WRITERS") or hasattr(m, "write")}
    assert {"qti", "gift"} <= exports
    for name in sorted(exports):
        writers = getattr(modules[name], "WRITERS", None)
        assert writers is not None, f"casebook.lms.{name} writes banks but has no WRITERS table"
        assert set(writers) == set(bank.TYPES), f"casebook.lms.{name}.WRITERS"
        assert all(callable(w) for w in writers.values()), name


def test_each_type_declares_its_answer_cell() -> None:
    for name, kind in types.REGISTRY.items():
        assert kind.name == name and kind.how.strip()
        assert bool(kind.placeholder) != kind.manual, name  # a literal, or a Markdown cell
        assert kind.credit is scoring.CREDIT[name]


@pytest.fixture(scope="module")
def questions() -> list[bank.Question]:
    banks = [bank.load(DATA / "sample.yml")] + [bank.load(p) for p in bank.discover()]
    return [q for b in banks for q in b.questions]


def test_the_banks_use_every_type(questions: list[bank.Question]) -> None:
    assert {q.type for q in questions} == set(bank.TYPES)


def test_feedback_notebooks_and_book_word_the_answer_alike(questions: list[bank.Question]) -> None:
    """One wording of the right answer: feedback pages, solutions notebooks, the book's quiz."""
    sample = bank.load(DATA / "sample.yml")
    paras = edition.by_id()
    prepared = pages.prepare(sample, paras)
    rendered = book_quiz.render(sample, bank.answer_key(sample), "case.html", paras, reveal=True)
    blob = re.search(r'<script type="application/json" class="cbq-key">(.*?)</script>', rendered, re.S)
    assert blob
    in_book = {
        qid: e["right_text"]
        for qid, e in json.loads(blob.group(1).replace("<\\/", "</"))["questions"].items()
    }
    in_feedback = {q["id"]: q["answer_md"] for q in prepared["questions"]}
    for q in sample.questions:
        words = wording.right_answer(q)
        assert words.strip(), q.id
        assert in_feedback[q.id] == words, q.id
        if not q.manual:
            assert in_book[q.id] == words, q.id
    for q in questions:  # every type of every bank has words
        assert wording.right_answer(q).strip(), q.id
