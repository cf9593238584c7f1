"""The shared office mode in the window: 数据 → 同步, the desk's state in the status bar
(已同步 / N 项待同步 / N 处冲突 / 离线), a quiet sync in the worker every few minutes while
the server answers, and a sync's conflicts listed like the import preview, each with 本机 or
服务器 to pick.

A sync runs in the window's worker on a twin connection (services.sync does the work, as
`ysdesk sync` does). What it wrote here is broadcast as a Changes: views refresh, and undo
steps on projects the sync changed refuse from then on (ui/commands.py says so when the
user tries); a project whose version alone moved (this desk's own edit, numbered by the
server) keeps its undo. Passwords come from the keyring; one the keyring cannot keep is
asked once and held in memory for this session only (never in the settings or a log).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ysdesk.domain.errors import UserError
from ysdesk.server.connection import ServerAddress, ServerUnreachable, parse_url
from ysdesk.server.credentials import stored_password
from ysdesk.services import sync
from ysdesk.services.importer import describe_value
from ysdesk.services.progress import Progress
from ysdesk.store import Store, replica
from ysdesk.ui.style import fit_size
from ysdesk.ui.writes import WriteOp

# How often the window syncs by itself while the server answers.
SYNC_EVERY_MS = 5 * 60 * 1000
_CONFLICTS_KEY = "sync_conflicts"
_LEAVE, _MINE, _THEIRS = "", sync.MINE, sync.THEIRS
_SIDES = (("暂不决定", _LEAVE), ("采用本机的值", _MINE), ("采用服务器的值", _THEIRS))


def state_text(pending: int, conflicts: int, offline: bool) -> str:
    """What the status bar says of this desk."""
    parts = []
    if offline:
        parts.append("离线")
    if conflicts:
        parts.append(f"{conflicts} 处冲突")
    if pending:
        parts.append(f"{pending} 项待同步")
    return "，".join(parts) if parts else "已同步"


class SyncController(QObject):
    """The 同步 action, the status-bar state and the timer of one main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.offline_reason = ""  # why the last sync did not reach the server ("": it did)
        self._password: str | None = None  # this session only, when no keyring keeps it
        self._running = False
        self.label = QLabel()
        self.label.setObjectName("syncState")
        self.label.setTextFormat(Qt.RichText)
        self.label.setContentsMargins(12, 0, 6, 0)
        self.label.linkActivated.connect(lambda _link: self.show_conflicts())
        window.statusBar().addPermanentWidget(self.label)
        self.action = QAction("同步(&Y)", window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+Y"))
        self.action.setStatusTip("推送本机的修改，拉取其他电脑的修改（共享模式）")
        self.action.triggered.connect(lambda: self.sync_now())
        menu = window.menu("data")
        menu.addSeparator()
        menu.addAction(self.action)
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_EVERY_MS)
        self.timer.timeout.connect(self.sync_in_background)
        self.ctx.changes.data_changed.connect(lambda _changes: self.refresh())
        self.ctx.changes.database_replaced.connect(lambda _store: self._replaced())
        self._replaced()

    # ------------------------------------------------------------------ state
    def settings(self) -> replica.ReplicaSettings | None:
        return replica.replica_settings(self.ctx.store)

    def _replaced(self) -> None:
        self.offline_reason = ""
        self._password = None
        shared = self.settings() is not None
        self.action.setEnabled(shared and not self.ctx.readonly)
        if shared and not self.ctx.readonly:
            self.timer.start()
        else:
            self.timer.stop()
        self.refresh()

    def conflicts(self) -> list[dict[str, Any]]:
        """The conflicts the last sync left open."""
        return list(self.ctx.store.get_meta_json(_CONFLICTS_KEY, []))

    def refresh(self) -> None:
        """Say in the status bar how this desk stands."""
        settings = self.settings()
        self.label.setVisible(settings is not None)
        if settings is None:
            return
        pending = replica.pending_count(self.ctx.store)
        conflicts = len(self.conflicts())
        text = state_text(pending, conflicts, bool(self.offline_reason))
        if conflicts:  # a link: clicking it lists them
            text = text.replace(
                f"{conflicts} 处冲突", f'<a href="conflicts">{conflicts} 处冲突</a>'
            )
        self.label.setText(text)
        # The status bar squeezes permanent widgets to the width they had first.
        self.label.setMinimumWidth(self.label.sizeHint().width())
        tip = [f"服务器：{settings.url}", f"本机：{settings.desk}"]
        tip.append(f"上次同步：{settings.synced_at or '从未'}")
        if self.offline_reason:
            tip.append(self.offline_reason)
        self.label.setToolTip("\n".join(tip))

    # ------------------------------------------------------------------ syncing
    def _address(self) -> ServerAddress | None:
        settings = self.settings()
        return parse_url(settings.url) if settings is not None else None

    def _ask_password(self, address: ServerAddress) -> str | None:
        return self.ctx.prompts.password(
            "同步", f"服务器 {address.host} 上账号“{address.user}”的密码："
        )

    def _op(self, prefer: Any) -> Any:
        password = self._password

        def run(store: Store, progress: Progress) -> sync.SyncReport:
            progress.start(0, "正在与服务器同步…")
            return sync.sync(store, prefer=prefer, prompt=lambda _address: password)

        return run

    def sync_now(self, prefer: Any = None) -> None:
        """同步, as the user asked: with a progress dialog, errors said, conflicts listed."""
        address = self._address()
        if address is None or self._running or self.ctx.readonly:
            return
        if self._password is None and stored_password(address) is None:
            # Asked once; the keyring keeps it when the machine has one (open_server).
            self._password = self._ask_password(address)
        self._running = True
        WriteOp(self.ctx, self.window, "同步", self._op(prefer)).success(
            lambda report: self._done(report, interactive=True)
        ).failure(lambda error: self._failed(error, interactive=True)).run(source=self)

    def sync_in_background(self) -> bool:
        """The timer's sync: quiet, and only when nothing else runs and no password is
        missing (a background sync never asks). Whether it started."""
        address = self._address()
        tasks = self.ctx.tasks
        if address is None or self._running or tasks is None or tasks.running:
            return False
        if self._password is None and stored_password(address) is None:
            return False
        if self.ctx.readonly or QApplication.activeModalWidget() is not None:
            return False  # the user is in a dialog: next time
        self._running = True
        op = self._op(None)
        ctx = self.ctx

        def work(progress: Progress) -> sync.SyncReport:
            own = ctx.store.twin()
            try:
                return op(own, progress)
            finally:
                own.close()

        def done(report: sync.SyncReport) -> None:
            ctx.store.forget_caches()
            changes = report.changes
            if not changes.empty:
                ctx.notify(changes.with_source(self))
            self._done(report, interactive=False)

        def failed(error: BaseException) -> None:
            ctx.store.forget_caches()
            if not isinstance(error, UserError):
                raise error
            self._failed(error, interactive=False)

        tasks.run_quiet(work, done, failed)
        return True

    def _done(self, report: sync.SyncReport, *, interactive: bool) -> None:
        self._running = False
        self.offline_reason = ""
        address = self._address()
        if address is not None and stored_password(address) is not None:
            self._password = None  # the keyring has it now
        # This desk's edits the server numbered: the undo stack expects their new versions.
        for pid, (before, after) in report.applied.renumbered_versions.items():
            if self.ctx.versions.get(pid) == before:
                self.ctx.versions[pid] = after
        blocked = report.changes.undo_blocked(self.ctx.versions)
        message = f"已同步：推送 {report.pushed} 个项目，拉取 {report.pulled} 个项目。"
        if report.codes:
            message += "".join(f"编号 {c.old} 改为 {c.new}。" for c in report.codes)
        if blocked:
            message += f"其中 {len(blocked)} 个项目在本窗口改过，对它们的修改已不能撤销。"
        self.window.statusBar().showMessage(message, 20000)
        self.refresh()
        if report.conflicts and interactive:
            self.show_conflicts()

    def _failed(self, error: UserError, *, interactive: bool) -> None:
        self._running = False
        if isinstance(error, ServerUnreachable):
            self.offline_reason = error.message
        elif "密码" in error.message:
            self._password = None
        self.refresh()
        if interactive:
            self.ctx.prompts.error("同步", error.message)

    # ------------------------------------------------------------------ conflicts
    def show_conflicts(self) -> None:
        """List the open conflicts; sync again with the sides the user picked."""
        conflicts = self.conflicts()
        if not conflicts:
            return
        dialog = ConflictsDialog(conflicts, self.window)
        if dialog.exec() == QDialog.Accepted and dialog.picks():
            self.sync_now(dialog.picks())


