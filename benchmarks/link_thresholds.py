"""How alike an archive's recommendations are to the previous edition's: the figures behind
the thresholds of assessments.lineage.

    .venv/bin/python benchmarks/link_thresholds.py [--all-scorers]

Three kinds of pairs (earlier text, later text), each to the same addressee, written for
this measure in the manner of real outlooks:

- EDITS: the same recommendation made again with a small edit (a typo fixed, a word
  changed or added, punctuation, a name spelled otherwise): these should be linked;
- REWRITES: the same recommendation rewritten (extended, shortened, reworded around the
  same demand): an analyst should confirm these, and may link many of them;
- UNRELATED: two different recommendations to the same addressee, in the same
  vocabulary: these must never be linked, and should rarely reach the analyst.

It prints each kind's scores (min, quartiles, max) for the scorer the importer uses
(and with --all-scorers, for the other rapidfuzz and difflib scorers it was chosen
against), and where the thresholds put each pair.
"""

import argparse
import difflib
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")

import django  # noqa: E402

django.setup()

from rapidfuzz import fuzz  # noqa: E402

from assessments import lineage  # noqa: E402

EDITS = [
    (
        "Immediately cease committing crimes against humanity.",
        "Immediately cease committing crimes against humanity",
    ),
    (
        "Appoint a Special Envoy on Human Rights in North Korea.",
        "Appoint a Special Envoy on human rights in the DPRK.",
    ),
    (
        "Revive its informal dialogue on human rights in North Korea.",
        "Revive its informal dialogue on the human rights situation in North Korea.",
    ),
    (
        "Release all political prisoners and allow them to leave the country.",
        "Release all political prisoners and allow them to leave the country if they wish.",
    ),
    (
        "Ensure safe, sustained and unhindered humanitarian access to all affected populations.",
        "Ensure safe, sustained and unimpeded humanitarian access to all affected populations.",
    ),
    (
        "Grant the Special Rapporteur access to the whole country.",
        "Grant the Special Rapporteur unrestricted access to the whole country.",
    ),
    (
        "Refer the situation to the International Criminal Court.",
        "Refer the situation in Myanmar to the International Criminal Court.",
    ),
    (
        "Adopt targeted sanctions against military leaders responsible for atrocities.",
        "Adopt targeted sanctions against the military leaders responsible for atrocities.",
    ),
    (
        "Repeal the 2021 counter-terrorism law, which criminalises peaceful dissent.",
        "Repeal the 2022 counter-terrorism law, which criminalises peaceful dissent.",
    ),
    (
        "Protect human rights defenders, journalists and lawyers from reprisals.",
        "Protect human rights defenders, journalists and lawyers from harassment and reprisals.",
    ),
    (
        "Increase funding for the humanitarian response plan.",
        "Increase funding for the 2024 humanitarian response plan.",
    ),
    (
        "Establish an independent investigation into the killings of protesters in July.",
        "Establish an independent investigation into the killings of protesters in July 2022.",
    ),
    (
        "Support the work of the Independent Investigative Mechanism for Myanmar.",
        "Support the work of the Independent Investigative Mechanism for Myanmar (IIMM).",
    ),
    (
        "Halt the use of the death penalty and establish a moratorium on executions.",
        "Halt the use of the death penalty, and establish a moratorium on all executions.",
    ),
    (
        "End the arbitrary detention of Uyghurs and other Muslim minorities in Xinjiang.",
        "End the arbitrary detention of Uyghurs and other predominantly Muslim minorities in "
        "Xinjiang.",
    ),
    (
        "Ask the OHCHR to brief the Council on the situation every six months.",
        "Request the OHCHR to brief the Council on the situation every six months.",
    ),
    (
        "Hold a public meeting on the situation of the Rohingya.",
        "Hold an open briefing on the situation of the Rohingya.",
    ),
    (
        "Ratify the Rome Statute of the International Criminal Court.",
        "Ratify the Rome Statute of the ICC without delay.",
    ),
    (
        "Lift restrictions on the work of civil society organisations.",
        "Lift all restrictions on the work of civil society organizations.",
    ),
    (
        "Ensure accountability for sexual and gender-based violence by the security forces.",
        "Ensure accountability for sexual and gender-based violence committed by security forces.",
    ),
    (
        "Demo text: release everyone held for taking part in peaceful protests.",
        "Demo text: release everyone held for taking part in the peaceful protests.",
    ),
    (
        "Cooperate fully with the Fact-Finding Mission and grant it access.",
        "Cooperate fully with the fact-finding mission, and grant it access.",
    ),
]

