"""Unit names as departments write them: normalising, splitting a cell, resolving aliases."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from ysdesk.domain.model import Unit
from ysdesk.domain.patterns import lazy_compile
from ysdesk.domain.text import clean_cell_text, remove_spaces

# Words that say what part a unit plays; any but the lead words marks a unit as not leading.
# 责任/负责 are stripped too, though in a 分工表 "责任单位" may mean the lead or every unit.
_LEAD_WORDS = frozenset({"牵头", "主办", "主责"})
_ROLE = "牵头|主办|主责|配合|协办|参与|协助|责任|负责"

# Marks are matched after NFKC and bracket unification, so only ASCII brackets and colons occur.
_HEADING = lazy_compile(rf"^({_ROLE})(?:单位|部门)?:")
_INLINE_MARK = lazy_compile(rf"\(({_ROLE})(?:单位|部门)?\)")
_TRAILING_MARK = lazy_compile(rf"({_ROLE})$")
_TRAILING_ETC = lazy_compile(r"等(?:相关)?(?:单位|部门)?$")
_EMPTY_BRACKETS = lazy_compile(r"\(\)")
_WRAPPED = lazy_compile(r"\([^()]+\)")
_EDGE_PUNCTUATION = "、,;:。.·-"

_OPEN_BRACKETS = "([【〔〖{"
_CLOSE_BRACKETS = ")]】〕〗}"
_TO_ASCII_BRACKETS = str.maketrans(
    _OPEN_BRACKETS + _CLOSE_BRACKETS, "(" * len(_OPEN_BRACKETS) + ")" * len(_CLOSE_BRACKETS)
)
_TO_CHINESE_BRACKETS = str.maketrans("()", "（）")

# Separators between units in one cell (after NFKC: ，；／ have become , ; /). " 和 " is not one:
# 杨浦区发展和改革委员会 is one unit.
_SEPARATORS = frozenset("、,;/\n")
_ANY_SEPARATOR = lazy_compile("[、,;/\n]")

# Sheets name the same district bureau as 杨浦区X, 上海市杨浦区X or 区X (and city bodies as
# 上海市X or 市X). Tried only when the name as written is not registered, and a variant counts
# only when it is exactly a registered name or alias.
_PREFIX_VARIANTS: tuple[tuple[str, str], ...] = (
    ("上海市杨浦区", "杨浦区"),
    ("上海市杨浦区", "区"),
    ("杨浦区", "区"),
    ("区", "杨浦区"),
    ("上海市", "市"),
    ("市", "上海市"),
)


def normalize_unit_name(s: object) -> str:
    """A unit name without spaces, role marks ("（牵头）", "牵头：") or trailing 等, with （）."""
    return _parse_piece(_prepare(s))[0]


def unit_key(s: object) -> str:
    """The form two unit names are compared in: normalised and case-folded."""
    return normalize_unit_name(s).casefold()


def split_units(text: object) -> list[tuple[str, bool]]:
    """Split a cell of units into (normalised name, marked lead), in order, without repeats."""
    result: list[tuple[str, bool]] = []
    position: dict[str, int] = {}
    heading_lead = False
    for piece in _split_top_level(_prepare(text)):
        name, heading, mark = _parse_piece(piece)
        if heading is not None:
            # "牵头单位：A、B；配合单位：C": a heading speaks for the pieces that follow it.
            heading_lead = heading in _LEAD_WORDS
        lead = mark in _LEAD_WORDS if mark is not None else heading_lead
        if not name:
            continue
        key = name.casefold()
        if key in position:
            index = position[key]
            result[index] = (result[index][0], result[index][1] or lead)
            continue
        position[key] = len(result)
        result.append((name, lead))
    return result


class UnitResolver:
    """Maps a unit name as written (canonical or alias, in any spacing or width) to its name."""

    def __init__(self, units: Iterable[Unit] = ()) -> None:
        self._canonical: dict[str, str] = {}
        self._aliases: dict[str, str] = {}
        for unit in units:
            self.add(unit)

    def add(self, unit: Unit) -> None:
        """Register a unit, e.g. one an importer has just created."""
        key = unit_key(unit.name)
        if key:
            self._canonical[key] = unit.name
        for alias in unit.aliases:
            alias_key = unit_key(alias)
            # The first unit to claim an alias keeps it, so a later unit cannot take over
            # names already resolving to a different unit.
            if alias_key:
                self._aliases.setdefault(alias_key, unit.name)

    def resolve(self, name: str) -> str | None:
        """The canonical name for a canonical name or alias as written; None if unknown."""
        key = unit_key(name)
        if not key:
            return None
        for candidate in _variants(key):
            # Canonical names take precedence over aliases in case an alias of one unit was
            # (wrongly) registered with another unit's name.
            found = self._canonical.get(candidate) or self._aliases.get(candidate)
            if found is not None:
                return found
        return None

    def resolve_many(self, text: str) -> tuple[list[str], list[str], list[str]]:
        """(canonical names in order, those marked lead, unknown names as normalised) of a cell."""
        resolved: list[str] = []
        leads: list[str] = []
        unknown: list[str] = []
        for name, lead in split_units(text):
            canonical = self.resolve(name)
            if canonical is None:
                if name not in unknown:
                    unknown.append(name)
                continue
            if canonical not in resolved:
                resolved.append(canonical)
            if lead and canonical not in leads:
                leads.append(canonical)
        return resolved, leads, unknown


def _prepare(s: object) -> str:
    """Half-width (NFKC) text with ASCII brackets; newlines kept, as they separate units."""
    text = unicodedata.normalize("NFKC", clean_cell_text(s))
    return text.translate(_TO_ASCII_BRACKETS)


def _split_top_level(text: str) -> list[str]:
    """Split at separators outside brackets: "复旦大学（含附属医院、研究院）" is one unit."""
    pieces: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and char in _SEPARATORS:
            pieces.append(text[start:index])
            start = index + 1
    if depth > 0:
        # A bracket left open by a typo would swallow the rest of the cell: ignore brackets.
        return _ANY_SEPARATOR.split(text)
    pieces.append(text[start:])
    return pieces


def _parse_piece(piece: str) -> tuple[str, str | None, str | None]:
    """(normalised name, role word of a leading heading, role word marked on the name)."""
    text = remove_spaces(piece)
    heading: str | None = None
    mark: str | None = None
    match = _HEADING.match(text)
    if match:
        heading = match.group(1)
        text = text[match.end() :]
    # Strip until stable: "区科委等（牵头）" only shows its 等 once the mark is gone.
    previous = None
    while text != previous:
        previous = text
        inline = _INLINE_MARK.search(text)
        if inline:
            mark = mark or inline.group(1)
            text = _INLINE_MARK.sub("", text)
        text = _EMPTY_BRACKETS.sub("", text).strip(_EDGE_PUNCTUATION).rstrip("(").lstrip(")")
        if _WRAPPED.fullmatch(text):
            text = text[1:-1]  # "【区科委】" is the unit 区科委, not a bracket remark
        text = _TRAILING_ETC.sub("", text)
        trailing = _TRAILING_MARK.search(text)
        if trailing:
            mark = mark or trailing.group(1)
            text = text[: trailing.start()]
    return text.translate(_TO_CHINESE_BRACKETS), heading, mark


def _variants(key: str) -> Iterator[str]:
    """The key itself, then the same name with its 上海市/杨浦区/区/市 prefix swapped."""
    yield key
    for old, new in _PREFIX_VARIANTS:
        if key.startswith(old) and len(key) > len(old):
            yield new + key[len(old) :]
