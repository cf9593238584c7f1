"""The toolbar filters: search as you type (pinyin initials too), status, unit, zone, overdue."""

from __future__ import annotations

from ysdesk.domain.model import ProjectFilter, Status


def _expected(window, **kwargs) -> list[int]:
    return window.ctx.store.project_ids(ProjectFilter(year=2025, **kwargs), window.ctx.today)


def test_typing_filters_the_table_by_pinyin_initials(window, qtbot) -> None:
    search = window.filter_bar.search
    search.setFocus()
    qtbot.keyClicks(search, "f")
    assert window.table.model.ids() == _expected(window, text="f")
    qtbot.keyClicks(search, "d")
    ids = window.table.model.ids()
    assert ids == _expected(window, text="fd")
    # Every project naming 复旦 (in its name, goal, units or progress) is among the hits.
    fudan = [
        p.id
        for p in window.ctx.store.list_projects(ProjectFilter(year=2025))
        if "复旦" in " ".join((p.name, p.goal, p.progress, *p.units()))
    ]
    assert fudan and set(fudan) <= set(ids)
    assert "筛选后" in window.table.caption.text()
    search.clear()
    assert window.table.model.rowCount() == 86


def test_search_matches_chinese_and_several_terms(window) -> None:
    window.filter_bar.search.setText("同济 平台")
    assert window.table.model.ids() == _expected(window, text="同济 平台")
    assert window.table.model.ids()


def test_status_unit_zone_and_overdue_filters_combine(window) -> None:
    bar = window.filter_bar
    bar.status.setCurrentIndex(bar.status.findData(Status.IN_PROGRESS.value))
    assert window.table.model.ids() == _expected(window, status=Status.IN_PROGRESS)
    bar.unit.lineEdit().setText("区科技委")  # an alias of 区科委
    bar.unit.lineEdit().editingFinished.emit()
    assert bar.unit_name() == "区科委"
    assert window.table.model.ids() == _expected(window, status=Status.IN_PROGRESS, unit="区科委")
    bar.clear_filters()
    bar.zone.setCurrentIndex(bar.zone.findData(""))
    assert window.table.model.ids() == _expected(window, zone="")
    bar.zone.setCurrentIndex(0)
    bar.overdue.setChecked(True)
    overdue = window.table.model.ids()
    assert overdue == _expected(window, overdue_only=True)
    assert all(
        window.table.model.data(window.table.model.index(r, 7)) in ("逾期", "滞后")
        for r in range(len(overdue))
    )


def test_filters_narrow_the_selected_node(window) -> None:
    model = window.navigation.models["task"]
    area = model.index(2, 0)  # （二）
    window.navigation.view().setCurrentIndex(area)
    window.filter_bar.status.setCurrentIndex(window.filter_bar.status.findData(Status.DONE.value))
    assert window.table.model.ids() == _expected(window, area_no=2, status=Status.DONE)


def test_year_selector_switches_the_list(window) -> None:
    from ysdesk.domain.model import Project

    store = window.ctx.store
    store.insert_project(
        Project(id=None, year=2026, name="2026年新项目", task_no=1, lead_units=("区科委",))
    )
    window.data.reload()
    window.filter_bar.refresh_choices(window.data.years(), window.data.year)
    combo = window.filter_bar.year
    assert [combo.itemData(i) for i in range(combo.count())] == [2025, 2026]
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    assert window.data.year == 2026
    assert window.table.model.rowCount() == 1
    assert (
        window.navigation.models["task"].node(window.navigation.models["task"].index(0, 0)).total
        == 1
    )
