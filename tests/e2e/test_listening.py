"""Writing a listening query in a real browser: the live preview beside the field counts the
stored mentions the query matches as it is typed (htmx, 300 ms after typing stops), points
at a mistake with a caret under its position, and the query is saved."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Workspace
from hubbub.listening.models import Mention, Query
from tests.e2e.test_keyboard_and_language import sign_in

pytestmark = pytest.mark.e2e


def test_a_query_is_written_with_its_live_preview(
    page: Page, shots, alice: User, acme: Workspace
) -> None:
    now = timezone.now()
    for i, text in enumerate(
        [
            "Acme delivered my parcel early, great service",
            "Where is my Acme delivery? Late again",
            "Globex is launching a new phone",
        ]
    ):
        Mention.objects.create(
            workspace=acme,
            network="bluesky",
            external_id=f"e2e-{i}",
            text=text,
            language="en",
            published_at=now - timedelta(minutes=i + 1),
        )
    sign_in(page, alice.email)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.goto("/w/acme/listening/queries/new/")
    page.wait_for_load_state("load")
    page.get_by_label("Name").fill("Acme deliveries")
    field = page.get_by_label("Query:", exact=True)
    count = page.get_by_test_id("preview-count")

    field.press_sequentially("acme", delay=30)
    expect(count).to_have_text("2 of the last 3 mentions match.")
    expect(page.get_by_test_id("preview-match")).to_have_count(2)
    shots(page, "acme")

    field.press_sequentially(" AND", delay=30)
    error = page.get_by_test_id("preview-error")
    expect(error).to_contain_text("AND needs something after it.")
    expect(error).to_contain_text("(at character 6)")
    caret = page.get_by_test_id("preview-caret")
    expect(caret).to_have_attribute("data-position", "5")
    expect(caret).to_have_text(re.compile(r"^acme AND\n {5}\^$"))
    shots(page, "error")

    field.press_sequentially(" late", delay=30)
    expect(count).to_have_text("1 of the last 3 mentions matches.")
    expect(page.get_by_test_id("preview-match")).to_contain_text("Late again")
    shots(page, "fixed")

    page.get_by_test_id("save-query").click()
    expect(page).to_have_url(re.compile(r"/w/acme/listening/queries/$"))
    expect(page.get_by_test_id("query-row")).to_contain_text("Acme deliveries")
    assert Query.objects.get(workspace=acme).text == "acme AND late"
