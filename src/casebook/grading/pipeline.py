"""Grading a batch of submissions: a pipeline of small static steps, like nbgrader's preprocessors.

find inputs → read each file (regular files only, size cap, JSON, cells) →
identify the student → find answers by metadata or name → score → feedback
page → gradebook, notes and written.json lines → item analysis sums. Nothing
a student wrote is ever executed (see submission.py).

Every input file ends up as exactly one gradebook row, graded or with the
reason it was not, and one bad file never stops the batch: anything a file
holds that the grader did not foresee gives it the status "could not be
graded" with the reason in notes.csv.

Streaming: files are graded in worker processes in fixed chunks of
:data:`CHUNK` (no per-file process start-up), a bounded number of chunks in
flight. Each worker writes the feedback pages of its chunk and returns the
finished gradebook, notes and written.json lines plus the chunk's item
analysis sums (:class:`analysis.Running`); this process appends the lines as
results arrive and adds up the sums, so its memory does not grow with the
class. Duplicates (one student, one quiz, several files) are found at the
end from a few bytes kept per file, and only their rows are written again.

Nothing lost, nothing mixed: a run holds the lock of its ``--out`` folder
(:func:`fileio.folder_lock`, taken by ``merge`` too), writes everything into
a staging folder inside it, and moves the outputs into place only once all
are complete; a run that is killed or runs out of disk leaves the previous
results as they were. Worker processes end with the process that started
them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import stat as stat_mod
import sys
import tempfile
import threading
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from casebook import edition, fileio, paths
from casebook.errors import CasebookError
from casebook.grading import analysis, pages, submission, written
from casebook.grading.submission import GRADED, Rejected
from casebook.quiz import bank as banks_mod
from casebook.quiz import scoring, wording
from casebook.quiz.bank import Bank

FIXED_COLUMNS = ["submission", "student", "name", "quiz", "status", "score", "max_score", "identity"]
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
# Files per chunk, the same however many workers: the item analysis sums are added up
# chunk by chunk, so a fixed chunk makes them bit-identical in any run of the same files.
CHUNK = 128
# Outputs a grading run makes (and replaces as a whole); others in --out are left alone
# (merge's written_scores.json, review's key to the anonymous codes).
OUTPUT_FILES = ("gradebook.csv", "notes.csv", written.STORE, "items.csv", "summary.json", analysis.PAGE)
OUTPUT_FOLDERS = ("feedback", "plots")
_STAGING = ".staging-"


@dataclass
class Row:
    """One input file's outcome, small enough to send back from a worker."""

    submission: str
    mtime: float = 0.0
    student: str = ""
    name: str = ""
    quiz: str = ""
    status: str = GRADED
    identity: str = ""  # where the id came from, and what the notebook claimed if it differs
    trusted: bool = False
    claimed: str = ""
    attempt: int = -1
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
    files: int
    columns: list[str]
    counts: dict[str, int]
    gradebook: Path
    notes: Path
    items: Path | None = None
    summary: Path | None = None
    plots: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, for tuning
    pending: int = 0  # written answers awaiting review
    pending_points: float = 0.0
    written: Path | None = None  # written.json, when a quiz has written questions
    mismatched: int = 0  # submissions whose identity cell names another student
    formats: tuple[str, ...] = DEFAULT_FEEDBACK

    @property
    def all_graded(self) -> bool:
        """Every file graded (at least one), apart from those of other quizzes skipped on
        purpose (--quiz)."""
        return self.files > 0 and set(self.counts) <= {GRADED, submission.OTHER_QUIZ}

    @property
    def rows(self) -> list[dict[str, str]]:
        """The gradebook as dicts, read back from gradebook.csv (kept out of memory while grading)."""
        import csv
        import io

        text = self.gradebook.read_text(encoding="utf-8")
        return [
            {k: fileio.from_spreadsheet(v) for k, v in r.items()}
            for r in csv.DictReader(io.StringIO(text, newline=""))
        ]

    @property
    def feedback(self) -> list[Path]:
        folder = self.out_dir / "feedback"
        suffix = f".{self.formats[0]}"
        return sorted(p for p in folder.iterdir() if p.suffix == suffix) if folder.is_dir() else []


# --- inputs -----------------------------------------------------------------------------------


