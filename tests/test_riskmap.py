"""The risk map (assessments.riskmap, assessments.mapshapes): the prepared shapes, the SVG
of an edition, and where it shows: the edition page and the edition's PDF."""

import io
import subprocess
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from PIL import Image  # WeasyPrint's own dependency

from assessments import mapshapes, pdf, riskmap
from assessments.models import Country, Revision, RiskLevel
from tests.builders import add_assessment, make_outlook
from tests.html import parse

SVG = "{http://www.w3.org/2000/svg}"


def edition(*ratings, period=date(2024, 5, 1)):
    """A published edition of `ratings`: (code, level) pairs, each Ongoing."""
    outlook = make_outlook(period=period, published=True)
    for code, risk in ratings:
        add_assessment(outlook, code, risk=risk, state=Revision.State.PUBLISHED)
    return outlook


def links(svg):
    """Per country page linked from the map (SVG, or the parsed node holding it): the
    link's title, and its shapes."""
    found = {}
    for link in (parse(svg) if isinstance(svg, str) else svg).find_all("a"):
        found[link.attrs["href"]] = {
            "title": link.find("title").text,
            "paths": link.find_all("path"),
            "dots": link.find_all("circle"),
        }
    return found


def view_box(svg_html):
    return [float(v) for v in parse(svg_html).find("svg").attrs["viewbox"].split()]


# --- The prepared shapes ------------------------------------------------------------------


def test_the_committed_shapes_are_what_build_map_writes_from_the_vendored_file(tmp_path):
    output, said = tmp_path / "shapes.json", io.StringIO()
    call_command("build_map", output=output, stdout=said)
    assert output.read_text() == mapshapes.SHAPES.read_text()
    assert "249 countries (235 with a shape, the others a dot)" in said.getvalue()


@pytest.mark.django_db
def test_every_country_has_a_shape_or_a_dot():
    countries, _ = mapshapes.prepared()
    codes = set(Country.objects.values_list("code", flat=True))
    # The reference data holds every ISO 3166 country, the region's as well as the others.
    assert Country.objects.filter(region__isnull=False).count() > 30
    assert codes - set(countries) == set()
    for code in codes:
        shape = countries[code]
        assert shape.rings or shape.point, code


def test_small_island_states_of_the_pacific_have_their_shape_or_their_dot():
    countries, _ = mapshapes.prepared()
    # Natural Earth 1:50m draws these; Tuvalu it does not, so it is a dot at Funafuti.
    for code in ("SG", "MV", "NR", "MH", "PW", "KI", "TO", "WS", "FM", "BN"):
        assert countries[code].rings, code
    assert countries["TV"].rings == () and countries["TV"].point == (179.2, -8.52)


def test_a_country_split_by_the_antimeridian_is_one_piece_in_longitude():
    countries, _ = mapshapes.prepared()
    russia = countries["RU"].rings[0]  # the mainland, with Chukotka east of 180
    assert russia.east > 180 and russia.west > 0
    assert all(ring.east - ring.west < 180 for ring in countries["FJ"].rings)


# --- The SVG -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_rated_country_links_to_its_page_titled_with_its_rating():
    outlook = edition(("MM", "Very high"), ("TH", "Low"))
    found = links(riskmap.edition_map(outlook))
    assert set(found) == {"/countries/mm/", "/countries/th/"}
    assert found["/countries/mm/"]["title"] == "Myanmar: Very high/Ongoing"
    assert found["/countries/th/"]["title"] == "Thailand: Low/Ongoing"
    (myanmar,) = found["/countries/mm/"]["paths"]
    assert myanmar.attrs["fill"] == "#b71c1c"  # Very high's colour
    assert found["/countries/th/"]["paths"][0].attrs["fill"] == "#689f38"
    # Neither is too small to see: no dot.
    assert found["/countries/mm/"]["dots"] == [] == found["/countries/th/"]["dots"]


