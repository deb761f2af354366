"""Linking an archive's recommendations across editions (assessments.lineage), deciding
the uncertain matches in the editor, and what the tracker makes of both."""

import gzip
import json
import uuid
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import lineage, stored_exports, tracker, workflow
from assessments.importing import import_file
from assessments.models import (
    AuditEvent,
    LineageMatch,
    Outlook,
    PublicationGeneration,
    Recommendation,
    Revision,
    StoredExport,
    TrackedReason,
    TrackedRecommendation,
    TrackedStatus,
    TrackedStep,
)

pytestmark = pytest.mark.django_db

NEW, REPEATED, REVISED, DROPPED = (
    TrackedStatus.NEW,
    TrackedStatus.REPEATED,
    TrackedStatus.REVISED,
    TrackedStatus.DROPPED,
)
LINKED, TO_CONFIRM, CONFIRMED, SPLIT = (
    LineageMatch.Decision.LINKED,
    LineageMatch.Decision.TO_CONFIRM,
    LineageMatch.Decision.CONFIRMED,
    LineageMatch.Decision.SPLIT,
)

COUNCIL, STATES, JUNTA = "The UN Security Council", "UN Member States", "The military authorities"

# Three editions of Myanmar's entry, each recommendation changed in a known way.
REFER = "Refer the situation in Myanmar to the International Criminal Court."
EMBARGO = "Impose a comprehensive arms embargo on Myanmar."
EMBARGO_EDITED = "Impose a comprehensive arms embargo on the Myanmar military."  # small edit
FUEL = "Suspend the sale of aviation fuel to the Myanmar military."
FUEL_EDITED = "Suspend the sale and transfer of aviation fuel to the Myanmar military."
MECHANISM = "Support the work of the Independent Investigative Mechanism for Myanmar."
MECHANISM_REWRITTEN = (  # rewritten: for an analyst to confirm
    "Fund the Independent Investigative Mechanism for Myanmar and share evidence with it."
)
PRISONERS = "Release all political prisoners."
PRISONERS_REWRITTEN = "Release all political prisoners and drop the charges against them."
INQUIRY = "Publish the findings of the inquiry into the killings in Sagaing."  # removed
ACCESS = "Allow humanitarian agencies to reach displaced people in Rakhine State."  # new
AIR_STRIKES = "End air strikes on villages, schools and camps for displaced people."  # new

EDITIONS = [
    (
        date(2023, 5, 1),
        {COUNCIL: [REFER, EMBARGO], STATES: [FUEL, MECHANISM], JUNTA: [PRISONERS, INQUIRY]},
    ),
    (
        date(2023, 11, 1),
        {
            COUNCIL: [REFER, EMBARGO_EDITED],
            STATES: [FUEL, MECHANISM_REWRITTEN],
            JUNTA: [PRISONERS, ACCESS],
        },
    ),
    (
        date(2024, 5, 1),
        {
            COUNCIL: [REFER, EMBARGO_EDITED],
            STATES: [FUEL_EDITED, MECHANISM_REWRITTEN],
            JUNTA: [PRISONERS_REWRITTEN, ACCESS, AIR_STRIKES],
        },
    ),
]


def as_text(period, groups):
    lines = [
        f"Myanmar Asia Pacific Regional Outlook {period:%B %Y}",
        "",
        "Republic of the Union of Myanmar Risk: Very high/Ongoing",
        "",
        f"Air strikes on villages continued in {period:%B %Y}.¹",
        "",
        "Recommendations",
        "",
    ]
    for addressee, items in groups.items():
        lines += [f"{addressee} should:", ""] + [f"- {item}" for item in items] + [""]
    lines.append("¹ Report of the Special Rapporteur, 1 March 2024, A/HRC/55/65.")
    return "\n".join(lines) + "\n"