def find_inputs(paths_in: Iterable[Path | str]) -> list[str]:
    """Every notebook under the given folders plus every file named, once, sorted.

    os.walk rather than Path.rglob: it prunes .ipynb_checkpoints before
    descending and costs a fraction per file, which shows at 10,000 files.
    Symbolic links to folders inside a tree are not followed; they are listed
    (and reported as not regular files) so nothing handed in goes unmentioned.
    One folder given (the usual case) needs no check for a file found twice, so
    only its list of paths is kept: at 100,000 files that check would cost more
    memory than the rest of the run.
    """
    given = list(paths_in)
    found: list[str] = []
    for item in given:
        path = Path(item)
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                keep = []
                for d in sorted(dirs):
                    if d == ".ipynb_checkpoints":
                        continue
                    full = os.path.join(folder, d)
                    if os.path.islink(full):
                        found.append(Path(full).as_posix())
                    else:
                        keep.append(d)
                dirs[:] = keep
                found.extend(
                    Path(os.path.join(folder, name)).as_posix() for name in files if name.endswith(".ipynb")
                )
        elif path.exists() or path.is_symlink():
            found.append(path.as_posix())
        else:
            raise CasebookError(f"{fileio.printable(str(path))}: no such file or folder")
    if len(given) > 1:  # the same file reached twice (a folder and a file in it): once
        once: dict[str, str] = {}
        for shown in found:
            once.setdefault(os.path.abspath(shown), shown)
        found = list(once.values())
    found.sort()
    return found


# --- one file -----------------------------------------------------------------------------------

_CONTEXT: dict[str, Any] = {}
_SCORED: dict[tuple[str, str, str], Scored] = {}  # per process: a class repeats the same few answers


def _init(context: dict[str, Any]) -> None:
    """Worker start: the keys and pre-rendered feedback parts arrive once, not per file."""
    _CONTEXT.clear()
    _CONTEXT.update(context)
    _SCORED.clear()  # a corrected key in the same session must not reuse old credits


def _init_worker(context: dict[str, Any]) -> None:
    _init(context)
    _end_with_parent(context["parent"])


