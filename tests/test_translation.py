"""The English translation: complete, and every number carried over."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casebook import edition
from casebook.edition import numbercheck


@pytest.fixture(scope="module")
def paras() -> list[edition.Paragraph]:
    return edition.load()


def test_every_paragraph_has_english(paras) -> None:
    for p in paras:
        assert len(p.en) > 0.25 * len(p.text), f"{p.id} looks like a summary, not a translation"
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in p.en), f"{p.id}: Chinese left in English"


def test_numbers_survive_translation(paras) -> None:
    bad = {p.id: numbercheck.compare(p.text, p.en) for p in paras}
    assert {k: v for k, v in bad.items() if v} == {}


@pytest.mark.parametrize(
    "zh, en",
    [
        ("超过8亿人参与", "more than 800 million people"),
        ("估值就已经达到1500亿美元", "a valuation of US$150 billion"),
        ("2016年11月24日支付宝上线", "On November 24, 2016, Alipay launched"),
        ("这个1万多人的团队", "this team of more than 10,000"),
        ("仅10~15人参加", "only 10 to 15 people"),
        ("9点钟开卖,9点05分就卖光了", "went on sale at 9 o'clock and sold out by 9:05"),
        ("7.22亿元的罚单", "a fine of 722 million yuan"),
        ("今年5月", "This May [2019]"),
    ],
)
def test_numbers_that_correspond(zh: str, en: str) -> None:
    assert numbercheck.compare(zh, en) is None


@pytest.mark.parametrize(
    "zh, en, missing",
    [
        ("超过8亿人", "more than 80 million people", "missing in English: 800,000,000"),
        ("2016年11月", "in 2016", "missing in English: month 11"),
        ("用户规模达到了7800万", "78 million users and 5 more", "not in Chinese: 5"),
    ],
)
def test_numbers_that_differ_are_reported(zh: str, en: str, missing: str) -> None:
    assert missing in (numbercheck.compare(zh, en) or "")


def test_modal_may_is_not_a_month() -> None:
    assert ("month", Decimal(5)) not in numbercheck.en_numbers("it may take time")
