"""Fuzzing the grader: 10,000 mutated notebooks, no crash, every one accounted for.

Mutations come from a seeded generator (the same files every run, so a failure
reproduces): bytes flipped, cut or inserted; JSON nodes replaced by hostile values
(huge integers, lone surrogates, deep nesting, wrong types, NaN); answer and identity
cells rewritten with hostile Python (hex literals of thousands of digits, escapes,
code, unbalanced brackets, NUL bytes, formula-looking ids). Grading runs in this
process on files in a temporary folder.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from test_grading import PARTIAL, RIGHT, WRONG, submit

from casebook import grading
from casebook.grading import submission
from casebook.quiz import bank, notebooks

DATA = Path(__file__).parent / "data"
COUNT = 10_000

HOSTILE_VALUES = [
    10**400,
    -(2**70),
    "\ud800",
    "x\udfffy",
    '=HYPERLINK("http://x","y")',
    "@SUM(1)",
    "\x1b[2J",
    "",
    " " * 1000,
    "q" * 100_000,
    None,
    True,
    3.5,
    float("nan"),
    [],
    {},
    [[[[[]]]]],
    {"cell_type": "code"},
    ["a", 1, None],
    "中台" * 50,
]
HOSTILE_SOURCES = [
    "0x" + "f" * 4000,
    "9" * 400,
    '"\\ud800"',
    "'\\udfff'",
    "lambda: 1",
    "[" * 300,
    "]",
    '"""',
    "\x00",
    "q01 = ",
    "= 1",
    "import os",
    "__import__('os').system('true')",
    '{"a": 1, "a": 2}',
    "{1, 2, [3]}",
    "(1,)",
    "1e999",
    "-1e999",
    "True",
    "None",
    "b'x'",
    "1j",
    "q01: int = 'b'",
    "'\\N{BELL}'",
    "\"=cmd|' /C calc'!A0\"",
    "\\",
    "\ufeffq01 = 'b'",
    "f'{1}'",
    "[*range(3)]",
    "\t",
    "\r\n",
    "#",
    "'" * 3 + "x",
]


def _mutate_json(nb: dict, rng: random.Random) -> dict:
    """Replace one random node (a cell, a field, a metadata entry) with a hostile value."""
    path: list = []
    node: object = nb
    for _ in range(rng.randint(1, 5)):
        if isinstance(node, dict) and node:
            key = rng.choice(sorted(node, key=str))
        elif isinstance(node, list) and node:
            key = rng.randrange(len(node))
        else:
            break
        path.append(key)
        node = node[key]  # type: ignore[index]
    if not path:
        return nb
    parent: object = nb
    for key in path[:-1]:
        parent = parent[key]  # type: ignore[index]
    parent[path[-1]] = rng.choice(HOSTILE_VALUES)  # type: ignore[index]
    return nb


def _mutate_source(nb: dict, rng: random.Random) -> dict:
    cells = [c for c in nb.get("cells", []) if isinstance(c, dict) and "source" in c]
    for _ in range(rng.randint(1, 3)):
        if not cells:
            break
        cell = rng.choice(cells)
        text = cell["source"] if isinstance(cell["source"], str) else ""
        piece = rng.choice(HOSTILE_SOURCES)
        where = rng.randint(0, len(text))
        choice = rng.random()
        if choice < 0.4:
            text = text[:where] + piece + text[where:]
        elif choice < 0.7:
            name = text.split("=")[0].strip() or "q01"
            text = f"{name} = {piece}"
        else:
            text = f"student_name = {piece}\nstudent_id = {rng.choice(HOSTILE_SOURCES)}"
        cell["source"] = text
    return nb


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    choice = rng.random()
    if choice < 0.3:
        return data[: rng.randint(0, len(data))]
    buf = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        at = rng.randrange(len(buf))
        if choice < 0.7:
            buf[at] = rng.randrange(256)
        else:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(buf)


def make_fuzz_class(folder: Path, template: dict, count: int, seed: int = 16) -> list[Path]:
    rng = random.Random(seed)
    bases = []
    for i, answers in enumerate((RIGHT, WRONG, PARTIAL, {})):
        base = submit(folder / ".bases" / f"{i}.ipynb", template, answers, f"s{i}", "Ann")
        bases.append(json.loads(base.read_text(encoding="utf-8")))
    written = []
    for n in range(count):
        nb = json.loads(json.dumps(rng.choice(bases)))
        sid = f"s{n}" if rng.random() < 0.8 else f"s{n % 500}"  # some hand in several times
        for cell in nb["cells"]:
            if cell["metadata"].get("casebook", {}).get("role") == "identity":
                cell["source"] = f'student_name = "N{n}"\nstudent_id = "{sid}"\n'
        kind = rng.random()
        if kind < 0.35:
            nb = _mutate_source(nb, rng)
        elif kind < 0.6:
            nb = _mutate_json(nb, rng)
        data = json.dumps(nb, ensure_ascii=rng.random() < 0.5, allow_nan=True).encode(
            "utf-8", "surrogatepass"
        )
        if 0.6 <= kind < 0.85:
            data = _mutate_bytes(data, rng)
        path = folder / f"{n // 1000:02d}" / f"fuzz-{n:05d}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def test_ten_thousand_mutated_notebooks_all_accounted_for(tmp_path: Path) -> None:
    sample = bank.load(DATA / "sample.yml")
    template = json.loads(notebooks.dumps(notebooks.student(sample)))
    folder = tmp_path / "class"
    files = make_fuzz_class(folder, template, COUNT)
    result = grading.grade_paths(
        [folder / f"{i:02d}" for i in range(COUNT // 1000)],
        tmp_path / "out",
        banks=[sample],
        jobs=1,
        plots=False,
    )
    text = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == COUNT == result.files
    assert sorted(r["submission"] for r in rows) == sorted(p.as_posix() for p in files)
    known = {
        submission.GRADED,
        submission.UNREADABLE,
        submission.NOT_NOTEBOOK,
        submission.TOO_LARGE,
        submission.UNKNOWN_QUIZ,
        submission.NO_ANSWERS,
        submission.DUPLICATE,
        submission.NEWER_FORMAT,
    }
    statuses = {r["status"] for r in rows}
    assert statuses <= known, statuses - known
    # the fuzz is not all rejected at the door: every kind of outcome occurs
    assert {submission.GRADED, submission.UNREADABLE, submission.DUPLICATE} <= statuses
    assert sum(result.counts.values()) == COUNT
    graded = [r for r in rows if r["status"] == submission.GRADED]
    assert all(0 <= float(r["score"]) <= float(r["max_score"]) for r in graded)
    pages = {p.stem for p in (tmp_path / "out" / "feedback").iterdir()}
    assert len(pages) == len(graded)  # one page per graded submission, none for the others


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mutated_notebooks_grade_the_same_in_the_worker_pool(tmp_path: Path, seed: int) -> None:
    sample = bank.load(DATA / "sample.yml")
    template = json.loads(notebooks.dumps(notebooks.student(sample)))
    make_fuzz_class(tmp_path / "class", template, grading.IN_PROCESS_BELOW + 50, seed)
    inputs = [tmp_path / "class" / "00"]
    serial = grading.grade_paths(inputs, tmp_path / "serial", banks=[sample], jobs=1, plots=False)
    pooled = grading.grade_paths(inputs, tmp_path / "pooled", banks=[sample], jobs=2, plots=False)
    for name in ("gradebook.csv", "notes.csv", "items.csv", "summary.json"):
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "pooled" / name).read_bytes()
    assert serial.counts == pooled.counts
