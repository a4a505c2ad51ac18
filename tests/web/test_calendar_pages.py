"""The calendar pages: month, week and list views, moving posts, the iCal feed, queue slots,
CSV import and export — as a person sees them (Acme is in Europe/Paris)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hubbub.core.access import access_workspace
from hubbub.networks.models import Channel
from hubbub.publishing import queue
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.models import Campaign, Delivery, Post, QueueSlot, WorkspacePublishing
from tests.conftest import signed_in
from tests.web.conftest import count, messages_of, text

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # Monday 1 June, 12:00 in Paris


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bluesky(acme) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )


def scheduled(user, channel: Channel, when: datetime, purpose: str = "announce the sale", **kw):
    access = access_workspace(user, "acme")
    post = create_draft(access, purpose=purpose, variants=[VariantInput(channel, ["Hello"])], **kw)
    return schedule_post(access, post, when)


def test_the_month_shows_posts_as_chips_in_local_time(alice, bluesky, clock):
    sale = Campaign.objects.create(workspace=bluesky.workspace, name="Sale", colour="#ff0000")
    post = scheduled(alice, bluesky, datetime(2026, 6, 3, 9, 30), campaign=sale)
    response = signed_in(alice).get("/w/acme/calendar/")
    assert response.status_code == 200
    page = text(response)
    assert "June 2026" in page
    assert "09:30 announce the sale Scheduled Sale acme.bsky.social" in page
    body = response.content.decode()
    assert f'href="/w/acme/posts/{post.pk}/"' in body
    assert "--chip: #ff0000" in body
    assert count(response, "chip") == 1
    assert 'data-date="2026-06-03"' in body


def test_user_text_is_escaped_in_chips(alice, bluesky, clock):
    scheduled(alice, bluesky, datetime(2026, 6, 3, 9, 30), purpose="<script>alert(1)</script>")
    body = signed_in(alice).get("/w/acme/calendar/?view=list").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_week_and_list_views_and_navigation(alice, bluesky, clock):
    scheduled(alice, bluesky, datetime(2026, 6, 3, 9, 30))
    client = signed_in(alice)
    week = client.get("/w/acme/calendar/?view=week&date=2026-06-04")
    assert "Week of 1 June 2026" in text(week)
    assert count(week, "chip") == 1
    assert 'data-hour="09:00"' in week.content.decode()
    listed = client.get("/w/acme/calendar/?view=list")
    assert "Wednesday 3 June 2026" in text(listed)
    month = client.get("/w/acme/calendar/?view=month&date=2026-06-15&channel=" + str(bluesky.pk))
    body = month.content.decode()
    assert "date=2026-07-01" in body and "date=2026-05-01" in body
    assert f"channel={bluesky.pk}" in body  # navigation keeps the filters
    assert count(client.get("/w/acme/calendar/?status=draft"), "chip") == 0


def test_moving_a_post_with_the_form(alice, bluesky, clock):
    post = scheduled(alice, bluesky, datetime(2026, 6, 3, 9, 30))
    client = signed_in(alice)
    response = client.post(
        "/w/acme/calendar/move/",
        {"post": post.pk, "date": "2026-06-05", "time": "14:00", "next": "/w/acme/calendar/"},
    )
    assert response.status_code == 302 and response["Location"] == "/w/acme/calendar/"
    assert "moved to 2026-06-05 14:00" in messages_of(response)[0]
    assert Delivery.objects.get(post=post).due_at == datetime(2026, 6, 5, 12, 0, tzinfo=UTC)
    past = client.post("/w/acme/calendar/move/", {"post": post.pk, "date": "2026-05-01"})
    assert "has already passed" in messages_of(past)[0]


def test_dropping_on_a_month_day_keeps_the_time_and_answers_json(alice, bluesky, clock):
    post = scheduled(alice, bluesky, datetime(2026, 6, 3, 9, 30))
    client = signed_in(alice)
    answer = client.post(
        "/w/acme/calendar/move/",
        {"post": post.pk, "date": "2026-06-10"},
        headers={"Accept": "application/json"},
    )
    assert answer.json()["ok"] is True
    assert answer.json()["local"] == "2026-06-10T09:30:00+02:00"
    gap = client.post(
        "/w/acme/calendar/move/",
        {"post": post.pk, "date": "2027-03-28", "time": "02:30"},
        headers={"Accept": "application/json"},
    )
    assert gap.status_code == 400
    assert "next valid time is 2027-03-28 03:00" in gap.json()["message"]


def test_another_workspaces_post_cannot_be_moved(alice, bob, charlie, globex, bluesky, clock):
    post = scheduled(alice, bluesky, datetime(2026, 6, 3, 9, 30))
    response = signed_in(charlie).post(
        "/w/globex/calendar/move/", {"post": post.pk, "date": "2026-06-10"}
    )
    assert response.status_code == 404


def test_the_ical_feed_is_public_behind_its_secret(alice, bob, bluesky, clock):
    post = scheduled(alice, bluesky, datetime(2026, 6, 3, 9, 30))
    token = WorkspacePublishing.of(bluesky.workspace).ical_token
    page = signed_in(bob).get("/w/acme/calendar/")
    assert f"/calendar/{token}.ics" in text(page)
    assert "Regenerate the secret address" not in text(page)  # bob is an editor

    answer = Client().get(f"/calendar/{token}.ics")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    assert f"UID:post-{post.pk}@" in answer.content.decode()
    assert Client().get("/calendar/wrong-token.ics").status_code == 404
    owner_page = signed_in(alice).get("/w/acme/calendar/")
    assert "Regenerate the secret address" in text(owner_page)
    signed_in(alice).post("/w/acme/calendar/feed/regenerate/")
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_the_queue_page_adds_and_removes_slots(alice, bob, bluesky, clock):
    client = signed_in(alice)
    response = client.post(
        "/w/acme/queue/", {"action": "add", "channel": bluesky.pk, "weekday": 1, "time": "09:00"}
    )
    assert response.status_code == 302
    slot = QueueSlot.objects.get()
    assert (slot.weekday, slot.time) == (1, time(9, 0))
    page = text(client.get("/w/acme/queue/"))
    assert "Tuesday 09:00" in page
    assert "Next free slots: Tue 2 Jun 09:00" in page
    assert signed_in(bob).get("/w/acme/queue/").status_code == 200
    refused = signed_in(bob).post(
        "/w/acme/queue/", {"action": "remove", "channel": bluesky.pk, "slot": slot.pk}
    )
    assert refused.status_code == 403
    client.post("/w/acme/queue/", {"action": "remove", "channel": bluesky.pk, "slot": slot.pk})
    assert not QueueSlot.objects.exists()
    bad = client.post(
        "/w/acme/queue/", {"action": "add", "channel": bluesky.pk, "weekday": 1, "time": "9h"}
    )
    assert "Write the time as HH:MM" in messages_of(bad)[0]


def test_the_import_page_lists_bad_rows_by_line(alice, bluesky, clock):
    client = signed_in(alice)
    assert "Download a template" in text(client.get("/w/acme/posts/import/"))
    template = client.get("/w/acme/posts/import/template.csv")
    assert template.content.decode().startswith("channel,time,text,media")
    data = (
        "channel;time;text\n"
        "acme.bsky.social;2026-06-02 09:00;Bonjour\n"
        "acme.bsky.social;2026-06-02 25:00;Bonsoir\n"
    )
    upload = SimpleUploadedFile("posts.csv", data.encode("utf-8-sig"), content_type="text/csv")
    page = text(client.post("/w/acme/posts/import/", {"file": upload}))
    assert "Rows imported: 1 of 2" in page
    assert "1 row not imported" in page
    assert "3 time '2026-06-02 25:00' is not a date and time" in page
    assert Post.objects.count() == 1
    empty = text(client.post("/w/acme/posts/import/", {}))
    assert "Choose a CSV file to import." in empty


def test_the_export_downloads_the_schedule(alice, bluesky, clock):
    scheduled(alice, bluesky, datetime(2026, 6, 3, 9, 30))
    response = signed_in(alice).get("/w/acme/posts/export.csv?status=scheduled")
    assert response.status_code == 200
    assert 'filename="acme-posts-2026-06-01.csv"' in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith(
        "channel,time,text,media,alt_text,first_comment,campaign,purpose,status"
    )
    assert lines[1].startswith("acme.bsky.social,2026-06-03 09:30+02:00,Hello")


def test_queue_slots_feed_the_next_free_slot_preview(alice, bluesky, clock):
    queue.set_slots(access_workspace(alice, "acme"), bluesky, [(0, time(18, 0))])
    page = text(signed_in(alice).get("/w/acme/queue/"))
    assert "Mon 1 Jun 18:00" in page  # today's slot is still ahead


def test_a_post_repeats_from_the_list_view_and_stops(alice, bluesky, clock):
    post = scheduled(alice, bluesky, datetime(2026, 6, 2, 9, 0))
    client = signed_in(alice)
    assert "Repeat…" in text(client.get("/w/acme/calendar/?view=list"))
    bad = client.post(f"/w/acme/posts/{post.pk}/repeat/", {"rrule": "FREQ=OFTEN"})
    assert "FREQ=OFTEN is not allowed" in messages_of(bad)[0]
    done = client.post(
        f"/w/acme/posts/{post.pk}/repeat/", {"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=3"}
    )
    assert "3 posts planned so far" in messages_of(done)[0]
    assert Post.objects.filter(series=post).count() == 2
    page = text(client.get("/w/acme/calendar/?view=list"))
    assert "Stop repeating" in page
    stopped = client.post(f"/w/acme/posts/{post.pk}/repeat/", {"action": "stop"})
    assert "3 future posts cancelled" in messages_of(stopped)[0]
