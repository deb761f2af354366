"""The risk map: an edition's countries coloured by risk level, as SVG drawn on the server.

It needs no JavaScript, goes into the PDF as it is, and can be a complete SVG document on
its own (`standalone=True`), for an image made from it. Every rated country is a link to
its page titled with its rating ("Myanmar: Very high/Ongoing"); the page beside the map
gives the same ratings as a table, so colour is never the only way they are told.

The shapes are the prepared ones (assessments.mapshapes), read once per process. The
projection is equirectangular, its longitudes scaled by the cosine of the map's middle
latitude, on a central meridian chosen so that the rated countries are in one piece:
a region across the antimeridian (Asia Pacific, from Afghanistan to Samoa) is drawn
from west to east without a cut through the Pacific.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .mapshapes import prepared
from .models import Revision
from .templatetags.public_tags import css_colour

# The map's size in its own units: 1000 across, its height between these shares of that
# (a region's extent is widened, in longitude or latitude, to fill the frame).
WIDTH = 1000
MIN_HEIGHT, MAX_HEIGHT = 0.45 * WIDTH, 0.75 * WIDTH
# Room around the rated countries: a share of their extent, and at least this much
# (degrees): a single country shows its neighbours.
MARGIN_SHARE, MARGIN = 0.08, 4.0
# A map spans at least this many degrees of latitude: an edition of one small country
# still reads as a map, at a scale the prepared shapes are simplified for.
MIN_SPAN = 24.0
# A rated country whose main land is smaller than this either way (map units) also gets a
# dot: a circle with a dark ring, so that it can be seen and clicked.
DOT_BELOW, DOT_RADIUS = 8.0, 5.5
# Points closer than this to the previous one (map units) are left out of a path.
MIN_STEP = 0.7

# A rated country's fill is its level's colour, which the data decides: two levels side
# by side may look alike. Its black outline tells it from its neighbours and from the
# land and sea around, at 3:1 or more against each (WCAG's non-text contrast) for the
# default levels' colours, from Very high's dark red (3.2:1) to Moderate's yellow.
SEA, LAND, BORDER, OUTLINE = "#eef2f5", "#d3d7db", "#ffffff", "#000000"


@dataclass(frozen=True)
class MapCountry:
    """A rated country as the map shows it."""

    code: str
    name: str
    rating: str  # "Very high/Ongoing"
    colour: str
    href: str


def edition_countries(outlook, revisions=None):
    """The rated countries of a published edition, from its live revisions (one query
    when the caller does not have them)."""
    if revisions is None:
        revisions = (
            Revision.objects.live()
            .filter(assessment__outlook=outlook)
            .select_related("assessment__country", "risk_level", "risk_status")
            .order_by("assessment__position")
        )
    return [
        MapCountry(
            code=revision.assessment.country.code.code,
            name=revision.assessment.country.official_name,
            rating=f"{revision.risk_level.name}/{revision.risk_status.name}",
            colour=css_colour(revision.risk_level.colour),
            href=revision.assessment.country.get_absolute_url(),
        )
        for revision in revisions
    ]


def edition_map(outlook, revisions=None, *, standalone=False):
    """The risk map of a published edition as SVG (safe HTML to inline, or with
    `standalone` a complete SVG document)."""
    return render_map(
        edition_countries(outlook, revisions),
        title=f"Map of risk levels, {outlook.full_title}",
        key=f"map-{outlook.slug}",
        standalone=standalone,
    )


def render_map(countries, *, title, key="map", standalone=False):
    """The SVG of a map of `countries` (MapCountry), titled `title`; `key` makes its ids
    unique on a page that shows several maps."""
    known, others = prepared()
    rated = [country for country in countries if country.code in known]
    frame = Frame.around([known[country.code] for country in rated])
    rated_codes = {country.code for country in rated}
    context = [shape for code, shape in known.items() if code not in rated_codes]
    context += list(others.values())

    parts = [
        f'<rect width="{frame.width}" height="{frame.height}" fill="{SEA}"/>',
        # One path for all the land around: no links, nothing to read.
        f'<path d="{"".join(frame.path(shape) for shape in context)}" fill="{LAND}" '
        f'stroke="{BORDER}" stroke-width="0.6"/>',
    ]
    dotted = []
    for country in rated:
        shape = known[country.code]
        if frame.needs_dot(shape):
            dotted.append(country)  # after the others, so that no neighbour hides its dot
        else:
            parts.append(link(country, frame.path(shape)))
    for country in dotted:
        shape = known[country.code]
        x, y = frame.project(*frame.shifted(shape.point))
        parts.append(link(country, frame.path(shape), dot=(x, y)))

    summary = description(rated)
    size = f'width="{frame.width}" height="{frame.height}" ' if standalone else ""
    # No role: the Nu checker refuses group or figure on an svg, and an img's children
    # (the links) are hidden from assistive technology. Its implicit role (a graphics
    # document) takes its name from its title and description.
    #
    # The shapes run past the frame (Russia's whole coast is in the path): a page that
    # scales the map to fit a height leaves room around its viewBox, where only the
    # frame's own rectangle, the clip, keeps them from showing.
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" {size}viewBox="0 0 {frame.width} '
        f'{frame.height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{key}-title {key}-desc">'
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(summary)}</desc>'
        f'<clipPath id="{key}-frame"><rect width="{frame.width}" height="{frame.height}"/>'
        f'</clipPath><g clip-path="url(#{key}-frame)">' + "".join(parts) + "</g></svg>"
    )
    if standalone:
        return '<?xml version="1.0" encoding="utf-8"?>\n' + svg + "\n"
    return mark_safe(svg)


def link(country, path, dot=None):
    label = escape(f"{country.name}: {country.rating}")
    shape = (
        f'<path d="{path}" fill="{country.colour}" stroke="{OUTLINE}" stroke-width="0.7"/>'
        if path
        else ""
    )
    if dot:
        shape += (
            f'<circle cx="{dot[0]}" cy="{dot[1]}" r="{DOT_RADIUS}" fill="{country.colour}" '
            f'stroke="{OUTLINE}" stroke-width="1.5"/>'
        )
    return f'<a href="{escape(country.href)}"><title>{label}</title>{shape}</a>'


def description(rated):
    """The map in words: the rated countries by rating, as the title of each tells."""
    by_rating = {}
    for country in rated:
        by_rating.setdefault(country.rating, []).append(country.name)
    listed = "; ".join(f"{rating}: {', '.join(names)}" for rating, names in by_rating.items())
    return f"Each country is coloured by its risk level and links to its page. {listed}."


class Frame:
    """Where the map looks: its central meridian, its bounds and its projection."""

    def __init__(self, cut, west, south, east, north):
        self.cut = cut  # every longitude drawn is moved into cut..cut + 360
        self.west, self.north = west, north
        self.stretch = math.cos(math.radians((south + north) / 2))
        self.scale = WIDTH / ((east - west) * self.stretch)
        self.width = WIDTH
        self.height = round((north - south) * self.scale)
        self.bounds = (west, south, east, north)

    @classmethod
    def around(cls, rated):
        """The frame that shows the `rated` shapes whole, with room around them."""
        if not rated:  # nothing to show: Asia Pacific, the product's first region
            return cls(-30.0, 40.0, -50.0, 200.0, 55.0)
        cut = cut_longitude(rated)
        extents = []
        for shape in rated:
            for ring in shape.rings[: shape.main]:
                offset = shift(ring.middle, cut)
                extents.append((ring.west + offset, ring.south, ring.east + offset, ring.north))
            lon, lat = shape.point
            lon += shift(lon, cut)
            extents.append((lon, lat, lon, lat))
        west = min(e[0] for e in extents)
        south = min(e[1] for e in extents)
        east = max(e[2] for e in extents)
        north = max(e[3] for e in extents)
        # Room around, then at least MIN_SPAN of latitude, then the frame's proportions.
        across, down = east - west, north - south
        west -= max(across * MARGIN_SHARE, MARGIN)
        east += max(across * MARGIN_SHARE, MARGIN)
        south -= max(down * MARGIN_SHARE, MARGIN)
        north += max(down * MARGIN_SHARE, MARGIN)
        south, north = widened(south, north, MIN_SPAN)
        south, north = max(south, -85.0), min(north, 85.0)
        stretch = math.cos(math.radians((south + north) / 2))
        across, down = (east - west) * stretch, north - south
        if down / across < MIN_HEIGHT / WIDTH:
            south, north = widened(south, north, across * MIN_HEIGHT / WIDTH)
        elif down / across > MAX_HEIGHT / WIDTH:
            west, east = widened(west, east, down * WIDTH / MAX_HEIGHT / stretch)
        return cls(cut, west, south, east, north)

    def shifted(self, point):
        lon, lat = point
        return lon + shift(lon, self.cut), lat

    def project(self, lon, lat):
        x = (lon - self.west) * self.stretch * self.scale
        y = (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)

    def visible(self, ring, offset):
        west, south, east, north = self.bounds
        return (
            ring.east + offset >= west
            and ring.west + offset <= east
            and ring.north >= south
            and ring.south <= north
        )

    def needs_dot(self, shape):
        if not shape.rings[: shape.main]:
            return True
        main = shape.rings[: shape.main]
        offset = shift(main[0].middle, self.cut)
        west = min(r.west for r in main) + offset
        east = max(r.east for r in main) + offset
        south, north = min(r.south for r in main), max(r.north for r in main)
        across = (east - west) * self.stretch * self.scale
        down = (north - south) * self.scale
        return max(across, down) < DOT_BELOW

    def path(self, shape):
        """SVG path data of the shape's rings that fall in the frame."""
        # In tenths of a unit, as integers: relative moves between rounded points are
        # short to write and add up to no error. This loop is the map's whole cost.
        across, down = self.stretch * self.scale * 10, self.scale * 10
        west, north, step = self.west, self.north, MIN_STEP * 10
        data = []
        for ring in shape.rings:
            offset = shift(ring.middle, self.cut)
            if not self.visible(ring, offset):
                continue
            flat = ring.points
            x0 = round((flat[0] + offset - west) * across)
            y0 = round((north - flat[1]) * down)
            moves, last_x, last_y = [], x0, y0
            for i in range(2, len(flat), 2):
                x = round((flat[i] + offset - west) * across)
                y = round((north - flat[i + 1]) * down)
                if abs(x - last_x) + abs(y - last_y) >= step:
                    moves.append(tenths(x - last_x))
                    moves.append(tenths(y - last_y))
                    last_x, last_y = x, y
            if len(moves) >= 4:
                data.append(f"M{tenths(x0)}{tenths(y0)}l{''.join(moves)}z")
        return "".join(data)


