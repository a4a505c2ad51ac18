"""The composer in a real browser: live validation and preview as one types, a thread part
added, an image uploaded with its alt text, autosave, Ctrl+Enter."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from hubbub.networks.models import Channel
from hubbub.publishing.models import Post
from tests.e2e.test_keyboard_and_language import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "teal").save(out, "PNG")
    return out.getvalue()


def test_an_editor_composes_a_thread_with_an_image(page: Page, shots, alice, acme) -> None:
    Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )
    sign_in(page, alice.email)
    page.goto("/w/acme/posts/new/")
    page.get_by_label("Purpose").fill("announce the spring sale")

    text = page.locator("#part-0")
    text.fill("x" * 301)
    text.press("End")  # a keyup: the live check runs
    checks = page.locator("#validation")
    expect(checks).to_contain_text("Text: 301 / 300")
    expect(checks).to_contain_text("shorten it by 1")
    text.press("Backspace")
    expect(checks).to_contain_text("Ready to go on this channel.")
    # Autosave creates the draft a few seconds after typing stops.
    expect(page.locator("#autosave")).to_contain_text(
        re.compile(r"Saved \d\d:\d\d"), timeout=10_000
    )
    expect(page).to_have_url(re.compile(r"/w/acme/posts/\d+/edit/$"))
    shots(page, "autosaved")

    page.get_by_role("button", name="Add a part (thread)").first.click()
    second = page.locator("#part-1")
    expect(second).to_be_focused()
    second.fill("<b>part two</b>")
    second.press("End")
    expect(checks).to_contain_text("Part 2: 15 / 300")
    expect(checks.locator(".pv-text").nth(1)).to_have_text("<b>part two</b>")

    image: FilePayload = {"name": "sale.png", "mimeType": "image/png", "buffer": png_bytes()}
    page.locator("#upload").set_input_files(files=[image])
    expect(page.get_by_test_id("media-item")).to_contain_text("60 × 40 px")  # noqa: RUF001
    page.get_by_label("Alt text").fill("A teal rectangle")
    page.get_by_label("Alt text").press("End")
    expect(checks).to_contain_text("A teal rectangle")
    expect(page.get_by_test_id("media-item")).to_contain_text("sale.png")
    shots(page, "thread-with-image")

    page.get_by_label("Alt text").press("Control+Enter")
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    post = Post.objects.get()
    variant = post.variants.get()
    assert variant.parts == ["x" * 300, "<b>part two</b>"]
    assert variant.media.get().alt_text == "A teal rectangle"


def test_the_post_page_and_the_paused_health_panel(page: Page, shots, alice, acme) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from hubbub.core.access import access_workspace
    from hubbub.publishing.actions.pause import pause_publishing
    from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
    from hubbub.publishing.models import Delivery, DeliveryStatus

    channel = Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )
    owner = access_workspace(alice, "acme")
    post = create_draft(owner, purpose="launch day", variants=[VariantInput(channel, ["Hi!"])])
    schedule_post(owner, post, timezone.now() + timedelta(hours=2))
    Delivery.objects.update(
        status=DeliveryStatus.NEEDS_ATTENTION,
        last_error="Bluesky rejected the request (HTTP 400)",
        network_message="Record/text must not be longer than 300 graphemes",
    )
    pause_publishing(owner)

    sign_in(page, alice.email)
    page.goto(f"/w/acme/posts/{post.pk}/")
    expect(page.get_by_test_id("pause-banner")).to_contain_text("Publishing is paused since")
    expect(page.get_by_text("The network said:")).to_be_visible()
    shots(page, "post-page")
    page.get_by_test_id("pause-banner").get_by_role("link", name="Resume").click()
    expect(page.get_by_role("heading", name="Publishing health")).to_be_visible()
    expect(page.get_by_test_id("n-attention")).to_have_text("1")
    shots(page, "health-panel")
    page.get_by_test_id("resume").click()
    expect(page.get_by_test_id("pause-banner")).to_have_count(0)
