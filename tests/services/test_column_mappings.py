"""What a read is told from the database, and what an applied import remembers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ysdesk.domain.errors import UserError
from ysdesk.exchange.columns import header_signature
from ysdesk.services.column_mappings import field_maps, parse_maps, reading_options
from ysdesk.services.importer import apply_import, preview_file, revert_import
from ysdesk.store import Store
from ysdesk.store.mappings import list_mappings, save_mapping

HEADER = ["待办事项", "责任部门", "配合部门", "计划完成时间", "进展情况"]


def _sheet(path: Path, header: list[str] = HEADER) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(header)
    wb.active.append(
        ["战略科学家引进工程", "区人才局", "区科委、复旦大学", "2026年底前", "已签约。"]
    )
    wb.save(path)
    return path


def _save(store: Store, unit: str, fields: dict[str, str]) -> int:
    return save_mapping(
        store,
        signature=header_signature(HEADER),
        unit=unit,
        headers=HEADER,
        fields=fields,
        file_name=f"{unit or '无'}.xlsx",
    )


def test_the_units_own_mapping_comes_first(sample_store: Store) -> None:
    anyone = _save(sample_store, "", {"待办事项": "name"})
    own = _save(sample_store, "区人才局", {"待办事项": "name", "配合部门": "skip"})
    signature = header_signature(HEADER)
    # Without a unit, or for another unit: the one saved without a unit.
    assert reading_options(sample_store).saved[signature].id == anyone
    # Written as an alias, the unit is still the unit.
    options = reading_options(sample_store, unit="区委人才办")
    assert options.unit == "区人才局" and options.saved[signature].id == own
    assert [m.id for m in options.unit_saved] == [own]
    assert reading_options(sample_store, unit="区科委").saved[signature].id == anyone


def test_an_applied_import_remembers_what_it_read_and_only_then(
    sample_store: Store, tmp_path: Path
) -> None:
    path = _sheet(tmp_path / "督办.xlsx")
    options = reading_options(sample_store, maps=parse_maps(["待办事项=name"]))
    preview = preview_file(sample_store, path, year=2025, options=options)
    assert preview.learned == {"待办事项": "name"}
    assert list_mappings(sample_store) == []  # a preview saves nothing
    receipt = apply_import(sample_store, preview)
    (saved,) = list_mappings(sample_store)
    assert saved.fields == {"待办事项": "name"} and saved.signature == preview.signature
    assert saved.file_name == "督办.xlsx" and saved.unit == ""
    # Undoing the import keeps the mapping: how a department's columns read is not data.
    revert_import(sample_store, receipt)
    assert len(list_mappings(sample_store)) == 1
    again = preview_file(sample_store, path, year=2025, options=reading_options(sample_store))
    assert again.columns[0].source == "saved"


def test_a_sheet_read_by_synonyms_alone_saves_nothing(sample_store: Store, tmp_path: Path) -> None:
    header = ["项目名称", *HEADER[1:]]
    preview = preview_file(sample_store, _sheet(tmp_path / "a.xlsx", header), year=2025)
    assert preview.learned == {}
    apply_import(sample_store, preview)
    assert list_mappings(sample_store) == []


def test_maps_from_the_window_name_fields_as_the_command_line_does() -> None:
    assert field_maps([("待办事项", "name"), ("联系人", "skip")]) == (
        ("待办事项", "name"),
        ("联系人", "skip"),
    )
    with pytest.raises(UserError, match="“牵头单位”只能对应一列"):
        field_maps([("甲", "lead"), ("乙", "lead")])
    with pytest.raises(UserError, match="--header-row"):
        reading_options(Store.memory(), header_row=0)
