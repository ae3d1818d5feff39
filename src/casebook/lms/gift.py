"""Moodle GIFT: a bank as one `<quiz>.gift.txt` for Question bank → Import → GIFT format.

Mapping (Moodle's scoring matches the bank's wherever a type is carried):

| bank | GIFT |
| --- | --- |
| single | multiple choice, `=right` and `~%0%wrong#misconception` |
| multiple | each right key `%100/n%`, each wrong key `%-100/n%`; Moodle floors at 0: the bank's rule |
| true_false | `{TRUE#wrong-choice feedback#}` (the misconception is what a wrong choice reveals) |
| numeric | `{#=value:tolerance}`, known wrong answers as `=%0%value:0#misconception` |
| short_text | short answer, every accepted form `=%100%form`, known wrong forms `=%0%form#misconception` |
| matching | matching `=left -> target`, unused targets as `= -> distractor` |
| ordering | qtype_ordering (core in 4.5), `{>N ALL VERTICAL RELATIVE_ALL_PREVIOUS_AND_NEXT SHOW none` |
| written | essay `{}` (scored by hand in Moodle too) |

An ordering question lists its items in the right order, one a line; Moodle
grades RELATIVE_ALL_PREVIOUS_AND_NEXT, the share of item pairs in the right
relative order: the bank's rule.

What Moodle's reader does (``question/format/gift/format.php``,
``qformat_gift::readquestion``, Moodle 4.5) and how each text is protected:

- Every GIFT special character (``~ = # { } :`` and the backslash) is escaped
  with a backslash and a line break becomes ``\\n`` (``escapedchar_pre``), so
  a question is one block whatever it says.
- An answer text starting ``%N%`` is read as a weight (``answerweightparser``),
  so every answer that may carry one is written with its weight explicit
  (``~%0%``, ``=%100%``); the first ``%..%`` is the weight, the rest is text.
- A text starting ``[html]``, ``[plain]``, ``[moodle]`` or ``[markdown]``
  switches its format and loses the marker (``parse_text_with_format``), so
  any answer or feedback text starting with ``[`` gets ``[markdown]`` first.
- Answers holding both ``=`` and ``->`` make the question a matching one, and
  GIFT has no escape for ``->``: inside the braces a Markdown text writes it
  as '-&gt;' (Markdown shows '->'), a matching side as an arrow '→', and a
  short-answer form containing '->' cannot be written at all: it is left out
  and reported (Moodle XML carries it).
- ``*`` in a short answer is a wildcard (``qtype_shortanswer``'s
  ``compare_string_with_wildcard``), ``\\*`` a literal asterisk: forms are
  written with every ``*`` escaped.
- Ordering items are read by ``qtype_ordering::import_from_gift``, which does
  not undo GIFT's escapes (``\\:`` would import as ``&&058;``); its items are
  Moodle auto-format (HTML), so their special characters are written as HTML
  character references (``&#58;``) instead.
- Each question's comment carries ``[id:<question id>]`` and its Bloom level
  and objective as ``[tag:...]``, which Moodle reads into the question's ID
  number and tags (``extract_idnumber_and_tags_from_comment``).

GIFT has no question mark: Moodle imports every question at 1 mark (the
default); the report names the questions to set by hand (Moodle XML carries
the points). The explanation and the cited passages (Chinese quote, English
translation) are the general feedback (``####``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from casebook import __version__, fileio
from casebook.edition import Paragraph
from casebook.lms.report import MOODLE_SHORT_TEXT, Report, bank_points, general_feedback_md, number, of_type
from casebook.quiz.bank import Bank, Question

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
    no escape for it, so it is written as the entity '-&gt;', which Markdown shows as '->'. A
    text starting with '[' gets '[markdown]' first, so Moodle never reads it as a format marker."""
    text = text.strip().replace("->", "-&gt;")
    return escape(("[markdown]" if text.startswith("[") else "") + text)


def _side(text: str) -> str:
    """A matching side is plain text (no entities): '->' becomes an arrow, lines one line."""
    text = " ".join(text.split()).replace("->", "→")
    return escape(("[markdown]" if text.startswith("[") else "") + text)


def _target(text: str) -> str:
    """A matching target: Moodle takes it verbatim after unescaping (no format marker read)."""
    return escape(" ".join(text.split()).replace("->", "→"))


def form(text: str) -> str:
    """A short-answer form: '*' escaped (a wildcard in Moodle), then GIFT-escaped."""
    text = text.strip().replace("*", "\\*")
    return escape(("[markdown]" if text.startswith("[") else "") + text)


def item_text(text: str) -> str:
    """An ordering item: one line, HTML character references for anything GIFT or HTML would
    read (qtype_ordering keeps the item as written, without undoing GIFT escapes)."""
    out = []
    for ch in html.escape(" ".join(text.split()), quote=False):
        out.append(f"&#{ord(ch)};" if ch in SPECIAL or ch == "\\" else ch)
    return "".join(out)


def _token(text: str) -> str:
    return text.replace("]", "\\]")


def _feedback(text: str | None) -> str:
    return f"#{md(text)}" if text else ""


def _weight(fraction: float) -> str:
    return f"%{number(round(fraction * 100, 5))}%"


# --- one writer per question type: the lines between the braces (without general feedback) ---


def _single(q: Question, report: Report) -> list[str]:
    key = q.key_answer()
    return [
        ("=" if o.key == key else "~%0%") + md(o.text) + _feedback(o.misconception) for o in q.options or []
    ]


