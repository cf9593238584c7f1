"""Ten desks, a hundred random edits each, synced in random order (some at once): every desk
ends with the same `list --json`, no update is lost, and conflicts arise exactly where two
desks changed one field since they last agreed.

A model of the server (three-way merge per field, as the design says it must behave) runs
beside the real desks. Syncs that run at once are replayed in the order the server took
them (the order in which they got its change lock), so the model knows what each sync saw.
The seed is printed; YSDESK_TEST_SEED=N runs another one.
"""

from __future__ import annotations

import json
import os
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.pg_cluster import OfficeServer
from tests.sync.helpers import TODAY
from ysdesk.server import remote
from ysdesk.services import sync
from ysdesk.services.editing import new_draft
from ysdesk.store import Store
from ysdesk.store.replica import gid_map

DESKS = 10
EDITS = 100  # per desk
ROUNDS = 5
NEW_PROJECT_SHARE = 0.03
SET_BACK_SHARE = 0.1
FIELDS = ("progress", "note", "goal", "name", "deadline_text", "status")
STATUSES = ("未启动", "推进中", "已完成", "滞后", "暂缓")
SEED = int(os.environ.get("YSDESK_TEST_SEED", "20250302"))

Values = dict[str, Any]
Key = tuple[str, str]  # (global id, field)


def desk_values(path: Path) -> dict[str, Values]:
    """Per global id: the desk's values of the fields the test edits (as `list --json`)."""
    with Store.open(path, readonly=True) as store:
        gids = {pid: gid for gid, pid in gid_map(store).items() if pid is not None}
        rows = [json.loads(text) for _, text in store.project_json(today=TODAY)]
    return {gids[r["id"]]: {f: r[f] for f in FIELDS} for r in rows}


