"""Anonymous codes for review: who wrote an answer, hidden from graders and found again by merge.

A student appears on review sheets and in scores CSVs as a code such as
``S4K7Q9MP``: an HMAC-SHA256 of the student id under a random key kept in
``GRADED/review-key.txt`` (made, readable by the owner only, on the first
review). The same student keeps the same code in every sheet and every later
review; the codes reveal nothing about ids or their order; only someone with
the graded folder can map them back. ``casebook review`` writes the codes,
``casebook merge`` and ``casebook class-report`` read them, so they live here
rather than in either command.

Imports: the shared leaves only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from casebook.errors import CasebookError

KEY_FILE = "review-key.txt"
CODE_LENGTH = 7
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U
# The scores CSV's own columns: a rubric criterion cannot be called any of these.
RESERVED = ("code", "student", "question", "comment", "answer_id")


def key_path(graded: Path) -> Path:
    return Path(graded) / KEY_FILE


def secret(graded: Path, create: bool = False) -> bytes:
    """The review key of a graded folder; made (random, readable by the owner only) on request."""
    path = key_path(graded)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not create:
            raise CasebookError(
                f"{path}: no review key, so codes cannot be matched to students "
                "(were the sheets made from this graded folder?)"
            ) from None
        text = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text + "\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise CasebookError(f"{path}: cannot read the review key ({exc})") from None
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise CasebookError(f"{path}: not a review key (64 hexadecimal digits expected)")
    return bytes.fromhex(text)


def _encode(digest: bytes, length: int) -> str:
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(length):
        number, rest = divmod(number, 32)
        chars.append(_ALPHABET[rest])
    return "".join(chars)


def codes(students: Iterable[str], key: bytes) -> dict[str, str]:
    """Student id -> code, unique among these students (a rare clash lengthens both codes)."""
    digests = {s: hmac.new(key, s.encode("utf-8"), hashlib.sha256).digest() for s in set(students)}
    length = {s: CODE_LENGTH for s in digests}
    while True:
        out = {s: "S" + _encode(d, length[s]) for s, d in digests.items()}
        clash = Counter(out.values())
        if all(clash[c] == 1 for c in out.values()):
            return out
        for s, c in out.items():
            if clash[c] > 1:
                length[s] += 2
