"""`make bench` (``python benchmarks/bench.py``): how fast grading and the book build are. Figures only.

1. A synthetic class, made once by the code behind `casebook demo` (demo.make_class)
   and cached in _build/bench/.class-<quiz>-<students>-s<seed>/ (remade when the bank changes).
   The working folders under _build/bench start with a dot: the book build globs the
   whole project for pages (sphinx-external-toc, only_build_toc_files) but skips hidden
   folders, so 10,000 notebooks and a gigabyte of feedback there would slow the very
   build this bench measures. Graded folders are deleted at the end unless --keep.
2. Grading it with ``grading.grade_paths`` (what `casebook grade` runs: read, score,
   gradebook, feedback files, item analysis and plots) for the first 1,000, 10,000 and
   all 100,000 students, each in a fresh process so that peak memory is that run's own.
   Memory is the peak resident set: of the grading process (VmHWM, reset just before
   grading starts), and the largest of its worker processes (``getrusage`` of the
   children; forked, so pages shared with the parent count in both). tracemalloc would
   only see Python objects of one process, not the workers, the interpreter or numpy, so
   RSS is the honest figure.
3. The floor, measured in the same run: reading one of the same notebooks as JSON
   and parsing its answer cells with ``ast``, per notebook, in one process. Each
   class size is reported against it, and against the aims of the README (peak main
   RSS at 100,000 within 1.25x of that at 10,000; 100,000 in at most 60 s; end to end
   at most 2x the floor per submission), each said to be met or not.
4. A sample of the same notebooks graded the way execute-based graders do it:
   each run in a fresh kernel with nbclient (as nbgrader and Otter do), and, in a
   separate virtual environment (_build/bench/nbgrader-venv), with nbgrader's own
   ``autograde`` on the sample converted to nbgrader's layout. Ratios are
   execute-time per notebook ÷ casebook time per submission in the full batch.
5. The book: a clean ``jupyter-book build`` into a fresh --path-output, then the
   same command again (the no-op rebuild).

Everything is printed as one table and saved to _build/bench/results.{txt,json}.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casebook import __version__, fileio, paths
from casebook.quiz import layout

DEFAULT_SIZES = (1000, 10_000)
DEFAULT_STUDENTS = 100_000
FLOOR_SAMPLE = 200
# The aims the README reports against (issue: grading at MOOC scale).
AIM_RSS_GROWTH = 1.25  # peak main RSS at the largest class over that at 10,000
AIM_SECONDS = 60.0  # the largest class (100,000), wall
AIM_FLOOR_RATIO = 2.0  # end-to-end time per submission over the floor
KERNEL_TIMEOUT = 120


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- the machine --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count() or 1,
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load": [round(x, 2) for x in os.getloadavg()],
    }


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (all processes), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (the grading runs)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


# --- the class ----------------------------------------------------------------------------------


def _bank_hash(bank_path: Path) -> str:
    from casebook.grading import demo

    data = bank_path.read_bytes() + Path(demo.__file__).read_bytes() + __version__.encode()
    return hashlib.sha256(data).hexdigest()[:16]


def ensure_class(out: Path, bank_path: Path, quiz: str, students: int, seed: int) -> Path:
    """The demo class, made once; a stamp says which bank, demo code and size it was made from."""
    from casebook.grading import demo
    from casebook.quiz import bank as bank_mod

    folder = out / f".class-{quiz}-{students}-s{seed}"
    stamp = folder / ".bench-class.json"
    want = {"bank": _bank_hash(bank_path), "students": students, "seed": seed}
    try:
        if json.loads(stamp.read_text()) == want:
            return folder
    except (OSError, ValueError):
        pass
    shutil.rmtree(folder, ignore_errors=True)
    _say(f"making a demo class of {students} students for {quiz} in {folder} (once; cached)...")
    start = time.perf_counter()
    root = paths.project_root()
    banks = bank_mod.load_all(bank_mod.discover(root, [bank_path]), root)
    demo.make_class(folder, students=students, seed=seed, banks=bank_mod.select(banks, quiz))
    stamp.write_text(json.dumps(want))
    _say(f"  made in {time.perf_counter() - start:.1f} s")
    return folder


# --- grading ------------------------------------------------------------------------------------


def _grade_child(argv: list[str]) -> int:
    """In a fresh process: grade the first N students' folders; print one JSON line of figures."""
    spec = json.loads(argv[0])
    started = time.perf_counter()
    from casebook import grading

    folder = Path(spec["submissions"])
    names = sorted(e.name for e in os.scandir(folder) if e.is_dir())
    given = [folder] if spec["n"] >= len(names) else [folder / n for n in names[: spec["n"]]]
    del names
    _reset_peak_rss()  # the listing above, and memory inherited through exec, are not grading's
    before = _own_seconds()
    result = grading.grade_paths(
        given, Path(spec["out"]), banks=[Path(spec["bank"])], quiz=spec["quiz"], jobs=spec["jobs"]
    )
    figures = {
        # CPU seconds of the grading process and its workers: what the run cost, which other
        # programs on the machine change far less than the wall time
        "cpu_seconds": _own_seconds() - before,
        "files": result.files,
        "graded": result.counts.get("graded", 0),
        "seconds": result.seconds,
        "seconds_in_process": time.perf_counter() - started,
        "timings": result.timings,
        "rss_main_mb": _peak_rss_mb(),
        "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "gradebook": str(result.gradebook),
    }
    print(json.dumps(figures))
    return 0