def as_json(period, groups):
    return json.dumps(
        {
            "region": "Asia Pacific",
            "title": "Asia Pacific Regional Outlook",
            "period": f"{period:%Y-%m}",
            "assessments": [
                {
                    "country": "MM",
                    "short_name": "Myanmar",
                    "risk": {"level": "Very high", "status": "Ongoing"},
                    "findings": [f"Air strikes on villages continued in {period:%B %Y}.[^1]"],
                    "recommendations": [
                        {"addressee": addressee, "items": items}
                        for addressee, items in groups.items()
                    ],
                    "footnotes": [
                        {
                            "number": 1,
                            "text": "Report of the Special Rapporteur, 1 March 2024, A/HRC/55/65.",
                            "url": None,
                        }
                    ],
                }
            ],
        }
    )


def archive_files(tmp_path, file_format):
    write = as_text if file_format == "text" else as_json
    paths = []
    for period, groups in EDITIONS:
        path = tmp_path / f"myanmar-{period:%Y-%m}.{'txt' if file_format == 'text' else 'json'}"
        path.write_text(write(period, groups), encoding="utf-8")
        paths.append(path)
    return paths


def import_archive(tmp_path, file_format="text"):
    """The three editions imported as published, in period order: [(Outlook, Linking)]."""
    results = [import_file(path, publish=True) for path in archive_files(tmp_path, file_format)]
    return [(result.outlook, result.linking) for result in results]


@pytest.fixture
def archive(tmp_path):
    return import_archive(tmp_path)


def steps(outlook):
    """{text: status} of the recommendations made in the edition, and [(status, reason,
    text)] of those dropped."""
    rows = TrackedStep.objects.filter(outlook=outlook).select_related("recommendation", "tracked")
    made = {row.recommendation.text: row.status for row in rows if row.recommendation}
    dropped = sorted(
        (row.status, row.reason, row.tracked.text) for row in rows if not row.recommendation
    )
    return made, dropped


def match_of(outlook, text):
    return LineageMatch.objects.select_related("predecessor").get(
        recommendation__revision__assessment__outlook=outlook, recommendation__text=text
    )


# --- Measuring how alike --------------------------------------------------------------


def test_the_same_words_are_alike_whatever_the_case_punctuation_or_emphasis():
    assert (
        lineage.similarity("Release *all* political prisoners.", "release all political prisoners")
        == 1.0
    )
    assert lineage.similarity(EMBARGO, EMBARGO_EDITED) >= lineage.LINK
    assert lineage.CONFIRM <= lineage.similarity(MECHANISM, MECHANISM_REWRITTEN) < lineage.LINK
    assert lineage.similarity(INQUIRY, AIR_STRIKES) < lineage.CONFIRM


def test_each_predecessor_is_taken_once_by_its_most_alike_successor_to_the_same_addressee():
    earlier = [(COUNCIL, REFER), (STATES, REFER), (COUNCIL, EMBARGO)]
    later = [(COUNCIL, EMBARGO_EDITED), (COUNCIL, EMBARGO), (COUNCIL, REFER), (JUNTA, REFER)]
    pairs = {(i, j) for i, j, _ in lineage.assign(later, earlier)}
    # The verbatim embargo takes the earlier one; its edited twin has none left; the
    # junta's has no predecessor to the junta; the Council's Refer not the States' one.
    assert pairs == {(1, 2), (2, 0)}


