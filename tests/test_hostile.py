"""The hostile-input review's reproductions (shared/reviews/hostile-input.md), one test each.

A class of careless and malicious notebooks: identity (S1 is in test_grading), one file
that would stop a class (S2, S3), spreadsheet formulas (S4), bank bombs and bad YAML
(S5, U3), special files and links (S6, S8), terminal escapes (S7), lost or mixed work
(D1-D4), unusable --out (U1) and header-only score sheets (U2).
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_grading import RIGHT, WRONG, submit

from casebook import cli, fileio, grading
from casebook.errors import CasebookError
from casebook.grading import demo, submission
from casebook.quiz import bank, notebooks
from casebook.review import merge, sheets

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def sample() -> bank.Bank:
    return bank.load(DATA / "sample.yml")


@pytest.fixture(scope="module")
def template(sample: bank.Bank) -> dict:
    return json.loads(notebooks.dumps(notebooks.student(sample)))


def grade(paths, out: Path, sample: bank.Bank, **kw) -> grading.Result:
    return grading.grade_paths(paths, out, banks=[sample], jobs=kw.pop("jobs", 1), **kw)


def with_source(path: Path, find: str, source: str) -> Path:
    """Replace the source of the first cell starting with ``find`` (raw JSON text allowed)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["source"].startswith(find))
    cell["source"] = "@@SOURCE@@"
    path.write_text(json.dumps(nb).replace('"@@SOURCE@@"', source), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != fileio.LOCK
    }


# --- S2, S3: one file never stops a class -------------------------------------------------------

HOSTILE_SOURCES = {
    "num400": ("q04 =", json.dumps("q04 = " + "9" * 400)),
    "hex-answer": ("q01 =", json.dumps("q01 = 0x" + "f" * 4000)),
    "hex-identity": ("student_name", json.dumps('student_name = "x"\nstudent_id = 0x' + "f" * 4000)),
    "hex-in-list": ("q02 =", json.dumps('q02 = ["a", 0x' + "f" * 4000 + "]")),
    "sur-name-escape": ("student_name", json.dumps('student_name = "\\ud800"\nstudent_id = "s9"')),
    "sur-name-json": ("student_name", '"student_name = \\"\\ud800\\"\\nstudent_id = \\"\\udfff\\""'),
    "sur-answer-json": ("q07 =", '"q07 = \\"\\ud800\\""'),
    "deep": ("q06 =", json.dumps("q06 = " + "[" * 5000 + "]" * 5000)),
}


def test_a_hostile_answer_or_identity_never_stops_the_class(
    tmp_path: Path, sample: bank.Bank, template: dict
) -> None:
    subs = tmp_path / "subs"
    submit(subs / "good.ipynb", template, RIGHT, "good")
    for name, (find, source) in HOSTILE_SOURCES.items():
        with_source(submit(subs / f"{name}.ipynb", template, RIGHT, name), find, source)
    result = grade([subs], tmp_path / "out", sample, feedback=("html", "md"))
    rows = {Path(r["submission"]).stem: r for r in result.rows}
    assert set(rows) == {"good", *HOSTILE_SOURCES}
    assert rows["good"]["score"] == "8"
    assert rows["num400"]["status"] == "graded" and rows["num400"]["smp-q04"] == "0"
    assert rows["hex-answer"]["smp-q01"] == "0" and rows["hex-in-list"]["smp-q02"] == "0"
    assert rows["hex-identity"]["student"] == "x"  # the too-large id is no id; the name stands
    assert rows["sur-name-escape"]["name"] == "\ufffd" and rows["sur-name-escape"]["student"] == "s9"
    assert rows["sur-name-json"]["student"] == "\ufffd"
    assert all(r["status"] in ("graded", submission.NOT_GRADABLE) for r in rows.values())
    notes = (tmp_path / "out" / "notes.csv").read_text(encoding="utf-8")
    assert f"more than {submission.MAX_INT_BITS} bits" in notes


def test_a_hostile_file_among_many_in_the_worker_pool(
    tmp_path: Path, sample: bank.Bank, template: dict
) -> None:
    """MAL-pool-poison: the pool path (more files than IN_PROCESS_BELOW) with two workers."""
    subs = tmp_path / "subs"
    first = submit(subs / "s000.ipynb", template, RIGHT, "s000")
    for i in range(1, grading.IN_PROCESS_BELOW + 10):
        (subs / f"s{i:03d}.ipynb").write_text(first.read_text().replace('\\"s000\\"', f'\\"s{i:03d}\\"'))
    with_source(
        submit(subs / "zz-hex.ipynb", template, RIGHT, "zz"), "q01 =", json.dumps("q01 = 0x" + "f" * 4000)
    )
    result = grade([subs], tmp_path / "out", sample, jobs=2, plots=False)
    assert result.files == grading.IN_PROCESS_BELOW + 11
    assert result.counts == {"graded": result.files}