REWRITES = [
    (
        "Demo text: release everyone held for taking part in peaceful protests.",
        "Demo text: release everyone held for taking part in peaceful protests, and drop the "
        "charges against them.",
    ),
    (
        "Release all political prisoners.",
        "Release all political prisoners, including those held in kwanliso camps, and disclose "
        "the fate of the disappeared.",
    ),
    (
        "Engage constructively with the OHCHR and the Special Rapporteur.",
        "Engage constructively with the UN Office of the High Commissioner for Human Rights "
        "(OHCHR), the Special Rapporteur and the OHCHR field office in Seoul to develop plans "
        "to implement human rights treaty obligations.",
    ),
    (
        "Ensure that human rights concerns are integrated into any proposal for sanctions relief.",
        "Condition any relief from sanctions on concrete human rights improvements by the "
        "authorities.",
    ),
    (
        "Refer the situation in Myanmar to the International Criminal Court.",
        "Refer the situation in Myanmar to the ICC or establish an ad hoc international "
        "criminal tribunal.",
    ),
    (
        "Impose a comprehensive arms embargo on Myanmar.",
        "Impose a global arms embargo on the Myanmar military, including on aviation fuel.",
    ),
    (
        "Allow humanitarian agencies to reach displaced people in Rakhine State.",
        "Grant humanitarian agencies unimpeded access to displaced communities in Rakhine and "
        "Chin States.",
    ),
    (
        "Investigate the killings of civilians by the security forces.",
        "Conduct prompt, independent and impartial investigations into killings of civilians "
        "by security forces, and prosecute those responsible.",
    ),
    (
        "Stop the forced return of refugees.",
        "Halt all forced returns of refugees and asylum seekers and respect the principle of "
        "non-refoulement.",
    ),
    (
        "Protect journalists.",
        "Protect journalists and media workers, and release those detained for their reporting.",
    ),
    (
        "Revive its informal dialogue on human rights in North Korea.",
        "Hold an annual open meeting on the human rights situation in North Korea.",
    ),
    (
        "Appoint a Special Envoy on Human Rights in North Korea.",
        "Appoint a dedicated envoy to coordinate action on human rights in the DPRK.",
    ),
    (
        "Close the detention camps in Xinjiang.",
        "Release everyone arbitrarily held in Xinjiang's camps and close the camps.",
    ),
    (
        "Hold accountable those responsible for crimes against humanity.",
        "Ensure that perpetrators of crimes against humanity are held accountable, including "
        "through universal jurisdiction.",
    ),
    (
        "Increase humanitarian funding for Afghanistan.",
        "Increase humanitarian funding for Afghanistan while ensuring that aid reaches women "
        "and girls.",
    ),
    (
        "Reverse the ban on girls' secondary education.",
        "Reopen secondary schools for girls and allow women to attend university.",
    ),
    (
        "Support the mandate of the Special Rapporteur.",
        "Renew and fully support the mandate of the Special Rapporteur on the situation of "
        "human rights.",
    ),
    (
        "Adopt a national action plan on business and human rights.",
        "Adopt and implement, with civil society, a national action plan on business and "
        "human rights with a budget.",
    ),
    (
        "Collaborate to utilize the UN Security Council, Human Rights Council, and General "
        "Assembly to promote and protect human rights in the DPRK.",
        "Use the Security Council, the Human Rights Council and the General Assembly together "
        "to press for human rights in the DPRK.",
    ),
    (
        "End the state of emergency.",
        "Lift the state of emergency and restore the constitutional order without delay.",
    ),
]

