"""Written answers between ``grade``, ``review`` and ``merge``: what is kept, and how hand scores count.

``casebook grade`` never scores a written answer; it keeps it. In the graded
folder, when a quiz has written questions:

- ``written.json``: what ``review`` and ``merge`` need without the banks or the
  submissions: per quiz its written questions with their rubrics and the
  rendered parts of the feedback pages, and per graded submission its
  feedback row (answers, credits, notes, the answer_id of each written
  text), so ``merge`` can re-render a page. One compact JSON document: the
  written answers are the bulk of it and are written once;
- ``written_scores.json`` (written by ``merge`` only): the hand scores, one
  record per student and question, each with the ``answer_id`` (a hash) of
  the text it scored. A record replaces the previous one for the same student
  and question, so merging a corrected sheet never adds twice. ``grade``
  applies the records again when it re-grades, unless the student's text has
  changed since: that answer is pending again, with a note in ``notes.csv``.

The gradebook keeps ``score``/``max_score`` as the automatically scored points
(what the LMS export sends) and adds ``written_score`` (hand scores merged so
far), ``pending_points`` (points of answers awaiting review), ``total`` and
``total_max``. A written question's own column reads ``pending``, its merged
points, or 0 for a blank answer.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebook import fileio
from casebook.errors import CasebookError
from casebook.quiz import scoring, wording
from casebook.quiz.bank import Bank, Question

STORE = "written.json"
SCORES = "written_scores.json"
COLUMNS = ["written_score", "pending_points", "total", "total_max"]
PENDING = "pending"
FORMAT = 1
MAX_TEXT = 20_000  # characters of a written answer kept (about 3,000 words)

# State of one written answer: answered (to review), or scored 0 without review.
ANSWERED = "answered"
STATES = {
    scoring.MANUAL: ANSWERED,
    scoring.BLANK: "blank",
    scoring.INVALID: "not readable",
    scoring.MISSING: "no answer cell",
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def words(text: str) -> int:
    """Words as a reader counts them: each Chinese character, plus space-separated words."""
    if text.isascii():
        return len(text.split())
    return len(_CJK.findall(text)) + len(_CJK.sub(" ", text).split())


def text_of(value: object) -> str:
    """The kept text of an answer: stripped and capped, so one huge cell cannot bloat reports."""
    text = value.strip() if isinstance(value, str) else wording.shown_value(value)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + f"… ({len(text)} characters)"
    return text


def answer_id(text: str) -> str:
    """Identifies the text a score was given to: a changed answer needs a new review."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12] if text else ""


def question_info(q: Question, n: int) -> dict[str, Any]:
    rubric = [
        {
            "criterion": c.criterion,
            "description": c.description.strip(),
            "max": c.max_points,
            "levels": [
                {"points": lv.points, "label": lv.label, "description": lv.description.strip()}
                for lv in c.levels
            ],
        }
        for c in q.rubric or []
    ]
    return {
        "id": q.id,
        "n": n,
        "prompt": q.prompt.strip(),
        "points": q.points,
        "word_limit": q.word_limit,
        "rubric": rubric,
    }


def quiz_info(bank: Bank, prepared: dict) -> dict[str, Any]:
    """A quiz's written questions and feedback parts, as plain data ({} without written)."""
    written = [question_info(q, i + 1) for i, q in enumerate(bank.questions) if q.manual]
    if not written:
        return {}
    return {
        "quiz": bank.quiz,
        "title": bank.title,
        "max_score": sum(q.points for q in bank.questions if not q.manual),
        "manual_points": sum(q.points for q in bank.questions if q.manual),
        "written": written,
        "prepared": prepared,
    }


def level_label(criterion: dict, points: float) -> str:
    """The rubric level a score reads as: its label, or 'between partial and strong'."""
    levels = sorted(criterion["levels"], key=lambda lv: lv["points"])
    for lv in levels:
        if abs(lv["points"] - points) < 1e-9:
            return lv["label"]
    below = [lv for lv in levels if lv["points"] < points]
    above = [lv for lv in levels if lv["points"] > points]
    if below and above:
        return f"between {below[-1]['label']} and {above[0]['label']}"
    return (below[-1] if below else above[0])["label"]


_SCORE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a spreadsheet's decimal comma
    if not _SCORE.fullmatch(cleaned):
        return None  # "1_0", "１", "1e1", "nan": Python's float() reads them, a grader did not mean them
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_score(text: str, criterion: dict) -> float | str:
    """Points written in a scores CSV for one criterion, or what is wrong with the cell.

    A number from 0 to the criterion's maximum (any value in between, a decimal
    comma allowed), or the label of one of its levels, case ignored.
    """
    text = text.strip()
    top = criterion["max"]
    labels = {lv["label"].strip().casefold(): lv["points"] for lv in criterion["levels"]}
    if not text:
        return "missing score (a reviewed row needs every criterion)"
    if text.casefold() in labels:
        return float(labels[text.casefold()])
    value = _number(text)
    if value is None:
        names = ", ".join(lv["label"] for lv in criterion["levels"])
        return f"{text!r} is not a number or a level ({names})"
    if value < 0:
        return f"{text} is below 0"
    if value > top + 1e-9:
        return f"{text} is above the criterion's maximum {top:g}"
    return value + 0.0


# --- merged scores ------------------------------------------------------------------------------

Key = tuple[str, str]  # (student, question id)


