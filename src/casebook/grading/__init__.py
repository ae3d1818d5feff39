"""Submissions → gradebook, feedback pages, item analysis and the written-answer store.

Reads handed-in notebooks without running them (:mod:`.submission`), scores
them in worker processes (:mod:`.pipeline`), writes the feedback pages (:mod:`.pages`),
the item analysis (:mod:`.analysis`) and ``written.json`` for hand scoring
(:mod:`.written`); :mod:`.demo` makes synthetic classes.

Imports: ``casebook.quiz``, ``casebook.edition`` and the shared leaves. Never
``review``, ``lms``, ``book``, ``sphinx`` or ``cli``.
"""

from casebook.errors import CasebookError
from casebook.grading.pipeline import FIXED_COLUMNS, IN_PROCESS_BELOW, Result, grade_paths

__all__ = ["FIXED_COLUMNS", "IN_PROCESS_BELOW", "CasebookError", "Result", "grade_paths"]
