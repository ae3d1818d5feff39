"""Student, practice and solutions notebooks made from a bank.

A student notebook must be gradable without running it and must not leak the
key, so it holds only prompts, options and placeholder literals; the grader
finds answers through cell metadata (``casebook.question``) and, when a
student's editor dropped the metadata, through the variable name. Roster
releases shuffle the display order of options per student while keeping the
keys, so one answer key grades every copy.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import random
from pathlib import Path
from typing import Any

import nbformat
from nbformat import v4

from casebook import fileio, roster
from casebook.edition import Paragraph
from casebook.errors import CasebookError
from casebook.quiz import layout, scoring, wording
from casebook.quiz.key import answer_key
from casebook.quiz.layout import END_NOTE, WRITTEN_PLACEHOLDER, variable, written_heading
from casebook.quiz.schema import Bank, Question

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}

INSTRUCTIONS = """\
**How to answer.** Each question has an answer cell such as `q03 = ""`. Replace the
placeholder with a plain value of the kind asked, and change nothing else in the cell:

| question | write, for example |
| --- | --- |
| one option | `q01 = "b"` |
| several options | `q02 = ["a", "d"]` |
| true or false | `q03 = True` |
| number | `q04 = 12.5` |
| order | `q05 = ["c", "a", "b"]` |
| matching | `q06 = {"a": "x", "b": "y"}` |
| short text | `q07 = "your words, 中文 or English"` |

A **written** question has a text cell instead of a value: double-click it, replace
*Write your answer here.* with your answer (as many paragraphs as needed) and keep the
line above it.

