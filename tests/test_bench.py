"""`make bench` at toy size: the pipeline runs and prints its table (figures are not checked)."""

from __future__ import annotations

import json
from pathlib import Path

import bench
import nbformat
import pytest

from casebook.quiz import bank, wording

ROOT = Path(__file__).resolve().parents[1]


def test_nbgrader_source_tests_pass_on_the_key_and_fail_on_a_wrong_answer() -> None:
    for b in bank.load_all(bank.discover(ROOT), ROOT):
        nb = bench.nbgrader_source(b)
        nbformat.validate(nb)
        for index, q in enumerate(b.questions):
            if q.manual:
                continue
            var = bank.variable(index)
            namespace: dict = {}
            exec(f"{var} = {wording.answer_literal(q)}", namespace)  # noqa: S102 (our own key)
            exec(bench.test_source(q, var), namespace)  # noqa: S102
            namespace[var] = None
            with pytest.raises((AssertionError, TypeError, ValueError)):
                exec(bench.test_source(q, var), namespace)  # noqa: S102


@pytest.mark.slow  # grading subprocesses and two nbclient kernels
def test_bench_runs_at_toy_size(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        bench.main(
            [
                "--students",
                "30",
                "--sizes",
                "10",
                "--sample",
                "2",
                "--repeat",
                "2",
                "--no-nbgrader",
                "--no-book",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "files/s" in printed and "nbclient, a fresh kernel per notebook" in printed
    figures = json.loads((tmp_path / "results.json").read_text())
    folders = sorted(next(tmp_path.glob(".class-*")).glob("submissions/*"))
    assert [g["files"] for g in figures["grading"]] == [
        sum(len(list(f.glob("*.ipynb"))) for f in part) for part in (folders[:10], folders)
    ]
    assert figures["execute"]["sample"] == 2 and figures["execute"]["nbclient"] > 0
    assert (tmp_path / "results.txt").read_text().strip() == printed.strip()
    assert len(figures["grading"][-1]["walls"]) == 2 and "median of 2 runs" in printed
    # the class is cached: a second run does not make it again
    stamp = next(tmp_path.glob(".class-*/.bench-class.json"))
    before = stamp.stat().st_mtime_ns
    assert (
        bench.main(
            [
                "--students",
                "30",
                "--sizes",
                "",
                "--repeat",
                "1",
                "--no-execute",
                "--no-book",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert stamp.stat().st_mtime_ns == before
