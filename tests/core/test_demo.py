"""Demo data: built through the real actions, in English and French, safe to rerun."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from hubbub.core.demo import BRANDS, DEMO_PASSWORD, create_demo
from hubbub.core.models import ApiToken, AuditEntry, Invitation, Membership, Workspace
from hubbub.core.roles import Role
from hubbub.networks.actions import check_channel
from hubbub.networks.models import Channel, Health


def snapshot() -> dict[str, int]:
    return {
        "workspaces": Workspace.objects.count(),
        "members": Membership.objects.count(),
        "channels": Channel.objects.count(),
        "invitations": Invitation.objects.count(),
        "tokens": ApiToken.objects.count(),
    }


@pytest.fixture
def demo(alice):
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
