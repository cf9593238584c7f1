"""Search haystacks: the text, its pinyin initials and full pinyin; all query terms must match."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypinyin import Style, pinyin

from ysdesk.domain.search import (
    _WORD_READINGS,
    matches,
    normalize_search_text,
    project_haystack,
    query_terms,
    recoded_haystack,
    search_haystack,
)


@pytest.mark.parametrize(
    ("texts", "query", "expected"),
    [
        (("复旦大学",), "复旦", True),
        (("复旦大学",), "fd", True),
        (("复旦大学",), "FD", True),
        (("复旦大学",), "ｆｄ", True),
        (("复旦大学",), "fddx", True),
        (("复旦大学",), "fudan", True),
        (("复旦大学",), "FuDanDaXue", True),
        (("复旦大学",), "  fd   dx ", True),
        (("复旦大学",), "fd 大学", True),
        (("复旦大学",), "fd tj", False),
        (("复旦大学",), "同济", False),
        (("复旦大学",), "fdx", False),
        (("复旦大学",), "", True),
        (("复旦大学",), "   ", True),
        (("支持复旦大学世界一流大学建设", "区科委"), "qkw", True),
        (("支持复旦大学世界一流大学建设", "区科委"), "zcfd", True),
        (("支持复旦大学世界一流大学建设", "区科委"), "kewei", True),
        # Terms never match across two texts or across punctuation.
        (("复旦", "大学"), "旦大", False),
        (("复旦", "大学"), "fddx", False),
        (("复旦、大学",), "fddx", False),
        (("复旦、大学",), "fd", True),
        # Words whose reading differs from their characters' defaults.
        (("长三角一体化",), "csj", True),
        (("长三角一体化",), "changsanjiao", True),
        (("长期",), "cq", True),
        (("重点行业着力调研",), "zdhyzldy", True),
        (("重新",), "cx", True),
        (("中国银行",), "zgyh", True),
        (("中国银行",), "yinhang", True),
        (("中国银行",), "zgyx", False),
        (("行业协会",), "hyxh", True),
        (("协调推进",), "xttj", True),
        (("局长",), "jz", True),
        (("各行各业",), "ghgy", True),
        # Latin letters and digits stay as written and join the initials.
        (("AI创新中心",), "ai创新", True),
        (("AI创新中心",), "aicx", True),
        (("AI创新中心",), "aichuangxin", True),
        (("２０２５年项目清单",), "2025", True),
        (("２０２５年项目清单",), "2025n", True),
        (("Hub for AI",), "HUB", True),
        (("区科委（牵头）",), "（牵头）", True),
        (("杨浦区 科学技术委员会",), "区 科学", True),
    ],
)
def test_matches(texts: tuple[str, ...], query: str, expected: bool) -> None:
    assert matches(search_haystack(*texts), query) is expected


def test_haystack_holds_text_initials_and_full_pinyin() -> None:
    assert search_haystack("复旦大学").split("\n") == ["复旦大学", "fddx", "fudandaxue"]


def test_haystack_of_latin_text_is_the_text() -> None:
    assert search_haystack("ABC Lab", "", None) == "abc lab"  # type: ignore[arg-type]


def test_haystack_of_nothing_is_empty() -> None:
    assert search_haystack() == ""
    assert search_haystack("", "   ") == ""


def test_query_terms_are_normalised() -> None:
    assert query_terms("  ＦＤ\u3000复旦  Lab ") == ["fd", "复旦", "lab"]
    assert normalize_search_text(" Ａ  b\u3000Ｃ ") == "a b c"


@given(st.lists(st.text(), max_size=4), st.text())
def test_every_text_finds_itself(texts: list[str], query_source: str) -> None:
    haystack = search_haystack(*texts)
    assert haystack == haystack.lower()
    for text in texts:
        assert matches(haystack, text)
    assert matches(haystack, "")
    assert matches(search_haystack(query_source), query_source)


# Codes are mostly ASCII, sometimes blank, full-width or Chinese.
_FIELD_TEXT = st.text(alphabet=st.sampled_from("复旦区AI 2025-０１\u3000，\n长三角"), max_size=8)
_UNITS = st.lists(st.text(min_size=1, max_size=6), max_size=3)


@given(
    name=st.text(min_size=1),
    code=_FIELD_TEXT,
    goal=st.text(),
    lead=_UNITS,
    co=_UNITS,
    progress=st.text(),
    new_code=_FIELD_TEXT,
)
def test_a_recoded_haystack_is_the_haystack_with_the_new_code_and_no_progress(
    name: str, code: str, goal: str, lead: list[str], co: list[str], progress: str, new_code: str
) -> None:
    haystack = project_haystack(name, code, goal, lead, co, progress)
    assert recoded_haystack(haystack, name, code, new_code, progress) == project_haystack(
        name, new_code, goal, lead, co, ""
    )


@pytest.mark.parametrize(
    "haystack",
    ["", "复旦\nfd\nfudan", project_haystack("复旦", "2025-01-01", "", (), (), "")],
)
def test_a_haystack_of_other_texts_is_not_recoded(haystack: str) -> None:
    with pytest.raises(ValueError):
        recoded_haystack(haystack, "复旦大学", "2025-01-02", "2026-01-01", "")


# Characters of the listed context words read differently next to each other; leave them out
# so the per-character reading is the expected one.
_COMMON_HANZI = st.characters(
    min_codepoint=0x4E00, max_codepoint=0x9FA5, exclude_characters="".join(_WORD_READINGS)
)


@given(st.text(alphabet=_COMMON_HANZI, min_size=1, max_size=30))
def test_initials_and_full_pinyin_of_any_hanzi_text_match(text: str) -> None:
    haystack = search_haystack(text)
    readings = [pinyin(ch, style=Style.NORMAL)[0][0] for ch in text]
    if all(r.isascii() and r.isalpha() for r in readings):
        assert matches(haystack, "".join(r[0] for r in readings))
        assert matches(haystack, "".join(readings))
        assert matches(haystack, "".join(readings).upper())


def test_haystacks_are_fast_enough_for_a_large_list() -> None:
    """Guards against falling back to phrase-level pinyin, which is about 100× slower."""
    name = "推进复旦大学科技园重点实验室建设，打造长三角人工智能创新策源地"
    units = "杨浦区科学技术委员会、复旦大学、同济大学、区商务委"
    search_haystack(name, units)  # warm the per-character table
    started = time.perf_counter()
    for index in range(5000):
        search_haystack(f"{name}{index}", units)
    # ≈ 0.1 s on a shared VM; phrase-level pinyin would take ≈ 15 s.
    assert time.perf_counter() - started < 3
