"""Response times and listening on the Results page, against figures worked out by hand: a
week of Acme's conversations (Europe/Paris, business hours 09-17 Monday to Friday) ending
on the day the clocks go back, and mentions with known sentiment; the same numbers from the
inbox's own report, on the page, in the summary CSV and from the API; an empty period; a
channel; a campaign (nothing shown, and why)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hubbub.accounts.models import User
from hubbub.core.access import access_workspace
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox import reports as inbox_reports
from hubbub.listening import stats
from hubbub.listening.models import (
    AlertSeverity,
    GroupKind,
    ListeningAlert,
    Mention,
    Query,
    QueryGroup,
)
from hubbub.measure import engagement
from hubbub.measure.periods import Period
from hubbub.measure.reports import Scope
from hubbub.measure.views import engagement as panels
from hubbub.networks.models import Channel
from hubbub.publishing.models import Campaign
from tests.api.conftest import token_api
from tests.inbox.conftest_coverage import PARIS, conversation, inbound, make_channel, paris
from tests.listening.test_stats import match, mention

pytestmark = pytest.mark.django_db

# Monday 19 to Sunday 25 October 2026; on the 25th Paris goes from 03:00 CEST back to 02:00
# CET, so the period lasts 7 days and one hour. Compared with the week before.
WEEK = Period(date(2026, 10, 19), date(2026, 10, 25), PARIS)
BEFORE = Period(date(2026, 10, 12), date(2026, 10, 18), PARIS)
DATES = {"from": "2026-10-19", "to": "2026-10-25"}
MIN = 60
HOUR = 3600


def talk(
    channel: Channel,
    opened: datetime,
    answered: datetime | None = None,
    due: datetime | None = None,
    more: tuple[datetime, ...] = (),
) -> None:
    """A conversation opened by a message at `opened`, answered at `answered`."""
    c = conversation(
        channel.workspace,
        channel,
        opened,
        first_response_at=answered,
        first_response_due_at=due,
    )
    for at in (opened, *more):
        inbound(c, at)


@pytest.fixture
def inbox(acme: Workspace) -> dict[str, Channel]:
    """The week's and the week before's conversations, worked out by hand:

    this week          channel  wall clock           business time       due      on time
    Mon 19 10:00       a        30 min               30 min              11:00    yes
    Tue 20 16:30       a        17 h (Wed 09:30)     1 h (30 + 30 min)   Wed 9:15 no
    Thu 22 14:00       b        45 min               45 min              15:00    yes
    Sat 24 22:00 CEST  c        7 h (Sun 04:00 CET)  0 (the weekend)     none     -
    Sun 25 23:30 CET   b        not answered
    -> 5 conversations, 4 answered; wall [30 min, 45 min, 7 h, 17 h]: median (rank 2)
       45 min, p90 (rank 4) 17 h; business [0, 30 min, 45 min, 1 h]: 30 min and 1 h;
       within target 2 of 3 with a due time; 6 messages (Monday's has a second one).
    The week before: Wed 14 10:00 (10 min, due 11:00) and Sun 18 23:50 CEST (answered
    Mon 19 09:20: 9 h 30 min, 20 business minutes, no due time): it belongs to its week.
    Mon 26 00:10 is the next week's, however close."""
    a = make_channel(acme, "acme.bsky.social")
    b = make_channel(acme, "acme@mastodon.example", network="mastodon")
    c = make_channel(acme, "acme-x", network="x")
    talk(
        a,
        paris(2026, 10, 19, 10),
        paris(2026, 10, 19, 10, 30),
        paris(2026, 10, 19, 11),
        more=(paris(2026, 10, 19, 10, 45),),
    )
    talk(a, paris(2026, 10, 20, 16, 30), paris(2026, 10, 21, 9, 30), paris(2026, 10, 21, 9, 15))
    talk(b, paris(2026, 10, 22, 14), paris(2026, 10, 22, 14, 45), paris(2026, 10, 22, 15))
    talk(c, paris(2026, 10, 24, 22), paris(2026, 10, 25, 4))
    talk(b, paris(2026, 10, 25, 23, 30))
    talk(a, paris(2026, 10, 26, 0, 10), paris(2026, 10, 26, 0, 20))
    talk(a, paris(2026, 10, 14, 10), paris(2026, 10, 14, 10, 10), paris(2026, 10, 14, 11))
    talk(a, paris(2026, 10, 18, 23, 50), paris(2026, 10, 19, 9, 20))
    return {"a": a, "b": b, "c": c}


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def heard(acme: Workspace) -> dict[str, Query]:
    """Mentions with known sentiment (reposts count, as on the Listening page):

    this week: 5 positive (one a repost, one at 23:59 on the 25-hour Sunday), 1 neutral,
    2 negative, 1 without a sentiment = 9; net (5 - 2) / (5 + 2) = 42.857…
    queries: Acme 6 (60 %), Launch 2 (20 %), Rival 2 (20 %): 10 matches in all.
    Monday 26 00:00 is the next week's. The week before: 1 positive (Acme), 1 negative (Rival).
    Alerts: a crisis on Thursday; a spike on Monday 26 (not this week's)."""
    brand = QueryGroup.objects.create(workspace=acme, name="Brand", kind=GroupKind.BRAND)
    rivals = QueryGroup.objects.create(workspace=acme, name="Rivals", kind=GroupKind.COMPETITOR)
    q = {
        "acme": Query.objects.create(workspace=acme, name="Acme", text="acme", group=brand),
        "rival": Query.objects.create(workspace=acme, name="Rival", text="rival", group=rivals),
        "launch": Query.objects.create(workspace=acme, name="Launch", text="launch"),
    }

    def said(at: datetime, sentiment: str, *queries: str, **kw: Any) -> Mention:
        m = mention(acme, at, sentiment=sentiment, **kw)
        for name in queries:
            match(q[name], m)
        return m

    first = said(local(2026, 10, 19, 9), "positive", "acme")
    said(local(2026, 10, 20, 9), "positive", "acme")
    said(local(2026, 10, 21, 9), "positive", "acme", "launch")
    said(local(2026, 10, 21, 12), "negative", "acme")
    said(local(2026, 10, 22, 9), "neutral", "rival")
    said(local(2026, 10, 23, 9), "negative", "rival")
    said(local(2026, 10, 24, 9), "", "acme")
    said(local(2026, 10, 25, 23, 59), "positive", "launch")
    said(local(2026, 10, 19, 12), "positive", "acme", duplicate_of=first)
    said(local(2026, 10, 26, 0, 0), "negative", "acme")
    said(local(2026, 10, 15, 9), "negative", "rival")
    said(local(2026, 10, 18, 23, 59), "positive", "acme")
    for at, severity in (
        (local(2026, 10, 22, 10), AlertSeverity.CRISIS),
        (local(2026, 10, 26, 10), AlertSeverity.SPIKE),
    ):
        ListeningAlert.objects.create(
            workspace=acme,
            query=q["acme"],
            severity=severity,
            raised_at=at,
            window_start=at - timedelta(hours=1),
            window_end=at,
            mentions=12,
            expected=2.0,
            negative_share=0.5,
            usual_negative_share=0.1,
        )
    return q


def test_the_week_lasts_a_day_and_an_hour_more_than_six(acme: Workspace) -> None:
    assert WEEK.end.astimezone(UTC) - WEEK.start.astimezone(UTC) == timedelta(hours=7 * 24 + 1)


def test_response_times_by_hand(inbox: dict[str, Channel], acme: Workspace) -> None:
    found = engagement.responses(Scope(acme.pk), WEEK)
    assert found is not None
    assert (found.conversations, found.answered, found.messages) == (5, 4, 6)
    assert (found.first_response.median, found.first_response.p90) == (45 * MIN, 17 * HOUR)
    assert (found.first_response_business.median, found.first_response_business.p90) == (
        30 * MIN,
        HOUR,
    )
    assert (found.measured, found.within_target) == (3, 2)
    figures = found.figures
    assert figures["response_rate"] == pytest.approx(80.0)  # 4 of 5
    assert figures["first_response_within_target"] == pytest.approx(200 / 3)
    before = engagement.responses(Scope(acme.pk), BEFORE)
    assert before is not None
    assert (before.conversations, before.answered, before.messages) == (2, 2, 2)
    assert (before.first_response.median, before.first_response.p90) == (10 * MIN, 9.5 * HOUR)
    assert before.first_response_business.p90 == 20 * MIN
    assert before.figures["first_response_within_target"] == pytest.approx(100.0)


def test_the_inbox_report_gives_the_same_figures(
    inbox: dict[str, Channel], acme: Workspace
) -> None:
    """Not measured twice: the inbox's report over the period's bounds is the source."""
    report = inbox_reports.response_report(acme, WEEK.start, WEEK.end)
    found = engagement.responses(Scope(acme.pk), WEEK)
    assert found is not None
    assert found.first_response == report.total.first_response
    assert found.first_response_business == report.total.first_response_business
    assert found.messages == report.inbound_messages
    attained = found.figures["first_response_within_target"]
    assert attained is not None
    assert round(attained, 1) == report.total.first_response_attainment  # it rounds to 0.1


def test_one_channel_and_the_night_the_clocks_go_back(
    inbox: dict[str, Channel], acme: Workspace
) -> None:
    # Saturday 22:00 CEST to Sunday 04:00 CET is 7 hours, not the 6 the clocks suggest.
    night = engagement.responses(Scope(acme.pk, channel_id=inbox["c"].pk), WEEK)
    assert night is not None
    assert (night.conversations, night.first_response.median) == (1, 7 * HOUR)
    assert night.first_response_business.median == 0  # no business hour at the weekend
    b = engagement.responses(Scope(acme.pk, channel_id=inbox["b"].pk), WEEK)
    assert b is not None
    assert (b.conversations, b.answered, b.messages, b.first_response.p90) == (2, 1, 2, 45 * MIN)
    assert engagement.listening(Scope(acme.pk, channel_id=inbox["b"].pk), WEEK) is None
    assert "not about one of your channels" in str(
        engagement.listening_reason(Scope(acme.pk, channel_id=inbox["b"].pk))
    )


def test_listening_by_hand(heard: dict[str, Query], acme: Workspace) -> None:
    found = engagement.listening(Scope(acme.pk), WEEK)
    assert found is not None
    assert (found.mentions, found.positive, found.neutral, found.negative) == (9, 5, 1, 2)
    assert (found.alerts, found.crisis_alerts) == (1, 1)
    figures = found.figures
    assert figures["positive_share"] == pytest.approx(500 / 9)
    assert figures["negative_share"] == pytest.approx(200 / 9)
    assert figures["net_sentiment"] == pytest.approx(300 / 7)  # (5 - 2) / (5 + 2) * 100
    top: list[Any] = [(q.name, q.group, q.mentions, q.share_of_voice) for q in found.top_queries]
    assert top == [
        ("Acme", "Brand", 6, pytest.approx(60.0)),
        ("Launch", "", 2, pytest.approx(20.0)),  # ties by name
        ("Rival", "Rivals", 2, pytest.approx(20.0)),
    ]
    before = engagement.listening(Scope(acme.pk), BEFORE)
    assert before is not None
    assert (before.mentions, before.figures["net_sentiment"], before.alerts) == (2, 0.0, 0)
    assert before.mentions_of(heard["launch"].pk) == 0
    assert before.share_of(heard["launch"].pk) == 0.0  # others were mentioned, not it
    assert before.share_of(heard["acme"].pk) == pytest.approx(50.0)


def test_a_querys_mentions_are_what_its_link_lists(
    heard: dict[str, Query], acme: Workspace
) -> None:
    filters = engagement.listening_filters(acme, WEEK)
    assert (filters.start, filters.end) == (WEEK.start, WEEK.end)
    for volume in engagement.query_volumes(acme, filters):
        listed = stats.mentions(acme, replace(filters, query_ids=[volume.query_id]))
        assert listed.count() == volume.mentions
    assert stats.sentiment_totals(acme, filters)["total"] == 9  # the Listening page's count


def test_an_empty_period(acme: Workspace, alice_client: Client) -> None:
    found = engagement.responses(Scope(acme.pk), WEEK)
    assert found is not None and found.empty
    assert found.figures["response_rate"] is None
    assert found.figures["first_response_median"] is None
    heard = engagement.listening(Scope(acme.pk), WEEK)
    assert heard is not None and heard.empty and not heard.has_queries
    assert heard.figures["net_sentiment"] is None and heard.figures["positive_share"] is None
    html = alice_client.get(reverse("measure:overview", args=[acme.slug]), DATES).content.decode()
    assert 'data-testid="responses-empty"' in html and "No conversations in this period." in html
    assert 'data-testid="responses"' not in html  # no table of dashes
    assert "Listening has no queries yet" in html
    Query.objects.create(workspace=acme, name="Acme", text="acme")
    html = alice_client.get(reverse("measure:overview", args=[acme.slug]), DATES).content.decode()
    assert "No mentions in this period." in html


def test_a_campaign_shows_neither_and_says_why(
    inbox: dict[str, Channel],
    heard: dict[str, Query],
    acme: Workspace,
    alice: User,
    alice_client: Client,
) -> None:
    launch = Campaign.objects.create(workspace=acme, name="Launch")
    scope = Scope(acme.pk, campaign_id=launch.pk)
    assert engagement.responses(scope, WEEK) is None
    assert engagement.listening(scope, WEEK) is None
    params: dict[str, Any] = {**DATES, "campaign": launch.pk}
    html = alice_client.get(reverse("measure:overview", args=[acme.slug]), params).content.decode()
    assert 'data-testid="responses-reason"' in html and 'data-testid="listening-reason"' in html
    assert "conversations are not linked to campaigns" in html
    assert 'data-figure="mentions"' not in html  # not the workspace's figures instead
    lines = csv_lines(alice_client, acme, params)
    assert not [line for line in lines if line and line[0] in ("responses", "listening")]
    assert ["# listening", str(engagement.listening_reason(scope))] in lines
    answer = token_api(alice, acme).get("/workspaces/acme/measure/summary", **params).json()
    assert answer["responses"]["now"] is None and answer["listening"]["now"] is None
    assert "not linked to campaigns" in answer["responses"]["not_shown"]


def csv_lines(client: Client, workspace: Workspace, params: dict[str, Any]) -> list[list[str]]:
    answer = client.get(reverse("measure:summary_csv", args=[workspace.slug]), params)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.getvalue().decode())))


