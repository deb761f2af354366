"""Atom feed of new editions and corrections to published entries."""

from datetime import datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .editions import with_correction_flag
from .models import Outlook, Revision
from .text_format import without_control_characters

FEED_LENGTH = 50


class PrintableAtom1Feed(Atom1Feed):
    """Atom without the control characters XML 1.0 cannot carry: Django's XML writer
    refuses them, and one stored in a title would make the feed a server error."""

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        item = self.items[-1]
        for key, value in item.items():
            if isinstance(value, str):
                item[key] = without_control_characters(value)


class EditionsFeed(Feed):
    feed_type = PrintableAtom1Feed
    title = "Outlook: new editions and corrections"
    subtitle = "Regional outlooks as they are published, and corrections to their entries."
    link = "/outlooks/"
    feed_url = "/feed/"

    def items(self):
        editions = list(
            Outlook.objects.published().select_related("region").newest_first()[:FEED_LENGTH]
        )
        # A correction: a published revision with an earlier published version.
        corrections = list(
            # number > 1 first: a correction's is (revision_later_published_at).
            with_correction_flag(Revision.objects.published().filter(number__gt=1))
            .filter(is_correction=True)
            .select_related("assessment__country", "assessment__outlook__region")
            .order_by("-published_at")[:FEED_LENGTH]
        )
        items = editions + corrections
        items.sort(key=self.item_pubdate, reverse=True)
        return items[:FEED_LENGTH]

    def item_title(self, item):
        if isinstance(item, Outlook):
            title = item.full_title
            outlook = item
        else:
            outlook = item.assessment.outlook
            title = f"Correction: {item.assessment.country.short_name}, {outlook.full_title}"
        # A feed reader shows the title alone: a demo edition's says what it is.
        return f"Demo data: {title}" if outlook.region.is_demo else title

    def item_description(self, item):
        # Atom1Feed writes the description as <summary type="html">, which readers render
        # as HTML: the text is escaped to the HTML that shows it as it is, markup and all.
        if isinstance(item, Outlook):
            return escape(f"The {item.full_title} is published.")
        note = item.correction_note or "The entry was corrected."
        return escape(f"{note} Earlier versions stay readable.")

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        kind = "edition" if isinstance(item, Outlook) else "correction"
        return f"{settings.SITE_URL}/{kind}/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        if isinstance(item, Outlook):
            # A day, as readers got the edition: its start in the site's time zone.
            return timezone.make_aware(datetime.combine(item.dated, time.min))
        return item.published_at

    def item_updateddate(self, item):
        return self.item_pubdate(item)
