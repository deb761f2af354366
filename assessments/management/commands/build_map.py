"""manage.py build_map: prepare the risk map's country shapes from Natural Earth.

Reads the vendored TopoJSON (assessments/map/countries-50m.json) and writes
assessments/map/shapes.json, which is committed: run it again only when the vendored
file or the preparation (assessments.mapshapes) changes, and commit what it writes.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from assessments.mapshapes import SHAPES, TOPOJSON, build_shapes, write_shapes


class Command(BaseCommand):
    help = "Prepare the risk map's shapes (assessments/map/shapes.json) from the TopoJSON."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=TOPOJSON, help="TopoJSON to read.")
        parser.add_argument("--output", type=Path, default=SHAPES, help="File to write.")

    def handle(self, *args, source, output, **options):
        shapes = build_shapes(source)
        write_shapes(shapes, output)
        drawn = sum(1 for shape in shapes["countries"].values() if shape["rings"])
        self.stdout.write(
            f"Wrote {output}: {len(shapes['countries'])} countries "
            f"({drawn} with a shape, the others a dot), {output.stat().st_size:,} bytes."
        )
