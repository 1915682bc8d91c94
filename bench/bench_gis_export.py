"""GeoPackage export of the Harbin city, every layer in one file, against the GeoJSON export of the same
layers.

    python bench/bench_gis_export.py [--db URL] [--runs 3]

Without --db it seeds a Harbin-scale demo city (7 districts, 83 streets, 480 communities, 7,030 cells,
18 roads, 108,000 components, 1,150 cameras, 160 sirens, 397 shelters) into a temporary SQLite file
first. Figures, from one run, each the median of ``--runs``:

  figure:   ``python main.py export city --format gpkg --out FILE`` as a person runs it (one process,
            start-up included), and ``export_file(session, "city", "gpkg", FILE)`` inside one process;
  baseline: the GeoJSON export of the layers GeoJSON has (cells, components, cameras, sirens,
            shelters): one ``export LAYER --out FILE.geojson`` process each, summed, and
            ``export_text`` of each inside one process; and the GeoPackage of those five layers alone.

The GeoPackage's feature counts are checked against the database. The machine is shared, so a
calibration loop is printed too.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyogrio

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _city import seeded_demo_url  # noqa: E402
from bench_kpi import calibrate  # noqa: E402

from data.city import city_crs  # noqa: E402
from data.db import open_database, read_only, session_factory  # noqa: E402
from data.layer_export import CITY_LAYERS, LAYERS, export_file, export_text, layer_table  # noqa: E402
from data.ogr_io import write_layers  # noqa: E402

LIMIT_S = 10.0


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command(url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args, "--db", url], check=True, stdout=subprocess.DEVNULL
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or seeded_demo_url(folder)
        out = Path(folder)
        engine = open_database(url, create=False)
        make = session_factory(engine)

        with make() as s:
            crs = city_crs(s)
            counts = {kind: len(layer_table(s, kind)) for kind in CITY_LAYERS}

        def in_process_gpkg(layers: str) -> None:
            with make() as s, read_only(s):
                if layers == "city":
                    export_file(s, "city", "gpkg", out / "city.gpkg")
                else:  # the five layers GeoJSON has, into one file as export city writes them
                    write_layers((layer_table(s, k) for k in LAYERS), "gpkg", out / "five.gpkg", crs)

        def in_process_geojson() -> None:
            with make() as s, read_only(s):
                for kind in LAYERS:
                    with open(out / f"{kind}.geojson", "w", encoding="utf-8") as fh:
                        export_text(s, kind, "geojson", fh)

        print(
            f"calibration loop {calibrate():.2f} s; city CRS {crs}; layers: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        )

        gpkg_cmd, geojson_cmd, gpkg_city, gpkg_five, geojson_five = [], [], [], [], []
        cpu = []
        for _ in range(args.runs):
            before = children_cpu()
            gpkg_cmd.append(
                timed(
                    lambda: command(url, "export", "city", "--format", "gpkg", "--out", str(out / "cmd.gpkg"))
                )
            )
            cpu.append(children_cpu() - before)
            geojson_cmd.append(
                sum(
                    timed(
                        lambda k=k: command(
                            url, "export", k, "--format", "geojson", "--out", str(out / f"cmd-{k}.geojson")
                        )
                    )
                    for k in LAYERS
                )
            )
            gpkg_city.append(timed(lambda: in_process_gpkg("city")))
            gpkg_five.append(timed(lambda: in_process_gpkg("five")))
            geojson_five.append(timed(in_process_geojson))
        engine.dispose()

        got = {
            name: pyogrio.read_info(out / "cmd.gpkg", layer=name)["features"]
            for name, _ in pyogrio.list_layers(out / "cmd.gpkg")
        }
        assert got == counts, (got, counts)
        size = (out / "cmd.gpkg").stat().st_size / 1e6
        geojson_size = sum((out / f"cmd-{k}.geojson").stat().st_size for k in LAYERS) / 1e6

    med = statistics.median
    print(
        f"export city --format gpkg (command, every layer, {size:.1f} MB): median {med(gpkg_cmd):.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in gpkg_cmd)}; CPU {med(cpu):.2f} s)"
    )
    print(
        f"  baseline: export LAYER --format geojson for the 5 layers GeoJSON has ({geojson_size:.1f} MB), "
        f"5 commands: median {med(geojson_cmd):.2f} s  -> GeoPackage/GeoJSON {med(gpkg_cmd) / med(geojson_cmd):.2f}x"
    )
    print(
        f"in one process: GeoPackage, every layer {med(gpkg_city):.2f} s; the 5 layers {med(gpkg_five):.2f} s; "
        f"GeoJSON of the 5 layers {med(geojson_five):.2f} s  -> {med(gpkg_five) / med(geojson_five):.2f}x"
    )
    verdict = "met" if med(gpkg_cmd) < LIMIT_S else "NOT met"
    print(f"target: GeoPackage export of the Harbin city (every layer) < {LIMIT_S:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
