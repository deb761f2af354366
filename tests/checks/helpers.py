"""What the checks' tests share: a context for the DPRK, a clean cited finding, an entry
builder, and ways to pick results and the text they point at."""

from datetime import date
from pathlib import Path

from assessments.checks import CheckContext, check_content
from assessments.content import EntryContent, FootnoteContent, RecommendationGroup

CLEAN_EDITION = Path(__file__).resolve().parent.parent / "data" / "clean-edition.json"

DPRK = CheckContext(
    period=date(2023, 11, 1),
    official_name="Democratic People's Republic of Korea",
    short_name="DPRK",
    aliases=("North Korea", "Democratic Peoples' Republic of Korea"),
    other_country_names=frozenset({"republic of korea", "south korea", "china", "japan"}),
)

CITED = "The UN reported in June 2023 that the situation remained very severe.[^1]"
NOTE = FootnoteContent(1, "Report of the Special Rapporteur, A/78/188, 14 July 2023.")


def entry(
    findings=(CITED,),
    recommendations=(("UN Member States", ["Appoint a Special Envoy."]),),
    footnotes=(NOTE,),
    **fields,
):
    return EntryContent(
        country=fields.pop("country", "KP"),
        risk_level=fields.pop("risk_level", "Very high"),
        risk_status=fields.pop("risk_status", "Ongoing"),
        findings=list(findings),
        recommendations=[RecommendationGroup(a, list(items)) for a, items in recommendations],
        footnotes=list(footnotes),
        **fields,
    )


def run(content, context=DPRK):
    return check_content(content, context)


def found(results, check):
    return [result for result in results if result.check == check]


def spanned(result, text):
    """The text a result points at."""
    return text[result.place.start : result.place.end]
