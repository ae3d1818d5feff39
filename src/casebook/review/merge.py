"""Hand scores from filled review CSVs into the gradebook and the feedback pages.

``casebook merge SCORES.csv... --graded GRADED`` checks every file completely
before it changes anything. Each problem is one line naming the file and the
row as a spreadsheet numbers it (the header is row 1)::

    review/bu-w01-scores.csv: row 7: evidence: 5 is above the criterion's maximum 3

and if there is any, nothing is written and the command exits 1. Checked:
the columns (an id column ``code`` or ``student``, ``question``, one column
per criterion of each question, ``comment``, ``answer_id``; no other), the
student (a code of this graded folder's key, or a student id, with a graded
submission of the quiz), the question (a written question of the quiz), the
answer (not blank, and, by its ``answer_id``, not changed since the sheet was made), the same
answer twice, and each score: a number (a decimal comma is fine) from 0 to
the criterion's maximum, any value in between allowed, or the label of one
of the criterion's levels (``strong`` reads as that level's points). A row
whose scores and comment are all empty is an answer not reviewed yet and is
skipped; a row with some scores must have all of them.

Then, per student and question, the record in ``written_scores.json`` is
replaced (never added to), the gradebook's written columns and totals are
recomputed, and the feedback of the students concerned is rendered again
with each criterion's points, its rubric level and the comment. Every file
is replaced atomically; merging the same CSV twice changes nothing more.
A sheet with a header and no rows (a quiz not graded this time) is skipped,
so ``casebook merge review/*-scores.csv`` works. Cells the review sheet
neutralised for spreadsheets (``'=...``) read back as written. ``merge``
holds the graded folder's lock (``fileio.folder_lock``, as ``grade`` does),
and reads the merged scores only once it has it, so merges run at the same
time never lose each other's scores: the second stops with one line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from casebook import fileio
from casebook.errors import CasebookError
from casebook.grading import pages, written
from casebook.grading.submission import GRADED
from casebook.review.codes import RESERVED, codes, secret


@dataclass
class Result:
    problems: list[str] = field(default_factory=list)
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows left empty: not reviewed yet
    pending: int = 0
    pending_points: float = 0.0
    feedback: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Context:
    graded: Path
    store: dict
    questions: dict[str, tuple[str, dict]]  # question id -> (quiz, question)
    rows: dict[tuple[str, str], dict]  # (student, quiz) -> stored submission row
    students: set[str]
    codes: dict[str, str] | None = None  # code -> student, read on first use
    code_error: str = ""

    def student_of_code(self, code: str) -> str | None:
        if self.codes is None:
            try:
                key = secret(self.graded)
            except CasebookError as exc:
                self.code_error = str(exc)
                self.codes = {}
            else:
                self.codes = {c: s for s, c in codes(self.students, key).items()}
        return self.codes.get(code)


def _context(graded: Path) -> _Context:
    store = written.load_store(graded)
    questions = {q["id"]: (quiz_id, q) for quiz_id, quiz in store["quizzes"].items() for q in quiz["written"]}
    rows = {(r["student"], r["quiz"]): r for r in store["submissions"]}
    return _Context(Path(graded), store, questions, rows, {r["student"] for r in store["submissions"]})


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    text = fileio.read_user_text(path, "scores file", " (save the CSV as UTF-8)")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # spreadsheets in some locales save with ';'
    try:
        table = [
            [fileio.from_spreadsheet(c) for c in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise CasebookError(f"{path}: not a readable CSV ({exc})") from None
    if not table or not any(c.strip() for c in table[0]):
        raise CasebookError(f"{path}: empty (no header row)")
    return [c.strip() for c in table[0]], table[1:]


def check(files: list[Path], ctx: _Context) -> tuple[list[dict], list[str], int]:
    """(records to merge, problems, rows skipped as not reviewed yet) of all files together."""
    records: list[dict] = []
    problems: list[str] = []
    skipped = 0
    seen: dict[tuple[str, str], str] = {}
    for path in files:
        try:
            header, table = _read(Path(path))
        except CasebookError as exc:
            problems.append(str(exc))
            continue
        found, lost, empty = _check_file(Path(path), header, table, ctx, seen)
        records += found
        problems += lost
        skipped += empty
    return records, problems, skipped


def _check_file(
    path: Path, header: list[str], table: list[list[str]], ctx: _Context, seen: dict[tuple[str, str], str]
) -> tuple[list[dict], list[str], int]:
    out: list[str] = []
    ids = [c for c in ("code", "student") if c in header]
    dupes = sorted({c for c in header if header.count(c) > 1 and c})
    if dupes:
        out.append(f"{path}: row 1: column {', '.join(dupes)} appears twice")
    if len(ids) != 1:
        out.append(
            f"{path}: row 1: needs one id column, code or student (has: "
            f"{', '.join(h for h in header if h) or 'nothing'})"
        )
    if "question" not in header:
        out.append(f"{path}: row 1: no question column")
    if out:
        return [], out, 0
    if not any(any(c.strip() for c in row) for row in table):
        return [], [], 0  # a sheet with no answers (a quiz not graded this time): nothing to do
    id_col = ids[0]
    col = {h: i for i, h in enumerate(header)}

    def cell(row: list[str], name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    # Columns: every criterion of every question in the file, and nothing unknown.
    asked = {cell(r, "question") for r in table} & set(ctx.questions)
    criteria = {c["criterion"] for qid in asked for c in ctx.questions[qid][1]["rubric"]}
    for qid in sorted(asked):
        for c in ctx.questions[qid][1]["rubric"]:
            if c["criterion"] not in col:
                out.append(f"{path}: row 1: no column for criterion {c['criterion']!r} of {qid}")
    if out:
        return [], out, 0
    for h in header:  # reported, and the rows are still checked
        if h and h not in RESERVED and h not in criteria:
            known = (
                "; ".join(
                    f"{qid}: {', '.join(c['criterion'] for c in ctx.questions[qid][1]['rubric'])}"
                    for qid in sorted(asked)
                )
                or "none"
            )
            out.append(f"{path}: row 1: column {h!r} is not a rubric criterion (criteria: {known})")

    records: list[dict] = []
    skipped = 0
    for number, row in enumerate(table, start=2):
        where = f"{path}: row {number}"
        if not any(c.strip() for c in row):
            continue  # a blank line
        if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
            out.append(
                f"{where}: {len(row)} cells but the header has {len(header)} (a comma in a "
                "cell that is not quoted?)"
            )
            continue
        who, qid = cell(row, id_col), cell(row, "question")
        entry = ctx.questions.get(qid)
        marks_given = entry and any(cell(row, c["criterion"]) for c in entry[1]["rubric"])
        if entry and not marks_given and not cell(row, "comment"):
            skipped += 1  # not reviewed yet
            continue
        if not who:
            out.append(f"{where}: no {id_col}")
            continue
        if entry is None:
            known = ", ".join(sorted(ctx.questions)) or "none"
            out.append(
                f"{where}: unknown question {qid!r} (written questions: {known})"
                if qid
                else f"{where}: no question"
            )
            continue
        quiz_id, q = entry
        if id_col == "code":
            student = ctx.student_of_code(who)
            if ctx.code_error:
                out.append(f"{where}: {ctx.code_error}")
                return records, out, skipped
            if student is None:
                out.append(f"{where}: unknown code {who!r} (no student graded in {ctx.graded} has it)")
                continue
        else:
            student = who
            if student not in ctx.students:
                out.append(f"{where}: unknown student {who!r} (not in {ctx.graded})")
                continue
        stored = ctx.rows.get((student, quiz_id))
        if stored is None:
            out.append(f"{where}: {who} has no graded submission of quiz {quiz_id}")
            continue
        state = written.STATES.get(stored["outcomes"][q["n"] - 1], "not readable")
        if state != written.ANSWERED:
            out.append(
                f"{where}: the answer of {who} to {qid} is {state}: it scores 0 without "
                "review; leave the row empty"
            )
            continue
        current = stored["answer_ids"].get(qid, "")
        given_id = cell(row, "answer_id")
        if not given_id:
            out.append(
                f"{where}: answer_id is empty; keep the one casebook review wrote (it shows "
                "that the answer scored is the answer graded)"
            )
            continue
        if given_id != current:
            out.append(
                f"{where}: the answer of {who} to {qid} has changed since this sheet was "
                "made (graded again?); run casebook review again and score the new text"
            )
            continue
        if (student, qid) in seen:
            out.append(f"{where}: {who} {qid} is also on {seen[student, qid]}")
            continue
        seen[student, qid] = f"{path.name} row {number}"
        marks: dict[str, float] = {}
        bad = False
        for c in q["rubric"]:
            name, text = c["criterion"], cell(row, c["criterion"])
            value = written.parse_score(text, c)
            if isinstance(value, str):
                out.append(f"{where}: {name}: {value}")
                bad = True
            else:
                marks[name] = value
        own = {c["criterion"] for c in q["rubric"]}
        for h in header:
            if h in criteria and h not in own and cell(row, h):
                out.append(f"{where}: {h}: not a criterion of {qid}; leave it empty")
                bad = True
        if not bad:
            records.append(
                {
                    "student": student,
                    "quiz": quiz_id,
                    "question": qid,
                    "answer_id": current,
                    "criteria": marks,
                    "comment": cell(row, "comment"),
                }
            )
    return records, out, skipped


def merge(files: list[Path], graded: Path, *, dry_run: bool = False) -> Result:
    """Check the files, then merge them into the graded folder (unless dry_run or a problem)."""
    if not files:
        raise CasebookError("no scores CSV to merge: name the filled *-scores.csv files")
    graded = Path(graded)
    written.load_store(graded)  # one line when it is not a graded folder, before the lock
    with fileio.folder_lock(graded, "merge"):  # grade and other merges wait their turn
        return _merge(files, graded, dry_run)


def _merge(files: list[Path], graded: Path, dry_run: bool) -> Result:
    ctx = _context(graded)
    scores = written.load_scores(graded)  # read under the lock: no other merge's scores lost
    gradebook_path = graded / "gradebook.csv"
    header, book = _read_gradebook(gradebook_path)
    records, problems, skipped = check([Path(f) for f in files], ctx)
    result = Result(problems=problems, skipped=skipped)
    if problems:
        return result
    changed: set[tuple[str, str]] = set()  # (student, quiz) whose written part changed
    for record in records:
        key = (record["student"], record["question"])
        old = scores.get(key)
        if old == record:
            result.unchanged += 1
            continue
        if old is None:
            result.added += 1
        else:
            result.replaced += 1
        scores[key] = record
        changed.add((record["student"], record["quiz"]))
    settled = {
        (r["student"], r["quiz"]): written.settle(
            ctx.store["quizzes"][r["quiz"]],
            r["student"],
            _outcomes(ctx.store["quizzes"][r["quiz"]], r),
            r["answer_ids"],
            scores,
        )
        for r in ctx.store["submissions"]
    }
    result.pending = sum(s.pending for s in settled.values())
    result.pending_points = sum(s.pending_points for s in settled.values())
    if dry_run or not changed:
        return result
    reveal = ctx.store.get("reveal", True)
    formats = ctx.store.get("feedback") or ["html", "md"]  # stores from before the choice: both
    folder = graded / "feedback"
    for who in sorted(changed):
        row = ctx.rows[who]
        quiz = ctx.store["quizzes"][row["quiz"]]
        page = {**row, **written.feedback_fields(row["auto"], quiz, settled[who])}
        base = row["feedback"]  # may hold dots (a student id "jane.doe"): no with_suffix
        if "html" in formats:
            fileio.write_if_changed(
                folder / f"{base}.html", pages.feedback_html(page, quiz["prepared"], reveal)
            )
        if "md" in formats:
            fileio.write_if_changed(folder / f"{base}.md", pages.feedback_md(page, quiz["prepared"], reveal))
        result.feedback.append(folder / f"{base}.{formats[0]}")
    fileio.write_text(gradebook_path, _gradebook(header, book, ctx, settled))
    written.save_scores(graded, scores)  # last: a crash before it leaves a merge to redo
    return result


def _outcomes(quiz: dict, row: dict) -> dict[str, str]:
    return {q["id"]: row["outcomes"][q["n"] - 1] for q in quiz["written"]}


def _read_gradebook(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CasebookError(f"{path}: cannot read the gradebook ({exc.strerror or exc})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = list(reader.fieldnames or [])
    rows = [
        {k: fileio.from_spreadsheet(v) if isinstance(v, str) else v for k, v in r.items()} for r in reader
    ]
    missing = [c for c in ("submission", "student", "quiz", "status", *written.COLUMNS) if c not in header]
    if missing:
        raise CasebookError(
            f"{path}: no column {', '.join(missing)}: grade again with this version of casebook, then merge"
        )
    return header, rows


def _gradebook(
    header: list[str],
    book: list[dict[str, str]],
    ctx: _Context,
    settled: dict[tuple[str, str], written.Settled],
) -> str:
    by_submission = {r["submission"]: r for r in ctx.store["submissions"]}
    for line in book:
        stored = by_submission.get(line["submission"])
        if line["status"] != GRADED or stored is None:
            continue
        quiz = ctx.store["quizzes"][stored["quiz"]]
        done = settled[stored["student"], stored["quiz"]]
        line.update(written.columns(stored["auto"], quiz["max_score"], quiz["manual_points"], done))
        line.update(done.cells)
    return fileio.csv_text([header, *([line.get(c, "") for c in header] for line in book)])
