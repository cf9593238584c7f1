"""A desk offline for a whole rollover done on another desk: its edits of the old year, its
new project and its deletion all meet the carried-over year when it comes back."""

from __future__ import annotations

from pathlib import Path

from tests.sync.helpers import by_code, edit, listing, sync_desk
from ysdesk.services.editing import new_draft
from ysdesk.services.rollover import apply_rollover, plan_rollover
from ysdesk.store import Store


def test_a_desk_offline_during_a_rollover_elsewhere_meets_it_when_it_syncs(
    desks: tuple[Path, Path],
) -> None:
    a, b = desks
    codes = list(by_code(a))
    unfinished = [c for c in codes if by_code(a)[c]["status"] != "已完成"]
    edited, removed = unfinished[0], unfinished[1]
    # B goes offline: it edits a project, makes one and deletes one, all in 2025.
    edit(b, edited, progress="乙离线时写的进展")
    with Store.open(b) as store:
        draft = new_draft(store, 2025, task_no=4, lead_unit="区科委")
        offline_made = store.insert_project(draft.replace(name="乙离线新增的项目")).code
        store.delete_project(by_code(b)[removed]["id"])
    # Meanwhile A rolls 2025 over into 2026 and syncs: the copies reach the server.
    with Store.open(a) as store:
        carried = apply_rollover(store, 2025, 2026)
    assert len(carried.created) == len(unfinished)
    pushed = sync_desk(a)
    assert pushed.pushed == len(unfinished) and pushed.conflicts == []
    # B comes back: it pushes what it did and pulls the whole rollover.
    report = sync_desk(b)
    assert report.conflicts == [], report.conflicts
    assert report.pulled >= len(unfinished)
    sync_desk(a)
    assert listing(a) == listing(b)
    on_b = listing(b)
    copies = [p for p in on_b if p["year"] == 2026]
    assert len(copies) == len(unfinished)
    # Each copy points at its 2025 original on both desks (by id, which every desk shares).
    originals = {p["id"]: p for p in on_b if p["year"] == 2025}
    assert all(c["origin_id"] in originals for c in copies if c["origin_id"] is not None)
    assert {originals[c["origin_id"]]["code"] for c in copies if c["origin_id"] in originals} == (
        set(unfinished) - {removed}
    )
    # The copy of the project B deleted lost its original: the copy stays, with no origin.
    # B's offline edit stays on the 2025 project, made after the copy was taken.
    assert by_code(b)[edited]["progress"] == "乙离线时写的进展"
    assert removed not in by_code(a)
    assert by_code(a)[offline_made]["name"] == "乙离线新增的项目"
    # Rolling over again on B carries only what the rollover elsewhere could not see.
    with Store.open(b, readonly=True) as store:
        again = plan_rollover(store, 2025, 2026)
    assert [i.project.name for i in again.to_carry] == ["乙离线新增的项目"]
    assert len(again.existing) == len(unfinished) - 1
