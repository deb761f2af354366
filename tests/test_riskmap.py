"""The risk map's shapes (assessments.mapshapes), prepared from Natural Earth."""

import io

import pytest
from django.core.management import call_command

from assessments import mapshapes
from assessments.models import Country

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
