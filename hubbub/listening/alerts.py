"""Spike and crisis alerts: counting each query's recent mentions, asking
hubbub.listening.spikes whether that is a burst, and telling people why.

When checks run:
- after every batch a source stores, for the queries it matched (on commit);
- when a burst starts, once more PERSIST later (a delayed job), so that a burst that lasts
  alerts about PERSIST after its first mentions arrived, whatever the sources' intervals;
- every minute for every query with alerts on (hubbub.listening.tasks), which also ends
  bursts that stopped and teaches each query's baseline the hours that finished.

Two windows are looked at, by publication time (so that a backfill of old posts is never a
"spike"): the last SHORT_WINDOW, which sees a sharp burst within its first minutes, and the
last WINDOW, which sees a slower rise; the check goes with whichever stands out more from
its expected count (the larger z-score), and the alert reports that window. The short
window needs SHORT_MIN_MENTIONS at least: for a quiet query a handful of mentions within
two minutes happens by chance too often.

The baseline learns each finished hour once (`learned_until` in the query's spike_state),
WINDOW after it ended, in the workspace's time zone: people's habits follow their clock.

An alert names the query, the severity, the counts against the usual, the top new terms
(words of the window's mentions that the query's previous week did not have as often), the
most-shared mentions (the most reposted originals of the window) and the negative share
against the usual. It is stored (ListeningAlert), sent in-app and by e-mail to the members
who can act on it (those allowed listening.configure), and to the alert destinations that
subscribed to listening.spike / listening.crisis (Slack, Matrix, webhooks, e-mail).
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from hubbub.core.models import Membership, Workspace
from hubbub.core.permissions import role_can
from hubbub.listening import spikes
from hubbub.listening.models import AlertSeverity, ListeningAlert, Mention, MentionMatch, Query

if TYPE_CHECKING:
    from hubbub.listening.pipeline import Result

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=10)
SHORT_WINDOW = timedelta(minutes=2)
# The short window speaks only from this many mentions on: for a quiet query (a couple an
# hour) a handful within two minutes is too often chance; the long window judges those.
SHORT_MIN_MENTIONS = 10
FIRST_LEARNING = timedelta(days=28)  # a new query's baseline starts from its last 4 weeks
TOP_TERMS = 5
TOP_MENTIONS = 3
MIN_TERM_LENGTH = 3
# Words too common to say what a burst is about (English and French).
STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "you",
        "your",
        "are",
        "was",
        "were",
        "this",
        "that",
        "with",
        "have",
        "has",
        "had",
        "not",
        "but",
        "all",
        "can",
        "our",
        "out",
        "just",
        "from",
        "they",
        "them",
        "what",
        "when",
        "who",
        "why",
        "how",
        "its",
        "it's",
        "get",
        "got",
        "too",
        "very",
        "will",
        "would",
        "about",
        "les",
        "des",
        "une",
        "est",
        "pas",
        "que",
        "qui",
        "pour",
        "dans",
        "sur",
        "avec",
        "mais",
        "vous",
        "nous",
        "ils",
        "elles",
        "son",
        "ses",
        "aux",
        "par",
        "plus",
        "tout",
        "tous",
        "cette",
        "ces",
        "mon",
        "mes",
        "ton",
        "tes",
        "leur",
        "leurs",
        "été",
        "être",
        "avoir",
        "fait",
        "comme",
    ]
)


def after_batch(workspace: Workspace, got: Result, at: datetime) -> None:
    """Called inside the transaction that stored a batch: check its queries once it commits."""
    query_ids = sorted(got.by_query)
    first_seen = got.first_fetched_at or at
    transaction.on_commit(lambda: _safely(workspace.pk, query_ids, None, first_seen))


def _safely(
    workspace_id: int, query_ids: list[int], now: datetime | None, first_seen: datetime | None
) -> None:
    try:
        check_queries(workspace_id, query_ids, now, first_seen=first_seen)
    except Exception:  # the mentions are stored; the minute's check tries again
        log.exception("listening: alert check failed for workspace %s", workspace_id)


def check_all(now: datetime | None = None) -> list[ListeningAlert]:
    """The minute's check: every active query with alerts on, workspace by workspace."""
    raised: list[ListeningAlert] = []
    rows = (
        Query.objects.filter(is_active=True, alerts_enabled=True)
        .order_by("workspace_id", "pk")
        .values_list("workspace_id", "pk")
    )
    by_workspace: dict[int, list[int]] = {}
    for workspace_id, pk in rows:
        by_workspace.setdefault(workspace_id, []).append(pk)
    for workspace_id, query_ids in by_workspace.items():
        try:
            raised += check_queries(workspace_id, query_ids, now)
        except Exception:
            log.exception("listening: alert check failed for workspace %s", workspace_id)
    return raised


