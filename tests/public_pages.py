"""Every public HTML page, with data that shows all of its parts: the pages the Nu HTML
checker (tests/test_html_validity.py) and axe (tests/browser/test_accessibility.py) go
through.

Each of public_urls' HTML pages must be here: test_html_validity checks that none is left
out, so a new page is validated and checked for accessibility from the day it is added.
"""

import uuid
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import tracker
from assessments.importing import import_file
from assessments.models import (
    Addressee,
    Country,
    EmbargoLink,
    LineageMatch,
    Recommendation,
    Revision,
    Subscription,
)
from tests.builders import add_assessment, make_outlook, publish_correction

from .conftest import SAMPLE

# The sample (Asia Pacific, November 2023) between an earlier and a later edition: the
# risk tables show changes, and the later edition has a corrected entry.
SAMPLE_SLUG = "asia-pacific-2023-11"
CORRECTED_SLUG = "asia-pacific-2024-05"
# A recommendation of the earlier edition that the sample revises (an archive's match),
# dropped by the later one: its page shows every part of a history.
TRACKED_LINEAGE = uuid.UUID("5f0c2b7e-0d1e-4f6a-9b3c-2a1d0e9f8c7b")

# Embargoed previews of a draft edition (assessments.embargo): one open, one withdrawn.
# Their ids are fixed, so that their signed addresses are known here.
EMBARGO_OPEN, EMBARGO_CLOSED = 9001, 9002


# A reader's subscription (assessments.subscriptions), its key fixed so that its signed
# links are known here.
SUBSCRIPTION_KEY = uuid.UUID("0b9d6a52-3c1e-4c55-9a0e-7c1f2f3e4d5a")


def subscription_link(name):
    from django.core import signing

    from assessments import subscriptions

    token = signing.Signer(salt=subscriptions.LINK_SALT).sign(SUBSCRIPTION_KEY.hex)
    return f"/follow/{name}/{token}/"


def confirmation_link():
    from assessments import subscriptions

    selection = subscriptions.Selection.of(["KP"], ["asia-pacific"], ["the-un-security-council"])
    token = subscriptions.confirmation_token("reader@example.org", selection)
    return f"/follow/confirm/{token}/"


def embargoed(link_id):
    from django.core import signing

    from assessments import embargo

    return f"/embargoed/{signing.Signer(salt=embargo.SALT).sign_object(link_id)}/"


# Name: address. The names of public_urls' patterns, or what a page shows.
PAGES = {
    "home": "/",
    "outlook_list": "/outlooks/",
    "outlook_list of a region": "/outlooks/?region=asia-pacific",
    "outlook": f"/outlooks/{SAMPLE_SLUG}/",
    # The paragraph a search result links to is highlighted (:target), its links too (before
    # the page without the fragment: from it, the browser would only scroll).
    "outlook at a finding": f"/outlooks/{CORRECTED_SLUG}/#kp-finding-1",
    "outlook with a corrected entry": f"/outlooks/{CORRECTED_SLUG}/",
    "revision": f"/outlooks/{CORRECTED_SLUG}/kp/v2/",
    "revision an earlier version": f"/outlooks/{CORRECTED_SLUG}/kp/v1/",
    "country_list": "/countries/",
    "country": "/countries/kp/",
    "country with no correction": "/countries/mm/",
    "tracker": "/recommendations/",
    "tracker filtered": "/recommendations/?addressee=the-un-security-council&status=dropped",
    "tracker with a filter error": "/recommendations/?country=zz&from=99999",
    "tracked_recommendation": f"/recommendations/{TRACKED_LINEAGE}/",
    "addressee": "/recommendations/the-un-security-council/",
    "search": "/search/",
    "search with results": "/search/?q=human+rights&from=2023-01&to=2024-12",
    "search with no result": "/search/?q=zzyzx",
    "search with a filter error": "/search/?q=camps&country=zz&from=2023-13",
    "open_data": "/data/",
    "data_dictionary": "/data/dictionary/",
    "method": "/method/",
    "not found": "/outlooks/no-such-edition/",
    "login": "/accounts/login/",
    "password_reset": "/accounts/password/reset/",
    "embargo_page": embargoed(EMBARGO_OPEN),
    "embargo_page closed": embargoed(EMBARGO_CLOSED),
    "subscription_follow": "/follow/?country=kp&addressee=the-un-security-council",
    "subscription_confirm": confirmation_link(),
    "subscription_confirm link not found": "/follow/confirm/changed-link/",
    "subscription_manage": subscription_link("manage"),
    "subscription_unsubscribe": subscription_link("unsubscribe"),
}


