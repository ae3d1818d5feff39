"""Written answers scored by hand: review sheets, anonymous codes, and the merge back.

Anonymous codes (:mod:`.codes`) hide who wrote an answer from graders.
``casebook review`` (:mod:`.sheets`) reads what ``grade`` kept in
``written.json`` and writes one HTML sheet and one scores CSV per written
question; ``casebook merge`` (:mod:`.merge`) checks filled CSVs and merges the
scores into the gradebook and feedback.

Imports: ``casebook.grading``, ``casebook.quiz`` and the shared leaves. Never
``lms``, ``book``, ``sphinx`` or ``cli``.
"""

from casebook.review import codes
from casebook.review.codes import KEY_FILE, RESERVED, secret
from casebook.review.sheets import review, shingles, similar, tokens

__all__ = ["KEY_FILE", "RESERVED", "codes", "review", "secret", "shingles", "similar", "tokens"]
