"""The matrix view: model checks, the two-row header, clicks that filter the project table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.report_helpers import Recorder, make_ctx
from ysdesk.domain.model import ProjectFilter, Role
from ysdesk.services.matrix import CountBy
from ysdesk.store import Store
from ysdesk.ui.matrix_view import (
    CO_COLUMN,
    GROUP_ROLE,
    LEAD_COLUMN,
    TASKS_FROM,
    GroupedHeader,
    MatrixView,
)


def _view(qtbot, store: Store, tmp_path: Path, today: date) -> tuple[MatrixView, Recorder]:
    nav = Recorder()
    view = MatrixView(make_ctx(store, tmp_path, today), nav)
    qtbot.addWidget(view)
    view.resize(1400, 800)
    view.show()
    qtbot.waitExposed(view)
    return view, nav


def test_model_passes_the_model_tester_in_both_modes(
    qtbot, qtmodeltester, sample_store: Store, tmp_path: Path, today: date
) -> None:
    view, _ = _view(qtbot, sample_store, tmp_path, today)
    qtmodeltester.check(view.model)
    view.set_count_by(CountBy.TASKS)
    assert view.model.matrix().by is CountBy.TASKS
    qtmodeltester.check(view.model)
    view.all_units.setChecked(True)
    assert view.model.rowCount() == len(sample_store.units()) + 1
    qtmodeltester.check(view.model)


def test_cells_headers_and_tooltips(
    qtbot, sample_store: Store, tmp_path: Path, today: date
) -> None:
    view, _ = _view(qtbot, sample_store, tmp_path, today)
    model = view.model
    matrix = model.matrix()
    row = [r.unit for r in matrix.rows].index("区科委")
    cell = matrix.rows[row].cells[1]
    index = model.index(row, model.column_of_task(1))
    text = model.data(index)
    assert (f"●{cell.lead}" in text) == bool(cell.lead)
    assert model.data(model.index(row, LEAD_COLUMN)) == str(matrix.rows[row].lead_total)
    assert model.data(model.index(row, CO_COLUMN)) == str(matrix.rows[row].co_total)
    tooltip = model.data(index, Qt.ToolTipRole)
    assert "第 1 项任务：" in tooltip and "区科委" in tooltip
    assert model.data(index, Qt.BackgroundRole) is not None
    # Header: task numbers below, their area above; the totals under 合计.
    assert model.headerData(TASKS_FROM, Qt.Horizontal) == "1"
    assert model.headerData(TASKS_FROM, Qt.Horizontal, GROUP_ROLE).startswith("（一）")
    assert model.headerData(TASKS_FROM + 5, Qt.Horizontal, GROUP_ROLE).startswith("（二）")
    header = view.table.horizontalHeader()
    assert isinstance(header, GroupedHeader)
    assert header.group_span(TASKS_FROM + 2) == (TASKS_FROM, TASKS_FROM + 4)
    assert header.group_span(LEAD_COLUMN) == (LEAD_COLUMN, CO_COLUMN)
    assert header.height() >= 2 * header.fontMetrics().height()
    last_row = model.rowCount() - 1
    assert model.headerData(last_row, Qt.Vertical) == "合计"
    # Every count fits its column (no "…" anywhere).
    widest = max(
        (
            model.data(model.index(r, c)) or ""
            for r in range(last_row)
            for c in range(TASKS_FROM, model.columnCount())
        ),
        key=len,
    )
    assert view.table.fontMetrics().horizontalAdvance(widest) < header.sectionSize(TASKS_FROM)
    assert "多个单位牵头的任务" in view.checks.toPlainText()
    assert "未承担任务的单位" in view.checks.toPlainText()


def test_clicking_a_cell_filters_the_project_table(
    qtbot, sample_store: Store, tmp_path: Path, today: date
) -> None:
    view, nav = _view(qtbot, sample_store, tmp_path, today)
    model = view.model
    matrix = model.matrix()
    row = [r.unit for r in matrix.rows].index("区科委")
    column = model.column_of_task(1)
    rect = view.table.visualRect(model.index(row, column))
    qtbot.mouseClick(view.table.viewport(), Qt.LeftButton, pos=rect.center())
    project_filter, title = nav.shown[-1]
    assert project_filter == ProjectFilter(year=2025, unit="区科委", task_no=1)
    assert "区科委" in title and "第 1 项任务" in title
    cell = matrix.rows[row].cells[1]
    listed = sample_store.list_projects(project_filter)
    assert len(listed) == cell.lead + cell.co
    # The 牵头 total lists exactly the projects the unit leads.
    lead_filter, _ = view.filter_for(model.index(row, LEAD_COLUMN))
    assert lead_filter.role is Role.LEAD
    assert len(sample_store.list_projects(lead_filter)) == matrix.rows[row].lead_total
    # The 合计 row of a task lists that task's projects; an empty cell lists nothing.
    total_filter, _ = view.filter_for(model.index(model.rowCount() - 1, column))
    assert total_filter == ProjectFilter(year=2025, task_no=1)
    empty = next(
        c for c in range(TASKS_FROM, model.columnCount()) if not model.data(model.index(0, c))
    )
    assert view.filter_for(model.index(0, empty)) is None


def test_view_follows_changes(qtbot, sample_store: Store, tmp_path: Path, today: date) -> None:
    from ysdesk.domain.model import Project
    from ysdesk.services.changes import Changes

    view, _ = _view(qtbot, sample_store, tmp_path, today)
    before = view.model.matrix().rows
    new = sample_store.insert_project(
        Project(id=None, year=2025, name="新项目", task_no=3, lead_units=("市教委",))
    )
    view.ctx.notify(Changes.inserted(new.id, new.version))
    row = view.model.matrix().row("市教委")
    assert row is not None and row.cells[3].lead == 1
    assert view.model.matrix().rows != before


def test_a_database_without_the_plan_says_so(qtbot, tmp_path: Path, today: date) -> None:
    store = Store.memory()
    try:
        view, _ = _view(qtbot, store, tmp_path, today)
        assert "没有方案的重点任务" in view.checks.toPlainText()
        assert view.model.rowCount() == 0
    finally:
        store.close()