def _multiple(q: Question, report: Report) -> list[str]:
    key = q.key_answer()
    share = 1 / len(key)
    return [
        f"~{_weight(share if o.key in key else -share)}{md(o.text)}" + _feedback(o.misconception)
        for o in q.options or []
    ]


def _true_false(q: Question, report: Report) -> list[str]:
    return [("TRUE" if q.key_answer() else "FALSE") + _feedback(q.misconception) + "#"]


def _numeric(q: Question, report: Report) -> list[str]:
    key = q.key_answer()
    lines = [f"={number(key.value)}:{number(key.tolerance)}"]
    lines += [f"=%0%{number(float(w.answer))}:0{_feedback(w.misconception)}" for w in q.wrong or []]
    return lines


def _short_text(q: Question, report: Report) -> list[str]:
    accept = [f for f in q.key_answer().accept if "->" not in f]
    wrong = [w for w in q.wrong or [] if "->" not in str(w.answer)]
    lost = [f for f in q.key_answer().accept if "->" in f] + [
        str(w.answer) for w in q.wrong or [] if "->" in str(w.answer)
    ]
    if lost:
        report.notes.append(
            f"short_text: {q.id}: {'; '.join(repr(f.strip()) for f in lost)} left out: "
            "GIFT cannot write '->' in a short answer (Moodle would read a matching "
            "question); use Moodle XML"
        )
    lines = [f"=%100%{form(f)}" for f in accept]
    lines += [f"=%0%{form(str(w.answer))}{_feedback(w.misconception)}" for w in wrong]
    return lines


def _matching(q: Question, report: Report) -> list[str]:
    key = q.key_answer()
    texts = {t.key: t.text for t in q.targets or []}
    lines = [f"={_side(o.text)} -> {_target(texts[key[o.key]])}" for o in q.options or []]
    used = set(key.values())
    lines += [f"= -> {_target(t.text)}" for t in q.targets or [] if t.key not in used]
    return lines


def _ordering(q: Question, report: Report) -> list[str]:
    order = q.key_answer()
    texts = {o.key: o.text for o in q.options or []}
    return [
        f">{len(order)} ALL VERTICAL RELATIVE_ALL_PREVIOUS_AND_NEXT SHOW none",
        *(item_text(texts[k]) for k in order),
    ]


def _written(q: Question, report: Report) -> list[str]:
    return []  # an essay has no answers


# Question type -> writer of the answer lines (every type of TYPES).
WRITERS: dict[str, Callable[[Question, Report], list[str]]] = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
    "matching": _matching,
    "ordering": _ordering,
    "written": _written,
}


def question(q: Question, report: Report | None = None, paras: dict[str, Paragraph] | None = None) -> str:
    """One GIFT question block (no blank line inside)."""
    report = report or Report("", Path(""), NAME)
    head = f"// {q.id}: {q.type}, {number(q.points)} point{'s' if q.points != 1 else ''}\n"
    # Moodle reads [id:...] and [tag:...] from the comment (']' escaped as '\]'); an id or
    # tag has no control characters (the bank's ids and objectives are single tokens).
    head += f"// [id:{_token(q.id)}] [tag:bloom-{_token(q.bloom)}] [tag:{_token(q.objective)}]\n"
    text = f"::{escape(q.id)}::[markdown]{escape(q.prompt.strip())}"
    body = WRITERS[q.type](q, report)
    general = "####" + md(general_feedback_md(q, paras))
    if q.type == "numeric":
        return head + text + "{#\n" + "\n".join(body) + "\n" + general + "\n}"
    return head + text + "{\n" + "\n".join([*body, general]) + "\n}"


def dumps(bank: Bank, report: Report | None = None, paras: dict[str, Paragraph] | None = None) -> str:
    """The bank as GIFT text; fills report (carried, skipped, notes) when given."""
    report = report or Report(bank.quiz, Path(f"{bank.quiz}.gift.txt"), NAME)
    blocks = []
    for q in bank.questions:
        report.carried[q.type] += 1
        blocks.append(question(q, report, paras))
    report.notes += _notes(bank)
    header = (
        f"// {bank.quiz}: {' '.join(bank.title.split())}\n"
        f"// written by casebook {__version__} for Moodle (Question bank > Import > GIFT format)\n"
        + "".join(f"// {line.strip()}\n" for line in report.lines()[1:])
        + f"$CATEGORY: casebook/{bank.quiz}\n"
    )
    return header + "\n" + "\n\n".join(blocks) + "\n"


def _notes(bank: Bank) -> list[str]:
    notes = []
    heavy = [f"{q.id} {number(q.points)}" for q in bank.questions if q.points != 1]
    if heavy:
        notes.append(
            f"points: GIFT has no question mark (Moodle imports every question at 1 mark); "
            f"the quiz is worth {number(bank_points(bank))}: set these marks by hand "
            f"({', '.join(heavy)}) or use Moodle XML, which carries them"
        )
    if any(q.key_answer().unit for q in of_type(bank, "numeric")):
        notes.append("numeric: units are not carried (GIFT numbers have none); the prompts name them")
    if of_type(bank, "short_text"):
        notes.append(MOODLE_SHORT_TEXT)
    if of_type(bank, "written"):
        notes.append(
            "written: carried as essay; the rubric and word limit are not (GIFT has no "
            "field for them; Moodle XML carries both)"
        )
    return notes


def write(bank: Bank, out_dir: Path, paras: dict[str, Paragraph] | None = None) -> Report:
    path = Path(out_dir) / f"{bank.quiz}.gift.txt"
    report = Report(bank.quiz, path, NAME)
    fileio.write_text(path, dumps(bank, report, paras))
    return report
