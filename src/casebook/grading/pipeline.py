"""Grading a batch of submissions: a pipeline of small static steps, like nbgrader's preprocessors.

find inputs → read each file (size cap, JSON, cells) → find answers by
metadata or name → score → resolve duplicates → gradebook → feedback →
item analysis. Nothing a student wrote is ever executed (see submission.py).

Every input file ends up as exactly one gradebook row, graded or with the
reason it was not, and one bad file never stops the batch. Files are graded
in worker processes in chunks (no per-file process start-up); workers get
the answer keys as plain dicts and return small rows, so a worker's memory
stays flat; the main process keeps one small row per submission until the
gradebook is written (README, "Performance").
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from casebook import edition, fileio, paths
from casebook.errors import CasebookError
from casebook.grading import pages, submission, written
from casebook.grading.submission import GRADED, Rejected
from casebook.quiz import bank as banks_mod
from casebook.quiz import scoring, wording
from casebook.quiz.bank import Bank

FIXED_COLUMNS = ["submission", "student", "name", "quiz", "status", "score", "max_score"]
# Feedback pages are HTML unless asked otherwise: at 10,000 students every extra format is
# another 10,000 files and about half a gigabyte to write, the largest cost of a grading run.
FEEDBACK_FORMATS = ("html", "md")
DEFAULT_FEEDBACK = ("html",)
IN_PROCESS_BELOW = 200  # fewer files than this: a pool costs more than it saves

Key = dict[str, Any]  # an answer key (bank.answer_key) or a plain-data record built from one
# (fraction, outcome, note, answer as shown, misconception, item-analysis labels) of one answer
Scored = tuple[float, str, str, str, str, list[str]]
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Row:
    """One input file's outcome, small enough to send back from a worker."""

    submission: str
    mtime: float = 0.0
    student: str = ""
    name: str = ""
    quiz: str = ""
    status: str = GRADED
    credits: list[float] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    choices: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    feedback: str = ""

    @property
    def score(self) -> float:
        return sum(self.credits)


@dataclass
class Result:
    out_dir: Path
    rows: list[dict[str, str]]
    columns: list[str]
    counts: dict[str, int]
    gradebook: Path
    notes: Path
    items: Path | None = None
    summary: Path | None = None
    plots: list[Path] = field(default_factory=list)
    feedback: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, for tuning
    pending: int = 0  # written answers awaiting review
    pending_points: float = 0.0
    written: Path | None = None  # written.json, when a quiz has written questions

    @property
    def all_graded(self) -> bool:
        """Every file graded, apart from those of other quizzes skipped on purpose (--quiz)."""
        return set(self.counts) <= {GRADED, submission.OTHER_QUIZ}


# --- inputs -----------------------------------------------------------------------------------

def find_inputs(paths_in: Iterable[Path | str]) -> list[str]:
    """Every notebook under the given folders plus every file named, once, sorted.

    os.walk rather than Path.rglob: it prunes .ipynb_checkpoints before
    descending and costs a fraction per file, which shows at 10,000 files.
    """
    found: dict[str, str] = {}
    for given in paths_in:
        path = Path(given)
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                for name in files:
                    if name.endswith(".ipynb"):
                        full = os.path.join(folder, name)
                        found.setdefault(os.path.abspath(full), Path(full).as_posix())
        elif path.exists():
            found.setdefault(os.path.abspath(path), path.as_posix())
        else:
            raise CasebookError(f"{path}: no such file or folder")
    return sorted(found.values())


# --- one file -----------------------------------------------------------------------------------

_CONTEXT: dict[str, Any] = {}
_SCORED: dict[tuple[str, str, str], Scored] = {}  # per process: a class repeats the same few answers


def _init(context: dict[str, Any]) -> None:
    """Worker start: the keys and pre-rendered feedback parts arrive once, not per file."""
    _CONTEXT.clear()
    _CONTEXT.update(context)
    _SCORED.clear()  # a corrected key in the same session must not reuse old credits


