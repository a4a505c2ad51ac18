"""The composer in a real browser with a video: YouTube asks for one until it is attached,
then the upload shows a playable preview with its length, and the channel is ready."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from hubbub.networks.models import Channel
from hubbub.publishing.models import Post
from tests.e2e.test_keyboard_and_language import sign_in

pytestmark = pytest.mark.e2e

CLIP = Path(__file__).parents[1] / "fixtures" / "video" / "clip.webm"  # 64x36, 3.2 s, VP9


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_a_video_is_attached_and_previewed(page: Page, shots, alice, acme) -> None:
    Channel.objects.create(workspace=acme, network="youtube", external_id="UC1", handle="@acme")
    sign_in(page, alice.email)
    page.goto("/w/acme/posts/new/")
    page.get_by_label("Purpose").fill("launch film")
    text = page.locator("#part-0")
    text.fill("Our launch film")
    text.press("End")
    checks = page.locator("#validation")
    expect(checks).to_contain_text("has no video: add a video")

    clip: FilePayload = {
        "name": "launch.webm",
        "mimeType": "video/webm",
        "buffer": CLIP.read_bytes(),
    }
    page.locator("#upload").set_input_files(files=[clip])
    item = page.get_by_test_id("media-item")
    expect(item).to_contain_text("launch.webm")
    expect(item.get_by_test_id("video-duration")).to_have_text("0:03")
    preview = item.get_by_test_id("video-preview")
    expect(preview).to_be_visible()
    # The browser really loaded it: it knows the length and the frame size.
    page.wait_for_function("el => el.readyState >= 1", arg=preview.element_handle(), timeout=10_000)
    assert preview.evaluate("el => [el.videoWidth, el.videoHeight]") == [64, 36]
    assert abs(preview.evaluate("el => el.duration") - 3.2) < 0.1
    expect(checks).to_contain_text("Ready to go on this channel.")
    expect(checks.get_by_test_id("preview-video")).to_be_visible()
    page.get_by_label("Alt text").fill("A test pattern")
    page.get_by_label("Alt text").press("End")
    expect(checks).to_contain_text("A test pattern")
    shots(page, "video-attached")

    page.get_by_label("Alt text").press("Control+Enter")
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    media = Post.objects.get().variants.get().media.get()
    assert (media.mime_type, media.width, media.height) == ("video/webm", 64, 36)
    assert media.duration_seconds == pytest.approx(3.2)
    assert media.alt_text == "A test pattern"
