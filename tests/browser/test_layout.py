"""Stored text that fights the layout, in Chromium: a 10,000-character word keeps every
page within the screen, and a right-to-left override in a title stays inside it.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep a screenshot of each page with the long word.
"""

import os
from datetime import date

import pytest
from django.test import Client

from assessments.models import Country, Outlook, Revision
from tests.builders import add_assessment, make_outlook, publish_correction

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG_WORD = "Pneumono" * 1250  # 10,000 characters, no break opportunity
NOTE_WORD = LONG_WORD[:4000]  # notes and citations hold at most 5,000 characters
RLO = "\u202e"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
SHOTS = os.environ.get("OUTLOOK_SCREENSHOTS")


def sign_in(context, live_server, user):
    """Give the browser a session of `user` (signing in through the form is not the point)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def long_words(db):
    """A published edition whose stored text has words longer than any screen is wide."""
    outlook = make_outlook(period=date(2024, 5, 1), published=True, title="W" * 150 + " Outlook")
    assessment = add_assessment(
        outlook,
        "KP",
        findings=[f"The word {LONG_WORD} is long.[^1]"],
        recommendations=[("M" * 200, f"Read {LONG_WORD}.")],
        footnotes=[(f"Report {NOTE_WORD}", f"https://example.org/{'x' * 450}")],
        state=Revision.State.PUBLISHED,
    )
    publish_correction(
        assessment,
        note=f"Corrected {NOTE_WORD}.",
        findings=[f"The word {LONG_WORD} is long.[^1]"],
        recommendations=[("M" * 200, f"Read {LONG_WORD}.")],
        footnotes=[(f"Report {NOTE_WORD}", "")],
    )
    return Outlook.objects.get(pk=outlook.pk)


def test_a_very_long_word_keeps_pages_within_the_screen(
    page, live_server, long_words, django_user_model
):
    editor = django_user_model.objects.create_superuser("root", "root@example.org", "pass-12345")
    sign_in(page.context, live_server, editor)
    revision = Revision.objects.get(assessment__outlook=long_words, number=2)
    urls = [
        "/outlooks/",
        f"/outlooks/{long_words.slug}/",
        f"/outlooks/{long_words.slug}/kp/v1/",
        "/countries/kp/",
        "/search/?q=word",
        f"/editor/outlooks/{long_words.pk}/",
        f"/editor/revisions/{revision.pk}/",
        f"/editor/revisions/{revision.pk}/preview/",
    ]
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        for url in urls:
            assert page.goto(live_server.url + url).status == 200, url
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (width_name, url, overflow)
            if SHOTS:
                name = url.strip("/").replace("/", "-").replace("?", "-") or "home"
                page.screenshot(path=f"{SHOTS}/long-word-{name}-{width_name}.png", full_page=True)


# Whether `phrase`, inside the first element `selector` matches, is laid out left to right:
# each of its characters starts to the right of the one before.
READS_LEFT_TO_RIGHT = """([selector, phrase]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, start = node.data.indexOf(phrase);
    if (start < 0) continue;
    const range = document.createRange(), lefts = [];
    for (let i = start; i < start + phrase.length; i++) {
      if (node.data[i] === " ") continue;
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      lefts.push(range.getBoundingClientRect().left);
    }
    return lefts.every((left, i) => i === 0 || left > lefts[i - 1]);
  }
  return null;
}"""


def test_a_right_to_left_override_stays_inside_its_title(page, live_server, db, django_user_model):
    outlook = make_outlook(
        period=date(2024, 5, 1), published=True, title=f"Asia {RLO}Pacific Regional Outlook"
    )
    Country.objects.filter(code="KP").update(short_name=f"{RLO}DPRK")
    assessment = add_assessment(
        outlook,
        "KP",
        recommendations=[(f"The {RLO}UN Security Council", "Meet.")],
        state=Revision.State.PUBLISHED,
    )
    revision = assessment.published_revision
    editor = django_user_model.objects.create_superuser("root", "root@example.org", "pass-12345")
    sign_in(page.context, live_server, editor)

    for url, selector, phrase in (
        # The breadcrumbs: the period after the title, the revision after the country.
        (f"/editor/outlooks/{outlook.pk}/", ".breadcrumb", "May 2024"),
        (f"/editor/assessments/{assessment.pk}/", ".breadcrumb", "May 2024"),
        (f"/editor/revisions/{revision.pk}/", ".breadcrumb", "May 2024"),
        (f"/editor/revisions/{revision.pk}/", ".breadcrumb", "Revision 1"),
        # The public pages: the edition's heading, and what follows an addressee.
        (f"/outlooks/{outlook.slug}/", "h1", "May 2024"),
        (f"/outlooks/{outlook.slug}/", ".recommendations h4", "should:"),
        ("/outlooks/", ".outlook-list", "May 2024"),
    ):
        assert page.goto(live_server.url + url).status == 200, url
        assert page.evaluate(READS_LEFT_TO_RIGHT, [selector, phrase]) is True, (url, phrase)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/rlo-{url.strip('/').replace('/', '-')}.png")
