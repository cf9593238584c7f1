"""Where the database lives, and creating it from the bundled plan and sample list."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ysdesk.bundled import bundled
from ysdesk.domain.errors import UserError
from ysdesk.domain.model import ProgressEntry, Project, Status

# Re-exported: the window and older callers import them from here.
from ysdesk.services.locations import DB_NAME as DB_NAME
from ysdesk.services.locations import ENV_DB, default_db_path
from ysdesk.services.locations import sample_db_path as sample_db_path
from ysdesk.services.locations import user_data_dir as user_data_dir
from ysdesk.store import Store
from ysdesk.store.backup import copy_file_backup
from ysdesk.store.db import connect
from ysdesk.store.lock import WriterLock

SAMPLE_ORIGIN = "示例数据"


def sample_json(name: str) -> Any:
    """A JSON file from the bundled sample_data package."""
    return json.loads(bundled("sample_data").joinpath(name).read_text("utf-8"))


def load_plan(store: Store) -> None:
    """Write the plan (areas, tasks, zones, indicators) and the unit registry."""
    plan = sample_json("plan.json")
    with store.atomic():
        store.load_plan(
            plan["document"],
            plan["areas"],
            plan["tasks"],
            plan["zones"],
            plan["indicators"],
            extra_meta={"plan_goals": plan.get("goals", {})},
        )
        store.add_units(sample_json("units.json"))


def load_sample_list(store: Store) -> int:
    """Add the bundled sample annual list; returns the number of projects added."""
    data = sample_json("projects_2025.json")
    year = int(data["year"])
    count = 0
    with store.atomic():
        for item in data["projects"]:
            history = [
                ProgressEntry(date=h["date"], text=h["text"], origin=SAMPLE_ORIGIN)
                for h in item.get("progress_history", [])
            ]
            project = Project(
                id=None,
                year=year,
                code=item.get("code", ""),
                name=item["name"],
                task_no=int(item["task_no"]),
                zones=tuple(item.get("zones", ())),
                lead_units=tuple(item.get("lead_units", ())),
                co_units=tuple(item.get("co_units", ())),
                goal=item.get("goal", ""),
                deadline_text=item.get("deadline_text", ""),
                status=Status(item.get("status", Status.NOT_STARTED.value)),
                progress=item.get("progress", ""),
                note=item.get("note", ""),
            )
            store.insert_project(project, origin=SAMPLE_ORIGIN, history=history)
            count += 1
    return count


def init_database(path: Path, *, sample: bool = False, force: bool = False) -> Store:
    """Create a database with the plan (and the sample list); --force replaces after a backup.

    The new database is built in a temporary file and renamed over the old one, so a failure
    half-way leaves the old database untouched.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise UserError(f"数据库所在的文件夹不存在：{path.parent}。")
    if path.is_dir():
        raise UserError(f"数据库路径是一个文件夹，不是文件：{path}。")
    if path.exists() and not force:
        raise UserError(f"数据库已存在：{path}；如需重建请加 --force（会先自动备份）。")
    lock = WriterLock(path)
    lock.acquire()
    tmp = path.with_name(f".{path.name}.new-{os.getpid()}")
    try:
        if path.exists():
            copy_file_backup(path, "重建前")
        tmp.unlink(missing_ok=True)
        store = Store(connect(tmp), path=tmp)
        try:
            store._prepare(created=True)
            load_plan(store)
            if sample:
                load_sample_list(store)
        finally:
            store.close()
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"无法写入数据库文件：{exc.strerror or exc}。") from None
    finally:
        tmp.unlink(missing_ok=True)
        lock.release()
    return Store.open(path)


def open_or_create(path: Path, *, readonly: bool = False) -> Store:
    """Open the database; on first start create it with the plan only (no projects).

    An office begins its own list: the sample list never enters it unasked (it has a file
    of its own, `open_sample`).
    """
    path = Path(path)
    if not path.exists():
        if path == default_db_path() and ENV_DB not in os.environ:
            _make_data_folder(path.parent)
        store = init_database(path)
        if not readonly:
            return store
        store.close()
    return Store.open(path, readonly=readonly)


def open_sample(path: Path | None = None, *, readonly: bool = False) -> Store:
    """Open the sample list's own database, creating it with the sample list if missing."""
    path = Path(path) if path is not None else sample_db_path()
    if not path.exists():
        if path == sample_db_path():
            _make_data_folder(path.parent)
        store = init_database(path, sample=True)
        if not readonly:
            return store
        store.close()
    return Store.open(path, readonly=readonly)


def _make_data_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"无法创建数据文件夹：{exc.strerror or exc}。") from None
