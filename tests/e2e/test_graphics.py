"""The composer's Graphic panel in a real browser: choose a template, type, preview with the
keyboard, add the image to the post with its alt text, and save the draft with it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hubbub.curation.models import GraphicTemplate
from hubbub.networks.models import Channel
from hubbub.publishing.models import Post
from tests.e2e.test_keyboard_and_language import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_a_graphic_is_previewed_and_added_to_a_post(page: Page, shots, alice, acme) -> None:
    Channel.objects.create(workspace=acme, network="x", external_id="1", handle="@acme")
    template = GraphicTemplate.objects.create(
        workspace=acme, name="Team quote", kind="quote", defaults={"quote": "Hello"}
    )
    sign_in(page, alice.email)
    page.goto("/w/acme/posts/new/")
    panel = page.get_by_test_id("graphics-panel-body")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("Template")).to_have_value(str(template.pk))
    expect(panel.get_by_label("Quote")).to_have_value("Hello")

    panel.get_by_label("Quote").fill("<b>Less</b> is more")
    panel.get_by_label("Person").fill("Mies")
    panel.get_by_label("Size").select_option("linkedin")
    panel.get_by_label("Quote").focus()
    panel.get_by_role("button", name="Preview").press("Enter")
    preview = panel.get_by_test_id("graphic-preview-image")
    expect(preview).to_have_attribute("alt", "Quote: “<b>Less</b> is more” — Mies")
    shots(page, "previewed")

    panel.get_by_role("button", name="Add to post").click()
    item = page.locator("#media-list").get_by_test_id("media-item")
    expect(item).to_have_count(1)
    expect(item.get_by_label("Alt text")).to_have_value("Quote: “<b>Less</b> is more” — Mies")
    expect(item).to_contain_text("1200 \u00d7 627 px")
    shots(page, "added")

    page.get_by_label("Purpose").fill("quote of the week")
    page.locator("#part-0").fill("Words to live by")
    page.get_by_role(
        "checkbox", name=re.compile("@acme")
    ).check()  # media lives on a channel's text
    page.get_by_role("button", name="Save draft").last.click()
    expect(page).to_have_url(re.compile(r"/w/acme/posts/\d+/"))
    post = Post.objects.get(workspace=acme, purpose="quote of the week")
    media = [m for v in post.variants.all() for m in v.media.all()]
    assert media and media[0].alt_text == "Quote: “<b>Less</b> is more” — Mies"
    assert media[0].width == 1200 and media[0].height == 627
