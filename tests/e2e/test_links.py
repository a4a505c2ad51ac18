"""The links page in a real browser, by keyboard: the default template saved, then the live
preview shows the sample text's link tagged as it is typed (htmx, 300 ms after typing
stops), the author's own utm_ link left as written."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.curation.models import UtmTemplate
from tests.e2e.test_keyboard_and_language import sign_in

pytestmark = pytest.mark.e2e


def test_the_default_template_and_its_live_preview(
    page: Page, shots, alice: User, acme: Workspace
) -> None:
    sign_in(page, alice.email)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.goto("/w/acme/curate/links/")
    page.wait_for_load_state("load")
    form = page.get_by_test_id("utm-default-form")
    form.get_by_label("utm_content").fill("{channel}")
    form.get_by_role("button", name="Save the default template").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Default UTM template saved.")).to_be_visible()
    assert UtmTemplate.objects.get(workspace=acme).utm_content == "{channel}"

    field = page.get_by_label("Sample text")
    field.fill("")
    field.press_sequentially("New: https://acme.example/menu!", delay=20)
    tagged = (
        "New: https://acme.example/menu?utm_source=network&utm_medium=social&utm_content=channel!"
    )
    expect(page.get_by_test_id("preview-text")).to_have_text(tagged)
    shots(page, "tagged")

    field.press_sequentially(" https://acme.example/?utm_source=mail", delay=20)
    table = page.get_by_test_id("preview-links")
    expect(table).to_contain_text("already tagged by its author")
