"""hubbub.curation.tone: a persona's tone measured from its examples, and drafts far from it."""

from __future__ import annotations

from hubbub.curation import tone

CALM = [
    "Our bike lanes open this week downtown. Come and ride with us.",
    "The repair workshop is on Sunday morning. Bring your bike and your questions.",
    "Protected lanes make cycling safer for everyone. Here is what changes in your street.",
    "We met the council on Tuesday. The new crossing will be built in spring.",
]


def test_a_profile_holds_each_features_mean_and_spread() -> None:
    profile = tone.profile(CALM)
    assert profile["examples"] == 4
    assert profile["exclamations"] == 0
    assert profile["emoji"] == 0
    assert 5 <= profile["sentence_words"] <= 8  # "Come and ride with us." counts 5
    assert "sentence_words_sd" in profile


def test_no_usable_example_gives_an_empty_profile() -> None:
    assert tone.profile([]) == {}
    assert tone.profile(["Hi!", "ok"]) == {}  # too short to say anything about a voice


def test_a_draft_in_the_same_voice_is_close() -> None:
    gap = tone.distance(tone.profile(CALM), "The new lanes open on Monday. Come and see them.")
    assert gap is not None
    assert gap.score <= gap.threshold
    assert not gap.is_far


def test_a_shouting_draft_is_far_and_says_why() -> None:
    gap = tone.distance(tone.profile(CALM), "WOW!!! THE LANES ARE OPEN!!! 🚲🚲🚲 #bike #city #fun")
    assert gap is not None
    assert gap.is_far
    assert gap.threshold == tone.THRESHOLD
    text = " ".join(gap.reasons)
    assert "many more exclamation marks than the examples (6 against 0 a post)" in text
    assert "more emoji than the examples (3 against 0 a post)" in text


def test_nothing_to_judge_is_none() -> None:
    assert tone.distance({}, "A perfectly ordinary sentence about bikes.") is None
    assert tone.distance(tone.profile(CALM), "Ok!") is None


def test_french_examples_are_measured_too() -> None:
    examples = [
        "Le marché bio revient samedi place de la mairie. Venez rencontrer nos producteurs.",
        "Nos légumes de saison arrivent chaque mardi. Vous pouvez commander en ligne.",
        "La ferme ouvre ses portes dimanche. Nous vous attendons pour la visite.",
    ]
    profile = tone.profile(examples)
    informal = tone.distance(profile, "Coucou ! T'as vu ? Trop génial le marché, tu viens ?? 😍😍")
    assert informal is not None and informal.is_far
    assert any("informal" in reason for reason in informal.reasons)
