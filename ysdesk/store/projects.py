"""Reading projects: which ids a filter selects, and the projects themselves, in plan order.

The SELECT is made from Project's fields: a field kept in a column of `projects` is read
from the column of its name (the kept JSON texts' trigger watches the same COLUMNS), its
task gives `area_no`, and the zone and unit links give the three lists.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ysdesk.domain.model import PROJECT_FIELDS, Project, ProjectFilter, Status, stored_project
from ysdesk.store.filters import where_clause

if TYPE_CHECKING:
    from ysdesk.store.db import Store

# Project's fields read from the links, and from the project's task.
LINK_FIELDS = ("zones", "lead_units", "co_units")
_FROM_TASK = {"area_no": "t.area_no"}
# Project's fields kept in a column of `projects`, by the field's name.
COLUMNS: tuple[str, ...] = tuple(
    name for name in PROJECT_FIELDS if name not in (*LINK_FIELDS, *_FROM_TASK, "history")
)
_READ = tuple(name for name in PROJECT_FIELDS if name not in (*LINK_FIELDS, "history"))
_SELECT = ", ".join(_FROM_TASK.get(name, f"p.{name}") for name in _READ)
# Where in a read row the links go, and what is converted.
_LINKS_AT = PROJECT_FIELDS.index(LINK_FIELDS[0])
_DEADLINE, _STATUS = _READ.index("deadline"), _READ.index("status")
if (  # pragma: no cover - how _assemble puts a row in Project's order
    PROJECT_FIELDS[_LINKS_AT : _LINKS_AT + len(LINK_FIELDS)] != LINK_FIELDS
    or PROJECT_FIELDS[-1] != "history"
    or _READ[0] != "id"
):
    raise AssertionError("Project must declare id first, the links together, history last")
_STATUSES = {s.value: s for s in Status}

_FROM = "FROM projects p JOIN tasks t ON t.no = p.task_no"
_PLAN_ORDER = "ORDER BY p.year, p.task_no, p.sort, p.id"


def project_ids(store: Store, filt: ProjectFilter, today: date | None) -> list[int]:
    """Ids of the matching projects in plan order (year, task, sort, id)."""
    where, args = where_clause(filt, today)
    return [r[0] for r in store.conn.execute(f"SELECT p.id {_FROM}{where} {_PLAN_ORDER}", args)]


def list_projects(store: Store, filt: ProjectFilter, today: date | None) -> list[Project]:
    """Matching projects with their zones and units: three queries, whatever the count."""
    where, args = where_clause(filt, today)
    rows = store.conn.execute(f"SELECT {_SELECT} {_FROM}{where} {_PLAN_ORDER}", args).fetchall()
    if not rows:
        return []
    return _assemble(store, rows, f"SELECT p.id {_FROM}{where}", args)


def _assemble(store: Store, rows: list[tuple], subquery: str, args: list[Any]) -> list[Project]:
    # Link rows carry ids, mapped to names here: joins and name strings per link row
    # cost more than the dict lookups (measured on 100,000 projects).
    which, which_args = _link_filter(rows, subquery, args)
    zone_names = {z.id: z.name for z in store.zones()}
    zone_order = {zid: i for i, zid in enumerate(zone_names)}
    zones: dict[int, list[int]] = {}
    for pid, zid in store.conn.execute(
        f"SELECT project_id, zone_id FROM project_zones WHERE {which}", which_args
    ).fetchall():
        zones.setdefault(pid, []).append(zid)
    zone_tuples = {
        pid: (
            (zone_names[ids[0]],)
            if len(ids) == 1
            else tuple(zone_names[z] for z in sorted(ids, key=zone_order.__getitem__))
        )
        for pid, ids in zones.items()
    }
    unit_names = dict(store.conn.execute("SELECT id, name FROM units"))
    leads: dict[int, list[str]] = {}
    cos: dict[int, list[str]] = {}
    for pid, uid, lead in store.conn.execute(
        "SELECT project_id, unit_id, role = 'lead' FROM project_units"
        f" WHERE {which} ORDER BY project_id, sort",
        which_args,
    ).fetchall():
        (leads if lead else cos).setdefault(pid, []).append(unit_names[uid])
    from_iso, statuses = date.fromisoformat, _STATUSES
    zones_of, leads_of, cos_of = zone_tuples.get, leads.get, cos.get
    projects = []
    for row in rows:
        values = list(row)
        pid, deadline = values[0], values[_DEADLINE]
        values[_DEADLINE] = from_iso(deadline) if deadline else None
        values[_STATUS] = statuses[values[_STATUS]]
        values[_LINKS_AT:_LINKS_AT] = (
            zones_of(pid, ()),
            tuple(leads_of(pid, ())),
            tuple(cos_of(pid, ())),
        )
        values.append(())  # history: read by Store.get_project when asked for
        projects.append(stored_project(values))
    return projects


def _link_filter(rows: list[tuple], subquery: str, args: list[Any]) -> tuple[str, list[Any]]:
    """The WHERE clause selecting the zone and unit links of these project rows.

    When their ids fill most of the range they span (a year's projects are added together:
    an import, a rollover), the range is read in one sequential pass of the links' primary
    key, several times faster than looking up each id; the links of the few other projects
    in the range come along unused. Scattered ids are selected one by one.
    """
    ids = [r[0] for r in rows]
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids) + 64:
        return "project_id BETWEEN ? AND ?", [low, high]
    return f"project_id IN ({subquery})", args
