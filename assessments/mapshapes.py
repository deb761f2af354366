"""Country shapes for the risk map, prepared once from Natural Earth's TopoJSON.

`manage.py build_map` reads the vendored `map/countries-50m.json` (world-atlas 2) and
writes `map/shapes.json`, which is committed: the site only ever reads the prepared
file (`prepared()`, once per process, for assessments.riskmap), never the TopoJSON.

The prepared file holds, per ISO 3166-1 alpha-2 code, the country's rings (outer rings
and holes alike, largest first) as flat lists of lon, lat in degrees rounded to
RESOLUTION, how many of them are its main land (`main`: what a map is fitted to), and a
point for its dot; and, as context, the shapes Natural Earth draws that have no ISO code
(Kosovo, Northern Cyprus). Borders are simplified on TopoJSON's shared arcs, each arc
once, so two neighbours keep one border between them, without gaps or overlaps.

A ring is continuous in longitude: one that crosses the antimeridian (a Fijian island)
runs past 180 rather than jumping to -180, so a map can shift a whole ring by 360
degrees to draw the Pacific in one piece (assessments.riskmap).
"""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from django_countries import countries
from django_countries.data import COUNTRIES

MAP_DIR = Path(__file__).resolve().parent / "map"
TOPOJSON = MAP_DIR / "countries-50m.json"
SHAPES = MAP_DIR / "shapes.json"

# Douglas-Peucker tolerance in degrees. A map of Asia Pacific is about 8 units a degree
# (1000 across), so 0.04 degrees is a third of a unit there, and a unit at the closest a
# map comes (riskmap.MIN_SPAN, one small country): coastlines keep their look. The
# prepared file is 441 KB (the TopoJSON 756 KB); 0.02 made 650 KB, 0.08 290 KB.
TOLERANCE = 0.04
# Decimals kept: 0.01 degree is about a kilometre, far below a pixel at regional scale.
RESOLUTION = 2
# An island smaller than this (square degrees, about 10 km across) is left out of a
# country that has larger land: at regional scale it is under a pixel. A country whose
# land is all that small keeps its largest island and shows as a dot anyway.
MIN_AREA = 0.01
# The bounding box a map fits a country into leaves out islands under this share of
# its largest land (France's Guiana, say, which would stretch a map of Europe to
# South America); they are still drawn when they fall inside the map.
MAIN_LAND_SHARE = 0.2

# Where to put the dot of a country that Natural Earth 1:50m has no shape for (or whose
# shape is part of another's, as Réunion is of France's), and of a country whose largest
# island is far from its centre (Kiribati's is Kiritimati, 3,000 km east of Tarawa).
POINTS = {
    "BQ": (-68.27, 12.18),  # Bonaire
    "BV": (3.40, -54.42),
    "CC": (96.87, -12.17),
    "CX": (105.69, -10.45),
    "GF": (-53.10, 3.90),
    "GI": (-5.35, 36.14),
    "GP": (-61.55, 16.25),
    "KI": (173.0, 1.42),  # Tarawa
    "MQ": (-61.02, 14.64),
    "RE": (55.53, -21.13),
    "SJ": (15.60, 78.20),  # Svalbard
    "TK": (-171.85, -9.20),
    "TV": (179.20, -8.52),  # Funafuti
    "UM": (166.63, 19.29),  # Wake Island
    "YT": (45.15, -12.83),
}