def grade_file(path: str, keys: dict[str, Key], default_quiz: str | None,
               only: str | None = None) -> Row:
    """Read, identify and score one file; never raises for anything the file contains.

    With ``only`` (``grade --quiz``), a notebook of another quiz is skipped, not scored.
    """
    row = Row(submission=path)
    try:
        stat = os.stat(path)
        row.mtime = stat.st_mtime
        if stat.st_size > submission.MAX_BYTES:
            raise Rejected(submission.TOO_LARGE)
        with open(path, "rb") as handle:
            data = handle.read(submission.MAX_BYTES + 1)
        if len(data) > submission.MAX_BYTES:
            raise Rejected(submission.TOO_LARGE)
        parsed = submission.load(data)
        del data
        if parsed.format_problem:
            row.notes.append(parsed.format_problem)
            raise Rejected(submission.NEWER_FORMAT)
        sid, name, _ = submission.identity(parsed, path)
        row.student, row.name = sid, name
        quiz = parsed.quiz or default_quiz
        row.quiz = quiz or ""
        if only is not None and quiz != only:
            raise Rejected(submission.OTHER_QUIZ)
        key = keys.get(quiz or "")
        if key is None:
            raise Rejected(submission.UNKNOWN_QUIZ)
        answers, any_found = submission.answers(parsed, key["questions"])
        if not any_found:
            raise Rejected(submission.NO_ANSWERS)
        if parsed.version and parsed.version != key["version"]:
            row.notes.append("made from an earlier wording of this quiz; graded with the current key")
        if not sid:
            # The whole path, not just the file name: two anonymous quiz.ipynb in different
            # folders must not be taken for one student handing in twice.
            row.student = os.path.splitext(path)[0]
            row.notes.append("no student id in the notebook; its path stands in")
        _score(row, key, answers)
    except Rejected as exc:
        row.status = str(exc)
    except OSError as exc:
        row.status = f"{submission.UNREADABLE_FILE} ({exc.strerror or type(exc).__name__})"
    except (RecursionError, MemoryError):
        row.status = submission.UNREADABLE
    return row


def _score(row: Row, key: Key, answers: dict[str, submission.Answer]) -> None:
    for q in key["questions"]:
        answer = answers[q["id"]]
        result: Scored | None
        if not answer.found:
            result = (0.0, scoring.MISSING, "no answer cell for this question", "(none)", "",
                      ["(missing)"])
        elif answer.error:
            result = (0.0, scoring.INVALID, answer.error, "(none)", "", ["(invalid)"])
        else:
            text = repr(answer.value)  # repr tells 1 from True from "1", unlike ==
            memo = (key["quiz"], q["id"], text) if len(text) < 500 else None
            result = _SCORED.get(memo) if memo else None
            if result is None:
                result = _score_value(q, answer.value)
                if memo:
                    if len(_SCORED) > 100_000:
                        _SCORED.clear()
                    _SCORED[memo] = result
        assert result is not None
        fraction, outcome, note, shown, hint, choices = result
        row.credits.append(fraction * q["points"])
        row.outcomes.append(outcome)
        row.shown.append(shown)
        row.reasons.append("; ".join(x for x in [note, *answer.notes] if x))
        row.hints.append(hint)
        row.choices.append(choices)


def _score_value(q: Key, value: object) -> Scored:
    fraction, outcome, note = scoring.credit(q, value)
    hint = scoring.misconception(q, value) if outcome in (scoring.WRONG, scoring.PARTIAL) else ""
    shown = written.text_of(value) if q.get("manual") else wording.shown_value(value)
    return fraction, outcome, note, shown, hint, scoring.choices(q, value, outcome)


def _grade_chunk(chunk: list[str]) -> list[Row]:
    return [grade_file(p, _CONTEXT["keys"], _CONTEXT["default_quiz"], _CONTEXT["only"])
            for p in chunk]


def _feedback_chunk(chunk: list[dict[str, Any]]) -> list[str]:
    folder = os.path.join(_CONTEXT["out_dir"], "feedback")
    reveal = _CONTEXT["reveal"]
    written = []
    for row in chunk:
        quiz = _CONTEXT["prepared"][row["quiz"]]
        base = os.path.join(folder, row["feedback"])
        if "html" in _CONTEXT["formats"]:
            fileio.write_if_changed(base + ".html", pages.feedback_html(row, quiz, reveal))
        if "md" in _CONTEXT["formats"]:
            fileio.write_if_changed(base + ".md", pages.feedback_md(row, quiz, reveal))
        written.append(row["feedback"])
    return written