@pytest.mark.django_db
def test_the_map_says_in_words_what_its_colours_say():
    outlook = edition(("MM", "Very high"), ("TH", "Low"), ("KH", "Low"))
    svg = parse(riskmap.edition_map(outlook)).find("svg")
    title_id, desc_id = svg.attrs["aria-labelledby"].split()
    assert svg.find("title", id=title_id).text == (
        "Map of risk levels, Asia Pacific Regional Outlook May 2024"
    )
    assert "Very high/Ongoing: Myanmar; Low/Ongoing: Thailand, Cambodia." in (
        svg.find("desc", id=desc_id).text
    )
    # Not an image: an image's children are hidden from assistive technology, and its
    # links would be too.
    assert "role" not in svg.attrs


@pytest.mark.django_db
def test_an_island_state_too_small_to_see_gets_a_ringed_dot_inside_its_link():
    outlook = edition(("ID", "Low"), ("SG", "Moderate"), ("TV", "High"))
    svg = riskmap.edition_map(outlook)
    found = links(svg)
    width, height = view_box(svg)[2:]
    for code in ("sg", "tv"):
        (dot,) = found[f"/countries/{code}/"]["dots"]
        assert dot.attrs["stroke"] == riskmap.OUTLINE
        assert 0 < float(dot.attrs["cx"]) < width and 0 < float(dot.attrs["cy"]) < height
    assert found["/countries/sg/"]["paths"]  # its shape is drawn too, under the dot
    assert found["/countries/tv/"]["paths"] == []  # no shape at 1:50m: the dot alone
    assert found["/countries/id/"]["dots"] == []


@pytest.mark.django_db
def test_a_pacific_edition_across_the_antimeridian_is_drawn_in_one_piece():
    outlook = edition(("FJ", "High"), ("TO", "Moderate"), ("WS", "High"), ("KI", "Low"))
    add_assessment(outlook, "PG", risk="Very high", state=Revision.State.PUBLISHED)
    countries, _ = mapshapes.prepared()
    frame = riskmap.Frame.around([countries[c] for c in ("FJ", "TO", "WS", "KI", "PG")])
    # From Papua New Guinea (141 E) to Samoa (172 W, drawn at 188): not the whole world.
    assert 130 < frame.bounds[0] < 141 and 188 < frame.bounds[2] < 210
    svg = riskmap.edition_map(outlook)
    width, height = view_box(svg)[2:]
    for href, link in links(svg).items():
        for dot in link["dots"]:
            assert 0 < float(dot.attrs["cx"]) < width, href
        # Each country's first point is inside the map, east of 180 or west of it.
        for path in link["paths"]:
            x, y = (float(v) for v in path.attrs["d"][1:].split("l")[0].split())
            assert 0 <= x <= width and 0 <= y <= height, href


@pytest.mark.django_db
def test_a_rated_country_stands_out_from_its_neighbours_and_the_sea_at_3_to_1():
    for level in RiskLevel.objects.all():  # the default levels' colours
        assert contrast(riskmap.OUTLINE, level.colour) >= 3, level.name
    for background in (riskmap.SEA, riskmap.LAND):
        assert contrast(riskmap.OUTLINE, background) >= 3


def contrast(first, second):
    """WCAG's contrast ratio of two hex colours."""

    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    darker, lighter = sorted([luminance(first), luminance(second)])
    return (lighter + 0.05) / (darker + 0.05)


def test_a_map_away_from_the_pacific_is_cut_at_the_antimeridian_as_usual():
    countries, _ = mapshapes.prepared()
    assert riskmap.cut_longitude([countries[c] for c in ("FR", "DE", "IT")]) == -180.0
    # Asia Pacific is cut in the Atlantic, so that Samoa lies east of Afghanistan.
    cut = riskmap.cut_longitude([countries[c] for c in ("AF", "WS", "ID")])
    assert -150 < cut < 60


@pytest.mark.django_db
def test_france_is_fitted_by_its_main_land_not_by_guiana():
    outlook = edition(("FR", "Moderate"), ("DE", "Low"))
    countries, _ = mapshapes.prepared()
    frame = riskmap.Frame.around([countries["FR"], countries["DE"]])
    assert frame.bounds[0] > -20  # French Guiana is at 52 W
    assert "/countries/fr/" in links(riskmap.edition_map(outlook))


