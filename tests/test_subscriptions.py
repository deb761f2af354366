"""Following by email, as a reader does it: ask, confirm by the emailed link, manage,
download what is stored, unsubscribe in one POST. Asking reveals nothing about who
subscribes, is rate limited, and old, changed or expired links are refused."""

import json
import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments import subscriptions
from assessments.models import Addressee, Delivery, Subscription
from assessments.subscriptions import Selection


def subscribe(email, *, countries=(), regions=(), addressees=()):
    """A confirmed subscription, as the confirmation link makes it."""
    selection = Selection.of(countries, regions, addressees)
    return subscriptions.confirm(subscriptions.confirmation_token(email, selection))


def confirmation_link(message):
    return re.search(r"https?://\S+/follow/confirm/\S+/", message.body).group(0)


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def ask(client, email, **choices):
    return client.post(reverse("subscription_follow"), {"email": email, **choices})


@pytest.fixture
def council(published_sample):
    return Addressee.objects.get(name__icontains="Security Council")


# --- Asking -------------------------------------------------------------------------------


def test_the_follow_page_ticks_what_the_reader_came_from(client, published_sample, council):
    response = client.get(reverse("subscription_follow"), {"country": "kp"})
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'value="KP"[^>]*checked', page)
    assert not re.search(r'value="asia-pacific"[^>]*checked', page)
    assert "no-store" in response["Cache-Control"]
    response = client.get(reverse("subscription_follow"), {"addressee": council.slug})
    assert re.search(rf'value="{council.slug}"[^>]*checked', response.content.decode())


def test_every_country_region_and_addressee_page_and_the_front_page_offer_to_follow(
    client, published_sample, council
):
    follow = reverse("subscription_follow")
    pages = {
        reverse("home"): f'href="{follow}?"',
        reverse("country", args=["kp"]): f'href="{follow}?country=kp"',
        reverse("outlook_list") + "?region=asia-pacific": f'href="{follow}?region=asia-pacific"',
        reverse("addressee", args=[council.slug]): f'href="{follow}?addressee={council.slug}"',
    }
    for url, link in pages.items():
        page = client.get(url).content.decode()
        assert link in page and "by email" in page, url


def test_asking_mails_a_confirmation_link_and_stores_nothing(client, published_sample):
    response = ask(client, "Reader@Example.org", countries=["KP"])
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert not Subscription.objects.exists()
    [message] = mail.outbox
    assert message.to == ["reader@example.org"]
    assert "Democratic People" in message.body
    assert confirmation_link(message)


def test_the_answer_is_the_same_for_a_new_and_an_existing_address(client, published_sample):
    """Nobody learns from the form whether an address subscribes: the same page, the
    same status, one mail to the address either way."""
    new = ask(client, "reader@example.org", countries=["KP"])
    subscribe("reader@example.org", countries=["KP"])
    existing = ask(client, "reader@example.org", countries=["KP"])
    assert new.status_code == existing.status_code == 200
    assert new.content == existing.content
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject == mail.outbox[1].subject
    assert mail.outbox[0].body.replace(confirmation_link(mail.outbox[0]), "") == mail.outbox[
        1
    ].body.replace(confirmation_link(mail.outbox[1]), "")


def test_asking_without_a_valid_address_or_anything_to_follow_says_what_is_wrong(
    client, published_sample
):
    response = ask(client, "not an address", countries=["KP"])
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    response = ask(client, "reader@example.org")
    assert "Choose at least one region, country or addressee" in response.content.decode()
    response = ask(client, "reader@example.org", countries=["XX"])
    assert "Select a valid choice" in response.content.decode()
    assert not mail.outbox


def test_an_address_gets_a_few_links_a_day_whoever_asks(client, settings, published_sample):
    settings.SUBSCRIPTION_MAILS_PER_ADDRESS = 2
    answers = [ask(Client(), "victim@example.org", countries=["KP"]) for _ in range(4)]
    assert len(mail.outbox) == 2
    # The same answer after the limit: it says nothing about the address.
    assert {answer.content for answer in answers} == {answers[0].content}


def test_a_client_that_asks_too_often_is_told_to_wait(client, settings, published_sample):
    settings.SUBSCRIPTION_REQUESTS_PER_CLIENT = 3
    for n in range(3):
        assert ask(client, f"reader{n}@example.org", countries=["KP"]).status_code == 200
    response = ask(client, "another@example.org", countries=["KP"])
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert len(mail.outbox) == 3


def test_a_mail_server_that_fails_is_said_and_nothing_is_stored(client, published_sample):
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("refused"),
    ):
        response = ask(client, "reader@example.org", countries=["KP"])
    assert response.status_code == 503
    assert "could not be sent" in response.content.decode()
    assert not Subscription.objects.exists()


# --- Confirming -------------------------------------------------------------------------


def test_opening_the_link_asks_and_confirming_subscribes(client, published_sample, council):
    ask(client, "reader@example.org", countries=["KP"], addressees=[council.slug])
    link = path_of(confirmation_link(mail.outbox[0]))
    page = client.get(link)
    assert page.status_code == 200 and "Confirm your subscription" in page.content.decode()
    assert not Subscription.objects.exists()  # a mail scanner's GET confirms nothing

    response = client.post(link)
    subscription = Subscription.objects.get()
    assert subscription.email == "reader@example.org"
    assert Selection.of_subscription(subscription) == Selection.of(["KP"], [], [council.slug])
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "subscription_manage", args=[subscriptions.link_token(subscription)]
    )
    # Confirming again changes nothing.
    client.post(link)
    assert Subscription.objects.count() == 1


