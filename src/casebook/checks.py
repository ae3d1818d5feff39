"""``casebook validate``: every check that needs no build, one line per problem."""

from __future__ import annotations

from pathlib import Path

from casebook import edition, paths
from casebook.book import citations, standard
from casebook.edition import glossary, numbercheck, timeline
from casebook.errors import CasebookError
from casebook.quiz import bank


def edition_problems(root: Path) -> list[str]:
    """The committed edition must be what the seed and tables give, and self-consistent."""
    built = edition.build(root)
    out = []
    committed = paths.edition_file(root)
    if not committed.exists() or committed.read_text(encoding="utf-8") != edition.to_json(built):
        out.append(f"{committed.relative_to(root)}: out of date; run 'casebook edition --write'")
    out += edition.problems(built)
    for p in built:
        if p.en:
            diff = numbercheck.compare(p.text, p.en)
            if diff:
                out.append(f"edition/en.yml: {p.id}: numbers differ ({diff})")
    return out


def run(root: Path | None = None, banks: list[Path] | None = None) -> list[str]:
    root = root or paths.project_root()
    try:
        out = edition_problems(root)
    except CasebookError as exc:
        return [str(exc)]
    out += timeline.problems(root)
    out += glossary.problems(root)
    out += standard.problems(root)
    paras = edition.by_id(root)
    files = citations.book_files(root)
    out += citations.problems(files, paras, root)
    out += citations.unquoted(files, paras, root)
    out += bank.problems(bank.discover(root, banks or []), root=root)
    return out


def warnings(root: Path | None = None, banks: list[Path] | None = None) -> list[str]:
    """Form cues in the banks (see :mod:`casebook.quiz.cues`): worth a look, not a failure."""
    from casebook.quiz import cues

    root = root or paths.project_root()
    try:
        loaded = bank.load_all(bank.discover(root, banks or []), root)
    except CasebookError:
        return []  # the bank's problems are reported by run()
    return cues.warnings(loaded)
