"""Search over Chinese text, also by pinyin initials ("fddx") and full pinyin ("fudandaxue")."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from functools import lru_cache

from pypinyin import Style, pinyin

from ysdesk.domain.text import normalize_search_text, query_terms

# Pinyin is looked up per character, not per phrase: pypinyin's phrase-aware lazy_pinyin costs
# about 3 µs a character (≈ 12 minutes for 100,000 projects of 230 characters). Here each
# distinct character is looked up once (a dict cache), and one str.translate over a table of
# "Fu"/"Dan"-style tokens yields both the full pinyin and, by dropping the lower-case letters,
# the initials: one character-by-character pass per text, the rest are fast C passes.
#
# Per-character readings miss context (银行 would read yin-xing, 协调 xie-diao), and even
# lazy_pinyin reads 长三角 zhang-san-jiao. Words of plan and project text whose reading differs
# from their characters' defaults are listed below; before translation each is swapped for
# private-use characters that carry the right syllables. Unlisted words keep the defaults.
#
# Measured (Python 3.11, a shared 2-core VM under load), 100,000 haystacks of distinct project
# names plus a unit list (units repeat, names do not): ≈ 60 characters each 1.5–2.2 s, ≈ 220
# characters each 4.5–6 s, of which str.translate is ≈ 100 ns a character. Holding 100,000
# haystacks of ≈ 1,100 characters takes ≈ 220 MB (hanzi make a str two bytes a character).

_WORD_READINGS: dict[str, str] = {
    "长三角": "chang san jiao",
    "长期": "chang qi",
    "长效": "chang xiao",
    "长远": "chang yuan",
    "长江": "chang jiang",
    "长足": "chang zu",
    "长宁": "chang ning",
    "长兴岛": "chang xing dao",
    "长租": "chang zu",
    "延长": "yan chang",
    "专长": "zhuan chang",
    "特长": "te chang",
    "擅长": "shan chang",
    "银行": "yin hang",
    "行业": "hang ye",
    "各行": "ge hang",
    "同行": "tong hang",
    "央行": "yang hang",
    "投行": "tou hang",
    "行长": "hang zhang",
    "行情": "hang qing",
    "重庆": "chong qing",
    "重新": "chong xin",
    "重组": "chong zu",
    "重复": "chong fu",
    "重建": "chong jian",
    "重塑": "chong su",
    "重构": "chong gou",
    "重启": "chong qi",
    "双重": "shuang chong",
    "协调": "xie tiao",
    "调整": "tiao zheng",
    "调控": "tiao kong",
    "调节": "tiao jie",
    "调解": "tiao jie",
    "空调": "kong tiao",
    "率先": "shuai xian",
    "着力": "zhuo li",
    "着眼": "zhuo yan",
    "着重": "zhuo zhong",
    "着手": "zhuo shou",
    "供给": "gong ji",
    "首都": "shou du",
    "都市": "du shi",
    "角色": "jue se",
    "薄弱": "bo ruo",
    "会计": "kuai ji",
    "音乐": "yin yue",
    "西藏": "xi zang",
}

# Deletes the lower-case letters of the ASCII token string; str.translate is fast on ASCII.
_DROP_SYLLABLE_TAILS = str.maketrans("", "", string.ascii_lowercase)


def _token(char: str) -> str:
    """One character as a capitalised syllable ("Fu"); Latin letters "A", digits "7", else " "."""
    if char.isascii():
        # Latin letters count as one-letter syllables so "ai创新" gives "aicx" and "aichuangxin".
        if char.isalpha():
            return char.upper()
        return char if char.isdigit() else " "
    reading = pinyin(char, style=Style.NORMAL)[0][0]
    if reading == char or not (reading.isascii() and reading.isalpha()):
        return " "
    return reading[0].upper() + reading[1:].lower()


# Character code → token, filled on first sight of each character. A plain dict, not a dict
# subclass with __missing__: str.translate reads an exact dict about a third faster. ASCII is
# filled up front because _tokens can only notice unknown characters that are not ASCII.
_TOKENS: dict[int, str] = {code: _token(chr(code)) for code in range(128)}


def _tokens(text: str) -> str:
    """The text with every character replaced by its token; an ASCII string."""
    tokens = text.translate(_TOKENS)
    if not tokens.isascii():
        # Characters seen for the first time passed through unchanged: learn them, redo.
        _TOKENS.update({ord(char): _token(char) for char in set(text) if ord(char) not in _TOKENS})
        tokens = text.translate(_TOKENS)
    return tokens


def _word_substitutes() -> dict[str, str]:
    """Each listed word with its misread characters swapped for private-use stand-ins."""
    stand_ins: dict[tuple[str, str], str] = {}
    substitutes: dict[str, str] = {}
    for word, spelled in _WORD_READINGS.items():
        chars = []
        for char, reading in zip(word, spelled.split(), strict=True):
            if _token(char).lower() != reading:
                if (char, reading) not in stand_ins:
                    stand_in = chr(0xE000 + len(stand_ins))
                    stand_ins[char, reading] = stand_in
                    _TOKENS[ord(stand_in)] = reading.capitalize()
                char = stand_ins[char, reading]
            chars.append(char)
        substitutes[word] = "".join(chars)
    return substitutes


_WORD_SUBSTITUTES = _word_substitutes()
_LISTED_WORDS = re.compile("|".join(sorted(_WORD_READINGS, key=len, reverse=True)))


def _with_word_readings(text: str) -> str:
    """The text with listed words swapped for their stand-ins (a C scan when there are none)."""
    return _LISTED_WORDS.sub(lambda match: _WORD_SUBSTITUTES[match.group()], text)


def search_haystack(*texts: str) -> str:
    """One lower-case string holding the texts, their pinyin initials and their full pinyin."""
    parts: list[str] = []
    for raw in texts:
        text = normalize_search_text(raw or "")
        if text:
            parts.append(text)
            if not text.isascii():
                parts.extend(_pinyin_parts(text))
    # Newlines keep a term from matching across two parts; a term never holds whitespace.
    return "\n".join(parts)


def project_haystack(
    name: str,
    code: str,
    goal: str,
    lead_units: Sequence[str],
    co_units: Sequence[str],
    progress: str,
) -> str:
    """A project's search text: its name, code, goal, units and progress, in this order."""
    return search_haystack(name, code, goal, " ".join(lead_units), " ".join(co_units), progress)