# --- Importing an archive ---------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["text", "json"])
def test_importing_three_editions_links_repeats_and_edits_and_leaves_rewrites_to_confirm(
    tmp_path, file_format
):
    (first, linking1), (second, linking2), (third, linking3) = import_archive(tmp_path, file_format)
    assert (linking1.linked, linking1.to_confirm, linking1.new) == (0, 0, 6)
    # Refer, embargo (edited), fuel, prisoners linked; the mechanism to confirm; access new.
    assert (linking2.linked, linking2.to_confirm, linking2.new) == (4, 1, 1)
    # All linked (fuel edited) but the prisoners, rewritten; air strikes new.
    assert (linking3.linked, linking3.to_confirm, linking3.new) == (5, 1, 1)
    assert match_of(second, EMBARGO_EDITED).predecessor.text == EMBARGO
    assert match_of(second, MECHANISM_REWRITTEN).decision == TO_CONFIRM
    assert match_of(third, PRISONERS_REWRITTEN).decision == TO_CONFIRM
    assert match_of(third, FUEL_EDITED).decision == LINKED

    made, dropped = steps(second)
    assert made == {
        REFER: REPEATED,
        EMBARGO_EDITED: REVISED,
        FUEL: REPEATED,
        MECHANISM_REWRITTEN: NEW,  # until an analyst confirms it
        PRISONERS: REPEATED,
        ACCESS: NEW,
    }
    # Until then, the tracker says the rewritten one may continue it.
    assert dropped == [
        (DROPPED, TrackedReason.NOT_RECORDED, INQUIRY),
        (DROPPED, TrackedReason.TO_CONFIRM, MECHANISM),
    ]
    made, dropped = steps(third)
    assert made == {
        REFER: REPEATED,
        EMBARGO_EDITED: REPEATED,
        FUEL_EDITED: REVISED,
        MECHANISM_REWRITTEN: REPEATED,
        PRISONERS_REWRITTEN: NEW,
        ACCESS: REPEATED,
        AIR_STRIKES: NEW,
    }
    assert dropped == [(DROPPED, TrackedReason.TO_CONFIRM, PRISONERS)]
    refer = TrackedRecommendation.objects.get(text=REFER)
    assert (refer.editions, refer.first_outlook, refer.status) == (3, first, REPEATED)


def test_a_draft_import_takes_the_lineages_it_surely_continues(tmp_path):
    first, second = archive_files(tmp_path, "text")[:2]
    import_file(first, publish=True)
    result = import_file(second)
    assert (result.linking.linked, result.linking.to_confirm, result.linking.new) == (4, 0, 2)
    draft = result.outlook.assessments.get().revisions.get()
    earlier = {
        row.text: row.lineage
        for row in Recommendation.objects.filter(
            revision__assessment__outlook__period=EDITIONS[0][0]
        )
    }
    lineages = {row.text: row.lineage for row in draft.recommendations.all()}
    assert lineages[REFER] == earlier[REFER]
    assert lineages[EMBARGO_EDITED] == earlier[EMBARGO]
    assert lineages[MECHANISM_REWRITTEN] not in earlier.values()
    assert not LineageMatch.objects.filter(recommendation__revision=draft).exists()


# --- Deciding ---------------------------------------------------------------------------


def test_confirming_a_match_continues_the_earlier_recommendation_in_the_tracker(archive, alice):
    (_, _), (second, _), (third, _) = archive
    match = match_of(second, MECHANISM_REWRITTEN)
    generation = PublicationGeneration.objects.get().value
    decided = workflow.decide_match(match, CONFIRMED, user=alice)
    assert (decided.decision, decided.decided_by, decided.decided_at is not None) == (
        CONFIRMED,
        alice,
        True,
    )
    made, dropped = steps(second)
    assert made[MECHANISM_REWRITTEN] == REVISED
    assert dropped == [(DROPPED, TrackedReason.NOT_RECORDED, INQUIRY)]
    mechanism = TrackedRecommendation.objects.get(text=MECHANISM_REWRITTEN)
    assert (mechanism.editions, mechanism.first_period) == (3, EDITIONS[0][0])
    assert PublicationGeneration.objects.get().value > generation
    event = AuditEvent.objects.get(action="confirm_match")
    assert event.actor == alice and "Myanmar recommendation 4" in event.description


