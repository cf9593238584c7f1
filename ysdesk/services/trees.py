"""Navigation trees (by task, zone, unit) as plain Python nodes with roll-ups; no Qt.

Trees are built from a ProjectIndex. Project leaves are materialised only when their parent is
opened (`load_leaves`): a task of a 100,000-project list holds thousands of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from ysdesk.domain.model import ProjectFilter, Role
from ysdesk.services.project_index import Counts, ProjectIndex
from ysdesk.store import Store

NO_ZONE_LABEL = "未标注功能区"
ALL_LABEL = "全部项目"
LOADING_LABEL = "正在载入功能区和单位…"

TREE_KINDS = ("task", "zone", "unit")
TREE_TITLES = {"task": "按重点任务", "zone": "按功能区", "unit": "按责任单位"}


@dataclass(eq=False)
class TreeNode:
    """One node: all, area, task, zone, unit or project; counts roll up from the projects below."""

    kind: str  # "root" | "all" | "area" | "task" | "zone" | "unit" | "project" | "loading"
    label: str
    key: object = None
    parent: TreeNode | None = field(default=None, repr=False)
    children: list[TreeNode] = field(default_factory=list, repr=False)
    total: int = 0
    done: int = 0
    overdue: int = 0
    project_id: int | None = None
    status: str = ""
    role: str = ""  # "牵头" / "配合" on project leaves of the unit tree
    project_filter: ProjectFilter | None = None
    ids: tuple[int, ...] = field(default=(), repr=False)  # projects this node counts
    pending: list[tuple[int, str]] = field(default_factory=list, repr=False)  # leaves to load

    def add(self, child: TreeNode) -> TreeNode:
        child.parent = self
        self.children.append(child)
        return child

    def row(self) -> int:
        if self.parent is None:
            return 0
        for i, sibling in enumerate(self.parent.children):
            if sibling is self:
                return i
        raise ValueError("node is not among its parent's children")

    def set_counts(self, counts: Counts) -> None:
        self.total, self.done, self.overdue = counts.total, counts.done, counts.overdue

    @property
    def has_children(self) -> bool:
        return bool(self.children or self.pending)

    @property
    def path(self) -> tuple[tuple[str, object], ...]:
        """(kind, key) from the top: identifies the node across rebuilds."""
        parts: list[tuple[str, object]] = []
        node: TreeNode | None = self
        while node is not None and node.kind != "root":
            parts.append((node.kind, node.key))
            node = node.parent
        return tuple(reversed(parts))

    @property
    def summary(self) -> str:
        """Roll-up shown beside the label: 项目数 · 已完成 · 逾期; a leaf shows its status."""
        if self.kind == "project":
            return " · ".join(part for part in (self.role, self.status) if part)
        if self.kind == "loading":
            return ""
        text = f"{self.total} 项 · 完成 {self.done}"
        if self.overdue:
            text += f" · 逾期 {self.overdue}"
        return text

    def load_leaves(self, index: ProjectIndex) -> list[TreeNode]:
        """Create the pending project leaves; returns them (already added as children)."""
        leaves = []
        # One query for the names of a node's projects, not one per leaf.
        index.prime_labels(pid for pid, _role in self.pending)
        for pid, role in self.pending:
            if pid in index:
                leaves.append(self.add(project_leaf(index, pid, role)))
        self.pending = []
        return leaves

    def walk(self) -> Iterator[TreeNode]:
        """This node and every loaded node below it."""
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, path: Iterable[tuple[str, object]]) -> TreeNode | None:
        """The loaded node at a path, or None."""
        node: TreeNode = self
        for step in path:
            found = next((c for c in node.children if (c.kind, c.key) == step), None)
            if found is None:
                return None
            node = found
        return node


def project_leaf(index: ProjectIndex, project_id: int, role: str = "") -> TreeNode:
    """A leaf for one project of the index."""
    node = TreeNode(
        kind="project",
        label=index.name(project_id),
        key=project_id,
        project_id=project_id,
        status=index.display_status(project_id),
        role=role,
        ids=(project_id,),
        project_filter=ProjectFilter(year=index.year, ids=(project_id,)),
    )
    node.set_counts(index.counts(node.ids))
    return node


def _inner(
    parent: TreeNode,
    index: ProjectIndex,
    kind: str,
    label: str,
    key: object,
    ids: Iterable[int],
    project_filter: ProjectFilter,
    leaves: Iterable[tuple[int, str]] | None = None,
) -> TreeNode:
    node = parent.add(
        TreeNode(kind=kind, label=label, key=key, ids=tuple(ids), project_filter=project_filter)
    )
    node.set_counts(index.counts(node.ids))
    if leaves is not None:
        node.pending = list(leaves)
    return node


def _root(index: ProjectIndex) -> TreeNode:
    root = TreeNode(kind="root", label=f"{index.year} 年")
    _inner(
        root,
        index,
        "all",
        f"{ALL_LABEL}（{index.year} 年）",
        None,
        index.order,
        ProjectFilter(year=index.year),
    )
    root.ids = root.children[0].ids
    root.set_counts(index.counts(root.ids))
    return root


def build_task_tree(store: Store, index: ProjectIndex) -> TreeNode:
    """Area → task → project, with every area and task present even when empty."""
    root = _root(index)
    year = index.year
    tasks = store.tasks()
    for area in store.areas():
        area_ids = [pid for t in tasks if t.area_no == area.no for pid in index.task_ids(t.no)]
        area_node = _inner(
            root,
            index,
            "area",
            area.label,
            area.no,
            area_ids,
            ProjectFilter(year=year, area_no=area.no),
        )
        for task in (t for t in tasks if t.area_no == area.no):
            ids = index.task_ids(task.no)
            _inner(
                area_node,
                index,
                "task",
                task.label,
                task.no,
                ids,
                ProjectFilter(year=year, task_no=task.no),
                leaves=((pid, "") for pid in ids),
            )
    return root


def build_zone_tree(store: Store, index: ProjectIndex) -> TreeNode:
    """Zone → task → project; a project in two zones is under both; then 未标注功能区."""
    root = _root(index)
    year = index.year
    by_zone = {z.name: index.linked_ids("zone", z.name) for z in store.zones()}
    unzoned = index.linked_ids("zone", "")
    tasks = {t.no: t for t in store.tasks()}
    groups = [(name, name, ids) for name, ids in by_zone.items()]
    groups.append((NO_ZONE_LABEL, "", unzoned))
    for label, zone_key, ids in groups:
        zone_node = _inner(
            root, index, "zone", label, zone_key, ids, ProjectFilter(year=year, zone=zone_key)
        )
        by_task: dict[int, list[int]] = {}
        for pid in ids:
            by_task.setdefault(index.task_no(pid), []).append(pid)
        for task_no in sorted(by_task):
            task_ids = by_task[task_no]
            _inner(
                zone_node,
                index,
                "task",
                tasks[task_no].label,
                task_no,
                task_ids,
                ProjectFilter(year=year, zone=zone_key, task_no=task_no),
                leaves=((pid, "") for pid in task_ids),
            )
    return root


def build_unit_tree(store: Store, index: ProjectIndex) -> TreeNode:
    """Unit → its projects, each marked 牵头 or 配合; units without projects are left out."""
    root = _root(index)
    year = index.year
    lead, co = Role.LEAD.label, Role.CO.label
    for unit in store.units():
        lead_ids = index.linked_ids("lead", unit.name)
        co_ids = index.linked_ids("co", unit.name)
        if not lead_ids and not co_ids:
            continue
        # Leaves: the projects the unit leads, then those it cooperates on.
        _inner(
            root,
            index,
            "unit",
            unit.name,
            unit.name,
            index.linked_ids("unit", unit.name),
            ProjectFilter(year=year, unit=unit.name),
            leaves=[*((pid, lead) for pid in lead_ids), *((pid, co) for pid in co_ids)],
        )
    return root


def loading_tree(year: int) -> TreeNode:
    """What a zone or unit tree shows while the links it is built from are being read."""
    root = TreeNode(kind="root", label=f"{year} 年")
    root.add(TreeNode(kind="loading", label=LOADING_LABEL))
    return root


BUILDERS = {"task": build_task_tree, "zone": build_zone_tree, "unit": build_unit_tree}


def build_tree(kind: str, store: Store, index: ProjectIndex) -> TreeNode:
    """The navigation tree of a kind ("task", "zone" or "unit")."""
    return BUILDERS[kind](store, index)


def refresh_counts(root: TreeNode, index: ProjectIndex, ids: Iterable[int]) -> list[TreeNode]:
    """After field changes that move no project: update leaves and roll-ups in place.

    Returns the nodes whose display changed.
    """
    changed_ids = set(ids)
    changed: list[TreeNode] = []
    for node in root.walk():
        if node.kind == "root" or changed_ids.isdisjoint(node.ids):
            continue
        if node.kind == "project" and node.project_id in index:
            node.label = index.name(node.project_id)
            node.status = index.display_status(node.project_id)
        node.set_counts(index.counts(pid for pid in node.ids if pid in index))
        changed.append(node)
    root.set_counts(index.counts(pid for pid in root.ids if pid in index))
    return changed


def task_tree(store: Store, year: int, today: date) -> TreeNode:
    """Area → task → project for a year, with every leaf loaded (CLI and tests)."""
    index = ProjectIndex(store, year, today)
    root = build_task_tree(store, index)
    for node in list(root.walk()):
        node.load_leaves(index)
    return root
