"""Banks and grades for learning-management systems: `casebook export` and `export-grades`.

One module per job: ``qti`` writes a bank as a QTI 1.2 package for Canvas,
``gift`` as Moodle GIFT text, ``moodle_xml`` as Moodle XML, ``grades`` turns
the grader's gradebook.csv into the CSV an LMS imports grades from. Each
bank-export module keeps its per-type code in ``WRITERS`` (question type ->
writer), keyed by every type of ``casebook.quiz.bank.TYPES``. This module
holds what the bank formats share: the report of what each file carries, and
the feedback text.

Every format carries every question type, but none carries everything:
each says what it weakened (``Report.lines``: an ordering question that
Canvas scores by position, points GIFT cannot hold, ...) instead of
exporting something that would score differently in the LMS without anyone
noticing. A type a format could not carry at all would be skipped through
``Report.skip`` and listed the same way. What the formats share is in
:mod:`.report`, which they import instead of this package.

Imports: ``casebook.quiz``, ``casebook.grading`` (the gradebook's format and
statuses), ``casebook.edition`` and the shared leaves. Only ``casebook.cli``
and ``casebook.checks`` import this package.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from casebook import edition
from casebook.edition import Paragraph
from casebook.lms import gift, moodle_xml, qti
from casebook.lms.report import (
    Report,
    bank_points,
    evidence_md,
    general_feedback_md,
    md_html,
    number,
    of_type,
    xml_safe,
)
from casebook.quiz.bank import Bank

__all__ = [
    "EXPORTS",
    "FORMATS",
    "Report",
    "bank_points",
    "evidence_md",
    "general_feedback_md",
    "md_html",
    "number",
    "of_type",
    "write_banks",
    "xml_safe",
]

# Each bank format's module: write(bank, out_dir, paras) -> Report, and WRITERS per type.
EXPORTS: dict[str, ModuleType] = {"qti": qti, "gift": gift, "moodle-xml": moodle_xml}
FORMATS = tuple(EXPORTS)


def write_banks(
    banks: list[Bank], fmt: str, out_dir: Path, paras: dict[str, Paragraph] | None = None
) -> list[Report]:
    """Write one file per bank in out_dir; the reports say what each file carries.

    ``paras`` (the edition by paragraph id) gives the English of each cited passage; it is
    read from the project's edition when not given.
    """
    if fmt not in EXPORTS:
        raise ValueError(f"unknown export format {fmt!r}")
    paras = edition.by_id() if paras is None else paras
    out_dir = Path(out_dir)
    return [EXPORTS[fmt].write(bank, out_dir, paras) for bank in banks]
