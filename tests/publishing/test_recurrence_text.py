"""The Repeat builder's rules and the sentences that describe a rule, in English and French."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.core.access import ActionError
from hubbub.publishing import recurrence
from hubbub.publishing.recurrence_text import (
    RepeatChoice,
    build_rule,
    choice_from_form,
    describe,
    rule_from_form,
)

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_9 = datetime(2026, 6, 2, 9, 0)  # a Tuesday, Paris wall clock


def form(**fields: str | list[str]) -> MultiValueDict[str, str]:
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in fields.items()})


# --- the builder's rule -----------------------------------------------------------------------


def test_every_tuesday_and_thursday_until_a_date():
    choice = RepeatChoice(freq="weekly", weekdays=[3, 1], end="until", until_text="2027-03-01")
    rule = build_rule(choice, TUESDAY_9)
    assert rule == "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=9;BYMINUTE=0;UNTIL=20270301"
    assert describe(rule, None, PARIS) == (
        "Repeats every Tuesday and Thursday at 09:00 until 1 March 2027"
    )


def test_weekly_without_a_day_ticked_takes_the_first_posts_weekday():
    rule = build_rule(RepeatChoice(freq="weekly"), TUESDAY_9)
    assert rule == "FREQ=WEEKLY;BYDAY=TU;BYHOUR=9;BYMINUTE=0"
    assert describe(rule, None, PARIS) == "Repeats every Tuesday at 09:00"


def test_every_day_n_times_and_every_month_on_the_same_day():
    daily = build_rule(RepeatChoice(freq="daily", end="count", count_text="10"), TUESDAY_9)
    assert daily == "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;COUNT=10"
    assert describe(daily, None, PARIS) == "Repeats every day at 09:00, 10 posts in all"
    monthly = build_rule(RepeatChoice(freq="monthly"), datetime(2026, 6, 15, 18, 30))
    assert monthly == "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=18;BYMINUTE=30"
    assert describe(monthly, None, PARIS) == "Repeats every month on day 15 at 18:30"


def test_no_choice_is_no_rule_and_a_pasted_rule_wins():
    assert build_rule(RepeatChoice(), TUESDAY_9) == ""
    pasted = RepeatChoice(freq="daily", rrule="RRULE:FREQ=WEEKLY;BYDAY=FR")
    assert build_rule(pasted, TUESDAY_9) == "FREQ=WEEKLY;BYDAY=FR"


@pytest.mark.parametrize(
    ("choice", "field", "words"),
    [
        (
            RepeatChoice(freq="daily", end="until", until_text="1st of March"),
            "repeat_until",
            "e.g.",
        ),
        (
            RepeatChoice(freq="daily", end="until", until_text="2026-05-01"),
            "repeat_until",
            "before",
        ),
        (RepeatChoice(freq="daily", end="count", count_text="1"), "repeat_count", "from 2 to"),
        (RepeatChoice(freq="daily", end="count", count_text="many"), "repeat_count", "from 2 to"),
    ],
)
def test_a_bad_end_names_the_field_and_the_fix(choice, field, words):
    with pytest.raises(ActionError) as caught:
        build_rule(choice, TUESDAY_9)
    assert caught.value.field == field
    assert words in caught.value.message


def test_the_form_is_read_leniently():
    choice = choice_from_form(
        form(repeat_freq="weekly", repeat_days=["3", "1", "9", "x"], repeat_until="2027-03-01")
    )
    # Unknown days dropped; a date typed without ticking "On this date" means that end.
    assert choice == RepeatChoice(
        freq="weekly", weekdays=[1, 3], end="until", until_text="2027-03-01"
    )
    assert choice_from_form(form(repeat_freq="hourly")).freq == ""
    assert not choice_from_form(form()).wanted


def test_rule_from_form_uses_the_posts_time_in_the_workspace_zone():
    planned = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)  # 09:00 in Paris
    rule = rule_from_form(form(repeat_freq="weekly", repeat_days="4"), planned, PARIS)
    assert rule == "FREQ=WEEKLY;BYDAY=FR;BYHOUR=9;BYMINUTE=0"


# --- a rule in words --------------------------------------------------------------------------


def test_the_stored_rule_with_until_in_utc_reads_as_the_local_date():
    # recurrence stores UNTIL=20270301 (a Paris date) as the end of that day in UTC.
    rule = "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=9;BYMINUTE=0;UNTIL=20270301T225959Z"
    assert describe(rule, None, PARIS).endswith("until 1 March 2027")


@pytest.mark.parametrize(
    ("rule", "sentence"),
    [
        ("FREQ=DAILY;INTERVAL=2;BYHOUR=12;BYMINUTE=30", "Repeats every 2 days at 12:30"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "Repeats every 2 weeks on Monday at 09:00"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "Repeats every Monday, Wednesday and Friday at 09:00"),
        (
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=1",
            "Repeats every Monday, Tuesday, Wednesday, Thursday and Friday at 09:00, 1 post in all",
        ),
        ("FREQ=HOURLY;INTERVAL=3", "Repeats every 3 hours"),
        ("FREQ=YEARLY", "Repeats every year on 2 June at 09:00"),
        ("FREQ=MONTHLY", "Repeats every month on day 2 at 09:00"),
        # Start left out: the rule names everything, or the sentence leaves it out.
    ],
)
def test_common_rules_in_words(rule, sentence):
    assert describe(rule, TUESDAY_9.replace(tzinfo=PARIS), PARIS) == sentence


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYDAY=1TU",  # the first Tuesday: not put in words (yet)
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=WEEKLY;BYSETPOS=1;BYDAY=MO,TU",
        "FREQ=DAILY;BYHOUR=9,17",
        "not a rule",
    ],
)
def test_a_rule_not_put_in_words_is_shown_as_itself(rule):
    assert describe(rule, TUESDAY_9.replace(tzinfo=PARIS), PARIS) == f"Repeats by the rule {rule}"


def test_weekday_and_month_names_follow_the_language():
    rule = "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=9;BYMINUTE=0;UNTIL=20270301"
    with translation.override("fr"):
        sentence = describe(rule, None, PARIS)
    assert "mardi" in sentence and "jeudi" in sentence and "1 mars 2027" in sentence
    assert "Tuesday" not in sentence


# --- the builder's rule is the one recurrence expands -----------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    days=st.sets(st.integers(0, 6), min_size=1),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    start_day=st.integers(0, 300),
)
def test_a_weekly_rule_expands_on_the_chosen_days_at_the_chosen_time(days, hour, minute, start_day):
    start = datetime(2026, 1, 1, hour, minute) + timedelta(days=start_day)
    rule = build_rule(RepeatChoice(freq="weekly", weekdays=sorted(days)), start)
    aware = start.replace(tzinfo=PARIS)
    expanded = recurrence.parse_rule(rule, aware, PARIS)
    times = [t.astimezone(PARIS) for t in islice(expanded, 10)]
    assert {t.weekday() for t in times} <= days
    # A time the spring-forward night skips moves an hour on; every other one is exact.
    assert all((t.hour, t.minute) == (hour, minute) for t in times if t.date() != date(2026, 3, 29))
    assert times[0] >= aware
