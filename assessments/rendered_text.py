"""Published revisions' Markdown rendered once, at publication, not on every request.

A published revision never changes (migration 0004), so the sanitised HTML of its
findings and recommendations, as the public pages show them (assessments.markdown with
the entry's anchor), is rendered when it is published and stored in RenderedText, a
table of its own. The pages read it through `Revision.objects.with_content()`, which
fetches it with the revision; where it is missing (a revision published before this
table existed, or by a renderer of another version) the text is rendered as before, so
the page is the same byte for byte either way. `fill_missing` stores what is missing.
"""

from django.utils.safestring import mark_safe

from .markdown import RENDERER_VERSION, render_markdown
from .models import Finding, Recommendation, RenderedText, Revision


def entry_anchor(country_code):
    """The prefix of an entry's element ids on a page of many (templates/public/_entry.html)."""
    return f"{str(country_code).lower()}-"


def render_revisions(revisions, rendered_model=RenderedText):
    """Unsaved RenderedText rows for `revisions` (with findings, recommendations and
    country fetched), as the public entry template renders them."""
    rows = []
    for revision in revisions:
        anchor = entry_anchor(revision.assessment.country.code)
        rows.append(
            rendered_model(
                revision=revision,
                renderer_version=RENDERER_VERSION,
                anchor=anchor,
                findings={
                    str(finding.position): str(render_markdown(finding.text, anchor=anchor))
                    for finding in revision.findings.all()
                },
                recommendations={
                    str(item.position): str(render_markdown(item.text, anchor=anchor, inline=True))
                    for item in revision.recommendations.all()
                },
            )
        )
    return rows


def store(revisions):
    """Render and store the HTML of published `revisions`."""
    ids = [revision.pk for revision in revisions]
    if ids:
        _store(Revision.objects.filter(pk__in=ids), RenderedText)


def record_published(outlook, revisions):
    """The derived.STEPS step: the published revisions' HTML, rendered once."""
    store(revisions)


def fill_missing(revision_model=Revision, rendered_model=RenderedText, batch=200):
    """Store the HTML of every published revision that has none of this renderer version
    (after a deploy or a change of renderer); returns how many were rendered. Takes the
    models so that a data migration can pass its historical ones."""
    stale = (
        revision_model.objects.filter(state="published")
        .exclude(rendered__renderer_version=RENDERER_VERSION)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids = list(stale)
    for start in range(0, len(ids), batch):
        _store(revision_model.objects.filter(pk__in=ids[start : start + batch]), rendered_model)
    return len(ids)


def _store(revisions, rendered_model):
    revisions = revisions.select_related("assessment__country").prefetch_related(
        "findings", "recommendations"
    )
    rendered_model.objects.bulk_create(
        render_revisions(revisions, rendered_model),
        update_conflicts=True,
        unique_fields=["revision"],
        update_fields=["renderer_version", "anchor", "findings", "recommendations"],
    )


def stored_html(item, anchor):
    """The stored HTML of a finding or recommendation shown with `anchor`, or None.

    Only what was fetched with the revision (with_content) is used: never a query."""
    if not isinstance(item, (Finding, Recommendation)) or not type(item).revision.is_cached(item):
        return None
    revision = item.revision
    if not Revision.rendered.is_cached(revision):
        return None
    try:
        rendered = revision.rendered
    except RenderedText.DoesNotExist:
        return None
    if (
        rendered is None
        or rendered.renderer_version != RENDERER_VERSION
        or rendered.anchor != anchor
    ):
        return None
    texts = rendered.findings if isinstance(item, Finding) else rendered.recommendations
    html = texts.get(str(item.position))
    return None if html is None else mark_safe(html)


def finding_html(finding, anchor):
    """A finding as the public page shows it: stored at publication, else rendered now."""
    return stored_html(finding, anchor) or render_markdown(finding.text, anchor=anchor)


def recommendation_html(item, anchor):
    """A recommendation, inline, as the public page shows it: stored, else rendered now."""
    stored = stored_html(item, anchor)
    if stored is not None:
        return stored
    return render_markdown(item.text, anchor=anchor, inline=True)