def _end_with_parent(parent: int) -> None:
    """A worker whose parent is gone (killed) ends too instead of waiting on a dead pipe.

    On Linux the kernel sends SIGTERM when the parent ends (prctl PR_SET_PDEATHSIG);
    a parent that died before that was set is caught by the pid check.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):  # no libc to call: the pid check still holds
            pass
    if os.getppid() != parent:
        os._exit(1)


def _kind(mode: int) -> str:
    if stat_mod.S_ISLNK(mode):
        return "a symbolic link: not followed"
    if stat_mod.S_ISDIR(mode):
        return "a folder"
    if stat_mod.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat_mod.S_ISCHR(mode) or stat_mod.S_ISBLK(mode):
        return "a device"
    if stat_mod.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _read(path: str, row: Row) -> bytes:
    """The bytes of a regular file, never following a link or blocking on a pipe or device."""
    info = os.lstat(path)
    if not stat_mod.S_ISREG(info.st_mode):
        row.notes.append(f"{_kind(info.st_mode)}; only regular files are read")
        raise Rejected(submission.NOT_REGULAR)
    row.mtime = info.st_mtime
    if info.st_size > submission.MAX_BYTES:
        raise Rejected(submission.TOO_LARGE)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        opened = os.fstat(fd)
        if not stat_mod.S_ISREG(opened.st_mode):  # replaced between lstat and open
            row.notes.append(f"{_kind(opened.st_mode)}; only regular files are read")
            raise Rejected(submission.NOT_REGULAR)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(submission.MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > submission.MAX_BYTES:
        raise Rejected(submission.TOO_LARGE)
    return data


def grade_file(path: str, keys: dict[str, Key], default_quiz: str | None, only: str | None = None) -> Row:
    """Read, identify and score one file; never raises for anything the file contains.

    With ``only`` (``grade --quiz``), a notebook of another quiz is skipped, not scored.
    """
    row = Row(submission=fileio.shown_path(path))
    try:
        parsed = submission.load(_read(path, row))
        if parsed.format_problem:
            row.notes.append(parsed.format_problem)
            raise Rejected(submission.NEWER_FORMAT)
        who = submission.identity(parsed, row.submission)
        row.student, row.name, row.attempt = who.student, who.name, who.attempt
        row.trusted = who.source in submission.TRUSTED
        row.identity = who.source
        if who.claimed:
            row.claimed = who.claimed
            row.identity = f"{who.source}; the notebook says {who.claimed}"
            row.notes.append(
                f"the identity cell says student_id {who.claimed!r}, but the file "
                f"came from {who.student!r} ({who.source}): graded as "
                f"{who.student!r}"
            )
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
        if not who.student:
            # The whole path, not just the file name: two anonymous quiz.ipynb in different
            # folders must not be taken for one student handing in twice.
            row.student = os.path.splitext(row.submission)[0]
            row.identity = submission.FROM_PATH
            row.notes.append("no student id in the notebook; its path stands in")
        _score(row, key, answers)
    except Rejected as exc:
        row.status = str(exc)
    except OSError as exc:
        row.status = f"{submission.UNREADABLE_FILE} ({exc.strerror or type(exc).__name__})"
    except (RecursionError, MemoryError):
        row.status = submission.UNREADABLE
    except Exception as exc:  # noqa: BLE001 (one file must never stop a class)
        _cannot_grade(row, exc)
    return row


def _cannot_grade(row: Row, exc: BaseException) -> None:
    row.status = submission.NOT_GRADABLE
    for name in ("credits", "outcomes", "shown", "reasons", "hints", "choices"):
        getattr(row, name).clear()
    row.notes.append(f"could not be graded: {type(exc).__name__}: {submission.clean_text(str(exc))[:200]}")


def _score(row: Row, key: Key, answers: dict[str, submission.Answer]) -> None:
    for q in key["questions"]:
        answer = answers[q["id"]]
        result: Scored | None
        if not answer.found:
            result = (0.0, scoring.MISSING, "no answer cell for this question", "(none)", "", ["(missing)"])
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


def feedback_name(student: str, quiz: str) -> str:
    """The file name (without suffix) of a student's feedback page, from the id alone.

    An id that is a safe lower-case file name is used as it stands (``s00001-quiz``);
    any other gets a short hash of the id, so ``a b`` and ``a_b``, or ``Erin`` and
    ``erin`` on a case-insensitive disk, never share a page.
    """
    base = fileio.safe_name(student)
    if base != student or base != base.lower():
        digest = hashlib.sha256(student.encode("utf-8", "backslashreplace")).hexdigest()[:8]
        base = f"{base[:60]}-{digest}"
    return f"{base}-{fileio.safe_name(quiz)}"


# --- what a worker sends back -------------------------------------------------------------------


@dataclass
class Out:
    """One file's finished output lines: only text and a few numbers cross the process boundary."""

    status: str
    key: int  # hash of (student, quiz) of a graded file, 0 otherwise
    trusted: bool
    attempt: int
    mtime: float
    gradebook: str  # one CSV record
    notes: str  # CSV records
    store: str  # written.json entry, without its closing hints (see _store_text)
    hints: list[str]
    pending: int
    pending_points: float
    mismatched: bool


def _dedup_key(student: str, quiz: str) -> int:
    digest = hashlib.blake2b(
        f"{student}\x00{quiz}".encode("utf-8", "backslashreplace"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True) or 1


def _finish(row: Row, write_pages: bool = True) -> tuple[Out, written.Settled | None]:
    """Feedback page, gradebook, notes and written.json lines of a graded (or not) row."""
    ctx = _CONTEXT
    keys, infos = ctx["keys"], ctx["infos"]
    settled = None
    store, hints = "", list[str]()
    if row.status == GRADED:
        try:
            row.feedback = feedback_name(row.student, row.quiz)
            settled, store, hints = _page(row, infos.get(row.quiz), write_pages)
        except OSError:
            raise  # the disk, not the file: stop the run (one line, previous results kept)
        except Exception as exc:  # noqa: BLE001 (one file must never stop a class)
            _cannot_grade(row, exc)
            settled, store, hints = None, "", []
    table = _table_row(row, keys, infos, settled)
    line = fileio.csv_text([[table.get(c, "") for c in ctx["columns"]]])
    notes = fileio.csv_text(_note_rows(row, keys, settled))
    graded = row.status == GRADED
    return Out(
        row.status,
        _dedup_key(row.student, row.quiz) if graded else 0,
        row.trusted,
        row.attempt,
        row.mtime,
        line,
        notes,
        store,
        hints,
        settled.pending if settled else 0,
        settled.pending_points if settled else 0.0,
        bool(row.claimed),
    ), settled


def _page(row: Row, quiz: Key | None, write_pages: bool) -> tuple[written.Settled | None, str, list[str]]:
    ctx = _CONTEXT
    item = {
        "student": row.student,
        "name": row.name,
        "quiz": row.quiz,
        "score": wording.points(row.score),
        "notes": row.notes,
        "outcomes": row.outcomes,
        "credits": row.credits,
        "shown": row.shown,
        "reasons": row.reasons,
        "feedback": row.feedback,
    }
    settled, store = None, ""
    if quiz:
        outcomes, ids = _written_parts(row, quiz)
        settled = written.settle(quiz, row.student, outcomes, ids, ctx["scores"])
        settled.ids = ids
        store = _store_text({**item, "submission": row.submission, "auto": row.score, "answer_ids": ids})
        item = {**item, **written.feedback_fields(row.score, quiz, settled)}
    if write_pages:
        page = {**item, "hints": row.hints}
        prepared = ctx["prepared"][row.quiz]
        base = os.path.join(ctx["out_dir"], "feedback", row.feedback)
        if "html" in ctx["formats"]:
            fileio.write_if_changed(base + ".html", pages.feedback_html(page, prepared, ctx["reveal"]))
        if "md" in ctx["formats"]:
            fileio.write_if_changed(base + ".md", pages.feedback_md(page, prepared, ctx["reveal"]))
    return settled, store, list(row.hints) if quiz else []


def _store_text(entry: dict[str, Any]) -> str:
    """The entry as JSON without its closing ``}``: the hint numbers are added by the main
    process, which alone knows the table of hints (the same few sentences, stored once)."""
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))[:-1]