UNRELATED = [
    (
        "Immediately cease committing crimes against humanity.",
        "Engage constructively with the OHCHR and the Special Rapporteur.",
    ),
    (
        "Appoint a Special Envoy on Human Rights in North Korea.",
        "Explore the use of multilateral, informal, and bilateral channels to encourage the "
        "DPRK to fulfil its responsibility to protect.",
    ),
    (
        "Revive its informal dialogue on human rights in North Korea.",
        "Ensure that human rights concerns are integrated into any proposal for sanctions relief.",
    ),
    (
        "Review what meaningful steps might be taken to achieve compliance with its previous "
        "recommendations.",
        "Ask the OHCHR to monitor patterns of abuse that may amount to crimes against humanity.",
    ),
    (
        "Release all political prisoners.",
        "Release all children held in military detention.",
    ),
    (
        "Refer the situation in Myanmar to the International Criminal Court.",
        "Impose a comprehensive arms embargo on Myanmar.",
    ),
    (
        "Protect human rights defenders and journalists from reprisals.",
        "Protect civilians in the conflict areas from air strikes.",
    ),
    (
        "Ensure safe and unhindered humanitarian access to all affected populations.",
        "Ensure accountability for sexual and gender-based violence by the security forces.",
    ),
    (
        "Investigate the killings of civilians by the security forces.",
        "Investigate the disappearance of human rights defenders.",
    ),
    (
        "Increase funding for the humanitarian response plan.",
        "Increase support for the resettlement of refugees.",
    ),
    (
        "Grant the Special Rapporteur access to the whole country.",
        "Grant humanitarian agencies access to the detention centres.",
    ),
    (
        "Support the work of the Independent Investigative Mechanism for Myanmar.",
        "Support the work of civil society organisations documenting violations.",
    ),
    (
        "Adopt targeted sanctions against military leaders responsible for atrocities.",
        "Adopt a national plan to prevent atrocity crimes.",
    ),
    (
        "End the arbitrary detention of Uyghurs in Xinjiang.",
        "End the use of forced labour in Xinjiang's factories.",
    ),
    (
        "Hold a public meeting on the situation of the Rohingya.",
        "Hold accountable those responsible for crimes against humanity.",
    ),
    (
        "Demo text: allow independent observers to visit every part of the country without notice.",
        "Demo text: adopt a national plan to prevent atrocity crimes, with a budget and a "
        "timetable.",
    ),
    (
        "Demo text: release everyone held for taking part in peaceful protests.",
        "Demo text: publish the findings of the inquiry it announced.",
    ),
    (
        "Demo text: allow independent observers to visit every part of the country without notice.",
        "Demo text: release everyone held for taking part in peaceful protests, and drop the "
        "charges against them.",
    ),
    (
        "Lift restrictions on the work of civil society organisations.",
        "Lift the ban on girls' secondary education.",
    ),
    (
        "Cooperate fully with the Fact-Finding Mission and grant it access.",
        "Cooperate fully with the International Court of Justice in the genocide case.",
    ),
    (
        "Ensure that any returns of refugees are safe, voluntary and dignified.",
        "Ensure that elections are free, fair and inclusive.",
    ),
    (
        "Ratify the Rome Statute of the International Criminal Court.",
        "Ratify the Convention against Torture and its Optional Protocol.",
    ),
]

KINDS = [("small edits", EDITS), ("rewrites", REWRITES), ("unrelated", UNRELATED)]


def ratio(a, b):
    return fuzz.ratio(a, b) / 100


def token_set(a, b):
    return fuzz.token_set_ratio(a, b) / 100


def token_sort(a, b):
    return fuzz.token_sort_ratio(a, b) / 100


def wratio(a, b):
    return fuzz.WRatio(a, b) / 100


def difflib_ratio(a, b):
    return difflib.SequenceMatcher(None, a, b).ratio()


SCORERS = {
    "ratio": ratio,
    "token_set_ratio": token_set,
    "token_sort_ratio": token_sort,
    "WRatio": wratio,
    "difflib": difflib_ratio,
}


def spread(scores):
    """min, lower quartile, median, upper quartile, max."""
    q1, median, q3 = statistics.quantiles(scores, n=4, method="inclusive")
    return min(scores), q1, median, q3, max(scores)


def report(name, score):
    print(f"{name} (on normalised text)")
    print(f"  {'':12} {'min':>5} {'q1':>5} {'med':>5} {'q3':>5} {'max':>5}")
    for kind, pairs in KINDS:
        scores = [score(lineage.normalise(a), lineage.normalise(b)) for a, b in pairs]
        figures = " ".join(f"{value:5.2f}" for value in spread(scores))
        print(f"  {kind:12} {figures}")


def decisions():
    """Where the importer's thresholds put each kind of pair."""
    print(
        f"The importer: lineage.similarity, linked at >= {lineage.LINK}, "
        f"to confirm at >= {lineage.CONFIRM}"
    )
    for kind, pairs in KINDS:
        counts = {"linked": 0, "to confirm": 0, "new": 0}
        for a, b in pairs:
            value = lineage.similarity(a, b)
            if value >= lineage.LINK:
                counts["linked"] += 1
            elif value >= lineage.CONFIRM:
                counts["to confirm"] += 1
            else:
                counts["new"] += 1
        shown = ", ".join(f"{n} {what}" for what, n in counts.items())
        print(f"  {kind:12} ({len(pairs)}): {shown}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all-scorers", action="store_true")
    parser.add_argument("--pairs", action="store_true", help="print every pair's score")
    args = parser.parse_args()
    report("lineage.similarity", lambda a, b: lineage.similarity(a, b))
    if args.all_scorers:
        for name, score in SCORERS.items():
            report(name, score)
    if args.pairs:
        for kind, pairs in KINDS:
            for a, b in pairs:
                print(f"{kind:12} {lineage.similarity(a, b):.2f}  {a[:50]} | {b[:50]}")
    decisions()


if __name__ == "__main__":
    main()