Grading reads these values without running the notebook: a value computed by code
(`1 + 1`, a function call) scores 0. Leave a question blank if you do not know;
a blank scores 0 and costs nothing more. Fill in your name and id below, save, and
hand in this file.
"""

PRACTICE_NOTE = """\
> **Practice notebook: this file contains the answer key.** It is for self-study only.
> Answer the questions, then run the last cell to check your answers and read why.
> Written answers are not checked automatically: the check shows the rubric to compare
> your text with. Do not hand it in for a graded quiz.
"""

SOLUTION_WRITTEN = "*(Scored by hand with the rubric below: no single right text.)*"

CHECK_SOURCE = '''

def check(namespace=None):
    """Print, for every question, whether your answer is right and why."""
    import textwrap

    namespace = globals() if namespace is None else namespace
    total = 0.0
    for item in PRACTICE_KEY["questions"]:
        question = item["key"]
        var = question["var"]
        if question.get("manual"):
            print(f"Question {item['n']} ({question['id']}): WRITTEN, not checked automatically "
                  f"({question['points']:g} point(s), scored by hand)")
            print("  Compare your text with the rubric: " + item["answer"])
            print()
            continue
        value = namespace.get(var)
        fraction, outcome, note = credit(question, value)
        earned = fraction * question["points"]
        total += earned
        print(f"Question {item['n']} ({question['id']}): {outcome.upper()}, "
              f"{earned:g} of {question['points']:g} point(s)")
        if var not in namespace:
            print("  (the answer cell has not been run)")
        if note:
            print("  " + note)
        if outcome != RIGHT:
            hint = misconception(question, value)
            if hint:
                print("  What this answer suggests: " + hint)
            print("  Answer: " + item["answer"])
        if item["explanation"]:
            print(textwrap.indent("Why: " + item["explanation"].strip(), "  "))
        for ev in item["evidence"]:
            print(f"  {ev['para']}: {ev['quote']}")
            if ev["en"]:
                print(textwrap.indent(textwrap.fill(ev["en"], 76), "      "))
        print()
    manual = PRACTICE_KEY.get("manual_points", 0)
    extra = f" (plus {manual:g} scored by hand)" if manual else ""
    print(f"Total: {total:g} of {PRACTICE_KEY['max_score']:g}{extra}")
'''


def _meta(**casebook: Any) -> dict[str, Any]:
    return layout.meta(**casebook)


def _code(source: str, cid: str, **meta: Any) -> nbformat.NotebookNode:
    return v4.new_code_cell(source, id=cid, metadata=_meta(**meta) if meta else {})


def _markdown(source: str, cid: str, **meta: Any) -> nbformat.NotebookNode:
    return v4.new_markdown_cell(source, id=cid, metadata=_meta(**meta) if meta else {})


def base_order(q: Question) -> tuple[list[str], list[str]]:
    """Display order without a roster: the bank's, unless that would show an ordering's answer."""
    keys, targets = q.option_keys, q.target_keys
    if q.kind.ordered and keys == q.key_answer():
        keys = keys[::-1]  # reversed: copying the display order earns no pair
    return keys, targets


def student_order(q: Question, rng: random.Random) -> tuple[list[str], list[str]]:
    """A shuffled display order for one student; keys are unchanged."""
    keys, targets = list(q.option_keys), list(q.target_keys)
    rng.shuffle(keys)
    rng.shuffle(targets)
    if q.kind.ordered and keys == q.key_answer():
        keys = keys[::-1]
    return keys, targets


def _rng(quiz: str, student_id: str) -> random.Random:
    digest = hashlib.sha256(f"{quiz}\x00{student_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def prompt_markdown(q: Question, n: int, order: tuple[list[str], list[str]] | None = None) -> str:
    """The question as the student reads it: number, points, prompt, options in display order."""
    keys, target_keys = order or base_order(q)
    texts = {o.key: o.text.strip() for o in q.options or []}
    targets = {t.key: t.text.strip() for t in q.targets or []}
    pts = wording.points(q.points)
    lines = [layout.prompt_heading(n, pts, q.points != 1), "", q.prompt.strip(), ""]
    if q.kind.targets:
        lines += ["Left:", ""] + [f"- **{k}** {texts[k]}" for k in keys]
        lines += ["", "Right:", ""] + [f"- **{k}** {targets[k]}" for k in target_keys]
        lines.append("")
    elif keys:
        lines += [f"- **{k})** {texts[k]}" for k in keys] + [""]
    how = q.kind.how + q.kind.hint(q)
    if q.manual:
        limit = f" At most {q.word_limit} words." if q.word_limit else ""
        lines += [f"Scored on: {wording.rubric_summary(q)}.{limit}", ""]
    if q.manual:
        lines.append(f"*{how}*")
    else:
        lines.append(f"*{how}* Answer in `{variable(n - 1)}` below.")
    return "\n".join(lines)


def written_source(n: int, text: str = WRITTEN_PLACEHOLDER) -> str:
    """The Markdown answer cell of written question n: its heading line, then the text."""
    return f"{written_heading(n)}\n\n{text}"


def answer_cell(q: Question, index: int, source: str | None = None) -> nbformat.NotebookNode:
    """The cell a student answers in: code with a placeholder literal, or Markdown for written."""
    var = variable(index)
    if q.manual:
        return _markdown(
            written_source(index + 1) if source is None else source,
            f"{var}-answer",
            question=q.id,
            role=layout.ANSWER,
            kind=layout.WRITTEN,
        )
    return _code(
        f"{var} = {q.kind.placeholder}" if source is None else source,
        f"{var}-answer",
        question=q.id,
        role=layout.ANSWER,
    )


def identity_source(name: str = "", student_id: str = "") -> str:
    return (
        "# Who you are: fill in both, keep the quotes.\n"
        f"{layout.STUDENT_NAME} = {json.dumps(name, ensure_ascii=False)}\n"
        f"{layout.STUDENT_ID} = {json.dumps(student_id, ensure_ascii=False)}\n"
    )


def student(
    bank: Bank, *, practice: bool = False, paras: dict[str, Paragraph] | None = None
) -> nbformat.NotebookNode:
    """The notebook students fill in; with practice=True it also carries the key and a checker."""
    cells = []
    if practice:
        cells.append(_markdown(PRACTICE_NOTE, "practice-note"))
    total = wording.total_points(bank)
    head = f"# {bank.title}\n\nQuiz `{bank.quiz}`: {len(bank.questions)} questions, {total} points."
    cells.append(_markdown(f"{head}\n\n{INSTRUCTIONS}", "intro"))
    cells.append(_code(identity_source(), "identity", role=layout.IDENTITY))
    for index, q in enumerate(bank.questions):
        var = variable(index)
        cells.append(
            _markdown(prompt_markdown(q, index + 1), f"{var}-prompt", question=q.id, role=layout.PROMPT)
        )
        cells.append(answer_cell(q, index))
    if practice:
        cells.append(
            _markdown(
                "## Check your answers\n\nRun the next two cells. The first one "
                "loads the key: reading it spoils the quiz.",
                "check-intro",
            )
        )
        cells.append(_code(checker_source(bank, paras or {}), "checker", role=layout.CHECKER))
        cells.append(_code("check()", "check", role=layout.CHECK))
    else:
        cells.append(_markdown(END_NOTE, "end", role=layout.END))
    meta = layout.notebook_meta(bank.quiz, bank.version, **({"practice": True} if practice else {}))
    return _notebook(cells, meta)


def _notebook(cells: list[nbformat.NotebookNode], casebook: dict[str, Any]) -> nbformat.NotebookNode:
    nb = v4.new_notebook(cells=cells)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {
        "kernelspec": dict(KERNEL),
        "language_info": {"name": "python"},
        layout.NAMESPACE: casebook,
    }
    return nb


def practice_key(bank: Bank, paras: dict[str, Paragraph]) -> dict:
    """What the embedded checker needs: the scoring key plus words to explain it."""
    key = answer_key(bank)
    items = []
    for index, (q, entry) in enumerate(zip(bank.questions, key["questions"], strict=True)):
        items.append(
            {
                "n": index + 1,
                "key": entry,
                "answer": wording.right_answer(q),
                "explanation": q.explanation or "",
                "evidence": wording.evidence(q, paras),
            }
        )
    return {
        "quiz": bank.quiz,
        "max_score": key["max_score"],
        "manual_points": key["manual_points"],
        "questions": items,
    }


def checker_source(bank: Bank, paras: dict[str, Paragraph]) -> str:
    """A self-contained checker: the scoring module's own source, the key, and check().

    Embedding scoring.py (stdlib only) instead of importing casebook means the
    practice notebook works on any Jupyter and scores exactly like the grader.
    """
    data = json.dumps(practice_key(bank, paras), ensure_ascii=False)
    return (
        "# Answer checker for this practice notebook (contains the answer key).\n"
        + inspect.getsource(scoring)
        + f"\n\nimport json\n\nPRACTICE_KEY = json.loads({data!r})\n"
        + CHECK_SOURCE
    )


def solutions(bank: Bank, paras: dict[str, Paragraph]) -> nbformat.NotebookNode:
    """The quiz answered: each answer cell filled, with the reason and the passage under it."""
    cells = [
        _markdown(
            f"# {bank.title}: solutions\n\nQuiz `{bank.quiz}`, "
            f"{wording.total_points(bank)} points. Instructors' copy.",
            "intro",
        ),
        _code(identity_source("SOLUTIONS", "solutions"), "identity", role=layout.IDENTITY),
    ]
    for index, q in enumerate(bank.questions):
        var = variable(index)
        cells.append(
            _markdown(prompt_markdown(q, index + 1), f"{var}-prompt", question=q.id, role=layout.PROMPT)
        )
        filled = (
            written_source(index + 1, SOLUTION_WRITTEN)
            if q.manual
            else (f"{var} = {wording.answer_literal(q)}")
        )
        cells.append(answer_cell(q, index, filled))
        cells.append(
            _markdown(solution_markdown(q, paras), f"{var}-solution", question=q.id, role=layout.SOLUTION)
        )
    return _notebook(cells, layout.notebook_meta(bank.quiz, bank.version, solutions=True))


def solution_markdown(q: Question, paras: dict[str, Paragraph]) -> str:
    if q.manual:
        lines = ["**Scored by hand with this rubric:**", "", wording.rubric_markdown(q), ""]
        if q.explanation:
            lines += [f"**Notes:** {q.explanation.strip()}", ""]
        lines += ["**Evidence:**", ""]
    else:
        lines = [
            f"**Answer:** {wording.right_answer(q)}",
            "",
            f"**Why:** {(q.explanation or '').strip()}",
            "",
            "**Evidence:**",
            "",
        ]
    for ev in wording.evidence(q, paras):
        lines.append(f"> {ev['quote']} ({ev['para']})")
        if ev["en"]:
            lines += [">", f"> *{ev['en']}*"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def for_student(template: dict, bank: Bank, student_id: str, name: str) -> dict:
    """A roster copy: identity filled in and options shuffled, deterministic per student and quiz.

    Built by copying the template's cells instead of calling nbformat per cell:
    releasing (or simulating) thousands of students stays fast, and the
    template itself was built, and is tested, with nbformat's validated cells.
    """
    rng = _rng(bank.quiz, student_id)
    by_id = {q.id: (i, q) for i, q in enumerate(bank.questions)}
    cells = []
    for cell in template["cells"]:
        meta = layout.cell_meta(cell)
        if meta.get("role") == layout.IDENTITY:
            cell = {**cell, "source": identity_source(name, student_id)}
        elif meta.get("role") == layout.PROMPT and meta.get("question") in by_id:
            index, q = by_id[meta["question"]]
            cell = {**cell, "source": prompt_markdown(q, index + 1, student_order(q, rng))}
        cells.append(cell)
    return {**template, "cells": cells}


def dumps(nb: dict) -> str:
    """Exactly nbformat's on-disk layout (indent 1, sorted keys, UTF-8 as is)."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def write(nb: dict, path: Path) -> Path:
    fileio.write_text(path, dumps(nb))
    return path