def _grade_chunk(chunk: list[str]) -> tuple[list[Out], dict[str, analysis.Running]]:
    outs = []
    graded: dict[str, tuple[list[list[float]], list[list[list[str]]]]] = {}
    for path in chunk:
        row = grade_file(path, _CONTEXT["keys"], _CONTEXT["default_quiz"], _CONTEXT["only"])
        out, _ = _finish(row)
        if row.status == GRADED:
            credits, choices = graded.setdefault(row.quiz, ([], []))
            credits.append(row.credits)
            choices.append(row.choices)
        outs.append(out)
    sums = {}
    for quiz_id, (credits, choices) in graded.items():
        sums[quiz_id] = analysis.Running(_CONTEXT["keys"][quiz_id])
        sums[quiz_id].add_many(credits, choices)
    return outs, sums


# --- the batch --------------------------------------------------------------------------------


def _pool(jobs: int, context: dict[str, Any]) -> ProcessPoolExecutor:
    # fork is the fastest start, but forking a process that runs threads (a Jupyter
    # kernel) can deadlock, so such callers get spawn.
    method = "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(context,),
    )


def _progress(total: int, label: str) -> Any:
    if total and sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, desc=label, unit="file", leave=False)
    return None


def _run(
    fn: Callable[[list[T]], R], items: Sequence[T], jobs: int, pool: ProcessPoolExecutor | None, label: str
) -> Iterator[R]:
    """fn over fixed chunks of items, in order; at most a few chunks per worker in flight,
    so neither the inputs nor the results pile up in this process."""
    chunks = (list(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK))
    bar = _progress(len(items), label)
    try:
        if pool is None:
            for chunk in chunks:
                result = fn(chunk)
                if bar:
                    bar.update(len(chunk))
                yield result
            return
        window: deque[tuple[Future[R], int]] = deque()
        for chunk in chunks:
            window.append((pool.submit(fn, chunk), len(chunk)))
            if len(window) >= jobs * 3:
                future, size = window.popleft()
                yield future.result()
                if bar:
                    bar.update(size)
        while window:
            future, size = window.popleft()
            yield future.result()
            if bar:
                bar.update(size)
    finally:
        if bar:
            bar.close()


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