def stored_statuses(outlook):
    """{text: (status, lineage)} of the recommendations in the edition's stored JSON."""
    file, gzipped = stored_exports.open_latest(StoredExport.Kind.EDITION_JSON, outlook)
    with file:
        data = json.loads(gzip.decompress(file.read()) if gzipped else file.read())
    return {
        text: (tracked["status"], tracked["lineage"])
        for entry in data["assessments"]
        for group in entry["recommendations"]
        for text, tracked in zip(group["items"], group["tracked"], strict=True)
    }


def test_the_stored_edition_data_follow_a_decided_match(archive, alice):
    (first, _), (second, _), (third, _) = archive
    before = stored_statuses(second)[MECHANISM_REWRITTEN]
    assert before[0] == NEW
    workflow.decide_match(match_of(second, MECHANISM_REWRITTEN), CONFIRMED, user=alice)
    earlier = str(stored_statuses(first)[MECHANISM][1])
    assert stored_statuses(second)[MECHANISM_REWRITTEN] == (REVISED, earlier)
    # The later edition repeats it: the same status, under the lineage it now continues.
    assert stored_statuses(third)[MECHANISM_REWRITTEN] == (REPEATED, earlier)


def test_splitting_a_match_keeps_the_later_recommendation_new(archive, alice):
    (_, _), (_, _), (third, _) = archive
    workflow.decide_match(match_of(third, PRISONERS_REWRITTEN), SPLIT, user=alice)
    made, dropped = steps(third)
    assert made[PRISONERS_REWRITTEN] == NEW
    assert dropped == [(DROPPED, TrackedReason.NOT_RECORDED, PRISONERS)]
    assert AuditEvent.objects.filter(action="split_match", actor=alice).count() == 1


def test_a_decided_match_is_not_decided_again(archive, alice):
    match = match_of(archive[1][0], MECHANISM_REWRITTEN)
    workflow.decide_match(match, SPLIT, user=alice)
    with pytest.raises(PermissionDenied, match="This match is already split"):
        workflow.decide_match(match, CONFIRMED, user=alice)
    linked = match_of(archive[1][0], REFER)
    with pytest.raises(PermissionDenied, match="This match is already linked by the importer"):
        workflow.decide_match(linked, SPLIT, user=alice)


def test_only_an_analyst_decides_a_match(archive, bob, erin):
    match = match_of(archive[1][0], MECHANISM_REWRITTEN)
    for user in (bob, erin):
        with pytest.raises(PermissionDenied, match="This needs the analyst role."):
            workflow.decide_match(match, CONFIRMED, user=user)
    match.refresh_from_db()
    assert match.decision == TO_CONFIRM


def test_the_database_refuses_to_change_a_decided_match(archive, alice):
    linked = match_of(archive[1][0], REFER)
    decided = workflow.decide_match(match_of(archive[1][0], MECHANISM_REWRITTEN), SPLIT, user=alice)
    for match in (linked, decided):
        for change in ({"decision": CONFIRMED}, {"similarity": 0.5}):
            with pytest.raises(IntegrityError), transaction.atomic():
                LineageMatch.objects.filter(pk=match.pk).update(**change)


# --- Later copies of a linked archive's entry -------------------------------------------


def publish_by_hand(revision):
    """What a publication does to an entry, without the workflow's checks and jobs."""
    Revision.objects.filter(pk=revision.pk).update(
        state=Revision.State.PUBLISHED, published_at=timezone.now()
    )
    assessment = revision.assessment
    assessment.published_revision_id = revision.pk
    assessment.save(update_fields=["published_revision"])


def test_a_correction_of_a_linked_entry_keeps_its_links(archive, alice):
    (_, _), (second, _), (third, _) = archive
    assessment = second.assessments.get()
    correction = workflow.start_correction(assessment, user=alice)
    publish_by_hand(correction)
    tracker.record_published(second, [correction])
    made, _ = steps(second)
    assert made[REFER] == REPEATED and made[EMBARGO_EDITED] == REVISED
    made, _ = steps(third)
    assert made[EMBARGO_EDITED] == REPEATED
    assert TrackedRecommendation.objects.get(text=REFER).editions == 3


