"""The dashboard view: cards and lists around a fixed day; every entry opens its project."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.report_helpers import Recorder, make_ctx
from ysdesk.domain.model import ProjectFilter, Role, Status
from ysdesk.store import Store
from ysdesk.ui.dashboard_view import DashboardView

DAY = date(2025, 12, 10)


def _view(qtbot, store: Store, tmp_path: Path, day: date = DAY) -> tuple[DashboardView, Recorder]:
    nav = Recorder()
    view = DashboardView(make_ctx(store, tmp_path, day), nav)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    qtbot.waitExposed(view)
    return view, nav


def test_models_cards_and_lists(qtbot, qtmodeltester, sample_store: Store, tmp_path: Path) -> None:
    view, _ = _view(qtbot, sample_store, tmp_path)
    for model in (view.area_model, view.unit_model, view.overdue_model, view.soon_model):
        qtmodeltester.check(model)
    board = view.board
    projects = sample_store.list_projects(ProjectFilter(year=2025))
    overdue = [p for p in projects if p.is_overdue(DAY)]
    assert view.overdue_model.rowCount() == len(overdue) == board.overdue_count
    assert view.cards["逾期"].text().startswith(f"{len(overdue)}\n")
    assert view.cards["已完成"].text() == f"{board.by_status['已完成']}\n已完成"
    assert view.area_model.rowCount() == 4
    assert sum(int(view.area_model.data(view.area_model.index(r, 1))) for r in range(4)) == len(
        projects
    )
    soon = view.soon_model
    assert soon.rowCount() == board.due_soon_count
    assert all(soon.data(soon.index(r, 4)) == "21 天" for r in range(soon.rowCount()))
    assert "2025 年共 86 个项目" in view.summary.text()
    view.days_spin.setValue(10)
    assert view.soon_model.rowCount() == 0 and view.lists.tabText(1) == "10 天内到期（0 个）"
    assert view.lists.tabText(0) == f"逾期项目（{board.overdue_count} 个）"


def test_entries_open_projects_and_cards_filter(qtbot, sample_store: Store, tmp_path: Path) -> None:
    view, nav = _view(qtbot, sample_store, tmp_path)
    first = view.overdue_model.row_item(0)
    rect = view.overdue_table.visualRect(view.overdue_model.index(0, 1))
    # A real double click is press, release, then the double-click event.
    qtbot.mouseClick(view.overdue_table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.overdue_table.viewport(), Qt.LeftButton, pos=rect.center())
    assert nav.opened == [first.project_id]
    qtbot.mouseClick(view.cards["soon"], Qt.LeftButton)
    assert view.lists.currentIndex() == 1 and not nav.shown
    qtbot.mouseClick(view.cards["逾期"], Qt.LeftButton)
    assert nav.shown[-1][0] == ProjectFilter(year=2025, overdue_only=True)
    qtbot.mouseClick(view.cards["滞后"], Qt.LeftButton)
    assert nav.shown[-1][0] == ProjectFilter(year=2025, status=Status.LAGGING)
    view.area_table.activated.emit(view.area_model.index(2, 0))
    assert nav.shown[-1][0] == ProjectFilter(year=2025, area_no=3)
    view.unit_table.activated.emit(view.unit_model.index(0, 0))
    unit_filter = nav.shown[-1][0]
    assert unit_filter.role is Role.LEAD and unit_filter.overdue_only
    listed = sample_store.list_projects(unit_filter, today=DAY)
    assert len(listed) == view.unit_model.row_item(0).lead


def test_a_later_day_has_more_overdue(qtbot, sample_store: Store, tmp_path: Path) -> None:
    early, _ = _view(qtbot, sample_store, tmp_path, date(2025, 6, 1))
    late, _ = _view(qtbot, sample_store, tmp_path, date(2026, 11, 27))
    assert early.board.overdue_count < late.board.overdue_count
