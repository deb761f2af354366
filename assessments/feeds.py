"""Atom feeds (RFC 4287) of new editions and corrections to published entries: the whole
site's (/feed/), a region's (/feed/regions/<slug>/) and a country's (/countries/<code>/feed/).

Every feed answers in a fixed number of queries, however many editions it lists."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, format_html, format_html_join

from .editions import (
    LOWERED,
    NEW,
    RAISED,
    UNCHANGED,
    corrections,
    published_countries,
    published_regions,
    rating_change,
)
from .models import Assessment, Outlook, Rating, Revision
from .text_format import month_label, without_control_characters

FEED_LENGTH = 50
# The site's name, as the templates give it (templates/base.html).
SITE_NAME = "Outlook"
# The date in the feeds' own ids (tag_uri): a feed, unlike an entry, has no publication
# date, so theirs is the day the feeds were first given these ids. Never change it.
FEEDS_TAGGED_ON = date(2026, 11, 29)


def publisher_name():
    """Who publishes the outlooks: the feeds' author, as in every footer and PDF."""
    return settings.OUTLOOK_PUBLISHER["name"]


def tag_authority():
    """The authority of the feeds' tag: ids (settings.OUTLOOK_TAG_AUTHORITY); SITE_URL's
    host stands in for it where it is not set, on a developer's machine."""
    return settings.OUTLOOK_TAG_AUTHORITY or urlsplit(settings.SITE_URL).hostname or "localhost"


def tag_uri(day, specific):
    """An id that outlives the site's address and its database keys (RFC 4151):
    `tag:<authority>,<day>:<specific>`, where `day` is when the thing was first published
    and `specific` names it by what never changes once it is (slugs, codes, numbers)."""
    return f"tag:{tag_authority()},{day:%Y-%m-%d}:{specific}"


class PrintableAtom1Feed(Atom1Feed):
    """Atom without the control characters XML 1.0 cannot carry: Django's XML writer
    refuses them, and one stored in a title would make the feed a server error."""

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        item = self.items[-1]
        for key, value in item.items():
            if isinstance(value, str):
                item[key] = without_control_characters(value)


@dataclass
class FeedEntry:
    """One Atom entry, worked out when the feed's items are read (its summary needs the
    ratings of many editions at once)."""

    id: str
    title: str
    link: str
    summary: str  # HTML
    published: datetime


def demo_marked(title, region):
    # A feed reader shows the title alone: a demo edition's says what it is.
    return f"Demo data: {title}" if region.is_demo else title


def edition_published(outlook):
    # A day, as readers got the edition: its start in the site's time zone.
    return timezone.make_aware(datetime.combine(outlook.dated, time.min))


def with_previous(editions):
    """Annotate `previous_id` and `previous_period`: the region's latest published edition
    before each (as Outlook.previous_edition finds it), in the editions' own query."""
    previous = (
        Outlook.objects.published()
        .filter(region_id=OuterRef("region_id"), period__lt=OuterRef("period"))
        .order_by("-period")
    )
    return editions.annotate(
        previous_id=Subquery(previous.values("id")[:1]),
        previous_period=Subquery(previous.values("period")[:1]),
    )


@dataclass
class Rated:
    """A live entry of an edition, as the summaries name and rate it."""

    country_id: int
    name: str
    rating: Rating


def live_entries(editions, country=None):
    """{edition id: {country id: Rated}} of the live entries of `editions` and of their
    previous editions (of `country` only, if given), each in its edition's order, in one
    query."""
    ids = {outlook.id for outlook in editions} | {outlook.previous_id for outlook in editions}
    ids.discard(None)
    if not ids:
        return {}
    rows = Revision.objects.live().filter(assessment__outlook_id__in=ids)
    if country is not None:
        rows = rows.filter(assessment__country=country)
    entries = {outlook_id: {} for outlook_id in ids}
    for outlook_id, country_id, name, level, status, rank in rows.order_by(
        "assessment__outlook_id", "assessment__position"
    ).values_list(
        "assessment__outlook_id",
        "assessment__country_id",
        "assessment__country__short_name",
        "risk_level__name",
        "risk_status__name",
        "risk_level__rank",
    ):
        entries[outlook_id][country_id] = Rated(country_id, name, Rating(level, status, rank))
    return entries


