"""The composer with curation in a real browser: a post gets a template image from the
Graphic panel, then text with an e-mail address and a phone number, and the guardrails
show each finding live with its highlighted span; a blocking one stops scheduling."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from hubbub.curation.models import GuardrailSetting
from hubbub.networks.models import Channel
from hubbub.publishing.models import Post, PostMedia, PostStatus
from tests.e2e.test_keyboard_and_language import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_a_template_image_and_the_guardrail_warnings(page: Page, shots, alice, acme) -> None:
    Channel.objects.create(
        workspace=acme, network="bluesky", external_id="did:plc:a", handle="acme.bsky.social"
    )
    GuardrailSetting.objects.create(workspace=acme, rule="personal_data", mode="block")
    sign_in(page, alice.email)
    page.goto("/w/acme/posts/new/")
    page.get_by_label("Purpose").fill("announce the spring workshop")

    # The Graphic panel: add the first template's image; it joins the media like an upload,
    # with its alt text filled, so the alt-text guardrail has nothing to say.
    panel = page.get_by_test_id("graphics-panel")
    add = panel.get_by_test_id("graphic-add")
    expect(add).to_be_visible(timeout=15_000)
    add.click()
    item = page.get_by_test_id("media-item")
    expect(item).to_have_count(1, timeout=15_000)
    expect(item.get_by_label("Alt text")).not_to_have_value("")

    text = page.locator("#part-0")
    text.fill("Questions? Mail jane@example.com or call +33 6 12 34 56 78. Order #4815162342.")
    text.press("End")  # a keyup: the live check runs
    checks = page.locator("#validation")
    findings = checks.get_by_test_id("guardrail-finding")
    expect(findings).to_have_count(2)
    expect(checks.locator("mark")).to_have_text(["jane@example.com", "+33 6 12 34 56 78"])
    expect(findings.first).to_contain_text("Personal data")
    expect(findings.first).to_contain_text("characters 17–32")  # noqa: RUF001
    expect(checks.get_by_test_id("guardrail-blocked")).to_be_visible()
    expect(checks.locator('[data-rule="alt_text"]')).to_have_count(0)
    shots(page, "guardrail-findings")

    # Blocked: scheduling is refused with the rule and the span; the draft is saved.
    page.locator("#scheduled-at").fill("2030-06-02T10:00")
    page.get_by_role("button", name="Schedule…").click()
    expect(page.get_by_test_id("guardrail-error").first).to_contain_text(
        "Guardrail “Personal data” blocks this post: “jane@example.com”"
    )
    post = Post.objects.get()
    assert post.status == PostStatus.DRAFT
    assert PostMedia.objects.filter(post=post).exclude(alt_text="").count() == 1
    shots(page, "schedule-refused")
