"""Two desks editing one list through a real server."""

from __future__ import annotations

from pathlib import Path

from tests.sync.helpers import by_code, edit, listing, sync_desk
from ysdesk.store import Store


def test_a_clone_lists_what_was_shared(desks: tuple[Path, Path]) -> None:
    a, b = desks
    assert listing(a) == listing(b)
    assert len(listing(b)) == 86


def test_different_fields_of_one_project_are_both_kept(desks: tuple[Path, Path]) -> None:
    a, b = desks
    code = next(iter(by_code(a)))
    edit(a, code, progress="甲录入的进展")
    edit(b, code, note="乙写的备注")
    assert sync_desk(a).pushed == 1
    report = sync_desk(b)
    assert (report.pushed, report.pulled, report.conflicts) == (1, 1, [])
    sync_desk(a)
    for desk in (a, b):
        project = by_code(desk)[code]
        assert (project["progress"], project["note"]) == ("甲录入的进展", "乙写的备注")
    assert listing(a) == listing(b)


def test_one_field_changed_on_both_desks_is_a_conflict_until_a_side_is_picked(
    desks: tuple[Path, Path],
) -> None:
    a, b = desks
    code = list(by_code(a))[3]
    base = by_code(a)[code]["progress"]
    edit(a, code, progress="甲的进展")
    edit(b, code, progress="乙的进展", note="乙的备注")
    sync_desk(a)
    report = sync_desk(b)
    assert [c.to_json() | {"name": None, "label": None, "gid": None} for c in report.conflicts] == [
        {
            "code": code,
            "field": "progress",
            "mine": "乙的进展",
            "theirs": "甲的进展",
            "base": base,
            "name": None,
            "label": None,
            "gid": None,
        }
    ]
    assert by_code(b)[code]["progress"] == "乙的进展"  # kept here until decided
    assert by_code(b)[code]["note"] == "乙的备注"
    again = sync_desk(b)  # a conflict left open is found again, nothing is pushed over it
    assert [c.field for c in again.conflicts] == ["progress"]
    sync_desk(a)
    assert by_code(a)[code]["progress"] == "甲的进展"
    assert by_code(a)[code]["note"] == "乙的备注"
    resolved = sync_desk(b, prefer="theirs")
    assert resolved.conflicts == []
    sync_desk(a)
    assert by_code(b)[code]["progress"] == by_code(a)[code]["progress"] == "甲的进展"
    assert listing(a) == listing(b)
    assert sync_desk(b).conflicts == []


def test_mine_overwrites_the_server_and_the_audit_keeps_the_value_it_replaced(
    desks: tuple[Path, Path], office_server
) -> None:
    a, b = desks
    code = list(by_code(a))[5]
    edit(a, code, goal="甲的目标")
    edit(b, code, goal="乙的目标")
    sync_desk(a)
    assert len(sync_desk(b, prefer="mine").conflicts) == 0
    sync_desk(a)
    assert by_code(a)[code]["goal"] == "乙的目标"
    with Store.open(a, readonly=True) as store:
        entries = store.audit_log(by_code(a)[code]["id"])
    replaced = [e for e in entries if e.field == "goal" and e.old == "甲的目标"]
    assert len(replaced) == 1 and replaced[0].new == "乙的目标"
    assert "B" in replaced[0].origin and "office" in replaced[0].origin
    with office_server.admin() as conn:
        rows = conn.execute(
            "SELECT old, new, desk, note FROM ysdesk.audit WHERE field = 'goal' ORDER BY id"
        ).fetchall()
    assert rows[-1] == ("甲的目标", "乙的目标", "B", "冲突：采用本机的值")


def test_a_project_deleted_on_one_desk_and_edited_on_the_other_is_a_conflict(
    desks: tuple[Path, Path],
) -> None:
    a, b = desks
    code = list(by_code(a))[7]
    with Store.open(a) as store:
        store.delete_project(by_code(a)[code]["id"])
    edit(b, code, progress="乙还在推进")
    sync_desk(a)
    report = sync_desk(b)
    assert [(c.code, c.field, c.mine, c.theirs) for c in report.conflicts] == [
        (code, "deleted", False, True)
    ]
    assert by_code(b)[code]["progress"] == "乙还在推进"  # nothing lost
    sync_desk(b, prefer="mine")  # put it back on the server
    sync_desk(a)
    assert by_code(a)[code]["progress"] == "乙还在推进"
    assert listing(a) == listing(b)


def test_a_deletion_reaches_the_other_desk_when_it_had_not_touched_the_project(
    desks: tuple[Path, Path],
) -> None:
    a, b = desks
    code = list(by_code(a))[9]
    with Store.open(b) as store:
        store.delete_project(by_code(b)[code]["id"])
    sync_desk(b)
    assert sync_desk(a).pulled == 1
    assert code not in by_code(a)
    assert listing(a) == listing(b)


