"""Any web page may read the open data (assessments.cors): the same answer for every
origin, without credentials; the other pages stay closed to other sites."""

import pytest

from tests.builders import add_assessment, make_outlook

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def published_edition():
    outlook = make_outlook(published=True)
    add_assessment(outlook, "KP", state="published")
    add_assessment(outlook, "MM", state="published")
    return outlook


def open_data_urls(outlook):
    return [
        "/data/",
        "/data/?page=2",
        "/data/dictionary/",
        "/data/editions.json",
        "/data/ratings.csv",
        "/data/ratings-excel.csv",
        f"/outlooks/{outlook.slug}.json",
    ]


def test_any_site_may_read_the_open_data(client):
    outlook = published_edition()
    for url in open_data_urls(outlook):
        for headers in ({}, {"origin": "https://elsewhere.example"}):
            # The first request renders, the second is served from the cache.
            for _ in range(2):
                response = client.get(url, headers=headers)
                body(response)
                assert response.status_code == 200, url
                assert response["Access-Control-Allow-Origin"] == "*", url
                assert "Access-Control-Allow-Credentials" not in response, url
                # The same for every origin: a shared cache keeps one copy.
                assert "Origin" not in response.get("Vary", ""), url
                assert "ETag" in response["Access-Control-Expose-Headers"]
        again = client.get(url, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304, url
        assert again["Access-Control-Allow-Origin"] == "*", url


def test_a_preflight_for_the_open_data_is_answered(client):
    outlook = published_edition()
    response = client.options(
        f"/outlooks/{outlook.slug}.json",
        headers={
            "origin": "https://elsewhere.example",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]


def test_the_other_pages_are_not_opened_to_other_sites(client):
    outlook = published_edition()
    for url in ("/", f"/outlooks/{outlook.slug}/", "/countries/kp/", "/accounts/login/"):
        response = client.get(url, headers={"origin": "https://elsewhere.example"})
        assert "Access-Control-Allow-Origin" not in response, url
