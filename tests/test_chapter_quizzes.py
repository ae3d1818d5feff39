"""Each chapter's quiz releases, and its solution notebook grades to full marks.

Run through the CLI, as an instructor would: `casebook solutions`, then
`casebook grade` on the solutions, then the gradebook is read back.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the CLI in subprocesses, as an instructor runs it

THEMES = ("bottom-up", "boundaries", "techfin")


def _casebook(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "casebook", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def graded(root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    tmp = tmp_path_factory.mktemp("chapters")
    for args in (
        ("release", "--out", str(tmp / "release")),
        ("solutions", "--out", str(tmp / "solutions")),
        ("grade", str(tmp / "solutions"), "--out", str(tmp / "graded"), "--strict"),
    ):
        run = _casebook(*args, cwd=root)
        assert run.returncode == 0, (args, run.stderr)
    with (tmp / "graded" / "gradebook.csv").open(encoding="utf-8") as handle:
        return tmp, list(csv.DictReader(handle))


@pytest.mark.parametrize("slug", THEMES)
def test_solution_grades_to_full_marks(graded, slug: str) -> None:
    _tmp, rows = graded
    (row,) = [r for r in rows if r["quiz"] == slug]
    assert row["status"] == "graded"
    assert float(row["max_score"]) >= 15
    assert float(row["score"]) == pytest.approx(float(row["max_score"]))


@pytest.mark.parametrize("slug", THEMES)
def test_released_notebook_carries_no_key(graded, root: Path, slug: str) -> None:
    tmp, _rows = graded
    released = (tmp / "release" / f"{slug}.ipynb").read_text(encoding="utf-8")
    nb = json.loads(released)
    assert nb["metadata"]["casebook"]["quiz"] == slug
    import yaml

    bank = yaml.safe_load((root / "exercises" / f"{slug}.yml").read_text(encoding="utf-8"))
    for q in bank["questions"]:
        for text in (
            q.get("explanation") or "",
            *(o.get("misconception") or "" for o in q.get("options") or []),
        ):
            first = text.strip().splitlines()[0][:50] if text.strip() else ""
            if len(first) > 20:
                assert first not in released, (q["id"], first)
