"""Demo data: built through the real actions, in English and French, safe to rerun."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth import authenticate

from hubbub.core.demo import BRANDS, DEMO_PASSWORD, create_demo
from hubbub.core.models import ApiToken, AuditEntry, Invitation, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.networks.actions import check_channel
from hubbub.networks.models import Channel, Health
from hubbub.publishing.models import (
    ApprovalDecision,
    ApprovalStep,
    Campaign,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Post,
    PostStatus,
)
from hubbub.publishing.status import derived_status
from hubbub.publishing.validation import check_variant


def snapshot() -> dict[str, int]:
    return {
        "workspaces": Workspace.objects.count(),
        "members": Membership.objects.count(),
        "channels": Channel.objects.count(),
        "invitations": Invitation.objects.count(),
        "tokens": ApiToken.objects.count(),
        "campaigns": Campaign.objects.count(),
        "posts": Post.objects.count(),
        "deliveries": Delivery.objects.count(),
        "attempts": DeliveryAttempt.objects.count(),
        "steps": ApprovalStep.objects.count(),
        "decisions": ApprovalDecision.objects.count(),
    }


NOW = datetime(2026, 6, 3, 15, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def demo(alice):
    with time_machine.travel(NOW, tick=False):
        return create_demo(alice)


def test_it_creates_an_english_and_a_french_workspace(demo, alice):
    assert [(w.language, w.time_zone) for w in demo] == [
        ("en", "America/New_York"),
        ("fr", "Europe/Paris"),
    ]
    for workspace, brand in zip(demo, BRANDS, strict=True):
        assert workspace.name == brand.name
        roles = dict(
            Membership.objects.filter(workspace=workspace).values_list("user__email", "role")
        )
        assert roles.pop(alice.email) == Role.OWNER
        assert roles == {email: role for email, _name, role in brand.team}
        channels = Channel.objects.filter(workspace=workspace)
        assert sorted(c.network for c in channels) == ["bluesky", "mastodon"]
        assert all(c.config == {"demo": True} and c.health == Health.OK for c in channels)
        assert workspace.invitations.get().email == brand.invite


def test_it_is_idempotent(demo, alice):
    before = snapshot()
    again = create_demo(alice)
    assert [w.pk for w in again] == [w.pk for w in demo]
    assert snapshot() == before


def test_demo_people_are_in_their_brand_language_and_can_sign_in(demo):
    french = BRANDS[1].team[0][0]
    user = authenticate(username=french, password=DEMO_PASSWORD)
    assert user is not None
    assert user.language == "fr"


def test_its_history_is_in_the_audit_log(demo):
    english = demo[0]
    actions = set(AuditEntry.objects.filter(workspace=english).values_list("action", flat=True))
    assert {
        "workspace.create",
        "member.join",
        "member.role_change",
        "member.invite",
        "channel.connect",
        "token.create",
        "demo.create",
    } <= actions
    assert set(AuditEntry.objects.filter(workspace=english).values_list("via", flat=True)) == {
        "cli"
    }


def test_a_demo_channel_is_left_alone_by_health_checks(demo):
    channel = Channel.objects.filter(workspace=demo[0]).first()
    assert channel is not None
    check_channel(channel)  # would ask the network (and fail: there is no account) otherwise
    channel.refresh_from_db()
    assert channel.health == Health.OK
    assert channel.last_checked_at is None


# --- the publishing calendar ----------------------------------------------------------------


def posts_of(workspace: Workspace, status: str) -> list[Post]:
    return list(Post.objects.filter(workspace=workspace, status=status).order_by("scheduled_at"))


def planned(post: Post) -> datetime:
    assert post.scheduled_at is not None, post
    return post.scheduled_at


@pytest.mark.parametrize("index", [0, 1])
def test_each_workspace_has_a_fortnight_of_publishing(demo, index):
    workspace = demo[index]
    tz = workspace.tz
    published = posts_of(workspace, PostStatus.PUBLISHED)
    assert len(published) >= 3
    for post in published:
        assert planned(post) < NOW
        for delivery in Delivery.objects.filter(post=post).select_related("channel"):
            assert delivery.status == DeliveryStatus.PUBLISHED
            host = "bsky.app" if delivery.channel.network == "bluesky" else "/@lumen/"
            assert host in delivery.published_url
            assert delivery.published_at is not None and delivery.published_at > delivery.due_at
            assert delivery.attempts.filter(outcome="published").count() == len(
                delivery.variant.parts
            )
    retried = Delivery.objects.filter(workspace=workspace, attempts__outcome="transient")
    assert retried.filter(status=DeliveryStatus.PUBLISHED).exists()  # one went out on retry

    upcoming = posts_of(workspace, PostStatus.SCHEDULED)
    assert len(upcoming) >= 4
    for post in upcoming:
        assert NOW < planned(post) < NOW + timedelta(days=14)
        local = planned(post).astimezone(tz)
        assert time(8, 0) <= local.time() <= time(19, 0), local  # office hours, in its zone
        deliveries = Delivery.objects.filter(post=post)
        assert {d.status for d in deliveries} == {DeliveryStatus.SCHEDULED}
        assert all(d.due_at == post.scheduled_at for d in deliveries)

    assert len(posts_of(workspace, PostStatus.DRAFT)) == 2
    assert not Delivery.objects.filter(post__status=PostStatus.DRAFT).exists()
    campaigns = Campaign.objects.filter(workspace=workspace)
    assert campaigns.count() == 2
    assert all(c.purpose and c.colour.startswith("#") and c.posts.exists() for c in campaigns)


@pytest.mark.parametrize("index", [0, 1])
def test_one_post_waits_for_the_brand_manager(demo, index):
    workspace = demo[index]
    [step] = ApprovalStep.objects.filter(workspace=workspace)
    assert step.roles == [Role.MANAGER]
    assert step.name in ("Brand manager", "Responsable de marque")
    [waiting] = posts_of(workspace, PostStatus.IN_REVIEW)
    assert planned(waiting) > NOW  # the planned time, shown in the calendar
    assert waiting.submitted_at is not None
    assert not waiting.decisions.exists()
    assert not Delivery.objects.filter(post=waiting).exists()


@pytest.mark.parametrize("index", [0, 1])
def test_one_post_failed_and_says_why(demo, index):
    workspace = demo[index]
    [failed] = posts_of(workspace, PostStatus.FAILED)
    [delivery] = Delivery.objects.filter(post=failed)
    assert delivery.status == DeliveryStatus.NEEDS_ATTENTION
    assert delivery.channel.network == "bluesky"
    assert "Invalid identifier or password" in delivery.network_message
    assert "app password" in delivery.last_error or "mot de passe" in delivery.last_error
    assert delivery.attempts.get().outcome == "permanent"


def test_every_post_status_is_what_its_deliveries_say(demo):
    for post in Post.objects.filter(workspace__in=demo).prefetch_related("deliveries"):
        statuses = {d.status for d in post.deliveries.all()}
        if statuses:
            assert derived_status(statuses) == post.status, post


def test_every_demo_post_fits_its_network(demo):
    for post in Post.objects.filter(workspace__in=demo).prefetch_related("variants__channel"):
        for variant in post.variants.all():
            assert check_variant(variant.channel, variant.parts) == [], variant


def test_the_french_calendar_is_in_french(demo):
    french = demo[1]
    assert Campaign.objects.filter(workspace=french, name="Bien infuser").exists()
    assert all(
        v.language == "fr" for p in Post.objects.filter(workspace=french) for v in p.variants.all()
    )


def test_each_workspace_has_a_brand_and_a_monday_report(demo):
    from hubbub.core.actions.brand import logo_path
    from hubbub.core.models import Brand
    from hubbub.reporting.models import ReportSchedule

    for workspace in demo:
        brand = Brand.of(workspace)
        assert brand.primary_colour == "#7c2d12" and logo_path(brand) is not None
        (schedule,) = ReportSchedule.objects.filter(workspace=workspace)
        assert (schedule.frequency, schedule.weekday, schedule.hour) == ("weekly", 0, 8)
        assert schedule.language == workspace.language
        roles = set(
            workspace.memberships.filter(user__in=schedule.members.all()).values_list(
                "role", flat=True
            )
        )
        assert roles and roles <= {"manager", "client_viewer"}  # the manager, the client
    assert ReportSchedule.objects.get(workspace=demo[1]).name == "Résultats du lundi"
