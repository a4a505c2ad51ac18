"""Sentiment: a sanity check over a few dozen English and French messages (not a benchmark,
and not tuned to this list: a fair share right is what an inbox filter needs), the emoji
hints, and the pluggable registry."""

from __future__ import annotations

import pytest

from hubbub.nlp import analyze, get_analyzer, register
from hubbub.nlp import sentiment as module
from tests.nlp.samples import ENGLISH, FRENCH


@pytest.mark.parametrize(("samples", "language"), [(ENGLISH, "en"), (FRENCH, "fr")])
def test_accuracy_on_samples(samples, language):
    right = sum(analyze(text, language)[0] == label for text, label in samples)
    assert right >= 0.8 * len(samples), f"{right}/{len(samples)} right in {language}"


@pytest.mark.parametrize(("samples", "language"), [(ENGLISH, "en"), (FRENCH, "fr")])
def test_never_confuses_angry_and_happy(samples, language):
    """The costly mistake is the opposite label: an angry customer filed as happy."""
    for text, label in samples:
        got = analyze(text, language)[0]
        assert {got, label} != {"negative", "positive"}, text


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("Worst support ever. I want my money back.", "en", "negative"),
        ("Thank you, you made my day!", "en", "positive"),
        ("Je n'aime pas du tout cette nouvelle version", "fr", "negative"),
        ("Ça ne marche plus depuis hier", "fr", "negative"),
        ("Équipe au top, merci !", "fr", "positive"),
    ],
)
def test_clear_cases(text, language, label):
    assert analyze(text, language)[0] == label


def test_scores_stay_within_bounds_and_agree_with_the_label():
    for text, _label in ENGLISH + FRENCH:
        for language in ("en", "fr", "de", ""):
            label, score = analyze(text * 3, language)
            assert -1.0 <= score <= 1.0
            assert (label == "positive") <= (score > 0) and (label == "negative") <= (score < 0)


def test_emoji_hints_in_every_language():
    assert analyze("😡😡", "en")[0] == "negative"
    assert analyze("😡", "fr")[0] == "negative"
    assert analyze("Danke ❤️", "de")[0] == "positive"  # no German lexicon: emoji decide
    assert analyze("Mi pedido no ha llegado", "es") == ("neutral", 0.0)
    assert analyze("my order is late 😡", "en")[0] == "negative"  # VADER alone: neutral


def test_empty_text_is_neutral():
    assert analyze("", "en") == ("neutral", 0.0)
    assert analyze("   ", "fr") == ("neutral", 0.0)


def test_another_analyzer_can_be_registered(monkeypatch):
    monkeypatch.setattr(module, "_factories", dict(module._factories))
    monkeypatch.setattr(module, "_instances", dict(module._instances))
    built = []

    class Shouting:
        def __init__(self) -> None:
            built.append(self)

        def analyze(self, text: str) -> tuple[str, float]:
            return ("negative", -0.9) if text.isupper() else ("neutral", 0.0)

    register("de", Shouting)
    assert analyze("WO IST MEINE BESTELLUNG", "de") == ("negative", -0.9)
    assert analyze("wo ist sie", "de") == ("neutral", 0.0)
    assert len(built) == 1  # built once, lazily
    assert isinstance(get_analyzer("de"), Shouting)
    assert get_analyzer("en") is get_analyzer("en")
