"""How to cite an edition and an entry: the citations the public pages and the PDFs give,
in the formats the method page explains (templates/public/method.html); the publisher is
settings.OUTLOOK_PUBLISHER.

An entry is cited by its version's address (`/outlooks/<slug>/<code>/v<n>/`), which
always shows that version as it was published: a reader who follows a citation made
before a correction reads what was cited, and is told a correction replaced it.
"""

from django.conf import settings
from django.utils.dateformat import format as format_date


def edition_citation(outlook):
    """`Publisher. Asia Pacific Regional Outlook November 2023. Published 15 November 2023.
    https://…/outlooks/asia-pacific-2023-11/` (no date for an undated archive)."""
    return _citation(
        outlook,
        [outlook.full_title + "."],
        outlook.published_on,
        outlook.get_absolute_url(),
    )


def entry_citation(revision):
    """`Publisher. “Democratic People's Republic of Korea.” In Asia Pacific Regional Outlook
    November 2023, version 2. Published 3 December 2023. https://…/kp/v2/`: the version
    cited, dated by its own publication (a correction's day)."""
    assessment = revision.assessment
    return _citation(
        assessment.outlook,
        [
            f"“{assessment.country.official_name}.”",
            f"In {assessment.outlook.full_title}, version {revision.number}.",
        ],
        revision.published_on,
        revision.get_absolute_url(),
    )


def _citation(outlook, parts, published_on, path):
    parts = [settings.OUTLOOK_PUBLISHER["name"].rstrip(".") + ".", *parts]
    if published_on:
        parts.append(f"Published {format_date(published_on, 'j F Y')}.")
    parts.append(settings.SITE_URL + path)
    # The demo's editions are fictional (assessments.demo): as its feed titles do, their
    # citations say so before anything else.
    if outlook.region.is_demo:
        parts.insert(0, "Demo data, fictional:")
    return " ".join(parts)
