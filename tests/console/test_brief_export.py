"""The ICS 201 briefing as PDF (Qt offscreen): a real PDF that carries the incident's facts, Chinese
included, and a map sketch painted from the snapshot."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from data.emergency_demo import seed_emergency
from modes.common.clock import FixedClock
from modes.emergency.desk import IncidentDesk
from modes.emergency.incidents import Actor

NOW = dt.datetime(2026, 3, 2, 10, 0)
COMMANDER = Actor.of("commander", "王指挥")


@pytest.fixture(scope="module")
def briefing(make_session):
    """An incident with a dispatched unit, an ICS position and a log line; its briefing."""
    clock = FixedClock(NOW)
    with make_session() as s, s.begin():
        seed_emergency(s, at=NOW)
        desk = IncidentDesk(s, clock)
        cell = desk.index.cell_polygons[len(desk.index.cell_codes) // 2].representative_point()
        doc = desk.open(COMMANDER, type_code="0403", x=cell.x, y=cell.y, level="II", title="南岗燃气管道破裂")
        unit = desk.suggest(doc["id"], need="gas_repair", limit=1)["units"][0]["unit"]
        desk.dispatch(COMMANDER, doc["id"], unit, instructions="关闭上游阀门")
        desk.role(COMMANDER, doc["id"], "operations", "李行动", "燃气公司")
        desk.add_log(Actor.of("dispatcher", "张派遣"), doc["id"], "现场已封锁，疏散居民")
        return desk.briefing(doc["id"], prepared_by="王指挥"), unit


def _pdf_title(pdf: bytes) -> str:
    """The document title from the PDF's Info dictionary (a UTF-16 literal string)."""
    start = pdf.index(b"/Title (") + len(b"/Title (")
    out, i = bytearray(), start
    while pdf[i : i + 1] != b")":
        if pdf[i : i + 1] == b"\\":
            i += 1
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(pdf[i : i + 1], pdf[i : i + 1])
        else:
            out += pdf[i : i + 1]
        i += 1
    return bytes(out).decode("utf-16")


def test_the_pdf_opens_and_carries_the_incidents_facts(briefing, tmp_path):
    from console.brief_export import briefing_pdf

    brief, unit = briefing
    pdf = briefing_pdf(brief)
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    title = _pdf_title(pdf)
    assert title == brief.title
    assert f"#{brief.incident.id}" in title and "燃气管道破裂" in title and "II级" in title
    assert shutil.which("pdftotext"), "pdftotext (Debian's poppler-utils, see .ci/install) reads the page text"
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout
    text = text.decode("utf-8")
    for fact in (
        "ICS 201", "南岗燃气管道破裂", f"#{brief.incident.id}", "Ⅱ级 重大", "橙色", "10. 资源汇总",
        unit, "关闭上游阀门", "李行动", "现场已封锁，疏散居民", "王指挥",
    ):  # fmt: skip
        assert fact in text, fact


def test_the_map_sketch_shows_the_cordons(briefing):
    from PySide6.QtGui import QColor

    from console.brief_export import map_image

    brief, _ = briefing
    image = map_image(brief.map, size=400, colour=brief.incident.colour)
    assert not image.isNull() and (image.width(), image.height()) == (400, 400)
    # The site marker is at the centre of the view, painted in the level's colour (II: orange).
    centre = image.pixelColor(200, 200)
    assert centre.red() > 200 and 100 < centre.green() < 160 and centre.blue() < 60
    assert image.pixelColor(2, 2) == QColor("#f7f7f2")  # the corner is background
