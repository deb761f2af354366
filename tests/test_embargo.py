"""Embargoed previews: an editor shares a draft edition with a named reader outside the
team through a signed link that expires and can be withdrawn; every opening is logged;
nothing of the edition is public until it is published."""

from datetime import date, timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from assessments import embargo, workflow
from assessments.models import AuditEvent, EmbargoLink, EmbargoOpening, Revision

from .builders import add_assessment, make_outlook
from .test_pdf import pdf_pages
from .test_public_leaks import MARKER, assert_marker_not_public, public_urls

State = Revision.State


def later(**delta):
    return timezone.now() + timedelta(**delta)


@pytest.fixture
def draft(published_sample):
    """A draft edition of two approved entries, one of them with a marker word."""
    outlook = make_outlook(period=date(2024, 5, 1), introduction=f"Introduction {MARKER}.")
    add_assessment(outlook, "KP", findings=(f"Approved finding {MARKER}.",), state=State.APPROVED)
    add_assessment(outlook, "JP", state=State.APPROVED)
    return outlook


@pytest.fixture
def link(draft, erin):
    return workflow.share_embargoed(
        draft,
        recipient="Jane Doe, Daily Planet",
        embargoed_until=later(days=2),
        expires_at=later(days=7),
        user=erin,
    )


def open_url(link, pdf=False):
    return reverse("embargo_pdf" if pdf else "embargo_page", args=[embargo.token(link)])


def test_an_editor_shares_a_preview_and_sees_its_link_on_the_edition_page(client, draft, erin):
    client.force_login(erin)
    until = timezone.localtime() + timedelta(days=2)
    response = client.post(
        reverse("editor_share_embargoed", args=[draft.pk]),
        {
            "recipient": "Jane Doe, Daily Planet",
            "embargoed_until": until.strftime("%Y-%m-%dT%H:%M"),
            "expires_at": (until + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    page = response.content.decode()
    link = EmbargoLink.objects.get()
    assert link.created_by == erin and link.recipient == "Jane Doe, Daily Planet"
    assert "Made an embargoed preview link for Jane Doe, Daily Planet" in page
    assert embargo.url(link) in page and "Not opened yet." in page
    event = AuditEvent.objects.get(action="share_embargoed")
    assert event.actor == erin and "Jane Doe, Daily Planet" in event.description


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"expires_at": -1}, "The link must expire in the future."),
        ({"expires_at": 100}, "A preview link may stay open for 90 days at most."),
        ({"embargoed_until": -1}, "The embargo must last until a time in the future."),
        ({"recipient": ""}, "This field is required."),
    ],
)
def test_a_link_that_could_not_work_is_refused_on_the_page(client, draft, erin, fields, message):
    client.force_login(erin)
    now = timezone.localtime()
    data = {
        "recipient": "Jane Doe",
        "embargoed_until": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "expires_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    for name, value in fields.items():
        data[name] = (now + timedelta(days=value)).strftime("%Y-%m-%dT%H:%M") if value else value
    response = client.post(reverse("editor_share_embargoed", args=[draft.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EmbargoLink.objects.exists()


def test_only_editors_see_the_links(client, link, draft, alice):
    client.force_login(alice)
    page = client.get(reverse("editor_outlook", args=[draft.pk])).content.decode()
    assert "Embargoed previews" not in page and embargo.token(link) not in page


def test_the_reader_sees_the_approved_text_marked_embargoed_and_the_opening_is_logged(client, link):
    response = client.get(open_url(link), HTTP_USER_AGENT="NewsReader/1.0")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Approved finding {MARKER}." in page and f"Introduction {MARKER}." in page
    assert "Embargoed until" in page and "Jane Doe, Daily Planet" in page
    assert f'data-watermark="{embargo.watermark(link)}"' in page
    # Not kept by any cache, not indexed, its address not passed on as a referrer.
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert response["Referrer-Policy"] == "no-referrer"
    opening = EmbargoOpening.objects.get()
    assert (opening.link, opening.what) == (link, "page")
    assert opening.address == "127.0.0.1" and opening.user_agent == "NewsReader/1.0"


def test_the_pdf_carries_the_embargo_on_every_page(client, link, tmp_path):
    response = client.get(open_url(link, pdf=True))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    pages = pdf_pages(response.content, tmp_path)
    assert len(pages) > 2
    for number, text in enumerate(pages, 1):
        assert "Embargoed until" in text, f"page {number}"
    assert any(f"Approved finding {MARKER}." in text for text in pages)
    assert EmbargoOpening.objects.get().what == "pdf"


def test_a_withdrawn_link_opens_nothing(client, link, erin):
    client.force_login(erin)
    page = client.post(
        reverse("editor_revoke_embargoed", args=[link.pk]), follow=True
    ).content.decode()
    assert "Withdrew the preview link of Jane Doe, Daily Planet" in page
    assert AuditEvent.objects.filter(action="revoke_embargoed", actor=erin).count() == 1
    client.logout()
    for url in (open_url(link), open_url(link, pdf=True)):
        response = client.get(url)
        assert response.status_code == 410
        body = response.content.decode()
        assert "This preview link was withdrawn on" in body and MARKER not in body
    assert not EmbargoOpening.objects.exists()


def test_an_expired_link_opens_nothing(client, link):
    EmbargoLink.objects.filter(pk=link.pk).update(expires_at=later(seconds=-1))
    response = client.get(open_url(link))
    assert response.status_code == 410
    assert "This preview link expired on" in response.content.decode()
    assert MARKER not in response.content.decode()


def test_a_forged_or_altered_link_is_not_found(client, link):
    token = embargo.token(link)
    signer = signing.Signer(salt=embargo.SALT)
    for forged in (
        f"{token[:-2]}xx",
        signing.Signer(salt="something.else").sign_object(link.pk),
        signer.sign_object(link.pk + 1),  # no such link
        signer.sign_object("1"),
        # Signed with the same key and salt in another format (timestamped).
        signing.dumps(link.pk, salt=embargo.SALT),
    ):
        assert client.get(f"/embargoed/{forged}/").status_code == 404, forged
        assert client.get(f"/embargoed/{forged}/pdf/").status_code == 404, forged
    assert not EmbargoOpening.objects.exists()


def test_once_published_the_link_leads_to_the_public_pages(client, link, draft, erin):
    from .worker import run_jobs

    workflow.publish(draft, user=erin)
    run_jobs()
    draft.refresh_from_db()
    assert draft.is_published
    assert client.get(open_url(link)).url == draft.get_absolute_url()
    assert client.get(open_url(link, pdf=True)).url == reverse("outlook_pdf", args=[draft.slug])


def test_nothing_of_an_embargoed_edition_is_public(client, link, draft, published_sample):
    client.get(open_url(link))  # opened by its reader
    assert_marker_not_public(client, public_urls(published_sample, draft))
    for url in (f"/outlooks/{draft.slug}/", f"/outlooks/{draft.slug}.pdf", "/countries/jp/"):
        assert client.get(url).status_code == 404, url
    assert "Disallow: /embargoed/" in client.get("/robots.txt").content.decode()
