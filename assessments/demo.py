"""The demo data set that `make run` serves (manage.py seed_demo): fictional, and marked.

Beside the real sample edition (the DPRK entry of the Asia Pacific outlook of November
2023, which stays as it was printed), a region of its own, "Demo Asia Pacific"
(Region.is_demo, so that every page, PDF and download says "Demo data"):

- five published editions, May 2022 to May 2024, of twelve or thirteen Asia Pacific
  countries whose levels rise and fall; Nepal is dropped after the third edition and
  Papua New Guinea added from it; recommendations are repeated, revised, dropped and
  added from one edition to the next, linked across editions by the importer, some
  left for an analyst to confirm; sources carry UN document symbols and URLs;
- a correction of one entry of November 2023, reviewed and queued for publication (the
  worker that `make run` starts publishes it, as it would any correction);
- a draft edition, November 2024, copied from May 2024, with entries in every state of
  the workflow for the demo accounts: drafts of each analyst, one waiting for review,
  one with changes requested, one approved.

Every paragraph is generated from the templates below and begins "Demo text:"; the
sources are made up (session 99 of the Human Rights Council, year 2099 of the Security
Council, addresses under example.org). The published editions go in as an archive is
imported (assessments.importing), the rest through the workflow with the demo accounts,
so the demo passes the same checks and rules as real work. Loading twice changes
nothing; `reset` removes the demo editions first (on SQLite only: PostgreSQL's guard of
the published record refuses to delete a published edition, demo or not).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django_tasks_db.models import DBTaskResult

from . import workflow
from .caching import bump_generation
from .content import (
    DraftContent,
    EntryContent,
    FootnoteContent,
    OutlookContent,
    RecommendationGroup,
)
from .importing import import_file
from .importing.store import store_outlook
from .models import (
    Addressee,
    Announcement,
    Assessment,
    Country,
    Outlook,
    OutlookPdf,
    PublicationJob,
    Region,
    Revision,
    Source,
    StoredExport,
    Subscription,
)
from .permissions import ANALYST, EDITOR, REVIEWER

SAMPLE = Path(__file__).resolve().parent / "demo" / "dprk-2023-11.txt"
SAMPLE_SLUG = "asia-pacific-2023-11"
# The sample's next edition, a draft for the analysts to work on.
SAMPLE_NEXT_EDITION = date(2024, 5, 1)

# Demo only: these accounts exist so that a developer can try each role.
ACCOUNTS = [
    ("analyst", "analyst-demo-pass", [ANALYST]),
    ("analyst2", "analyst-demo-pass", [ANALYST]),
    ("reviewer", "reviewer-demo-pass", [REVIEWER]),
    ("editor", "editor-demo-pass", [EDITOR]),
    ("admin", "admin-demo-pass", []),
]

REGION = "Demo Asia Pacific"
EDITIONS = [
    date(2022, 5, 1),
    date(2022, 11, 1),
    date(2023, 5, 1),
    date(2023, 11, 1),
    date(2024, 5, 1),
]
DRAFT_EDITION = date(2024, 11, 1)

VH, H, M, L, VL = "Very high", "High", "Moderate", "Low", "Very low"
ONGOING, IMMINENT, EMERGING = "Ongoing", "Imminent", "Emerging"
# Each country's rating in each edition of EDITIONS (None: not in that edition), in the
# order the editions list them.
RATINGS = {
    "MM": [(VH, ONGOING)] * 5,
    "AF": [(VH, ONGOING), (VH, ONGOING), (H, ONGOING), (H, ONGOING), (VH, ONGOING)],
    "PK": [(H, IMMINENT), (H, ONGOING), (VH, ONGOING), (H, ONGOING), (H, ONGOING)],
    "CN": [(H, ONGOING)] * 5,
    "PH": [(H, ONGOING), (H, ONGOING), (M, EMERGING), (M, EMERGING), (H, IMMINENT)],
    "IN": [(M, EMERGING), (H, EMERGING), (H, IMMINENT), (H, ONGOING), (M, ONGOING)],
    "BD": [(M, EMERGING), (M, EMERGING), (H, IMMINENT), (M, EMERGING), (M, EMERGING)],
    "LK": [(M, EMERGING), (M, EMERGING), (L, EMERGING), (L, EMERGING), (M, EMERGING)],
    "KH": [(L, EMERGING), (M, EMERGING), (M, EMERGING), (L, EMERGING), (L, EMERGING)],
    "TH": [(L, EMERGING), (L, EMERGING), (L, EMERGING), (M, EMERGING), (L, EMERGING)],
    "ID": [(M, EMERGING), (M, EMERGING), (M, EMERGING), (L, EMERGING), (L, EMERGING)],
    # Dropped after the third edition.
    "NP": [(L, EMERGING), (L, EMERGING), (VL, EMERGING), None, None],
    # Added from the third edition.
    "PG": [None, None, (M, EMERGING), (H, IMMINENT), (H, ONGOING)],
}
HIGH = {VH, H}

# The correction: an entry of the fourth edition, its note.
CORRECTED = ("LK", date(2023, 11, 1))
CORRECTION_NOTE = (
    "Demo text: the second finding named the wrong edition as the previous one; corrected."
)


@dataclass(frozen=True)
class DraftStep:
    """What a demo account does with one entry of the draft edition."""

    country: str
    analyst: str
    submit: bool = False
    decision: str = ""  # "approve" or "request_changes", by the reviewer
    comment: str = ""


DRAFT_STEPS = [
    DraftStep("MM", "analyst"),
    DraftStep("AF", "analyst2"),
    DraftStep("PH", "analyst", submit=True),
    DraftStep(
        "IN",
        "analyst2",
        submit=True,
        decision="request_changes",
        comment="Demo text: say which sources support the second finding, please.",
    ),
    DraftStep("CN", "analyst", submit=True, decision="approve", comment="Demo text: reads well."),
]


def refuse_production(*, allowed):
    """Raise ImproperlyConfigured unless DEBUG is on or the caller says it knows better."""
    if not settings.DEBUG and not allowed:
        raise ImproperlyConfigured(
            "seed_demo loads fictional demo data and demo accounts with known passwords: "
            "it runs with DEBUG on (make run) only. Give --i-know-this-is-not-production "
            "to load it anyway on a server that is not production."
        )


def load(*, reset=False, log=print):
    """Load what is missing of the demo (the sample, the accounts, the demo editions), in
    one transaction; with `reset`, remove the demo editions first and load them again."""
    with transaction.atomic():
        if reset:
            remove_demo_editions(log=log)
        load_accounts()
        load_sample(log)
        region = demo_region()
        for index, period in enumerate(EDITIONS):
            if not Outlook.objects.filter(region=region, period=period).exists():
                store_outlook(edition_content(index), publish=True, user=account("editor"))
                log(f"Published the demo edition {REGION} Regional Outlook {period:%B %Y}.")
        load_subscribers(region)
        if correct(region):
            log("Queued the demo correction for publication (the worker publishes it).")
        if not Outlook.objects.filter(region=region, period=DRAFT_EDITION).exists():
            draft_edition(region)
            log(f"Created the demo draft edition of {DRAFT_EDITION:%B %Y}, with its drafts.")


# Readers who follow the demo by email (example.org addresses, which receive nothing): the
# editors' subscribers page has counts to show, and the demo's correction is mailed.
SUBSCRIBERS = {
    "demo-reader-1@example.org": {"regions": [REGION]},
    "demo-reader-2@example.org": {"countries": ["MM", "AF"]},
    "demo-reader-3@example.org": {"countries": ["LK"], "addressees": ["The UN Security Council"]},
}


def load_subscribers(region):
    now = timezone.now()
    for email, follows in SUBSCRIBERS.items():
        subscription, created = Subscription.objects.get_or_create(
            email=email, defaults={"confirmed_at": now, "updated_at": now}
        )
        if created:
            subscription.regions.set(Region.objects.filter(name__in=follows.get("regions", [])))
            subscription.countries.set(
                Country.objects.filter(code__in=follows.get("countries", []))
            )
            subscription.addressees.set(
                Addressee.objects.filter(name__in=follows.get("addressees", []))
            )


def load_sample(log):
    if not Outlook.objects.filter(slug=SAMPLE_SLUG).exists():
        result = import_file(SAMPLE, publish=True)
        log(f"Imported {result.outlook.full_title} as published.")
    region = Region.objects.get(name="Asia Pacific")
    if not Outlook.objects.filter(region=region, period=SAMPLE_NEXT_EDITION).exists():
        editor = account("editor")
        outlook = workflow.create_edition(region, SAMPLE_NEXT_EDITION, user=editor)
        # The first analyst finds it on the dashboard, under "Assigned to me".
        for assessment in outlook.assessments.all():
            workflow.assign(
                assessment, analyst=account("analyst"), reviewer=account("reviewer"), user=editor
            )
        log(f"Created the draft edition {outlook.full_title}.")


def load_accounts():
    for username, password, groups in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created:
            user.password = demo_password_hash(password)
            user.is_staff = user.is_superuser = username == "admin"
            user.save()
            user.groups.set(Group.objects.filter(name__in=groups))


def demo_password_hash(password):
    """A hash of a demo password with few iterations: the passwords are printed for all
    to read, and the full count took 0.6 s each, a third of the load. Django hashes the
    password again with the full count at the first sign-in (PBKDF2's must_update)."""
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=1000)
    return make_password(password, hasher=hasher)


