"""Reports for the instructor, made from what ``grade`` wrote: the class report before a session.

``casebook class-report GRADED --out DIR`` (:mod:`.classreport`) links a graded
quiz back to the case it was built from: which passages the class misread,
which misconceptions it holds, how it did per objective and Bloom level, and
whom to call on.

Imports: ``casebook.grading``, ``casebook.review`` (the anonymous codes of the
review sheets), ``casebook.quiz``, ``casebook.edition``, ``casebook.book.fonts``
and the shared leaves. Only ``casebook.cli`` imports this package.
"""
