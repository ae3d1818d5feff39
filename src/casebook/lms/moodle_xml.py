"""Moodle XML: a bank as `<quiz>.moodle.xml` for Question bank → Import → Moodle XML format.

The richest of the three exports: every question type, each question's
points, ids, units, the written questions' rubric and word limit. The
elements are those Moodle 4.5's reader takes (``question/format/xml/format.php``,
``qformat_xml::readquestions`` and the ``import_*`` method of each type;
``qtype_ordering::import_from_xml`` for ordering):

| bank | Moodle XML |
| --- | --- |
| single | `multichoice`, one right answer (100), misconceptions as feedback |
| multiple | `multichoice`: right keys +100/n %, wrong keys −100/n %, floored at 0 (the bank's rule) |
| true_false | `truefalse`, the misconception on the wrong answer |
| numeric | `numerical`: value, tolerance, known wrong answers at 0; the unit optional |
| short_text | `shortanswer`, case ignored, known wrong forms at 0, `*` escaped |
| matching | `matching`, unused targets as answers without a question |
| ordering | `ordering`, graded RELATIVE_ALL_PREVIOUS_AND_NEXT (pairs: the bank's rule) |
| written | `essay`: the rubric as information for graders, the word limit as `maxwordlimit` |

Every question carries its points as ``defaultgrade``, its id as ``idnumber``
(and name), its Bloom level and objective as tags, and the explanation and
cited passages (Chinese quote, English translation) as general feedback.
Prompts and feedback are Markdown rendered to HTML as in the Canvas export;
option texts are escaped HTML, short-answer forms and matching targets plain
text, as Moodle stores them. ElementTree escapes every XML special character
and characters XML 1.0 forbids are dropped, so any text survives.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

from casebook import __version__, fileio
from casebook.edition import Paragraph
from casebook.lms.report import (
    MOODLE_SHORT_TEXT,
    Report,
    bank_points,
    general_feedback_md,
    md_html,
    number,
    of_type,
    xml_safe,
)
from casebook.quiz import wording
from casebook.quiz.bank import Bank, Question

NAME = "Moodle XML"
MOODLE_TYPE = {
    "single": "multichoice",
    "multiple": "multichoice",
    "true_false": "truefalse",
    "numeric": "numerical",
    "short_text": "shortanswer",
    "matching": "matching",
    "ordering": "ordering",
    "written": "essay",
}
# qtype_numerical's constants: units optional and not graded, typed in the answer box.
UNIT_NOT_GRADED = "0"
UNIT_INPUT = "0"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, attrs)
    if text is not None:
        node.text = xml_safe(text)
    return node


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html", **attrs: str) -> ET.Element:
    """<tag format="html"><text>...</text></tag>: the shape of every Moodle XML text field."""
    node = _sub(parent, tag, **({"format": fmt} if fmt else {}), **attrs)
    _sub(node, "text", text)
    return node


def option_html(text: str) -> str:
    """An option or misconception: plain text shown as written (escaped HTML, one paragraph)."""
    return html.escape(text.strip(), quote=False)


def shortanswer_form(text: str) -> str:
    """A short-answer form as Moodle compares it: '*' is a wildcard there, '\\*' a literal
    asterisk (``qtype_shortanswer_question::compare_string_with_wildcard``)."""
    return text.strip().replace("*", "\\*")


def _answer(
    parent: ET.Element, fraction: float, text: str, feedback: str | None = None, fmt: str | None = "html"
) -> ET.Element:
    node = _text(parent, "answer", text, fmt, fraction=number(round(fraction * 100, 7)))
    _text(node, "feedback", option_html(feedback) if feedback else "")
    return node


# --- one writer per question type: the elements after the common header ------------------------


def _single(q: Question, node: ET.Element, report: Report) -> None:
    key = q.key_answer()
    for tag, value in (("single", "true"), ("shuffleanswers", "false"), ("answernumbering", "abc")):
        _sub(node, tag, value)
    for o in q.options or []:
        _answer(node, 1.0 if o.key == key else 0.0, option_html(o.text), o.misconception)


def _multiple(q: Question, node: ET.Element, report: Report) -> None:
    key = q.key_answer()
    share = 1 / len(key)
    for tag, value in (("single", "false"), ("shuffleanswers", "false"), ("answernumbering", "abc")):
        _sub(node, tag, value)
    _sub(node, "shownumcorrect")
    for o in q.options or []:
        _answer(node, share if o.key in key else -share, option_html(o.text), o.misconception)


def _true_false(q: Question, node: ET.Element, report: Report) -> None:
    key = q.key_answer()
    for value in (True, False):
        right = value == key
        _answer(
            node,
            1.0 if right else 0.0,
            "true" if value else "false",
            None if right else q.misconception,
            fmt="moodle_auto_format",
        )


def _numeric(q: Question, node: ET.Element, report: Report) -> None:
    key = q.key_answer()
    right = _answer(node, 1.0, number(key.value), fmt=None)
    _sub(right, "tolerance", number(key.tolerance))
    for w in q.wrong or []:
        wrong = _answer(node, 0.0, number(float(w.answer)), w.misconception, fmt=None)
        _sub(wrong, "tolerance", "0")
    if key.unit:
        unit = _sub(_sub(node, "units"), "unit")
        _sub(unit, "multiplier", "1")
        _sub(unit, "unit_name", key.unit.strip())
    for tag, value in (
        ("unitgradingtype", UNIT_NOT_GRADED),
        ("unitpenalty", "0"),
        ("showunits", UNIT_INPUT if key.unit else "3"),
        ("unitsleft", "0"),
    ):
        _sub(node, tag, value)


def _short_text(q: Question, node: ET.Element, report: Report) -> None:
    _sub(node, "usecase", "0")
    for form in q.key_answer().accept:
        _answer(node, 1.0, shortanswer_form(form), fmt="moodle_auto_format")
    for w in q.wrong or []:
        _answer(node, 0.0, shortanswer_form(str(w.answer)), w.misconception, fmt="moodle_auto_format")


def _matching(q: Question, node: ET.Element, report: Report) -> None:
    key = q.key_answer()
    texts = {t.key: " ".join(t.text.split()) for t in q.targets or []}
    _sub(node, "shuffleanswers", "true")
    for o in q.options or []:
        sub = _text(node, "subquestion", option_html(o.text))
        _sub(_sub(sub, "answer"), "text", texts[key[o.key]])
    used = set(key.values())
    for t in q.targets or []:
        if t.key not in used:
            sub = _text(node, "subquestion", "")
            _sub(_sub(sub, "answer"), "text", texts[t.key])
    _sub(node, "shownumcorrect")


def _ordering(q: Question, node: ET.Element, report: Report) -> None:
    order = q.key_answer()
    texts = {o.key: o.text for o in q.options or []}
    for tag, value in (
        ("layouttype", "VERTICAL"),
        ("selecttype", "ALL"),
        ("selectcount", str(len(order))),
        ("gradingtype", "RELATIVE_ALL_PREVIOUS_AND_NEXT"),
        ("showgrading", "SHOW"),
        ("numberingstyle", "none"),
        ("shownumcorrect", "1"),
    ):
        _sub(node, tag, value)
    for index, k in enumerate(order, start=1):
        _text(node, "answer", option_html(texts[k]), fraction=str(index))


def _written(q: Question, node: ET.Element, report: Report) -> None:
    for tag, value in (("responseformat", "editor"), ("responserequired", "1"), ("responsefieldlines", "15")):
        _sub(node, tag, value)
    if q.word_limit:
        _sub(node, "maxwordlimit", str(q.word_limit))
    for tag in ("attachments", "attachmentsrequired"):
        _sub(node, tag, "0")
    rubric = f"Rubric ({number(q.points)} points):\n\n{wording.rubric_markdown(q)}"
    _text(node, "graderinfo", md_html(rubric))
    _text(node, "responsetemplate", "")


# Question type -> writer of its type-specific elements (every type of TYPES).
WRITERS: dict[str, Callable[[Question, ET.Element, Report], None]] = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
    "matching": _matching,
    "ordering": _ordering,
    "written": _written,
}


def question(q: Question, report: Report, paras: dict[str, Paragraph] | None = None) -> ET.Element:
    """One <question>: the header every type shares, then the type's own elements."""
    node = ET.Element("question", type=MOODLE_TYPE[q.type])
    _sub(_sub(node, "name"), "text", q.id)
    _text(node, "questiontext", md_html(q.prompt))
    _text(node, "generalfeedback", md_html(general_feedback_md(q, paras)))
    _sub(node, "defaultgrade", number(q.points))
    _sub(node, "hidden", "0")
    _sub(node, "idnumber", q.id)
    WRITERS[q.type](q, node, report)
    tags = _sub(node, "tags")
    for tag in (f"bloom-{q.bloom}", q.objective):
        _sub(_sub(tags, "tag"), "text", tag)
    return node


