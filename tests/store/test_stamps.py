"""A years' stamp moves with every write to those years and with nothing else."""

from __future__ import annotations

from ysdesk.domain.model import ProjectFilter
from ysdesk.store import Store
from ysdesk.store.stamps import years_stamp


def test_stamp_follows_edits_moves_and_deletes(sample_store: Store) -> None:
    before = years_stamp(sample_store, [2025, 2026])
    assert before[0] == sample_store.project_count(2025)
    assert years_stamp(sample_store, [2026]) == (0, 0, "")
    first, second = sample_store.project_ids(ProjectFilter(year=2025))[:2]
    project = sample_store.get_project(first)
    sample_store.update_project(first, {"note": "补充"}, expected_version=project.version)
    edited = years_stamp(sample_store, [2025, 2026])
    assert edited != before and edited[0] == before[0]
    project = sample_store.get_project(second)
    sample_store.update_project(second, {"year": 2026}, expected_version=project.version)
    assert years_stamp(sample_store, [2025, 2026])[0] == before[0]
    assert years_stamp(sample_store, [2025]) != years_stamp(sample_store, [2025, 2026])
    sample_store.delete_project(first)
    assert years_stamp(sample_store, [2025, 2026])[0] == before[0] - 1
