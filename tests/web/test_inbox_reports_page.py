"""The inbox reports page (period in the workspace's time zone, filters, tables, heatmap with
its table fallback) and its CSV download."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hubbub.core.models import Membership
from hubbub.core.roles import Role
from hubbub.inbox.models import Conversation
from hubbub.networks.models import Channel
from tests.conftest import signed_in
from tests.inbox.conftest_rules import channel, receive  # noqa: F401  (fixtures)
from tests.web.conftest import count, text

URL = "/w/acme/inbox/reports/"
CSV_URL = "/w/acme/inbox/reports.csv"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
OPENED = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Paris


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def answered(receive, alice, clock):  # noqa: F811
    """Two conversations opened Tuesday 10:00 (Paris), both with a one-hour target: carol's
    answered in 30 minutes and resolved in 2 hours, dora's answered in 90 minutes."""
    due = OPENED + timedelta(hours=1)
    carol = receive("Where is my order?", author="carol", at=OPENED).conversation
    dora = receive("Still waiting…", author="dora", at=OPENED).conversation
    Conversation.objects.filter(pk=carol.pk).update(
        assignee=alice,
        first_response_at=OPENED + timedelta(minutes=30),
        first_response_due_at=due,
        closed_at=OPENED + timedelta(hours=2),
        status="closed",
    )
    Conversation.objects.filter(pk=dora.pk).update(
        first_response_at=OPENED + timedelta(minutes=90), first_response_due_at=due
    )


def test_the_report_tables(alice_client, answered):
    page = alice_client.get(URL, {"period": "7"})
    assert page.status_code == 200
    shown = text(page)
    assert "From 2026-11-14 to 2026-11-20 included, in Europe/Paris." in shown
    # Nearest rank: of 30 and 90 minutes, the median is 30 min and p90 1 h 30.
    assert "2 conversations" in shown
    assert "30 min median first response" in shown
    assert "50 % first responses on target" in shown
    by_channel = page.content.decode().split('data-testid="report-channel"')[1].split("</table>")[0]
    channel_row = " ".join(re.sub(r"<[^>]+>", " ", by_channel).split())
    # No resolution target was set: its attainment is not measured ("—").
    assert "2 30 min 1 h 30 min 50 % 2 h 00 min 2 h 00 min — 0" in channel_row
    assert "Alice Martin" in shown and "Unassigned" in shown  # by member
    assert "2026-W47" in shown  # by week


def test_the_heatmap_and_its_table(alice_client, answered):
    page = alice_client.get(URL)
    shown = text(page)
    assert "2 messages came in; the busiest hour was Tuesday 10:00 (2)." in shown
    table = page.content.decode().split('data-testid="heatmap-table"')[1].split("</table>")[0]
    tuesday = re.search(r"<th scope=\"row\">Tuesday</th>(.*?)</tr>", table, re.S)
    assert tuesday is not None
    cells = re.findall(r">(\d+)</td>", tuesday.group(1))
    assert cells[10] == "2" and cells.count("0") == 23
    figure = re.search(
        r'<script id="heatmap-figure" type="application/json">(.*?)</script>',
        page.content.decode(),
        re.S,
    )
    assert figure is not None, "the plotly figure is on the page"
    data = json.loads(figure.group(1))
    assert data["data"][0]["type"] == "heatmap"
    assert data["data"][0]["z"][1][10] == 2  # Tuesday, 10:00
    assert "vendor/plotly.min.js" in page.content.decode()


def test_filtering_by_another_channel_shows_nothing(alice_client, acme, answered):
    other = Channel.objects.create(
        workspace=acme, network="mastodon", external_id="9", handle="@acme@mastodon.example"
    )
    page = alice_client.get(URL, {"period": "30", "channel": other.pk})
    assert page.status_code == 200
    assert "0 conversations" in text(page)
    assert count(page, "report-channel") == 1
    assert "No message came in during this period." in text(page)


def test_custom_dates_need_both_ends(alice_client, clock):
    page = alice_client.get(URL, {"period": "custom", "start": "2026-11-10"})
    assert page.status_code == 400
    assert "Choose the last day." in text(page)
    page = alice_client.get(URL, {"period": "custom", "start": "2026-11-10", "end": "2026-11-01"})
    assert "The last day must not be before the first." in text(page)


def test_custom_dates_are_local_days(alice_client, answered):
    page = alice_client.get(URL, {"period": "custom", "start": "2026-11-18", "end": "2026-11-20"})
    assert "0 conversations" in text(page)  # both opened on the 17th
    page = alice_client.get(URL, {"period": "custom", "start": "2026-11-17", "end": "2026-11-17"})
    assert "2 conversations" in text(page)


def test_the_csv_download(alice_client, answered):
    response = alice_client.get(CSV_URL, {"period": "7"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="hubbub-inbox-acme-2026-11-14-to-2026-11-20.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "key", "label", "metric", "value"]
    assert ["total", "all", "All conversations", "conversations", "2"] in rows
    assert ["total", "all", "All conversations", "first_response_median_seconds", "1800"] in rows
    assert ["heatmap", "2", "Tuesday", "hour_10", "2"] in rows
    page = alice_client.get(URL, {"period": "7"})
    assert 'href="/w/acme/inbox/reports.csv?period=7"' in page.content.decode()


def test_who_may_see_reports(make_user, acme, clock):
    analyst = make_user("ana@example.com")
    Membership.objects.create(workspace=acme, user=analyst, role=Role.ANALYST)
    client_viewer = make_user("client@example.com")
    Membership.objects.create(workspace=acme, user=client_viewer, role=Role.CLIENT_VIEWER)
    assert signed_in(analyst).get(URL).status_code == 200
    assert signed_in(client_viewer).get(URL).status_code == 403
    assert signed_in(client_viewer).get(CSV_URL).status_code == 403


def test_in_french_the_shades_stay_css(alice, answered):
    alice.language = "fr"
    alice.save()
    page = signed_in(alice).get(URL)
    assert page.status_code == 200
    assert "rgba(37, 99, 235, 1.00)" in page.content.decode()  # not "1,00"
    assert "mardi" in text(page)


def test_plotly_js_is_served_from_the_plotly_package(settings):
    from django.contrib.staticfiles import finders

    from hubbub.inbox.plotly_static import STATIC_PATH, PlotlyFinder

    settings.STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.AppDirectoriesFinder",
        "hubbub.inbox.plotly_static.PlotlyFinder",
    ]
    finders.get_finder.cache_clear()  # type: ignore[attr-defined]
    try:
        found = finders.find(STATIC_PATH)
        assert found is not None and found.endswith("package_data/plotly.min.js")
        listed = [path for path, _storage in PlotlyFinder().list(None)]
        assert listed == ["plotly.min.js"]
        assert finders.find("vendor/other.js") is None
    finally:
        finders.get_finder.cache_clear()  # type: ignore[attr-defined]
