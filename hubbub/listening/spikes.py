"""Spikes and crises: when a query's mentions come much faster than usual, or turn negative.

Each query keeps a `Baseline`: for each of the 168 hours of the week, the usual number of
mentions in that hour and the usual share of negative ones, learned from the hours that have
passed (an exponentially weighted average, so that a brand that grows moves its normal with
it: each new week counts for WEIGHT). An hour never seen yet borrows the average of all
hours; a query with no history at all expects FLOOR_PER_HOUR, so that its first mentions are
not a "spike".

`check()` looks at the mentions of the last minutes (the window) against what that hour of
the week expects for such a window:

- a **spike** when the window holds at least RATIO times what is expected and the excess is
  clear of chance (Poisson: at least Z standard deviations, and at least MIN_MENTIONS);
- a **crisis** when it is a spike and the negative share has risen by CRISIS_SHIFT over the
  usual (and is at least half of the window).

To alert, the condition must persist — still true at a check PERSIST later than the first
that saw it (one burst of retweets within seconds is not a trend) — and an alert is followed
by a COOLDOWN without another for the same query, unless a spike becomes a crisis. With the
checks a few seconds apart, a tenfold burst alerts well within a minute of its first
mentions.

Pure functions over plain data (the state is JSON-able, stored with the query); the caller
counts the mentions and sends the alerts.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

HOURS_OF_WEEK = 168
WEIGHT = 0.3  # how much a new observation of an hour moves its usual figure
FLOOR_PER_HOUR = 2.0  # what a query without history expects in an hour
RATIO = 3.0
Z = 4.0
MIN_MENTIONS = 5
CRISIS_SHIFT = 0.25
PERSIST = timedelta(seconds=20)
COOLDOWN = timedelta(hours=1)

NONE, SPIKE, CRISIS = "none", "spike", "crisis"
_RANK = {NONE: 0, SPIKE: 1, CRISIS: 2}


def hour_of_week(moment: datetime) -> int:
    """0 for Monday 00:00-01:00 … 167 for Sunday 23:00-24:00, in the moment's own zone
    (give it in the workspace's time zone: people's habits follow their clock)."""
    return moment.weekday() * 24 + moment.hour


@dataclass
class Baseline:
    """The usual volume and negative share of a query, by hour of the week."""

    volume: list[float | None] = field(default_factory=lambda: [None] * HOURS_OF_WEEK)
    negative: list[float | None] = field(default_factory=lambda: [None] * HOURS_OF_WEEK)
    hours_seen: int = 0

    def learn(self, hour_start: datetime, mentions: int, negatives: int) -> None:
        """Take in a finished hour: `mentions` in it, `negatives` of them negative."""
        slot = hour_of_week(hour_start)
        share = negatives / mentions if mentions else None
        self.volume[slot] = _blend(self.volume[slot], float(mentions))
        if share is not None:
            self.negative[slot] = _blend(self.negative[slot], share)
        self.hours_seen += 1

    def expected_per_hour(self, moment: datetime) -> float:
        usual = self.volume[hour_of_week(moment)]
        if usual is None:
            seen = [v for v in self.volume if v is not None]
            usual = sum(seen) / len(seen) if seen else FLOOR_PER_HOUR
        return max(usual, FLOOR_PER_HOUR / 4)  # never expect nothing at all

    def usual_negative_share(self, moment: datetime) -> float:
        usual = self.negative[hour_of_week(moment)]
        if usual is None:
            seen = [v for v in self.negative if v is not None]
            usual = sum(seen) / len(seen) if seen else 0.2
        return usual


def _blend(old: float | None, new: float) -> float:
    return new if old is None else (1 - WEIGHT) * old + WEIGHT * new


@dataclass
class State:
    """What a query's checks remember between them (JSON-able: see to_json/from_json)."""

    baseline: Baseline = field(default_factory=Baseline)
    burst_since: datetime | None = None
    burst_severity: str = NONE
    last_alert_at: datetime | None = None
    last_alert_severity: str = NONE

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("burst_since", "last_alert_at"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        baseline = Baseline(**data.get("baseline", {}))
        return cls(
            baseline=baseline,
            burst_since=_moment(data.get("burst_since")),
            burst_severity=data.get("burst_severity", NONE),
            last_alert_at=_moment(data.get("last_alert_at")),
            last_alert_severity=data.get("last_alert_severity", NONE),
        )


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


@dataclass(frozen=True)
class Verdict:
    severity: str  # NONE, SPIKE or CRISIS, as the window is now
    alert: bool  # True: send an alert now (persisted, not cooling down)
    mentions: int
    expected: float  # in the window
    ratio: float
    negative_share: float
    usual_negative_share: float

    def reason(self) -> str:
        """Why, in a sentence in the active language (the alert's first line; the caller
        adds the new terms and the most-shared mentions)."""
        if self.severity == NONE:
            return _("Mentions are at their usual level.")
        values = {
            "mentions": self.mentions,
            "expected": round(self.expected),
            "ratio": round(self.ratio),
            "share": round(self.negative_share * 100),
            "usual": round(self.usual_negative_share * 100),
        }
        if self.severity == CRISIS:
            return (
                _(
                    "%(mentions)d mentions where about %(expected)d are usual (%(ratio)d times "
                    "the normal), %(share)d%% of them negative against %(usual)d%% usually."
                )
                % values
            )
        return (
            _(
                "%(mentions)d mentions where about %(expected)d are usual (%(ratio)d times the "
                "normal)."
            )
            % values
        )


def check(state: State, now: datetime, mentions: int, negatives: int, window: timedelta) -> Verdict:
    """The last `window`'s `mentions` (`negatives` of them negative) against the usual for
    this hour of the week; updates `state` (the burst's start, the last alert)."""
    hours = window.total_seconds() / 3600
    expected = state.baseline.expected_per_hour(now) * hours
    ratio = mentions / expected if expected else math.inf
    z = (mentions - expected) / math.sqrt(expected) if expected else math.inf
    share = negatives / mentions if mentions else 0.0
    usual_share = state.baseline.usual_negative_share(now)
    severity = NONE
    if mentions >= MIN_MENTIONS and ratio >= RATIO and z >= Z:
        severity = SPIKE
        if share >= max(usual_share + CRISIS_SHIFT, 0.5):
            severity = CRISIS
    if severity == NONE:
        state.burst_since, state.burst_severity = None, NONE
    elif state.burst_since is None:
        state.burst_since, state.burst_severity = now, severity
    else:
        state.burst_severity = max(state.burst_severity, severity, key=_RANK.__getitem__)
    alert = severity != NONE and _may_alert(state, now, severity)
    if alert:
        state.last_alert_at, state.last_alert_severity = now, severity
    return Verdict(
        severity=severity,
        alert=alert,
        mentions=mentions,
        expected=expected,
        ratio=ratio,
        negative_share=share,
        usual_negative_share=usual_share,
    )


def _may_alert(state: State, now: datetime, severity: str) -> bool:
    assert state.burst_since is not None
    if now - state.burst_since < PERSIST:
        return False  # not yet: it has to last
    if state.last_alert_at is None or now - state.last_alert_at >= COOLDOWN:
        return True
    return _RANK[severity] > _RANK[state.last_alert_severity]  # a spike became a crisis