def test_a_code_two_desks_gave_new_projects_is_settled_on_the_server(
    desks: tuple[Path, Path],
) -> None:
    from ysdesk.services.editing import new_draft

    a, b = desks
    names = {}
    for desk, name in ((a, "甲新增的项目"), (b, "乙新增的项目")):
        with Store.open(desk) as store:
            draft = new_draft(store, 2025, task_no=3, lead_unit="区科委").replace(name=name)
            names[desk] = store.insert_project(draft).code
    assert names[a] == names[b]
    sync_desk(a)
    report = sync_desk(b)
    assert [(c.old, c.name) for c in report.codes] == [(names[b], "乙新增的项目")]
    new_code = report.codes[0].new
    sync_desk(a)
    for desk in (a, b):
        listed = {p["name"]: p["code"] for p in listing(desk)}
        assert listed["甲新增的项目"] == names[a]
        assert listed["乙新增的项目"] == new_code != names[a]
    assert listing(a) == listing(b)


def _histories(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Each project's progress history (date, text), by code."""
    with Store.open(path, readonly=True) as store:
        return {
            p.code: sorted((h.date, h.text) for h in store.progress_history(p.id))
            for p in store.list_projects()
        }


def test_progress_history_travels_with_the_dates_it_was_written_on(
    desks: tuple[Path, Path],
) -> None:
    a, b = desks
    assert _histories(a) == _histories(b)  # the clone has the shared list's history
    code = list(by_code(a))[11]
    with Store.open(a) as store:
        store.update_project(
            by_code(a)[code]["id"],
            {"progress": "三月初报的进展"},
            expected_version=None,
            progress_date="2025-03-01",
        )
    edit(b, code, note="乙的备注")
    sync_desk(a)
    sync_desk(b)
    sync_desk(a)
    history = _histories(b)[code]
    assert ("2025-03-01", "三月初报的进展") in history
    assert [d for d, text in history if text == "三月初报的进展"] == ["2025-03-01"]
    assert _histories(a) == _histories(b)
    assert sync_desk(b).pushed == 0  # nothing sent back and forth


def test_an_edit_made_here_while_the_server_is_busy_is_kept_for_the_next_sync(
    desks: tuple[Path, Path], monkeypatch
) -> None:
    from ysdesk.server import remote

    a, b = desks
    code = list(by_code(a))[13]
    edit(a, code, goal="甲的目标")
    sync_desk(a)
    edit(b, code, note="乙同步前写的备注")
    take = remote.projects_since

    def meanwhile(conn, seq):  # type: ignore[no-untyped-def]
        # Something else writes the file mid-sync (the window's thread, its own connection).
        import sqlite3

        with sqlite3.connect(b) as other:
            other.execute(
                "UPDATE projects SET progress = '乙同步时写的进展', version = version + 1"
                " WHERE code = ?",
                (code,),
            )
        return take(conn, seq)

    monkeypatch.setattr(remote, "projects_since", meanwhile)
    report = sync_desk(b)
    monkeypatch.setattr(remote, "projects_since", take)
    assert report.pushed == 1 and report.conflicts == []
    project = by_code(b)[code]
    assert (project["note"], project["progress"]) == ("乙同步前写的备注", "乙同步时写的进展")
    assert sync_desk(b).pushed == 1  # the edit made meanwhile goes now
    sync_desk(a)
    assert by_code(a)[code]["progress"] == "乙同步时写的进展"
    assert by_code(a)[code]["goal"] == by_code(b)[code]["goal"] == "甲的目标"
    assert listing(a) == listing(b)


def test_each_conflict_takes_the_side_picked_for_it(desks: tuple[Path, Path]) -> None:
    from tests.cli.helpers import run
    from ysdesk.services import sync

    a, b = desks
    code, other = list(by_code(a))[15:17]
    edit(a, code, note="甲的备注", goal="甲的目标")
    edit(a, other, note="甲的另一条备注")
    edit(b, code, note="乙的备注", goal="乙的目标")
    edit(b, other, note="乙的另一条备注")
    sync_desk(a)
    assert {(c.code, c.field) for c in sync_desk(b).conflicts} == {
        (code, "note"),
        (code, "goal"),
        (other, "note"),
    }
    with Store.open(b) as store:
        chosen = sync.picks(store, [(code, "备注", sync.THEIRS), (code, "goal", sync.MINE)])
        report = sync.sync(store, prefer=chosen)
    assert [(c.code, c.field) for c in report.conflicts] == [(other, "note")]
    assert by_code(b)[other]["note"] == "乙的另一条备注"  # still open: kept here
    picked = run("--db", str(b), "sync", "--pick", f"{other}:note=mine", "--json")
    assert picked.returncode == 0, picked.stderr
    wrong = run("--db", str(b), "sync", "--pick", f"{other}:goal=mine")
    assert wrong.returncode == 2 and "没有留下" in wrong.stderr
    sync_desk(a)
    for desk in (a, b):
        assert (by_code(desk)[code]["note"], by_code(desk)[code]["goal"]) == (
            "甲的备注",
            "乙的目标",
        )
        assert by_code(desk)[other]["note"] == "乙的另一条备注"
    assert listing(a) == listing(b)
