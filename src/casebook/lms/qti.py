"""Canvas QTI: a bank as `<quiz>.qti.zip` for Settings → Import course content → QTI .zip file.

Why QTI 1.2 written here rather than through text2qti: text2qti's input
language (Markdown-like text) has no matching question and no per-option
feedback on true/false, so going through it would lose a question type the
bank has and Canvas supports. This module writes the same package layout
text2qti writes and Canvas itself exports (imsmanifest.xml, the assessment
XML, assessment_meta.xml with the quiz settings) with Canvas's classic
question types:

| bank | Canvas question type |
| --- | --- |
| single | multiple_choice_question, misconceptions as per-answer comments |
| multiple | multiple_answers_question: (right − wrong picks) ÷ right keys, at least 0, as the bank |
| true_false | true_false_question, the misconception as the wrong answer's comment |
| numeric | numerical_question, exact answer with margin (the tolerance) |
| short_text | short_answer_question, every accepted form a correct answer |
| matching | matching_question, one share of the points per left item; unused targets as distractors |
| ordering | matching_question: each item matched to its position (see below) |
| written | essay_question (scored by hand in Canvas too) |

Ordering: classic quizzes have no ordering question, so an ordering question
goes out as a matching question whose left side is the items and whose
choices are the positions ("1st", "2nd", ...). Canvas then gives each item
its share of the points when it is at its exact position, while the bank
gives the share of item pairs in the right relative order
(``scoring.ordering_fraction``): an order shifted by one place (c, a, b for
a, b, c) earns 0 in Canvas but 1/3 of the pairs in the bank; only a fully
right order scores the same. The report says so for every such question.

What Canvas's importer does, and what this module writes because of it
(``gems/plugins/qti_exporter/lib/qti`` in canvas-lms, run on these packages
after Canvas's QTIMigrationTool):

- ``AssociateInteraction#get_canvas_matches`` takes a matching target's
  ``match_id`` from the first run of digits in its identifier
  (``identifier =~ /(\\d+)/``), so every target's identifier starts its first
  run of digits with its own number (``match1-<question id>``); an id like
  ``bu-q10-p`` would give every target of bu-q10 the id 10.
- ``HtmlHelper#detect_html`` keeps a ``text/html`` text as HTML only when it
  holds markup; otherwise it keeps the text form, from which ``clear_html``
  deletes every named entity (``&amp;`` …), so "R&D" would import as "RD".
  Option texts, targets and misconception feedback are therefore written as
  ``text/plain`` (as Canvas's own exporter writes answers that are not HTML);
  prompts and general feedback are Markdown rendered to HTML and always hold
  markup (``<p>``).

The explanation and the cited passages (Chinese quote and English
translation) are each question's general feedback. Text is Markdown rendered
to HTML (raw HTML off, as in the feedback files) and escaped by ElementTree,
so `<`, `&` and quotes in a bank survive. The zip is byte-identical from one
run to the next (fixed member times, no dates).
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

from casebook import __version__
from casebook.edition import Paragraph
from casebook.lms.report import Report, bank_points, general_feedback_md, md_html, number, of_type, xml_safe
from casebook.quiz.bank import Bank, Question

NAME = "Canvas QTI"
QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
CANVAS_TYPE = {
    "single": "multiple_choice_question",
    "multiple": "multiple_answers_question",
    "true_false": "true_false_question",
    "numeric": "numerical_question",
    "short_text": "short_answer_question",
    "matching": "matching_question",
    "ordering": "matching_question",
    "written": "essay_question",
}
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


_clean = xml_safe
__all__ = ["WRITERS", "md_html", "package", "write"]


def plain(text: str) -> str:
    """A plain text as Canvas keeps it: ``text/plain`` (no entities for Canvas to delete)."""
    return _clean(text.strip())


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        node.text = text
    return node


def _mattext(parent: ET.Element, text: str, kind: str = "text/html") -> None:
    _sub(_sub(parent, "material"), "mattext", text, texttype=kind)


def _plaintext(parent: ET.Element, text: str) -> None:
    _mattext(parent, plain(text), "text/plain")


def choice_id(q: Question, key: str) -> str:
    return f"{q.id}-{key}"


def target_id(q: Question, index: int) -> str:
    """A matching target's identifier whose first run of digits is its own number (1, 2, ...):
    Canvas takes the target's match id from that run (see the module docstring)."""
    return f"match{index + 1}-{q.id}"


