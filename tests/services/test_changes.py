"""What a write changed: merging, what views read from it, which undo steps it blocks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ysdesk.services.changes import Changes


def test_fields_say_whether_trees_change_shape() -> None:
    status = Changes.fields(7, ["status"], 3)
    assert status.projects == {7} and not status.structure and status.fields_of(7) == {"status"}
    assert Changes.fields(7, ["task_no"], 3).structure
    assert Changes.fields(7, [], 3).empty  # nothing written, nothing to tell
    assert Changes.inserted(8, 1).structure and Changes.deleted(8).structure
    assert Changes.of_plan().plan and not Changes.of_plan().projects
    everything = Changes.all()
    assert everything.touches(12345) and everything.structure
    assert not status.touches(8) and status.touches(7)


def test_merged_changes_read_as_their_sum_in_order() -> None:
    macro = Changes.merged(
        [
            Changes.fields(1, ["status"], 2),
            Changes.fields(1, ["note"], 3),
            Changes.inserted(2, 1),
            Changes.deleted(2),
            Changes.deleted(3),
            Changes.inserted(3, 4),  # an undone delete: the project is back
        ]
    )
    assert dict(macro.changed) == {1: {"status", "note"}}
    assert macro.added == {3} and macro.removed == {2}
    assert dict(macro.versions) == {1: 3, 3: 4}
    assert macro.projects == {1, 2, 3}


def test_one_source_survives_a_merge_only_when_all_agree() -> None:
    me, other = object(), object()
    a, b = Changes.fields(1, ["name"], 2), Changes.fields(2, ["name"], 2)
    assert Changes.merged([a.with_source(me), b.with_source(me)]).source is me
    assert Changes.merged([a.with_source(me), b.with_source(other)]).source is None


def test_a_changes_cannot_be_altered_by_whoever_made_it() -> None:
    fields = {1: frozenset({"name"})}
    changes = Changes(changed=fields)
    fields[2] = frozenset({"note"})
    assert dict(changes.changed) == {1: {"name"}}


def test_an_undo_is_blocked_only_by_writes_the_stack_did_not_make() -> None:
    expected = {1: 4, 2: 7, 3: 1}
    # The stack's own write leaves the versions it now expects.
    assert Changes.fields(1, ["name"], 4).undo_blocked(expected) == frozenset()
    # Another desk's write moved project 1 on; project 9 the stack never touched.
    sync = Changes(changed={1: {"note"}, 9: {"note"}}, versions={1: 5, 9: 2})
    assert sync.undo_blocked(expected) == {1}
    assert Changes(removed=frozenset({2})).undo_blocked(expected) == {2}
    # A settled id: the stack's project 3 is now 30, and its old id may name another.
    assert Changes(renumbered={3: 30}).undo_blocked(expected) == {3}
    assert Changes(renumbered={40: 2}).undo_blocked(expected) == {2}


ids = st.frozensets(st.integers(1, 6), max_size=3)
simple = st.builds(
    Changes,
    added=ids,
    removed=ids,
    changed=st.dictionaries(st.integers(1, 6), st.frozensets(st.sampled_from(["name", "task_no"]))),
    plan=st.booleans(),
)


@given(st.lists(simple, max_size=5))
def test_merging_keeps_every_project_and_flag(many: list[Changes]) -> None:
    merged = Changes.merged(many)
    assert merged.projects == frozenset().union(*(c.projects for c in many))
    assert merged.plan == any(c.plan for c in many)
    assert merged.structure == (
        bool(merged.added or merged.removed) or any("task_no" in f for f in merged.changed.values())
    )