def test_an_unforeseen_error_in_one_file_is_its_status(
    tmp_path: Path, sample: bank.Bank, template: dict, monkeypatch
) -> None:
    """Anything the grader did not foresee: that file gets a status and a reason, the rest goes on."""
    from casebook.quiz import scoring

    real = scoring.credit

    def fragile(q, value):
        if value == "a":
            raise ZeroDivisionError("boom")
        return real(q, value)

    monkeypatch.setattr(scoring, "credit", fragile)
    subs = tmp_path / "subs"
    submit(subs / "ok.ipynb", template, RIGHT, "ok")
    submit(subs / "bad.ipynb", template, WRONG, "bad")  # q01 = "a"
    result = grade([subs], tmp_path / "out", sample)
    rows = {r["student"]: r for r in result.rows}
    assert rows["ok"]["status"] == "graded"
    assert rows["bad"]["status"] == submission.NOT_GRADABLE == "could not be graded"
    assert "ZeroDivisionError: boom" in (tmp_path / "out" / "notes.csv").read_text()


# --- S4: spreadsheet formulas ----------------------------------------------------------------------


def test_gradebook_cells_never_start_a_formula(tmp_path: Path, sample: bank.Bank, template: dict) -> None:
    subs = tmp_path / "subs"
    path = submit(subs / "x.ipynb", template, RIGHT, "@SUM(1)", '=HYPERLINK(\\"http://x\\",\\"y\\")')
    evil = submit(subs / "-2+3.ipynb", template, RIGHT, "-2+3")
    nb = json.loads(evil.read_text())
    nb["metadata"]["casebook"]["quiz"] = '=HYPERLINK("http://evil","x")'  # INJ-quizmeta
    evil.write_text(json.dumps(nb))
    result = grade([subs], tmp_path / "out", sample)
    text = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [
        c
        for c in cells
        if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not c[1:].replace(".", "").isdigit())
    ]
    assert "'@SUM(1)" in cells and '\'=HYPERLINK("http://evil","x")' in cells
    # read back (as merge and Result.rows do), the cells are what the student wrote
    got = {r["submission"]: r for r in result.rows}
    assert got[path.as_posix()]["student"] == "@SUM(1)"
    assert got[path.as_posix()]["name"] == '=HYPERLINK("http://x","y")'


def test_spreadsheet_safe_round_trips() -> None:
    for text in ("=1+1", "@x", "+a", "-a", "'=x", "''+y", "plain", "-2", "+1.5", "'quoted", ""):
        cell = fileio.spreadsheet_safe(text)
        assert not str(cell).startswith(("=", "+", "@")) or text in ("+1.5",)
        assert fileio.from_spreadsheet(str(cell)) == text
    assert fileio.from_spreadsheet("=SUM(1)") == "=SUM(1)"  # saved back by a spreadsheet


# --- review sheets and merge: formulas, header-only sheets, the lock ------------------------------


@pytest.fixture
def graded_essays(tmp_path: Path) -> tuple[Path, bank.Bank]:
    essays = bank.load(DATA / "written.yml")
    klass = demo.make_class(tmp_path / "class", students=6, seed=1, banks=[essays])
    # one student's id starts a formula: it reaches the --names scores CSV
    folder = klass / "s00001"
    for nb_path in folder.glob("*.ipynb"):
        nb_path.write_text(nb_path.read_text().replace('\\"s00001\\"', '\\"@evil\\"'))
    out = tmp_path / "graded"
    grading.grade_paths([klass], out, banks=[essays], jobs=1, plots=False)
    return out, essays


def test_scores_csv_is_formula_safe_and_merge_reads_it_back(graded_essays, tmp_path: Path) -> None:
    graded, _ = graded_essays
    review_dir = tmp_path / "review"
    sheets.review(graded, review_dir, names=True)
    scores = sorted(review_dir.glob("*-scores.csv"))
    path = scores[0]
    text = path.read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert "'@evil" in [row[0] for row in table]
    header = table[0]
    criteria = header[2:-2]
    # as a grader's editor would: the cells as text (the quote undone), then saved as CSV
    filled = [header] + [
        [
            fileio.from_spreadsheet(row[0]),
            row[1],
            *["1"] * len(criteria),
            '=HYPERLINK("http://x","y")',
            row[-1],
        ]
        for row in table[1:]
        if row[0] == "'@evil"
    ]
    path.write_text(fileio.csv_text(filled, lineterminator="\r\n"), encoding="utf-8")
    result = merge.merge([path], graded)
    assert result.ok and result.added == 1, result.problems
    stored = json.loads((graded / "written_scores.json").read_text())["scores"]
    assert [(r["student"], r["comment"]) for r in stored] == [("@evil", '=HYPERLINK("http://x","y")')]
    book = (graded / "gradebook.csv").read_text(encoding="utf-8")
    assert "\n@evil" not in book and ",@evil" not in book and "'@evil" in book


