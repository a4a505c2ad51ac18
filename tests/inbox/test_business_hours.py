"""Business-time arithmetic: targets across nights, weekends, holidays and both daylight-saving
changes (Europe/Paris 2026-03-29 and 2026-10-25, America/New_York 2026-03-08 and 2026-11-01),
with the expected moments written as the wall clock shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.inbox.business_hours import Calendar, CalendarError, parse_hours

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = {str(day): [["09:00", "17:00"]] for day in range(1, 6)}  # Monday-Friday 9-17
ALWAYS = {str(day): [["00:00", "24:00"]] for day in range(1, 8)}


def at(tz: ZoneInfo, *parts: int, fold: int = 0) -> datetime:
    """A wall-clock moment in `tz`, as the aware UTC datetime the calendar takes."""
    return datetime(*parts, tzinfo=tz, fold=fold).astimezone(UTC)  # type: ignore[arg-type,misc]


def local(moment: datetime, tz: ZoneInfo = PARIS) -> str:
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z")


def office(tz: ZoneInfo = PARIS, holidays: set[date] | None = None) -> Calendar:
    return Calendar(tz, OFFICE, holidays or set(), True)


# --- nights, weekends, holidays -------------------------------------------------------------


def test_a_target_inside_the_day_is_plain_clock_time():
    assert local(office().add(at(PARIS, 2026, 11, 18, 10, 0), 60)) == "Wed 2026-11-18 11:00 CET"


def test_the_time_left_at_closing_carries_over_to_the_next_morning():
    due = office().add(at(PARIS, 2026, 11, 18, 16, 30), 60)
    assert local(due) == "Thu 2026-11-19 09:30 CET"


def test_a_target_that_runs_out_at_closing_time_is_due_at_closing():
    assert local(office().add(at(PARIS, 2026, 11, 18, 16, 0), 60)) == "Wed 2026-11-18 17:00 CET"


def test_a_message_at_night_starts_the_clock_at_the_next_opening():
    assert local(office().add(at(PARIS, 2026, 11, 18, 22, 0), 60)) == "Thu 2026-11-19 10:00 CET"
    assert local(office().add(at(PARIS, 2026, 11, 19, 7, 0), 0)) == "Thu 2026-11-19 09:00 CET"


def test_a_friday_evening_message_is_due_on_monday():
    due = office().add(at(PARIS, 2026, 11, 20, 16, 0), 120)
    assert local(due) == "Mon 2026-11-23 10:00 CET"
    weekend = office().add(at(PARIS, 2026, 11, 21, 12, 0), 30)  # Saturday noon
    assert local(weekend) == "Mon 2026-11-23 09:30 CET"


def test_holidays_are_closed_all_day():
    christmas = office(holidays={date(2026, 12, 25)})
    # Thursday 24 at 16:00, one hour left that day; Friday 25 closed; the weekend; Monday.
    due = christmas.add(at(PARIS, 2026, 12, 24, 16, 0), 120)
    assert local(due) == "Mon 2026-12-28 10:00 CET"
    assert not christmas.is_open(at(PARIS, 2026, 12, 25, 11, 0))


def test_a_long_target_spans_several_days():
    # 8 working hours a day: 20 hours from Monday 09:00 is Wednesday 13:00.
    assert local(office().add(at(PARIS, 2026, 11, 16, 9, 0), 20 * 60)) == "Wed 2026-11-18 13:00 CET"


def test_several_intervals_a_day_and_a_lunch_break():
    calendar = Calendar(PARIS, {"1": [["09:00", "12:00"], ["13:00", "17:00"]]}, set(), True)
    due = calendar.add(at(PARIS, 2026, 11, 16, 11, 30), 60)
    assert local(due) == "Mon 2026-11-16 13:30 CET"
    assert calendar.between(at(PARIS, 2026, 11, 16, 11, 0), at(PARIS, 2026, 11, 16, 14, 0)) == (
        timedelta(hours=2)
    )


def test_a_night_shift_until_midnight_continues_into_the_next_day():
    calendar = Calendar(PARIS, {"1": [["18:00", "24:00"]], "2": [["00:00", "02:00"]]}, set(), True)
    due = calendar.add(at(PARIS, 2026, 11, 16, 23, 0), 120)
    assert local(due) == "Tue 2026-11-17 01:00 CET"


def test_around_the_clock_is_plain_arithmetic():
    calendar = Calendar(PARIS, OFFICE, set(), business_hours_only=False)
    start = at(PARIS, 2026, 11, 21, 23, 0)  # Saturday night
    assert calendar.add(start, 90) == start + timedelta(minutes=90)
    assert calendar.between(start, start + timedelta(hours=5)) == timedelta(hours=5)
    assert calendar.is_open(start)


def test_no_opening_hour_at_all_counts_around_the_clock_rather_than_never():
    calendar = Calendar(PARIS, {}, set(), True)
    start = at(PARIS, 2026, 11, 21, 23, 0)
    assert calendar.add(start, 30) == start + timedelta(minutes=30)


def test_between_counts_only_business_time_and_is_signed():
    calendar = office()
    friday, monday = at(PARIS, 2026, 11, 20, 16, 0), at(PARIS, 2026, 11, 23, 10, 0)
    assert calendar.between(friday, monday) == timedelta(hours=2)
    assert calendar.between(monday, friday) == -timedelta(hours=2)


def test_is_open_and_next_open():
    calendar = office()
    assert calendar.is_open(at(PARIS, 2026, 11, 18, 9, 0))
    assert not calendar.is_open(at(PARIS, 2026, 11, 18, 17, 0))  # closing time is closed
    assert local(calendar.next_open(at(PARIS, 2026, 11, 20, 18, 0))) == "Mon 2026-11-23 09:00 CET"
    moment = at(PARIS, 2026, 11, 18, 12, 0)
    assert calendar.next_open(moment) == moment


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        office().add(datetime(2026, 11, 18, 10, 0), 5)


@pytest.mark.parametrize(
    "hours",
    [{"8": [["09:00", "17:00"]]}, {"1": [["9h", "17:00"]]}, {"1": [["17:00", "09:00"]]}],
)
def test_unreadable_hours_are_refused(hours):
    with pytest.raises(CalendarError):
        parse_hours(hours)


# --- daylight-saving changes ----------------------------------------------------------------


def test_the_spring_day_has_23_hours_and_the_autumn_day_25():
    calendar = Calendar(PARIS, ALWAYS, set(), True)
    for day, hours in ((date(2026, 3, 29), 23), (date(2026, 10, 25), 25)):
        [(start, end)] = calendar.intervals(day)
        assert end - start == timedelta(hours=hours)
    calendar = Calendar(NEW_YORK, ALWAYS, set(), True)
    for day, hours in ((date(2026, 3, 8), 23), (date(2026, 11, 1), 25)):
        [(start, end)] = calendar.intervals(day)
        assert end - start == timedelta(hours=hours)


def test_office_hours_on_the_day_after_a_change_still_count_eight_hours():
    # Monday 30 March (Paris has just moved to CEST): 9-17 local is still eight hours.
    calendar = office()
    due = calendar.add(at(PARIS, 2026, 3, 27, 16, 0), 120)  # Friday before the change
    assert local(due) == "Mon 2026-03-30 10:00 CEST"
    autumn = calendar.add(at(PARIS, 2026, 10, 23, 16, 0), 120)
    assert local(autumn) == "Mon 2026-10-26 10:00 CET"
    new_york = office(NEW_YORK).add(at(NEW_YORK, 2026, 3, 6, 16, 30), 60)
    assert local(new_york, NEW_YORK) == "Mon 2026-03-09 09:30 EDT"


def test_a_shift_that_straddles_the_spring_change_loses_an_hour_of_clock():
    # Sunday 29 March, a support shift 00:00-06:00 local: 02:00 CET jumps to 03:00 CEST,
    # so the shift has five real hours.
    calendar = Calendar(PARIS, {"7": [["00:00", "06:00"]]}, set(), True)
    start = at(PARIS, 2026, 3, 29, 1, 0)
    assert local(calendar.add(start, 60)) == "Sun 2026-03-29 03:00 CEST"
    assert local(calendar.add(start, 4 * 60)) == "Sun 2026-03-29 06:00 CEST"
    assert calendar.between(at(PARIS, 2026, 3, 29, 0, 0), at(PARIS, 2026, 3, 29, 6, 0)) == (
        timedelta(hours=5)
    )


def test_a_shift_that_straddles_the_autumn_change_gains_an_hour():
    # Sunday 25 October, 00:00-06:00 local: 03:00 CEST falls back to 02:00 CET.
    calendar = Calendar(PARIS, {"7": [["00:00", "06:00"]]}, set(), True)
    start = at(PARIS, 2026, 10, 25, 1, 0)
    assert local(calendar.add(start, 120)) == "Sun 2026-10-25 02:00 CET"
    assert local(calendar.add(start, 6 * 60)) == "Sun 2026-10-25 06:00 CET"
    assert calendar.between(at(PARIS, 2026, 10, 25, 0, 0), at(PARIS, 2026, 10, 25, 6, 0)) == (
        timedelta(hours=7)
    )


def test_an_opening_time_that_does_not_exist_is_when_the_clock_jumps():
    # New York, Sunday 8 March: 02:00 EST jumps to 03:00 EDT; a shift "from 02:30" opens
    # at the jump.
    calendar = Calendar(NEW_YORK, {"7": [["02:30", "05:00"]]}, set(), True)
    [(start, end)] = calendar.intervals(date(2026, 3, 8))
    assert local(start, NEW_YORK) == "Sun 2026-03-08 03:00 EDT"
    assert end - start == timedelta(hours=2)
    # An interval entirely inside the skipped hour has no length at all.
    empty = Calendar(NEW_YORK, {"7": [["02:10", "02:50"]]}, set(), True)
    assert empty.intervals(date(2026, 3, 8)) == []


def test_an_opening_time_that_exists_twice_is_its_first_occurrence():
    # Paris, Sunday 25 October: 02:30 happens twice; the shift opens at the first (CEST).
    calendar = Calendar(PARIS, {"7": [["02:30", "04:00"]]}, set(), True)
    [(start, end)] = calendar.intervals(date(2026, 10, 25))
    assert start == at(PARIS, 2026, 10, 25, 2, 30, fold=0)
    assert local(start) == "Sun 2026-10-25 02:30 CEST"
    assert end - start == timedelta(hours=2, minutes=30)
    # Adjacent intervals tile whichever occurrence a boundary falls on.
    split = Calendar(PARIS, {"7": [["01:00", "02:30"], ["02:30", "04:00"]]}, set(), True)
    merged = Calendar(PARIS, {"7": [["01:00", "04:00"]]}, set(), True)
    assert split.intervals(date(2026, 10, 25)) == merged.intervals(date(2026, 10, 25))


def test_a_message_in_the_repeated_hour_is_counted_once_per_real_minute():
    calendar = Calendar(PARIS, ALWAYS, set(), True)
    first = at(PARIS, 2026, 10, 25, 2, 30, fold=0)
    second = at(PARIS, 2026, 10, 25, 2, 30, fold=1)
    assert calendar.between(first, second) == timedelta(hours=1)
    assert calendar.add(first, 60) == second


# --- properties -----------------------------------------------------------------------------

ZONES = st.sampled_from([PARIS, NEW_YORK, ZoneInfo("UTC"), ZoneInfo("Australia/Lord_Howe")])
# Moments around both 2026 changes and ordinary weeks, to the minute.
MOMENTS = st.integers(min_value=0, max_value=366 * 24 * 60).map(
    lambda m: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=m)
)
INTERVAL = st.tuples(st.integers(0, 24 * 4), st.integers(0, 24 * 4)).map(
    lambda pair: [
        f"{min(pair) * 15 // 60:02d}:{min(pair) * 15 % 60:02d}",
        f"{max(pair) * 15 // 60:02d}:{max(pair) * 15 % 60:02d}",
    ]
)
HOURS = st.dictionaries(
    st.sampled_from([str(d) for d in range(1, 8)]), st.lists(INTERVAL, max_size=3), min_size=1
)
HOLIDAYS = st.sets(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=20)


def calendars() -> st.SearchStrategy[Calendar]:
    return st.builds(Calendar, ZONES, HOURS, HOLIDAYS, st.booleans())


@settings(max_examples=200, deadline=None)
@given(calendars(), MOMENTS, st.integers(0, 5 * 24 * 60))
def test_adding_then_measuring_gives_back_the_minutes(calendar, start, minutes):
    due = calendar.add(start, minutes)
    assert due >= start
    assert calendar.between(start, due) == timedelta(minutes=minutes)


@settings(max_examples=200, deadline=None)
@given(calendars(), MOMENTS, MOMENTS)
def test_adding_what_was_measured_lands_at_the_same_business_moment(calendar, start, x):
    if x < start:
        start, x = x, start
    landed = calendar.add_delta(start, calendar.between(start, x))
    # Nothing of business time between where we landed and x …
    assert calendar.between(min(landed, x), max(landed, x)) == timedelta(0)
    # … and both continue into the same next business moment.
    assert calendar.add(landed, 1) == calendar.add(x, 1)


@settings(max_examples=200, deadline=None)
@given(calendars(), MOMENTS, MOMENTS, st.integers(0, 3 * 24 * 60), st.integers(0, 600))
def test_due_times_never_go_backwards(calendar, a, b, minutes, more):
    early, late = min(a, b), max(a, b)
    assert calendar.add(early, minutes) <= calendar.add(late, minutes)
    assert calendar.add(early, minutes) <= calendar.add(early, minutes + more)


@settings(max_examples=200, deadline=None)
@given(calendars(), MOMENTS, st.integers(1, 3 * 24 * 60), st.integers(1, 3 * 24 * 60))
def test_two_steps_are_one_step(calendar, start, first, second):
    assert calendar.add(calendar.add(start, first), second) == calendar.add(start, first + second)


@settings(max_examples=200, deadline=None)
@given(calendars(), MOMENTS, MOMENTS, MOMENTS)
def test_business_time_adds_up_over_consecutive_spans(calendar, a, b, c):
    a, b, c = sorted([a, b, c])
    assert calendar.between(a, c) == calendar.between(a, b) + calendar.between(b, c)
