"""Long work runs in a worker; results, errors and cancelling arrive on the main thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from ysdesk.domain.errors import UserError
from ysdesk.services.progress import Cancelled, check_cancelled
from ysdesk.ui.prompts import ScriptedPrompts
from ysdesk.ui.tasks import TaskRunner


def test_work_runs_off_the_main_thread_and_result_arrives_on_it(qtbot) -> None:
    runner = TaskRunner(None, ScriptedPrompts())
    seen: dict[str, object] = {}

    def work(progress):
        seen["worker"] = threading.get_ident()
        progress.start(3, "计算")
        for _ in range(3):
            progress.tick()
        progress.finish()
        return 42

    def done(result):
        seen["result"] = result
        seen["done_on_main"] = QThread.currentThread() is qtbot_main

    qtbot_main = QThread.currentThread()
    task = runner.run("测试", work, done)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert seen["result"] == 42
    assert seen["done_on_main"] is True
    assert seen["worker"] != threading.get_ident()
    assert task.dialog.maximum() == 3
    assert runner.running == 0


def test_a_user_error_in_the_worker_is_shown_not_raised(qtbot) -> None:
    prompts = ScriptedPrompts()
    runner = TaskRunner(None, prompts)

    def work(progress):
        raise UserError("文件已损坏。")

    task = runner.run("导入", work, lambda r: None)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert prompts.asked == [("error", "导入", "文件已损坏。")]
    assert isinstance(task.error, UserError)


def test_cancel_stops_the_work_between_steps(qtbot) -> None:
    prompts = ScriptedPrompts()
    runner = TaskRunner(None, prompts)
    started = threading.Event()
    results = []

    def work(progress):
        progress.start(1000)
        started.set()
        for _ in range(1000):
            check_cancelled(progress)
            threading.Event().wait(0.005)
            progress.tick()
        return "finished"

    task = runner.run("长任务", work, results.append)
    assert started.wait(5)
    task.dialog.canceled.emit()  # the 取消 button
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert results == []
    assert isinstance(task.error, Cancelled)
    assert prompts.asked == []