def test_merge_skips_header_only_sheets(graded_essays, tmp_path: Path) -> None:
    """U2: README's `casebook merge review/*-scores.csv` with sheets of other quizzes empty."""
    graded, essays = graded_essays
    empty = tmp_path / "other-w01-scores.csv"
    empty.write_text("\ufeffstudent,question,evidence,argument,comment,answer_id\r\n", encoding="utf-8")
    assert merge.merge([empty], graded).ok


def test_merge_and_grade_take_the_folder_lock(graded_essays, tmp_path: Path, sample: bank.Bank) -> None:
    """D1, D3: a second run into a folder in use stops with one line and changes nothing."""
    graded, _ = graded_essays
    before = snapshot(graded)
    with fileio.folder_lock(graded, "merge"):
        with pytest.raises(CasebookError, match=r"in use by casebook merge \(process \d+\)"):
            merge.merge([tmp_path / "x-scores.csv"], graded)
        with pytest.raises(CasebookError, match="in use by"):
            grading.grade_paths([DATA], graded, banks=[sample], jobs=1)
    assert snapshot(graded) == before


def test_concurrent_merges_lose_no_score(graded_essays, tmp_path: Path) -> None:
    """D1: merges started together either merge (all their scores kept) or stop with one line."""
    graded, _ = graded_essays
    review_dir = tmp_path / "review"
    sheets.review(graded, review_dir)
    files = []
    for path in sorted(review_dir.glob("*-scores.csv")):
        table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        n = len(table[0]) - 4
        table[1:] = [row[:2] + ["0"] * n + ["", row[-1]] for row in table[1:]]
        path.write_text(fileio.csv_text(table), encoding="utf-8")
        files.append(path)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "casebook", "merge", str(f), "--graded", str(graded)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
        for _ in range(3)
    ]
    merged = 0
    for run in runs:
        out, err = run.communicate(timeout=120)
        if run.returncode == 0:
            merged += int(out.split("merged ")[1].split()[0])
        else:
            assert run.returncode == 2 and len(err.strip().splitlines()) == 1 and "in use by" in err
    stored = json.loads((graded / "written_scores.json").read_text())["scores"]
    assert merged and len(stored) == merged  # every score a run reported is kept


# --- D2, D4: nothing lost -------------------------------------------------------------------------


