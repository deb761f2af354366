"""The mail to subscribers about a publication, against a real SMTP server started by
the test (tests/smtp.py): each subscriber it concerns gets one message listing only
what concerns them, with RFC 8058's one-click unsubscribe; nobody else gets anything;
a failing server delays the mail, never the publication; nothing is sent twice."""

import time
import uuid
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import announcements, subscriptions, workflow
from assessments.models import Addressee, Announcement, Delivery, Revision, Subscription

from .builders import add_assessment, make_outlook, pass_checks
from .smtp import smtp_server, use_smtp
from .test_subscriptions import path_of, subscribe
from .test_workflow import save
from .worker import run_jobs, worker_process

State = Delivery.State
COUNCIL, GOVERNMENT = "The UN Security Council", "The government of the DPRK"
DIALOGUE, RELEASE = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def smtp(settings):
    """The test's SMTP server, which Django's mail now goes to: its handler."""
    settings.SITE_URL = "https://outlook.example.org"
    with smtp_server() as (handler, port):
        use_smtp(settings, port)
        yield handler


@pytest.fixture
def history(db):
    """November 2023, published: DPRK High/Ongoing (a recommendation to the Council and
    one to its government), Myanmar Very high. May 2024, approved, ready to publish:
    DPRK raised to Very high, the Council's recommendation repeated and a new one, the
    government's dropped; Myanmar left out; Thailand new."""
    november = make_outlook(period=date(2023, 11, 1), published=True)
    add_assessment(
        november,
        "KP",
        state=Revision.State.PUBLISHED,
        recommendations=[
            (COUNCIL, "Revive its informal dialogue on human rights.", DIALOGUE),
            (GOVERNMENT, "Release every detainee held without trial.", RELEASE),
        ],
    )
    add_assessment(november, "MM", state=Revision.State.PUBLISHED, risk="Very high")
    may = make_outlook(period=date(2024, 5, 1))
    add_assessment(
        may,
        "KP",
        state=Revision.State.APPROVED,
        risk="Very high",
        recommendations=[
            (COUNCIL, "Revive its informal dialogue on human rights.", DIALOGUE),
            (COUNCIL, "Refer the situation to the International Criminal Court.", None),
        ],
    )
    add_assessment(may, "TH", state=Revision.State.APPROVED, risk="Moderate", recommendations=())
    Addressee.objects.get_or_create(name="The government of Viet Nam")
    return may


# The readers the May edition concerns.
CONCERNED = [f"{name}@example.org" for name in ("kp", "region", "council", "government", "mm")]


def slug(name):
    return Addressee.objects.get(name=name).slug


@pytest.fixture
def readers(history):
    """Seven subscribers; the May edition concerns the first five."""
    return {
        "kp": subscribe("kp@example.org", countries=["KP"]),
        "region": subscribe("region@example.org", regions=["asia-pacific"]),
        "council": subscribe("council@example.org", addressees=[slug(COUNCIL)]),
        "government": subscribe("government@example.org", addressees=[slug(GOVERNMENT)]),
        "mm": subscribe("mm@example.org", countries=["MM"]),
        "vn": subscribe("vn@example.org", countries=["VN"]),
        "vn-government": subscribe(
            "vn-government@example.org", addressees=[slug("The government of Viet Nam")]
        ),
    }


def publish(outlook, editor):
    workflow.publish(outlook, user=editor)
    run_jobs()
    outlook.refresh_from_db()
    assert outlook.is_published