def grade_paths(
    paths_in: Sequence[Path | str],
    out_dir: Path | str,
    *,
    banks: Sequence[Bank | Path | str] | None = None,
    quiz: str | None = None,
    reveal: bool = True,
    jobs: int | None = None,
    analyse: bool = True,
    plots: bool = True,
    root: Path | None = None,
    feedback: Sequence[str] = DEFAULT_FEEDBACK,
) -> Result:
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
    out = fileio.out_folder(out_dir)
    with fileio.folder_lock(out, "grade"):
        if not inputs and (out / "gradebook.csv").exists():
            given = ", ".join(fileio.printable(str(p)) for p in paths_in)
            raise CasebookError(
                f"no notebooks in {given}; {out} holds the results of an earlier "
                "run, left as they are (check the path, or grade into another "
                "--out)"
            )
        for leftover in out.glob(f"{_STAGING}*"):  # of a run that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        try:
            stage = Path(tempfile.mkdtemp(prefix=_STAGING, dir=out))
        except OSError as exc:
            raise CasebookError(f"{out}: cannot write here ({exc.strerror or exc})") from None
        try:
            result = _grade_into(
                stage,
                out,
                inputs,
                loaded,
                keys,
                default_quiz,
                quiz,
                reveal,
                jobs,
                analyse,
                plots,
                root,
                formats,
                started,
            )
        except OSError as exc:
            where = exc.filename or out
            raise CasebookError(
                f"{fileio.printable(str(where))}: {exc.strerror or exc}; nothing was changed in {out}"
            ) from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    return result