def test_the_next_edition_copied_from_a_linked_archive_continues_its_lineages(archive, erin):
    (first, _), (_, _), (third, _) = archive
    following = workflow.create_edition(first.region, date(2024, 11, 1), user=erin)
    copy = following.assessments.get().revisions.get()
    publish_by_hand(copy)
    Outlook.objects.filter(pk=following.pk).update(state="published", published_at=timezone.now())
    tracker.record_published(following, [copy])
    made, dropped = steps(following)
    assert set(made.values()) == {REPEATED} and dropped == []
    refer = TrackedRecommendation.objects.get(text=REFER)
    assert (refer.editions, refer.first_outlook) == (4, first)


# --- Archives already in the database ---------------------------------------------------


def link_command():
    out = StringIO()
    call_command("link_recommendations", stdout=out)
    return out.getvalue()


def test_link_recommendations_links_archives_imported_before_and_is_idempotent(archive):
    expected = sorted(
        LineageMatch.objects.values_list("recommendation_id", "predecessor_id", "decision")
    )
    # As if imported before the importer linked anything.
    LineageMatch.objects.all().delete()
    tracker.rebuild()
    with transaction.atomic():
        for outlook, _ in archive:
            stored_exports.regenerate(StoredExport.Kind.EDITION_JSON, outlook)
    assert set(TrackedRecommendation.objects.values_list("status", flat=True)) == {NEW, DROPPED}
    assert stored_statuses(archive[2][0])[FUEL_EDITED][0] == NEW

    output = link_command()
    assert "Recommendations of archives: 9 linked, 8 unlinked (new), 2 to confirm" in output
    assert "Matches waiting for an analyst in the editor: 2." in output
    assert (
        sorted(LineageMatch.objects.values_list("recommendation_id", "predecessor_id", "decision"))
        == expected
    )
    made, _ = steps(archive[2][0])
    assert made[FUEL_EDITED] == REVISED
    assert stored_statuses(archive[2][0])[FUEL_EDITED][0] == REVISED
    event = AuditEvent.objects.get(action="link_recommendations")
    assert event.actor is None and event.data["linking"]["linked"] == 9

    tracked = sorted(TrackedRecommendation.objects.values_list("lineage", "status", "editions"))
    again = link_command()
    assert "0 linked" in again and "0 to confirm" in again
    assert sorted(TrackedRecommendation.objects.values_list("lineage", "status", "editions")) == (
        tracked
    )
    assert LineageMatch.objects.count() == len(expected)


def test_link_recommendations_leaves_decided_matches_and_workflow_editions_alone(
    archive, alice, erin
):
    (_, _), (second, _), _ = archive
    match = workflow.decide_match(match_of(second, MECHANISM_REWRITTEN), SPLIT, user=alice)
    link_command()
    match.refresh_from_db()
    assert match.decision == SPLIT
    # A recommendation an analyst wrote afresh in the workflow is the analyst's choice.
    following = workflow.create_edition(second.region, date(2024, 11, 1), user=erin)
    draft = following.assessments.get().revisions.get()
    Recommendation.objects.filter(revision=draft, text=REFER).update(lineage=uuid.uuid4())
    Revision.objects.filter(pk=draft.pk).update(submitted_at=timezone.now())
    publish_by_hand(draft)
    Outlook.objects.filter(pk=following.pk).update(state="published", published_at=timezone.now())
    count = LineageMatch.objects.count()
    link_command()
    assert LineageMatch.objects.count() == count
    made, _ = steps(following)
    assert made[REFER] == NEW


# --- The editor's page ------------------------------------------------------------------


def as_user(client, user):
    client.force_login(user)
    return client


