"""Navigation trees: roll-ups, zones listed twice, units marked 牵头/配合, lazy leaves."""

from __future__ import annotations

from ysdesk.domain.model import ProjectFilter
from ysdesk.services.project_index import ProjectIndex
from ysdesk.services.trees import NO_ZONE_LABEL, build_tree, refresh_counts, task_tree


def _index(store, today) -> ProjectIndex:
    return ProjectIndex(store, 2025, today)


def test_task_tree_has_all_areas_and_tasks_with_rollups(sample_store, today) -> None:
    index = _index(sample_store, today)
    root = build_tree("task", sample_store, index)
    everything, *areas = root.children
    assert everything.kind == "all" and everything.total == 86
    assert [a.kind for a in areas] == ["area"] * 4
    assert sum(len(a.children) for a in areas) == 23
    projects = sample_store.list_projects(ProjectFilter(year=2025), today)
    assert sum(a.total for a in areas) == 86
    assert sum(a.done for a in areas) == sum(p.status.value == "已完成" for p in projects)
    assert sum(a.overdue for a in areas) == sum(p.is_overdue(today) for p in projects)
    task3 = areas[0].children[2]
    assert task3.key == 3
    assert task3.total == len(sample_store.project_ids(ProjectFilter(year=2025, task_no=3)))
    # Leaves are made when the task is opened, not before.
    assert task3.children == [] and len(task3.pending) == task3.total
    leaves = task3.load_leaves(index)
    assert [leaf.project_id for leaf in leaves] == list(task3.ids)
    assert all(leaf.kind == "project" and leaf.status for leaf in leaves)


def test_zone_tree_lists_a_project_under_each_of_its_zones(sample_store, today) -> None:
    index = _index(sample_store, today)
    root = build_tree("zone", sample_store, index)
    zones = root.children[1:]
    assert zones[-1].label == NO_ZONE_LABEL and zones[-1].key == ""
    projects = sample_store.list_projects(ProjectFilter(year=2025), today)
    two_zone = next(p for p in projects if len(p.zones) == 2)
    holding = [z.label for z in zones if two_zone.id in z.ids]
    assert holding == list(two_zone.zones)
    assert zones[-1].total == sum(1 for p in projects if not p.zones)
    assert sum(z.total for z in zones) == sum(max(len(p.zones), 1) for p in projects)
    for zone in zones:
        assert [c.kind for c in zone.children] == ["task"] * len(zone.children)
        assert sum(c.total for c in zone.children) == zone.total


def test_unit_tree_marks_lead_and_cooperating(sample_store, today) -> None:
    index = _index(sample_store, today)
    root = build_tree("unit", sample_store, index)
    kewei = next(n for n in root.children if n.label == "区科委")
    leaves = kewei.load_leaves(index)
    roles = {leaf.role for leaf in leaves}
    assert roles <= {"牵头", "配合"}
    lead_ids = sample_store.project_ids(ProjectFilter(year=2025, unit="区科委"))
    assert sorted(leaf.project_id for leaf in leaves) == sorted(lead_ids)
    first = leaves[0]
    project = sample_store.get_project(first.project_id)
    assert first.role == ("牵头" if "区科委" in project.lead_units else "配合")
    assert first.summary.startswith(first.role)
    assert all(n.total > 0 for n in root.children[1:])


def test_refresh_counts_updates_a_status_change_in_place(sample_store, today) -> None:
    index = _index(sample_store, today)
    root = build_tree("task", sample_store, index)
    task = root.children[1].children[0]
    task.load_leaves(index)
    leaf = next(c for c in task.children if c.status != "已完成")
    done_before = task.done
    project = sample_store.get_project(leaf.project_id)
    sample_store.update_project(project.id, {"status": "已完成"}, expected_version=project.version)
    index.refresh(sample_store, [project.id])
    changed = refresh_counts(root, index, [project.id])
    assert leaf in changed and task in changed and root.children[1] in changed
    assert leaf.status == "已完成"
    assert task.done == done_before + 1


def test_task_tree_for_the_cli_loads_every_leaf(sample_store, today) -> None:
    root = task_tree(sample_store, 2025, today)
    leaves = [n for n in root.walk() if n.kind == "project"]
    assert len(leaves) == 86
    assert root.find(leaves[0].path) is leaves[0]