def account(username):
    return User.objects.get(username=username)


def demo_region():
    region, _ = Region.objects.get_or_create(
        name=REGION, defaults={"slug": slugify(REGION), "is_demo": True}
    )
    return region


# --- The published editions, as an archive imports them --------------------------------


def edition_content(index):
    """The demo edition EDITIONS[index] in the interchange shape the importer reads."""
    period = EDITIONS[index]
    countries = {c.code.code: c for c in Country.objects.filter(code__in=list(RATINGS))}
    entries = [
        entry_content(countries[code], index)
        for code, ratings in RATINGS.items()
        if ratings[index] is not None
    ]
    return OutlookContent(
        region=REGION,
        title=f"{REGION} Regional Outlook",
        period=period,
        introduction=(
            f"Demo text: this fictional edition of {period:%B %Y} shows how an outlook "
            "reads. Its countries are real, but its ratings, findings, recommendations and "
            "sources are generated and assess nothing."
        ),
        assessments=entries,
        # As an archive's file gives it: the editions came out mid-month.
        published_on=period.replace(day=15),
    )


def entry_content(country, index):
    """A country's fictional entry in the demo edition EDITIONS[index]."""
    code = country.code.code
    name = country.short_name
    level, status = RATINGS[code][index]
    previous = RATINGS[code][index - 1] if index else None
    period = EDITIONS[index]
    if previous is None:
        change = ", its first rating in the demo"
    elif previous == (level, status):
        change = ", as in the previous edition"
    else:
        change = f", changed from {previous[0]}/{previous[1]} in the previous edition"
    rationale = ""
    if previous is not None and previous != (level, status):
        rationale = (
            f"Demo text: the fictional rating moves from {previous[0]}/{previous[1]} to "
            f"{level}/{status} to show how a change reads."
        )
    findings = [
        f"Demo text: this made-up paragraph stands in for what an analyst would write "
        f"about {name} in the edition of {period:%B %Y}. It reports no real event; it shows "
        "how a finding reads, with a call to its source.[^1]",
        f"Demo text: in this fictional scenario the risk is rated {level}/{status}{change}. "
        "A real finding would name the patterns of violations and the warning signs behind "
        "the rating, each with its source.[^2]",
        f"Demo text: the words of this entry are placeholders generated for the "
        f"demonstration, and must not be quoted or cited as a statement about {name}.[^3]",
    ]
    return EntryContent(
        country=code,
        short_name=name,
        risk_level=level,
        risk_status=status,
        rationale=rationale,
        findings=findings,
        recommendations=recommendations(code, name, level, index),
        footnotes=footnotes(code, name, period, index),
    )


