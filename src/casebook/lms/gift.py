"""Moodle GIFT: a bank as one `<quiz>.gift.txt` for Question bank → Import → GIFT format.

Mapping (Moodle's scoring matches the bank's wherever a type is carried):

| bank | GIFT |
| --- | --- |
| single | multiple choice, `=right` and `~wrong#misconception` |
| multiple | each right key `%100/n%`, each wrong key `%-100/n%`; Moodle floors at 0: the bank's rule |
| true_false | `{TRUE#wrong-choice feedback#}` (the misconception is what a wrong choice reveals) |
| numeric | `{#=value:tolerance}`, known wrong answers as `=%0%value:0#misconception` |
| short_text | short answer, every accepted form `=form`, known wrong forms `=%0%form#misconception` |
| matching | matching `=left -> target`, unused targets as `= -> distractor` |
| written | essay `{}` (scored by hand in Moodle too) |
| ordering | none: GIFT has no ordering question, so it is skipped and reported |

Text goes as `[markdown]` (the bank's prompts are Markdown). Every GIFT special
character (``~ = # { } :`` and the backslash) is escaped with a backslash and a
line break inside a text becomes ``\\n``, so a question is one block whatever it
says; '->' inside the braces, which Moodle would take for a matching pair, is
written '-&gt;' (Markdown shows '->'). The explanation and the cited passages
are the general feedback (``####``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from casebook import __version__, fileio
from casebook.lms.report import Report, general_feedback_md, number, of_type
from casebook.quiz.bank import TYPES, Bank, Question

NAME = "Moodle GIFT"
SPECIAL = "~=#{}:"


def escape(text: str) -> str:
    """Text safe anywhere in a GIFT question: specials and backslash escaped, one line."""
    out = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        if ch == "\\":
            out.append("\\\\")
        elif ch in SPECIAL:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def md(text: str) -> str:
    """Markdown inside the braces. Moodle takes any '->' there for a matching pair and GIFT has
    no escape for it, so it is written as the entity '-&gt;', which Markdown shows as '->'."""
    return escape(text.strip().replace("->", "-&gt;"))


def _side(text: str) -> str:
    """A matching side is plain text (no entities): '->' becomes an arrow, lines one line."""
    return escape(" ".join(text.split()).replace("->", "→"))


def _feedback(text: str | None) -> str:
    return f"#{md(text)}" if text else ""


def _weight(fraction: float) -> str:
    return f"%{number(round(fraction * 100, 5))}%"


def _answers(q: Question) -> list[str]:
    """The lines between the braces (without the general feedback)."""
    kind, key = q.type, q.key_answer()
    if kind == "single":
        return [("=" if o.key == key else "~") + md(o.text) + _feedback(o.misconception)
                for o in q.options or []]
    if kind == "multiple":
        share = 1 / len(key)
        return [f"~{_weight(share if o.key in key else -share)}{md(o.text)}"
                + _feedback(o.misconception) for o in q.options or []]
    if kind == "true_false":
        return [("TRUE" if key else "FALSE") + _feedback(q.misconception) + "#"]
    if kind == "numeric":
        lines = [f"={number(key.value)}:{number(key.tolerance)}"]
        lines += [f"=%0%{number(float(w.answer))}:0{_feedback(w.misconception)}" for w in q.wrong or []]
        return lines
    if kind == "short_text":
        lines = [f"={escape(form.strip())}" for form in key.accept]
        lines += [f"=%0%{escape(str(w.answer).strip())}{_feedback(w.misconception)}"
                  for w in q.wrong or []]
        return lines
    if kind == "matching":
        texts = {t.key: t.text for t in q.targets or []}
        lines = [f"={_side(o.text)} -> {_side(texts[key[o.key]])}" for o in q.options or []]
        used = set(key.values())
        lines += [f"= -> {_side(t.text)}" for t in q.targets or [] if t.key not in used]
        return lines
    return []  # written: an essay has no answers


def _cannot_carry(q: Question, report: Report) -> None:
    """GIFT has no ordering type: the report lists the question as skipped."""
    report.skip(q)


# Every question type's writer (the registry test checks each type has one).
WRITERS: dict[str, Callable[..., object]] = {
    kind: _cannot_carry if kind == "ordering" else _answers for kind in TYPES}


def question(q: Question) -> str:
    """One GIFT question block (no blank line inside)."""
    head = f"// {q.id}: {q.type}, {number(q.points)} point{'s' if q.points != 1 else ''}\n"
    text = f"::{escape(q.id)}::[markdown]{escape(q.prompt.strip())}"
    body = _answers(q)
    if q.type == "numeric":
        return head + text + "{#\n" + "\n".join(body) + "\n####" + md(general_feedback_md(q)) + "\n}"
    lines = [*body, "####" + md(general_feedback_md(q))]
    return head + text + "{\n" + "\n".join(lines) + "\n}"


def dumps(bank: Bank, report: Report | None = None) -> str:
    """The bank as GIFT text; fills report (carried, skipped, notes) when given."""
    report = report or Report(bank.quiz, Path(f"{bank.quiz}.gift.txt"), NAME)
    blocks = []
    for q in bank.questions:
        if q.type == "ordering":
            report.skip(q)
            continue
        report.carried[q.type] += 1
        blocks.append(question(q))
    report.notes += _notes(bank)
    header = (f"// {bank.quiz}: {' '.join(bank.title.split())}\n"
              f"// written by casebook {__version__} for Moodle (Question bank > Import > GIFT format)\n"
              + "".join(f"// {line.strip()}\n" for line in report.lines()[1:])
              + f"$CATEGORY: casebook/{bank.quiz}\n")
    return header + "\n" + "\n\n".join(blocks) + "\n"


def _notes(bank: Bank) -> list[str]:
    notes = []
    heavy = [q.id for q in bank.questions if q.points != 1 and q.type != "ordering"]
    if heavy:
        notes.append(f"points: GIFT has no question weight (Moodle imports every question at 1 "
                     f"mark); set the mark by hand for {', '.join(heavy)}")
    if of_type(bank, "numeric") and any(q.key_answer().unit for q in of_type(bank, "numeric")):
        notes.append("numeric: units are not carried (GIFT numbers have none); the prompts name them")
    if of_type(bank, "short_text"):
        notes.append("short_text: Moodle ignores case but not the grader's other normalisation "
                     "(full-width characters, surrounding punctuation)")
    if of_type(bank, "written"):
        notes.append("written: carried as essay; the rubric and word limit are not (GIFT has no "
                     "field for them)")
    return notes


def write(bank: Bank, out_dir: Path) -> Report:
    path = Path(out_dir) / f"{bank.quiz}.gift.txt"
    report = Report(bank.quiz, path, NAME)
    fileio.write_text(path, dumps(bank, report))
    return report
