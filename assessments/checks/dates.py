"""Dates, against the edition's period: a year after the edition, a source dated after it,
and evidence older than the set age (`EVIDENCE_MAX_AGE_YEARS`). Without a period, as for
an entry checked outside an edition, there is nothing to check.
"""

import re
from dataclasses import replace

from ..text_format import MONTHS, month_label
from .registry import register
from .results import Severity
from .text import SYMBOL_LIKE_RE, dates_in

# A date in "since February 2021" starts a period; it is not the date of a piece of evidence.
SINCE_RE = re.compile(
    r"\b(?:since|from|between|after|until|following|before)\b[^,;]*$", re.IGNORECASE
)
URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])(?:/|$)")
REPORTING_RE = re.compile(
    r"\b(?:report(?:s|ed)?|find(?:s|ings)?|found|document(?:s|ed)|estimate[sd]?|"
    r"express(?:es|ed)|stated|said|says|noted|conclude[sd]|recorded|observed|warned|"
    r"according|revealed|confirmed|described|determined|surveyed|counted|verified|"
    r"identified|recorded|cited|published)\b",
    re.IGNORECASE,
)
FORWARD_RE = re.compile(
    r"\b(?:will|would|shall|scheduled|due|plan(?:s|ned)?|expected|upcoming|forthcoming|"
    r"next|by|until|ahead|set\s+to|deadline|target(?:s|ed)?|aims?|goal|projected|"
    r"forecast|postponed|before|intends?|promised|pledged|committed)\b",
    re.IGNORECASE,
)


def _in_months(period):
    return period.year * 12 + period.month


@register("dates")
def dates_in_prose(analysis, report):
    """A year after the edition, unless the sentence looks ahead; and evidence older than the
    set age: the latest date a sentence reports evidence from."""
    context = analysis.context
    period = context.period
    if period is None:
        return
    edition = _in_months(period)
    for piece in analysis.prose:
        for sentence in piece.sentences:
            dates = list(dates_in(sentence.text))
            if not dates:
                continue
            forward = FORWARD_RE.search(sentence.text)
            for start, end, year, _month in dates:
                if year > period.year and not forward:
                    report(
                        Severity.WARNING,
                        "dates.future",
                        piece.at(sentence.start + start, sentence.start + end),
                        f"{sentence.text[start:end]} is after this edition "
                        f"({month_label(period)}): is the year right?",
                        excerpt=sentence.text[start:end],
                    )
            if not REPORTING_RE.search(sentence.text):
                continue  # history ("the war ended in 2009"), not evidence
            evidence = [d for d in dates if not SINCE_RE.search(sentence.text[: d[0]])]
            if not evidence:
                continue
            start, end, year, month = max(evidence, key=lambda d: (d[2], d[3]))
            age = edition - (year * 12 + month)
            if age > context.evidence_max_age_years * 12:
                _report_old_evidence(
                    report,
                    context,
                    piece.at(sentence.start + start, sentence.start + end),
                    sentence.text[start:end],
                    age,
                )


@register("dates")
def dates_of_sources(analysis, report):
    """A footnote dated after the edition, in its text or its URL (/2023/07/); and a source
    whose latest date is older than the set age."""
    context = analysis.context
    period = context.period
    if period is None:
        return
    edition = _in_months(period)
    for piece, note in zip(analysis.footnotes, analysis.content.footnotes, strict=True):
        masked = SYMBOL_LIKE_RE.sub(lambda m: " " * len(m.group(0)), piece.masked)
        dates = [(s, e, y, m, False) for s, e, y, m in dates_in(masked)]
        url_date = URL_DATE_RE.search(note.url or "")
        if url_date:
            dates.append((None, None, int(url_date.group(1)), int(url_date.group(2)), True))
        for start, end, year, _month, _in_url in dates:
            if year > period.year:
                place = (
                    piece.at(start, end) if start is not None else replace(piece.place, field="url")
                )
                report(
                    Severity.ERROR,
                    "dates.future_source",
                    place,
                    f"The source is dated {year}, after this edition ({month_label(period)}).",
                    "Correct the date.",
                    str(year),
                )
        if not dates:
            continue
        start, end, year, month, in_url = max(dates, key=lambda d: (d[2], d[3]))
        age = edition - (year * 12 + month)
        if age > context.evidence_max_age_years * 12:
            place = replace(piece.place, field="url") if in_url else piece.at(start, end)
            written = f"{MONTHS[month - 1]} {year}" if in_url else piece.text[start:end]
            _report_old_evidence(report, context, place, written, age)


def _report_old_evidence(report, context, place, written, age):
    years, months = divmod(age, 12)
    old = f"{years} year{'s' if years != 1 else ''}" + (
        f" {months} month{'s' if months != 1 else ''}" if months else ""
    )
    report(
        Severity.WARNING,
        "dates.old_evidence",
        place,
        f"The evidence is from {written}, {old} before this edition; evidence should be "
        f"at most {context.evidence_max_age_years} years old.",
        "Cite more recent evidence, or say why this still stands.",
        written,
    )