def test_an_empty_input_never_wipes_a_gradebook(
    tmp_path: Path, sample: bank.Bank, template: dict, capsys
) -> None:
    submit(tmp_path / "subs" / "a.ipynb", template, RIGHT, "a")
    out = tmp_path / "out"
    grade([tmp_path / "subs"], out, sample)
    before = snapshot(out)
    (tmp_path / "empty").mkdir()
    code = cli.main(
        ["grade", str(tmp_path / "empty"), "--out", str(out), "--bank", str(DATA / "sample.yml"), "--strict"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "left as they are" in err and len(err.strip().splitlines()) == 1
    assert snapshot(out) == before
    code = cli.main(
        [
            "grade",
            str(tmp_path / "empty"),
            "--out",
            str(tmp_path / "new"),
            "--bank",
            str(DATA / "sample.yml"),
            "--strict",
        ]
    )
    assert code == 1  # --strict: zero files graded is not "every file graded"


def test_a_run_that_fails_midway_leaves_the_previous_results(
    tmp_path: Path, sample: bank.Bank, template: dict, monkeypatch, capsys
) -> None:
    """D4: disk full while writing feedback: one line, and the folder as it was."""
    subs = tmp_path / "subs"
    submit(subs / "a.ipynb", template, RIGHT, "a")
    out = tmp_path / "out"
    grade([subs], out, sample)
    before = snapshot(out)
    submit(subs / "b.ipynb", template, WRONG, "b")

    def full(path, text):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(fileio, "write_if_changed", full)
    code = cli.main(
        ["grade", str(subs), "--out", str(out), "--bank", str(DATA / "sample.yml"), "--jobs", "1"]
    )
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "No space left on device" in err and "nothing was changed" in err
    assert snapshot(out) == before
    assert not list(out.glob(".staging-*"))


def test_a_killed_run_leaves_the_previous_results_and_no_workers(
    tmp_path: Path, sample: bank.Bank, template: dict
) -> None:
    """D4: SIGKILL of `casebook grade` mid-run: previous outputs intact, workers end too."""
    subs = tmp_path / "subs"
    first = submit(subs / "s0000.ipynb", template, RIGHT, "s0000")
    text = first.read_text()
    for i in range(1, 3000):
        (subs / f"s{i:04d}.ipynb").write_text(text.replace('\\"s0000\\"', f'\\"s{i:04d}\\"'))
    out = tmp_path / "out"
    grade([first], out, sample)
    before = snapshot(out)
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "casebook",
            "grade",
            str(subs),
            "--out",
            str(out),
            "--bank",
            str(DATA / "sample.yml"),
            "--jobs",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(out.glob(".staging-*/feedback/s0*")):
        time.sleep(0.05)
    children = _children(run.pid)
    assert children, "the run started no workers"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    left = snapshot(out)
    assert {k: v for k, v in left.items() if not k.startswith(".staging-")} == before
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.1)
    assert not [pid for pid in children if _alive(pid)]
    grade([first], out, sample)  # the next run clears the leftover staging folder
    assert not list(out.glob(".staging-*")) and snapshot(out) == before


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.update(int(c) for c in children)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- S6, S8: only regular files -------------------------------------------------------------------


def test_fifos_and_symlinks_are_reported_not_read(tmp_path: Path, sample: bank.Bank, template: dict) -> None:
    subs = tmp_path / "submitted"
    submit(subs / "alice" / "sample" / "sample.ipynb", template, WRONG, "alice")
    solutions = submit(tmp_path / "instructor" / "sol.ipynb", template, RIGHT, "solutions")
    (subs / "mallory" / "sample").mkdir(parents=True)
    (subs / "mallory" / "sample" / "sample.ipynb").symlink_to(solutions)
    (subs / "eve").mkdir()
    (subs / "eve" / "linked").symlink_to(tmp_path / "instructor", target_is_directory=True)
    os.mkfifo(subs / "fifo.ipynb")
    result = grade([subs], tmp_path / "out", sample)
    rows = {r["submission"].split("submitted/")[1]: r for r in result.rows}
    assert rows["alice/sample/sample.ipynb"]["status"] == "graded"
    for name in ("mallory/sample/sample.ipynb", "eve/linked", "fifo.ipynb"):
        assert rows[name]["status"] == submission.NOT_REGULAR == "not a regular file"
        assert rows[name]["score"] == ""
    notes = (tmp_path / "out" / "notes.csv").read_text()
    assert "a symbolic link: not followed" in notes and "a named pipe (FIFO)" in notes


# --- S7: terminal escapes -------------------------------------------------------------------------


def test_names_printed_to_a_terminal_are_sanitised(tmp_path: Path, capsys) -> None:
    evil = tmp_path / "evil\x1b]0;TITLE\x07\x1b[2J.ipynb"
    code = cli.main(["grade", str(evil), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "\\x1b]0;TITLE" in err


# --- U1: --out that cannot be used ----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["grade", "{data}", "--out", "{file}"],
        ["release", "--out", "{file}"],
        ["solutions", "--out", "{file}"],
        ["demo", "--students", "2", "--out", "{file}"],
        ["export", "--format", "gift", "--out", "{file}"],
        ["export", "--format", "qti", "--out", "{file}"],
        ["review", "{data}", "--out", "{file}"],
        ["handout", "--out", "{file}/x", "--html-only"],
        ["student-book", "--out", "{file}/x"],
        ["grade", "{data}", "--out", "/dev/full/x"],
        ["export-grades", "{file}", "--roster", "{file}", "--format", "canvas", "--out", "{data}"],
    ],
)
def test_an_unusable_out_is_one_line(tmp_path: Path, argv: list[str], capsys) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    args = [a.format(file=afile, data=DATA) for a in argv]
    code = cli.main(args)
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert ("not a folder" in err or "is a folder" in err) and "Traceback" not in err
    assert str(afile) in err or "/dev/full" in err or str(DATA) in err
    assert afile.read_text() == "x"


# --- S5, U3: banks --------------------------------------------------------------------------------


def _bomb(path: Path) -> Path:
    lines = ["quiz: bomb", "title: B", "chapter: bottom-up", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines += [
        "questions:",
        "  - id: b-q1",
        "    type: multiple",
        "    prompt: P",
        "    options: {a: A, b: B}",
        "    answer: *i",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "bomb.yml:5: invalid YAML: alias *a is not allowed"),
        ("quiz: x\ntitle: !!int abc\n", "x.yml:2: invalid YAML: tag tag:yaml.org,2002:int is not allowed"),
        ("quiz: x\ntitle: !!bool maybe\n", "x.yml:2: invalid YAML: tag"),
        ("quiz: x\ntitle: !!python/object:os.system x\n", "x.yml:2: invalid YAML: tag"),
        ("quiz: x\n? [a, b]\n: 1\n", "x.yml:2: invalid YAML: a mapping key must be a plain value"),
        ('quiz: x\ntitle: "abc\nchapter: c\n', "(in what starts on line 2)"),
    ],
)
def test_bank_yaml_problems_are_one_line_with_file_and_line(
    tmp_path: Path, text: str | None, expected: str, capsys
) -> None:
    path = _bomb(tmp_path / "bomb.yml") if text is None else tmp_path / "x.yml"
    if text is not None:
        path.write_text(text)
    started = time.monotonic()
    code = cli.main(["validate", "--bank", str(path)])
    out = capsys.readouterr()
    assert time.monotonic() - started < 20  # the bomb is refused, not expanded
    assert code != 0 and expected in out.out + out.err and "Traceback" not in out.out + out.err