def read_roster(path: Path) -> list[tuple[str, str]]:
    """(student_id, name) rows of a roster CSV (casebook.roster), each giving its own folder."""
    students = roster.read(path)
    folders: dict[str, int] = {}
    for line, student in enumerate(students, start=2):
        safe = fileio.safe_name(student.student_id).casefold()
        if safe in folders:
            raise CasebookError(
                f"{path}:{line}: student_id {student.student_id} gives the same "
                f"folder name as line {folders[safe]}"
            )
        folders[safe] = line
    return [(s.student_id, s.name) for s in students]


def release(
    banks: list[Bank],
    out: Path,
    *,
    practice: bool = False,
    roster: list[tuple[str, str]] | None = None,
    paras: dict[str, Paragraph] | None = None,
) -> list[Path]:
    """Write the notebooks of each bank; with a roster, one folder per student."""
    if practice and roster:
        raise CasebookError(
            "--practice and --roster do not combine: practice notebooks are the same for everyone"
        )
    out = Path(out)
    written = []
    for bank in banks:
        template = student(bank, practice=practice, paras=paras)
        nbformat.validate(template)
        if roster:
            for sid, name in roster:
                target = out / fileio.safe_name(sid) / f"{bank.quiz}.ipynb"
                written.append(write(for_student(template, bank, sid, name), target))
        else:
            suffix = "-practice" if practice else ""
            written.append(write(template, out / f"{bank.quiz}{suffix}.ipynb"))
    return written


def write_solutions(banks: list[Bank], out: Path, paras: dict[str, Paragraph]) -> list[Path]:
    written = []
    for bank in banks:
        nb = solutions(bank, paras)
        nbformat.validate(nb)
        written.append(write(nb, Path(out) / f"{bank.quiz}-solutions.ipynb"))
    return written
