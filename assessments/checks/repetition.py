"""Repetition: a sentence the entry already has, and a run of seven or more words it already
has, reported as a broken sentence when the run sits in one (a paste gone wrong).

What repeats is worked out in the pre-pass (`analysis.Repetition`); the sentence checks
read the same analysis to leave these sentences to the checks here.
"""

from .registry import register
from .results import Severity


@register("repetition")
def repeated_sentence(analysis, report):
    for repeat in analysis.repetition.sentences:
        sentence = repeat.sentence
        report(
            Severity.WARNING,
            "repetition.sentence",
            repeat.piece.at(sentence.start, sentence.end),
            f"This sentence repeats one in {repeat.earlier}.",
            "Delete one of them.",
            sentence.text,
        )


@register("repetition")
def repeated_phrase(analysis, report):
    for run in analysis.repetition.runs:
        if run.broken is not None:
            report(
                Severity.WARNING,
                "repetition.fragment",
                run.piece.at(run.broken.start, run.broken.end),
                f"This is a broken sentence (its main clause has no verb) that repeats "
                f'"{run.excerpt}" from {run.earlier}.',
                "Delete it, or rewrite it as a full sentence.",
                run.broken.text,
            )
        else:
            report(
                Severity.WARNING,
                "repetition.phrase",
                run.piece.at(run.start, run.end),
                f'"{run.excerpt}" is repeated from {run.earlier}.',
                "Say it once, or vary the wording.",
                run.excerpt,
            )