def test_an_unquoted_impossible_date_is_text(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text("quiz: x\ntitle: 2020-13-45\nchapter: bottom-up\nquestions: []\n")
    raw, error = bank._read_yaml(path, "x.yml")
    assert error is None and raw["title"] == "2020-13-45"


# --- U6, U9: smaller quirks -------------------------------------------------------------------------


def test_grader_quirks_of_the_review() -> None:
    """An annotation that is a call is code (it would run); a pasted BOM does not void an answer."""
    assert submission.assignments('q01: str = "b"') == (("q01", "b", ""),)
    assert "cell contains code" in submission.assignments('q01: print("x") = "b"')
    assert submission.assignments('\ufeffq01 = "b"') == (("q01", "b", ""),)
    assert submission.assignments('\u200bq01 = ["a"]') == (("q01", ["a"], ""),)


def test_scores_are_plain_numbers() -> None:
    from casebook.grading import written

    criterion = {"max": 10, "levels": [{"label": "strong", "points": 10}]}
    for text in ("1_0", "\uff11", "1e1", "nan", "inf"):
        assert isinstance(written.parse_score(text, criterion), str), text
    assert written.parse_score("2,5", criterion) == 2.5 and written.parse_score("3", criterion) == 3


def test_a_row_with_an_unquoted_comma_is_named_as_such(graded_essays, tmp_path: Path) -> None:
    graded, _ = graded_essays
    review_dir = tmp_path / "review"
    sheets.review(graded, review_dir)
    path = sorted(review_dir.glob("*-scores.csv"))[0]
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    n = len(table[0]) - 4
    row = table[1][:2] + ["1"] * n + ["good, but short", table[1][-1]]
    path.write_text(",".join(table[0]) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    result = merge.merge([path], graded)
    assert result.problems == [
        f"{path}: row 2: {len(row) + 1} cells but the header has "
        f"{len(table[0])} (a comma in a cell that is not quoted?)"
    ]


def test_the_run_summary_reports_identity_claims(tmp_path: Path, template: dict, capsys) -> None:
    """S1: the instructor sees the claim in the command's summary, not only in a column."""
    subs = tmp_path / "submitted"
    submit(subs / "alice" / "sample" / "sample.ipynb", template, RIGHT, "alice")
    submit(subs / "mallory" / "sample" / "sample.ipynb", template, WRONG, "alice")
    code = cli.main(
        ["grade", str(subs), "--out", str(tmp_path / "out"), "--bank", str(DATA / "sample.yml"), "--strict"]
    )
    out = capsys.readouterr().out
    assert code == 0 and "graded 2 file(s)" in out
    assert (
        "1 submission names another student in the identity cell than the folder or file name it came from"
    ) in out


def test_a_huge_bank_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """U10: a 50 MB bank took 10 s to accept and went into every feedback page."""
    path = tmp_path / "big.yml"
    path.write_text("quiz: big\ntitle: " + "x" * (bank.MAX_BANK_BYTES + 1) + "\n")
    raw, error = bank._read_yaml(path, "big.yml")
    assert raw is None and error == "big.yml: larger than 5 MB: not a bank"
