"""The public status page as one self-contained HTML document (inline CSS and SVG: no script, no font or
file from elsewhere, so it works on a network without the internet), Chinese and English side by side,
from the document ``modes.everyday.public_status.public_status`` counts."""

from __future__ import annotations

from html import escape
from typing import Any

from modes.everyday.public_status import CHANNELS, STAGE_NAMES, STAGES_PUBLIC

# The grade colours' names (evaluation's config) as they are drawn.
GRADE_COLOURS = {
    "green": "#2e7d32",
    "blue": "#1565c0",
    "yellow": "#b28704",
    "red": "#c62828",
    "black": "#212121",
}
REFRESH_S = 60

_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#12355b;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;font-size:13px;opacity:.85}main{padding:8px 24px 32px;max-width:1200px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:16px 0;padding:12px 16px}
h2{font-size:17px;margin:4px 0 10px}h2 small{font-weight:normal;color:#555}
table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #e3e6ea;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f0f2f5;font-weight:600}
.grade{display:inline-block;min-width:20px;text-align:center;color:#fff;border-radius:3px;padding:0 4px;font-weight:700}
.note{font-size:12px;color:#555}.cols{display:flex;gap:24px;flex-wrap:wrap}
.legend span{display:inline-block;width:14px;height:10px;margin:0 4px 0 12px;border:1px solid #999}
"""


def _t(zh: str, en: str) -> str:
    return f"{escape(zh)} <small>{escape(en)}</small>"


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}%"


def _grade(row: dict) -> str:
    colour = GRADE_COLOURS.get(row["colour"], "#555")
    return f'<span class="grade" style="background:{colour}">{escape(row["grade"])}</span> {row["score"]:.1f}'


def _month(doc: dict) -> str:
    month = doc["month"]
    head = "".join(f"<th>{_t(zh, en)}</th>" for _, zh, en, _ in STAGES_PUBLIC)
    rows = []
    for channel, (zh, en) in CHANNELS.items():
        counts = month["by_channel"].get(channel, {})
        total = sum(counts.values())
        cells = "".join(f"<td>{counts.get(key, 0)}</td>" for key, *_ in STAGES_PUBLIC)
        rows.append(f"<tr><td>{_t(zh, en)}</td>{cells}<td><b>{total}</b></td></tr>")
    totals = "".join(f"<td><b>{month['totals'].get(key, 0)}</b></td>" for key, *_ in STAGES_PUBLIC)
    rows.append(f"<tr><td><b>{_t('合计', 'Total')}</b></td>{totals}<td><b>{month['total']}</b></td></tr>")
    return (
        f'<section id="month"><h2>{_t("本月案件", "Cases this month")} '
        f"<small>{escape(month['from'])} – {escape(month['to'])}</small></h2>"
        f"<table><tr><th>{_t('渠道', 'Channel')}</th>{head}<th>{_t('合计', 'Total')}</th></tr>"
        + "".join(rows)
        + "</table></section>"
    )


def _rates(doc: dict, key: str, zh: str, en: str) -> str:
    rows = "".join(
        f"<tr><td>{_t(r['name'], r['name_en'] or r['key'])}</td><td>{_pct(r['on_time_rate'])}</td>"
        f"<td>{_pct(r['closure_rate'])}</td><td>{r['due_to_close']}</td><td>{_grade(r)}</td></tr>"
        for r in doc[key]
    )
    empty = "" if doc[key] else f'<p class="note">{_t("本月尚无数据", "No figures yet this month")}</p>'
    return (
        f'<div id="{key}"><h2>{_t(zh, en)}</h2><table><tr><th>{_t("名称", "Name")}</th>'
        f"<th>{_t('按期结案率', 'On time')}</th><th>{_t('结案率', 'Closed')}</th>"
        f"<th>{_t('应结案数', 'Due to close')}</th><th>{_t('等级', 'Grade')}</th></tr>{rows}</table>{empty}</div>"
    )


def _grades(doc: dict) -> str:
    parts = [
        f'<span class="grade" style="background:{GRADE_COLOURS.get(c, "#555")}">{escape(g)}</span> ≥ {b:g}'
        for b, g, c in doc["grades"]
    ]
    return f'<p class="note">{_t("等级", "Grades")}: ' + " · ".join(parts) + "</p>"


def _stalls(doc: dict) -> str:
    rows = "".join(
        f"<tr><td>{_t(s['name'], s['name_en'] or s['key'])}</td>"
        f"<td>{_t(*STAGE_NAMES[s['stage']])}</td><td>{s['median_hours']:.1f}</td><td>{s['cases']}</td></tr>"
        for s in doc["stalls"]
    )
    return (
        f'<section id="stalls"><h2>{_t("案件在哪里停留最久", "Where cases stall")}</h2>'
        f'<p class="note">{_t("本月派遣的案件中，各部门等待时间中位数最长的环节（小时，自然时间）", "Of the cases dispatched this month, the stage with the longest median wait per department (hours, clock time)")}</p>'
        f"<table><tr><th>{_t('部门', 'Department')}</th><th>{_t('环节', 'Stage')}</th>"
        f"<th>{_t('中位等待（小时）', 'Median wait (h)')}</th><th>{_t('案件数', 'Cases')}</th></tr>{rows}</table></section>"
    )


def _map(doc: dict) -> str:
    m = doc["map"]
    width, height = m["width"], m["height"]
    outlines = "".join(
        f'<path d="{d["path"]}" fill="#eef1f4" stroke="#7d8a96" stroke-width="1"/>' for d in m["districts"]
    )
    fills = "".join(
        f'<path d="{c["path"]}" fill="{c["colour"]}" stroke="none" fill-rule="evenodd"><title>{c["label"]}</title></path>'
        for c in m["classes"]
    )
    legend = "".join(
        f'<span style="background:{c["colour"]}"></span>{escape(c["label"])} ({c["cells"]})'
        for c in m["classes"]
    )
    return (
        f'<section id="map"><h2>{_t("未结案件分布（按单元网格）", "Open cases per grid cell")}</h2>'
        f'<p class="note">{_t("未结案件", "Open cases")}: {m["open"]} · {_t("涉及网格", "cells")}: {m["cells"]}</p>'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" role="img" aria-label="open cases per cell">'
        f"{outlines}{fills}</svg>"
        f'<p class="legend note">{_t("每格案件数", "Cases per cell")}:{legend}</p></section>'
    )


def render_html(doc: dict[str, Any], *, cached_for: float = 0.0) -> str:
    """The whole page; it reloads itself every ``REFRESH_S`` seconds."""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{REFRESH_S}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>城市管理公开信息 City management status</title><style>{_CSS}</style></head><body>"
        f"<header><h1>城市管理公开信息 <small>City management status</small></h1>"
        f'<p id="refreshed">数据时间 Figures as of <time>{escape(doc["as_of"])}</time> · '
        f"每 {REFRESH_S} 秒刷新 refreshed every {REFRESH_S} s"
        + (f" · 缓存 cached ≤ {cached_for:g} s" if cached_for else "")
        + "</p></header><main>"
        + _month(doc)
        + '<section id="rates"><div class="cols">'
        + _rates(doc, "departments", "各部门按期结案率与结案率", "On-time and closure rates by department")
        + _rates(doc, "districts", "各区按期结案率与结案率", "On-time and closure rates by district")
        + "</div>"
        + _grades(doc)
        + "</section>"
        + _stalls(doc)
        + _map(doc)
        + '<p class="note">本页不含任何个人信息；演练数据不计入。 This page holds no personal data; exercises are not counted.</p>'
        + "</main></body></html>"
    )
