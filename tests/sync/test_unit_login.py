"""A desk whose login is a unit's: it pushes status, progress and note of the projects its
unit leads; what it may not change stays on the desk, said in the report, never lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pg_cluster import OfficeServer
from tests.sync.helpers import by_code, edit, sync_desk
from ysdesk.server.connection import parse_url
from ysdesk.server.credentials import remember_password
from ysdesk.services import sync
from ysdesk.store import Store

UNIT = "区科委"


@pytest.fixture
def unit_desk(
    sample_db: Path, office_server: OfficeServer, tmp_path: Path
) -> tuple[Path, Path, str]:
    """Desk A shared the list; desk U is a clone made with 区科委's login."""
    with Store.open(sample_db) as store:
        sync.share(store, office_server.url, desk="A")
    login = office_server.add_account("kw", "unit-pw", unit=UNIT)
    url = office_server.url_for(login)
    remember_password(parse_url(url), "unit-pw")
    u = tmp_path / "u.db"
    sync.clone(u, url, desk="U")[0].close()
    return sample_db, u, login


def test_a_unit_pushes_its_own_fields_and_keeps_what_it_may_not_push(
    unit_desk: tuple[Path, Path, str], office_server: OfficeServer
) -> None:
    a, u, login = unit_desk
    projects = by_code(u)
    own = [c for c, p in projects.items() if UNIT in p["lead_units"]]
    other = next(c for c, p in projects.items() if UNIT not in p["lead_units"])
    edit(u, own[0], progress="单位报送的进展", status="滞后")
    edit(u, own[1], name="单位改的名称")  # not a field a unit may change
    edit(u, other, progress="替别的单位写的进展")  # not its project

    report = sync_desk(u)
    assert report.pushed == 1
    assert report.conflicts == []
    assert sorted(report.refused) == sorted([own[1], other])
    # Nothing refused is lost: it stays on the desk, waiting, and is refused again.
    assert by_code(u)[own[1]]["name"] == "单位改的名称"
    assert by_code(u)[other]["progress"] == "替别的单位写的进展"
    with Store.open(u) as store:
        assert sync.status(store, ask_server=False).pending == 2
    assert sorted(sync_desk(u).refused) == sorted([own[1], other])

    sync_desk(a)
    on_a = by_code(a)
    assert (on_a[own[0]]["progress"], on_a[own[0]]["status"]) == ("单位报送的进展", "滞后")
    assert on_a[own[1]]["name"] == projects[own[1]]["name"]
    assert on_a[other]["progress"] == projects[other]["progress"]
    with office_server.admin() as conn:
        rows = conn.execute(
            "SELECT field, new, login, desk FROM ysdesk.audit WHERE login = %s ORDER BY id",
            (login,),
        ).fetchall()
    assert sorted(rows) == [
        ("progress", "单位报送的进展", login, "U"),
        ("status", "滞后", login, "U"),
    ]


def test_a_unit_cannot_share_and_its_new_projects_stay_on_its_desk(
    unit_desk: tuple[Path, Path, str],
) -> None:
    from ysdesk.services.editing import new_draft

    a, u, _ = unit_desk
    with Store.open(u) as store:
        draft = new_draft(store, 2025, task_no=3, lead_unit=UNIT)
        made = store.insert_project(draft.replace(name="单位新增的项目")).code
    report = sync_desk(u)
    assert report.pushed == 0 and report.refused == [made]
    assert by_code(u)[made]["name"] == "单位新增的项目"
    sync_desk(a)
    assert "单位新增的项目" not in {p["name"] for p in by_code(a).values()}
