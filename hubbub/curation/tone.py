"""A persona's tone, measured from its example posts, and how far a draft is from it.

`profile()` measures a few things people notice in a voice — sentence length, exclamation
and question marks, emoji, hashtags, capitals, informal markers, overall sentiment — as a
mean and a spread over the examples. `distance()` measures the same things on a draft and
says, in people's words, which ones are far from the examples. The guardrails use it for
"tone far from the persona"; the persona page shows the profile.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import regex
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hubbub.curation import terms
from hubbub.nlp import language as nlp_language
from hubbub.nlp import sentiment

MIN_WORDS = 4  # a draft shorter than this says too little about its tone
THRESHOLD = 0.5  # above it the guardrail speaks (0: like the examples, 1: far)

_SENTENCE = regex.compile(r"[^.!?…\n]+[.!?…\n]*")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}")
_HASHTAG = regex.compile(r"(?<!\w)#\w+")
_MENTION = regex.compile(r"(?<!\w)@\w+")
_LINK = regex.compile(r"https?://\S+", regex.IGNORECASE)
_SHOUT = regex.compile(r"\b\p{Lu}{3,}\b")
# Informal markers in both languages: contractions and slang in English, "tu" in French.
_INFORMAL = regex.compile(
    r"\b(?:gonna|wanna|gotta|lol|omg|yay|hey|yo|awesome|super|cool|"
    r"\w+n't|\w+'(?:re|ll|ve|m)|tu|t'|toi|ton|ta|tes|trop|génial|ouf|grave|mdr|coucou)\b",
    regex.IGNORECASE,
)


@dataclass(frozen=True)
class Feature:
    """One thing measured on a text. `tolerance` is the least spread allowed, so a persona
    whose five examples all have no emoji is not offended by one emoji."""

    measure: Callable[[str], float]
    tolerance: float
    more: str  # the reason when the draft has more of it: "%(draft)s against %(usual)s"
    less: str  # and when it has less
    unit_digits: int = 1


def _sentence_words(text: str) -> float:
    sentences = [s for s in _SENTENCE.findall(_LINK.sub(" ", text)) if terms.words(s)]
    if not sentences:
        return 0.0
    return sum(len(terms.words(s)) for s in sentences) / len(sentences)


def _count(pattern: regex.Pattern[str]) -> Callable[[str], float]:
    return lambda text: float(len(pattern.findall(text)))


def _shouting(text: str) -> float:
    words = terms.WORD.findall(_LINK.sub(" ", text))
    return 100 * len(_SHOUT.findall(text)) / len(words) if words else 0.0  # a percentage


def _informal(text: str) -> float:
    words = terms.words(text)
    return 10 * len(_INFORMAL.findall(text.replace("\u2019", "'"))) / len(words) if words else 0.0


def _sentiment(text: str) -> float:
    language = nlp_language.detect(text)
    return sentiment.analyze(text, language)[1]


FEATURES: dict[str, Feature] = {
    "sentence_words": Feature(
        _sentence_words,
        6.0,
        gettext_noop("much longer sentences than the examples (%(draft)s words against %(usual)s)"),
        gettext_noop(
            "much shorter sentences than the examples (%(draft)s words against %(usual)s)"
        ),
    ),
    "exclamations": Feature(
        _count(regex.compile(r"!")),
        0.8,
        gettext_noop(
            "many more exclamation marks than the examples (%(draft)s against %(usual)s a post)"
        ),
        gettext_noop(
            "fewer exclamation marks than the examples (%(draft)s against %(usual)s a post)"
        ),
    ),
    "questions": Feature(
        _count(regex.compile(r"\?")),
        0.8,
        gettext_noop("more questions than the examples (%(draft)s against %(usual)s a post)"),
        gettext_noop("fewer questions than the examples (%(draft)s against %(usual)s a post)"),
    ),
    "emoji": Feature(
        _count(_EMOJI),
        0.8,
        gettext_noop("more emoji than the examples (%(draft)s against %(usual)s a post)"),
        gettext_noop("fewer emoji than the examples (%(draft)s against %(usual)s a post)"),
    ),
    "hashtags": Feature(
        _count(_HASHTAG),
        1.0,
        gettext_noop("more hashtags than the examples (%(draft)s against %(usual)s a post)"),
        gettext_noop("fewer hashtags than the examples (%(draft)s against %(usual)s a post)"),
    ),
    "shouting": Feature(
        _shouting,
        5.0,
        gettext_noop("more words in capitals than the examples (%(draft)s%% against %(usual)s%%)"),
        gettext_noop("fewer words in capitals than the examples (%(draft)s%% against %(usual)s%%)"),
        unit_digits=0,
    ),
    "informal": Feature(
        _informal,
        0.6,
        gettext_noop(
            "more informal than the examples (%(draft)s against %(usual)s informal words in ten)"
        ),
        gettext_noop(
            "more formal than the examples (%(draft)s against %(usual)s informal words in ten)"
        ),
    ),
    "sentiment": Feature(
        _sentiment,
        0.35,
        gettext_noop("more positive than the examples (sentiment %(draft)s against %(usual)s)"),
        gettext_noop("more negative than the examples (sentiment %(draft)s against %(usual)s)"),
        unit_digits=2,
    ),
}


def measure(text: str) -> dict[str, float]:
    """Each feature's value for one text."""
    return {name: feature.measure(text) for name, feature in FEATURES.items()}


