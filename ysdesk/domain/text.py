"""Cleaning of text as it arrives from spreadsheet cells and keyboards."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time

from ysdesk.domain.patterns import lazy_compile

# Full-width punctuation that is ordinary Chinese typography (GB/T 15834): converting it would
# turn "区科委（牵头）" into "区科委(牵头)" in text the user reads, so by default it stays.
CJK_PUNCTUATION = "，；：（）！？"

_FULLWIDTH_OFFSET = 0xFF01 - 0x21
_HALFWIDTH_ALL: dict[int, str] = {
    code: chr(code - _FULLWIDTH_OFFSET) for code in range(0xFF01, 0xFF5F)
}
_HALFWIDTH_ALL[0x3000] = " "  # ideographic space
_HALFWIDTH_KEEP_CJK: dict[int, str] = {
    code: char for code, char in _HALFWIDTH_ALL.items() if chr(code) not in CJK_PUNCTUATION
}
# Only the runs of full-width characters are translated: str.translate over a whole text pays
# for every character it looks up in vain, which made search haystacks several times slower.
_FULLWIDTH_RUN = lazy_compile("[\uff01-\uff5e\u3000]+")
_FULLWIDTH_RUN_NOT_CJK = lazy_compile(
    "[" + re.escape("".join(chr(code) for code in _HALFWIDTH_KEEP_CJK)) + "]+"
)

# C0/C1 control characters except tab and newline, plus invisible characters that copy-paste
# from Word and web pages leaves in cells (zero-width spaces/joiners, word joiner, BOM, soft
# hyphen); they make equal-looking names compare unequal.
_INVISIBLE = lazy_compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200d\u2060\ufeff]",
)
_HORIZONTAL_SPACE = lazy_compile(r"[^\S\n]+")


def to_halfwidth(s: str, *, cjk_punctuation: bool = False) -> str:
    """Turn full-width ASCII letters, digits, symbols and the ideographic space half-width."""
    if cjk_punctuation:
        return _FULLWIDTH_RUN.sub(_halfwidth_all, s)
    return _FULLWIDTH_RUN_NOT_CJK.sub(_halfwidth_keep_cjk, s)


def normalize_search_text(text: str) -> str:
    """Text as haystacks and queries compare it: half-width, lower-case, single spaces."""
    # Chinese punctuation （，；） stays full-width: converting it costs a callback per mark
    # in every haystack, and nobody searches for a bracket.
    return " ".join(to_halfwidth(text).lower().split())


def query_terms(query: str) -> list[str]:
    """The whitespace-separated terms of a query, normalised; every one must match."""
    return normalize_search_text(query).split()


def _halfwidth_all(match: re.Match[str]) -> str:
    return match.group().translate(_HALFWIDTH_ALL)


def _halfwidth_keep_cjk(match: re.Match[str]) -> str:
    return match.group().translate(_HALFWIDTH_KEEP_CJK)


def normalize_spaces(s: str) -> str:
    """Collapse runs of spaces (also ideographic and no-break) to one; trim lines; keep newlines."""
    lines = (_HORIZONTAL_SPACE.sub(" ", line).strip() for line in s.split("\n"))
    return "\n".join(lines).strip("\n")


def remove_spaces(s: str) -> str:
    """Drop every whitespace character, including ideographic and no-break spaces."""
    return "".join(s.split())


def clean_cell_text(value: object) -> str:
    """Turn any cell value into stripped text: None → "", 2025.0 → "2025", no control chars."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        # Spreadsheets show booleans as TRUE/FALSE; str(True) would be "True".
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float):
        text = _float_text(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        try:
            text = str(value)
        except Exception:
            # A foreign object with a broken __str__ must not abort a whole import.
            return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", text).strip()


def _float_text(value: float) -> str:
    """Numeric cells arrive as floats: whole ones print as integers, others as a sheet shows."""
    if not math.isfinite(value):
        return ""
    if value.is_integer():
        return str(int(value))
    # 15 significant digits is what Excel displays; it hides binary noise like 0.30000000000000004.
    return f"{value:.15g}"


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: a Chinese (wide or full-width) character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
