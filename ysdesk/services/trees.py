"""Navigation trees (by task, zone, unit) as plain Python nodes with roll-ups; no Qt."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ysdesk.domain.model import Project, ProjectFilter, Status
from ysdesk.store import Store

NO_ZONE_LABEL = "未标注功能区"


@dataclass
class TreeNode:
    """One node: an area, task, zone, unit or project; counts roll up from the projects below."""

    kind: str  # "root" | "area" | "task" | "zone" | "unit" | "project"
    label: str
    key: object = None
    parent: TreeNode | None = field(default=None, repr=False)
    children: list[TreeNode] = field(default_factory=list, repr=False)
    total: int = 0
    done: int = 0
    overdue: int = 0
    project_id: int | None = None
    status: str = ""
    role: str = ""
    project_filter: ProjectFilter | None = None

    def add(self, child: TreeNode) -> TreeNode:
        child.parent = self
        self.children.append(child)
        return child

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0

    def count(self, projects: Iterable[Project], today: date) -> None:
        for p in projects:
            self.total += 1
            self.done += p.status is Status.DONE
            self.overdue += p.is_overdue(today)

    @property
    def summary(self) -> str:
        """Roll-up shown beside the label: 项目数 / 已完成 / 逾期."""
        text = f"{self.total} 项 · 完成 {self.done}"
        if self.overdue:
            text += f" · 逾期 {self.overdue}"
        return text


def _project_node(p: Project, today: date, role: str = "") -> TreeNode:
    node = TreeNode(
        kind="project",
        label=p.name,
        key=p.id,
        project_id=p.id,
        status=p.display_status(today),
        role=role,
    )
    node.count([p], today)
    return node


def task_tree(store: Store, year: int, today: date) -> TreeNode:
    """Area → task → project, with every area and task present even when empty."""
    projects = store.list_projects(ProjectFilter(year=year), today=today)
    by_task: dict[int, list[Project]] = {}
    for p in projects:
        by_task.setdefault(p.task_no, []).append(p)
    root = TreeNode(kind="root", label=f"{year} 年", project_filter=ProjectFilter(year=year))
    tasks = store.tasks()
    for area in store.areas():
        area_node = root.add(
            TreeNode(
                kind="area",
                label=area.label,
                key=area.no,
                project_filter=ProjectFilter(year=year, area_no=area.no),
            )
        )
        for task in (t for t in tasks if t.area_no == area.no):
            items = by_task.get(task.no, [])
            task_node = area_node.add(
                TreeNode(
                    kind="task",
                    label=task.label,
                    key=task.no,
                    project_filter=ProjectFilter(year=year, task_no=task.no),
                )
            )
            task_node.count(items, today)
            for p in items:
                task_node.add(_project_node(p, today))
        _sum_children(area_node)
    _sum_children(root)
    return root


def _sum_children(node: TreeNode) -> None:
    node.total = sum(c.total for c in node.children)
    node.done = sum(c.done for c in node.children)
    node.overdue = sum(c.overdue for c in node.children)