def test_page_csv_and_api_agree(
    inbox: dict[str, Channel], heard: dict[str, Query], acme: Workspace, alice: User
) -> None:
    client = Client()
    client.force_login(alice)
    html = client.get(reverse("measure:overview", args=[acme.slug]), DATES).content.decode()
    for key, text in (
        ("conversations", ">5<"),
        ("first_response_median", ">45\u00a0min<"),
        ("first_response_p90", ">17\u00a0h\u00a000\u00a0min<"),
        ("first_response_business_median", ">30\u00a0min<"),
        ("first_response_within_target", ">66.67\u00a0%<"),
        ("mentions", ">9<"),
        ("net_sentiment", ">+42.9<"),
        ("alerts", ">1<"),
    ):
        start = html.index(f'data-figure="{key}"')
        assert text in html[start : html.index("</tr>", start)], key
    assert "(positive mentions − negative mentions)" in html  # the formula beside it  # noqa: RUF001
    assert html.count('data-query="') == 3
    assert reverse("inbox_settings:reports", args=[acme.slug]) in html
    assert "start=2026-10-19" in html and "end=2026-10-25" in html

    lines = csv_lines(client, acme, DATES)
    header = lines[0]
    by_key = {(line[0], line[1]): line for line in lines[1:] if len(line) == len(header)}
    value, before = header.index("value"), header.index("compared_value")
    assert by_key[("responses", "first_response_median")][value] == "2700"
    assert by_key[("responses", "first_response_p90")][before] == "34200"
    assert by_key[("responses", "conversations")][header.index("change_pct")] == "150.0000"
    assert by_key[("listening", "net_sentiment")][value] == f"{300 / 7:.4f}"
    assert by_key[("posts", "posts")][value] == "0"
    queries = [line for line in lines[1:] if line[0] == "query" and line[1] == "mentions"]
    assert [(line[2], line[value], line[before]) for line in queries] == [
        ("Acme", "6", "1"),
        ("Launch", "2", "0"),
        ("Rival", "2", "1"),
    ]
    assert by_key[("listening", "net_sentiment")][header.index("formula")].startswith(
        "(positive mentions"
    )

    body = token_api(alice, acme).get("/workspaces/acme/measure/summary", **DATES).json()
    responses, listening = body["responses"], body["listening"]
    assert responses["not_shown"] is None
    assert responses["now"]["first_response"] == {"count": 4, "median": 2700, "p90": 61200}
    assert responses["now"]["figures"]["first_response_business_p90"] == 3600
    assert responses["before"]["conversations"] == 2
    assert listening["now"]["figures"]["net_sentiment"] == pytest.approx(300 / 7)
    assert listening["now"]["negative"] == 2 and listening["before"]["mentions"] == 2
    assert [(q["name"], q["mentions"], q["mentions_before"]) for q in listening["top_queries"]] == [
        ("Acme", 6, 1),
        ("Launch", 2, 0),
        ("Rival", 2, 1),
    ]
    keys = {f["key"] for f in body["formulas"]}
    assert {"net_sentiment", "first_response_within_target", "share_of_voice"} <= keys
    # Each figure the same in all three.
    for key in engagement.RESPONSE_KEYS:
        api = responses["now"]["figures"][key]
        cell = by_key[("responses", key)][value]
        assert (cell == "") if api is None else float(cell) == pytest.approx(api, abs=1e-4), key
    for key in engagement.LISTENING_KEYS:
        cell = by_key[("listening", key)][value]
        assert float(cell) == pytest.approx(listening["now"]["figures"][key], abs=1e-4), key


