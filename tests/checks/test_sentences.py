"""Sentences: fragments, a missing capital, abbreviations, a missing full stop, a doubled
word, and unbalanced brackets and quotes."""

from .helpers import CITED, entry, found, run, spanned


def test_a_sentence_without_a_main_clause_is_a_warning():
    for fragment in ("In the camps near the northern border.", "Because the government refused."):
        text = f"{CITED} {fragment}"
        (result,) = found(run(entry([text])), "sentences.fragment")
        assert spanned(result, text) == fragment


def test_full_sentences_are_not_fragments():
    text = (
        CITED + " In 2023, the UN expressed concern. These disputes deepen the mistrust. "
        "In the camps, torture remains commonplace. Across the country the authorities "
        "continue to restrict movement."
    )
    assert found(run(entry([text])), "sentences.fragment") == []


def test_a_sentence_without_a_capital_is_a_warning():
    text = CITED + " and the camps remain open."
    (result,) = found(run(entry([text])), "sentences.capital")
    assert spanned(result, text) == "and the camps remain open."
    assert found(run(entry([CITED + " The camps remain open."])), "sentences.capital") == []


def test_abbreviations_do_not_end_a_sentence():
    text = CITED + " Donors, e.g. the U.S. and Japan, fund the response."
    assert found(run(entry([text])), "sentences.capital") == []


def test_a_finding_without_a_full_stop_at_its_end_is_a_warning():
    assert found(run(entry([CITED + " The camps remain"])), "sentences.unfinished")
    assert found(run(entry([CITED])), "sentences.unfinished") == []


def test_a_doubled_word_is_a_warning():
    (result,) = found(run(entry([CITED + " It restricts the the press."])), "repetition.word")
    assert result.excerpt == "the the"
    assert found(run(entry([CITED + " What it had had no effect."])), "repetition.word") == []


def test_unbalanced_brackets_and_quotes_are_warnings():
    results = run(entry([CITED + ' It called the situation "very severe (and worsening.']))
    assert found(results, "sentences.brackets") and found(results, "sentences.quotes")
    balanced = run(entry([CITED + ' It called the situation "very severe" (and worsening).']))
    assert found(balanced, "sentences.brackets") == found(balanced, "sentences.quotes") == []