def haystack_lines(text: str) -> int:
    """How many lines `text` adds to a haystack: none when blank, one (itself) when it is
    ASCII, else three (itself, its initials, its full pinyin)."""
    normal = normalize_search_text(text or "")
    return 0 if not normal else 1 if normal.isascii() else 3


def recoded_haystack(haystack: str, name: str, code: str, new_code: str, progress: str) -> str:
    """project_haystack of a project given `new_code` and no progress, made from its current
    `haystack` (of `name`, `code`, …, `progress`) without looking up the pinyin of its name,
    goal and units again: a year's rollover copies tens of thousands of projects.

    Raises ValueError when `haystack` is not laid out as project_haystack lays out these texts.
    """
    lines = haystack.split("\n") if haystack else []
    start = haystack_lines(name)
    old = search_haystack(code)
    old_code = old.split("\n") if old else []
    end = len(lines) - haystack_lines(progress)
    if end < start + len(old_code) or lines[start : start + len(old_code)] != old_code:
        raise ValueError("haystack not made from these texts")
    new = search_haystack(new_code)
    return "\n".join([*lines[:start], *([new] if new else []), *lines[start + len(old_code) : end]])


def matches(haystack: str, query: str) -> bool:
    """Whether every term of the query occurs in the haystack (an empty query matches all)."""
    return all(term in haystack for term in query_terms(query))


# Unit lists repeat across thousands of projects ("区科委、复旦大学"), names rarely do; a
# bounded cache of whole texts saves much of the work for typical projects.
@lru_cache(maxsize=4096)
def _pinyin_parts(text: str) -> tuple[str, str]:
    """Initials and full pinyin of a lower-case text, split into words at punctuation."""
    # Spaces are left as they fall (a term never holds one): collapsing them costs time.
    tokens = _tokens(_with_word_readings(text))
    # Without the lower-case tails only the capital initials (and digits, spaces) remain.
    return tokens.translate(_DROP_SYLLABLE_TAILS).lower(), tokens.lower()
