"""Unit names as departments write them: normalising, splitting, resolving aliases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ysdesk.domain.model import Unit
from ysdesk.domain.units import UnitResolver, normalize_unit_name, split_units, unit_key

UNITS = [
    Unit(1, "区科委", "区级部门", ("杨浦区科学技术委员会", "区科技委", "杨浦区科委")),
    Unit(2, "区发展改革委", "区级部门", ("杨浦区发展和改革委员会", "区发改委")),
    Unit(3, "复旦大学", "高校", ("复旦",)),
    Unit(4, "同济大学", "高校", ()),
    Unit(5, "市科委", "市级部门", ("上海市科学技术委员会", "市科学技术委员会")),
    Unit(6, "杨浦区人民政府", "区领导机构", ("杨浦区", "区政府", "上海市杨浦区人民政府")),
    Unit(
        7,
        "临港新片区管委会",
        "市级部门",
        ("中国（上海）自由贸易试验区临港新片区管理委员会", "临港管委会"),
    ),
    Unit(8, "AI创新中心", "平台", ("人工智能创新中心",)),
    Unit(9, "区商务委", "区级部门", ("杨浦区商务委员会",)),
]


@pytest.fixture
def resolver() -> UnitResolver:
    return UnitResolver(UNITS)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("区科委", "区科委"),
        ("  杨浦区 科学技术委员会 ", "杨浦区科学技术委员会"),
        ("杨浦区\u3000科学技术\u00a0委员会", "杨浦区科学技术委员会"),
        ("区科委（牵头）", "区科委"),
        ("区科委(牵头)", "区科委"),
        ("区科委（ 牵头 ）", "区科委"),
        ("区科委（牵头单位）", "区科委"),
        ("区发改委（配合）", "区发改委"),
        ("牵头：区科委", "区科委"),
        ("牵头单位：区科委", "区科委"),
        ("配合单位:区发改委", "区发改委"),
        ("区科委牵头", "区科委"),
        ("区科委等", "区科委"),
        ("区科委等相关部门", "区科委"),
        ("区科委等（牵头）", "区科委"),
        ("区科委（牵头）等", "区科委"),
        ("区科委。", "区科委"),
        ("ＡＩ创新中心", "AI创新中心"),
        ("中国(上海)自由贸易试验区", "中国（上海）自由贸易试验区"),
        ("中国【上海】自由贸易试验区", "中国（上海）自由贸易试验区"),
        ("【区科委】", "区科委"),
        ("杨浦区发展和改革委员会", "杨浦区发展和改革委员会"),
        ("（牵头）", ""),
        ("等", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_unit_name(raw: object, expected: str) -> None:
    assert normalize_unit_name(raw) == expected


def test_unit_key_ignores_case_and_width() -> None:
    assert unit_key("ＡＩ创新中心") == unit_key("ai创新中心") == "ai创新中心"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("区科委", [("区科委", False)]),
        ("区科委、复旦大学", [("区科委", False), ("复旦大学", False)]),
        (
            "区科委，复旦大学,同济大学",
            [("区科委", False), ("复旦大学", False), ("同济大学", False)],
        ),
        (
            "区科委；复旦大学;同济大学",
            [("区科委", False), ("复旦大学", False), ("同济大学", False)],
        ),
        (
            "区科委/复旦大学／同济大学",
            [("区科委", False), ("复旦大学", False), ("同济大学", False)],
        ),
        (
            "区科委\n复旦大学\r\n同济大学",
            [("区科委", False), ("复旦大学", False), ("同济大学", False)],
        ),
        ("区科委\t复旦大学", [("区科委复旦大学", False)]),  # a tab is whitespace, not a separator
        ("杨浦区发展和改革委员会", [("杨浦区发展和改革委员会", False)]),
        ("区科委 和 复旦大学", [("区科委和复旦大学", False)]),
        ("区科委（牵头）、复旦大学", [("区科委", True), ("复旦大学", False)]),
        ("区科委(牵头)、复旦大学（配合）", [("区科委", True), ("复旦大学", False)]),
        ("复旦大学、区科委牵头", [("复旦大学", False), ("区科委", True)]),
        ("牵头：区科委", [("区科委", True)]),
        (
            "牵头单位：区科委、区发改委；配合单位：复旦大学",
            [("区科委", True), ("区发改委", True), ("复旦大学", False)],
        ),
        ("牵头单位：\n区科委", [("区科委", True)]),
        ("区科委、、，复旦大学、", [("区科委", False), ("复旦大学", False)]),
        ("区科委、区 科委、区科委（牵头）", [("区科委", True)]),
        (
            "复旦大学（含附属医院、研究院）、区科委",
            [("复旦大学（含附属医院、研究院）", False), ("区科委", False)],
        ),
        ("区科委等", [("区科委", False)]),
        ("区科委（牵头、复旦大学", [("区科委", True), ("复旦大学", False)]),  # bracket left open
        ("", []),
        ("  ", []),
        (None, []),
    ],
)
def test_split_units(text: object, expected: list[tuple[str, bool]]) -> None:
    assert split_units(text) == expected


@given(st.text())
def test_split_units_never_returns_empty_or_repeated_names(text: str) -> None:
    pieces = split_units(text)
    names = [name for name, _ in pieces]
    assert all(name for name in names)
    assert all(name == "".join(name.split()) for name in names)
    assert len({name.casefold() for name in names}) == len(names)
    assert all(isinstance(lead, bool) for _, lead in pieces)


@given(
    st.lists(st.sampled_from([u.name for u in UNITS]), min_size=1), st.sampled_from("、，,；;/／\n")
)
def test_split_units_keeps_order_of_joined_names(names: list[str], separator: str) -> None:
    expected = list(dict.fromkeys(names))
    assert [name for name, _ in split_units(separator.join(names))] == expected


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("区科委", "区科委"),
        ("杨浦区科学技术委员会", "区科委"),
        ("杨浦区 科学技术委员会", "区科委"),
        ("区科委（牵头）", "区科委"),
        ("区科技委", "区科委"),
        ("区 科 技 委", "区科委"),
        ("区科委\u3000", "区科委"),
        ("ＡＩ创新中心", "AI创新中心"),
        ("ai创新中心", "AI创新中心"),
        ("中国(上海)自由贸易试验区临港新片区管理委员会", "临港新片区管委会"),
        ("杨浦区", "杨浦区人民政府"),
        # Prefix variants: the district or city written out or shortened.
        ("上海市杨浦区科学技术委员会", "区科委"),
        ("上海市杨浦区商务委员会", "区商务委"),
        ("杨浦区商务委", "区商务委"),
        ("区商务委员会", "区商务委"),
        ("上海市科委", "市科委"),
    ],
)
def test_resolve(resolver: UnitResolver, written: str, canonical: str) -> None:
    assert resolver.resolve(written) == canonical


@pytest.mark.parametrize("written", ["", "  ", "（牵头）", "区教育局", "复旦大学附属医院", "科委"])
def test_resolve_unknown(resolver: UnitResolver, written: str) -> None:
    assert resolver.resolve(written) is None


def test_canonical_names_win_over_aliases() -> None:
    resolver = UnitResolver([Unit(1, "区政府办", aliases=("区科委",)), Unit(2, "区科委")])
    assert resolver.resolve("区科委") == "区科委"
    assert resolver.resolve("区政府办") == "区政府办"


def test_the_first_unit_to_claim_an_alias_keeps_it() -> None:
    resolver = UnitResolver(
        [Unit(1, "区科委", aliases=("科委",)), Unit(2, "市科委", aliases=("科委",))]
    )
    assert resolver.resolve("科委") == "区科委"


def test_add_registers_a_new_unit(resolver: UnitResolver) -> None:
    assert resolver.resolve("区教育局") is None
    resolver.add(Unit(10, "区教育局", aliases=("杨浦区教育局",)))
    assert resolver.resolve("区教育局") == "区教育局"
    assert resolver.resolve("杨浦区 教育局") == "区教育局"
    assert resolver.resolve("区科委") == "区科委"


def test_an_empty_resolver_knows_nothing() -> None:
    assert UnitResolver().resolve("区科委") is None


def test_resolve_many(resolver: UnitResolver) -> None:
    resolved, leads, unknown = resolver.resolve_many(
        "区科委（牵头）、复旦、区教育局；杨浦区科学技术委员会\n复旦大学，未知单位 甲、区教育局"
    )
    assert resolved == ["区科委", "复旦大学"]
    assert leads == ["区科委"]
    assert unknown == ["区教育局", "未知单位甲"]


def test_resolve_many_of_an_empty_cell(resolver: UnitResolver) -> None:
    assert resolver.resolve_many("") == ([], [], [])


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@st.composite
def _written_forms(draw: st.DrawFn) -> tuple[str, str]:
    """A registered name or alias as someone might type it, with its canonical name."""
    unit = draw(st.sampled_from(UNITS))
    name = draw(st.sampled_from((unit.name, *unit.aliases)))
    chars = []
    for ch in name:
        chars.append(draw(st.sampled_from(["", "", " ", "\u3000", "\u00a0", "\t"])))
        chars.append(_fullwidth(ch) if draw(st.booleans()) else ch)
    written = "".join(chars)
    written = written.replace("（", draw(st.sampled_from(["（", "(", "【", "["])))
    written = written.replace("）", draw(st.sampled_from(["）", ")", "】", "]"])))
    written += draw(st.sampled_from(["", "（牵头）", "(配合)", "等", " "]))
    return written, unit.name


@given(_written_forms())
def test_resolve_any_spelling_of_an_alias(form: tuple[str, str]) -> None:
    written, canonical = form
    assert UnitResolver(UNITS).resolve(written) == canonical


@given(_written_forms())
def test_resolve_many_marks_lead_on_any_spelling(form: tuple[str, str]) -> None:
    written, canonical = form
    base = written.removesuffix("（牵头）").removesuffix("(配合)")
    resolved, leads, unknown = UnitResolver(UNITS).resolve_many(f"{base}（牵头）、同济大学")
    assert resolved[0] == canonical
    assert leads == [canonical]
    assert unknown == []
