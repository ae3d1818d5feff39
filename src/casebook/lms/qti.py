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
| written | essay_question (scored by hand in Canvas too) |
| ordering | none: classic quizzes have no ordering question, so it is skipped and reported |

The explanation and the cited passages are each question's general feedback.
Text is Markdown rendered to HTML (raw HTML off, as in the feedback files) and
escaped by ElementTree, so `<`, `&` and quotes in a bank survive. The zip is
byte-identical from one run to the next (fixed member times, no dates).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

from markdown_it import MarkdownIt

from casebook import __version__
from casebook.lms.report import Report, general_feedback_md, number, of_type
from casebook.quiz.bank import TYPES, Bank, Question

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
    "written": "essay_question",
}
_MD = MarkdownIt("commonmark", {"html": False}).enable("table")
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _clean(text: str) -> str:
    return _BAD_XML.sub("", text)


def md_html(text: str) -> str:
    return _clean(_MD.render(text.strip()).strip())


def plain_html(text: str) -> str:
    return _clean(html.escape(text.strip(), quote=False))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        node.text = text
    return node


def _mattext(parent: ET.Element, text: str, kind: str = "text/html") -> None:
    _sub(_sub(parent, "material"), "mattext", text, texttype=kind)


def choice_id(q: Question, key: str) -> str:
    return f"{q.id}-{key}"


# --- items ------------------------------------------------------------------------------------

def item(q: Question) -> ET.Element:
    """One <item>: metadata, presentation, response processing, feedback."""
    node = ET.Element("item", ident=q.id, title=q.id)
    answer_ids = _answer_ids(q)
    meta = _sub(_sub(node, "itemmetadata"), "qtimetadata")
    for label, entry in (("question_type", CANVAS_TYPE[q.type]),
                         ("points_possible", number(q.points)),
                         ("original_answer_ids", ",".join(answer_ids)),
                         ("assessment_question_identifierref", f"{q.id}-ref")):
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)
    presentation = _sub(node, "presentation")
    _mattext(presentation, md_html(q.prompt))
    feedback: dict[str, str] = {"general_fb": md_html(general_feedback_md(q))}
    process = _sub(node, "resprocessing")
    _sub(_sub(process, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
         vartype="Decimal")
    _show(process, None, "general_fb")
    BUILD[q.type](q, presentation, process, feedback)
    for ident, text in feedback.items():
        fb = _sub(node, "itemfeedback", ident=ident)
        _mattext(_sub(fb, "flow_mat"), text)
    return node


def _answer_ids(q: Question) -> list[str]:
    if q.type in ("single", "multiple", "matching"):
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
        _mattext(_sub(render, "response_label", ident=ident), text)


def _single(q: Question, presentation, process, feedback) -> None:
    _choices(presentation, "Single", [(choice_id(q, o.key), plain_html(o.text)) for o in q.options or []])
    for o in q.options or []:
        if o.misconception:
            ident = choice_id(q, o.key)
            _show(process, ("response1", ident), f"{ident}_fb")
            feedback[f"{ident}_fb"] = plain_html(o.misconception)
    _sub(_full_marks(process), "varequal", choice_id(q, q.key_answer()), respident="response1")


def _multiple(q: Question, presentation, process, feedback) -> None:
    _choices(presentation, "Multiple", [(choice_id(q, o.key), plain_html(o.text)) for o in q.options or []])
    right = set(q.key_answer())
    for o in q.options or []:
        if o.misconception:
            ident = choice_id(q, o.key)
            _show(process, ("response1", ident), f"{ident}_fb")
            feedback[f"{ident}_fb"] = plain_html(o.misconception)
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
        feedback[f"{choice_id(q, wrong)}_fb"] = plain_html(q.misconception)
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


def _matching(q: Question, presentation, process, feedback) -> None:
    key = q.key_answer()
    targets = [(choice_id(q, t.key), plain_html(t.text)) for t in q.targets or []]
    share = number(round(100 / len(key), 2))
    for o in q.options or []:
        lid = _sub(presentation, "response_lid", ident=f"response_{choice_id(q, o.key)}")
        _mattext(lid, _clean(o.text.strip()), "text/plain")
        render = _sub(lid, "render_choice")
        for ident, text in targets:
            _mattext(_sub(render, "response_label", ident=ident), text)
    for o in q.options or []:
        cond = _sub(process, "respcondition")
        _sub(_sub(cond, "conditionvar"), "varequal", choice_id(q, key[o.key]),
             respident=f"response_{choice_id(q, o.key)}")
        _sub(cond, "setvar", share, varname="SCORE", action="Add")


def _written(q: Question, presentation, process, feedback) -> None:
    _fib(presentation)
    cond = _sub(process, "respcondition", continue_="No")
    _sub(_sub(cond, "conditionvar"), "other")


BUILD = {"single": _single, "multiple": _multiple, "true_false": _true_false, "numeric": _numeric,
         "short_text": _short_text, "matching": _matching, "written": _written}


def _cannot_carry(q: Question, report: Report) -> None:
    """Canvas has no question type for it: the report lists the question as skipped."""
    report.skip(q)


# Every question type's writer (the registry test checks each type has one).
WRITERS: dict[str, Callable[..., None]] = {kind: BUILD.get(kind, _cannot_carry) for kind in TYPES}


# --- package ----------------------------------------------------------------------------------

def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                      xml_declaration=False) + b"\n"