def test_confirming_more_adds_to_what_the_address_follows(published_sample, council):
    subscribe("reader@example.org", countries=["KP"])
    subscription = subscribe("READER@example.org", regions=["asia-pacific"])
    assert Subscription.objects.count() == 1
    assert Selection.of_subscription(subscription) == Selection.of(["KP"], ["asia-pacific"], [])


def test_a_changed_confirmation_link_is_refused(client, published_sample):
    ask(client, "reader@example.org", countries=["KP"])
    link = path_of(confirmation_link(mail.outbox[0]))
    token = link.split("/")[-2]
    # Another address in the same link, its signature kept: a forgery.
    forged = subscriptions.confirmation_token("other@example.org", Selection.of(["KP"]))
    tampered = forged.rsplit(":", 2)[0] + ":" + token.split(":", 1)[1]
    for bad in (tampered, token[:-2] + "xx", "nonsense"):
        url = reverse("subscription_confirm", args=[bad])
        assert client.get(url).status_code == 404
        response = client.post(url)
        assert response.status_code == 404
        assert "not valid" in response.content.decode()
    assert not Subscription.objects.exists()


def test_an_expired_confirmation_link_is_refused(client, settings, published_sample):
    ask(client, "reader@example.org", countries=["KP"])
    link = path_of(confirmation_link(mail.outbox[0]))
    later = time.time() + (settings.SUBSCRIPTION_CONFIRM_HOURS * 3600 + 60)
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert client.get(link).status_code == 410
        response = client.post(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Subscription.objects.exists()


# --- Managing, downloading, unsubscribing ------------------------------------------------


def test_the_manage_link_changes_what_is_followed(client, published_sample, council):
    subscription = subscribe("reader@example.org", countries=["KP"])
    url = reverse("subscription_manage", args=[subscriptions.link_token(subscription)])
    page = client.get(url)
    assert page.status_code == 200 and "reader@example.org" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer" and "no-store" in page["Cache-Control"]
    response = client.post(url, {"addressees": [council.slug], "regions": ["asia-pacific"]})
    assert response.status_code == 302
    assert Selection.of_subscription(subscription) == Selection.of(
        [], ["asia-pacific"], [council.slug]
    )
    response = client.post(url, {})
    assert "Choose at least one" in response.content.decode()


def test_a_changed_or_old_manage_link_is_refused(client, published_sample):
    subscription = subscribe("reader@example.org", countries=["KP"])
    token = subscriptions.link_token(subscription)
    other = subscribe("other@example.org", countries=["KP"])
    # Someone else's key under this link's signature: refused, nothing changed.
    forged = other.key.hex + ":" + token.split(":", 1)[1]
    for bad in (forged, token[:-1] + ("A" if token[-1] != "A" else "B"), "x"):
        for name in ("subscription_manage", "subscription_data", "subscription_unsubscribe"):
            assert client.get(reverse(name, args=[bad])).status_code == 404
        assert client.post(reverse("subscription_unsubscribe", args=[bad])).status_code == 404
    assert Subscription.objects.count() == 2
    subscriptions.unsubscribe(subscription)
    response = client.get(reverse("subscription_manage", args=[token]))
    assert response.status_code == 404 and "no longer exists" in response.content.decode()


def test_a_subscriber_downloads_what_is_stored_about_them(client, published_sample, council):
    subscription = subscribe("reader@example.org", countries=["KP"], addressees=[council.slug])
    response = client.get(
        reverse("subscription_data", args=[subscriptions.link_token(subscription)])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["email"] == "reader@example.org"
    assert [c["code"] for c in data["follows"]["countries"]] == ["KP"]
    assert [a["slug"] for a in data["follows"]["addressees"]] == [council.slug]
    assert data["messages"] == []


def test_one_post_without_a_form_token_unsubscribes_and_deletes_the_data(published_sample):
    """RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the header's
    address, with no CSRF token and no page between."""
    subscription = subscribe("reader@example.org", countries=["KP"])
    url = reverse("subscription_unsubscribe", args=[subscriptions.link_token(subscription)])
    client = Client(enforce_csrf_checks=True)
    assert client.get(url).status_code == 200
    assert Subscription.objects.exists()  # opening the link unsubscribes nobody
    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "unsubscribed" in response.content.decode()
    assert not Subscription.objects.exists()
    assert not Subscription.countries.through.objects.exists()
    # Again: done already, and said so.
    again = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200


def test_unsubscribing_leaves_no_address_in_past_deliveries(published_sample):
    from assessments.models import Announcement

    subscription = subscribe("reader@example.org", countries=["KP"])
    announcement = Announcement.objects.create(kind="edition", outlook=published_sample)
    sent = Delivery.objects.create(
        announcement=announcement, subscription=subscription, state=Delivery.State.SENT
    )
    subscriptions.unsubscribe(subscription)
    sent.refresh_from_db()
    assert sent.subscription is None and sent.state == Delivery.State.SENT


def test_the_follow_pages_are_not_crawled(client, db):
    assert "Disallow: /follow/" in client.get("/robots.txt").content.decode()


def test_the_deployment_checks_warn_when_the_site_is_not_https():
    """Mail providers ignore a one-click unsubscribe address that is not HTTPS."""
    from .test_signin import PRODUCTION, manage

    result = manage("check", "--deploy", **{**PRODUCTION, "SITE_URL": "http://outlook.example.org"})
    assert "outlook.W003" in result.stderr
