"""The sentiment analyzer a workspace's mentions are read with: the default of each language
(hubbub.nlp.sentiment: the trained analyzers for English and French), adapted to the
workspace's corrections once it has some (hubbub.nlp.learning.adapted).

Adapted analyzers are built per process when first needed and rebuilt when the
corrections change (their count, newest id or newest time differ): a rebuild retrains the
model, about a second, up to two with 5,000 corrections, paid by the first batch the worker
processes after a correction. Corrections in a language without a trained model (anything
but English and French) are kept but change nothing. With HUBBUB_SENTIMENT_MODEL_DIR set,
the model of that folder is used as it is: corrections are kept for when it is unset.

`remeasure(workspace_id)` stores, per language, the accuracy on the corrected items before
and after learning (hubbub.nlp.learning.measure), for the "Sentiment learning" page; it runs
in the background a minute after corrections change (hubbub.listening.tasks).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Count, Max
from django.utils import timezone

from hubbub.nlp import sentiment
from hubbub.nlp.learning import adapted, measure

log = logging.getLogger(__name__)
LEARNING_LANGUAGES = ("en", "fr")


class WorkspaceAnalyzer(Protocol):
    def analyze(self, text: str, language: str) -> tuple[str, float]: ...


class Default:
    def analyze(self, text: str, language: str) -> tuple[str, float]:
        return sentiment.analyze(text, language)


@dataclass
class Adapted:
    """The defaults, with the languages the workspace corrected learned from its corrections."""

    corrections: list[tuple[str, str, str]]
    built: dict[str, sentiment.Analyzer] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def analyze(self, text: str, language: str) -> tuple[str, float]:
        if language not in LEARNING_LANGUAGES or not text.strip():
            return sentiment.analyze(text, language)
        analyzer = self.built.get(language)
        if analyzer is None:
            with self.lock:
                analyzer = self.built.get(language)
                if analyzer is None:
                    analyzer = adapted(language, self.corrections)
                    self.built[language] = analyzer
        label, score = analyzer.analyze(text[: sentiment.MAX_CHARS])
        return label, round(sentiment.clamp(score), 4)


@dataclass
class _Cached:
    stamp: tuple[Any, ...]
    analyzer: WorkspaceAnalyzer


_cache: dict[int, _Cached] = {}
_lock = threading.Lock()


def _stamp(workspace_id: int) -> tuple[Any, ...]:
    from hubbub.listening.models import SentimentCorrection

    found = SentimentCorrection.objects.filter(workspace_id=workspace_id).aggregate(
        n=Count("pk"), last=Max("pk"), at=Max("created_at")
    )
    return (found["n"], found["last"], found["at"])


def corrections_of(workspace_id: int) -> list[tuple[str, str, str]]:
    from hubbub.listening.models import SentimentCorrection

    return [
        (text, language, label)
        for text, language, label in SentimentCorrection.objects.filter(workspace_id=workspace_id)
        .order_by("created_at", "pk")
        .values_list("text", "language", "label")
    ]


def analyzer_for(workspace_id: int) -> WorkspaceAnalyzer:
    """The workspace's analyzer now (one small query to see whether corrections changed)."""
    if os.environ.get("HUBBUB_SENTIMENT_MODEL_DIR"):
        return Default()
    stamp = _stamp(workspace_id)
    cached = _cache.get(workspace_id)
    if cached is not None and cached.stamp == stamp:
        return cached.analyzer
    analyzer: WorkspaceAnalyzer = Adapted(corrections_of(workspace_id)) if stamp[0] else Default()
    with _lock:
        _cache[workspace_id] = _Cached(stamp, analyzer)
    return analyzer


def forget(workspace_id: int | None = None) -> None:
    with _lock:
        if workspace_id is None:
            _cache.clear()
        else:
            _cache.pop(workspace_id, None)


def remeasure(workspace_id: int, *, only_if_stale: bool = False) -> list[Any]:
    """Measure, per language with corrections, the accuracy on the corrected items before and
    after learning, and keep it (SentimentLearning); returns the rows. `only_if_stale` (the
    delayed job): nothing is done when every language was measured after the latest
    correction — a run of fifty corrections schedules fifty jobs, and one measure is enough."""
    from hubbub.listening.models import SentimentCorrection, SentimentLearning

    if only_if_stale:
        latest = SentimentCorrection.objects.filter(workspace_id=workspace_id).aggregate(
            at=Max("created_at")
        )["at"]
        measured = SentimentLearning.objects.filter(workspace_id=workspace_id)
        languages = set(
            SentimentCorrection.objects.filter(
                workspace_id=workspace_id, language__in=LEARNING_LANGUAGES
            ).values_list("language", flat=True)
        )
        fresh = {row.language for row in measured if latest and row.measured_at >= latest}
        if latest is None or languages <= fresh:
            return []
    corrections = corrections_of(workspace_id)
    rows = []
    for language in sorted({lang for _text, lang, _label in corrections}):
        if language not in LEARNING_LANGUAGES:
            continue
        try:
            before, after, n = measure(language, corrections)
        except Exception:  # a measure that fails leaves the last one shown
            log.exception("listening: could not measure learning in %s", language)
            continue
        row, _created = SentimentLearning.objects.update_or_create(
            workspace_id=workspace_id,
            language=language,
            defaults={
                "corrections": n,
                "before": before,
                "after": after,
                "measured_at": timezone.now(),
            },
        )
        rows.append(row)
    return rows
