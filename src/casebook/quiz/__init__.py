"""Question banks and the notebooks made from them.

Owns ``exercises/*.yml`` → released, practice, solutions and roster notebooks:
the bank schema and its checks (:mod:`.bank`), the scoring rules
(:mod:`.scoring`, standard library only, because it is embedded verbatim in
practice notebooks), how answers are worded for people (:mod:`.wording`) and
the notebook writer (:mod:`.notebooks`).

Imports: ``casebook.edition`` and the shared leaves. Never ``grading``,
``review``, ``lms``, ``book``, ``sphinx`` or ``cli``.
"""
