"""The composer: drafts from the form, autosave, live validation and preview, images,
scheduling around daylight-saving changes (Acme is in Europe/Paris)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hubbub.networks.models import Channel
from hubbub.publishing import media
from hubbub.publishing.models import Campaign, Delivery, DeliveryStatus, Post, PostStatus
from tests.conftest import signed_in
from tests.web.conftest import text

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # 10:00 in Paris, before the spring change
NEW = "/w/acme/posts/new/"
VALIDATE = "/w/acme/posts/validate/"
AUTOSAVE = "/w/acme/posts/autosave/"
UPLOAD = "/w/acme/posts/media/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bluesky(acme) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )


@pytest.fixture
def mastodon(acme) -> Channel:
    # No server limits stored: Mastodon 4's defaults, 500 characters, every URL counts 23.
    return Channel.objects.create(
        workspace=acme,
        network="mastodon",
        external_id="1@mastodon.example",
        handle="@acme@mastodon.example",
    )


def form(channels: list[Channel], *parts: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "purpose": "announce the spring sale",
        "channels": [c.pk for c in channels],
        "part": list(parts or ["Spring sale!"]),
    }
    data.update(extra)
    return data


def png(width: int = 40, height: int = 30, noise: bool = False, mode: str = "RGB") -> bytes:
    if noise:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new(mode, (width, height))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# --- drafts -----------------------------------------------------------------------------------


def test_the_form_creates_a_draft(alice_client, bluesky, clock):
    response = alice_client.post(NEW, form([bluesky], "Spring sale!", "Half price today."))
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/w/acme/posts/{post.pk}/edit/"
    assert post.status == PostStatus.DRAFT
    assert post.purpose == "announce the spring sale"
    assert post.variants.get().parts == ["Spring sale!", "Half price today."]
    page = alice_client.get(response["Location"])
    assert "Draft saved." in text(page)
    assert "Half price today." in page.content.decode()


def test_a_missing_purpose_is_shown_on_its_field_and_nothing_is_saved(alice_client, bluesky):
    response = alice_client.post(NEW, form([bluesky], purpose=""))
    assert response.status_code == 200
    assert "Say what the post is for (its purpose)" in text(response)
    assert not Post.objects.exists()


def test_autosave_creates_the_draft_then_updates_it(alice_client, bluesky, clock):
    first = alice_client.post(AUTOSAVE, form([bluesky], "Spring sa"))
    post = Post.objects.get()
    assert "Saved 10:00" in text(first)  # Paris time
    assert first["HX-Replace-Url"] == f"/w/acme/posts/{post.pk}/edit/"
    assert f'id="post-id" value="{post.pk}" hx-swap-oob="true"' in first.content.decode()

    clock.shift(65)
    second = alice_client.post(AUTOSAVE, form([bluesky], "Spring sale!", post_id=post.pk))
    assert "Saved 10:01" in text(second)
    assert Post.objects.count() == 1
    assert Post.objects.get().variants.get().parts == ["Spring sale!"]


def test_autosave_says_what_is_missing_before_the_first_save(alice_client, bluesky):
    response = alice_client.post(AUTOSAVE, form([bluesky], purpose=""))
    assert "Not saved yet: Say what the post is for" in text(response)
    assert not Post.objects.exists()


def test_autosave_leaves_a_scheduled_post_alone(alice_client, bluesky, clock):
    alice_client.post(NEW, form([bluesky], action="schedule", scheduled_at="2026-03-21T09:00"))
    post = Post.objects.get()
    assert post.status == PostStatus.SCHEDULED
    response = alice_client.post(AUTOSAVE, form([bluesky], "Changed", post_id=post.pk))
    assert "Autosave is off: this post is Scheduled" in text(response)
    assert post.variants.get().parts == ["Spring sale!"]


def test_a_channel_can_be_tailored(alice_client, bluesky, mastodon):
    data = form([bluesky, mastodon], "For everyone")
    data.update({f"tailor-{mastodon.pk}": "1", f"c{mastodon.pk}-part": ["Toot, toot", "More"]})
    alice_client.post(NEW, data)
    post = Post.objects.get()
    parts = {v.channel_id: v.parts for v in post.variants.all()}
    assert parts == {bluesky.pk: ["For everyone"], mastodon.pk: ["Toot, toot", "More"]}
    page = text(alice_client.get(f"/w/acme/posts/{post.pk}/edit/"))
    assert "tailored" in page


def test_add_part_without_javascript_rerenders_the_form(alice_client, bluesky):
    response = alice_client.post(NEW, form([bluesky], "One", action="add_part:shared"))
    assert response.content.decode().count('name="part"') == 2
    assert "Part 2" in text(response)
    assert not Post.objects.exists()


def test_a_new_campaign_is_made_inline(alice_client, bluesky):
    alice_client.post(NEW, form([bluesky], new_campaign="Spring 2026"))
    assert Post.objects.get().campaign == Campaign.objects.get(name="Spring 2026")


# --- live validation and preview --------------------------------------------------------------


def test_bluesky_counts_graphemes_and_refuses_301(alice_client, bluesky):
    thumbs = "👍🏽"  # two code points, one grapheme
    ok = alice_client.post(VALIDATE, form([bluesky], thumbs * 300))
    assert "Text: 300 / 300" in text(ok)
    assert "Ready to go on this channel." in text(ok)
    over = alice_client.post(VALIDATE, form([bluesky], thumbs * 301))
    assert "Text: 301 / 300" in text(over)
    assert (
        "The text for Bluesky (acme.bsky.social) is 301 characters long; the limit there is "
        "300: shorten it by 1." in text(over)
    )


def test_mastodon_counts_every_url_as_23_characters(alice_client, mastodon):
    url = "https://example.com/" + "a" * 100  # 120 characters, weighs 23
    fits = alice_client.post(VALIDATE, form([mastodon], "x" * 470 + " " + url))
    assert "Text: 494 / 500" in text(fits)
    assert "Ready to go on this channel." in text(fits)
    over = alice_client.post(VALIDATE, form([mastodon], "x" * 480 + " " + url))
    assert "Text: 504 / 500" in text(over)
    assert "the limit there is 500: shorten it by 4." in text(over)


def test_each_part_of_a_thread_has_its_counter(alice_client, bluesky):
    response = alice_client.post(
        VALIDATE, form([bluesky], "one", "two!", first_comment="links below")
    )
    assert "Part 1: 3 / 300" in text(response)
    assert "Part 2: 4 / 300" in text(response)
    assert "First comment: 11 / 300" in text(response)
    assert text(response).count("acme.bsky.social") >= 3  # a preview post per part + comment


def test_the_preview_escapes_html_and_links_urls(alice_client, bluesky):
    evil = "<script>alert(1)</script> see https://example.com/sale"
    response = alice_client.post(VALIDATE, form([bluesky], evil))
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert '<a href="https://example.com/sale"' in body


def test_no_channel_chosen_says_so(alice_client, bluesky):
    response = alice_client.post(VALIDATE, form([]))
    assert "Choose a channel to see how the post will look" in text(response)


# --- images -----------------------------------------------------------------------------------


def test_an_image_is_uploaded_with_its_alt_text_and_saved_with_the_post(alice_client, bluesky):
    upload = alice_client.post(UPLOAD, {"file": SimpleUploadedFile("cat.png", png(40, 30))})
    assert "40 × 30 px" in text(upload)  # noqa: RUF001 (the page shows a real multiplication sign)
    path = upload.content.decode().split('name="media-path" value="')[1].split('"')[0]
    assert path.startswith("acme/")
    data = form([bluesky], **{"media-path": path, "media-alt": "A grey cat", "media-part": "0"})
    preview = alice_client.post(VALIDATE, data)
    assert "A grey cat" in text(preview)
    alice_client.post(NEW, data)
    stored = Post.objects.get().media.get()
    assert (stored.path, stored.mime_type, stored.width, stored.height, stored.alt_text) == (
        path,
        "image/png",
        40,
        30,
        "A grey cat",
    )


def test_a_file_that_is_not_an_image_is_refused(alice_client, bluesky):
    fake = SimpleUploadedFile("cat.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    response = alice_client.post(UPLOAD, {"file": fake})
    assert "This file is not an image or a video: upload a JPEG, PNG, WebP or GIF picture" in text(
        response
    )


def test_an_image_over_the_pixel_limit_is_refused_naming_the_limit(alice_client, bluesky):
    big = SimpleUploadedFile("wide.png", png(7681, 4321, mode="1"))
    response = alice_client.post(UPLOAD, {"file": big})
    assert "wide.png is 7681 x 4321 pixels; images may have up to 33177600 pixels" in text(response)


def test_an_image_over_the_size_limit_is_refused_naming_the_limit(
    alice_client, bluesky, monkeypatch
):
    monkeypatch.setattr(media, "MAX_BYTES", 2 * 1024 * 1024)
    heavy = SimpleUploadedFile("heavy.png", png(1000, 1000, noise=True))
    response = alice_client.post(UPLOAD, {"file": heavy})
    assert "heavy.png is 2.9 MB; images may be up to 2.0 MB." in text(response)


def test_an_image_too_heavy_for_bluesky_is_named_in_the_validation(alice_client, bluesky):
    upload = alice_client.post(UPLOAD, {"file": SimpleUploadedFile("p.png", png(700, 700, True))})
    path = upload.content.decode().split('name="media-path" value="')[1].split('"')[0]
    data = form([bluesky], **{"media-path": path, "media-alt": "noise", "media-part": "0"})
    response = alice_client.post(VALIDATE, data)
    assert "Bluesky (acme.bsky.social) takes files up to 1000000 bytes." in text(response)


def test_a_path_outside_the_workspace_is_refused(alice_client, bluesky, settings, tmp_path):
    (tmp_path / "globex").mkdir()
    (tmp_path / "globex" / "x.png").write_bytes(png())
    data = form([bluesky], **{"media-path": "globex/x.png", "media-part": "0"})
    response = alice_client.post(NEW, data)
    assert "globex/x.png is not a file uploaded to this workspace" in text(response)
    assert not Post.objects.exists()


def test_a_file_past_the_most_any_network_takes_on_a_part_is_refused(alice_client, bluesky):
    # TikTok's photo posts take 35 images, the most of any network; Bluesky's own 4 are
    # checked by the live validation, per channel.
    response = alice_client.post(
        UPLOAD,
        {
            "file": SimpleUploadedFile("more.png", png()),
            "media-part": ["0"] * 35,
            "upload_part": "0",
        },
    )
    assert "Part 1 already has 35 files, the most any network takes (35)" in text(response)


# --- scheduling -------------------------------------------------------------------------------


def test_schedule_sends_the_post_to_its_page(alice_client, bluesky, clock):
    response = alice_client.post(
        NEW, form([bluesky], action="schedule", scheduled_at="2026-03-21T09:30")
    )
    post = Post.objects.get()
    assert response["Location"] == f"/w/acme/posts/{post.pk}/"
    assert post.status == PostStatus.SCHEDULED
    assert post.scheduled_at == datetime(2026, 3, 21, 8, 30, tzinfo=UTC)


def test_a_time_in_the_spring_gap_offers_the_next_valid_one(alice_client, bluesky, clock):
    response = alice_client.post(
        NEW, form([bluesky], action="schedule", scheduled_at="2026-03-29T02:30")
    )
    assert response.status_code == 200
    page = text(response)
    assert "2026-03-29 02:30 does not exist in Europe/Paris" in page
    assert "The next valid time is 2026-03-29 03:00." in page
    assert 'name="use_time" value="2026-03-29T03:00"' in response.content.decode()
    post = Post.objects.get()  # the work is kept as a draft
    assert post.status == PostStatus.DRAFT

    taken = alice_client.post(NEW, form([bluesky], post_id=post.pk, use_time="2026-03-29T03:00"))
    assert taken["Location"] == f"/w/acme/posts/{post.pk}/"
    assert Post.objects.get().scheduled_at == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_a_repeated_autumn_hour_asks_which_one(alice_client, bluesky, clock):
    asked = alice_client.post(
        NEW, form([bluesky], action="schedule", scheduled_at="2026-10-25T02:30")
    )
    page = text(asked)
    assert "2026-10-25 02:30 happens twice in Europe/Paris" in page
    assert "The first: 02:30 CEST (UTC+0200)" in page
    assert "The second: 02:30 CET (UTC+0100)" in page
    post = Post.objects.get()
    alice_client.post(
        NEW,
        form(
            [bluesky], post_id=post.pk, action="schedule", scheduled_at="2026-10-25T02:30", fold="1"
        ),
    )
    assert Post.objects.get().scheduled_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_editing_a_post_being_published_shows_why_not(alice_client, bluesky, clock):
    alice_client.post(NEW, form([bluesky], action="schedule", scheduled_at="2026-03-21T09:30"))
    post = Post.objects.get()
    Delivery.objects.update(status=DeliveryStatus.CLAIMED)
    message = "This post is being published right now: wait until it is out"
    assert message in text(alice_client.get(f"/w/acme/posts/{post.pk}/edit/"))
    refused = alice_client.post(f"/w/acme/posts/{post.pk}/edit/", form([bluesky], "Changed"))
    assert message in text(refused)
    assert post.variants.get().parts == ["Spring sale!"]


def test_an_editor_cannot_edit_someone_elses_post(alice_client, bob, bluesky):
    alice_client.post(NEW, form([bluesky]))
    post = Post.objects.get()
    response = signed_in(bob).post(f"/w/acme/posts/{post.pk}/edit/", form([bluesky], "Mine now"))
    assert response.status_code == 403
    assert post.variants.get().parts == ["Spring sale!"]


def test_with_an_approval_step_the_post_is_submitted_and_its_page_shows_the_panel(
    alice_client, acme, bluesky, clock
):
    from hubbub.publishing.models import ApprovalStep

    ApprovalStep.objects.create(workspace=acme, order=1, name="Legal", mode="any", roles=["owner"])
    page = alice_client.get(NEW)
    assert "Submit for approval" in text(page)
    response = alice_client.post(
        NEW, form([bluesky], action="submit", scheduled_at="2026-03-21T09:30")
    )
    post = Post.objects.get()
    assert post.status == PostStatus.IN_REVIEW
    assert post.scheduled_at == datetime(2026, 3, 21, 8, 30, tzinfo=UTC)
    detail = alice_client.get(response["Location"])
    assert 'data-testid="approval-panel"' in detail.content.decode()
    assert "Legal" in text(detail)


def test_a_channel_disconnected_since_stays_visible_and_saving_says_what_to_do(
    alice_client, bluesky, clock
):
    alice_client.post(NEW, form([bluesky]))
    post = Post.objects.get()
    Channel.objects.filter(pk=bluesky.pk).update(disconnected_at=NOW)
    page = alice_client.get(f"/w/acme/posts/{post.pk}/edit/")
    assert page.status_code == 200
    assert "acme.bsky.social" in text(page)
    saved = alice_client.post(f"/w/acme/posts/{post.pk}/edit/", form([bluesky], "Again"))
    assert "acme.bsky.social is disconnected: reconnect it or choose another channel." in text(
        saved
    )


def test_without_javascript_a_chosen_file_is_saved_with_the_draft(alice_client, bluesky):
    data = form([bluesky], file=SimpleUploadedFile("cat.png", png(20, 10)))
    response = alice_client.post(NEW, data)
    assert response.status_code == 302
    stored = Post.objects.get().media.get()
    assert (stored.width, stored.height, stored.mime_type) == (20, 10, "image/png")


def test_an_uploaded_image_is_served_to_members_only_as_an_image(
    alice_client, bluesky, charlie, globex
):
    upload = alice_client.post(UPLOAD, {"file": SimpleUploadedFile("cat.png", png(40, 30))})
    path = upload.content.decode().split('name="media-path" value="')[1].split('"')[0]
    served = alice_client.get(f"/w/acme/media/{path}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == png(40, 30)
    assert alice_client.get("/w/acme/media/acme/../../etc/passwd").status_code == 404
    assert signed_in(charlie).get(f"/w/acme/media/{path}").status_code == 404
    assert signed_in(charlie).get(f"/w/globex/media/{path}").status_code == 404
