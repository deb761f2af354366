"""The editors' subscribers page and an announcement's delivery report (editor_views):
counts of who follows what and of how the mail went, never an address."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from assessments.announcements import failure_text
from assessments.models import Addressee, Announcement, Country, Delivery, Subscription

from .builders import make_outlook
from .html import parse

State = Delivery.State
DOMAIN = "reader-mail.test"


def subscriber(name, *, countries=(), regions=(), addressees=()):
    """A confirmed subscription of name@DOMAIN, made as the confirmation makes it."""
    now = timezone.now()
    subscription = Subscription.objects.create(
        email=f"{name}@{DOMAIN}", confirmed_at=now, updated_at=now
    )
    subscription.countries.set(Country.objects.filter(code__in=countries))
    subscription.regions.set(regions)
    subscription.addressees.set(addressees)
    return subscription


def deliveries(announcement, states, *, error=""):
    """One delivery in each of `states`, each to a subscriber of its own."""
    for state in states:
        Delivery.objects.create(
            announcement=announcement,
            subscription=subscriber(f"r{Subscription.objects.count()}", countries=["KP"]),
            state=state,
            error=error,
        )


def when(moment):
    return dateformat.format(timezone.localtime(moment), "j M Y H:i")


def edition_announcement(period, **fields):
    outlook = make_outlook(period=period, published=True)
    return Announcement.objects.create(kind="edition", outlook=outlook, **fields)


@pytest.fixture
def council(published_sample):
    return Addressee.objects.get(name__icontains="Security Council")


@pytest.fixture
def followers(published_sample, council):
    """Three readers: DPRK and the region; DPRK and Myanmar; the Security Council."""
    return [
        subscriber("ann", countries=["KP"], regions=[published_sample.region]),
        subscriber("ben", countries=["KP", "MM"]),
        subscriber("cat", addressees=[council]),
    ]


def rows_of(html, caption):
    """The (name, number) rows of the table captioned `caption`."""
    table = next(t for t in parse(html).find_all("table") if t.find("caption").words() == caption)
    return [
        tuple(cell.words() for cell in row.find_all("td"))
        for row in table.find("tbody").find_all("tr")
    ]


# --- The subscribers page -------------------------------------------------------------------


def test_the_page_counts_subscribers_by_region_country_and_addressee(
    client, erin, followers, published_sample, council
):
    client.force_login(erin)
    response = client.get(reverse("editor_subscribers"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>3</strong> confirmed subscribers follow" in html
    dprk, myanmar = Country.objects.get(code="KP"), Country.objects.get(code="MM")
    # Most followed first; Japan, which nobody follows, is not listed.
    assert rows_of(html, "Countries") == [(dprk.official_name, "2"), (myanmar.official_name, "1")]
    assert rows_of(html, "Regions") == [(published_sample.region.name, "1")]
    assert rows_of(html, "Addressees") == [(council.name, "1")]


def test_the_page_says_when_nobody_follows_anything(client, erin, published_sample):
    client.force_login(erin)
    html = client.get(reverse("editor_subscribers")).content.decode()
    assert "<strong>0</strong> confirmed subscribers follow" in html
    assert rows_of(html, "Countries") == [("Nobody follows a country.",)]
    assert "Nothing has been mailed yet" in html


def test_the_page_lists_announcements_newest_first_with_their_counts(
    client, erin, published_sample
):
    now = timezone.now()
    older = edition_announcement(
        date(2022, 11, 1), created_at=now - timedelta(days=30), planned_at=now, finished_at=now
    )
    deliveries(older, [State.SENT] * 3 + [State.FAILED])
    entry = published_sample.assessments.get(country__code="KP").published_revision
    correction = Announcement.objects.create(
        kind="correction", outlook=published_sample, revision=entry, planned_at=now
    )
    deliveries(
        correction,
        [State.SENT, State.PENDING, State.CLAIMED, State.SENDING]
        + [State.UNCERTAIN, State.UNSUBSCRIBED, State.UNSUBSCRIBED],
    )
    client.force_login(erin)
    html = client.get(reverse("editor_subscribers")).content.decode()
    table = parse(html).find("section", **{"aria-labelledby": "announcements-title"})
    rows = table.find("tbody").find_all("tr")
    cells = [[cell.words() for cell in row.find_all("td")[1:]] for row in rows]
    # Sent, waiting (a worker's and the one being handed over too), failed, perhaps, unsubscribed.
    assert cells == [["1", "3", "0", "1", "2"], ["3", "0", "1", "0", "0"]]
    titles = [
        [line.words() for line in row.find("td").children if not isinstance(line, str)]
        for row in rows
    ]
    correction_title = f"Correction of DPRK in {published_sample.full_title}"
    assert titles[0] == [
        correction_title,
        f"Created {when(correction.created_at)} · planned {when(now)} · finished not yet",
        # The same numbers, for a phone, where the columns are hidden.
        "1 sent · 3 waiting · 0 failed · 1 perhaps sent · 2 unsubscribed",
    ]
    assert titles[1][0] == "Edition Asia Pacific Regional Outlook November 2022"
    assert titles[1][1].endswith(f"finished {when(now)}")
    links = [row.find("a").attrs["href"] for row in rows]
    assert links == [
        reverse("editor_announcement", args=[correction.pk]),
        reverse("editor_announcement", args=[older.pk]),
    ]


def test_no_address_of_a_subscriber_is_on_either_page(client, erin, followers, published_sample):
    announcement = Announcement.objects.create(kind="edition", outlook=published_sample)
    # As a worker records a refusal that quotes the address.
    refused = failure_text(f"550 5.1.1 <{followers[0].email}>: Recipient address rejected")
    Delivery.objects.create(
        announcement=announcement, subscription=followers[0], state=State.FAILED, error=refused
    )
    client.force_login(erin)
    for url in (
        reverse("editor_subscribers"),
        reverse("editor_announcement", args=[announcement.pk]),
    ):
        html = client.get(url).content.decode()
        assert DOMAIN not in html, url
        for subscription in followers:
            assert subscription.email.split("@")[0] + "@" not in html, url
            assert str(subscription.key) not in html, url
    assert "550 5.1.1 &lt;[address]&gt;: Recipient address rejected" in html


def test_the_announcements_are_paginated(client, erin, published_sample):
    for year in range(1990, 2016):
        edition_announcement(date(year, 1, 1))
    client.force_login(erin)
    url = reverse("editor_subscribers")
    first, second = client.get(url), client.get(url, {"page": 2})
    assert len(_rows(first)) == 25 and len(_rows(second)) == 1
    assert "Page 1 of 2" in first.content.decode()
    assert "Edition Asia Pacific Regional Outlook January 1990" in _rows(second)[0]
    # Anything typed as a page number is a page: the last one, or the first.
    assert client.get(url, {"page": "999"}).status_code == 200
    assert client.get(url, {"page": "x\x00"}).status_code == 200


def _rows(response):
    section = parse(response.content).find("section", **{"aria-labelledby": "announcements-title"})
    return [row.words() for row in section.find("tbody").find_all("tr")]


def test_the_queries_do_not_grow_with_announcements_or_subscribers(
    client, erin, published_sample, council
):
    client.force_login(erin)
    url = reverse("editor_subscribers")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    deliveries(edition_announcement(date(1990, 1, 1)), [State.SENT, State.FAILED])
    subscriber("one", countries=["JP"], addressees=[council])
    few = queries()
    for year in range(1991, 2010):
        announcement = edition_announcement(date(year, 1, 1), planned_at=timezone.now())
        deliveries(announcement, [State.SENT, State.PENDING, State.UNCERTAIN])
        subscriber(f"more{year}", countries=["MM", "TH"], regions=[published_sample.region])
    assert Announcement.objects.count() == 20
    assert queries() == few


# --- An announcement's delivery report --------------------------------------------------------


def test_the_report_gives_each_state_with_its_meaning_and_the_reasons(
    client, erin, published_sample
):
    now = timezone.now()
    announcement = Announcement.objects.create(
        kind="edition", outlook=published_sample, planned_at=now, finished_at=now
    )
    deliveries(announcement, [State.SENT] * 4 + [State.UNSUBSCRIBED])
    # The same refusal of two addresses is one reason, counted twice.
    deliveries(
        announcement, [State.FAILED], error=failure_text("550 <x@reader-mail.test>: no such user")
    )
    deliveries(
        announcement, [State.FAILED], error=failure_text("550 <y@reader-mail.test>: no such user")
    )
    deliveries(announcement, [State.PENDING], error="421 Try again later")
    client.force_login(erin)
    response = client.get(reverse("editor_announcement", args=[announcement.pk]))
    assert response.status_code == 200
    tree = parse(response.content)
    states = tree.find("section", **{"aria-labelledby": "states-title"})
    numbers = {
        row.find("th").find("span").words(): row.find("td").words()
        for row in states.find("tbody").find_all("tr")
    }
    assert numbers == {
        "Waiting": "1",
        "Claimed by a worker": "0",
        "Being handed to the mail server": "0",
        "Sent": "4",
        "Failed": "2",
        "Perhaps sent (its worker stopped)": "0",
        "Not sent: unsubscribed": "1",
    }
    assert [c.words() for c in states.find("tfoot").find("tr").children] == ["In all", "8"]
    assert "never sent again, so that nobody gets it twice" in states.words()
    reasons = tree.find("section", **{"aria-labelledby": "reasons-title"}).find("tbody")
    assert [tuple(c.words() for c in row.find_all("td")) for row in reasons.find_all("tr")] == [
        ("550 <[address]>: no such user", "2"),
        ("421 Try again later", "1"),
    ]
    page = tree.words()
    assert "Planned" in page and "8 subscribers concerned" in page
    public = tree.find("a", href=published_sample.get_absolute_url())
    assert public is not None and public.words() == "The public page"


def test_the_report_of_a_correction_links_to_the_corrected_entry(client, erin, published_sample):
    entry = published_sample.assessments.get(country__code="KP").published_revision
    announcement = Announcement.objects.create(
        kind="correction", outlook=published_sample, revision=entry
    )
    client.force_login(erin)
    response = client.get(reverse("editor_announcement", args=[announcement.pk]))
    tree = parse(response.content)
    assert tree.find("a", href=entry.get_absolute_url()) is not None
    assert "Correction of DPRK in" in tree.find("p", cls="lead").words()
    assert "Not yet: a worker lists the subscribers it concerns" in tree.words()
    assert "No message failed or was turned away." in tree.words()


def test_an_unknown_announcement_is_not_found(client, erin):
    client.force_login(erin)
    assert client.get(reverse("editor_announcement", args=[999999])).status_code == 404


# --- Who may see them ---------------------------------------------------------------------------


@pytest.fixture
def both_pages(published_sample):
    announcement = Announcement.objects.create(kind="edition", outlook=published_sample)
    return [
        reverse("editor_subscribers"),
        reverse("editor_announcement", args=[announcement.pk]),
    ]


@pytest.mark.parametrize("name", ["alice", "bob", "charlie"])
def test_only_editors_see_them_and_others_are_told_why(client, both_pages, request, name):
    client.force_login(request.getfixturevalue(name))
    for url in both_pages:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Subscribers and their mail needs the editor role." in response.content.decode()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, both_pages):
    for url in both_pages:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_navigation_links_to_the_page_for_editors_only(client, erin, alice):
    link = f'href="{reverse("editor_subscribers")}"'
    client.force_login(erin)
    assert link in client.get(reverse("editor_dashboard")).content.decode()
    client.force_login(alice)
    assert link not in client.get(reverse("editor_dashboard")).content.decode()


def test_both_pages_are_valid_html(tmp_path, client, erin, followers, published_sample):
    from .test_html_validity import html_errors

    announcement = Announcement.objects.create(
        kind="edition", outlook=published_sample, planned_at=timezone.now()
    )
    deliveries(announcement, [State.SENT, State.FAILED], error="550 no such user")
    client.force_login(erin)
    pages = {
        "subscribers": client.get(reverse("editor_subscribers")).content,
        "report": client.get(reverse("editor_announcement", args=[announcement.pk])).content,
    }
    errors = html_errors(pages, tmp_path)
    assert not errors, "\n".join(errors)
