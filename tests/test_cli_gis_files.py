"""``export ... --format gpkg|shp --out FILE``, ``export city`` and ``import ... FILE.gpkg|.shp|.zip``
through real processes against real SQLite files, as tests/test_cli.py runs them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyogrio
import pytest

from data.layer_export import CITY_LAYERS as LAYERS
from tests.test_cli import run


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> str:
    url = "sqlite:///" + str(tmp_path_factory.mktemp("gis-cli") / "city.db")
    run("seed", "--scale", "small", "--seed", "3", "--db", url)
    return url


def _column(url: str, table: str, column: str) -> list[str]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        return sorted(r[0] for r in db.execute(f"SELECT {column} FROM {table}"))


def test_binary_exports_need_a_file_and_the_city_a_geopackage(city, tmp_path):
    out = run("export", "cells", "--format", "gpkg", "--db", city, check=False)
    assert out.returncode == 2 and "cannot go to stdout: give --out FILE" in out.stderr and not out.stdout
    for fmt in ("shp", "geojson"):
        out = run(
            "export", "city", "--format", fmt, "--out", str(tmp_path / "city.x"), "--db", city, check=False
        )
        assert out.returncode == 2 and "one GeoPackage: --format gpkg" in out.stderr
    out = run(
        "export", "cells", "--format", "gpkg", "--out", str(tmp_path / "cells.shp"), "--db", city, check=False
    )
    assert out.returncode == 2 and "a GeoPackage is written to a file named .gpkg" in out.stderr
    assert not list(tmp_path.iterdir())


def test_the_city_goes_through_a_geopackage_into_a_new_city(city, tmp_path):
    gpkg = tmp_path / "city.gpkg"
    doc = json.loads(
        run("export", "city", "--format", "gpkg", "--out", str(gpkg), "--json", "--db", city).stdout
    )
    assert list(doc["layers"]) == list(LAYERS) and doc["crs"] == "EPSG:4551"
    assert [name for name, _ in pyogrio.list_layers(gpkg)] == list(LAYERS)

    refused = run(
        "import", "cells", str(gpkg), "--new-city", "--db", "sqlite:///" + str(tmp_path / "x.db"), check=False
    )
    assert refused.returncode == 2 and "holds 9 layers (districts, streets" in refused.stderr
    assert not (tmp_path / "x.db").exists()  # a refused file founds no city

    new = "sqlite:///" + str(tmp_path / "new.db")
    founded = run(
        "import", "cells", str(gpkg), "--layer", "cells", "--new-city", "--json", "--db", new
    ).stdout
    report = json.loads(founded)
    assert report["city_created"] and report["crs_from"] == report["crs_to"] == "EPSG:4551"
    for layer in ("cameras", "sirens", "shelters"):
        report = json.loads(run("import", layer, str(gpkg), "--layer", layer, "--json", "--db", new).stdout)
        assert report["inserted"] == doc["layers"][layer]
    assert _column(new, "grid_cells", "code") == _column(city, "grid_cells", "code")
    assert _column(new, "cd_shelters", "name") == _column(city, "cd_shelters", "name")  # Chinese names


def test_a_zipped_shapefile_founds_a_city(city, tmp_path):
    out = tmp_path / "cells.zip"
    printed = run("export", "cells", "--format", "shp", "--out", str(out), "--db", city).stdout
    cells = _column(city, "grid_cells", "code")
    assert printed.startswith(f"exported cells {len(cells)} to {out} (shp, EPSG:4551)")
    new = "sqlite:///" + str(tmp_path / "new.db")
    run("import", "cells", str(out), "--new-city", "--db", new)
    assert _column(new, "grid_cells", "code") == cells
    refused = run("import", "cells", str(out), "--layer", "other", "--db", new, check=False)
    assert (
        refused.returncode == 2
        and "no layer 'other' in the Shapefile: its layers are cells" in refused.stderr
    )


def test_a_text_export_goes_to_a_file_with_out(city, tmp_path):
    for layer in ("sirens", "cells"):
        out = tmp_path / f"{layer}.csv"
        run("export", layer, "--format", "csv", "--out", str(out), "--db", city)
        assert out.read_text("utf-8") == run("export", layer, "--format", "csv", "--db", city).stdout
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["cells.csv", "sirens.csv"]  # no scratch files


def test_an_import_names_the_broken_part(city, tmp_path):
    shp = tmp_path / "sirens.shp"
    run("export", "sirens", "--format", "shp", "--out", str(shp), "--db", city)
    Path(tmp_path / "sirens.dbf").unlink()
    out = run("import", "sirens", str(shp), "--db", city, check=False)
    assert out.returncode == 2
    assert "nothing imported, 1 problem: file: no sirens.dbf beside sirens.shp" in out.stderr


def test_a_shapefile_that_does_not_say_its_encoding_is_refused_until_told(city, tmp_path):
    shp = tmp_path / "sirens.shp"
    run("export", "sirens", "--format", "shp", "--out", str(shp), "--db", city)
    Path(tmp_path / "sirens.cpg").unlink()  # as many a Shapefile handed out arrives
    names = _column(city, "cd_sirens", "name")
    refused = run("import", "sirens", str(shp), "--db", city, check=False)
    assert refused.returncode == 2 and "give it (--encoding GBK" in refused.stderr
    run("import", "sirens", str(shp), "--encoding", "UTF-8", "--db", city)
    assert _column(city, "cd_sirens", "name") == names and any(not n.isascii() for n in names)
