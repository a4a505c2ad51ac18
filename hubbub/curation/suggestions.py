"""Suggestions: feed items and library content ranked for a persona.

The score of an item multiplies three things (docs/personas.md shows the measured quality):

1. **Relevance** to the persona's topics and words to use: BM25 (k1=1.2, b=0.75) over
   accent-folded, stemmed terms, the title counted twice; a topic of several words scores
   by the share of its words found, and half as much again when they stand together as a
   phrase. Each topic counts once however often it is repeated, so an item touching two
   topics beats one repeating a single word. A persona without topics is matched against its
   words to use and its example posts' terms. Words to avoid halve the score; an item in a
   language the persona does not speak counts a third.
2. **Freshness**: a feed item loses half its weight every FRESH_HALF_LIFE (library content
   is evergreen and counts as a day-old item).
3. **How similar past posts did**: the workspace's published post sharing most terms with
   the item (at least SIMILAR_AT of them), and its engagement against the workspace's median,
   nudges the score by at most ±PERFORMANCE_WEIGHT.

Items already shared (curation.Share) or set aside for this persona (SuggestionDismissal)
are left out; items with no relevance at all are not suggested.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.curation import terms
from hubbub.curation.models import (
    FeedItem,
    LibraryItem,
    LibraryKind,
    Persona,
    Share,
    SuggestionDismissal,
)
from hubbub.measure.models import LatestCounts
from hubbub.publishing.models import PostVariant

K1, B = 1.2, 0.75
TITLE_WEIGHT = 2
PHRASE_BONUS = 1.5
NEAR = 1  # terms apart: a topic's words side by side, in either order, count as about it
SCATTERED = 0.4
WORDS_TO_USE_WEIGHT = 0.5
EXAMPLE_TERMS_WEIGHT = 0.3
AVOID_FACTOR = 0.5
OTHER_LANGUAGE_FACTOR = 1 / 3
FRESH_HALF_LIFE = timedelta(days=4)
FRESHNESS_WEIGHT = 0.35  # the share of the score that freshness can take away
PERFORMANCE_WEIGHT = 0.15
SIMILAR_AT = 0.25  # Jaccard similarity of terms from which a past post counts as similar
LOOK_BACK = timedelta(days=30)  # feed items older than this are not suggested
MAX_CANDIDATES = 3000
PAST_POSTS = 500  # the newest published posts compared for performance


_BREAK = "\x00"


@dataclass(frozen=True)
class Candidate:
    key: str  # "feed:<id>" or "library:<id>": the share source
    title: str
    text: str
    url: str = ""
    language: str = ""
    published_at: datetime | None = None  # None: library content, evergreen
    source: str = ""  # the feed's or the library's name, for people


@dataclass(frozen=True)
class Voice:
    """What ranking needs of a persona (a Persona row or the evaluation set's)."""

    topics: Sequence[str]
    words_to_use: Sequence[str] = ()
    words_to_avoid: Sequence[str] = ()
    languages: Sequence[str] = ()
    example_posts: Sequence[str] = ()

    @classmethod
    def of(cls, persona: Persona) -> Voice:
        return cls(
            topics=list(persona.topics),
            words_to_use=list(persona.words_to_use),
            words_to_avoid=list(persona.words_to_avoid),
            languages=list(persona.languages),
            example_posts=list(persona.example_posts),
        )


@dataclass(frozen=True)
class PastPost:
    terms: frozenset[str]
    engagements: int
    text: str


@dataclass
class Suggestion:
    candidate: Candidate
    score: float
    relevance: float
    freshness: float
    matched: list[str] = field(default_factory=list)  # the topics and words found
    similar: PastPost | None = None
    median_engagements: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.candidate.key


@dataclass(frozen=True)
class _Query:
    """A topic or word as stems, its weight and its label."""

    label: str
    stems: tuple[str, ...]
    weight: float


def _queries(voice: Voice) -> list[_Query]:
    queries = []
    seen: set[tuple[str, ...]] = set()
    groups = [(voice.topics, 1.0), (voice.words_to_use, WORDS_TO_USE_WEIGHT)]
    if not voice.topics:
        example_terms = _example_terms(voice.example_posts)
        groups.append((example_terms, EXAMPLE_TERMS_WEIGHT))
    for labels, weight in groups:
        for label in labels:
            stems = terms.phrase_terms(label)
            if stems and stems not in seen:
                seen.add(stems)
                queries.append(_Query(label, stems, weight))
    return queries


def _example_terms(texts: Sequence[str]) -> list[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(terms.words(text)) - terms.STOP_WORDS)
    return [w for w, n in counts.most_common(20) if len(w) > 3 and not w.isdigit()]


def _document(candidate: Candidate) -> list[str]:
    title = terms.terms(candidate.title)
    # A separator between the copies, so the title's last word and its first are not "side by
    # side" for a phrase.
    return [*title, _BREAK] * TITLE_WEIGHT + terms.terms(candidate.text)


def _bm25(documents: list[list[str]], queries: list[_Query]) -> list[tuple[float, list[str]]]:
    """Each document's relevance and the labels of the queries it matched."""
    n = len(documents) or 1
    average = sum(len(d) for d in documents) / n or 1.0
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(set(document))

    def idf(stem: str) -> float:
        df = frequency[stem]
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    out = []
    for document in documents:
        counts = Counter(document)
        norm = K1 * (1 - B + B * len(document) / average)
        total, matched = 0.0, []
        for query in queries:
            found = [s for s in query.stems if counts[s]]
            if not found:
                continue
            part = sum(idf(s) * counts[s] * (K1 + 1) / (counts[s] + norm) for s in found)
            part = part / len(query.stems) * (len(found) / len(query.stems))
            if len(query.stems) > 1:
                part *= _closeness(document, query.stems)
            total += query.weight * part
            if len(found) == len(query.stems):  # a topic half found is not named as matched
                matched.append(query.label)
        out.append((total, matched))
    return out


def _closeness(document: list[str], stems: tuple[str, ...]) -> float:
    """A topic's words as a phrase count PHRASE_BONUS, side by side in another order
    ("lanes for bikes") 1, scattered over the text SCATTERED: "lanes for cargo ships, and
    a bike shop" is not about cargo bikes (stop words are out before this is measured)."""
    if _adjacent(document, stems):
        return PHRASE_BONUS
    places = [i for i, term in enumerate(document) if term in stems]
    for start in range(len(places)):
        window = {document[i] for i in places[start:] if i - places[start] <= NEAR}
        if window >= set(stems):
            return 1.0
    return SCATTERED


def _adjacent(document: list[str], stems: tuple[str, ...]) -> bool:
    width = len(stems)
    return any(tuple(document[i : i + width]) == stems for i in range(len(document) - width + 1))


def freshness(candidate: Candidate, now: datetime) -> float:
    """1 for an item published now, ½ after FRESH_HALF_LIFE, ¼ after twice that."""
    age = now - candidate.published_at if candidate.published_at else timedelta(days=1)
    return float(0.5 ** (max(age, timedelta(0)) / FRESH_HALF_LIFE))


def _speaks(voice: Voice, candidate: Candidate) -> bool:
    if not voice.languages or not candidate.language:
        return True
    spoken = {code.split("-")[0] for code in voice.languages}
    return candidate.language.split("-")[0] in spoken


def rank(
    voice: Voice,
    candidates: Sequence[Candidate],
    now: datetime,
    past: Sequence[PastPost] = (),
) -> list[Suggestion]:
    """The candidates with some relevance, best first (ties: newest first)."""
    queries = _queries(voice)
    if not queries or not candidates:
        return []
    documents = [_document(c) for c in candidates]
    scored = _bm25(documents, queries)
    best = max((s for s, _m in scored), default=0.0) or 1.0
    avoid = [terms.phrase_terms(w) for w in voice.words_to_avoid]
    median = statistics.median([p.engagements for p in past]) if past else 0.0
    out = []
    for candidate, document, (raw, matched) in zip(candidates, documents, scored, strict=True):
        if raw <= 0:
            continue
        relevance = raw / best
        if any(a and _adjacent(document, a) for a in avoid):
            relevance *= AVOID_FACTOR
        if not _speaks(voice, candidate):
            relevance *= OTHER_LANGUAGE_FACTOR
        fresh = freshness(candidate, now)
        score = relevance * (1 - FRESHNESS_WEIGHT + FRESHNESS_WEIGHT * fresh)
        similar = _most_similar(set(document) - {_BREAK}, past)
        if similar is not None and median > 0:
            ratio = math.log2((similar.engagements + 1) / (median + 1))
            score *= 1 + max(-1.0, min(1.0, ratio / 2)) * PERFORMANCE_WEIGHT
        suggestion = Suggestion(
            candidate,
            round(score, 6),
            round(relevance, 4),
            round(fresh, 4),
            matched,
            similar,
            median,
        )
        suggestion.reasons = _reasons(voice, suggestion, now)
        out.append(suggestion)
    newest = datetime.min.replace(tzinfo=now.tzinfo)
    out.sort(key=lambda s: (-s.score, -(s.candidate.published_at or newest).timestamp()))
    return out


def _most_similar(document: set[str], past: Sequence[PastPost]) -> PastPost | None:
    best, best_similarity = None, SIMILAR_AT
    for post in past:
        union = len(document | post.terms)
        similarity = len(document & post.terms) / union if union else 0.0
        if similarity >= best_similarity:
            best, best_similarity = post, similarity
    return best


def _reasons(voice: Voice, suggestion: Suggestion, now: datetime) -> list[str]:
    reasons = []
    if suggestion.matched:
        reasons.append(_("matches %(what)s") % {"what": ", ".join(suggestion.matched[:5])})
    candidate = suggestion.candidate
    if candidate.published_at is not None:
        days = max(0, (now - candidate.published_at).days)
        if days == 0:
            reasons.append(_("published today"))
        else:
            reasons.append(
                ngettext("published %(n)d day ago", "published %(n)d days ago", days) % {"n": days}
            )
    else:
        reasons.append(_("from the library"))
    if suggestion.similar is not None:
        reasons.append(
            _("a similar post had %(n)d engagements (usual: %(median)d)")
            % {"n": suggestion.similar.engagements, "median": round(suggestion.median_engagements)}
        )
    if not _speaks(voice, candidate):
        reasons.append(
            _("written in %(language)s, which the persona does not declare")
            % {"language": candidate.language}
        )
    return reasons


# --- reading the workspace --------------------------------------------------------------


def candidates_of(persona: Persona, now: datetime) -> list[Candidate]:
    """Feed items of the last LOOK_BACK and library content, minus what was shared already
    and what was set aside for this persona."""
    workspace = persona.workspace_id
    shared = Share.objects.filter(workspace_id=workspace)
    shared_feed = set(shared.exclude(feed_item=None).values_list("feed_item_id", flat=True))
    shared_library = set(
        shared.exclude(library_item=None).values_list("library_item_id", flat=True)
    )
    dismissed = set(persona.dismissals.values_list("item_key", flat=True))
    out = []
    items = (
        FeedItem.objects.filter(workspace_id=workspace, published_at__gte=now - LOOK_BACK)
        .select_related("feed")
        .order_by("-published_at")[:MAX_CANDIDATES]
    )
    for item in items:
        key = f"feed:{item.pk}"
        if item.pk in shared_feed or key in dismissed:
            continue
        source = item.feed.title or item.feed.site_url or item.feed.url
        out.append(
            Candidate(
                key,
                item.title,
                item.text[:5000],
                item.url,
                item.language,
                item.published_at,
                source,
            )
        )
    library = LibraryItem.objects.filter(workspace_id=workspace).exclude(kind=LibraryKind.HASHTAGS)[
        :MAX_CANDIDATES
    ]
    for entry in library:
        key = f"library:{entry.pk}"
        if entry.pk in shared_library or key in dismissed:
            continue
        text = f"{entry.text}\n{entry.alt_text}".strip()
        out.append(
            Candidate(key, entry.title, text[:5000], entry.url, entry.language, None, _("Library"))
        )
    return out


def past_posts(persona: Persona) -> list[PastPost]:
    """The workspace's newest published posts with their engagement (their latest reading)."""
    counts = list(
        LatestCounts.objects.filter(workspace_id=persona.workspace_id)
        .order_by("-published_at")
        .values_list("delivery__variant_id", "engagements")[:PAST_POSTS]
    )
    texts = dict(
        PostVariant.objects.filter(pk__in=[v for v, _e in counts]).values_list("pk", "parts")
    )
    out = []
    for variant_id, engagements in counts:
        text = " ".join(texts.get(variant_id) or [])
        stems = frozenset(terms.terms(text))
        if stems:
            out.append(PastPost(stems, int(engagements or 0), text[:280]))
    return out


def suggest(access: Access, persona: Persona, limit: int = 30) -> list[Suggestion]:
    access.require("curation.view")
    if persona.workspace_id != access.workspace.pk:
        raise ActionError(_("That belongs to another workspace."))
    now = timezone.now()
    ranked = rank(Voice.of(persona), candidates_of(persona, now), now, past_posts(persona))
    return ranked[:limit]


def dismiss(access: Access, persona: Persona, item_key: str) -> SuggestionDismissal:
    """Set a suggestion aside for this persona: it is not offered again."""
    access.require("curation.edit")
    if persona.workspace_id != access.workspace.pk:
        raise ActionError(_("That belongs to another workspace."))
    if not _exists(access, item_key):
        raise ActionError(_("That suggestion is not in this workspace."), field="item")
    try:
        with transaction.atomic():
            dismissal, created = SuggestionDismissal.objects.get_or_create(
                persona=persona, item_key=item_key, defaults={"created_by": access.user}
            )
            if created:
                record(
                    "suggestion.dismiss",
                    workspace=access.workspace,
                    actor=access.user,
                    via=access.via,
                    obj=persona,
                    after={"item": item_key},
                )
    except IntegrityError:  # set aside twice at once: the other request got there first
        dismissal = SuggestionDismissal.objects.get(persona=persona, item_key=item_key)
    return dismissal


def _exists(access: Access, item_key: str) -> bool:
    kind, _sep, raw = item_key.partition(":")
    if not raw.isdigit():
        return False
    if kind == "feed":
        return FeedItem.objects.filter(workspace=access.workspace, pk=int(raw)).exists()
    if kind == "library":
        return LibraryItem.objects.filter(workspace=access.workspace, pk=int(raw)).exists()
    return False
