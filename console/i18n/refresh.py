"""Refresh the translation catalogues: ``python -m console.i18n.refresh [--fill zh.json]``.

1. ``pyside6-lupdate`` collects every ``tr()``/``translate()``/``QT_TRANSLATE_NOOP`` string of the
   console package into ``sanwei_zh_CN.ts`` and ``sanwei_en.ts`` (keeping existing translations);
2. English is the source language, so the English catalogue's translations are the source texts;
3. ``--fill`` applies Chinese translations from JSON files ``{context: {source: translation}}`` (may be
   given several times; each part of the console keeps its own file under ``console/i18n/zh/``);
4. unfinished Chinese entries are listed (exit status 1 when any remain);
5. ``pyside6-lrelease`` compiles both into the ``.qm`` files the console loads.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from console.i18n import I18N_DIR, LANGUAGES, ts_path

CONSOLE_DIR = I18N_DIR.parent


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    raise SystemExit(f"{name} not found: install PySide6-Essentials (it ships {name})")


def sources() -> list[str]:
    return sorted(str(p) for p in CONSOLE_DIR.rglob("*.py") if "i18n" not in p.parts)


def read(path: Path) -> ET.ElementTree:
    return ET.parse(path)


def write(tree: ET.ElementTree, path: Path) -> None:
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")


def messages(tree: ET.ElementTree):
    for context in tree.getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            yield name, message


def entries(path: Path) -> dict[tuple[str, str], str | None]:
    """(context, source) -> translation, None where unfinished."""
    out: dict[tuple[str, str], str | None] = {}
    for ctx, m in messages(read(path)):
        t = m.find("translation")
        if t is None or t.get("type") in ("unfinished", "obsolete", "vanished"):
            out[(ctx, m.findtext("source"))] = None
        else:
            forms = t.findall("numerusform")
            out[(ctx, m.findtext("source"))] = forms[0].text if forms else (t.text or "")
    return out


def _set(message: ET.Element, text: str) -> None:
    t = message.find("translation")
    if t is None:
        t = ET.SubElement(message, "translation")
    t.attrib.pop("type", None)
    forms = t.findall("numerusform")
    if message.get("numerus") == "yes":
        for f in forms or [ET.SubElement(t, "numerusform")]:
            f.text = text
    else:
        t.text = text


def fill_english(path: Path) -> None:
    tree = read(path)
    for _ctx, m in messages(tree):
        _set(m, m.findtext("source"))
    write(tree, path)


def fill_from(path: Path, table: dict[str, dict[str, str]]) -> int:
    tree = read(path)
    n = 0
    for ctx, m in messages(tree):
        text = table.get(ctx, {}).get(m.findtext("source"))
        if text is not None:
            _set(m, text)
            n += 1
    write(tree, path)
    return n


def unfinished(path: Path) -> list[tuple[str, str]]:
    return [k for k, v in entries(path).items() if v is None]


def drop_vanished(path: Path) -> None:
    tree = read(path)
    for context in list(tree.getroot().iter("context")):
        for m in list(context.findall("message")):
            t = m.find("translation")
            if t is not None and t.get("type") in ("obsolete", "vanished"):
                context.remove(m)
    for context in list(tree.getroot().findall("context")):
        if not context.findall("message"):
            tree.getroot().remove(context)
    write(tree, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--fill", type=Path, action="append", default=[],
        help="JSON {context: {source: Chinese}} to apply to zh_CN (repeatable)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    # Two refreshes at once would each rewrite the catalogues from their own reading: take turns.
    with open(I18N_DIR / ".refresh.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _refresh(args.fill)


def _refresh(fills: list[Path]) -> int:
    targets = [str(ts_path(lang)) for lang in LANGUAGES]
    subprocess.run(
        [_tool("pyside6-lupdate"), *sources(), "-locations", "none", "-no-obsolete", "-ts", *targets],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for lang in LANGUAGES:
        drop_vanished(ts_path(lang))
    fill_english(ts_path("en"))
    for fill in fills:
        table = json.loads(fill.read_text(encoding="utf-8"))
        print(f"applied {fill_from(ts_path('zh_CN'), table)} Chinese translations from {fill.name}")
    missing = unfinished(ts_path("zh_CN"))
    for ctx, src in missing:
        print(f"unfinished zh_CN: [{ctx}] {src}")
    for lang in LANGUAGES:
        subprocess.run([_tool("pyside6-lrelease"), str(ts_path(lang))], check=True, stdout=subprocess.DEVNULL)
    print(f"compiled {', '.join(LANGUAGES)}; {len(missing)} Chinese entries unfinished")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
