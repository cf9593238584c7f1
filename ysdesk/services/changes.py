"""What a write changed, as the use case that wrote knows it; views decide how to refresh.

Every write of the services returns a `Changes` (or a result carrying one): the projects
added, changed (with the fields) or removed, whether the plan (units, zones, tasks,
indicators) changed, the version each written project now has. A sync of the shared mode
says the same of what it pulled, and names the projects whose ids the server settled
(`renumbered`). No Qt here: the window broadcasts these (ui/context.py), the command line
may print them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

# Changing these moves a project to another node of some navigation tree.
STRUCTURAL_FIELDS = frozenset({"year", "task_no", "zones", "lead_units", "co_units"})


@dataclass(frozen=True, eq=False, repr=False)
class Changes:
    """What one write (or several, merged) changed."""

    added: frozenset[int] = frozenset()
    changed: Mapping[int, frozenset[str]] = field(default_factory=dict)  # id → fields written
    removed: frozenset[int] = frozenset()
    plan: bool = False  # units, zones, tasks or indicators
    everything: bool = False  # another database, a restore: reload all
    versions: Mapping[int, int] = field(default_factory=dict)  # id → version after the write
    renumbered: Mapping[int, int] = field(default_factory=dict)  # old id → new id (a sync)
    # Whoever asked for the write (the window passes a widget, which does not reload itself
    # for its own change); the services never read it.
    source: object = None

    def __post_init__(self) -> None:
        # Read-only views of private copies: a Changes handed to many views stays as made.
        for name in ("changed", "versions", "renumbered"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    # ------------------------------------------------------------ made by writes
    @classmethod
    def fields(cls, project_id: int, fields: Iterable[str], version: int) -> Changes:
        """Fields of one project written, leaving it at `version` (no fields: nothing)."""
        written = frozenset(fields)
        if not written:
            return cls()
        return cls(changed={project_id: written}, versions={project_id: version})

    @classmethod
    def inserted(cls, project_id: int, version: int) -> Changes:
        """One project added (or put back by an undo) at `version`."""
        return cls(added=frozenset({project_id}), versions={project_id: version})

    @classmethod
    def deleted(cls, project_id: int) -> Changes:
        """One project removed."""
        return cls(removed=frozenset({project_id}))

    @classmethod
    def of_plan(cls) -> Changes:
        """Units, zones, tasks or indicators changed."""
        return cls(plan=True)

    @classmethod
    def all(cls) -> Changes:
        """Anything may have changed (another database, a restore): views reload entirely."""
        return cls(plan=True, everything=True)

    @classmethod
    def merged(cls, many: Iterable[Changes]) -> Changes:
        """One Changes standing for several in order (a macro's, a batch's); the source
        is kept only when all agree."""
        result = cls()
        sources = set()
        first_source = None
        for index, item in enumerate(many):
            result = result | item
            sources.add(id(item.source))
            if index == 0:
                first_source = item.source
        return replace(result, source=first_source if len(sources) == 1 else None)

    def __or__(self, other: Changes) -> Changes:
        """Both changes, the later (`other`) last: a project added then removed is removed."""
        changed = {k: v for k, v in self.changed.items()}
        for pid, written in other.changed.items():
            changed[pid] = changed.get(pid, frozenset()) | written
        removed = (self.removed - other.added) | other.removed
        added = (self.added - other.removed) | other.added
        versions = {**self.versions, **other.versions}
        for pid in other.removed:
            versions.pop(pid, None)
        return Changes(
            added=added,
            changed=changed,
            removed=removed,
            plan=self.plan or other.plan,
            everything=self.everything or other.everything,
            versions=versions,
            renumbered={**self.renumbered, **other.renumbered},
        )

    def with_source(self, source: object) -> Changes:
        """The same changes, made at the request of `source`."""
        return replace(self, source=source)

    # ------------------------------------------------------------ read by views
    @property
    def projects(self) -> frozenset[int]:
        """Every project id this change concerns (added, changed, removed, renumbered)."""
        return (
            self.added
            | self.changed.keys()
            | self.removed
            | self.renumbered.keys()
            | frozenset(self.renumbered.values())
        )

    @property
    def structure(self) -> bool:
        """Projects were added, removed, renumbered or moved between tasks, zones or units:
        trees and lists change shape, not only their rows' texts."""
        return bool(
            self.everything
            or self.added
            or self.removed
            or self.renumbered
            or any(not STRUCTURAL_FIELDS.isdisjoint(f) for f in self.changed.values())
        )

    @property
    def empty(self) -> bool:
        """Nothing changed."""
        return not (self.projects or self.plan or self.everything)

    def touches(self, project_id: int | None) -> bool:
        """Whether a view showing this project should refresh it."""
        return self.everything or (project_id is not None and project_id in self.projects)

    def fields_of(self, project_id: int) -> frozenset[str]:
        """The fields written of one project (none when it was only added or removed)."""
        return self.changed.get(project_id, frozenset())

    # ------------------------------------------------------------ read by undo
    def undo_blocked(self, expected: Mapping[int, int]) -> frozenset[int]:
        """The projects an undo stack expecting these versions can no longer undo on.

        A write the stack made itself leaves the versions it expects; a write it did not
        make (a sync, another window) moved them on or removed the project, and a settled
        id may now name another project: its undo steps must refuse, never write there.
        """
        blocked = {
            pid
            for pid in (self.changed.keys() | self.added)
            if pid in expected and self.versions.get(pid) != expected[pid]
        }
        blocked |= {pid for pid in self.removed if pid in expected}
        blocked |= {pid for pid in self.renumbered if pid in expected}
        blocked |= {pid for pid in self.renumbered.values() if pid in expected}
        return frozenset(blocked)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Changes):
            return NotImplemented
        return (
            self.added == other.added
            and dict(self.changed) == dict(other.changed)
            and self.removed == other.removed
            and self.plan == other.plan
            and self.everything == other.everything
            and dict(self.versions) == dict(other.versions)
            and dict(self.renumbered) == dict(other.renumbered)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = [
            f"{name}={value!r}"
            for name, value in (
                ("added", set(self.added)),
                ("changed", {k: set(v) for k, v in self.changed.items()}),
                ("removed", set(self.removed)),
                ("plan", self.plan),
                ("everything", self.everything),
                ("renumbered", dict(self.renumbered)),
            )
            if value
        ]
        return f"Changes({', '.join(parts)})"
