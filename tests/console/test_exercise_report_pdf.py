"""The after-action report as PDF (Qt offscreen): a real PDF with its title, the exercise marking on
every page, Chinese that renders, and the timeline drawn from its SVG; and the command line writing it
to stdout."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from modes.exercises.report import OUTCOME_COLOURS, build_report
from tests.modes.exercise_play import START, play, seed_small_city

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    url = "sqlite:///" + str(tmp_path_factory.mktemp("aar_pdf") / "city.db")
    seed_small_city(url)
    p = play(url)
    with p.Session() as s:
        report = build_report(s, p.exercise_id, p.clock)
    yield url, p, report
    p.engine.dispose()


def _poppler(tool: str, pdf: Path, *args: str) -> str:
    assert shutil.which(tool), f"{tool} (Debian's poppler-utils, see .ci/install) reads the PDF"
    return subprocess.run([tool, *args, str(pdf), "-"], capture_output=True, check=True).stdout.decode(
        "utf-8"
    )


def test_the_pdf_carries_its_title_the_marking_on_every_page_and_chinese(played, tmp_path):
    from console.exercise_report import report_pdf

    _, _, report = played
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    path = tmp_path / "aar.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", "-enc", "UTF-8", str(path)], capture_output=True, check=True).stdout
    title = next(line for line in info.decode("utf-8").splitlines() if line.startswith("Title:"))
    assert title.split(":", 1)[1].strip() == report.title
    assert "演练评估测试" in report.title and f"exercise {report.header.exercise_id}" in report.title

    pages = _poppler("pdftotext", path, "-enc", "UTF-8").split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "演练 EXERCISE" in page, f"page {number} has no exercise marking"
        assert f"page {number} of {len(pages)}" in page
    text = "\n".join(pages)
    for fact in (
        "演练评估报告与改进计划", "演练评估测试", "Hotline reports waited", "A second intake seat",
        "待指定 to be assigned", "附录A 注入明细", "50,000 m", "未达成 missed", "评估员判定",
    ):  # fmt: skip
        assert fact in text, fact
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    assert "WenQuanYi" in fonts


def test_the_timeline_image_is_drawn_from_the_svg(played):
    from PySide6.QtGui import QColor

    from console.exercise_report import timeline_image

    _, _, report = played
    image = timeline_image(report, 1200)
    assert not image.isNull() and image.width() == 1200 and image.height() > 100
    colours = {
        image.pixelColor(x, y).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
    }
    # The marks of the met and the missed injects and the refused one are there, in their colours.
    for outcome in ("met", "missed", "refused"):
        assert QColor(OUTCOME_COLOURS[outcome]).name() in colours, outcome
    assert image.pixelColor(image.width() - 1, image.height() - 1) == QColor("#ffffff")


def test_the_command_line_writes_the_pdf_to_stdout(played):
    url, p, report = played
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SANWEI_CLOCK": (START + dt.timedelta(minutes=5)).isoformat(),
        "QT_QPA_PLATFORM": "offscreen",
    }
    out = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "exercise", "report", str(p.exercise_id), "--format", "pdf",
         "--db", url],
        capture_output=True, check=True, cwd=REPO, env=env,
    ).stdout  # fmt: skip
    assert out.startswith(b"%PDF-1.") and out.rstrip().endswith(b"%%EOF")
    assert len(out) > 20_000