def check_queries(
    workspace_id: int,
    query_ids: list[int],
    now: datetime | None = None,
    *,
    first_seen: datetime | None = None,
    deliver: bool = True,
) -> list[ListeningAlert]:
    """Check these queries of one workspace; returns the alerts raised (sent once this
    commits). `deliver=False` (the demo's replay of past checks): stored, not sent, and no
    follow-up check scheduled."""
    at = now or timezone.now()
    workspace = Workspace.objects.get(pk=workspace_id)
    zone = ZoneInfo(workspace.time_zone)
    raised: list[ListeningAlert] = []
    counts = _window_counts(query_ids, at, WINDOW)
    short = _window_counts(query_ids, at, SHORT_WINDOW)
    follow_up: list[int] = []
    with transaction.atomic():
        queries = list(
            Query.objects.select_for_update()
            .filter(
                pk__in=query_ids, workspace_id=workspace_id, is_active=True, alerts_enabled=True
            )
            .order_by("pk")
        )
        for query in queries:
            state, learned_until = _state(query)
            learned_until = _learn(query, state, learned_until, at, zone)
            local = at.astimezone(zone)
            window = _sharper(
                state, local, counts.get(query.pk, (0, 0)), short.get(query.pk, (0, 0))
            )
            mentions, negatives = (short if window == SHORT_WINDOW else counts).get(
                query.pk, (0, 0)
            )
            was_bursting = state.burst_since is not None
            verdict = spikes.check(state, local, mentions, negatives, window)
            if state.burst_since is not None and not was_bursting:
                follow_up.append(query.pk)
            if verdict.alert:
                raised.append(_record(workspace, query, verdict, at, window, first_seen))
            fresh = {
                **state.to_json(),
                "learned_until": learned_until.isoformat() if learned_until else None,
            }
            if fresh != query.spike_state:  # a quiet minute changes nothing: no write
                query.spike_state = fresh
                Query.objects.filter(pk=query.pk).update(spike_state=fresh)
    if not deliver:
        return raised
    for alert in raised:
        transaction.on_commit(lambda alert=alert: send(alert))  # type: ignore[misc]
    if follow_up:
        from hubbub.listening.tasks import check_later

        check_later(workspace_id, follow_up, spikes.PERSIST + timedelta(seconds=1))
    return raised


def _state(query: Query) -> tuple[spikes.State, datetime | None]:
    data = query.spike_state or {}
    learned = data.get("learned_until")
    return spikes.State.from_json(data), (
        datetime.fromisoformat(learned) if isinstance(learned, str) else None
    )


def _sharper(
    state: spikes.State, moment: datetime, long: tuple[int, int], short: tuple[int, int]
) -> timedelta:
    """The window whose count stands out more from what it should hold (Poisson z-score)."""

    def z(count: int, window: timedelta) -> float:
        expected = state.baseline.expected_per_hour(moment) * window.total_seconds() / 3600
        return (count - expected) / math.sqrt(expected) if expected else math.inf

    if short[0] < SHORT_MIN_MENTIONS:
        return WINDOW
    return SHORT_WINDOW if z(short[0], SHORT_WINDOW) > z(long[0], WINDOW) else WINDOW


def _window_counts(
    query_ids: list[int], at: datetime, window: timedelta
) -> dict[int, tuple[int, int]]:
    rows = (
        MentionMatch.objects.filter(
            query_id__in=query_ids, published_at__gt=at - window, published_at__lte=at
        )
        .values("query_id")
        .annotate(n=Count("id"), negative=Count("id", filter=Q(sentiment="negative")))
    )
    return {row["query_id"]: (row["n"], row["negative"]) for row in rows}