def tenths(value):
    """A number of path data given in tenths, as short as it can be written (12 for 12.0,
    .5 for 0.5), with the space before it unless it is negative."""
    written = TENTHS.get(value)
    if written is None:
        sign = "-" if value < 0 else " "
        whole, tenth = divmod(abs(value), 10)
        written = sign + (f"{whole}" if not tenth else f"{whole or ''}.{tenth}")
    return written


TENTHS = {}
TENTHS.update((value, tenths(value)) for value in range(-3000, 3001))


def widened(low, high, span):
    """low..high widened about its middle to at least `span`."""
    if high - low >= span:
        return low, high
    middle = (low + high) / 2
    return middle - span / 2, middle + span / 2


def shift(lon, cut):
    """The multiple of 360 that moves `lon` into cut..cut + 360."""
    return -360.0 * math.floor((lon - cut) / 360)


def cut_longitude(rated):
    """The meridian to cut the world at: the middle of the widest stretch of longitude
    that no rated country reaches, or the antimeridian when that stretch crosses it (a
    map of Europe is cut where maps usually are)."""
    covered = [False] * 360  # degree i covers longitudes -180 + i .. -179 + i
    for shape in rated:
        spans = [(ring.west, ring.east) for ring in shape.rings[: shape.main]]
        spans.append((shape.point[0], shape.point[0]))
        for west, east in spans:
            for degree in range(math.floor(west - MARGIN), math.ceil(east + MARGIN) + 1):
                covered[(degree + 180) % 360] = True
    if all(covered):
        return -180.0
    # The longest run of uncovered degrees, around the circle: start from a covered one.
    start = covered.index(True)
    best_length, best_start, length = 0, None, 0
    for step in range(1, 361):
        degree = (start + step) % 360
        if covered[degree]:
            length = 0
            continue
        length += 1
        if length > best_length:
            best_length, best_start = length, (degree - length + 1) % 360
    first, last = best_start, (best_start + best_length - 1) % 360
    if last < first:  # the gap runs across the antimeridian: cut there
        return -180.0
    return -180.0 + (first + last + 1) / 2
