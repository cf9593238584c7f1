"""Cleaning of cell and keyboard text: half-width forms, spaces, cell values."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ysdesk.domain.text import (
    CJK_PUNCTUATION,
    clean_cell_text,
    normalize_spaces,
    remove_spaces,
    to_halfwidth,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("２０２５", "2025"),
        ("２０２５年６月", "2025年6月"),
        ("ＡＢｃｄ", "ABcd"),
        ("Ｑ３", "Q3"),
        ("２０２５．９", "2025.9"),
        ("２０２５／１２／３１", "2025/12/31"),
        ("３－１２月", "3-12月"),
        ("区　科委", "区 科委"),  # ideographic space
        ("区科委（牵头）、复旦大学，同济大学；", "区科委（牵头）、复旦大学，同济大学；"),
        ("已完成！是否？注：", "已完成！是否？注："),
        ("plain ascii 123", "plain ascii 123"),
        ("", ""),
    ],
)
def test_to_halfwidth_keeps_chinese_punctuation(raw: str, expected: str) -> None:
    assert to_halfwidth(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("（牵头）", "(牵头)"),
        ("Ａ，Ｂ；Ｃ：", "A,B;C:"),
        ("好！好？", "好!好?"),
        ("、。“”", "、。“”"),  # not full-width ASCII forms: stay
    ],
)
def test_to_halfwidth_with_cjk_punctuation(raw: str, expected: str) -> None:
    assert to_halfwidth(raw, cjk_punctuation=True) == expected


@given(st.text())
def test_to_halfwidth_leaves_no_fullwidth_ascii_and_keeps_length(text: str) -> None:
    converted = to_halfwidth(text, cjk_punctuation=True)
    assert len(converted) == len(text)
    assert not re.search("[\uff01-\uff5e\u3000]", converted)
    kept = to_halfwidth(text)
    assert len(kept) == len(text)
    assert all(ch in CJK_PUNCTUATION for ch in re.findall("[\uff01-\uff5e\u3000]", kept))
    assert to_halfwidth(kept) == kept


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_to_halfwidth_is_identity_on_ascii(text: str) -> None:
    assert to_halfwidth(text, cjk_punctuation=True) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  a   b  ", "a b"),
        ("a\u3000\u3000b", "a b"),
        ("a\u00a0b\tc", "a b c"),
        ("第一行  \n   第二行", "第一行\n第二行"),
        ("\n\n 段一 \n\n 段二 \n\n", "段一\n\n段二"),
        ("", ""),
    ],
)
def test_normalize_spaces(raw: str, expected: str) -> None:
    assert normalize_spaces(raw) == expected


def test_remove_spaces_drops_every_kind() -> None:
    assert remove_spaces(" 杨浦区\u3000科学技术\u00a0委员会\t\n") == "杨浦区科学技术委员会"


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("broken")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  区科委  ", "区科委"),
        ("\u3000区科委\u3000", "区科委"),
        (2025.0, "2025"),
        (2025, "2025"),
        (5.5, "5.5"),
        (0.1 + 0.2, "0.3"),
        (46022.0, "46022"),
        (-3.0, "-3"),
        (1e20, "100000000000000000000"),
        (float("nan"), ""),
        (float("inf"), ""),
        (True, "TRUE"),
        (False, "FALSE"),
        ("第一行\r\n第二行", "第一行\n第二行"),
        ("第一行\r第二行", "第一行\n第二行"),
        ("a\tb", "a\tb"),
        ("区\x00科\x07委\x1b", "区科委"),
        ("区\u200b科\ufeff委\u00ad", "区科委"),
        ("\x85x\x9f", "x"),
        (date(2025, 12, 31), "2025-12-31"),
        (datetime(2025, 12, 31), "2025-12-31"),
        (datetime(2025, 12, 31, 10, 30), "2025-12-31 10:30:00"),
        (_Unprintable(), ""),
    ],
)
def test_clean_cell_text(value: object, expected: str) -> None:
    assert clean_cell_text(value) == expected


@given(st.one_of(st.none(), st.text(), st.integers(), st.floats(), st.booleans(), st.dates()))
def test_clean_cell_text_is_clean(value: object) -> None:
    text = clean_cell_text(value)
    assert isinstance(text, str)
    assert text == text.strip()
    assert "\r" not in text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\ufeff]", text)
    assert clean_cell_text(text) == text


@given(st.floats(min_value=-1e15, max_value=1e15).filter(float.is_integer))
def test_whole_floats_print_without_decimal_point(value: float) -> None:
    assert clean_cell_text(value) == str(int(value))
