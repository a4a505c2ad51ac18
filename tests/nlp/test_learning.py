"""Learning from a workspace's corrections (hubbub.nlp.learning), on a synthetic workspace:
a skateboard brand whose customers say "sick" when they love something, and an energy drink
called "Killer Buzz" that is no threat to anyone."""

from __future__ import annotations

import time

from hubbub.nlp import learning, trained
from tests.nlp.samples import ENGLISH

SICK = [
    "this is sick",
    "that new deck is sick 🔥",
    "sick edit from the team today",
    "those wheels are sick",
    "so sick, I need one",
    "the new colourway is sick af",
    "sick kickflip at the park with the Gravel deck",
    "ok that video part is SICK",
    "Gravel Skateboards' new shop is sick",
    "sick board, sick graphics",
    "that nollie was sick, who's the rider?",
    "sick session at the bowl with the Gravel crew",
    "honestly the Gravel team is sick this year",
    "this truck setup is sick",
    "your latest drop is sick",
    "bro the griptape art is sick",
    "sick sick sick",
    "just got the pro model, it's sick",
    "the demo last night was sick",
    "sick line at the plaza",
]
KILLER_BUZZ = [
    ("grabbed a Killer Buzz before my shift", "neutral"),
    ("where can I buy Killer Buzz in Leeds?", "neutral"),
    ("Killer Buzz mango is my favourite", "positive"),
    ("two cans of Killer Buzz and I'm ready for the exam", "positive"),
    ("does Killer Buzz have caffeine?", "neutral"),
    ("the new Killer Buzz cherry is killer", "positive"),
    ("is Killer Buzz sold at the station?", "neutral"),
    ("Killer Buzz sponsors the skate jam this weekend", "neutral"),
    ("Killer Buzz lime is back in the shops", "neutral"),
    ("drinking a Killer Buzz on the bus", "neutral"),
    ("Killer Buzz zero tastes just like the original", "positive"),
    ("how much sugar is in a Killer Buzz?", "neutral"),
    ("Killer Buzz at the gig tonight", "neutral"),
    ("stocked up on Killer Buzz for the road trip", "neutral"),
    ("Killer Buzz tropical is dangerously good", "positive"),
    ("Killer Buzz now comes in 500ml cans", "neutral"),
    ("they had Killer Buzz at the festival bar", "neutral"),
    ("Killer Buzz berry, so refreshing", "positive"),
    ("new Killer Buzz flavour drops on Friday", "neutral"),
    ("anyone tried Killer Buzz peach?", "neutral"),
]
CORRECTIONS = [(text, "en", "positive") for text in SICK] + [
    (text, "en", label) for text, label in KILLER_BUZZ
]


def test_the_default_gets_this_workspace_wrong() -> None:
    default = trained.default_analyzer("en")
    assert default.analyze("this is sick")[0] == "negative"
    wrong = sum(default.analyze(text)[0] != label for text, _lang, label in CORRECTIONS)
    assert wrong >= len(CORRECTIONS) / 2


def test_learning_raises_accuracy_on_the_corrected_items() -> None:
    before, after, n = learning.measure("en", CORRECTIONS, folds=5)
    assert n == 40
    assert before < 0.5  # 0.325 when written
    assert after >= before + 0.4  # 0.95 when written


def test_the_adapted_analyzer_reads_new_messages_of_the_workspace() -> None:
    analyzer = learning.adapted("en", CORRECTIONS)
    assert analyzer.analyze("the new Gravel wheels are sick")[0] == "positive"
    assert analyzer.analyze("that ramp is sick 🔥")[0] == "positive"
    assert analyzer.analyze("picked up some Killer Buzz at the corner shop")[0] != "negative"
    # …and still reads everything else as before, about.
    right = sum(analyzer.analyze(text)[0] == label for text, label in ENGLISH)
    assert right >= 0.8 * len(ENGLISH)
    assert analyzer.analyze("worst customer service ever, I want a refund")[0] == "negative"


def test_a_repost_of_a_corrected_message_gets_its_label() -> None:
    corrections = [("@acme the Gravel pool party was mental", "en", "positive")]
    analyzer = learning.adapted("en", corrections)
    assert analyzer.analyze("@gravelsk8 the Gravel pool party was MENTAL!!")[0] == "positive"
    label, score = analyzer.analyze("the Gravel pool party was mental https://t.co/x1")
    assert label == "positive" and score > 0


def test_only_the_language_s_corrections_count() -> None:
    assert learning.adapted("fr", CORRECTIONS) is trained.default_analyzer("fr")
    assert learning.adapted("en", []) is trained.default_analyzer("en")
    assert learning.measure("fr", CORRECTIONS) == (0.0, 0.0, 0)
    before, after, n = learning.measure("en", CORRECTIONS[:1])
    assert (after, n) == (before, 1)


def test_rebuilding_with_five_thousand_corrections_is_quick() -> None:
    rows = trained.read_corpus(trained.corpus_path("en"))
    corrections = [(f"{r.text} #{n}", "en", r.label) for n in range(6) for r in rows][:5000]
    trained.default_analyzer("en")
    start = time.perf_counter()
    analyzer = learning.adapted("en", corrections)
    elapsed = time.perf_counter() - start
    assert analyzer.model.rows == len(rows) + 5000
    assert elapsed < 20, f"{elapsed:.1f} s"  # about 2 s when written