def countries(count):
    return f"{count} countr{'y' if count == 1 else 'ies'}"


def edition_summary(outlook, entries, before):
    """What an edition holds, and what changed since the region's previous edition (whose
    live entries are `before`, None if there is none), as HTML."""
    held = format_html(
        "<p>The {} is published: {}.</p>", outlook.full_title, countries(len(entries))
    )
    if before is None:
        first = format_html("\n<p>The first published edition for {}.</p>", outlook.region.name)
        return held + first
    moved = {RAISED: [], LOWERED: [], UNCHANGED: [], NEW: []}
    for entry in entries.values():
        previous = before.get(entry.country_id)
        rating = previous.rating if previous else None
        moved[rating_change(entry.rating.rank, rating).change].append((entry, rating))
    dropped = [(entry, None) for country_id, entry in before.items() if country_id not in entries]
    lines = []
    for label, change in (("Risk raised", RAISED), ("Risk lowered", LOWERED)):
        if moved[change]:
            names = format_html_join(
                ", ", "{} (from {} to {})", ((e.name, r, e.rating) for e, r in moved[change])
            )
            lines.append(("<li>{} for {}: {}.</li>", (label, countries(len(moved[change])), names)))
    for label, group in (("New", moved[NEW]), ("No longer covered", dropped)):
        if group:
            names = format_html_join(", ", "{} ({})", ((e.name, e.rating) for e, _ in group))
            lines.append(("<li>{}: {}.</li>", (label, names)))
    if moved[UNCHANGED]:
        lines.append(("<li>Unchanged: {}.</li>", (countries(len(moved[UNCHANGED])),)))
    changes = format_html_join("\n", "{}", ((format_html(f, *a),) for f, a in lines))
    since = month_label(outlook.previous_period)
    return held + format_html("\n<p>Since the {} edition:</p>\n<ul>\n{}\n</ul>", since, changes)


def entry_summary(outlook, entry, previous_entry):
    """An edition's rating of one country, and how it moved since the region's previous
    edition (whose entry of the country is `previous_entry`, or None), as HTML."""
    rating = str(entry.rating)
    if outlook.previous_id is None:
        return format_html("<p>{}: {}.</p>", entry.name, rating)
    since = month_label(outlook.previous_period)
    if previous_entry is None:
        return format_html("<p>{}: {}, new since the {} edition.</p>", entry.name, rating, since)
    change = rating_change(entry.rating.rank, previous_entry.rating).change
    if change == UNCHANGED:
        text = f"unchanged since the {since} edition"
    else:
        verb = "raised" if change == RAISED else "lowered"
        text = f"{verb} from {previous_entry.rating} in the {since} edition"
    return format_html("<p>{}: {}, {}.</p>", entry.name, rating, text)


def correction_entry(revision):
    outlook = revision.assessment.outlook
    country = revision.assessment.country
    note = revision.correction_note or "The entry was corrected."
    return FeedEntry(
        id=tag_uri(
            # The day in UTC: an id must not move with the site's time zone.
            revision.published_at.astimezone(UTC),
            f"correction/{outlook.slug}/{country.code.code.lower()}/v{revision.number}",
        ),
        title=demo_marked(
            f"Correction: {country.short_name}, {outlook.full_title}", outlook.region
        ),
        link=revision.get_absolute_url(),
        # Atom1Feed writes the summary as <summary type="html">, which readers render as
        # HTML: the text is escaped to the HTML that shows it as it is, markup and all.
        summary=escape(f"{note} Earlier versions stay readable."),
        published=revision.published_at,
    )


