"""Publishing fixtures: a fake network, a channel on it, and a clock frozen in June 2026."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.core.roles import Role
from hubbub.networks import registry
from hubbub.networks.models import Channel
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.models import Delivery, Post
from tests.publishing.fake import FakeConnector

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def fake_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeConnector]]:
    monkeypatch.setitem(registry.NETWORKS, "fake", "tests.publishing.fake.FakeConnector")
    FakeConnector.reset()
    yield FakeConnector
    FakeConnector.reset()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def channel(acme: Workspace, fake_network: type[FakeConnector]) -> Channel:
    return Channel.objects.create(workspace=acme, network="fake", external_id="1", handle="@acme")


@pytest.fixture
def owner(alice: User, acme: Workspace) -> Access:
    return Access(user=alice, workspace=acme, role=Role.OWNER)


@pytest.fixture
def editor(bob: User, acme: Workspace) -> Access:
    return Access(user=bob, workspace=acme, role=Role.EDITOR)


@pytest.fixture
def scheduled(
    owner: Access, channel: Channel, clock: time_machine.Traveller
) -> Callable[..., Delivery]:
    """A post scheduled on `channel` in 10 minutes; returns its delivery."""

    def make(*parts: str, first_comment: str = "", minutes: int = 10) -> Delivery:
        post = create_draft(
            owner,
            purpose="announce the sale",
            variants=[VariantInput(channel, list(parts or ["Hello"]), first_comment)],
        )
        schedule_post(owner, post, NOW + timedelta(minutes=minutes))
        return Delivery.objects.get(post=post)

    return make


def reload(delivery: Delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


def post_of(delivery: Delivery) -> Post:
    return Post.objects.get(pk=delivery.post_id)
