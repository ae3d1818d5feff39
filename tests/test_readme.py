"""The README's grading walkthrough works as written."""

from __future__ import annotations

import csv
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def walkthrough(root: Path) -> list[list[str]]:
    text = (root / "README.md").read_text(encoding="utf-8")
    section = text.split("## Grading walkthrough", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", section, re.S)
    return [shlex.split(line[2:]) for block in blocks for line in block.splitlines() if line.startswith("$ ")]


def test_grading_walkthrough(root: Path, tmp_path: Path) -> None:
    commands = walkthrough(root)
    assert [c[1] for c in commands] == ["release", "demo", "grade", "review", "merge", "class-report"]
    casebook = Path(sys.executable).with_name("casebook")
    for argv in commands:
        assert argv[0] == ".venv/bin/casebook"
        run = subprocess.run(
            [str(casebook), *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 0, (argv, run.stderr)
    assert sorted(p.name for p in (tmp_path / "release").glob("*.ipynb")) == [
        "bottom-up.ipynb",
        "boundaries.ipynb",
        "techfin.ipynb",
    ]
    graded = tmp_path / "graded"
    with (graded / "gradebook.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    inputs = list((tmp_path / "demo" / "submissions").rglob("*.ipynb"))
    assert len(rows) == len(inputs) > 40
    assert {"submission", "student", "name", "quiz", "status", "score", "max_score"} <= set(rows[0])
    assert sum(r["status"] == "graded" for r in rows) >= 40
    for name in ("items.csv", "summary.json"):
        assert (graded / name).exists(), name
    assert list((graded / "feedback").glob("*.html")) and list((graded / "plots").glob("*.png"))
    report = tmp_path / "class-report"
    assert (report / "index.html").exists() and (report / "paragraphs.csv").exists()
    review = tmp_path / "review"
    assert (review / "bu-w01.html").exists() and (review / "bu-w01-scores.csv").exists()