def test_the_matches_page_shows_both_texts_their_diff_and_similarity(client, archive, alice):
    response = as_user(client, alice).get(reverse("editor_matches"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Myanmar, <bdi>Asia Pacific Regional Outlook</bdi> November 2023" in page
    assert MECHANISM in page and MECHANISM_REWRITTEN in page
    assert "<del>Support the work of</del><ins>Fund</ins> the Independent" in page
    assert "80% alike" in page
    assert PRISONERS_REWRITTEN in page
    assert REFER not in page  # linked: nothing to decide


def test_the_matches_page_costs_the_same_queries_for_one_match_or_many(
    client, archive, alice, django_assert_num_queries
):
    as_user(client, alice)
    client.get(reverse("editor_matches"))  # the session, warmed
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        client.get(reverse("editor_matches"))
    workflow.decide_match(match_of(archive[1][0], MECHANISM_REWRITTEN), SPLIT, user=alice)
    with django_assert_num_queries(len(two)):
        client.get(reverse("editor_matches"))


def test_an_analyst_confirms_a_match_from_the_page(client, archive, alice):
    match = match_of(archive[1][0], MECHANISM_REWRITTEN)
    response = as_user(client, alice).post(
        reverse("editor_decide_match", args=[match.pk]), {"decision": "confirmed"}, follow=True
    )
    assert response.status_code == 200
    assert "recommendation 4 continues the earlier one" in response.content.decode()
    made, _ = steps(archive[1][0])
    assert made[MECHANISM_REWRITTEN] == REVISED


def test_an_analyst_splits_a_match_from_the_page_and_a_second_click_is_told(client, archive, alice):
    match = match_of(archive[2][0], PRISONERS_REWRITTEN)
    url = reverse("editor_decide_match", args=[match.pk])
    as_user(client, alice).post(url, {"decision": "split"})
    match.refresh_from_db()
    assert match.decision == SPLIT
    response = client.post(url, {"decision": "confirmed"}, follow=True)
    assert response.status_code == 200
    assert "This match is already split: a new recommendation." in response.content.decode()
    match.refresh_from_db()
    assert match.decision == SPLIT


def test_the_page_and_decisions_are_refused_without_the_analyst_role(client, archive, bob, charlie):
    match = match_of(archive[1][0], MECHANISM_REWRITTEN)
    for user in (bob, charlie):
        as_user(client, user)
        page = client.get(reverse("editor_matches"))
        decision = client.post(
            reverse("editor_decide_match", args=[match.pk]), {"decision": "split"}
        )
        assert page.status_code == decision.status_code == 403
    assert "Confirming matches needs the analyst role." in decision.content.decode()
    match.refresh_from_db()
    assert match.decision == TO_CONFIRM


def test_a_forged_match_or_decision_is_answered_without_an_error(client, archive, alice):
    as_user(client, alice)
    missing = client.post(reverse("editor_decide_match", args=[999_999]), {"decision": "split"})
    assert missing.status_code == 404
    match = match_of(archive[1][0], MECHANISM_REWRITTEN)
    forged = client.post(reverse("editor_decide_match", args=[match.pk]), {"decision": "linked"})
    assert forged.status_code == 400
    assert "Nothing was decided" in forged.content.decode()
    assert client.get(reverse("editor_decide_match", args=[match.pk])).status_code == 405
    match.refresh_from_db()
    assert match.decision == TO_CONFIRM


def test_a_decision_needs_the_csrf_token(archive, alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    match = match_of(archive[1][0], MECHANISM_REWRITTEN)
    response = client.post(reverse("editor_decide_match", args=[match.pk]), {"decision": "split"})
    assert response.status_code == 403
    match.refresh_from_db()
    assert match.decision == TO_CONFIRM


def test_the_dashboard_counts_the_matches_to_confirm_for_analysts(client, archive, alice, bob):
    page = as_user(client, alice).get(reverse("editor_dashboard")).content.decode()
    assert "2 recommendations of imported archives" in page
    assert reverse("editor_matches") in page
    page = as_user(client, bob).get(reverse("editor_dashboard")).content.decode()
    assert reverse("editor_matches") not in page
