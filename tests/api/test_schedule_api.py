"""The schedule endpoints: calendar, queue slots, next free slot, recurrence, CSV import and
export (Acme's time zone is Europe/Paris)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from hubbub.networks.models import Channel
from hubbub.publishing.models import Post, PostStatus, QueueSlot
from tests.api.conftest import Api, make_token

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # Monday, 12:00 in Paris
HEADER = "channel,time,text,media,first_comment,campaign,purpose\n"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bluesky(acme) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )


def csv_post(api: Api, body: str) -> Any:
    headers = {"Authorization": f"Bearer {api.token}"}
    return api.client.post(
        "/api/workspaces/acme/posts/import", body, content_type="text/csv", headers=headers
    )


def test_the_calendar_lists_posts_between_two_days_in_local_time(alice_api, bluesky, clock):
    answer = csv_post(
        alice_api,
        HEADER
        + "acme.bsky.social,2026-06-02 09:00,Tuesday,,,,tue\n"
        + "acme.bsky.social,2026-06-20 09:00,Later,,,,later\n",
    )
    assert answer.status_code == 200, answer.content
    response = alice_api.get("/workspaces/acme/calendar", start="2026-06-01", end="2026-06-07")
    assert response.status_code == 200
    items = response.json()
    assert [i["purpose"] for i in items] == ["tue"]
    assert items[0]["scheduled_at"] == "2026-06-02T09:00:00+02:00"
    assert items[0]["channels"] == ["acme.bsky.social"]
    assert items[0]["status"] == "scheduled"
    filtered = alice_api.get("/workspaces/acme/calendar", start="2026-06-01", status="draft")
    assert filtered.json() == []
    bad = alice_api.get("/workspaces/acme/calendar", status="nope")
    assert bad.status_code == 400 and "Unknown status 'nope'" in bad.json()["detail"]
    backwards = alice_api.get("/workspaces/acme/calendar", start="2026-06-09", end="2026-06-01")
    assert backwards.status_code == 400


def test_queue_slots_are_set_read_and_give_the_next_free_slot(alice_api, bluesky, clock):
    url = f"/workspaces/acme/channels/{bluesky.pk}/queue-slots"
    put = alice_api.call(
        "put", url, {"slots": [{"weekday": 1, "time": "09:00"}, {"weekday": 3, "time": "17:30"}]}
    )
    assert put.status_code == 200, put.content
    body = put.json()
    assert [(s["weekday"], s["time"]) for s in body["slots"]] == [(1, "09:00:00"), (3, "17:30:00")]
    assert body["next_free"][0] == "2026-06-02T09:00:00+02:00"
    assert alice_api.get(url).json()["slots"] == body["slots"]
    nxt = alice_api.get("/workspaces/acme/next-free-slot", channel=bluesky.pk)
    assert nxt.json() == {"at": "2026-06-02T09:00:00+02:00", "channels": [bluesky.pk]}
    missing = alice_api.call("put", url, {})
    assert missing.status_code == 400 and "slots" in missing.json()["detail"]
    bad_day = alice_api.call("put", url, {"slots": [{"weekday": 9, "time": "09:00"}]})
    assert bad_day.status_code == 422


def test_an_editor_reads_slots_but_may_not_change_them(bob_api, bluesky, clock):
    url = f"/workspaces/acme/channels/{bluesky.pk}/queue-slots"
    assert bob_api.get(url).status_code == 200
    refused = bob_api.call("put", url, {"slots": []})
    assert refused.status_code == 403
    assert not QueueSlot.objects.exists()


def test_next_free_slot_needs_a_channel_of_this_workspace(alice_api, bluesky, clock):
    assert alice_api.get("/workspaces/acme/next-free-slot").status_code == 400
    answer = alice_api.get("/workspaces/acme/next-free-slot", channel=9999)
    assert answer.status_code == 400 and "9999" in answer.json()["detail"]


def test_a_post_repeats_and_the_series_stops(alice_api, bluesky, clock):
    created = alice_api.post(
        "/workspaces/acme/posts",
        {"purpose": "tip", "variants": [{"channel_id": bluesky.pk, "parts": ["Tip"]}]},
    )
    post_id = created.json()["id"]
    url = f"/workspaces/acme/posts/{post_id}/recurrence"
    bad = alice_api.post(url, {"rrule": "FREQ=SOMETIMES"})
    assert bad.status_code == 400 and bad.json()["field"] == "rrule"
    answer = alice_api.post(url, {"rrule": "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=9;BYMINUTE=0;COUNT=4"})
    assert answer.status_code == 201, answer.content
    series = answer.json()
    assert series["origin_id"] == post_id
    assert [p["scheduled_at"] for p in series["posts"]] == [
        "2026-06-02T09:00:00+02:00",
        "2026-06-04T09:00:00+02:00",
        "2026-06-09T09:00:00+02:00",
        "2026-06-11T09:00:00+02:00",
    ]
    stopped = alice_api.delete(url)
    assert stopped.status_code == 200
    assert len(stopped.json()["cancelled"]) == 4
    assert set(Post.objects.values_list("status", flat=True)) == {PostStatus.CANCELLED}


def test_import_as_multipart_reports_rows_and_export_round_trips(alice, acme, bluesky, clock):
    client = Client()
    headers = {"Authorization": f"Bearer {make_token(alice, acme)}"}
    data = HEADER + "acme.bsky.social,2026-06-02 09:00,Hi,,,,hi\nnobody,2026-06-02 09:00,Hi,,,,\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("posts.csv", data.encode(), content_type="text/csv")
    answer = client.post("/api/workspaces/acme/posts/import", {"file": upload}, headers=headers)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["rows"] == 2 and len(body["imported"]) == 1
    assert body["errors"][0]["line"] == 3 and body["errors"][0]["column"] == "channel"
    exported = client.get("/api/workspaces/acme/posts/export.csv", headers=headers)
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    assert "acme-posts-2026-06-01.csv" in exported["Content-Disposition"]
    text = exported.content.decode()
    assert "acme.bsky.social,2026-06-02 09:00+02:00,Hi" in text
    again = client.post(
        "/api/workspaces/acme/posts/import", text, content_type="text/csv", headers=headers
    )
    assert again.json()["errors"] == [] and len(again.json()["imported"]) == 1


def test_a_file_that_cannot_be_read_is_a_400(alice_api, bluesky, clock):
    answer = csv_post(alice_api, "just some words\n")
    assert answer.status_code == 400
    assert "channel, time, text missing" in answer.json()["detail"]
