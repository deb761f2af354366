"""Repetition: a sentence or a run of words the entry already has, and a broken sentence that
repeats an earlier one, reported once."""

from .helpers import CITED, entry, found, run, spanned


def test_a_repeated_sentence_is_a_warning():
    findings = [CITED + " None of this is new.", "None of this is new. The camps remain open."]
    (result,) = found(run(entry(findings)), "repetition.sentence")
    assert result.place.index == 2 and spanned(result, findings[1]) == "None of this is new."


def test_a_repeated_run_of_words_is_a_warning():
    findings = [
        CITED + " Farmers in the north do not receive adequate food from the state.",
        "Many citizens, including farmers in the north do not receive adequate food from it.",
    ]
    (result,) = found(run(entry(findings)), "repetition.phrase")
    assert result.place.index == 2
    assert "do not receive adequate food" in spanned(result, findings[1])


def test_a_repeated_proper_name_or_short_phrase_is_not_repetition():
    findings = [
        CITED + " The UN Office of the High Commissioner for Human Rights has an office in Seoul.",
        "Pyongyang refuses to engage with the UN Office of the High Commissioner for Human "
        "Rights. It restricts the rights of women and girls.",
        "Women and girls face violence. The rights of women and girls are denied.",
    ]
    results = run(entry(findings))
    assert found(results, "repetition.phrase") == [] and found(results, "repetition.sentence") == []


def test_a_fragment_repeating_an_earlier_sentence_is_reported_once():
    text = (
        CITED + " There has been no progress on closing prison camps where torture and killing "
        "are commonplace. In the Democratic prison camps where torture and killing are "
        "commonplace."
    )
    results = run(entry([text]))
    (result,) = found(results, "repetition.fragment")
    assert spanned(result, text).startswith("In the Democratic prison camps")
    assert found(results, "sentences.fragment") == []