def _reset_peak_rss() -> None:
    """Start this process's peak RSS afresh (Linux: writing 5 to /proc/self/clear_refs).

    getrusage's ru_maxrss is no good here: Linux carries it over exec, so a child started
    by a large parent (this bench, after making a class) reports the parent's peak.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_rss_mb() -> float:
    """Peak resident set of this process since the last reset (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def grade(submissions: Path, out: Path, bank_path: Path, quiz: str, n: int, jobs: int | None) -> dict:
    """Grade the first n students in a fresh process into an emptied folder (no file to skip)."""
    shutil.rmtree(out, ignore_errors=True)
    os.sync()  # the last run's gigabyte of feedback is flushed and freed before the clock starts
    spec = {
        "submissions": str(submissions),
        "out": str(out),
        "bank": str(bank_path),
        "quiz": quiz,
        "n": n,
        "jobs": jobs,
    }
    busy, own, start = _busy_seconds(), _own_seconds(), time.perf_counter()
    run = subprocess.run(
        [sys.executable, __file__, "--grade-child", json.dumps(spec)],
        capture_output=True,
        text=True,
        cwd=paths.project_root(),
    )
    wall = time.perf_counter() - start
    after = _busy_seconds()
    # Cores kept busy by other programs meanwhile: the figures are only as good as this is small.
    others = (
        max(0.0, (after - busy) - (_own_seconds() - own)) / wall
        if busy is not None and after is not None
        else None
    )
    if run.returncode != 0:
        raise RuntimeError(f"grading {n} failed:\n{run.stderr[-3000:]}")
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    figures["seconds_command"] = wall  # with interpreter start and imports, as `casebook grade`
    figures["other_cores"] = others
    figures["per_second"] = figures["files"] / figures["seconds"]
    return figures


# --- the floor and execute-based grading ----------------------------------------------------------


def sample_notebooks(gradebook: Path, size: int) -> list[Path]:
    """Every k-th graded submission of the batch, so the sample spreads over abilities."""
    import csv

    with open(gradebook, encoding="utf-8", newline="") as handle:
        graded = [
            fileio.from_spreadsheet(row["submission"])
            for row in csv.DictReader(handle)
            if row["status"] == "graded"
        ]
    if not graded or size < 1:
        return []
    step = max(1, len(graded) // size)
    root = paths.project_root()
    return [Path(p) if Path(p).is_absolute() else root / p for p in graded[::step][:size]]


def floor_seconds(notebooks: list[Path], rounds: int = 20) -> float:
    """Per notebook: read the file, json.loads, ast.parse + literal_eval of each code answer cell."""

    def once(path: Path) -> int:
        nb = json.loads(path.read_bytes())
        found = 0
        for cell in nb.get("cells", []):  # an nbformat 3 file (a damaged demo file): no answers
            if layout.role(cell) == layout.ANSWER and cell.get("cell_type") == "code":
                source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                for node in ast.parse(source).body:
                    if isinstance(node, ast.Assign):
                        try:
                            ast.literal_eval(node.value)
                        except ValueError:  # a computed answer: the grader reads it as invalid
                            pass
                        found += 1
        return found

    for path in notebooks:
        once(path)  # warm the page cache and the interpreter
    start = time.perf_counter()
    for _ in range(rounds):
        for path in notebooks:
            once(path)
    return (time.perf_counter() - start) / (rounds * len(notebooks))


def execute_nbclient(notebooks: list[Path], workdir: Path) -> float:
    """Seconds per notebook to run each in a fresh kernel, as execute-based graders do."""
    import nbformat
    from nbclient import NotebookClient

    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    start = time.perf_counter()
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            timeout=KERNEL_TIMEOUT,
            kernel_name="python3",
            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no TCP warning per kernel
            resources={"metadata": {"path": str(workdir)}},
        ).execute()
    return (time.perf_counter() - start) / len(notebooks)


# --- nbgrader -----------------------------------------------------------------------------------


def nbgrader_env(venv: Path) -> tuple[Path | None, str]:
    """The bench-only environment with nbgrader, made once; (nbgrader executable, why not)."""
    exe = venv / "bin" / "nbgrader"
    ready = venv / ".bench-ready"
    if ready.is_file() and exe.is_file():
        return exe, ready.read_text().strip()
    _say(f"making the bench-only environment {venv} (pip install nbgrader ipykernel; once)...")
    shutil.rmtree(venv, ignore_errors=True)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "nbgrader",
            "ipykernel",
        ],
    ]
    for step in steps:
        try:
            run = subprocess.run(step, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"could not make it ({exc})"
        if run.returncode != 0:
            last = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"could not make it ({last[0][:200]})"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    label = next((ln.strip() for ln in version.stdout.splitlines() if "nbgrader" in ln), "nbgrader")
    ready.write_text(label + "\n")
    return exe, label


# nbgrader autograder test cells, per question type (nbgrader grades a cell all or nothing);
# written answers are Markdown cells nbgrader leaves to manual grading, so they have none.
TEST_SOURCE: dict[str, Callable[[Any, str], str] | None] = {
    "single": lambda key, var: f"assert str({var}).strip().strip('()').lower() == {key!r}",
    "multiple": lambda key, var: f"assert sorted(set({var})) == {sorted(key)!r}",
    "true_false": lambda key, var: f"assert {var} is {key!r}",
    "numeric": lambda key, var: f"assert abs(float({var}) - {key.value!r}) <= {key.tolerance!r}",
    "ordering": lambda key, var: f"assert list({var}) == {list(key)!r}",
    "matching": lambda key, var: f"assert dict({var}) == {dict(key)!r}",
    "short_text": lambda key, var: (
        f"assert str({var}).strip(' 。.“”\"').lower() in "
        f"{sorted({form.strip().lower() for form in key.accept})!r}"
    ),
    "written": None,
}


def test_source(q: Any, var: str) -> str:
    """An autograder test cell for one auto-graded question."""
    make = TEST_SOURCE[q.type]
    if make is None:
        raise ValueError(f"{q.id}: {q.type} questions have no autograder test")
    return make(q.key_answer(), var)


def nbgrader_source(bank_obj) -> dict:
    """The quiz as an nbgrader source notebook: solution cells, and a test cell per question."""
    import nbformat
    from nbformat import v4

    from casebook.quiz import wording
    from casebook.quiz.layout import variable

    cells = [v4.new_markdown_cell(f"# {bank_obj.title}")]
    for index, q in enumerate(bank_obj.questions):
        var = variable(index)
        cells.append(v4.new_markdown_cell(q.prompt))
        if q.manual:  # a Markdown answer cell scored by hand, as in casebook's notebooks
            cells.append(
                v4.new_markdown_cell(
                    "(your answer)",
                    metadata={
                        "nbgrader": {
                            "grade": True,
                            "solution": True,
                            "locked": False,
                            "points": q.points,
                            "grade_id": f"{var}-answer",
                            "schema_version": 3,
                        }
                    },
                )
            )
            continue
        cells.append(
            v4.new_code_cell(
                f"### BEGIN SOLUTION\n{var} = {wording.answer_literal(q)}\n### END SOLUTION",
                metadata={
                    "nbgrader": {
                        "grade": False,
                        "solution": True,
                        "locked": False,
                        "grade_id": f"{var}-answer",
                        "schema_version": 3,
                    }
                },
            )
        )
        cells.append(
            v4.new_code_cell(
                test_source(q, var),
                metadata={
                    "nbgrader": {
                        "grade": True,
                        "solution": False,
                        "locked": True,
                        "points": q.points,
                        "grade_id": f"{var}-test",
                        "schema_version": 3,
                    }
                },
            )
        )
    nb = v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    return nb


def run_nbgrader(exe: Path, course: Path, bank_obj, notebooks: list[Path]) -> dict:
    """generate_assignment from the source, hand in the sample's answers, time autograde."""
    import nbformat

    from casebook.quiz.layout import variable

    shutil.rmtree(course, ignore_errors=True)
    name = bank_obj.quiz.replace("-", "_")
    source = course / "source" / name / f"{name}.ipynb"
    source.parent.mkdir(parents=True)
    nbformat.write(nbgrader_source(bank_obj), source)
    env = {**os.environ, "PATH": f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("VIRTUAL_ENV", None)
    made = subprocess.run(
        [str(exe), "generate_assignment", name, "--force", f"--course-dir={course}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=course,
    )
    if made.returncode != 0:
        return {"error": "generate_assignment failed: " + made.stderr.strip()[-300:]}
    release = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    question_of = {variable(i): q.id for i, q in enumerate(bank_obj.questions)}
    for path in notebooks:
        student = json.loads(path.read_bytes())
        answers = {}
        for cell in student["cells"]:
            meta = layout.cell_meta(cell)
            if meta.get("role") == layout.ANSWER:
                text = cell["source"]
                answers[meta.get("question")] = text if isinstance(text, str) else "".join(text)
        sid = path.parent.name
        nb = nbformat.from_dict(json.loads(json.dumps(release)))
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if grade_id.endswith("-answer"):
                qid = question_of[grade_id[: -len("-answer")]]
                cell.source = answers.get(qid, cell.source)
        target = course / "submitted" / sid / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
        (target.parent / "timestamp.txt").write_text("2026-01-05 10:00:00.000000 UTC\n")
    start = time.perf_counter()
    graded = subprocess.run(
        [str(exe), "autograde", name, "--force", f"--course-dir={course}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=course,
    )
    seconds = time.perf_counter() - start
    if graded.returncode != 0:
        return {"error": "autograde failed: " + graded.stderr.strip()[-300:]}
    done = len(list((course / "autograded").glob(f"*/{name}/{name}.ipynb")))
    return {"seconds": seconds, "notebooks": done, "per_notebook": seconds / max(1, done)}


# --- the book -----------------------------------------------------------------------------------


def build_book(target: Path) -> dict:
    """A clean build into a fresh --path-output, then the same command again (no-op)."""
    root = paths.project_root()
    jb = Path(sys.executable).with_name("jupyter-book")
    shutil.rmtree(target, ignore_errors=True)
    command = [str(jb), "build", str(root), "--path-output", str(target), "-W", "-n", "--keep-going"]
    out: dict[str, Any] = {}
    for label in ("clean", "noop"):
        start = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True, cwd=root)
        out[label] = time.perf_counter() - start
        if run.returncode != 0:
            out[f"{label}_error"] = f"exit {run.returncode}: " + (run.stderr or run.stdout).strip()[-300:]
    return out


# --- the report ---------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _cores(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def table(fig: dict) -> str:
    m = fig["machine"]
    lines = [
        f"casebook bench ({fig['date']}), casebook {__version__}",
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, "
        f"{m['system']}; load average at start {m['load'][0]}",
        f"class: demo class of {fig['students']} students, quiz {fig['quiz']} "
        f"({fig['questions']} questions), jobs {fig['jobs']}",
        "",
        "grading (grade_paths: read, score, gradebook, feedback pages (HTML), item analysis, plots)",
        f"  {'files':>7} {'graded':>7} {'wall s':>7} {'files/s':>8} {'command s':>9} "
        f"{'main RSS MB':>11} {'worker RSS MB':>13} {'others':>6} {'CPU s':>7}",
    ]
    for g in fig["grading"]:
        lines.append(
            f"  {g['files']:>7,} {g['graded']:>7,} {g['seconds']:>7.2f} {g['per_second']:>8,.0f} "
            f"{g['seconds_command']:>9.2f} {g['rss_main_mb']:>11.0f} {g['rss_worker_mb']:>13.0f} "
            f"{_cores(g.get('other_cores')):>6} {g.get('cpu_seconds', 0.0):>7.1f}"
        )
    lines.append("  others: cores kept busy by other programs during the run (0 = the figures are clean);")
    lines.append("  CPU s: CPU time of the grading process and its workers (changes little with others)")
    floor = fig.get("floor")
    if floor:
        lines.append(
            f"  floor (read JSON + ast-parse the answer cells, one process, {fig['floor_sample']} "
            f"notebooks): {_ms(floor)} per notebook"
        )
        for g in fig["grading"]:
            per = g["seconds"] / g["files"]
            cpu = g.get("cpu_seconds", 0.0) / g["files"]
            lines.append(
                f"  {g['files']:>7,} files: {_ms(per)} per submission, {per / floor:.2f}x the "
                f"floor; CPU {_ms(cpu)} per submission, {cpu / floor:.2f}x the floor"
            )
    lines += [f"  aim: {line}" for line in aims(fig)]
    full = fig["grading"][-1]
    walls = full.get("walls", [])
    if len(walls) > 1:
        lines.append(
            f"  {full['files']:,} files: median of {len(walls)} runs shown; walls "
            + ", ".join(f"{w:.2f}" for w in walls)
            + " s"
        )
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in full["timings"].items())
    lines.append(f"  steps of the largest run: {steps}")
    per_sub = full["seconds"] / full["files"]
    lines.append(f"  per submission, end to end: {_ms(per_sub)}")
    ex = fig.get("execute", {})
    if ex:
        lines += ["", f"the same notebooks, a sample of {ex.get('sample', 0)}"]
        if "nbclient" in ex:
            lines.append(
                f"  nbclient, a fresh kernel per notebook: {_ms(ex['nbclient'])} per notebook; "
                f"casebook is {ex['nbclient'] / per_sub:,.0f}x faster"
            )
        elif "nbclient_error" in ex:
            lines.append(f"  nbclient: not run ({ex['nbclient_error']})")
        nbg = ex.get("nbgrader", {})
        if "per_notebook" in nbg:
            lines.append(
                f"  nbgrader autograde ({nbg['version']}): {nbg['seconds']:.1f} s for "
                f"{nbg['notebooks']}, {_ms(nbg['per_notebook'])} per notebook; casebook is "
                f"{nbg['per_notebook'] / per_sub:,.0f}x faster"
            )
        elif nbg:
            lines.append(f"  nbgrader autograde: not run ({nbg.get('error', 'skipped')})")
    book = fig.get("book")
    if book:
        lines += ["", "book (jupyter-book build -W -n --keep-going into a fresh --path-output)"]
        for label, name in (("clean", "clean build"), ("noop", "no-op rebuild")):
            error = f" FAILED ({book[label + '_error']})" if book.get(label + "_error") else ""
            lines.append(f"  {name}: {book[label]:.1f} s{error}")
    return "\n".join(lines)


def aims(fig: dict) -> list[str]:
    """Each aim with the figure it is judged on, and whether it is met (plainly, when not)."""
    runs = {g["files_asked"]: g for g in fig["grading"] if "files_asked" in g}
    out = []
    largest = fig["grading"][-1]
    ten = runs.get(10_000)
    if ten and largest is not ten:
        ratio = largest["rss_main_mb"] / ten["rss_main_mb"]
        out.append(
            f"peak main RSS at {largest['files']:,} files {largest['rss_main_mb']:.0f} MB = "
            f"{ratio:.2f}x that at {ten['files']:,} ({ten['rss_main_mb']:.0f} MB); aim at most "
            f"{AIM_RSS_GROWTH}x: {'met' if ratio <= AIM_RSS_GROWTH else 'NOT met'}"
        )
    if largest.get("files_asked") == DEFAULT_STUDENTS:
        wall = largest["seconds"]
        out.append(
            f"{largest['files']:,} files in {wall:.1f} s on {fig['jobs']} worker(s); aim at most "
            f"{AIM_SECONDS:.0f} s: {'met' if wall <= AIM_SECONDS else 'NOT met'}"
        )
    floor = fig.get("floor")
    if floor:
        ratio = largest["seconds"] / largest["files"] / floor
        out.append(
            f"end to end {ratio:.2f}x the floor per submission at {largest['files']:,} files; "
            f"aim at most {AIM_FLOOR_RATIO}x: {'met' if ratio <= AIM_FLOOR_RATIO else 'NOT met'}"
        )
    return out


# --- main ---------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        return sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="benchmarks/bench.py", description=__doc__.split("\n")[0])
    p.add_argument(
        "--students",
        type=int,
        default=DEFAULT_STUDENTS,
        help=f"size of the class (default {DEFAULT_STUDENTS})",
    )
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="also grade the first N students, comma-separated (default 1000,10000)",
    )
    p.add_argument("--repeat", type=int, default=1, help="runs of the full class (the median is shown)")
    p.add_argument(
        "--floor-sample",
        type=int,
        default=FLOOR_SAMPLE,
        help=f"notebooks the floor is measured on (default {FLOOR_SAMPLE})",
    )
    p.add_argument("--sample", type=int, default=20, help="notebooks run by the execute-based graders")
    p.add_argument("--quiz", help="quiz to grade (default: the first bank)")
    p.add_argument("--jobs", type=int, help="grading worker processes (default: one per core)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="working folder (default _build/bench)")
    p.add_argument("--no-execute", action="store_true", help="skip nbclient and nbgrader")
    p.add_argument("--no-nbgrader", action="store_true", help="skip nbgrader")
    p.add_argument("--no-book", action="store_true", help="skip the book builds")
    p.add_argument(
        "--keep",
        action="store_true",
        help="keep the graded folders (_build/bench/.graded-N) and the nbgrader course",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--grade-child"]:
        return _grade_child(argv[1:])
    args = parser().parse_args(argv)
    from casebook.quiz import bank as bank_mod

    root = paths.project_root()
    out = Path(args.out) if args.out else root / "_build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    fig: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "students": args.students}
    if fig["machine"]["load"][0] > 0.5:
        _say(f"note: load average {fig['machine']['load'][0]} at start: other work shares the cores")
    banks = bank_mod.load_all(bank_mod.discover(root), root)
    chosen = bank_mod.select(banks, args.quiz)[0]
    if chosen.path is None:
        raise SystemExit(f"bench: quiz {chosen.quiz} has no bank file")
    bank_path = chosen.path
    fig.update(quiz=chosen.quiz, questions=len(chosen.questions), jobs=args.jobs or os.cpu_count())
    folder = ensure_class(out, bank_path, chosen.quiz, args.students, args.seed)
    submissions = folder / "submissions"

    fig["grading"] = []
    sizes = [s for s in args.sizes if s < args.students] + [args.students]
    for n in sizes:
        runs = []
        times = max(1, args.repeat) if n == args.students else 1
        for attempt in range(times):
            _say(f"grading {n} students" + (f" (run {attempt + 1} of {times})" if times > 1 else "") + "...")
            runs.append(grade(submissions, out / f".graded-{n}", bank_path, chosen.quiz, n, args.jobs))
        # The median run stands for the size; all walls are kept (a virtual disk varies run to run).
        runs.sort(key=lambda g: g["seconds"])
        fig["grading"].append(
            {**runs[len(runs) // 2], "walls": [g["seconds"] for g in runs], "files_asked": n}
        )
    full = fig["grading"][-1]
    floor_notebooks = sample_notebooks(Path(full["gradebook"]), args.floor_sample)
    if floor_notebooks:
        _say(f"measuring the floor on {len(floor_notebooks)} notebooks...")
        fig["floor"] = floor_seconds(floor_notebooks, rounds=5)
        fig["floor_sample"] = len(floor_notebooks)

    if not args.no_execute and args.sample > 0:
        notebooks = sample_notebooks(Path(full["gradebook"]), args.sample)
        ex: dict[str, Any] = {"sample": len(notebooks)}
        _say(f"running {len(notebooks)} notebooks with nbclient...")
        try:
            ex["nbclient"] = execute_nbclient(notebooks, out / ".nbclient-work")
        except Exception as exc:  # no kernel, a kernel that died: say so, measure the rest
            ex["nbclient_error"] = f"{type(exc).__name__}: {str(exc).strip()[:200]}"
        if not args.no_nbgrader:
            exe, label = nbgrader_env(out / "nbgrader-venv")
            if exe is None:
                ex["nbgrader"] = {"error": label}
            else:
                _say(f"running {len(notebooks)} notebooks through nbgrader autograde...")
                ex["nbgrader"] = {
                    "version": label,
                    **run_nbgrader(exe, out / ".nbgrader-course", chosen, notebooks),
                }
        fig["execute"] = ex
    if not args.no_book:
        _say("building the book twice (clean, then no-op)...")
        fig["book"] = build_book(out / ".book")

    if not args.keep:  # a gigabyte of feedback per 10,000 students: kept only when asked
        for n in sizes:
            shutil.rmtree(out / f".graded-{n}", ignore_errors=True)
        for name in (".nbclient-work", ".nbgrader-course"):
            shutil.rmtree(out / name, ignore_errors=True)
    text = table(fig)
    print(text, flush=True)
    (out / "results.txt").write_text(text + "\n", encoding="utf-8")
    (out / "results.json").write_text(json.dumps(fig, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
