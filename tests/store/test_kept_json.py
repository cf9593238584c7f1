"""The JSON texts kept beside the projects: never stale, written at the end of each write,
made anew when the code that makes them changes."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from ysdesk.domain.model import UNDATED, Project, ProjectFilter, Status
from ysdesk.store import Store, kept_json
from ysdesk.store.projects import COLUMNS
from ysdesk.store.schema import MIGRATIONS, encode_version

TODAY = date(2026, 11, 27)


def fresh_texts(store: Store, today: date = TODAY) -> list[tuple[int, str]]:
    return [(p.id, p.json_text(today)) for p in store.list_projects()]  # type: ignore[misc]


def kept(store: Store) -> dict[int, str | None]:
    return dict(store.conn.execute("SELECT project_id, text FROM project_json"))


def assert_all_kept_and_right(store: Store) -> None:
    texts = kept(store)
    projects = store.list_projects()
    assert set(texts) == {p.id for p in projects}
    for p in projects:
        assert texts[p.id] == p.json_text(UNDATED), p.name
    assert store.project_json(today=TODAY) == fresh_texts(store)


def test_every_write_leaves_every_text_written_and_right(sample_store: Store) -> None:
    store = sample_store
    assert_all_kept_and_right(store)
    first, second = store.list_projects(ProjectFilter(year=2025))[:2]
    assert first.id is not None and second.id is not None
    store.update_project(
        first.id,
        {"progress": "已完成验收", "status": Status.DONE, "zones": ("产业创新承载区",)},
        expected_version=first.version,
    )
    assert_all_kept_and_right(store)
    store.update_project(
        second.id,
        {"lead_units": ("区发展改革委",), "co_units": ("区政府办公室", "区科委")},
        expected_version=second.version,
    )
    assert_all_kept_and_right(store)
    added = store.insert_project(
        Project(
            id=None,
            year=2026,
            name="新增项目",
            task_no=3,
            origin_id=first.id,
            lead_units=("区科委",),
            deadline_text="2026年6月底",
        )
    )
    assert_all_kept_and_right(store)
    # Deleting the project another was carried over from empties the other's origin_id
    # (ON DELETE SET NULL): its text must follow.
    store.delete_project(first.id, expected_version=store.get_project(first.id).version)
    assert store.get_project(added.id).origin_id is None  # type: ignore[arg-type]
    assert_all_kept_and_right(store)


def test_changes_outside_the_store_empty_the_text_and_readers_still_answer(
    sample_store: Store,
) -> None:
    store = sample_store
    conn = store.conn
    project = next(p for p in store.list_projects() if p.co_units and p.zones)
    unit_id = conn.execute(
        "SELECT unit_id FROM project_units WHERE project_id = ? AND role = 'lead'", (project.id,)
    ).fetchone()[0]
    zone_id = conn.execute("SELECT id FROM zones ORDER BY sort LIMIT 1").fetchone()[0]
    for sql, args in [
        ("UPDATE units SET name = name || '（更名）' WHERE id = ?", (unit_id,)),
        ("UPDATE zones SET name = name || '（更名）' WHERE id = ?", (zone_id,)),
        ("UPDATE zones SET sort = -1 WHERE id = (SELECT max(id) FROM zones)", ()),
        ("UPDATE tasks SET area_no = 5 - area_no WHERE no = ?", (project.task_no,)),
        ("UPDATE projects SET note = '直接改' WHERE id = ?", (project.id,)),
        ("DELETE FROM project_units WHERE project_id = ? AND role = 'co'", (project.id,)),
        ("DELETE FROM project_zones WHERE project_id = ?", (project.id,)),
    ]:
        before = store.project_json(today=TODAY)
        conn.execute(sql, args)  # not through the store: the triggers alone must say it
        assert store.project_json(today=TODAY) == fresh_texts(store), sql
        after = fresh_texts(store)
        changed = {pid for (pid, text), (_, old) in zip(after, before, strict=True) if text != old}
        assert changed, sql
        texts = kept(store)
        assert all(texts[pid] is None for pid in changed), sql
    conn.commit()
    with store.atomic():
        pass  # the store's next write makes the missing ones
    assert_all_kept_and_right(store)


def test_a_read_only_store_makes_the_missing_texts_itself(sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    conn.execute("UPDATE project_json SET text = NULL WHERE project_id % 2 = 0")
    conn.commit()
    conn.close()
    with Store.open(sample_db, readonly=True) as store:
        assert store.project_json(ProjectFilter(year=2025), TODAY) == [
            (p.id, p.json_text(TODAY)) for p in store.list_projects(ProjectFilter(year=2025))
        ]


@pytest.mark.parametrize("today", [date(2025, 1, 1), date(2025, 7, 1), date(2030, 1, 1)])
def test_overdue_follows_the_day(sample_store: Store, today: date) -> None:
    texts = sample_store.project_json(ProjectFilter(year=2025), today)
    assert texts == fresh_texts(sample_store, today)
    overdue = sum('"overdue": true' in text for _, text in texts)
    expected = sum(p.is_overdue(today) for p in sample_store.list_projects())
    assert overdue == expected


def test_a_text_whose_strings_say_overdue_is_patched_only_at_its_key(fresh_store: Store) -> None:
    tricky = '"overdue": false'
    project = fresh_store.insert_project(
        Project(
            id=None,
            year=2025,
            name=tricky,
            task_no=1,
            goal=tricky,
            note=tricky,
            lead_units=("区科委",),
            deadline_text="2025年3月底",
        )
    )
    ((pid, text),) = fresh_store.project_json(ProjectFilter(year=2025), TODAY)
    assert pid == project.id
    assert text == fresh_store.get_project(pid).json_text(TODAY)
    assert '"overdue": true' in text


def test_an_older_database_gets_its_texts_when_migrated(sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'project_json%'"
        )
    ]
    assert names
    for name in names:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE project_json")
    # And what migrations 4 to 6, which follow, made: the file is then at version 2.
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_%'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE sync_projects")
    conn.execute("DROP TABLE column_mappings")
    conn.execute("DROP TABLE sync_indicator_values")
    conn.execute(f"PRAGMA user_version = {encode_version(2)}")
    conn.commit()
    conn.close()
    with Store.open(sample_db) as store:
        assert store.schema_version == encode_version(len(MIGRATIONS))
        assert None not in kept(store).values()
        assert_all_kept_and_right(store)


def test_check_reports_a_kept_text_that_differs(sample_store: Store) -> None:
    from ysdesk.store.check import check

    assert check(sample_store) == []
    sample_store.conn.execute(
        "UPDATE project_json SET text = replace(text, '\"version\": 1', '\"version\": 7')"
        " WHERE project_id = (SELECT min(project_id) FROM project_json)"
    )
    assert check(sample_store) == ["有 1 个项目保存的 JSON 文本与项目数据不一致。"]


def test_a_change_to_any_column_a_project_is_read_from_empties_its_text(
    sample_store: Store,
) -> None:
    conn = sample_store.conn
    pid = sample_store.project_ids()[0]
    for column in COLUMNS:
        assert kept(sample_store)[pid] is not None
        conn.execute(f"UPDATE projects SET {column} = {column} WHERE id = ?", (pid,))
        assert kept(sample_store)[pid] is None, column
        conn.rollback()
    # Its place in the task's list is not in its JSON.
    conn.execute("UPDATE projects SET sort = sort + 1 WHERE id = ?", (pid,))
    assert kept(sample_store)[pid] is not None


def test_texts_of_another_format_are_not_read_and_made_anew_when_opened(sample_db: Path) -> None:
    """As if the database had been written by a version whose Project.to_json said less."""
    conn = sqlite3.connect(sample_db)
    conn.execute("UPDATE project_json SET text = replace(text, ', \"note\": \"\"', '')")
    conn.execute("UPDATE meta SET value = 'older' WHERE key = 'project_json_format'")
    conn.execute("DROP TRIGGER project_json_project")
    conn.commit()
    conn.close()
    with Store.open(sample_db, readonly=True) as store:
        assert store.project_json(today=TODAY) == fresh_texts(store)
        assert kept_json.differences(store) == []  # not read, so not wrong
    with Store.open(sample_db) as store:
        assert kept_json.is_current(store.conn)
        triggers = store.conn.execute(
            "SELECT count(*) FROM sqlite_master"
            " WHERE type = 'trigger' AND name LIKE 'project_json%'"
        ).fetchone()[0]
        assert triggers == len(kept_json.DDL) - 2  # all but the table and its index
        assert_all_kept_and_right(store)
        assert kept_json.differences(store) == []
    # Opening it again changes nothing.
    with Store.open(sample_db) as store:
        before = kept(store)
        kept_json.ensure_current(store)
        assert kept(store) == before