class ConflictsDialog(QDialog):
    """The conflicts of a sync, one row each: project, field, 本机 / 服务器 / 原值, and the
    side to take (as the import preview lists a sheet's conflicts)."""

    def __init__(self, conflicts: list[dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("同步冲突")
        self.conflicts = conflicts
        intro = QLabel(
            f"{len(conflicts)} 处冲突：同一字段在本机和其他电脑上被改成了不同的值。"
            "逐条选择采用哪一方；暂不决定的保留本机的值，下次同步再列出。"
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(conflicts), 7)
        self.table.setHorizontalHeaderLabels(
            ["编号", "项目", "字段", "本机的值", "服务器的值", "原值", "采用"]
        )
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setWordWrap(True)
        self.choices: list[QComboBox] = []
        for row, c in enumerate(conflicts):
            deleted = c["field"] == sync.DELETED_FIELD
            mine = ("已删除" if c["mine"] else "已修改") if deleted else describe_value(c["mine"])
            theirs = (
                ("已删除" if c["theirs"] else "已修改") if deleted else describe_value(c["theirs"])
            )
            base = "" if deleted else describe_value(c["base"])
            for column, text in enumerate(
                (c["code"], c.get("name", ""), c.get("label", c["field"]), mine, theirs, base)
            ):
                item = QTableWidgetItem(str(text))
                item.setToolTip(str(text))
                self.table.setItem(row, column, item)
            combo = QComboBox()
            for label, _side in _SIDES:
                combo.addItem(label)
            self.table.setCellWidget(row, 6, combo)
            self.choices.append(combo)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        for column, width in enumerate((92, 220, 76, 200, 200, 200, 130)):
            self.table.setColumnWidth(column, width)
        self.table.resizeRowsToContents()
        all_mine = QPushButton("全部采用本机的值")
        all_mine.clicked.connect(lambda: self._pick_all(1))
        all_theirs = QPushButton("全部采用服务器的值")
        all_theirs.clicked.connect(lambda: self._pick_all(2))
        self.apply_button = QPushButton("按所选同步")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.accept)
        later = QPushButton("稍后")
        later.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(all_mine)
        buttons.addWidget(all_theirs)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(later)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        fit_size(self, 1180, 460)

    def _pick_all(self, index: int) -> None:
        for combo in self.choices:
            combo.setCurrentIndex(index)

    def pick(self, row: int, side: str) -> None:
        """Choose a side for one conflict (tests and keyboard users alike)."""
        self.choices[row].setCurrentIndex([s for _, s in _SIDES].index(side))

    def picks(self) -> dict[tuple[str, str], str]:
        """{(global id, field): side} of the conflicts given a side."""
        chosen = {}
        for c, combo in zip(self.conflicts, self.choices, strict=True):
            picked = _SIDES[combo.currentIndex()][1]
            if picked:
                chosen[(c["gid"], c["field"])] = picked
        return chosen


def install(window: Any) -> None:
    """Add 同步 to the 数据 menu and the desk's state to the status bar."""
    window.sync = SyncController(window)
