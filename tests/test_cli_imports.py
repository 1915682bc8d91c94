"""Imports that forgive, and say so, through the command line: real processes on real SQLite files and
real public data (tests/data/public), as tests/test_cli.py runs them.

- a packed case file (Boston's January as .csv.gz) replays into a city founded by ``import cells``,
  once its departments are imported, exactly as the plain file does;
- Boston's July file with needle pickups: refused listing every unmapped value with its row count, or
  imported past them with ``--skip-unmapped`` and the table printed;
- San Francisco's overlapping neighbourhoods: listed (or refused with ``--overlaps refuse``);
- layers far from the Harbin demo city refused with where they are and why, or forced in;
- departments and routing exported, edited and imported as CSV, and routing following the edit.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from pyproj import Transformer
from shapely.geometry import box, mapping

from tests.conftest import PUBLIC_DATA
from tests.test_cli import run as run_main

REPO = Path(__file__).resolve().parent.parent
MAPPING = REPO / "docs" / "examples" / "boston311_mapping.json"
BOSTON_DEPARTMENTS = REPO / "docs" / "examples" / "boston311_departments.csv"
JANUARY = "boston311_2015-01_streetscape.csv"
JULY_NEEDLES = "boston311_2015-07_streetscape_needles.csv.gz"
BOSTON_UTM = "EPSG:32619"


def run(*args, check: bool = False):
    return run_main(*map(str, args), env={"SANWEI_CLOCK": "2016-02-01T09:00:00"}, check=check)


def ok(*args) -> dict:
    """A ``--json`` run that must succeed, and its document."""
    done = run(*args, "--json", check=True)
    return json.loads(done.stdout)


def _boston_grid(path: Path, cell_m: float = 1000.0) -> Path:
    """Square cells over Boston (the extent of its 311 cases) in UTM 19N, named by row and column."""
    to_utm = Transformer.from_crs("EPSG:4326", BOSTON_UTM, always_xy=True)
    (x0, x1), (y0, y1) = to_utm.transform([-71.20, -70.98], [42.22, 42.40])
    features = []
    for j in range(math.ceil((y1 - y0) / cell_m)):
        for i in range(math.ceil((x1 - x0) / cell_m)):
            cell = box(x0 + i * cell_m, y0 + j * cell_m, x0 + (i + 1) * cell_m, y0 + (j + 1) * cell_m)
            features.append(
                {"type": "Feature", "properties": {"name": f"B{j:02d}-{i:02d}"}, "geometry": mapping(cell)}
            )
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": BOSTON_UTM}},
        "features": features,
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def boston_city(tmp_path_factory) -> Path:
    """A city founded over Boston from a cell file, with Boston's departments imported: a SQLite file
    each test copies."""
    folder = tmp_path_factory.mktemp("boston")
    db = folder / "boston.db"
    founded = ok("import", "cells", _boston_grid(folder / "grid.geojson"), "--new-city", "--code-field", "name",
                 "--db", f"sqlite:///{db}")  # fmt: skip
    assert founded["city_created"] and founded["code_tables"]["event_types"] == 263
    assert founded["overlaps"]["count"] == 0  # neighbours touch, they do not overlap
    # Without Boston's departments the mapping's codes are refused; the types are there already.
    refused = run("import", "cases", _public(folder, JANUARY), "--map", MAPPING, "--db", f"sqlite:///{db}")
    assert refused.returncode == 2
    assert (
        "departments the city does not have: disabilities, info_centre, inspectional, parks" in refused.stderr
    )
    assert "unknown event type" not in refused.stderr
    doc = ok("import", "departments", BOSTON_DEPARTMENTS, "--db", f"sqlite:///{db}")
    assert (doc["read"], doc["inserted"], doc["updated"]) == (9, 9, 0)
    return db


def _public(folder: Path, name: str) -> Path:
    """A copy of a file of tests/data/public in ``folder`` (the originals are never handed out)."""
    return Path(shutil.copyfile(PUBLIC_DATA / name, folder / name))


def _copy(db: Path, tmp_path: Path, name: str = "city.db") -> str:
    shutil.copyfile(db, tmp_path / name)
    return f"sqlite:///{tmp_path / name}"


def _stats(url: str) -> dict:
    return ok("stats", "--db", url)


# --- a packed case file into a city founded by import ------------------------------------------------


def test_a_gz_case_file_replays_as_the_plain_file_does(boston_city, tmp_path):
    plain = _public(tmp_path, JANUARY)
    packed = tmp_path / f"{JANUARY}.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    from_gz = ok("import", "cases", packed, "--map", MAPPING, "--db", _copy(boston_city, tmp_path, "a.db"))
    from_csv = ok("import", "cases", plain, "--map", MAPPING, "--db", _copy(boston_city, tmp_path, "b.db"))
    assert from_gz["path"] == str(packed) and from_gz["read"] == 3448
    assert from_gz["replayed"] > 3000 and from_gz["unmapped"] == []
    assert {**from_gz, "path": None} == {**from_csv, "path": None}


# --- unmapped values ------------------------------------------------------------------------------------


def _needles_unmapped(path: Path) -> tuple[list[dict], int]:
    """The July piece's values Boston's mapping does not know, counted here: (table, rows carrying one)."""
    m = json.loads(MAPPING.read_text(encoding="utf-8"))
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    found: dict[tuple[str, str], list[int]] = {}
    carrying = 0
    for line, r in enumerate(rows, start=2):
        misses = [("type", "TYPE", r["TYPE"])] if r["TYPE"] not in m["types"] else []
        if r["Department"] and r["Department"] not in m["departments"]:
            misses.append(("department", "Department", r["Department"]))
        carrying += bool(misses)
        for key, column, value in misses:
            found.setdefault((key, column, value), [0, line])[0] += 1
    table = [
        {"key": k, "column": c, "value": v, "rows": n, "first_line": first}
        for (k, c, v), (n, first) in sorted(found.items(), key=lambda kv: (kv[0][0] != "type", -kv[1][0]))
    ]
    return table, carrying


def test_unmapped_values_are_all_listed_and_skipped_on_request(boston_city, tmp_path):
    needles = _public(tmp_path, JULY_NEEDLES)
    expected, carrying = _needles_unmapped(needles)
    # July 2015: 19 needle pickups, 17 of them under the department GEN_ (two under public works).
    assert [(u["key"], u["value"], u["rows"]) for u in expected] == [
        ("type", "Needle Pickup", 19),
        ("department", "GEN_", 17),
    ]
    assert carrying == 19
    url = _copy(boston_city, tmp_path)

    refused = run("import", "cases", needles, "--map", MAPPING, "--db", url)
    assert refused.returncode == 2
    t, d = expected
    assert (
        f"nothing imported: 19 rows carry values the mapping does not know: type 'Needle Pickup' (column TYPE): "
        f"19 rows, first on line {t['first_line']}; department 'GEN_' (column Department): 17 rows, first on "
        f"line {d['first_line']}. Add them to the mapping, or give --skip-unmapped"
    ) in refused.stderr
    assert _stats(url)["cases"] == 0

    done = run("import", "cases", needles, "--map", MAPPING, "--skip-unmapped", "--db", url, check=True)
    assert re.search(r"skipped 19 \(unmapped value\): lines \d+", done.stdout)
    assert "values not in the mapping (their rows were left out):" in done.stdout
    assert re.search(r"column\s+source column\s+value\s+rows\s+first line", done.stdout)
    assert re.search(rf"type\s+TYPE\s+Needle Pickup\s+19\s+{t['first_line']}\n", done.stdout)
    assert re.search(rf"department\s+Department\s+GEN_\s+17\s+{d['first_line']}\n", done.stdout)
    replayed = int(re.match(r"replayed (\d+) of 600 cases", done.stdout).group(1))
    assert _stats(url)["cases"] == replayed > 500

    doc = ok(
        "import",
        "cases",
        needles,
        "--map",
        MAPPING,
        "--skip-unmapped",
        "--db",
        _copy(boston_city, tmp_path, "j.db"),
    )
    assert doc["unmapped"] == expected
    assert (doc["read"], doc["skipped"]["unmapped_value"], doc["replayed"]) == (600, 19, replayed)
    assert len(doc["skipped_lines"]["unmapped_value"]) == 19
    wrong = run("import", "cells", needles, "--skip-unmapped", "--db", url)
    assert wrong.returncode == 2 and "--skip-unmapped applies to import cases" in wrong.stderr


# --- overlapping cells --------------------------------------------------------------------------------


def test_overlapping_cells_are_listed_or_refused(tmp_path):
    sf = _public(tmp_path, "cth_san-francisco.geojson")
    packed = tmp_path / "sf.geojson.gz"
    packed.write_bytes(gzip.compress(sf.read_bytes()))
    url = f"sqlite:///{tmp_path / 'sf.db'}"
    done = run("import", "cells", packed, "--new-city", "--code-field", "name", "--db", url, check=True)
    out = done.stdout
    assert "read 37, inserted 37" in out and "created a new city" in out
    assert (
        "warning: 3 pairs of cells overlap, 517.9 m2 in all; a point where cells overlap is placed in the cell with the lower code"
        in out
    )
    assert re.search(
        r"990001001\d{6} \(Chinatown\) and 990001001\d{6} \(Financial District\) share 322\.2 m2", out
    )
    assert "(Nob Hill) and" in out and "(Downtown/Civic Center) share 10.1 m2" in out
    assert "standard code tables: 263 event types, 156 component types, 23 departments" in out

    # Refused: the pairs are named, and no database is left behind.
    folder = tmp_path / "refused"
    folder.mkdir()
    zipped = tmp_path / "sf.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(sf, "neighbourhoods.geojson")
        archive.writestr("neighbourhoods.csv", "name,wkt\n")
    refused = run("import", "cells", f"{zipped}!neighbourhoods.geojson", "--new-city", "--code-field", "name",
                  "--overlaps", "refuse", "--db", f"sqlite:///{folder / 'sf.db'}")  # fmt: skip
    assert refused.returncode == 2
    assert f"{zipped}!neighbourhoods.geojson: nothing imported, 3 problems" in refused.stderr
    assert "(Financial District) share 322.2 m2 (--overlaps refuse)" in refused.stderr
    assert list(folder.iterdir()) == []
    both = run("import", "cells", zipped, "--new-city", "--db", f"sqlite:///{folder / 'sf.db'}")
    assert both.returncode == 2 and f"name one as '{zipped}!MEMBER'" in both.stderr
    assert list(folder.iterdir()) == []


# --- a layer far from the city ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def harbin(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("harbin") / "harbin.db"
    run("seed", "--scale", "small", "--seed", "5", "--db", f"sqlite:///{db}", check=True)
    return db


def test_far_layers_are_refused_with_the_reason_or_forced_in(harbin, tmp_path):
    url = _copy(harbin, tmp_path)
    before = _stats(url)
    sf = _public(tmp_path, "cth_san-francisco.geojson")
    refused = run("import", "cells", sf, "--code-field", "name", "--db", url)
    assert refused.returncode == 2
    text = refused.stderr
    km = int(re.search(r"the layer lies about ([\d,]+) km from the city", text).group(1).replace(",", ""))
    assert 8_000 < km < 9_000  # San Francisco to Harbin: about 8,500 km
    assert "around lon -122.4" in text and "the city is lon 126.6" in text
    assert "wrong CRS" in text and "--new-city" in text and "--force imports it here" in text

    toronto = run(
        "import",
        "cameras",
        _public(tmp_path, "toronto_red_light_cameras_2018.geojson"),
        "--code-field",
        "PX",
        "--db",
        url,
    )
    assert toronto.returncode == 2 and re.search(
        r"lies about 9,\d{3} km from the city \(around lon -79\.", toronto.stderr
    )
    sirens = tmp_path / "sirens.csv"
    sirens.write_text("id,lon,lat,power_w\nLA1,-118.2437,34.0522,600\n", encoding="utf-8")
    far_sirens = run("import", "sirens", sirens, "--db", url)
    assert far_sirens.returncode == 2 and "around lon -118.244, lat 34.052" in far_sirens.stderr
    cases = run("import", "cases", _public(tmp_path, JANUARY), "--map", MAPPING, "--db", url)
    assert cases.returncode == 2 and re.search(r"the cases lie about [\d,]+ km from the city", cases.stderr)
    assert 'the mapping\'s "crs"' in cases.stderr
    assert _stats(url) == before

    forced = run("import", "cells", sf, "--code-field", "name", "--force", "--db", url, check=True)
    assert re.search(
        r"warning: the layer lies 8,\d{3} km from the city; imported because of --force", forced.stdout
    )
    assert _stats(url)["cells"] == before["cells"] + 37


# --- departments and routing as CSV ---------------------------------------------------------------------


def test_departments_and_routing_round_trip_through_csv(tmp_path):
    url = f"sqlite:///{tmp_path / 'sf.db'}"
    run("import", "cells", _public(tmp_path, "cth_san-francisco.geojson"), "--new-city", "--code-field", "name", "--db", url, check=True)  # fmt: skip
    exported = run("export", "departments", "--format", "csv", "--db", url, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 23 and list(rows[0]) == ["code", "name_zh", "name_en", "credit_code", "duties"]
    assert run("export", "departments", "--format", "geojson", "--db", url).returncode == 2

    for r in rows:
        if r["code"] == "sanitation":
            r["name_en"] = "San Francisco Public Works"
    rows.append(
        {
            "code": "street_cleaning",
            "name_zh": "街道清扫",
            "name_en": "Street cleaning",
            "credit_code": "",
            "duties": "",
        }
    )
    edited = tmp_path / "departments.csv"
    with open(edited, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    forced = run("import", "departments", edited, "--force", "--db", url)
    assert forced.returncode == 2 and "departments have no place to be far from" in forced.stderr
    encoded = run("import", "departments", edited, "--encoding", "GBK", "--db", url)
    assert encoded.returncode == 2 and "--encoding is for a Shapefile layer's .dbf" in encoded.stderr
    done = run("import", "departments", edited, "--db", url, check=True)
    assert "read 24, inserted 1, updated 1, unchanged 22" in done.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name_zh,credit_code\npost,,X1\nnew_one,,\n", encoding="utf-8")
    refused = run("import", "departments", bad, "--db", url)
    assert refused.returncode == 2
    assert "line 2, column credit_code: 'X1' is not an 18-character" in refused.stderr
    assert "line 3, column name_zh: a new department (new_one) needs its name" in refused.stderr

    routing = run("export", "routing", "--format", "csv", "--db", url, check=True).stdout
    lines = list(csv.DictReader(io.StringIO(routing)))
    assert len(lines) == 263 and {r["district"] for r in lines} == {"*"}  # one district: * rows only
    assert next(r for r in lines if r["event_type"] == "06010")["department"] == "sanitation"
    for r in lines:
        if r["event_type"] == "06010":
            r["department"] = "street_cleaning"
    path = tmp_path / "routing.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    doc = ok("import", "routing", path, "--db", url)
    assert (doc["inserted"], doc["updated"], doc["removed"], doc["unchanged"]) == (0, 1, 0, 262)
    # San Francisco City Hall: 暴露垃圾 there now goes to the new department.
    routed = ok("locate", "-122.4194", "37.7749", "--lonlat", "--type", "06010", "--db", url)
    assert routed["department"] == "street_cleaning"
    assert run("audit", "verify", "--db", url).returncode == 0
