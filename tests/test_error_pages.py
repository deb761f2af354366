"""The error pages are the site's own: its navigation and search, what went wrong in
words a reader understands, and nothing of the code. The suite runs with DEBUG off, as
production does, so these are the pages visitors get.
"""

import pytest
from django.db import connection
from django.template.loader import get_template
from django.test import Client
from django.urls import include, path

from tests.html import parse

# This module is also a URLconf (for the tests marked with it): the site, and a page
# that fails as a page does when the database is down.


def failing_page(request):
    with connection.cursor() as cursor:  # the test runs without database access
        cursor.execute("SELECT 1")


urlpatterns = [
    path("failing/", failing_page),
    path("", include("outlook.urls")),
]


@pytest.fixture
def lenient_client():
    """A client that gets the error page instead of the exception, as a visitor would."""
    return Client(raise_request_exception=False)


def assert_site_page(response, status, heading):
    """The response is an HTML page of the site, with its navigation and search."""
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = parse(response.content)
    assert page.find("h1").words() == heading
    navigation = page.find("nav", **{"aria-label": "Main"})
    links = [a.attrs["href"] for a in navigation.find_all("a")]
    assert "/outlooks/" in links and "/search/" in links
    search = page.find("form", role="search")
    assert search.attrs["action"] == "/search/" and search.find("input", name="q")
    text = page.find("main").words()
    for leak in ("Traceback", "urlpatterns", "DoesNotExist", "assessments.", "Forbidden"):
        assert leak not in text, leak
    return page


@pytest.mark.django_db
def test_not_found_is_the_sites_page(lenient_client):
    response = lenient_client.get("/outlooks/no-such-edition/")
    page = assert_site_page(response, 404, "Page not found")
    assert page.find("a", href="/outlooks/")


@pytest.mark.django_db
def test_forbidden_says_why(lenient_client, charlie):
    lenient_client.force_login(charlie)
    page = assert_site_page(lenient_client.get("/editor/"), 403, "You cannot do this")
    assert "Your account has no role that may open this page." in page.find("main").words()


@pytest.mark.django_db
def test_forbidden_workflow_action_says_why(lenient_client, copied_draft, alice):
    lenient_client.force_login(alice)
    response = lenient_client.post(f"/editor/revisions/{copied_draft.pk}/recall/")
    page = assert_site_page(response, 403, "You cannot do this")
    assert "This revision is draft: it cannot be recalled now." in page.find("main").words()
    # A signed-in editor also finds the way back to the editor.
    assert page.find("a", href="/editor/")


def test_server_error_page_needs_no_database_nor_request():
    html = get_template("500.html").render()
    page = parse(html)
    assert page.find("h1").words() == "Something went wrong"
    assert page.find("form", role="search")


@pytest.mark.urls(__name__)
def test_server_error_is_the_sites_page_when_the_database_is_down(lenient_client):
    response = lenient_client.get("/failing/")
    assert_site_page(response, 500, "Something went wrong")


@pytest.mark.django_db
def test_an_expired_form_says_so(alice):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": "alice", "password": "x"})
    page = assert_site_page(response, 403, "This form has expired")
    assert "nothing was saved" in page.find("main").words()


def test_a_bad_request_is_the_sites_page(lenient_client):
    # Refused before the authentication middleware runs: the page has no user to ask about.
    response = lenient_client.get("/outlooks/", HTTP_HOST="evil.example")
    assert_site_page(response, 400, "Bad request")