def build_shapes(path=TOPOJSON):
    """The prepared shapes (a dict ready for JSON) from the TopoJSON file at `path`."""
    topology = json.loads(Path(path).read_text())
    raw_arcs = decode_arcs(topology)
    arcs = [simplify(arc, TOLERANCE) for arc in raw_arcs]
    alpha2 = numeric_to_alpha2()
    # Natural Earth gives some codes to two shapes (Australia's 036 to Ashmore and
    # Cartier Islands too): a country's rings are those of every shape with its code.
    by_code, by_name = {}, {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        # An island of a few points may simplify to a line: then it keeps all its points.
        rings = [r for r in geometry_rings(geometry, arcs) if len(r) >= 4]
        rings = [unwrapped(ring) for ring in rings or geometry_rings(geometry, raw_arcs)]
        code = alpha2.get(int(geometry["id"])) if geometry.get("id") else None
        if code is None:
            by_name.setdefault(geometry["properties"]["name"], []).extend(rings)
        else:
            by_code.setdefault(code, []).extend(rings)
    shapes = {code: prepared_shape(rings) for code, rings in by_code.items() if rings}
    others = [{"name": name, **prepared_shape(rings)} for name, rings in by_name.items() if rings]
    for code, (lon, lat) in POINTS.items():
        shapes.setdefault(code, {"rings": [], "main": 0})
        shapes[code]["point"] = [lon, lat]
    return {
        "source": "Natural Earth 1:50m Admin 0 countries (world-atlas 2.0.2, countries-50m.json)",
        "tolerance": TOLERANCE,
        "countries": dict(sorted(shapes.items())),
        "others": sorted(others, key=lambda other: other["name"]),
    }


def write_shapes(shapes, path=SHAPES):
    # One country a line: a change to the shapes reads as a diff of the countries changed.
    lines = [f"{json.dumps(code)}: {compact(shape)}" for code, shape in shapes["countries"].items()]
    header = {key: value for key, value in shapes.items() if key not in ("countries", "others")}
    text = "{\n"
    text += "".join(f"{json.dumps(key)}: {json.dumps(value)},\n" for key, value in header.items())
    text += '"countries": {\n' + ",\n".join(lines) + "\n},\n"
    text += '"others": [\n' + ",\n".join(compact(other) for other in shapes["others"]) + "\n]\n}\n"
    Path(path).write_text(text)


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def numeric_to_alpha2():
    """ISO 3166-1 numeric code -> alpha-2, as django-countries knows them."""
    table = {}
    for code in COUNTRIES:
        number = countries.numeric(code)
        if number is not None:
            table[number] = code
    return table


def decode_arcs(topology):
    """Each arc as a list of (lon, lat): TopoJSON stores them quantised and delta-encoded."""
    (scale_x, scale_y), (shift_x, shift_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        decoded.append(points)
    return decoded


def geometry_rings(geometry, arcs):
    """The rings (outer and holes alike) of a Polygon or MultiPolygon, as point lists."""
    if geometry["type"] == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return []
    return [ring_points(ring, arcs) for polygon in polygons for ring in polygon]


def ring_points(indexes, arcs):
    # An index ~i means arc i backwards; each arc starts where the one before it ended.
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def simplify(points, tolerance):
    """Douglas-Peucker: the points of `points` that keep it within `tolerance`, ends kept."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            d = segment_distance(points[index], points[first], points[last])
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack.extend([(first, farthest), (farthest, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def segment_distance(point, start, end):
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    if length == 0:  # a closed arc: an island drawn as one arc starts where it ends
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def ring_area(points):
    """The ring's area in square degrees (positive whatever its direction)."""
    return abs(
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False)) / 2
    )


def centroid(points):
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        return points[0]
    return cx / (3 * area), cy / (3 * area)


def unwrapped(ring):
    """The ring with no jump of 360 degrees in longitude, mostly within -180..180.

    A ring around a pole (Antarctica's) runs along the map's edge from 180 to -180 on
    purpose, and is left as it is.
    """
    if any(abs(y) > 89.9 for _, y in ring):
        return ring
    points, offset = [ring[0]], 0.0
    for (x0, _), (x, y) in zip(ring, ring[1:], strict=False):
        if x - x0 > 180:
            offset -= 360
        elif x0 - x > 180:
            offset += 360
        points.append((x + offset, y))
    middle = (min(x for x, _ in points) + max(x for x, _ in points)) / 2
    shift = -360 if middle > 180 else 360 if middle < -180 else 0
    return [(x + shift, y) for x, y in points]


def prepared_shape(rings):
    """A country's rings, largest first (islands under MIN_AREA left out), how many of
    them are its main land, and the point of its dot (the middle of its largest ring)."""
    by_area = sorted(((ring_area(ring), ring) for ring in rings), key=lambda pair: -pair[0])
    largest = by_area[0][0]
    kept = [ring for area, ring in by_area if area >= MIN_AREA or area == largest]
    main = sum(1 for area, _ in by_area if area >= largest * MAIN_LAND_SHARE)
    return {
        "rings": [[round(v, RESOLUTION) for xy in ring for v in xy] for ring in kept],
        "main": min(main, len(kept)),
        "point": [round(v, RESOLUTION) for v in centroid(by_area[0][1])],
    }


# --- Reading the prepared file ----------------------------------------------------------


@dataclass(frozen=True)
class Ring:
    points: tuple  # lon, lat, lon, lat, ...
    west: float
    south: float
    east: float
    north: float

    @property
    def middle(self):
        return (self.west + self.east) / 2


@dataclass(frozen=True)
class Shape:
    rings: tuple
    main: int  # the first `main` rings are the main land, which a map is fitted to
    point: tuple  # lon, lat of the dot


@functools.cache
def prepared():
    """Per alpha-2 code, its Shape; and the shapes without a code, under their names."""
    data = json.loads(SHAPES.read_text())

    def shape(entry):
        rings = tuple(
            Ring(
                tuple(flat),
                min(flat[0::2]),
                min(flat[1::2]),
                max(flat[0::2]),
                max(flat[1::2]),
            )
            for flat in entry["rings"]
        )
        return Shape(rings, entry["main"], tuple(entry["point"]))

    by_code = {code: shape(entry) for code, entry in data["countries"].items()}
    by_name = {entry["name"]: shape(entry) for entry in data["others"]}
    return by_code, by_name