def _grade_into(
    stage: Path,
    out: Path,
    inputs: list[str],
    loaded: list[Bank],
    keys: dict[str, Key],
    default_quiz: str | None,
    only: str | None,
    reveal: bool,
    jobs: int | None,
    analyse: bool,
    plots: bool,
    root: Path | None,
    formats: tuple[str, ...],
    started: float,
) -> Result:
    timings = {"setup": time.perf_counter() - started}
    scores = written.load_scores(out)  # hand scores merged earlier; a damaged file stops here
    paras = edition.by_id(root or paths.project_root())
    prepared = {b.quiz: pages.prepare(b, paras) for b in loaded}
    infos = {b.quiz: info for b in loaded if (info := written.quiz_info(b, prepared[b.quiz]))}
    columns = (
        FIXED_COLUMNS
        + (written.COLUMNS if infos else [])
        + [q["id"] for k in keys.values() for q in k["questions"]]
    )
    context: dict[str, Any] = {
        "keys": keys,
        "default_quiz": default_quiz,
        "only": only,
        "prepared": prepared,
        "infos": infos,
        "scores": scores,
        "columns": columns,
        "reveal": reveal,
        "formats": formats,
        "out_dir": str(stage),
        "parent": os.getpid(),
    }
    (stage / "feedback").mkdir()
    jobs = max(1, jobs or os.cpu_count() or 1)
    pool = _pool(jobs, context) if jobs > 1 and len(inputs) >= IN_PROCESS_BELOW else None
    _init(context)
    counts: Counter[str] = Counter()
    running: dict[str, analysis.Running] = {}
    hashes, trusted, attempts, mtimes = array("q"), array("b"), array("q"), array("d")
    hint_ids: dict[str, int] = {"": 0}
    pending, pending_points, mismatched = 0, 0.0, 0
    fix: dict[str, float]
    mark = time.perf_counter()
    book_path, notes_path, spool_path = stage / "gradebook.csv", stage / "notes.csv", stage / "store"
    try:
        with (
            open(book_path, "w", encoding="utf-8", newline="") as book,
            open(notes_path, "w", encoding="utf-8", newline="") as notes,
            open(spool_path, "w", encoding="utf-8", newline="") as spool,
        ):
            book.write(fileio.csv_text([columns]))
            notes.write(fileio.csv_text([["submission", "question", "note"]]))
            index = 0
            for outs, sums in _run(_grade_chunk, inputs, jobs, pool, "grading"):
                for o in outs:
                    counts[o.status] += 1
                    book.write(o.gradebook)
                    notes.write(o.notes)
                    if o.store:
                        packed = ",".join(str(hint_ids.setdefault(h, len(hint_ids))) for h in o.hints)
                        spool.write(f'{index}\t{o.store},"hints":[{packed}]}}\n')
                    hashes.append(o.key)
                    trusted.append(o.trusted)
                    attempts.append(o.attempt)
                    mtimes.append(o.mtime)
                    pending += o.pending
                    pending_points += o.pending_points
                    mismatched += o.mismatched
                    index += 1
                for quiz_id, chunk_sums in sums.items():
                    if quiz_id in running:
                        running[quiz_id].merge(chunk_sums)
                    else:
                        running[quiz_id] = chunk_sums
        timings["read, score and feedback"] = time.perf_counter() - mark
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    mark = time.perf_counter()
    dup = _duplicates(inputs, hashes, trusted, attempts, mtimes)
    if dup:
        fix = _settle_duplicates(dup, inputs, stage, counts, running, hint_ids)
        pending -= int(fix["pending"])
        pending_points -= fix["pending_points"]
    timings["duplicates"] = time.perf_counter() - mark
    counts_sorted = dict(sorted(counts.items()))
    result = Result(
        out, len(inputs), columns, counts_sorted, out / "gradebook.csv", out / "notes.csv", formats=formats
    )
    result.pending, result.pending_points, result.mismatched = pending, pending_points, mismatched
    produced = ["gradebook.csv", "notes.csv", "feedback"]
    if infos:
        mark = time.perf_counter()
        header = (
            f'{{"format":{_dumps(written.FORMAT)},"reveal":{_dumps(reveal)},'
            f'"feedback":{_dumps(list(formats))},"quizzes":{_dumps(infos)},"submissions":['
        )
        with (
            open(spool_path, encoding="utf-8", newline="") as src,
            open(stage / written.STORE, "w", encoding="utf-8", newline="") as dst,
        ):
            dst.write(header)
            first = True
            for line in src:
                number, text = line.rstrip("\n").split("\t", 1)
                if int(number) in dup.get("dropped", ()):
                    continue
                text = dup.get("store", {}).get(int(number), text)
                dst.write(text if first else "," + text)
                first = False
            dst.write(f'],"hints":{_dumps(list(hint_ids))}}}\n')
        result.written = out / written.STORE
        produced.append(written.STORE)
        timings["written answers"] = time.perf_counter() - mark
    spool_path.unlink()
    if analyse:
        mark = time.perf_counter()
        items, summary, drawn = analysis.analyse(stage, running, counts_sorted, plots=plots)
        result.items, result.summary = out / items.name, out / summary.name
        result.plots = [out / "plots" / p.name for p in drawn]
        produced += ["items.csv", "summary.json", analysis.PAGE] + (["plots"] if drawn else [])
        timings["item analysis"] = time.perf_counter() - mark
    _move_into_place(stage, out, produced)
    result.seconds = time.perf_counter() - started
    result.timings = timings
    return result


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _duplicates(
    inputs: list[str], hashes: array[int], trusted: array[int], attempts: array[int], mtimes: array[float]
) -> dict[str, Any]:
    """Files of one student and one quiz: which one counts, which are superseded.

    The rule: a file whose identity comes from where it was collected (folder or LMS
    file name) counts over one that only claims it in its identity cell; then the
    latest attempt (a Canvas download's attachment id); then the newest file (mtime);
    then the path. The others stay in the gradebook as "duplicate submission".
    Found from the 8-byte hashes kept per file, then checked on the files themselves.
    """
    import numpy as np

    h = np.frombuffer(hashes, dtype=np.int64) if len(hashes) else np.zeros(0, dtype=np.int64)
    values, counts = np.unique(h[h != 0], return_counts=True)
    candidates = np.nonzero(np.isin(h, values[counts > 1]))[0].tolist() if len(values) else []
    if not candidates:
        return {}
    rows = {}
    for i in candidates:  # grade again here: a handful of files, exact keys
        row = grade_file(inputs[i], _CONTEXT["keys"], _CONTEXT["default_quiz"], _CONTEXT["only"])
        if row.status == GRADED:
            rows[i] = row
    groups: dict[tuple[str, str], list[int]] = {}
    for i, row in rows.items():
        groups.setdefault((row.student, row.quiz), []).append(i)
    superseded: dict[int, int] = {}
    kept: dict[int, list[int]] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda i: (trusted[i], attempts[i], mtimes[i], rows[i].submission))
        keep = group[-1]
        kept[keep] = group[:-1]
        for other in group[:-1]:
            superseded[other] = keep
    return {"rows": rows, "superseded": superseded, "kept": kept} if superseded else {}


