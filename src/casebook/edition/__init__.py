"""The article as data: the verbatim seed, reviewed fixes, the citable edition, glossary and timeline.

Owns ``seeds/`` → ``edition/edition.json``: cutting the article out of the page
(:mod:`.source`), the reviewed character and punctuation tables (:mod:`.fixes`),
the paragraphs with ids (:mod:`.core`), the number check between the Chinese and
the English (:mod:`.numbercheck`), the glossary and the timeline data, and which
parts of a text are Chinese (:mod:`.lang`, for the ``lang`` marking of every page).

Imports: only the shared leaves (``casebook.errors``, ``casebook.paths``,
``casebook.fileio``). Everything else in the engine may import this package;
it imports nothing above it.
"""

from casebook.edition.core import Paragraph, build, by_id, load, problems, to_json, write

__all__ = ["Paragraph", "build", "by_id", "load", "problems", "to_json", "write"]
