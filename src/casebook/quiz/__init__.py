"""Question banks and the notebooks made from them.

Owns ``exercises/*.yml`` → released, practice, solutions and roster notebooks:

- :mod:`.schema` (the pydantic models), :mod:`.checks` (rules across fields)
  and :mod:`.bank` (reading, validating, finding and selecting banks);
- :mod:`.types`: the question-type registry, each type defined once;
- :mod:`.key`: the answer key as plain data for scoring;
- :mod:`.scoring`: how an answer earns credit (standard library only, because
  practice notebooks embed it verbatim; the book's quiz is checked against it);
- :mod:`.layout`: the notebook contract shared by the writer and the grader;
- :mod:`.wording` and :mod:`.numbers`: answers and points in words;
- :mod:`.notebooks`: the notebook writer; :mod:`.cues`: form cues for ``validate``.

Imports: ``casebook.edition`` and the shared leaves. Never ``grading``,
``review``, ``lms``, ``book``, ``sphinx`` or ``cli``.
"""