def _learn(
    query: Query,
    state: spikes.State,
    learned_until: datetime | None,
    at: datetime,
    zone: ZoneInfo,
) -> datetime | None:
    """Teach the baseline every hour that finished since the last check; returns up to when."""
    # An hour is learned once WINDOW has passed after its end: a burst under way at the turn
    # of the hour is judged against the usual first, not learned as the usual before the
    # check that would have seen it.
    this_hour = (at - WINDOW).astimezone(zone).replace(minute=0, second=0, microsecond=0)
    start = learned_until or this_hour - FIRST_LEARNING
    start = max(start, this_hour - FIRST_LEARNING)
    if start >= this_hour:
        return learned_until
    hours: Counter[datetime] = Counter()
    negatives: Counter[datetime] = Counter()
    for published, sentiment in MentionMatch.objects.filter(
        query_id=query.pk, published_at__gte=start, published_at__lt=this_hour
    ).values_list("published_at", "sentiment"):
        hour = published.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        hours[hour] += 1
        if sentiment == "negative":
            negatives[hour] += 1
    hour = start.astimezone(UTC)
    # A query younger than the window learned has no mentions in its first hours: they are
    # learned as quiet only from its creation on.
    created = query.created_at.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    first_mention = min(hours) if hours else None
    begin = min(created, first_mention) if first_mention else created
    while hour < this_hour:  # stepped in UTC: a local day of 23 or 25 hours counts right
        local = hour.astimezone(zone)
        if local >= begin:
            state.baseline.learn(local, hours[local], negatives[local])
        hour += timedelta(hours=1)
    return this_hour


def _record(
    workspace: Workspace,
    query: Query,
    verdict: spikes.Verdict,
    at: datetime,
    window: timedelta,
    first_seen: datetime | None,
) -> ListeningAlert:
    start = at - window
    first = (
        Mention.objects.filter(matches__query=query, published_at__gt=start, published_at__lte=at)
        .order_by("fetched_at")
        .values_list("fetched_at", flat=True)
        .first()
    )
    return ListeningAlert.objects.create(
        workspace=workspace,
        query=query,
        severity=AlertSeverity.CRISIS if verdict.severity == spikes.CRISIS else AlertSeverity.SPIKE,
        raised_at=at,
        window_start=start,
        window_end=at,
        mentions=verdict.mentions,
        expected=round(verdict.expected, 3),
        negative_share=round(verdict.negative_share, 4),
        usual_negative_share=round(verdict.usual_negative_share, 4),
        facts=facts(query, start, at),
        first_seen_at=first or first_seen,
    )


def facts(query: Query, start: datetime, end: datetime) -> dict[str, Any]:
    """What the alert says besides the counts: new terms and the most-shared mentions."""
    window = list(
        Mention.objects.filter(matches__query=query, published_at__gt=start, published_at__lte=end)
        .only("pk", "text", "title", "author_handle", "url", "duplicate_of_id", "data", "sentiment")
        .order_by("pk")[:2000]
    )
    before = Counter[str]()
    for text, title in (
        Mention.objects.filter(
            matches__query=query,
            published_at__gt=start - timedelta(days=7),
            published_at__lte=start,
        )
        .order_by("-published_at")
        .values_list("text", "title")[:5000]
    ):
        before.update(set(_terms(f"{title} {text}")))
    now_terms = Counter[str]()
    for mention in window:
        now_terms.update(set(_terms(f"{mention.title} {mention.text}")))
    baseline_total = max(sum(before.values()), 1)
    scored = sorted(
        (
            (count / (1 + before[term] * len(window) / baseline_total), term)
            for term, count in now_terms.items()
            if count >= 2
        ),
        reverse=True,
    )
    shares: Counter[int] = Counter()
    for mention in window:
        original = mention.duplicate_of_id or mention.pk
        shares[original] += 1 + int((mention.data or {}).get("shares") or 0)
    leaders = shares.most_common(TOP_MENTIONS)
    by_id = {m.pk: m for m in window}
    missing = [pk for pk, _count in leaders if pk not in by_id]  # originals before the window
    by_id.update(Mention.objects.in_bulk(missing))
    top = [
        {
            "id": pk,
            "text": _excerpt(by_id[pk].title or by_id[pk].text),
            "author": by_id[pk].author_handle or by_id[pk].author_name,
            "url": by_id[pk].url,
            "shares": count,
        }
        for pk, count in leaders
        if pk in by_id
    ]
    return {"terms": [term for _score, term in scored[:TOP_TERMS]], "mentions": top}


def _terms(text: str) -> list[str]:
    from hubbub.listening.query import Document

    doc = Document.of(text)
    return [
        w for w in doc.words if len(w) >= MIN_TERM_LENGTH and w not in STOPWORDS and not w.isdigit()
    ] + [f"#{t}" for t in doc.tags]


