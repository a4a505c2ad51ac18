"""Language detection: offline, on the texts an inbox receives, and honest when unsure."""

from __future__ import annotations

import pytest

from hubbub.nlp import detect
from hubbub.nlp.language import strip_noise
from tests.nlp.samples import ENGLISH, FRENCH


def test_english_and_french_samples():
    english = sum(detect(text) == "en" for text, _label in ENGLISH)
    french = sum(detect(text) == "fr" for text, _label in FRENCH)
    # A few misses are allowed: the point is the inbox's filter, not a benchmark.
    assert english >= 0.9 * len(ENGLISH)
    assert french >= 0.9 * len(FRENCH)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hola, mi pedido todavía no ha llegado", "es"),
        ("Wo ist meine Bestellung? Ich warte seit zwei Wochen.", "de"),
        ("Il mio ordine è in ritardo di una settimana", "it"),
        ("A minha encomenda ainda não chegou", "pt"),
        ("Mijn bestelling is nog steeds niet aangekomen", "nl"),
    ],
)
def test_other_supported_languages(text, language):
    assert detect(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "Dzień dobry, gdzie jest moja paczka?",  # Polish
        "Siparişim nerede, iki haftadır bekliyorum",  # Turkish  # noqa: RUF001
        "Где мой заказ? Жду уже две недели",  # Russian
    ],
)
def test_a_language_outside_the_list_is_unknown_not_the_nearest(text):
    assert detect(text) == ""


@pytest.mark.parametrize(
    ("text", "language"),
    [("super produit", "fr"), ("merci beaucoup", "fr"), ("Acme support never answers", "en")],
)
def test_two_or_three_words_are_enough_when_they_say_it(text, language):
    assert detect(text) == language


@pytest.mark.parametrize("text", ["", "ok", "lol", "👍👍👍", "12345 !!!", "@acme", "#love"])
def test_too_short_or_no_words_is_unknown(text):
    assert detect(text) == ""


def test_links_handles_and_tags_do_not_vote():
    # Only the handle and the link are English-looking; the sentence is French.
    text = "@support.team.bsky.social https://example.com/shop/order/tracking Où est mon colis ?"
    assert detect(text) == "fr"
    assert strip_noise("@acme.bsky.social 😡 #fail https://x.example/a") == ""


def test_uppercase_shouting_is_still_recognised():
    assert detect("MA COMMANDE N'EST TOUJOURS PAS ARRIVÉE") == "fr"


def test_a_huge_comment_is_cheap():
    assert detect("This is an English sentence about my order. " * 10_000) == "en"