class Tags(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_a_publication_mails_each_subscriber_it_concerns_once_with_only_their_part(
    smtp, history, readers, erin
):
    publish(history, erin)
    for address in CONCERNED:
        assert len(smtp.to(address)) == 1, address
    for name in ("vn", "vn-government"):
        assert not smtp.to(f"{name}@example.org"), name
    announcement = Announcement.objects.get()
    assert announcement.finished_at is not None
    assert announcement.deliveries.filter(state=State.SENT).count() == len(CONCERNED)

    [kp] = smtp.to("kp@example.org")
    text = kp.part("text/plain")
    assert kp.message["Subject"] == "Published: Asia Pacific Regional Outlook May 2024"
    assert (
        "Democratic People's Republic of Korea: Very high/Ongoing (↑ raised, was High/Ongoing)"
        in text
    )
    assert "Thailand" not in text and "Myanmar" not in text
    assert "RECOMMENDATIONS TO" not in text  # follows no addressee
    assert "https://outlook.example.org/outlooks/asia-pacific-2024-05.pdf" in text

    [region] = smtp.to("region@example.org")
    text = region.part("text/plain")
    assert "Thailand: Moderate/Ongoing (new in this outlook)" in text
    assert "Myanmar was in the previous edition (Very high/Ongoing) and is not in this one" in text

    [council] = smtp.to("council@example.org")
    text = council.part("text/plain")
    assert "RECOMMENDATIONS TO THE UN SECURITY COUNCIL: 1 new, 1 repeated" in text
    assert "DPRK: Refer the situation to the International Criminal Court." in text
    assert "Very high/Ongoing" not in text  # follows no country

    [government] = smtp.to("government@example.org")
    text = government.part("text/plain")
    assert "Dropped:\n- DPRK: Release every detainee held without trial." in text
    assert "Refer the situation" not in text


def test_every_message_has_both_parts_its_own_links_and_one_click_unsubscribe(
    smtp, history, readers, erin
):
    publish(history, erin)
    [received] = smtp.to("kp@example.org")
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    token = subscriptions.link_token(readers["kp"])
    unsubscribe = f"https://outlook.example.org/follow/unsubscribe/{token}/"
    # On the wire: the URL itself in angle brackets (no encoded word), HTTPS.
    assert received.header("List-Unsubscribe") == f"<{unsubscribe}>"
    assert received.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert received.header("Message-ID").startswith("<announcement-")
    text, html = received.part("text/plain"), received.part("text/html")
    manage = f"https://outlook.example.org/follow/manage/{token}/"
    assert unsubscribe in text and manage in text
    # Accessible HTML with no tracking: a language, a title, headings; no image, no
    # script, and every link to the site itself.
    tags = Tags(html).tags
    assert ("html", {"lang": "en"}) in tags and any(tag == "title" for tag, _ in tags)
    assert any(tag == "h1" for tag, _ in tags)
    assert not [tag for tag, _ in tags if tag in ("img", "script", "iframe")]
    links = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert links and all(link.startswith("https://outlook.example.org/") for link in links)
    assert unsubscribe in links and manage in links
    # Another subscriber's message carries another subscriber's links.
    [other] = smtp.to("region@example.org")
    assert token not in other.part("text/plain")


def test_after_a_one_click_unsubscribe_nothing_more_arrives(
    smtp, history, readers, erin, alice, bob
):
    publish(history, erin)
    [received] = smtp.to("kp@example.org")
    url = received.header("List-Unsubscribe").strip("<>")
    response = Client(enforce_csrf_checks=True).post(
        path_of(url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not subscriptions.Subscription.objects.filter(email="kp@example.org").exists()

    # A correction of the DPRK entry: its followers but the one who left are told.
    assessment = history.assessments.get(country__code="KP")
    correction = workflow.start_correction(assessment, user=alice)
    save(
        correction,
        alice,
        correction_note="Corrected the date of a report.",
        rationale="Mass detentions continued through the period.",
    )
    correction = pass_checks(correction, alice)
    workflow.submit(correction, user=alice)
    workflow.approve(correction, user=bob)
    workflow.publish_correction(correction, user=erin)
    run_jobs()
    assert len(smtp.to("kp@example.org")) == 1  # the edition's, nothing after
    [_, correction_mail] = smtp.to("region@example.org")
    assert correction_mail.message["Subject"] == (
        "Correction: DPRK in Asia Pacific Regional Outlook May 2024"
    )
    text = correction_mail.part("text/plain")
    assert "Correction note: Corrected the date of a report." in text
    assert "https://outlook.example.org/outlooks/asia-pacific-2024-05.pdf" in text
    assert len(smtp.to("council@example.org")) == 2
    assert len(smtp.to("mm@example.org")) == 1  # Myanmar is not corrected
    assert Announcement.objects.count() == 2


def test_a_mail_server_that_is_down_delays_the_mail_never_the_publication(
    settings, history, readers, erin
):
    settings.SITE_URL = "https://outlook.example.org"
    with smtp_server() as (handler, port):
        pass  # stopped: nothing listens on its port now
    use_smtp(settings, port)
    publish(history, erin)
    announcement = Announcement.objects.get()
    assert announcement.finished_at is None
    waiting = announcement.deliveries.filter(state=State.PENDING)
    assert waiting.count() == 5
    assert "could not be reached" in waiting.first().error

    # Time passes: the messages, and the task queued again for them, are due.
    past = timezone.now() - timedelta(seconds=1)
    announcement.deliveries.update(due_at=past)
    DBTaskResult.objects.filter(
        task_path="assessments.tasks.send_announcement", status="READY"
    ).update(run_after=past)
    with smtp_server() as (handler, port):
        use_smtp(settings, port)
        run_jobs()
        assert len(handler.received) == 5
    announcement.refresh_from_db()
    assert announcement.finished_at is not None
    assert announcement.deliveries.filter(state=State.SENT).count() == 5


def test_a_temporary_refusal_is_tried_again_and_a_permanent_one_fails(
    smtp, settings, history, readers, erin
):
    settings.SUBSCRIBER_MAIL_RETRY_SECONDS = 0
    smtp.refuse["kp@example.org"] = (451, "Try again later")
    smtp.refuse["mm@example.org"] = (550, "5.1.1 <mm@example.org>: No such mailbox")
    workflow.publish(history, user=erin)
    run_jobs()
    deliveries = {d.subscription.email: d for d in Delivery.objects.select_related("subscription")}
    assert deliveries["mm@example.org"].state == State.FAILED
    # The server's reply is kept without the address it quotes.
    assert deliveries["mm@example.org"].error == "550 5.1.1 <[address]>: No such mailbox"
    kp = deliveries["kp@example.org"]
    # Tried again until the limit, then given up.
    assert kp.state == State.FAILED and kp.attempts == settings.SUBSCRIBER_MAIL_MAX_ATTEMPTS
    assert kp.error == "451 Try again later"
    # Every attempt on record: those turned away, then the last refused.
    assert [(a.outcome, a.error) for a in kp.attempts_made.all()] == [
        ("later", "451 Try again later")
    ] * (kp.attempts - 1) + [("refused", "451 Try again later")]
    assert deliveries["region@example.org"].state == State.SENT
    assert len(smtp.to("region@example.org")) == 1


def test_a_publication_carried_out_again_is_announced_once(smtp, history, readers, erin):
    publish(history, erin)
    assert announcements.announce(history) is None
    run_jobs()
    assert len(smtp.to("kp@example.org")) == 1


def test_a_worker_that_stopped_leaves_claimed_mail_to_send_and_perhaps_sent_mail_alone(
    smtp, settings, history, readers, erin
):
    """What `recover` does with a dead worker's batch: claimed messages (never handed
    over) are sent, the one being handed over is not sent again."""
    workflow.publish(history, user=erin)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(announcements, "_send_batch", lambda batch, messages: None)
        run_jobs()  # the worker claims a batch and "dies" with it
    announcement = Announcement.objects.get()
    claimed = list(announcement.deliveries.filter(state=State.CLAIMED).order_by("id"))
    assert len(claimed) == 5
    # It had begun handing the first one over.
    Delivery.objects.filter(pk=claimed[0].pk).update(state=State.SENDING)
    assert not announcements.recover()  # not before they are stale
    later = timezone.now() + timedelta(seconds=settings.SUBSCRIBER_MAIL_STALE_SECONDS + 1)
    assert announcements.recover(later) == [announcement]
    run_jobs()
    states = dict(announcement.deliveries.values_list("pk", "state"))
    assert states[claimed[0].pk] == State.UNCERTAIN
    [attempt] = claimed[0].attempts_made.all()
    assert attempt.outcome == "uncertain" and "worker stopped" in attempt.error
    assert [states[d.pk] for d in claimed[1:]] == [State.SENT] * 4
    # The uncertain one is not sent again (here it had not even reached the server).
    assert sorted(r.to for r in smtp.received if r.to in CONCERNED) == sorted(
        delivery.subscription.email for delivery in claimed[1:]
    )
    announcement.refresh_from_db()
    assert announcement.finished_at is not None


def test_every_state_of_a_message_is_counted_in_a_column_and_explained():
    columns = [state for states in announcements.TALLIES.values() for state in states]
    assert sorted(columns) == sorted(State.values)
    assert set(announcements.MEANINGS) == set(State.values)


def test_editorial_mail_still_goes_to_the_team_alone(smtp, history, readers, erin):
    publish(history, erin)
    published = [r for r in smtp.received if r.message["Subject"].startswith("Published:")]
    team = [r for r in published if r.to == "erin@example.org"]
    assert len(team) == 1 and "List-Unsubscribe" not in team[0].message
    assert not mail.outbox  # every message went to the real server


# --- Real workers, one killed mid-batch ---------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_batch_and_another_started_mail_nobody_twice(tmp_path):
    """A worker process is killed while the server holds a message unanswered (handed
    over, not confirmed); a second worker takes up the rest. Every subscriber gets the
    announcement once: the one in flight is not sent again, and no other is lost."""
    outlook = make_outlook(period=date(2024, 5, 1), published=True)
    add_assessment(outlook, "KP", state=Revision.State.PUBLISHED)
    now = timezone.now()
    addresses = [f"reader{n:02}@example.org" for n in range(40)]
    for address in addresses:
        Subscription.objects.create(email=address, confirmed_at=now, updated_at=now).regions.set(
            [outlook.region]
        )
    with transaction.atomic():
        announcement = announcements.announce(outlook)
    media = tmp_path / "media"
    media.mkdir()
    with smtp_server() as (handler, port):
        env = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "SITE_URL": "https://outlook.example.org",
            "SUBSCRIBER_MAIL_BATCH": "8",
            # Recovery every second, of what a worker left a second ago.
            "SUBSCRIBER_MAIL_STALE_SECONDS": "1",
            "PUBLICATION_STALE_SECONDS": "2",
        }
        handler.hold_at = 10  # in the second batch
        with worker_process(media_root=media, env=env) as first:
            assert handler.holding.wait(90), "the first worker sent nothing"
            first.kill()
            first.wait(30)
        handler.release.set()
        held = handler.received[9].to
        states = dict(Delivery.objects.values_list("subscription__email", "state"))
        assert states[held] == State.SENDING
        assert sum(state == State.SENT for state in states.values()) == 9

        with worker_process(media_root=media, env=env) as second:
            deadline = time.monotonic() + 120
            announcement.refresh_from_db()
            while announcement.finished_at is None:
                assert time.monotonic() < deadline, "the second worker did not finish"
                assert second.poll() is None
                time.sleep(0.2)
                announcement.refresh_from_db()
        received = [item.to for item in handler.received if item.to in addresses]
    assert len(received) == len(set(received)) == len(addresses)
    states = dict(Delivery.objects.values_list("subscription__email", "state"))
    assert states.pop(held) == State.UNCERTAIN
    assert set(states.values()) == {State.SENT}