def recommendations(code, name, level, index):
    """Repeated in every edition, revised in the third, dropped after the second, new
    from the fourth, reworded in the fifth: what a recommendation tracker follows. The
    importer links the repeated and the revised one (assessments.lineage) and leaves the
    reworded one for an analyst to confirm; the dropped one has no reason recorded (an
    archive carries none)."""
    authorities = [
        "Demo text: allow independent observers to visit every part of the country without notice."
    ]
    if index < 2:
        authorities.append("Demo text: release everyone held for taking part in peaceful protests.")
        authorities.append("Demo text: publish the findings of the inquiry it announced.")
    else:
        authorities.append(
            "Demo text: release everyone held for taking part in peaceful protests, and "
            "drop the charges against them."
        )
    if index >= 3:
        authorities.append(
            "Demo text: adopt a national plan to prevent atrocity crimes, with a budget and "
            "a timetable."
        )
    groups = [RecommendationGroup("The national authorities", authorities)]
    if level in HIGH:
        council = (
            f"Demo text: keep the fictional situation in {name} under review and ask for a "
            "briefing every six months."
        )
        if index >= 4:
            council = (
                f"Demo text: keep the fictional situation in {name} under review, and hold an "
                "open briefing on it twice a year."
            )
        groups.append(RecommendationGroup("The UN Security Council", [council]))
    groups.append(
        RecommendationGroup(
            "UN Member States",
            ["Demo text: support the work of independent monitors with funds and expertise."],
        )
    )
    return groups


def footnotes(code, name, period, index):
    number = 10 * (list(RATINGS).index(code) + 1) + index
    return [
        FootnoteContent(
            1,
            f"Demo source, not a real document: report of a fictional special rapporteur "
            f"on {name}, A/HRC/99/{number}, para. {index + 4}",
        ),
        FootnoteContent(
            2,
            "Demo source: a fictional press release",
            f"https://www.example.org/demo/{code.lower()}/{period:%Y-%m}",
        ),
        FootnoteContent(
            3,
            f"Demo source, not a real document: letter to the Security Council, S/2099/{number}",
        ),
    ]