def _excerpt(text: str, length: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


# --- telling people ------------------------------------------------------------------------


def event_of(alert: ListeningAlert) -> str:
    return "listening.crisis" if alert.severity == AlertSeverity.CRISIS else "listening.spike"


def text_of(alert: ListeningAlert) -> str:
    """The alert in the active language: what, why, the new terms, the most-shared."""
    name = {"query": alert.query.name}
    head = (
        _("Possible crisis on “%(query)s”") % name
        if alert.severity == AlertSeverity.CRISIS
        else _("Spike of mentions on “%(query)s”") % name
    )
    minutes = max(1, round((alert.window_end - alert.window_start).total_seconds() / 60))
    values: dict[str, object] = {
        "mentions": alert.mentions,
        "minutes": minutes,
        "expected": number_format(
            alert.expected, 2 if alert.expected < 1 else 1 if alert.expected < 10 else 0
        ),
        "ratio": number_format(alert.mentions / alert.expected if alert.expected else 0, 0),
        "share": round(alert.negative_share * 100),
        "usual": round(alert.usual_negative_share * 100),
    }
    reason = (
        _(
            "%(mentions)d mentions in %(minutes)d minutes where %(expected)s are usual "
            "(%(ratio)s times the normal), %(share)d%% of them negative against %(usual)d%% "
            "usually."
        )
        % values
        if alert.severity == AlertSeverity.CRISIS
        else _(
            "%(mentions)d mentions in %(minutes)d minutes where %(expected)s are usual "
            "(%(ratio)s times the normal)."
        )
        % values
    )
    lines = [f"{head}: {reason}"]
    terms = alert.facts.get("terms") or []
    if terms:
        lines.append(_("New terms: %(terms)s.") % {"terms": ", ".join(terms)})
    mentions = alert.facts.get("mentions") or []
    if mentions:
        lines.append(_("Most shared:"))
        for item in mentions:
            lines.append(
                f"- {item.get('author') or '?'}: {item.get('text')} ({item.get('shares')})"
            )
    return "\n".join(lines)


def url_of(alert: ListeningAlert) -> str:
    return reverse("listening:alert", kwargs={"slug": alert.workspace.slug, "alert_id": alert.pk})


def send(alert: ListeningAlert) -> None:
    from hubbub.notify import alerts as notify_alerts

    alert = ListeningAlert.objects.select_related("workspace", "query").get(pk=alert.pk)
    members = [
        m.user
        for m in Membership.objects.filter(workspace=alert.workspace).select_related("user")
        if role_can(m.role, "listening.configure")
    ]
    notify_alerts.send(
        alert.workspace,
        event_of(alert),
        lambda: text_of(alert)[:500],
        url=url_of(alert),
        users=members,
    )
    _webhook(alert)


def _webhook(alert: ListeningAlert) -> None:
    """The signed outgoing webhook "listening.alert", for the endpoints that subscribed."""
    from django.conf import settings
    from django.utils import translation

    from hubbub.webhooks import sending, tasks
    from hubbub.webhooks.models import WebhookEndpoint
    from hubbub.webhooks.payloads import iso

    listening = WebhookEndpoint.objects.filter(
        workspace_id=alert.workspace_id, is_active=True
    ).values_list("events", flat=True)
    if not any("listening.alert" in events for events in listening):
        return
    with translation.override(alert.workspace.language):
        text = text_of(alert)
    data = {
        "alert": {
            "id": alert.pk,
            "severity": alert.severity,
            "query": {"id": alert.query_id, "name": alert.query.name},
            "raised_at": iso(alert.raised_at),
            "window_start": iso(alert.window_start),
            "window_end": iso(alert.window_end),
            "mentions": alert.mentions,
            "expected": alert.expected,
            "negative_share": alert.negative_share,
            "usual_negative_share": alert.usual_negative_share,
            "terms": alert.facts.get("terms", []),
            "most_shared": alert.facts.get("mentions", []),
            "text": text,
            "url": settings.BASE_URL + url_of(alert),
        }
    }
    try:
        messages = sending.queue_event(alert.workspace, "listening.alert", data)
        tasks.enqueue(m.pk for m in messages)
    except Exception:
        log.exception("listening: could not queue the webhook of alert %s", alert.pk)