def histories(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Per global id: the progress history (date, text) the desk holds."""
    with Store.open(path, readonly=True) as store:
        gids = {pid: gid for gid, pid in gid_map(store).items() if pid is not None}
        rows = store.conn.execute("SELECT project_id, date, text FROM progress_log").fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for pid, date, text in rows:
        found.setdefault(gids[pid], []).append((date, text))
    return {gid: sorted(set(entries)) for gid, entries in found.items()}


def listing_text(path: Path) -> str:
    with Store.open(path, readonly=True) as store:
        return "\n".join(text for _, text in store.project_json(today=TODAY))


@dataclass
class Outcome:
    """What the model says one sync does."""

    conflicts: set[Key] = field(default_factory=set)
    created: set[str] = field(default_factory=set)  # projects made on this desk
    pushed: dict[Key, Any] = field(default_factory=dict)  # values that must reach the server
    dropped: dict[Key, Any] = field(default_factory=dict)  # this desk's values given up (theirs)


class Model:
    """The server and every desk as the three-way merge of the design defines them."""

    def __init__(self, start: dict[str, Values], desks: list[str]) -> None:
        self.server = {gid: dict(v) for gid, v in start.items()}
        self.base = {d: {gid: dict(v) for gid, v in start.items()} for d in desks}
        self.local = {d: {gid: dict(v) for gid, v in start.items()} for d in desks}

    def sync(self, desk: str, prefer: str | None) -> Outcome:
        out = Outcome()
        base, local = self.base[desk], self.local[desk]
        for gid, mine_values in local.items():
            if gid not in self.server:  # made on this desk: pushed whole
                self.server[gid] = dict(mine_values)
                out.created.add(gid)
                continue
            for name, mine in mine_values.items():
                was, theirs = base[gid][name], self.server[gid][name]
                if mine in (theirs, was):
                    continue
                if theirs == was or prefer == sync.MINE:
                    self.server[gid][name] = mine
                    out.pushed[(gid, name)] = mine
                elif prefer == sync.THEIRS:
                    out.dropped[(gid, name)] = mine
                else:
                    out.conflicts.add((gid, name))
        old_base = base
        self.base[desk] = {gid: dict(v) for gid, v in self.server.items()}
        self.local[desk] = {gid: dict(v) for gid, v in self.server.items()}
        for gid, name in out.conflicts:  # left open: this desk keeps its value and old base
            self.base[desk][gid][name] = old_base[gid][name]
            self.local[desk][gid][name] = local[gid][name]
        return out


@pytest.fixture
def lock_order(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The desks in the order their syncs took the server's change lock (its commit order)."""
    order: list[str] = []
    guard = threading.Lock()
    take = remote.lock_changes

    def recording(conn: Any, desk: str, note: str = "") -> None:
        take(conn, desk, note)
        with guard:
            order.append(desk)

    monkeypatch.setattr(remote, "lock_changes", recording)
    yield order


def test_ten_desks_converge_with_no_lost_update(
    sample_db: Path, office_server: OfficeServer, tmp_path: Path, lock_order: list[str]
) -> None:
    print(f"seed {SEED} (YSDESK_TEST_SEED)")
    rng = random.Random(SEED)
    names = [f"d{n}" for n in range(DESKS)]
    with Store.open(sample_db) as store:
        sync.share(store, office_server.url, desk=names[0])
    paths = {names[0]: sample_db}
    for name in names[1:]:
        paths[name] = tmp_path / f"{name}.db"
        sync.clone(paths[name], office_server.url, desk=name)[0].close()
    model = Model(desk_values(sample_db), names)
    edits = conflicts = syncs = 0
    lost: list[tuple[str, str, str, Any]] = []

    def edit_round(desk: str, round_no: int, count: int) -> None:
        nonlocal edits
        local = model.local[desk]
        with Store.open(paths[desk]) as store, store.atomic():
            ids = {gid: pid for gid, pid in gid_map(store).items() if pid is not None}
            for i in range(count):
                edits += 1
                if rng.random() < NEW_PROJECT_SHARE:
                    draft = new_draft(store, 2025, task_no=rng.randint(1, 23), lead_unit="区科委")
                    made = store.insert_project(draft.replace(name=f"{desk} 新增 {round_no}-{i}"))
                    gid = next(g for g, p in gid_map(store).items() if p == made.id)
                    local[gid] = {f: getattr(made, f) for f in FIELDS} | {
                        "status": made.status.value
                    }
                    continue
                touched = sorted(
                    (g, f)
                    for g, values in local.items()
                    for f, v in values.items()
                    if g in ids and g in model.base[desk] and v != model.base[desk][g][f]
                )
                if touched and rng.random() < SET_BACK_SHARE:
                    # Set back to what it was at the last sync: nothing to push, and the
                    # project's version must still end as everywhere else.
                    gid, name = rng.choice(touched)
                    value = model.base[desk][gid][name]
                else:
                    gid = rng.choice(sorted(g for g in local if g in ids))
                    name = rng.choice(FIELDS)
                    value = rng.choice(STATUSES) if name == "status" else f"{desk}-{round_no}-{i}"
                store.update_project(ids[gid], {name: value}, expected_version=None)
                local[gid][name] = value

    def server_audit() -> set[tuple[str, str, str]]:
        """(global id, field, value written) of every change the server took."""
        with office_server.admin() as conn:
            rows = conn.execute("SELECT gid::text, field, new FROM ysdesk.audit").fetchall()
        return {(r[0], r[1], r[2]) for r in rows}

    def desk_audit(desk: str) -> set[tuple[str, str, str]]:
        """(global id, field, value replaced) of what syncs replaced on this desk."""
        with Store.open(paths[desk], readonly=True) as store:
            gids = {pid: gid for gid, pid in gid_map(store).items() if pid is not None}
            return {
                (gids.get(e.project_id, ""), e.field, e.old)
                for e in store.audit_log(limit=1_000_000)
                if e.origin.startswith("同步")
            }

    def run_syncs(desks: list[str], prefers: dict[str, str | None], parallel: bool) -> None:
        """Sync each desk once, and once more with its preference when conflicts arose."""
        nonlocal conflicts, syncs
        reports: dict[str, list[sync.SyncReport]] = {d: [] for d in desks}
        errors: list[BaseException] = []
        start = len(lock_order)

        def run(desk: str) -> None:
            try:
                with Store.open(paths[desk]) as store:
                    report = sync.sync(store)
                    reports[desk].append(report)
                    if report.conflicts and prefers[desk] is not None:
                        reports[desk].append(sync.sync(store, prefer=prefers[desk]))
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        if parallel:
            threads = [threading.Thread(target=run, args=(d,)) for d in desks]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        else:
            for desk in desks:
                run(desk)
        assert not errors, errors
        # Replay in the server's order: the model says what each sync must have done.
        seen: dict[str, int] = {d: 0 for d in desks}
        outcomes: list[tuple[str, Outcome]] = []
        for desk in lock_order[start:]:
            attempt = seen[desk]
            seen[desk] += 1
            out = model.sync(desk, None if attempt == 0 else prefers[desk])
            got = {(c.gid, c.field) for c in reports[desk][attempt].conflicts}
            assert got == out.conflicts, (SEED, desk, attempt, got, out.conflicts)
            conflicts += len(got)
            syncs += 1
            outcomes.append((desk, out))
        assert seen == {d: len(reports[d]) for d in desks}
        pushed = server_audit()
        for desk, out in outcomes:
            lost.extend(
                (desk, gid, name, value)
                for (gid, name), value in out.pushed.items()
                if (gid, name, value) not in pushed
            )
            lost.extend(
                (desk, gid, "created", "")
                for gid in out.created
                if not any(g == gid and f == "created" for g, f, _ in pushed)
            )
            if out.dropped:
                replaced = desk_audit(desk)
                lost.extend(
                    (desk, gid, name, value)
                    for (gid, name), value in out.dropped.items()
                    if (gid, name, value) not in replaced
                )
        for desk in desks:  # every desk holds what the model says, field by field
            held = desk_values(paths[desk])
            wrong = [
                (gid, name, value, held.get(gid, {}).get(name))
                for gid, values in model.local[desk].items()
                for name, value in values.items()
                if held.get(gid, {}).get(name) != value
            ]
            assert not wrong and held.keys() == model.local[desk].keys(), (SEED, desk, wrong)

    per_round = EDITS // ROUNDS
    for round_no in range(ROUNDS):
        for desk in names:
            edit_round(desk, round_no, per_round)
        order = list(names)
        rng.shuffle(order)
        # Most conflicts are settled at once (mine or theirs); some are left for later.
        prefers = {d: rng.choice((sync.MINE, sync.THEIRS, sync.THEIRS, None)) for d in names}
        if round_no % 2 == 0:
            run_syncs(order[:6], prefers, parallel=True)
            run_syncs(order[6:], prefers, parallel=False)
        else:
            run_syncs(order, prefers, parallel=False)
    # Every conflict settled, then every desk takes what the others pushed last.
    run_syncs(names, {d: rng.choice((sync.MINE, sync.THEIRS)) for d in names}, parallel=False)
    run_syncs(names, {d: None for d in names}, parallel=False)
    for desk in names:
        assert model.local[desk] == model.server
    listings = {desk: listing_text(paths[desk]) for desk in names}
    assert len(set(listings.values())) == 1, SEED
    # The progress histories too, with every progress value a desk ever synced.
    kept = [histories(paths[desk]) for desk in names]
    assert all(h == kept[0] for h in kept), SEED
    assert edits == DESKS * EDITS
    assert lost == [], (SEED, lost)
    assert conflicts > 0
    print(
        json.dumps(
            {
                "seed": SEED,
                "desks": DESKS,
                "edits": edits,
                "syncs": syncs,
                "conflicts": conflicts,
                "lost": len(lost),
                "projects": len(listings[names[0]].splitlines()),
            }
        )
    )
