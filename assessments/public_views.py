"""Pages for the public: published content only, always reached through published()."""

from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Addressee, Country, Outlook, Revision


def outlook_list(request):
    outlooks = Outlook.objects.published().select_related("region")
    return render(request, "public/outlook_list.html", {"outlooks": outlooks})


def outlook_detail(request, slug):
    outlook = get_object_or_404(Outlook.objects.published().select_related("region"), slug=slug)
    revisions = (
        Revision.objects.published()
        .with_content()
        .filter(assessment__outlook=outlook)
        .filter(assessment__published_revision_id=F("id"))
        .order_by("assessment__position")
    )
    return render(
        request, "public/outlook_detail.html", {"outlook": outlook, "revisions": revisions}
    )


def revision_detail(request, slug, code, number):
    revision = get_object_or_404(
        Revision.objects.published().with_content(),
        assessment__outlook__slug=slug,
        assessment__country__code=code.upper(),
        number=number,
    )
    return render(request, "public/revision_detail.html", {"revision": revision})


def country_detail(request, code):
    country = get_object_or_404(Country, code=code.upper())
    revisions = (
        Revision.objects.published()
        .with_content()
        .filter(assessment__country=country)
        .filter(assessment__published_revision_id=F("id"))
        .order_by("-assessment__outlook__period")
    )
    if not revisions:
        raise Http404("No published assessment for this country.")
    return render(
        request, "public/country_detail.html", {"country": country, "revisions": revisions}
    )


def addressee_detail(request, slug):
    addressee = get_object_or_404(Addressee, slug=slug)
    return render(request, "public/addressee_detail.html", {"addressee": addressee})
