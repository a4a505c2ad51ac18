# ruff: noqa: F811, RUF001  (pytest fixtures imported from guardrails_support are redefined as arguments)
"""The guardrails in the composer, the actions and the approval step: findings shown live
with their spans, a block stops submit/schedule/approve (in the actions, so the API obeys
too) but never saving a draft, a share's prefill and credit, and the paid partnership."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import get_resolver

from hubbub.accounts.models import User
from hubbub.core.access import Access, ActionError
from hubbub.core.models import AuditEntry, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.curation.guardrails.configure import set_sponsorship
from hubbub.curation.models import Feed, FeedItem, Share, Sponsorship
from hubbub.networks.models import Channel
from hubbub.publishing.actions.approvals import StepInput, approve, set_steps, submit
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.models import Post, PostStatus
from tests.api.conftest import token_api
from tests.curation.guardrails_support import (  # noqa: F401  (fixtures)
    channel,
    clock,
    fake_network,
    owner,
    persona,
    set_mode,
)
from tests.publishing.conftest import NOW

pytestmark = pytest.mark.django_db

NEW = "/w/acme/posts/new/"
VALIDATE = "/w/acme/posts/validate/"
LATER = NOW + timedelta(days=1)


@pytest.fixture(autouse=True)
def urls_loaded() -> None:
    """Load the URLconf before the fake network is registered (as tests/publishing do)."""
    get_resolver().url_patterns  # noqa: B018


def form(channel: Channel, *parts: str, **extra: Any) -> dict[str, Any]:
    return {
        "purpose": "announce the spring sale",
        "channels": [channel.pk],
        "part": list(parts or ["Spring sale!"]),
        **extra,
    }


def draft(access: Access, channel: Channel, text: str) -> Post:
    return create_draft(access, purpose="spring sale", variants=[VariantInput(channel, [text])])


# --- the composer -------------------------------------------------------------------------


def test_the_live_check_shows_each_finding_with_its_rule_and_span(
    alice_client: Client, channel: Channel
):
    response = alice_client.post(
        VALIDATE, form(channel, "Questions? Mail jane@example.com or call +33 6 12 34 56 78")
    )
    page = response.content.decode()
    assert page.count('data-testid="guardrail-finding"') == 2
    assert "<mark>jane@example.com</mark>" in page
    assert "<mark>+33 6 12 34 56 78</mark>" in page
    assert "characters 17–32" in page  # 1-based, as people count
    assert "Personal data" in page


def test_the_quoted_span_is_escaped(alice_client: Client, channel: Channel):
    response = alice_client.post(VALIDATE, form(channel, "<b>jane@example.com</b>"))
    page = response.content.decode()
    assert "&lt;b&gt;" in page and "<b>jane" not in page


def test_a_block_lets_the_draft_be_saved_but_not_scheduled(
    alice_client: Client, acme: Workspace, channel: Channel, clock: time_machine.Traveller
):
    set_mode(acme, "personal_data", "block")
    text = "Mail jane@example.com"
    saved = alice_client.post(NEW, form(channel, text))
    assert saved.status_code == 302
    post = Post.objects.get()
    response = alice_client.post(
        f"/w/acme/posts/{post.pk}/edit/",
        form(channel, text, action="schedule", scheduled_at="2026-06-02T10:00"),
    )
    page = response.content.decode()
    assert 'data-testid="guardrail-error"' in page
    assert "Guardrail “Personal data” blocks this post: “jane@example.com”" in page
    assert Post.objects.get().status == PostStatus.DRAFT


def test_a_warning_lets_the_post_be_scheduled(
    alice_client: Client, channel: Channel, clock: time_machine.Traveller
):
    response = alice_client.post(
        NEW,
        form(channel, "Mail jane@example.com", action="schedule", scheduled_at="2026-06-02T10:00"),
    )
    assert response.status_code == 302
    assert Post.objects.get().status == PostStatus.SCHEDULED


def test_the_paid_partnership_box_records_the_partner_and_the_disclosure_blocks(
    alice_client: Client, channel: Channel, clock: time_machine.Traveller
):
    response = alice_client.post(
        NEW,
        form(
            channel,
            "New shoes!",
            sponsored="1",
            partner="Brandly",
            action="schedule",
            scheduled_at="2026-06-02T10:00",
        ),
    )
    assert "Sponsored disclosure" in response.content.decode()
    post = Post.objects.get()
    assert Sponsorship.objects.get(post=post).partner == "Brandly"
    assert post.status == PostStatus.DRAFT
    alice_client.post(
        f"/w/acme/posts/{post.pk}/edit/",
        form(
            channel,
            "New shoes! #ad",
            sponsored="1",
            partner="Brandly",
            action="schedule",
            scheduled_at="2026-06-02T10:00",
        ),
    )
    assert Post.objects.get().status == PostStatus.SCHEDULED
    # Unticked: the sponsorship goes, and the change is in the audit log.
    alice_client.post(f"/w/acme/posts/{post.pk}/edit/", form(channel, "New shoes! #ad"))
    assert not Sponsorship.objects.exists()
    assert AuditEntry.objects.filter(action="post.sponsorship").count() == 2


def test_a_paid_partnership_needs_its_partner(alice_client: Client, channel: Channel):
    response = alice_client.post(NEW, form(channel, "New shoes #ad", sponsored="1"))
    assert "Name the partner" in response.content.decode()
    assert not Sponsorship.objects.exists()


@pytest.fixture
def feed_item(acme: Workspace) -> FeedItem:
    feed = Feed.objects.create(
        workspace=acme, url="https://cycling.example/feed", title="Cycling Weekly"
    )
    return FeedItem.objects.create(
        workspace=acme,
        feed=feed,
        key="k1",
        url="https://cycling.example/lanes",
        title="New bike lanes",
        author="Sam Reed",
        published_at=NOW,
    )


def test_share_prefills_the_composer_and_saving_records_the_share(
    alice_client: Client, channel: Channel, feed_item: FeedItem
):
    page = alice_client.get(f"{NEW}?share=feed:{feed_item.pk}").content.decode()
    assert 'name="share_source" value="feed:' in page
    assert "New bike lanes" in page and "https://cycling.example/lanes" in page
    alice_client.post(
        NEW, form(channel, "Great read on bike lanes", share_source=f"feed:{feed_item.pk}")
    )
    share = Share.objects.get()
    assert share.post == Post.objects.get() and share.feed_item == feed_item
    # The text gives no credit: the attribution guardrail says so, on the post's page too.
    response = alice_client.post(
        VALIDATE, form(channel, "Great read on bike lanes", share_source=f"feed:{feed_item.pk}")
    )
    assert 'data-rule="attribution"' in response.content.decode()


def test_another_workspaces_item_prefills_nothing(
    alice_client: Client, channel: Channel, globex: Workspace
):
    feed = Feed.objects.create(workspace=globex, url="https://g.example/feed")
    item = FeedItem.objects.create(
        workspace=globex, feed=feed, key="g", title="Globex secret", published_at=NOW
    )
    page = alice_client.get(f"{NEW}?share=feed:{item.pk}").content.decode()
    assert "Globex secret" not in page and "share_source" not in page


# --- the actions (the API goes through them) ----------------------------------------------


def test_schedule_post_refuses_a_block_naming_the_rule_and_the_span(
    owner: Access, acme: Workspace, channel: Channel, clock: time_machine.Traveller
):
    persona(acme, channel, words_to_avoid=["cheap"])
    post = draft(owner, channel, "So cheap today")
    with pytest.raises(ActionError) as refused:
        schedule_post(owner, post, LATER)
    assert "Banned words" in refused.value.message
    assert "“cheap” (characters 4–8 of part 1 on Fakebook · @acme)" in refused.value.message
    assert refused.value.field == "guardrails"


def test_the_api_obeys_the_block_too(
    alice: User, acme: Workspace, channel: Channel, clock: time_machine.Traveller
):
    persona(acme, channel, words_to_avoid=["cheap"])
    api = token_api(alice, acme)
    post = draft(Access(alice, acme, Role.OWNER), channel, "So cheap today")
    response = api.post(f"/workspaces/acme/posts/{post.pk}/schedule", {"at": "2026-06-02T10:00:00"})
    assert response.status_code == 400
    assert "Banned words" in response.json()["detail"]
    response = api.post(f"/workspaces/acme/posts/{post.pk}/submit", {"at": "2026-06-02T10:00:00"})
    assert response.status_code == 400


@pytest.fixture
def manager(make_user, acme: Workspace) -> Access:
    user = make_user("maya@example.com")
    Membership.objects.create(workspace=acme, user=user, role=Role.MANAGER)
    return Access(user, acme, Role.MANAGER)


def test_submit_and_approve_refuse_a_block(
    owner: Access, manager: Access, acme: Workspace, channel: Channel, clock: time_machine.Traveller
):
    set_steps(owner, [StepInput("Managers", "any", roles=[Role.MANAGER])])
    post = submit(owner, draft(owner, channel, "Call 06 12 34 56 78"), LATER)
    assert post.status == PostStatus.IN_REVIEW  # a warning does not stop it
    set_mode(acme, "personal_data", "block")  # the settings change while it waits
    with pytest.raises(ActionError, match="Personal data"):
        approve(manager, post)
    assert Post.objects.get(pk=post.pk).status == PostStatus.IN_REVIEW
    other = draft(owner, channel, "Call 06 12 34 56 78 again")
    with pytest.raises(ActionError, match="06 12 34 56 78"):
        submit(owner, other, LATER)


def test_the_approval_panel_shows_the_findings(
    owner: Access, manager: Access, acme: Workspace, channel: Channel, clock: time_machine.Traveller
):
    set_steps(owner, [StepInput("Managers", "any", roles=[Role.MANAGER])])
    submit(owner, draft(owner, channel, "Call 06 12 34 56 78"), LATER)
    client = Client()
    client.force_login(manager.user)
    page = client.get("/w/acme/approvals/").content.decode()
    assert "<mark>06 12 34 56 78</mark>" in page and "Personal data" in page


def test_set_sponsorship_refuses_another_workspaces_post(
    owner: Access, globex: Workspace, charlie: User, fake_network
):
    other_channel = Channel.objects.create(
        workspace=globex, network="fake", external_id="9", handle="@g"
    )
    other = create_draft(
        Access(charlie, globex, Role.OWNER),
        purpose="x",
        variants=[VariantInput(other_channel, ["x"])],
    )
    with pytest.raises(ActionError):
        set_sponsorship(owner, other, sponsored=True, partner="Brandly")
    assert not Sponsorship.objects.exists()


def test_the_post_page_loads_the_findings_for_its_approval_panel(
    alice_client: Client, owner: Access, channel: Channel
):
    post = draft(owner, channel, "Call 06 12 34 56 78")
    page = alice_client.get(f"/w/acme/posts/{post.pk}/").content.decode()
    assert f"/w/acme/posts/{post.pk}/guardrails/" in page
    panel = alice_client.get(f"/w/acme/posts/{post.pk}/guardrails/").content.decode()
    assert "<mark>06 12 34 56 78</mark>" in panel


def test_the_composer_loads_the_persona_and_graphics_panels(alice_client: Client, channel: Channel):
    page = alice_client.get(NEW).content.decode()
    assert 'hx-get="/w/acme/curate/compose/persona/"' in page
    assert 'hx-get="/w/acme/curate/compose/graphics/"' in page
