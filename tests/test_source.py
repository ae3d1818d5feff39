"""The raw seed, kept verbatim, and how the article is cut out of it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from casebook.edition.source import load_paragraphs, read_seed, split_article
from casebook.errors import CasebookError

SEED_SHA256 = "60b63fed329a7e5bf16e7f319272572438bdbde96a4a0c6624bd966d23ecaf00"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_fe77c5f8a7169b59.txt"


def test_seed_is_pinned(root: Path) -> None:
    data = (root / "seeds" / "000_fe77c5f8a7169b59.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SEED_SHA256


@pytest.mark.skipif(not SHARED.exists(), reason="the shared seed is not beside this checkout")
def test_seed_matches_shared_copy(root: Path) -> None:
    assert (root / "seeds" / SHARED.name).read_bytes() == SHARED.read_bytes()


def test_article_is_cut_from_the_page(root: Path) -> None:
    paras = load_paragraphs(root / "seeds" / "000_fe77c5f8a7169b59.txt")
    assert len(paras) == 115
    assert paras[0].id == "P001" and paras[0].text.startswith("多年后井贤栋")
    assert paras[-1].id == "P115" and paras[-1].text.endswith("自我约束的。")
    texts = [p.text for p in paras]
    assert not any("举报" in t or "回帖" in t for t in texts), "spam title or footer kept"


PAGE = "spam title\n\nfirst para\n\nsecond para\n\nfirst para\n\nsecond para\n\nfooter\n"


def test_split_keeps_one_copy() -> None:
    paras = split_article(PAGE)
    assert [p.text for p in paras] == ["first para", "second para"]
    assert [p.line for p in paras] == [3, 5]


@pytest.mark.parametrize(
    "page, message",
    [
        ("title\n\nonly once\n\nfooter\n", "does not appear twice"),
        (PAGE.replace("second para\n\nfooter", "second pare\n\nfooter"), "copies of the article differ"),
        ("t\n\na\n\nb\n\na\n", "copies of the article differ"),
    ],
)
def test_split_refuses_bad_copies(page: str, message: str) -> None:
    with pytest.raises(CasebookError, match=message):
        split_article(page)


@pytest.mark.parametrize(
    "content, message",
    [(b"", "is empty"), (b"  \n\n", "is empty"), (b"ok\n\xff\xfe bad", "not valid UTF-8")],
)
def test_bad_seed_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "seed.txt"
    path.write_bytes(content)
    with pytest.raises(CasebookError, match=message):
        read_seed(path)


def test_missing_seed(tmp_path: Path) -> None:
    with pytest.raises(CasebookError, match="not found"):
        read_seed(tmp_path / "nope.txt")