# --- the batch --------------------------------------------------------------------------------

def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def _pool(jobs: int, context: dict[str, Any]) -> ProcessPoolExecutor:
    # fork is the fastest start, but forking a process that runs threads (a Jupyter
    # kernel) can deadlock, so such callers get spawn.
    method = "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method),
                               initializer=_init, initargs=(context,))


def _progress(total: int, label: str) -> Any:
    if total and sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, desc=label, unit="file", leave=False)
    return None


def _run(fn: Callable[[list[T]], list[R]], items: list[T], jobs: int,
         pool: ProcessPoolExecutor | None, label: str) -> Iterator[R]:
    """Start fn over chunks of items now (in the pool if any); iterate to collect results."""
    size = max(16, min(256, len(items) // (jobs * 8) or 16))
    chunks = _chunks(items, size)
    results = pool.map(fn, chunks) if pool else map(fn, chunks)  # pool.map submits at once

    def collect() -> Iterator[R]:
        bar = _progress(len(items), label)
        try:
            for chunk in results:
                if bar:
                    bar.update(len(chunk))
                yield from chunk
        finally:
            if bar:
                bar.close()

    return collect()


def resolve_duplicates(rows: list[Row]) -> None:
    """Same student, same quiz twice: grade the newest file (mtime, then path), mark the rest."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        if row.status == GRADED:
            groups.setdefault((row.student, row.quiz), []).append(row)
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda r: (r.mtime, r.submission))
        keep = group[-1]
        for other in group[:-1]:
            other.status = submission.DUPLICATE
            other.notes.append(f"superseded by {keep.submission}")
            keep.notes.append(f"newest of {len(group)} submissions; older: {other.submission}")


def _assign_feedback_names(rows: list[Row]) -> None:
    used: set[str] = set()
    for row in rows:
        if row.status != GRADED:
            continue
        base = f"{fileio.safe_name(row.student)}-{fileio.safe_name(row.quiz)}"
        name, n = base, 2
        while name.casefold() in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name.casefold())
        row.feedback = name


def _resolve_banks(banks: Sequence[Bank | Path | str] | None, root: Path | None) -> list[Bank]:
    if banks is None:
        return banks_mod.load_all(banks_mod.discover(root), root)
    loaded = [b for b in banks if isinstance(b, Bank)]
    files = [Path(b) for b in banks if not isinstance(b, Bank)]
    if files:
        loaded += banks_mod.load_all(files, root)
    if not loaded:
        raise CasebookError("no question banks: add exercises/*.yml or pass --bank PATH")
    return loaded


def grade_paths(paths_in: Sequence[Path | str], out_dir: Path | str, *,
                banks: Sequence[Bank | Path | str] | None = None, quiz: str | None = None,
                reveal: bool = True, jobs: int | None = None, analyse: bool = True,
                plots: bool = True, root: Path | None = None,
                feedback: Sequence[str] = DEFAULT_FEEDBACK) -> Result:
    """Grade notebooks and folders of notebooks into out_dir; the API behind `casebook grade`.

    ``banks`` None means the project's exercises/*.yml. ``quiz`` limits the run
    to that quiz: its notebooks (and those whose metadata names no quiz) are
    graded, notebooks of other quizzes get the status "skipped: another quiz",
    and the gradebook, feedback, item analysis and written.json hold that quiz
    only. Without it, a notebook that names no quiz is graded as the only bank's.
    """
    started = time.perf_counter()
    if not paths_in:
        raise CasebookError("nothing to grade: name notebooks or folders")
    formats = tuple(f for f in FEEDBACK_FORMATS if f in feedback)
    unknown = sorted(set(feedback) - set(FEEDBACK_FORMATS))
    if unknown or not formats:
        raise CasebookError(f"feedback format {unknown[0] if unknown else '(none)'!r}: use html, md or both")
    loaded = _resolve_banks(banks, root)
    if quiz is not None:
        loaded = banks_mod.select(loaded, quiz)
    keys = {b.quiz: banks_mod.answer_key(b) for b in loaded}
    default_quiz = quiz or (loaded[0].quiz if len(loaded) == 1 else None)
    inputs = find_inputs(paths_in)
    timings = {"setup": time.perf_counter() - started}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scores = written.load_scores(out)  # hand scores merged earlier; a damaged file stops here
    paras = edition.by_id(root or paths.project_root())
    context: dict[str, Any] = {
        "keys": keys,
        "default_quiz": default_quiz,
        "only": quiz,
        "prepared": {b.quiz: pages.prepare(b, paras) for b in loaded},
        "reveal": reveal,
        "formats": formats,
        "out_dir": str(out),
    }
    jobs = max(1, jobs or os.cpu_count() or 1)
    pool = _pool(jobs, context) if jobs > 1 and len(inputs) >= IN_PROCESS_BELOW else None
    if pool is None:
        _init(context)
    try:
        mark = time.perf_counter()
        rows = sorted(_run(_grade_chunk, inputs, jobs, pool, "grading"),
                      key=lambda r: r.submission)
        timings["read and score"] = time.perf_counter() - mark
        resolve_duplicates(rows)
        _assign_feedback_names(rows)
        infos = {b.quiz: info for b in loaded
                 if (info := written.quiz_info(b, context["prepared"][b.quiz]))}
        settled = _settle_written(rows, infos, scores)
        columns = FIXED_COLUMNS + (written.COLUMNS if infos else []) + [
            q["id"] for k in keys.values() for q in k["questions"]]
        table = [_table_row(r, keys, infos, settled.get(r.submission)) for r in rows]
        gradebook = out / "gradebook.csv"
        fileio.write_text(gradebook, _csv(table, columns))
        notes = out / "notes.csv"
        fileio.write_text(notes, _notes_csv(rows, keys, settled))
        # Feedback is written by the workers while this process does the item analysis.
        mark = time.perf_counter()
        todo, store_rows = _feedback_rows(rows, infos, settled)
        (out / "feedback").mkdir(parents=True, exist_ok=True)
        pending = _run(_feedback_chunk, todo, jobs, pool, "feedback")
        counts = dict(sorted(Counter(r.status for r in rows).items()))
        result = Result(out, table, columns, counts, gradebook, notes)
        result.pending = sum(x.pending for x in settled.values())
        result.pending_points = sum(x.pending_points for x in settled.values())
        if infos:
            step = time.perf_counter()
            result.written = out / written.STORE
            fileio.write_text(result.written, written_store(infos, store_rows, reveal, formats))
            timings["written answers"] = time.perf_counter() - step
        else:
            (out / written.STORE).unlink(missing_ok=True)  # from grading other quizzes before
        if analyse:
            graded: dict[str, list[tuple[str, list[float], list[list[str]]]]] = {}
            for r in rows:
                if r.status == GRADED:
                    graded.setdefault(r.quiz, []).append((r.submission, r.credits, r.choices))
            from casebook.grading import analysis

            result.items, result.summary, result.plots = analysis.analyse(
                out, keys, graded, counts, plots=plots)
            timings["item analysis"] = time.perf_counter() - mark
        result.feedback = _finish_feedback(out, pending, formats)
        timings["feedback (with analysis)"] = time.perf_counter() - mark
    finally:
        if pool:
            pool.shutdown()
    result.seconds = time.perf_counter() - started
    result.timings = timings
    return result


def _settle_written(rows: list[Row], infos: dict[str, Key],
                    scores: dict[Any, Any]) -> dict[str, written.Settled]:
    """Merged hand scores applied to each graded submission with written questions."""
    out = {}
    for r in rows:
        quiz = infos.get(r.quiz)
        if r.status == GRADED and quiz:
            outcomes, ids = _written_parts(r, quiz)
            out[r.submission] = written.settle(quiz, r.student, outcomes, ids, scores)
            out[r.submission].ids = ids
    return out


def _written_parts(row: Row, quiz: Key) -> tuple[dict[str, str], dict[str, str]]:
    outcomes, ids = {}, {}
    for q in quiz["written"]:
        j = q["n"] - 1
        outcomes[q["id"]] = row.outcomes[j]
        ids[q["id"]] = written.answer_id(row.shown[j]) if row.outcomes[j] == scoring.MANUAL else ""
    return outcomes, ids


def _feedback_rows(rows: list[Row], infos: dict[str, Key],
                   settled: dict[str, written.Settled]) -> tuple[list[Key], list[Key]]:
    """What each feedback page shows, and what written.json keeps to re-render it after a merge."""
    todo, kept = [], []
    for r in rows:
        if r.status != GRADED:
            continue
        item = {"student": r.student, "name": r.name, "quiz": r.quiz,
                "score": wording.points(r.score), "notes": r.notes, "outcomes": r.outcomes,
                "credits": r.credits, "shown": r.shown, "reasons": r.reasons, "hints": r.hints,
                "feedback": r.feedback}
        quiz = infos.get(r.quiz)
        if quiz:
            done = settled[r.submission]
            kept.append({**item, "submission": r.submission, "auto": r.score,
                         "answer_ids": done.ids})
            item = {**item, **written.feedback_fields(r.score, quiz, done)}
        todo.append(item)
    return todo, kept


def written_store(infos: dict[str, Key], rows: list[Key], reveal: bool,
                  formats: Sequence[str] = DEFAULT_FEEDBACK) -> Iterator[str]:
    """written.json, in pieces: see the written module. It holds every written answer, so it
    is streamed to disk rather than built as one string (tens of megabytes at 10,000
    students); the misconception hints, the same few sentences over and over, are stored
    once each."""
    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    hints: dict[str, int] = {"": 0}
    yield (f'{{"format":{dumps(written.FORMAT)},"reveal":{dumps(reveal)},'
           f'"feedback":{dumps(list(formats))},"quizzes":{dumps(infos)},"submissions":[')
    for n, r in enumerate(rows):
        packed = {**r, "hints": [hints.setdefault(h, len(hints)) for h in r["hints"]]}
        yield ("," if n else "") + dumps(packed)
    yield f'],"hints":{dumps(list(hints))}}}\n'


def _finish_feedback(out: Path, pending: Iterator[str], formats: Sequence[str]) -> list[Path]:
    folder = out / "feedback"
    names = set(pending)
    suffixes = {f".{f}" for f in formats}
    for stale in folder.iterdir():  # a student no longer in this batch, or a format not asked for
        if stale.suffix in (".html", ".md") and (stale.stem not in names or stale.suffix not in suffixes):
            stale.unlink()
    return [folder / f"{n}.{formats[0]}" for n in sorted(names)]


def _table_row(row: Row, keys: dict[str, Key], infos: dict[str, Key],
               settled: written.Settled | None) -> dict[str, str]:
    key = keys.get(row.quiz)
    out = {
        "submission": row.submission,
        "student": row.student,
        "name": row.name,
        "quiz": row.quiz,
        "status": row.status,
        "score": "",
        "max_score": wording.points(key["max_score"]) if key else "",
    }
    if row.status == GRADED and key:
        out["score"] = wording.points(row.score)
        for q, credit in zip(key["questions"], row.credits, strict=True):
            out[q["id"]] = "" if q.get("manual") else wording.points(credit)
        if infos:
            out.update(written.columns(row.score, key["max_score"], key["manual_points"], settled))
        if settled:
            out.update(settled.cells)
    return out


def _csv(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _notes_csv(rows: list[Row], keys: dict[str, Key],
               settled: dict[str, written.Settled] | None = None) -> str:
    """Why a question or a file scored as it did: the detail the gradebook has no room for."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "question", "note"])
    for row in rows:
        for note in row.notes:
            writer.writerow([row.submission, "", note])
        key = keys.get(row.quiz)
        if key and row.reasons:
            for q, reason in zip(key["questions"], row.reasons, strict=True):
                if reason:
                    writer.writerow([row.submission, q["id"], reason])
        for qid in (settled or {}).get(row.submission, written.Settled()).stale:
            writer.writerow([row.submission, qid, "written answer (or its rubric) changed since "
                             "it was scored: it awaits review again"])
    return buffer.getvalue()