def expected_status(name):
    """The status each of PAGES answers with."""
    if name.endswith("not found"):
        return 404
    return 410 if name.endswith("closed") else 200


# public_urls' patterns that answer with something other than an HTML page.
DOWNLOADS = {
    "outlook_pdf",
    "outlook_preview",
    "country_pdf",
    "outlook_json",
    "ratings_csv",
    "ratings_csv_excel",
    "editions_index",
    "tracker_csv",
    "tracker_json",
    "feed",
    "region_feed",
    "country_feed",
    "robots_txt",
    "favicon",
    "sitemap",
    "sitemap_section",
    "embargo_pdf",
    "subscription_data",
}


def make_public_site():
    """The published editions the pages show (the database of a test)."""
    earlier = make_outlook(period=date(2023, 5, 1), published=True)
    revive = "Revive its informal dialogue on human rights with North Korea."
    kp = add_assessment(
        earlier,
        "KP",
        risk="High",
        recommendations=[("The UN Security Council", revive, TRACKED_LINEAGE)],
        state=Revision.State.PUBLISHED,
    )
    sample = import_file(SAMPLE, publish=True).outlook
    # The importer links the sample's recommendation to the earlier one (assessments.lineage).
    LineageMatch.objects.get_or_create(
        recommendation=Recommendation.objects.get(
            revision__assessment__outlook=sample, text__startswith="Revive its informal"
        ),
        defaults={
            "predecessor": kp.published_revision.recommendations.get(),
            "similarity": 0.96,
            "decision": LineageMatch.Decision.LINKED,
        },
    )
    tracker.rebuild_country(sample.region_id, kp.country_id)
    # The widest row of a risk table: a long name, the longest rating, a change from it.
    published = Revision.State.PUBLISHED
    add_assessment(sample, "LA", risk="Very high", risk_status="Imminent", state=published)
    # And a long name of one word, with the longest rating raised from a long one.
    add_assessment(sample, "AF", risk="Moderate", risk_status="Emerging", state=published)
    later = make_outlook(period=date(2024, 5, 1), published=True)
    corrected = add_assessment(later, "KP", risk="Very high", state=published)
    add_assessment(later, "LA", risk="Moderate", risk_status="Emerging", state=published)
    add_assessment(later, "MM", risk="Moderate", state=published)
    add_assessment(later, "AF", risk="Very high", risk_status="Imminent", state=published)
    publish_correction(
        corrected,
        note="The date of the report in note 1 was wrong.",
        risk="Very high",
        footnotes=[("Report of the Special Rapporteur, 3 March 2024, A/HRC/55/1.", "")],
    )
    # A draft edition, shared before publication.
    draft = make_outlook(period=date(2024, 11, 1))
    add_assessment(draft, "KP", risk="Very high", state=Revision.State.APPROVED)
    add_assessment(draft, "MM", risk="High", state=Revision.State.APPROVED)
    erin = get_user_model().objects.get_or_create(username="embargo-editor")[0]
    now = timezone.now()
    for pk, revoked in ((EMBARGO_OPEN, None), (EMBARGO_CLOSED, now)):
        EmbargoLink.objects.create(
            pk=pk,
            outlook=draft,
            recipient="Jane Doe, Daily Planet",
            embargoed_until=now + timedelta(days=2),
            expires_at=now + timedelta(days=7),
            created_by=erin,
            revoked_at=revoked,
        )
    subscription = Subscription.objects.create(
        email="reader@example.org",
        key=SUBSCRIPTION_KEY,
        confirmed_at=now,
        updated_at=now,
    )
    subscription.countries.set(Country.objects.filter(code="KP"))
    subscription.addressees.set(Addressee.objects.filter(slug="the-un-security-council"))
