"""An import of departments or routing reaches the shared picture: the centre republishes that table
(the changed rows, and an empty body for a routing row removed), and nothing else. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from data import code_tables
from data.models import JournalEvent
from modes.common.picture import build_state, rebuild, touched_by, unpack
from tests.data.test_gis_io import AT
from tests.data.test_import_forgiving import _csv, _grid_city


def test_departments_and_routing_imports_republish_their_tables(session, tmp_path):
    _grid_city(session, tmp_path)
    published = {k: item.body for k, item in build_state(session, AT).items()}
    before = session.scalar(select(JournalEvent.seq).order_by(JournalEvent.seq.desc()).limit(1))
    code_tables.import_departments(
        session, _csv(tmp_path / "d.csv", [["code", "name_en"], ["sanitation", "Street Sanitation"]]), at=AT
    )
    routing = [
        ["event_type", "district", "department"],
        ["06010", "*", "enforcement"],
        ["0401", "230102", ""],
    ]
    code_tables.import_routing(session, _csv(tmp_path / "r.csv", routing), at=AT)
    events = list(
        session.scalars(select(JournalEvent).where(JournalEvent.seq > before).order_by(JournalEvent.seq))
    )
    assert [e.kind for e in events] == ["import.departments", "import.routing"]

    fresh = rebuild(session, touched_by(events), AT, published=published)
    changed = {k: item.body for k, item in fresh.items() if published.get(k) != item.body}
    assert set(changed) == {"/department/sanitation", "/assignment/230102/06010", "/assignment/230102/0401"}
    assert unpack(changed["/department/sanitation"])["name_en"] == "Street Sanitation"
    assert unpack(changed["/assignment/230102/06010"])["department_code"] == "enforcement"
    assert changed["/assignment/230102/0401"] == b""  # the district itself is responsible now
    assert {k.split("/")[1] for k in fresh} == {"department", "assignment"}
