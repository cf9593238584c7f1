"""The indicators view: target-vs-actual model, entry of a yearly value, import, charts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from PySide6.QtCharts import QLineSeries, QScatterSeries
from PySide6.QtCore import Qt

from tests.ui.report_helpers import Recorder, make_ctx
from ysdesk.domain.model import IndicatorValue
from ysdesk.services.indicators import set_value
from ysdesk.store import Store
from ysdesk.ui.indicators_view import IndicatorsView


def _view(qtbot, store: Store, tmp_path: Path, today: date, answers=None) -> IndicatorsView:
    view = IndicatorsView(make_ctx(store, tmp_path, today, answers), Recorder())
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_models_and_charts_over_values(
    qtbot, qtmodeltester, sample_store: Store, tmp_path: Path, today: date
) -> None:
    set_value(sample_store, "研发", 2024, 4.8, source="统计公报")
    set_value(sample_store, "研发", 2025, 5.1, source="统计公报")
    view = _view(qtbot, sample_store, tmp_path, today)
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.values_model)
    assert view.model.rowCount() == 4
    assert view.model.data(view.model.index(0, 1)) == "2027 年 5.5%"
    assert view.model.data(view.model.index(0, 2)) == "2025 年 5.1%"
    assert view.model.data(view.model.index(0, 3)) == "0.4 个百分点"
    assert view.model.data(view.model.index(0, 4)) == "符合进度"
    assert view.model.data(view.model.index(1, 2)) == "—"
    assert view.model.data(view.model.index(1, 1)) == "2027 年 ≥20%"
    assert view.values_model.rowCount() == 2
    assert view.year_spin.value() == 2026
    assert len(view.chart_views) == 4
    chart = view.chart_views[0].chart()
    series = {type(s): s for s in chart.series() if s.name() != "达标路径"}
    actual = series[QLineSeries]
    assert [(p.x(), p.y()) for p in actual.points()] == [(2024, 4.8), (2025, 5.1)]
    target = series[QScatterSeries]
    assert [(p.x(), p.y()) for p in target.points()] == [(2027, 5.5)]
    assert "全社会研发经费投入占GDP比重" in chart.title()


def test_entering_and_deleting_a_value(
    qtbot, sample_store: Store, tmp_path: Path, today: date
) -> None:
    view = _view(qtbot, sample_store, tmp_path, today, answers=[True])
    changes = []
    view.ctx.changes.data_changed.connect(changes.append)
    view.table.selectRow(3)
    assert view.indicator_box.currentText() == "独角兽企业"
    view.year_spin.setValue(2025)
    view.value_spin.setValue(9)
    view.source_edit.setText("区科委统计")
    qtbot.mouseClick(view.save_button, Qt.LeftButton)
    unicorn = sample_store.indicators()[3]
    assert sample_store.indicator_values(unicorn.id) == [
        IndicatorValue(unicorn.id, 2025, 9.0, "区科委统计", today.isoformat())
    ]
    assert "已保存" in view.message.text()
    assert changes and changes[-1].source is view
    assert view.model.data(view.model.index(3, 2)) == "2025 年 9家"
    view.values_table.selectRow(0)
    assert view.delete_selected()
    assert sample_store.indicator_values(unicorn.id) == []
    assert view.ctx.prompts.asked[-1][0] == "confirm"


def test_the_entry_takes_only_sensible_values_of_the_unit(
    qtbot, sample_store: Store, tmp_path: Path, today: date
) -> None:
    view = _view(qtbot, sample_store, tmp_path, today)
    view.table.selectRow(0)
    assert view.indicator_box.currentText() == "全社会研发经费投入占GDP比重"
    view.value_spin.setValue(1e308)
    assert view.value_spin.value() == 100  # a share: 0–100
    view.value_spin.setValue(-5)
    assert view.value_spin.value() == 0
    view.table.selectRow(3)
    assert view.indicator_box.currentText() == "独角兽企业"
    view.value_spin.setValue(1e308)
    assert view.value_spin.value() == 1_000_000
    view.value_spin.setValue(2.4)
    assert view.value_spin.value() == 2  # a count: whole
    assert view.value_spin.suffix().strip() == "家"
    view.year_spin.setValue(2025)
    assert view.save_entry()
    assert [v.value for v in sample_store.indicator_values()] == [2.0]


def test_import_from_a_sheet_previews_then_applies(
    qtbot, sample_store: Store, tmp_path: Path, today: date
) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["指标名称", "数值", "年度"])
    workbook.active.append(["企业孵化活化率（%）", 31, 2025])
    workbook.active.append(["不是指标", 3, 2025])
    path = tmp_path / "v.xlsx"
    workbook.save(path)
    view = _view(qtbot, sample_store, tmp_path, today, answers=[False, True])
    assert view.import_file(path) is None  # declined at the preview
    assert sample_store.indicator_values() == []
    question = view.ctx.prompts.asked[-1]
    assert question[0] == "confirm" and "新增 1" in question[2] and "不是指标" in question[2]
    assert view.import_file(path) is not None
    assert [v.value for v in sample_store.indicator_values()] == [31.0]
    assert view.model.data(view.model.index(2, 2)) == "2025 年 31%"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 broken")
    assert view.import_file(broken) is None
    assert view.ctx.prompts.asked[-1][0] == "error"