def test_a_channel_on_the_page_csv_and_api(
    inbox: dict[str, Channel], heard: dict[str, Query], acme: Workspace, alice: User
) -> None:
    client = Client()
    client.force_login(alice)
    params: dict[str, Any] = {**DATES, "channel": inbox["b"].pk}
    html = client.get(reverse("measure:overview", args=[acme.slug]), params).content.decode()
    start = html.index('data-figure="conversations"')
    assert ">2<" in html[start : html.index("</tr>", start)]
    assert 'data-testid="listening-reason"' in html
    assert f"channel={inbox['b'].pk}" in html  # the inbox report's link keeps the channel
    lines = csv_lines(client, acme, params)
    assert next(line for line in lines if line[:2] == ["responses", "answered"])[6] == "1"
    assert not [line for line in lines if line and line[0] == "listening"]
    body = token_api(alice, acme).get("/workspaces/acme/measure/summary", **params).json()
    assert body["responses"]["now"]["first_response"]["p90"] == 45 * MIN
    assert body["listening"]["now"] is None and body["listening"]["not_shown"]


def test_client_viewers_read_the_figures_without_the_links(
    inbox: dict[str, Channel], heard: dict[str, Query], acme: Workspace, make_user: Any
) -> None:
    """Results is what agencies send their clients: totals, not conversations or mentions,
    whose pages they cannot open (so no link to them)."""
    viewer = make_user("client@example.com")
    Membership.objects.create(workspace=acme, user=viewer, role=Role.CLIENT_VIEWER)
    client = Client()
    client.force_login(viewer)
    html = client.get(reverse("measure:overview", args=[acme.slug]), DATES).content.decode()
    assert 'data-figure="first_response_median"' in html and 'data-figure="mentions"' in html
    assert 'data-testid="responses-link"' not in html
    assert 'data-testid="listening-link"' not in html
    assert reverse("listening:mentions", args=[acme.slug]) not in html


def test_links_carry_the_dates_their_pages_accept(acme: Workspace, alice: User) -> None:
    """The inbox's report and Listening take at most a year of dates: a longer period links
    to them without dates (their default) rather than to a page that refuses the dates."""
    access = access_workspace(alice, acme.slug)
    assert "start=2026-10-19&end=2026-10-25" in panels.inbox_link(access, Scope(acme.pk), WEEK)
    assert "from=2026-10-19&to=2026-10-25" in panels.listening_link(access, WEEK)
    years = Period(date(2024, 1, 1), date(2026, 10, 25), PARIS)
    assert panels.inbox_link(access, Scope(acme.pk), years).endswith("/inbox/reports/")
    assert panels.listening_link(access, years).endswith("/listening/")