def _settle_duplicates(
    dup: dict[str, Any],
    inputs: list[str],
    stage: Path,
    counts: Counter[str],
    running: dict[str, analysis.Running],
    hint_ids: dict[str, int],
) -> dict[str, float]:
    """Mark superseded files, take them out of the sums and written.json, note both sides,
    and write the kept file's page again (a superseded one may have overwritten it)."""
    rows: dict[int, Row] = dup["rows"]
    fixed: dict[int, str] = {}
    extra_notes: list[list[str]] = []
    store: dict[int, str] = {}
    gone = {"pending": 0, "pending_points": 0.0}
    for other, keep in sorted(dup["superseded"].items()):
        row = rows[other]
        _, settled = _finish(row, write_pages=False)
        if settled:
            gone["pending"] += settled.pending
            gone["pending_points"] += settled.pending_points
        running[row.quiz].add(row.credits, row.choices, sign=-1)
        counts[GRADED] -= 1
        counts[submission.DUPLICATE] += 1
        row.status = submission.DUPLICATE
        note = f"superseded by {rows[keep].submission}"
        row.notes.append(note)
        extra_notes.append([row.submission, "", note])
        fixed[other] = fileio.csv_text(
            [
                [
                    _table_row(row, _CONTEXT["keys"], _CONTEXT["infos"], None).get(c, "")
                    for c in _CONTEXT["columns"]
                ]
            ]
        )
    for keep, others in sorted(dup["kept"].items()):
        row = rows[keep]
        names = ", ".join(rows[o].submission for o in others)
        note = f"newest of {len(others) + 1} submissions; older: {names}"
        row.notes.append(note)
        extra_notes.append([row.submission, "", note])
        out, _ = _finish(row)  # the page again, with the note
        if out.store:
            packed = ",".join(str(hint_ids.setdefault(h, len(hint_ids))) for h in out.hints)
            store[keep] = f'{out.store},"hints":[{packed}]}}'
    if not counts[GRADED]:
        del counts[GRADED]
    _rewrite_lines(stage / "gradebook.csv", fixed)
    with open(stage / "notes.csv", "a", encoding="utf-8", newline="") as notes:
        notes.write(fileio.csv_text(extra_notes))
    dup["dropped"] = set(dup["superseded"])
    dup["store"] = store
    return gone


def _rewrite_lines(path: Path, fixed: dict[int, str]) -> None:
    """Replace the records of some rows (0 = the first after the header) of a CSV we wrote."""
    import csv

    tmp = path.with_name(path.name + ".tmp")
    with open(path, encoding="utf-8", newline="") as src, open(tmp, "w", encoding="utf-8", newline="") as dst:
        reader = csv.reader(src)
        dst.write(fileio.csv_text([next(reader)]))
        for number, record in enumerate(reader):
            dst.write(fixed[number] if number in fixed else fileio.csv_text([record]))
    os.replace(tmp, path)


def _move_into_place(stage: Path, out: Path, produced: list[str]) -> None:
    """Swap the finished outputs in: folders first, the gradebook last. Outputs of an
    earlier run that this one did not make (a format or analysis not asked for) go."""
    trash = stage / ".old"
    trash.mkdir()
    order = (
        [n for n in OUTPUT_FOLDERS if n in produced]
        + [n for n in OUTPUT_FILES if n in produced and n != "gradebook.csv"]
        + ["gradebook.csv"]
    )
    for name in order:
        target = out / name
        if (stage / name).is_dir() and target.is_dir() and not target.is_symlink():
            os.rename(target, trash / name)
        os.replace(stage / name, target)
    for name in (*OUTPUT_FILES, *OUTPUT_FOLDERS):
        if name not in produced:
            target = out / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)


def _written_parts(row: Row, quiz: Key) -> tuple[dict[str, str], dict[str, str]]:
    outcomes, ids = {}, {}
    for q in quiz["written"]:
        j = q["n"] - 1
        outcomes[q["id"]] = row.outcomes[j]
        ids[q["id"]] = written.answer_id(row.shown[j]) if row.outcomes[j] == scoring.MANUAL else ""
    return outcomes, ids


def _table_row(
    row: Row, keys: dict[str, Key], infos: dict[str, Key], settled: written.Settled | None
) -> dict[str, str]:
    key = keys.get(row.quiz)
    out = {
        "submission": row.submission,
        "student": row.student,
        "name": row.name,
        "quiz": row.quiz,
        "status": row.status,
        "score": "",
        "max_score": wording.points(key["max_score"]) if key else "",
        "identity": row.identity,
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


def _note_rows(row: Row, keys: dict[str, Key], settled: written.Settled | None) -> list[list[str]]:
    """Why a question or a file scored as it did: the detail the gradebook has no room for."""
    out = [[row.submission, "", note] for note in row.notes]
    key = keys.get(row.quiz)
    if key and row.reasons:
        for q, reason in zip(key["questions"], row.reasons, strict=True):
            if reason:
                out.append([row.submission, q["id"], reason])
    for qid in settled.stale if settled else []:
        out.append(
            [
                row.submission,
                qid,
                "written answer (or its rubric) changed since it was scored: it awaits review again",
            ]
        )
    return out
