"""A newcomer's first session, in a real browser: sign in, create a workspace, invite a
colleague who joins from the e-mail's link, connect a Bluesky account on the local Bluesky
network, and switch the interface to French."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.models import Invitation, Membership, Workspace
from hubbub.networks.models import Channel

pytestmark = [pytest.mark.e2e, pytest.mark.peers]

OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "violet-harbour-lantern-42"
MEMBER_EMAIL = "camille@example.com"
MEMBER_PASSWORD = "quiet-meadow-compass-97"


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def wait_for_mail(count: int, seconds: float = 5.0) -> list[mail.EmailMessage]:
    # The invitation goes out when the live server's transaction commits.
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(mail.outbox)


def test_a_newcomer_sets_up_a_workspace(
    open_page: Callable[[], Page], shots, settings, bluesky_net, live_server
) -> None:
    # The local Bluesky network listens on loopback, which Hubbub refuses by default.
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = True
    User.objects.create_user(OWNER_EMAIL, OWNER_PASSWORD, full_name="Olivia Owner")
    owner = open_page()

    # 1. Sign in: with no workspace yet, Hubbub asks for one.
    sign_in(owner, OWNER_EMAIL, OWNER_PASSWORD)
    expect(owner).to_have_url(re.compile(r"/workspaces/new/$"))
    expect(owner.get_by_role("heading", name="New workspace")).to_be_visible()
    shots(owner, "new-workspace")

    # 2. Create the workspace.
    owner.get_by_label("Name").fill("Maison Dupont")
    owner.get_by_label("Time zone").select_option("Europe/Paris")
    # The workspace's language (the menu in the top bar is labelled "Language" too).
    owner.locator("main").get_by_label("Language").select_option("en")
    owner.get_by_role("button", name="Create workspace").click()
    expect(owner.get_by_role("status")).to_contain_text("Workspace Maison Dupont created.")
    workspace = Workspace.objects.get(name="Maison Dupont")
    assert (workspace.time_zone, workspace.language) == ("Europe/Paris", "en")
    expect(owner).to_have_url(re.compile(rf"/w/{workspace.slug}/$"))
    shots(owner, "workspace-created")

    # 3. Members: invite a colleague as editor.
    # By its class, not its accessible name: the name is translated at the end.
    nav = owner.locator("nav.sidenav")
    nav.get_by_role("link", name="Members").click()
    expect(owner.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    invite = owner.locator("form", has=owner.get_by_role("button", name="Send invitation"))
    invite.get_by_label("E-mail address").fill(MEMBER_EMAIL)
    invite.get_by_label("Role").select_option("editor")
    invite.get_by_role("button", name="Send invitation").click()
    expect(owner.get_by_role("status")).to_contain_text(f"Invitation sent to {MEMBER_EMAIL}.")
    row = owner.get_by_test_id("invitation-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(MEMBER_EMAIL)
    expect(row).to_contain_text("Editor")
    expect(row).to_contain_text("pending")
    shots(owner, "member-invited")

    outbox = wait_for_mail(1)
    assert len(outbox) == 1, [m.subject for m in outbox]
    invitation_mail = outbox[0]
    assert invitation_mail.to == [MEMBER_EMAIL]
    subject, body = str(invitation_mail.subject), str(invitation_mail.body)
    assert "Maison Dupont" in subject + body
    link = re.search(r"https?://\S+(/accounts/invitation/[^/\s]+/)", body)
    assert link, f"no invitation link in the e-mail:\n{body}"

    # 4. The colleague opens the link in their own browser and creates an account.
    member = open_page()
    member.goto(link.group(1))
    expect(member.get_by_role("heading", name="Join Maison Dupont")).to_be_visible()
    expect(member.locator("main")).to_contain_text(f"for {MEMBER_EMAIL}, as Editor")
    member.get_by_label("Your name").fill("Camille Martin")
    member.get_by_label(re.compile(r"^Password:?$")).fill(MEMBER_PASSWORD)
    member.get_by_label("Password again").fill(MEMBER_PASSWORD)
    shots(member, "invitation-sign-up")
    member.get_by_role("button", name="Create account and join").click()
    expect(member).to_have_url(re.compile(rf"/w/{workspace.slug}/$"))
    expect(member.get_by_role("status")).to_contain_text("Welcome to Maison Dupont.")
    shots(member, "member-joined")
    joined = Membership.objects.get(workspace=workspace, user__email=MEMBER_EMAIL)
    assert joined.role == "editor"
    assert Invitation.objects.get(workspace=workspace).accepted_at is not None

    # 5. Channels: connect a Bluesky account of the local network.
    # What the newcomer does in Bluesky first: an account, then an app password for Hubbub.
    handle, password, did = bluesky_net.create_account("maison")
    app_password = bluesky_net.create_app_password(handle, password, name="Hubbub")
    nav.get_by_role("link", name="Channels").click()
    expect(owner.get_by_role("heading", name="Channels", exact=True)).to_be_visible()
    owner.get_by_test_id("connect-bluesky").click()
    expect(owner.get_by_role("heading", name="Connect a Bluesky account")).to_be_visible()
    owner.get_by_label("Handle").fill(handle)
    owner.get_by_label("App password").fill(app_password)
    owner.get_by_label("PDS URL").fill(bluesky_net.pds_url)
    shots(owner, "bluesky-connect-form")
    owner.get_by_role("button", name="Connect", exact=True).click()
    expect(owner.get_by_role("heading", name="Channels", exact=True)).to_be_visible()
    expect(owner.get_by_role("status")).to_contain_text(f"(@{handle}) connected.")
    expect(owner.get_by_role("status")).not_to_contain_text("main password")
    channel_row = owner.locator('[data-testid="channel-row"][data-network="bluesky"]')
    expect(channel_row).to_have_count(1)
    expect(channel_row).to_contain_text(handle)
    expect(channel_row.get_by_test_id("health")).to_have_text("Healthy")
    shots(owner, "bluesky-connected")
    channel = Channel.objects.get(workspace=workspace, network="bluesky")
    assert (channel.handle, channel.external_id) == (handle, did)

    # 6. The language menu switches the interface to French, and it stays French.
    with owner.expect_navigation():
        owner.locator("header").get_by_label("Language").select_option("fr")
    expect(owner.locator("html")).to_have_attribute("lang", "fr")
    expect(nav.get_by_role("link", name="Membres")).to_be_visible()
    expect(nav.get_by_role("link", name="Canaux")).to_have_attribute("aria-current", "page")
    expect(owner.get_by_role("heading", name="Canaux", exact=True)).to_be_visible()
    shots(owner, "french")
    owner.reload()
    expect(owner.locator("html")).to_have_attribute("lang", "fr")
    assert User.objects.get(email=OWNER_EMAIL).language == "fr"
