"""Spikes and crises: learned by hour of the week, persisted before alerting, cooled down."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from hubbub.listening.spikes import (
    COOLDOWN,
    CRISIS,
    NONE,
    PERSIST,
    SPIKE,
    State,
    check,
    hour_of_week,
)

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday, 00:00
WINDOW = timedelta(minutes=15)


def learned(weeks: int = 4, day: int = 12, night: int = 1, negative: float = 0.2) -> State:
    """A brand's usual week: `day` mentions an hour from 8:00 to 20:00, `night` otherwise."""
    state = State()
    for week in range(weeks):
        for hour in range(168):
            start = MONDAY - timedelta(weeks=weeks - week) + timedelta(hours=hour)
            count = day if 8 <= start.hour < 20 else night
            state.baseline.learn(start, count, round(count * negative))
    return state


def test_the_hour_of_the_week() -> None:
    assert hour_of_week(MONDAY) == 0
    assert hour_of_week(MONDAY + timedelta(days=6, hours=23, minutes=59)) == 167


def test_usual_traffic_raises_nothing() -> None:
    state = learned()
    at = MONDAY + timedelta(hours=10)
    for minute in range(0, 120, 1):
        verdict = check(state, at + timedelta(minutes=minute), 3, 1, WINDOW)  # 12 an hour
        assert verdict.severity == NONE and not verdict.alert


def test_a_tenfold_burst_alerts_once_it_has_lasted() -> None:
    state = learned()
    start = MONDAY + timedelta(hours=10)
    first = check(state, start, 30, 6, WINDOW)  # 3 expected in 15 minutes
    assert first.severity == SPIKE and not first.alert  # seen, but it has to last
    assert first.ratio == pytest.approx(10)
    assert not check(state, start + PERSIST - timedelta(seconds=1), 32, 6, WINDOW).alert
    alerted = check(state, start + PERSIST, 35, 7, WINDOW)
    assert alerted.alert and alerted.severity == SPIKE
    assert alerted.reason() == "35 mentions where about 3 are usual (12 times the normal)."


def test_a_burst_that_stops_before_it_lasts_does_not_alert() -> None:
    state = learned()
    start = MONDAY + timedelta(hours=10)
    assert check(state, start, 30, 6, WINDOW).severity == SPIKE
    assert check(state, start + timedelta(seconds=15), 3, 0, WINDOW).severity == NONE
    # It starts again: the clock starts again.
    assert not check(state, start + timedelta(seconds=40), 30, 6, WINDOW).alert
    assert check(state, start + timedelta(seconds=70), 30, 6, WINDOW).alert


def test_after_an_alert_the_same_spike_waits_for_the_cooldown() -> None:
    state = learned()
    start = MONDAY + timedelta(hours=10)
    check(state, start, 30, 6, WINDOW)
    assert check(state, start + PERSIST, 30, 6, WINDOW).alert
    later = start + PERSIST + timedelta(minutes=10)
    assert check(state, later, 40, 8, WINDOW).severity == SPIKE
    assert not check(state, later, 40, 8, WINDOW).alert
    assert check(state, start + PERSIST + COOLDOWN, 40, 8, WINDOW).alert


def test_a_spike_that_turns_negative_alerts_again_as_a_crisis() -> None:
    state = learned(negative=0.2)
    start = MONDAY + timedelta(hours=10)
    check(state, start, 30, 6, WINDOW)
    assert check(state, start + PERSIST, 30, 6, WINDOW).alert
    crisis = check(state, start + PERSIST + timedelta(minutes=5), 60, 45, WINDOW)
    assert crisis.severity == CRISIS and crisis.alert  # within the cooldown: it got worse
    assert crisis.reason() == (
        "60 mentions where about 3 are usual (20 times the normal), 75% of them negative against "
        "17% usually."
    )


def test_what_is_normal_on_monday_morning_is_a_spike_at_night() -> None:
    state = learned(day=40, night=1)
    monday_morning = MONDAY + timedelta(hours=9)
    sunday_night = MONDAY + timedelta(days=6, hours=3)
    assert check(state, monday_morning, 10, 2, WINDOW).severity == NONE
    assert check(state, sunday_night, 10, 2, WINDOW).severity == SPIKE


def test_a_new_query_needs_a_real_burst_not_its_first_mentions() -> None:
    state = State()
    at = MONDAY + timedelta(hours=10)
    assert check(state, at, 3, 0, WINDOW).severity == NONE  # a few: fewer than MIN_MENTIONS
    assert check(state, at, 20, 2, WINDOW).severity == SPIKE


def test_the_state_is_kept_as_json() -> None:
    state = learned(weeks=1)
    start = MONDAY + timedelta(hours=10)
    check(state, start, 30, 6, WINDOW)
    check(state, start + PERSIST, 30, 6, WINDOW)
    again = State.from_json(json.loads(json.dumps(state.to_json())))
    assert again == state


def test_the_reason_is_told_in_the_workspace_s_language() -> None:
    from django.utils import translation

    state = learned()
    start = MONDAY + timedelta(hours=10)
    with translation.override("fr"):
        verdict = check(state, start, 60, 45, WINDOW)
        assert verdict.reason() == (
            "60 mentions là où environ 3 sont habituelles (20 fois la normale), dont 75\u00a0%"
            " négatives contre 17\u00a0% d\u2019habitude."
        )