ORDINALS = {1: "st", 2: "nd", 3: "rd"}


def position(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st: the choices of an ordering question."""
    suffix = "th" if 10 <= n % 100 <= 20 else ORDINALS.get(n % 10, "th")
    return f"{n}{suffix}"


ORDERING_HINT = "Match each item to its position in the order (1st comes first)."


# --- items ------------------------------------------------------------------------------------


def item(q: Question, paras: dict[str, Paragraph] | None = None) -> ET.Element:
    """One <item>: metadata, presentation, response processing, feedback."""
    node = ET.Element("item", ident=q.id, title=q.id)
    answer_ids = _answer_ids(q)
    meta = _sub(_sub(node, "itemmetadata"), "qtimetadata")
    for label, entry in (
        ("question_type", CANVAS_TYPE[q.type]),
        ("points_possible", number(q.points)),
        ("original_answer_ids", ",".join(answer_ids)),
        ("assessment_question_identifierref", f"{q.id}-ref"),
    ):
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)
    presentation = _sub(node, "presentation")
    prompt = q.prompt.strip() + (f"\n\n{ORDERING_HINT}" if q.type == "ordering" else "")
    _mattext(presentation, md_html(prompt))
    feedback: dict[str, str] = {"general_fb": md_html(general_feedback_md(q, paras))}
    process = _sub(node, "resprocessing")
    _sub(
        _sub(process, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal"
    )
    _show(process, None, "general_fb")
    WRITERS[q.type](q, presentation, process, feedback)
    for ident, text in feedback.items():
        fb = _sub(node, "itemfeedback", ident=ident)
        if ident == "general_fb":
            _mattext(_sub(fb, "flow_mat"), text)  # Markdown rendered: holds markup
        else:
            _plaintext(_sub(fb, "flow_mat"), text)
    return node


def _answer_ids(q: Question) -> list[str]:
    if q.type in ("single", "multiple", "matching", "ordering"):
        return [choice_id(q, o.key) for o in q.options or []]
    if q.type == "true_false":
        return [choice_id(q, "true"), choice_id(q, "false")]
    return []


def _show(process: ET.Element, condition: tuple[str, str] | None, feedback_id: str) -> None:
    """A condition that only shows feedback (continue=Yes: scoring goes on)."""
    cond = _sub(process, "respcondition", continue_="Yes")
    var = _sub(cond, "conditionvar")
    if condition is None:
        _sub(var, "other")
    else:
        _sub(var, "varequal", condition[1], respident=condition[0])
    _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=feedback_id)


def _full_marks(process: ET.Element) -> ET.Element:
    cond = _sub(process, "respcondition", continue_="No")
    var = _sub(cond, "conditionvar")
    _sub(cond, "setvar", "100", action="Set", varname="SCORE")
    return var


def _choices(presentation: ET.Element, cardinality: str, labels: list[tuple[str, str]]) -> None:
    lid = _sub(presentation, "response_lid", ident="response1", rcardinality=cardinality)
    render = _sub(lid, "render_choice")
    for ident, text in labels:
        _plaintext(_sub(render, "response_label", ident=ident), text)


def _single(q: Question, presentation, process, feedback) -> None:
    _choices(presentation, "Single", [(choice_id(q, o.key), o.text) for o in q.options or []])
    for o in q.options or []:
        if o.misconception:
            ident = choice_id(q, o.key)
            _show(process, ("response1", ident), f"{ident}_fb")
            feedback[f"{ident}_fb"] = o.misconception
    _sub(_full_marks(process), "varequal", choice_id(q, q.key_answer()), respident="response1")


def _multiple(q: Question, presentation, process, feedback) -> None:
    _choices(presentation, "Multiple", [(choice_id(q, o.key), o.text) for o in q.options or []])
    right = set(q.key_answer())
    for o in q.options or []:
        if o.misconception:
            ident = choice_id(q, o.key)
            _show(process, ("response1", ident), f"{ident}_fb")
            feedback[f"{ident}_fb"] = o.misconception
    both = _sub(_full_marks(process), "and")
    for o in q.options or []:
        parent = both if o.key in right else _sub(both, "not")
        _sub(parent, "varequal", choice_id(q, o.key), respident="response1")


def _true_false(q: Question, presentation, process, feedback) -> None:
    right = "true" if q.key_answer() else "false"
    wrong = "false" if right == "true" else "true"
    _choices(presentation, "Single", [(choice_id(q, "true"), "True"), (choice_id(q, "false"), "False")])
    if q.misconception:
        _show(process, ("response1", choice_id(q, wrong)), f"{choice_id(q, wrong)}_fb")
        feedback[f"{choice_id(q, wrong)}_fb"] = q.misconception
    _sub(_full_marks(process), "varequal", choice_id(q, right), respident="response1")


def _fib(presentation: ET.Element, fibtype: str | None = None) -> None:
    text = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
    render = _sub(text, "render_fib", **({"fibtype": fibtype} if fibtype else {}))
    _sub(render, "response_label", ident="answer1", rshuffle="No")


def _numeric(q: Question, presentation, process, feedback) -> None:
    _fib(presentation, "Decimal")
    key = q.key_answer()
    value, tolerance = Decimal(repr(float(key.value))), Decimal(repr(float(key.tolerance)))
    either = _sub(_full_marks(process), "or")
    _sub(either, "varequal", number(float(value)), respident="response1")
    window = _sub(either, "and")
    _sub(window, "vargte", number(float(value - tolerance)), respident="response1")
    _sub(window, "varlte", number(float(value + tolerance)), respident="response1")


def _short_text(q: Question, presentation, process, feedback) -> None:
    _fib(presentation)
    var = _full_marks(process)
    for form in q.key_answer().accept:
        _sub(var, "varequal", _clean(form.strip()), respident="response1")


def _pairs(
    q: Question,
    presentation: ET.Element,
    process: ET.Element,
    lefts: list[tuple[str, str]],
    targets: list[str],
    right: dict[str, int],
) -> None:
    """A Canvas matching question: each left item (key, text) picks one of the targets; the
    right target (by index) earns an equal share of 100."""
    share = number(round(100 / len(lefts), 2))
    for key, text in lefts:
        lid = _sub(presentation, "response_lid", ident=f"response_{choice_id(q, key)}")
        _plaintext(lid, text)
        render = _sub(lid, "render_choice")
        for index, target in enumerate(targets):
            _plaintext(_sub(render, "response_label", ident=target_id(q, index)), target)
    for key, _ in lefts:
        cond = _sub(process, "respcondition")
        _sub(
            _sub(cond, "conditionvar"),
            "varequal",
            target_id(q, right[key]),
            respident=f"response_{choice_id(q, key)}",
        )
        _sub(cond, "setvar", share, varname="SCORE", action="Add")


def _matching(q: Question, presentation, process, feedback) -> None:
    key = q.key_answer()
    index = {t.key: i for i, t in enumerate(q.targets or [])}
    _pairs(
        q,
        presentation,
        process,
        [(o.key, o.text) for o in q.options or []],
        [t.text for t in q.targets or []],
        {left: index[target] for left, target in key.items()},
    )


def _ordering(q: Question, presentation, process, feedback) -> None:
    """Each item matched to its position: the closest form a classic quiz scores."""
    order = q.key_answer()
    texts = {o.key: o.text for o in q.options or []}
    _pairs(
        q,
        presentation,
        process,
        [(k, texts[k]) for k in order],
        [position(n) for n in range(1, len(order) + 1)],
        {k: i for i, k in enumerate(order)},
    )


def _written(q: Question, presentation, process, feedback) -> None:
    _fib(presentation)
    cond = _sub(process, "respcondition", continue_="No")
    _sub(_sub(cond, "conditionvar"), "other")


# Question type -> the writer of its presentation, scoring and feedback (every type of TYPES).
WRITERS: dict[str, Callable[[Question, ET.Element, ET.Element, dict[str, str]], None]] = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
    "matching": _matching,
    "ordering": _ordering,
    "written": _written,
}


# --- package ----------------------------------------------------------------------------------


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + ET.tostring(root, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )


def assessment(bank: Bank, ident: str, report: Report, paras: dict[str, Paragraph] | None = None) -> bytes:
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    test = _sub(root, "assessment", ident=ident, title=_clean(bank.title))
    field = _sub(_sub(test, "qtimetadata"), "qtimetadatafield")
    _sub(field, "fieldlabel", "cc_maxattempts")
    _sub(field, "fieldentry", "1")
    section = _sub(test, "section", ident="root_section")
    for q in bank.questions:
        report.carried[q.type] += 1
        section.append(item(q, paras))
    return _xml(root)


def assessment_meta(bank: Bank, ident: str, points: float) -> bytes:
    """Canvas's quiz settings: title, points, an unpublished graded quiz, answers in bank order."""
    root = ET.Element("quiz", identifier=ident, xmlns=CANVAS_NS)
    _sub(root, "title", _clean(bank.title))
    _sub(root, "description", f"<p>Quiz {html.escape(bank.quiz)}, exported by casebook {__version__}.</p>")
    for tag, value in (
        ("shuffle_answers", "false"),
        ("scoring_policy", "keep_highest"),
        ("quiz_type", "assignment"),
        ("points_possible", number(points)),
        ("show_correct_answers", "true"),
        ("allowed_attempts", "1"),
        ("available", "false"),
    ):
        _sub(root, tag, value)
    task = _sub(root, "assignment", identifier=f"{ident}-assignment")
    for tag, value in (
        ("title", _clean(bank.title)),
        ("workflow_state", "unpublished"),
        ("quiz_identifierref", ident),
        ("points_possible", number(points)),
        ("grading_type", "points"),
        ("submission_types", "online_quiz"),
    ):
        _sub(task, tag, value)
    return _xml(root)


def manifest(ident: str) -> bytes:
    root = ET.Element("manifest", identifier=f"{ident}-manifest", xmlns=CP_NS)
    meta = _sub(root, "metadata")
    _sub(meta, "schema", "IMS Content")
    _sub(meta, "schemaversion", "1.1.3")
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    quiz = _sub(resources, "resource", identifier=ident, type="imsqti_xmlv1p2")
    _sub(quiz, "file", href=f"{ident}/{ident}.xml")
    _sub(quiz, "dependency", identifierref=f"{ident}-meta")
    meta_res = _sub(
        resources,
        "resource",
        identifier=f"{ident}-meta",
        type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
        href=f"{ident}/assessment_meta.xml",
    )
    _sub(meta_res, "file", href=f"{ident}/assessment_meta.xml")
    return _xml(root)


def package(bank: Bank, report: Report, paras: dict[str, Paragraph] | None = None) -> bytes:
    """The zip: imsmanifest.xml, <ident>/<ident>.xml (QTI 1.2), <ident>/assessment_meta.xml."""
    ident = f"casebook-{bank.quiz}"
    body = assessment(bank, ident, report, paras)
    points = bank_points(bank)
    report.notes += _notes(bank)
    members = [
        ("imsmanifest.xml", manifest(ident)),
        (f"{ident}/{ident}.xml", body),
        (f"{ident}/assessment_meta.xml", assessment_meta(bank, ident, points)),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _notes(bank: Bank) -> list[str]:
    notes = []
    numeric = of_type(bank, "numeric")
    if any(q.wrong for q in numeric):
        notes.append(
            "numeric: known wrong answers and their misconceptions are not carried (every "
            "answer of a Canvas numerical question is a correct one)"
        )
    if any(q.key_answer().unit for q in numeric):
        notes.append("numeric: units are not carried (Canvas numbers have none); the prompts name them")
    short = of_type(bank, "short_text")
    if any(q.wrong for q in short):
        notes.append(
            "short_text: known wrong answers and their misconceptions are not carried "
            "(every answer of a Canvas short answer question is a correct one)"
        )
    if short:
        notes.append(
            "short_text: Canvas ignores case but not the grader's other normalisation "
            "(full-width characters, surrounding punctuation)"
        )
    ordering = [q.id for q in of_type(bank, "ordering")]
    if ordering:
        notes.append(
            f"ordering: carried as matching each item to its position ({', '.join(ordering)}); "
            "Canvas credits each item at its exact position, the bank each pair in the right "
            "relative order, so only a fully right order scores the same"
        )
    if of_type(bank, "written"):
        notes.append(
            "written: carried as essay; the rubric and word limit are not (attach the rubric in Canvas)"
        )
    return notes


def write(bank: Bank, out_dir: Path, paras: dict[str, Paragraph] | None = None) -> Report:
    path = Path(out_dir) / f"{bank.quiz}.qti.zip"
    report = Report(bank.quiz, path, NAME)
    data = package(bank, report, paras)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return report
