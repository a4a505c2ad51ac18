"""Using Hubbub with the keyboard alone, switching language before signing in, and untrusted
text staying text in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hubbub.core.models import Workspace
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

HOSTILE_NAME = "<img src=x onerror=alert(1)>"


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_skip_link_is_the_first_tab_stop_and_g_m_opens_members(
    page: Page, shots, alice, acme
) -> None:
    sign_in(page, alice.email)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    shots(page, "skip-link-focused")
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    page.keyboard.press("g")
    page.keyboard.press("m")
    expect(page).to_have_url(re.compile(r"/w/acme/members/$"))
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    members_link = page.locator("nav.sidenav").get_by_role("link", name="Members")
    expect(members_link).to_have_attribute("aria-current", "page")

    # "?" lists the shortcuts; Escape closes the list again.
    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    shots(page, "shortcuts")
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()


def test_shortcuts_do_not_fire_while_typing(page: Page, alice, acme) -> None:
    sign_in(page, alice.email)
    page.goto("/w/acme/members/")
    email = page.get_by_label("E-mail address")
    email.press_sequentially("gm")
    expect(email).to_have_value("gm")
    expect(page).to_have_url(re.compile(r"/w/acme/members/$"))


def test_the_language_menu_works_before_signing_in(page: Page, shots) -> None:
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.locator("header").get_by_label("Language").select_option("fr")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("header").locator("select")).to_have_value("fr")
    expect(page.get_by_role("heading", name="Se connecter à Hubbub")).to_be_visible()
    shots(page, "sign-in-french")


def test_an_untrusted_workspace_name_is_shown_as_text(
    page: Page, shots, dialogs: list[str], alice, acme
) -> None:
    sign_in(page, alice.email)
    page.goto("/workspaces/new/")
    page.get_by_label("Name").fill(HOSTILE_NAME)
    page.get_by_role("button", name="Create workspace").click()
    workspace = Workspace.objects.get(name=HOSTILE_NAME)
    expect(page).to_have_url(re.compile(rf"/w/{workspace.slug}/$"))
    page.wait_for_load_state("networkidle")

    # The name is shown as the characters typed, in the message and the switcher...
    expect(page.get_by_role("status")).to_contain_text(f"Workspace {HOSTILE_NAME} created.")
    expect(page.get_by_test_id("workspace-switcher").locator("summary")).to_have_text(HOSTILE_NAME)
    # ... and never becomes an element: no <img src="x"> exists, no alert() ran.
    expect(page.locator('img[src="x"]')).to_have_count(0)
    page.get_by_test_id("workspace-switcher").locator("summary").click()
    expect(page.get_by_role("link", name=HOSTILE_NAME)).to_be_visible()
    page.goto(f"/w/{workspace.slug}/members/")
    page.wait_for_load_state("networkidle")
    expect(page.locator('img[src="x"]')).to_have_count(0)
    shots(page, "hostile-name")
    assert dialogs == []
