"""Tests of assessments.importing, one module per module of the package; what they
share: two text entries, a JSON edition, and a count of what an import writes."""

from assessments.models import (
    Addressee,
    Assessment,
    AuditEvent,
    Finding,
    Footnote,
    Outlook,
    Recommendation,
    Revision,
    Source,
)

ENTRY = """\
DPRK Asia Pacific Regional Outlook May 2024

Democratic People's Republic of Korea Risk: High/Ongoing

The situation remains grave.¹

Recommendations

The UN Security Council should:

- Keep the situation on its agenda.

¹ Report of the Special Rapporteur, 1 March 2024, A/HRC/55/63.
"""

SECOND_ENTRY = """\
Myanmar Asia Pacific Regional Outlook May 2024

Republic of the Union of Myanmar Risk: Very high/Imminent

Air strikes on villages continue.

Recommendations

UN Member States should:

- Stop the supply of aviation fuel.
"""

VALID_JSON = {
    "region": "Asia Pacific",
    "title": "Asia Pacific Regional Outlook",
    "period": "2024-05",
    "assessments": [
        {
            "country": "KP",
            "short_name": "DPRK",
            "risk": {"level": "High", "status": "Ongoing", "rationale": "Fewer executions."},
            "findings": ["The situation remains grave.[^1]"],
            "recommendations": [
                {"addressee": "The UN Security Council", "items": ["Keep it on the agenda."]}
            ],
            "footnotes": [{"number": 1, "text": "A report, A/HRC/55/63.", "url": None}],
        }
    ],
}


def database_snapshot():
    """Row counts of every table an import writes to."""
    models = [Outlook, Assessment, Revision, Finding, Recommendation, Footnote, Source, Addressee]
    return {model.__name__: model.objects.count() for model in models} | {
        "AuditEvent": AuditEvent.objects.count()
    }


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
