"""The publishing flow in real browsers, against the local Bluesky network: an editor drafts
a post and submits it for approval, a manager approves it, the worker publishes it when it is
due, and the post page shows the link to the post on the network — which really holds it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from hubbub.accounts.models import User
from hubbub.core.access import access_workspace
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.networks.bluesky.connect import connect_bluesky
from hubbub.publishing import tasks
from hubbub.publishing.models import ApprovalStep, Delivery, Post, PostStatus, StepMode
from tests.e2e.test_keyboard_and_language import sign_in
from tests.peers.bluesky_net import BlueskyNet

pytestmark = [pytest.mark.e2e, pytest.mark.peers]

TEXT = "Our spring roast is here: Ethiopian Guji, bright and floral."


def test_an_editor_drafts_a_manager_approves_and_the_worker_publishes_to_bluesky(
    open_page: Callable[[], Page],
    shots,
    settings,
    bluesky_net: BlueskyNet,
    alice: User,
    bob: User,
    make_user: Callable[..., User],
    acme: Workspace,
) -> None:
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = True  # the local network listens on loopback
    maya = make_user("maya@example.com", full_name="Maya Manager")
    Membership.objects.create(workspace=acme, user=maya, role=Role.MANAGER)
    ApprovalStep.objects.create(
        workspace=acme, order=1, name="Brand manager", mode=StepMode.ANY, roles=[Role.MANAGER]
    )
    handle, password, _did = bluesky_net.create_account("flow")
    channel = connect_bluesky(
        access_workspace(alice, "acme"),
        handle,
        bluesky_net.create_app_password(handle, password),
        bluesky_net.pds_url,
    )

    # 1. The editor drafts the post and submits it for approval, planned two minutes ahead.
    planned = (timezone.now() + timedelta(minutes=2)).astimezone(acme.tz)
    editor = open_page()
    sign_in(editor, bob.email)
    editor.goto("/w/acme/posts/new/")
    editor.get_by_label("Purpose").fill("launch the spring roast")
    editor.get_by_role("checkbox", name=re.compile(re.escape(handle))).check()
    editor.locator("#part-0").fill(TEXT)
    editor.get_by_label(re.compile(r"^Date and time")).fill(planned.strftime("%Y-%m-%dT%H:%M"))
    shots(editor, "drafted")
    editor.get_by_role("button", name="Submit for approval").click()
    expect(editor.get_by_text("Submitted for approval.")).to_be_visible()
    expect(editor.get_by_test_id("post-status")).to_have_text("In review")
    post = Post.objects.get()
    assert post.author == bob and post.status == PostStatus.IN_REVIEW
    assert not Delivery.objects.exists()  # nothing can go out before it is approved

    # 2. The manager finds it waiting for her and approves it.
    manager = open_page()
    sign_in(manager, maya.email)
    manager.goto("/w/acme/approvals/")
    item = manager.get_by_test_id("queue-post")
    expect(item).to_contain_text("launch the spring roast")
    expect(item).to_contain_text(TEXT)
    shots(manager, "waiting-for-approval")
    item.get_by_test_id("approve").click()
    expect(manager.get_by_test_id("approval-panel").first).to_contain_text("Scheduled")
    [delivery] = Delivery.objects.all()
    assert delivery.status == "scheduled"
    assert delivery.due_at == planned.replace(second=0, microsecond=0)

    # 3. The worker's minute sweep, run when the post is due, publishes it on the network.
    with time_machine.travel(delivery.due_at + timedelta(seconds=5), tick=True):
        tasks.sweep.call_local()
    delivery.refresh_from_db()
    assert delivery.status == "published", delivery.last_error
    assert Post.objects.get().status == PostStatus.PUBLISHED

    # 4. The post page shows the link; the network holds the text.
    editor.goto(f"/w/acme/posts/{post.pk}/")
    expect(editor.get_by_test_id("post-status")).to_have_text("Published")
    link = editor.get_by_test_id("published-link")
    expect(link).to_have_attribute(
        "href", re.compile(rf"^https://bsky\.app/profile/{re.escape(handle)}/post/")
    )
    shots(editor, "published")
    [ref] = delivery.refs()
    repo, collection, rkey = ref.external_id.removeprefix("at://").split("/")
    session = bluesky_net.login(handle, password)
    record = bluesky_net.get(
        "com.atproto.repo.getRecord",
        session["accessJwt"],
        repo=repo,
        collection=collection,
        rkey=rkey,
    )
    assert record.status_code == 200, record.text
    assert record.json()["value"]["text"] == TEXT
    assert channel.pk == delivery.channel_id