def profile(texts: Sequence[str]) -> dict[str, float]:
    """The examples' mean ("<feature>") and spread ("<feature>_sd") of each feature, and
    how many examples were measured ("examples"); {} when there is nothing to measure."""
    texts = [t for t in texts if len(terms.words(t)) >= MIN_WORDS]
    if not texts:
        return {}
    values = [measure(t) for t in texts]
    out: dict[str, float] = {"examples": float(len(texts))}
    for name in FEATURES:
        column = [v[name] for v in values]
        mean = sum(column) / len(column)
        spread = math.sqrt(sum((x - mean) ** 2 for x in column) / len(column))
        out[name] = round(mean, 4)
        out[f"{name}_sd"] = round(spread, 4)
    return out


@dataclass(frozen=True)
class ToneGap:
    score: float  # 0 = like the examples, 1 = far
    threshold: float  # above it the guardrail speaks
    reasons: list[str] = field(default_factory=list)  # the features far from the examples

    @property
    def is_far(self) -> bool:
        return self.score > self.threshold


def _gap(value: float, mean: float, spread: float, tolerance: float) -> float:
    """0 within the examples' usual range, 1 at three times it or further."""
    z = abs(value - mean) / (spread + tolerance)
    return min(1.0, max(0.0, (z - 1.0) / 2.0))


def _number(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) or "0"


def distance(profile: Mapping[str, float], text: str, language: str = "") -> ToneGap | None:
    """How far `text` is from the examples' tone; None for an empty profile or a text too
    short to judge. `language` is accepted for the guardrails' sake; the measures are the
    same in English and French (sentiment detects the language itself)."""
    if not profile or not profile.get("examples") or len(terms.words(text)) < MIN_WORDS:
        return None
    draft = measure(text)
    gaps: list[tuple[float, str]] = []
    for name, feature in FEATURES.items():
        if name not in profile:
            continue
        mean, spread = float(profile[name]), float(profile.get(f"{name}_sd", 0.0))
        gap = _gap(draft[name], mean, spread, feature.tolerance)
        if gap <= 0:
            continue
        template = feature.more if draft[name] > mean else feature.less
        numbers = {
            "draft": _number(draft[name], feature.unit_digits),
            "usual": _number(mean, feature.unit_digits),
        }
        gaps.append((gap, _(template) % numbers))
    gaps.sort(key=lambda g: -g[0])
    # The two largest gaps decide: one thing far off (shouting) is enough to speak, and
    # many small differences do not add up to a different voice.
    top = [g for g, _r in gaps[:2]]
    score = round(max(top[0], sum(top) / 1.5) if top else 0.0, 3)
    score = min(1.0, score)
    reasons = [reason for g, reason in gaps if g >= THRESHOLD / 2]
    return ToneGap(score=score, threshold=THRESHOLD, reasons=reasons)
