"""Export use cases: where the workbooks may go."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ysdesk.domain.errors import UserError
from ysdesk.services.exporter import export, export_division, export_list, export_matrix
from ysdesk.store import Store


@pytest.mark.parametrize("name", ["清单.xls", "清单.txt", "清单", "清单.xlsx.bak"])
@pytest.mark.parametrize("kind", ["list", "division", "matrix"])
def test_a_workbook_must_be_named_xlsx(
    sample_store: Store, today: date, tmp_path: Path, kind: str, name: str
) -> None:
    """An .xlsx written under another name makes Excel and WPS warn that the file's format
    and extension do not match (or not open it at all)."""
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(UserError, match=r"\.xlsx 结尾"):
        export(sample_store, kind, 2025, tmp_path / name, today=today)
    writer = {"list": export_list, "division": export_division, "matrix": export_matrix}[kind]
    with pytest.raises(UserError, match=r"\.xlsx 结尾"):
        writer(sample_store, 2025, tmp_path / name, today=today)
    assert list(tmp_path.iterdir()) == []


def test_the_extension_may_be_upper_case(sample_store: Store, today: date, tmp_path: Path) -> None:
    assert export(sample_store, "list", 2025, tmp_path / "清单.XLSX", today=today) == [
        tmp_path / "清单.XLSX"
    ]