def load_scores(folder: Path) -> dict[Key, dict]:
    path = Path(folder) / SCORES
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CasebookError(
            f"{path}: cannot read the merged scores ({exc}); restore it from a "
            "backup or delete it and merge the score sheets again"
        ) from None
    records = data.get("scores") if isinstance(data, dict) else None
    if not isinstance(records, list) or not all(
        isinstance(r, dict)
        and isinstance(r.get("student"), str)
        and isinstance(r.get("question"), str)
        and isinstance(r.get("criteria"), dict)
        for r in records
    ):
        raise CasebookError(
            f"{path}: not a casebook scores file; restore it from a backup or "
            "delete it and merge the score sheets again"
        )
    return {(r["student"], r["question"]): r for r in records}


def dumps_scores(scores: dict[Key, dict]) -> str:
    records = [scores[k] for k in sorted(scores)]
    return (
        json.dumps({"format": FORMAT, "scores": records}, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    )


def save_scores(folder: Path, scores: dict[Key, dict]) -> None:
    fileio.write_text(Path(folder) / SCORES, dumps_scores(scores))


def record_points(record: dict) -> float:
    return float(sum(record["criteria"].values()))


# --- one submission's written part ----------------------------------------------------------------


@dataclass
class Settled:
    """A submission's written answers with the merged scores applied."""

    cells: dict[str, str] = field(default_factory=dict)  # question id -> gradebook cell
    points: float = 0.0  # hand scores merged
    pending: int = 0  # answers awaiting review
    pending_points: float = 0.0
    feedback: dict[str, dict] = field(default_factory=dict)  # question id -> what the page says
    stale: list[str] = field(default_factory=list)  # ids whose score was for another text
    ids: dict[str, str] = field(default_factory=dict)  # question id -> answer_id of the text


def settle(
    quiz: dict, student: str, outcomes: dict[str, str], ids: dict[str, str], scores: dict[Key, dict]
) -> Settled:
    """Gradebook cells and feedback of one submission's written questions.

    ``outcomes`` are the grader's (manual for an answer to review, blank...),
    ``ids`` the answer_id of each answer's text.
    """
    out = Settled()
    for q in quiz["written"]:
        qid = q["id"]
        state = STATES.get(outcomes.get(qid, "missing"), "not readable")
        record = scores.get((student, qid))
        if state != ANSWERED:
            out.cells[qid] = "0"
            out.feedback[qid] = {"state": state, "points": "0"}
            continue
        if record is not None and (record.get("answer_id") != ids.get(qid) or not fits(record, q)):
            out.stale.append(qid)  # another text, or a rubric changed since: review again
            record = None
        if record is None:
            out.cells[qid] = PENDING
            out.pending += 1
            out.pending_points += q["points"]
            out.feedback[qid] = {"state": PENDING, "points": ""}
            continue
        points = record_points(record)
        out.points += points
        out.cells[qid] = wording.points(points)
        criteria = []
        for c in q["rubric"]:
            got = float(record["criteria"].get(c["criterion"], 0.0))
            criteria.append(
                [c["criterion"], wording.points(got), wording.points(c["max"]), level_label(c, got)]
            )
        out.feedback[qid] = {
            "state": "scored",
            "points": wording.points(points),
            "criteria": criteria,
            "comment": record.get("comment", ""),
        }
    return out


def fits(record: dict, q: dict) -> bool:
    """The record scores exactly the question's current criteria, each within its maximum."""
    tops = {c["criterion"]: c["max"] for c in q["rubric"]}
    marks = record["criteria"]
    return set(marks) == set(tops) and all(0 <= marks[k] <= tops[k] + 1e-9 for k in tops)


def columns(score: float, max_score: float, manual_points: float, settled: Settled | None) -> dict[str, str]:
    """written_score, pending_points, total and total_max of a graded gradebook row."""
    got = settled.points if settled else 0.0
    return {
        "written_score": wording.points(got),
        "pending_points": wording.points(settled.pending_points if settled else 0.0),
        "total": wording.points(score + got),
        "total_max": wording.points(max_score + manual_points),
    }


def feedback_fields(score: float, quiz: dict, settled: Settled) -> dict[str, Any]:
    """What a feedback page adds for written answers (see reports.feedback_html)."""
    return {
        "written": settled.feedback,
        "written_score": wording.points(settled.points),
        "pending": settled.pending,
        "pending_points": wording.points(settled.pending_points),
        "total": wording.points(score + settled.points),
        "total_max": wording.points(quiz["max_score"] + quiz["manual_points"]),
    }


# --- the store grade writes -------------------------------------------------------------------


def load_store(folder: Path) -> dict:
    """written.json of a graded folder, or a one-line reason why there is none."""
    folder = Path(folder)
    path = folder / STORE
    if not folder.is_dir():
        raise CasebookError(f"{folder}: no such folder (give the --out folder of 'casebook grade')")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if (folder / "gradebook.csv").exists():
            raise CasebookError(
                f"{folder}: no written answers here (its quizzes have no written "
                "questions, or it was graded by an older casebook: grade again)"
            ) from None
        raise CasebookError(
            f"{folder}: not a graded folder (no gradebook.csv; give the --out folder of 'casebook grade')"
        ) from None
    except (OSError, ValueError) as exc:
        raise CasebookError(f"{path}: cannot read ({exc}); grade again") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CasebookError(f"{path}: written by another version of casebook; grade again")
    hints = data.pop("hints", [""])
    for row in data["submissions"]:
        row["hints"] = [hints[h] for h in row["hints"]]
    return data