def assessment(bank: Bank, ident: str, report: Report) -> bytes:
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    test = _sub(root, "assessment", ident=ident, title=_clean(bank.title))
    field = _sub(_sub(test, "qtimetadata"), "qtimetadatafield")
    _sub(field, "fieldlabel", "cc_maxattempts")
    _sub(field, "fieldentry", "1")
    section = _sub(test, "section", ident="root_section")
    for q in bank.questions:
        if q.type not in CANVAS_TYPE:
            report.skip(q)
            continue
        report.carried[q.type] += 1
        section.append(item(q))
    return _xml(root)


def assessment_meta(bank: Bank, ident: str, points: float) -> bytes:
    """Canvas's quiz settings: title, points, an unpublished graded quiz, answers in bank order."""
    root = ET.Element("quiz", identifier=ident, xmlns=CANVAS_NS)
    _sub(root, "title", _clean(bank.title))
    _sub(root, "description", plain_html(f"Quiz {bank.quiz}, exported by casebook {__version__}."))
    for tag, value in (("shuffle_answers", "false"), ("scoring_policy", "keep_highest"),
                       ("quiz_type", "assignment"), ("points_possible", number(points)),
                       ("show_correct_answers", "true"), ("allowed_attempts", "1"),
                       ("available", "false")):
        _sub(root, tag, value)
    task = _sub(root, "assignment", identifier=f"{ident}-assignment")
    for tag, value in (("title", _clean(bank.title)), ("workflow_state", "unpublished"),
                       ("quiz_identifierref", ident), ("points_possible", number(points)),
                       ("grading_type", "points"), ("submission_types", "online_quiz")):
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
    meta_res = _sub(resources, "resource", identifier=f"{ident}-meta",
                    type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                    href=f"{ident}/assessment_meta.xml")
    _sub(meta_res, "file", href=f"{ident}/assessment_meta.xml")
    return _xml(root)


def package(bank: Bank, report: Report) -> bytes:
    """The zip: imsmanifest.xml, <ident>/<ident>.xml (QTI 1.2), <ident>/assessment_meta.xml."""
    ident = f"casebook-{bank.quiz}"
    body = assessment(bank, ident, report)
    points = sum(q.points for q in bank.questions if q.type in CANVAS_TYPE)
    report.notes += _notes(bank)
    members = [("imsmanifest.xml", manifest(ident)),
               (f"{ident}/{ident}.xml", body),
               (f"{ident}/assessment_meta.xml", assessment_meta(bank, ident, points))]
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
        notes.append("numeric: known wrong answers and their misconceptions are not carried (every "
                     "answer of a Canvas numerical question is a correct one)")
    if any(q.key_answer().unit for q in numeric):
        notes.append("numeric: units are not carried (Canvas numbers have none); the prompts name them")
    short = of_type(bank, "short_text")
    if any(q.wrong for q in short):
        notes.append("short_text: known wrong answers and their misconceptions are not carried "
                     "(every answer of a Canvas short answer question is a correct one)")
    if short:
        notes.append("short_text: Canvas ignores case but not the grader's other normalisation "
                     "(full-width characters, surrounding punctuation)")
    if of_type(bank, "written"):
        notes.append("written: carried as essay; the rubric and word limit are not (attach the "
                     "rubric in Canvas)")
    return notes


def write(bank: Bank, out_dir: Path) -> Report:
    path = Path(out_dir) / f"{bank.quiz}.qti.zip"
    report = Report(bank.quiz, path, NAME)
    data = package(bank, report)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return report
