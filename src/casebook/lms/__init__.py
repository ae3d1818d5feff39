"""Banks and grades for learning-management systems: `casebook export` and `export-grades`.

One module per job: ``qti`` writes a bank as a QTI 1.2 package for Canvas,
``gift`` as Moodle GIFT text, ``grades`` turns the grader's gradebook.csv
into the CSV an LMS imports grades from. This module holds what the two bank
formats share (:mod:`.report`): the report of what each file carries, and the
feedback text; the format modules import it from there, not from this
package, so the package can import them without a cycle.

No format carries every question type: each one says what it dropped or
weakened (``Report.lines``) instead of exporting something that would score
differently in the LMS without anyone noticing.

Imports: ``casebook.quiz``, ``casebook.grading`` (the gradebook's format and
statuses), ``casebook.edition`` and the shared leaves. Only ``casebook.cli``
and ``casebook.checks`` import this package.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from casebook.lms import gift, qti
from casebook.lms.report import Report, evidence_md, general_feedback_md, number, of_type
from casebook.quiz.bank import Bank

__all__ = ["EXPORTS", "Report", "evidence_md", "general_feedback_md", "number", "of_type",
           "write_banks"]


# Each bank format's writer of one file: write(bank, out_dir) -> Report.
EXPORTS: dict[str, Callable[[Bank, Path], Report]] = {"qti": qti.write, "gift": gift.write}


def write_banks(banks: list[Bank], fmt: str, out_dir: Path) -> list[Report]:
    """Write one file per bank in out_dir; the reports say what each file carries."""
    if fmt not in EXPORTS:
        raise ValueError(f"unknown export format {fmt!r}")
    return [EXPORTS[fmt](bank, Path(out_dir)) for bank in banks]