def dumps(bank: Bank, report: Report | None = None, paras: dict[str, Paragraph] | None = None) -> bytes:
    """The bank as Moodle XML (UTF-8 bytes); fills report (carried, notes) when given."""
    report = report or Report(bank.quiz, Path(f"{bank.quiz}.moodle.xml"), NAME)
    root = ET.Element("quiz")
    root.append(
        ET.Comment(
            f" {bank.quiz}: written by casebook {__version__} for Moodle "
            "(Question bank > Import > Moodle XML format) ".replace("--", "- -")
        )
    )
    category = ET.SubElement(root, "question", type="category")
    _sub(_sub(category, "category"), "text", f"casebook/{bank.quiz}")
    _text(category, "info", html.escape(" ".join(bank.title.split()), quote=False))
    for q in bank.questions:
        report.carried[q.type] += 1
        root.append(question(q, report, paras))
    report.notes += _notes(bank)
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def _notes(bank: Bank) -> list[str]:
    notes = [
        f"points: each question carries its points; the quiz is worth {number(bank_points(bank))} "
        "(set the Moodle quiz's maximum grade to this so grade imports fit)"
    ]
    if any(q.key_answer().unit for q in of_type(bank, "numeric")):
        notes.append(
            "numeric: the unit is carried and optional (Moodle accepts the number with or "
            "without it; the grader reads the number only)"
        )
    if of_type(bank, "short_text"):
        notes.append(MOODLE_SHORT_TEXT)
    if of_type(bank, "written"):
        notes.append(
            "written: carried as essay, the rubric as information for graders and the word "
            "limit as the maximum word count"
        )
    return notes


def write(bank: Bank, out_dir: Path, paras: dict[str, Paragraph] | None = None) -> Report:
    path = Path(out_dir) / f"{bank.quiz}.moodle.xml"
    report = Report(bank.quiz, path, NAME)
    data = dumps(bank, report, paras)
    fileio.write_text(path, data.decode("utf-8"))
    return report