class EditionsFeed(Feed):
    """New editions and corrections, newest first; the base of the region's and the
    country's feeds, which narrow `editions` and `corrections`."""

    feed_type = PrintableAtom1Feed

    def title(self, obj):
        return f"{SITE_NAME}: new editions and corrections"

    def subtitle(self, obj):
        return "Regional outlooks as they are published, and corrections to their entries."

    def link(self, obj):
        return reverse("outlook_list")

    def feed_guid(self, obj):
        return tag_uri(FEEDS_TAGGED_ON, "feed")

    def author_name(self, obj):
        return publisher_name()

    def editions(self, obj):
        return Outlook.objects.published()

    def corrections(self, obj):
        return corrections()

    def items(self, obj):
        editions = list(
            with_previous(self.editions(obj)).select_related("region").newest_first()[:FEED_LENGTH]
        )
        corrections = (
            self.corrections(obj)
            .select_related("assessment__country", "assessment__outlook__region")
            .order_by("-published_at")[:FEED_LENGTH]
        )
        items = self.edition_entries(obj, editions) + [correction_entry(r) for r in corrections]
        items.sort(key=lambda entry: entry.published, reverse=True)
        return items[:FEED_LENGTH]

    def edition_entries(self, obj, editions):
        entries = live_entries(editions)
        return [
            FeedEntry(
                id=tag_uri(outlook.dated, f"edition/{outlook.slug}"),
                title=demo_marked(outlook.full_title, outlook.region),
                link=outlook.get_absolute_url(),
                summary=edition_summary(
                    outlook, entries[outlook.id], entries.get(outlook.previous_id)
                ),
                published=edition_published(outlook),
            )
            for outlook in editions
        ]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        return item.id

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published

    def item_updateddate(self, item):
        return item.published


class RegionFeed(EditionsFeed):
    """A region's editions and the corrections to their entries."""

    def get_object(self, request, slug):
        # Only a region with a published edition: a draft's region is not public.
        return published_regions().get(slug=slug)

    def title(self, region):
        return demo_marked(f"{SITE_NAME}: {region.name}", region)

    def subtitle(self, region):
        return f"Editions of the {region.name} outlook as they are published, and corrections."

    def link(self, region):
        return f"{reverse('outlook_list')}?{urlencode({'region': region.slug})}"

    def feed_guid(self, region):
        return tag_uri(FEEDS_TAGGED_ON, f"feed/region/{region.slug}")

    def editions(self, region):
        return super().editions(region).filter(region=region)

    def corrections(self, region):
        return super().corrections(region).filter(assessment__outlook__region=region)


class CountryFeed(EditionsFeed):
    """A country's entries in each edition, and the corrections to them."""

    def get_object(self, request, code):
        # Only a country with a published entry, as its page.
        return published_countries().get(code=code)

    def title(self, country):
        return f"{SITE_NAME}: {country.official_name}"

    def subtitle(self, country):
        return f"{country.official_name} in each regional outlook, and corrections."

    def link(self, country):
        return country.get_absolute_url()

    def feed_guid(self, country):
        return tag_uri(FEEDS_TAGGED_ON, f"feed/country/{country.code.code.lower()}")

    def editions(self, country):
        live = Assessment.objects.live().filter(outlook=OuterRef("pk"), country=country)
        return super().editions(country).filter(Exists(live))

    def corrections(self, country):
        return super().corrections(country).filter(assessment__country=country)

    def edition_entries(self, country, editions):
        entries = live_entries(editions, country)
        code = country.code.code.lower()
        return [
            FeedEntry(
                id=tag_uri(outlook.dated, f"entry/{outlook.slug}/{code}"),
                title=demo_marked(f"{country.short_name}: {outlook.full_title}", outlook.region),
                link=f"{outlook.get_absolute_url()}#{code}",
                summary=entry_summary(
                    outlook,
                    entries[outlook.id][country.id],
                    entries.get(outlook.previous_id, {}).get(country.id),
                ),
                published=edition_published(outlook),
            )
            for outlook in editions
        ]