@pytest.mark.django_db
def test_the_standalone_map_is_a_complete_svg_document():
    outlook = edition(("KP", "Very high"))
    document = riskmap.edition_map(outlook, standalone=True)
    root = ET.fromstring(document.encode())
    assert root.tag == f"{SVG}svg"
    assert root.attrib["width"] == "1000" and int(root.attrib["height"]) > 300
    title = root.find(f"{SVG}g/{SVG}a/{SVG}title")
    assert title.text == "Democratic People's Republic of Korea: Very high/Ongoing"


@pytest.mark.django_db
def test_a_name_with_markup_characters_is_escaped():
    Country.objects.filter(code="KP").update(official_name='Korea <"&">')
    outlook = edition(("KP", "High"))
    root = ET.fromstring(riskmap.edition_map(outlook, standalone=True).encode())
    assert root.find(f"{SVG}g/{SVG}a/{SVG}title").text == 'Korea <"&">: High/Ongoing'


@pytest.mark.django_db
def test_the_map_of_given_revisions_asks_nothing_and_of_an_edition_one_query(
    django_assert_num_queries,
):
    outlook = edition(("MM", "High"), ("TH", "Low"), ("KH", "Low"))
    mapshapes.prepared()  # read once per process, before the first map
    with django_assert_num_queries(1):
        revisions = list(
            Revision.objects.live()
            .filter(assessment__outlook=outlook)
            .select_related("assessment__country", "risk_level", "risk_status")
        )
    with django_assert_num_queries(0):
        riskmap.edition_map(outlook, revisions)
    with django_assert_num_queries(1):
        riskmap.edition_map(outlook)


def test_an_edition_of_no_country_draws_the_region_without_links():
    svg = riskmap.render_map([], title="Empty")
    assert links(svg) == {}
    assert view_box(svg)[2] == riskmap.WIDTH


# --- Where it shows -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_edition_page_shows_the_map_after_its_risk_table(client):
    outlook = edition(("MM", "Very high"), ("TH", "Low"))
    response = client.get(outlook.get_absolute_url())
    overview = parse(response.content).find("section", **{"aria-labelledby": "risk-overview-title"})
    figure = overview.find("figure", cls="risk-map")
    assert figure is not None
    found = links(figure)
    assert found["/countries/mm/"]["title"] == "Myanmar: Very high/Ongoing"
    html = response.content.decode()
    assert html.index("risk-table") < html.index('class="risk-map"') < html.index('class="entry"')
    for href in found:
        assert client.get(href).status_code == 200


@pytest.mark.django_db
def test_the_include_draws_an_edition_for_a_page_that_has_not_its_revisions():
    # As the front page shows the latest edition of each region.
    outlook = edition(("MM", "Very high"))
    html = render_to_string("public/_risk_map.html", {"outlook": outlook})
    assert links(html)["/countries/mm/"]["title"] == "Myanmar: Very high/Ongoing"


@pytest.mark.django_db
def test_the_edition_pdf_has_the_map_after_its_risk_table(tmp_path):
    outlook = edition(("MM", "Very high"), ("TH", "Low"))
    html = pdf.outlook_html(outlook)
    assert (
        html.index('id="risk-overview"')
        < html.index("</table>")
        < html.index("<svg")
        < html.index('class="entry"')
    )
    # A country's own PDF has no risk overview, and no map.
    assert "<svg" not in pdf.outlook_html(outlook, country=Country.objects.get(code="MM"))

    # WeasyPrint draws it: the page of the risk overview shows the map's sea and land.
    path = tmp_path / "edition.pdf"
    path.write_bytes(pdf.render_outlook_pdf(outlook))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # From the page where the heading stands on its own line (the contents list it too)
    # to the one before the first entry: the map follows the table, on its page or the next.
    pages = [[line.strip() for line in t.splitlines()] for t in text.split("\f")]
    first = next(n for n, lines in enumerate(pages, 1) if "Risk overview" in lines)
    last = next(n for n, lines in enumerate(pages, 1) if "Myanmar" in lines and n > first) - 1
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            str(first),
            "-l",
            str(last),
            "-r",
            "30",
            "-png",
            str(path),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    colours = {
        colour
        for image in tmp_path.glob("p*.png")
        for _, colour in Image.open(image).convert("RGB").getcolors(1 << 16)
    }
    assert hex_rgb(riskmap.SEA) in colours and hex_rgb(riskmap.LAND) in colours


def hex_rgb(colour):
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