# --- Through the workflow, with the demo accounts --------------------------------------


def correct(region):
    """Start, review and queue the demo correction unless it was; True if it did now."""
    code, period = CORRECTED
    assessment = Outlook.objects.get(region=region, period=period).assessments.get(
        country__code=code
    )
    if assessment.revisions.count() > 1:
        return False
    analyst, reviewer = account("analyst"), account("reviewer")
    revision = workflow.start_correction(assessment, user=analyst)
    revision = Revision.objects.with_content().get(pk=revision.pk)
    content = DraftContent.from_revision(revision)
    content.findings[1] = content.findings[1].replace(
        ", as in the previous edition", ", as in the edition of May 2023"
    )
    content.correction_note = CORRECTION_NOTE
    workflow.save_draft(revision, content, user=analyst, based_on_version=revision.version)
    workflow.submit(revision, user=analyst)
    workflow.approve(revision, user=reviewer, comment="Demo text: the correction is right.")
    workflow.publish_correction(revision, user=account("editor"))
    return True


def draft_edition(region):
    """The draft edition after the last demo one, each DraftStep's entry moved along."""
    editor = account("editor")
    outlook = workflow.create_edition(region, DRAFT_EDITION, user=editor)
    # Due in a week and in a fortnight from the day the demo is loaded: the board and
    # the dashboards count down to dates a visitor recognises.
    today = timezone.localdate()
    workflow.plan_edition(
        outlook,
        drafts_due=today + timedelta(days=7),
        reviews_due=today + timedelta(days=14),
        user=editor,
    )
    reviewer = account("reviewer")
    for step in DRAFT_STEPS:
        analyst = account(step.analyst)
        revision = Revision.objects.with_content().get(
            assessment__outlook=outlook, assessment__country__code=step.country
        )
        # The other entries stay unassigned: an analyst may take one on the board.
        workflow.assign(revision.assessment, analyst=analyst, reviewer=reviewer, user=editor)
        content = DraftContent.from_revision(revision)
        content.findings[0] = (
            f"Demo text: {analyst.username} is redrafting this paragraph for the edition "
            f"of {DRAFT_EDITION:%B %Y}; it is not public until an editor publishes the edition.[^1]"
        )
        workflow.save_draft(revision, content, user=analyst, based_on_version=revision.version)
        if step.submit:
            workflow.submit(revision, user=analyst)
        if step.decision == "approve":
            workflow.approve(revision, user=reviewer, comment=step.comment)
        elif step.decision == "request_changes":
            workflow.request_changes(revision, user=reviewer, comment=step.comment)
    # An embargoed preview shared with a (fictional) journalist: the edition's editor page
    # lists it, and its link opens the preview.
    publication = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    workflow.share_embargoed(
        outlook,
        recipient="Demo reader, Example News (fictional)",
        embargoed_until=publication + timedelta(days=15),
        expires_at=publication + timedelta(days=20),
        user=editor,
    )
    return outlook


# --- Reset --------------------------------------------------------------------------


def remove_demo_editions(*, log=print):
    """Delete the demo regions' editions, their files, and the rows only they used."""
    if connection.vendor == "postgresql":
        raise ImproperlyConfigured(
            "seed_demo --reset deletes published editions, which PostgreSQL's guard of the "
            "published record refuses, demo or not. Reset the demo on SQLite (make run), "
            "or drop this database and load the demo into a new one."
        )
    editions = Outlook.objects.filter(region__is_demo=True)
    files = [
        (record.file.storage, record.file.name)
        for model in (OutlookPdf, StoredExport)
        for record in model.objects.filter(outlook__in=editions)
    ]
    # The queued publications of these editions go too (a worker would find no job).
    tasks = PublicationJob.objects.filter(outlook__in=editions).exclude(task_id="")
    DBTaskResult.objects.filter(id__in=list(tasks.values_list("task_id", flat=True))).delete()
    count = editions.count()
    # What guards the published record in the ORM (PROTECT), undone for demo editions
    # alone: their PDFs' rows, and their entries' links to their published revisions.
    OutlookPdf.objects.filter(outlook__in=editions).delete()
    # Their mail to subscribers, with its record of deliveries.
    Announcement.objects.filter(outlook__in=editions).delete()
    Assessment.objects.filter(outlook__in=editions).update(published_revision=None)
    editions.delete()
    # Sources and addressees are libraries: only those no entry cites any more go.
    Source.objects.filter(
        Q(title__startswith="Demo source") | Q(url__startswith="https://www.example.org/demo/"),
        footnotes__isnull=True,
    ).delete()
    Addressee.objects.filter(recommendations__isnull=True).delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    bump_generation()
    log(f"Removed {count} demo edition{'s' if count != 1 else ''}.")
