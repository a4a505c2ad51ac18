"""Fixtures for the inbox's actions (imported explicitly by tests/inbox/test_actions_*.py):
a fake network that replies, likes, hides and deletes, a channel on it, members in each
role and a conversation with a message to answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
import time_machine

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox import sla
from hubbub.inbox.models import Conversation, Customer, Direction, Identity, Kind, Message
from hubbub.networks import registry
from hubbub.networks.base import Capability
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.publishing.fake import FakeConnector

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def _capabilities(*names: str) -> frozenset[Capability]:
    return frozenset(Capability[n] for n in names)


class FakeInboxConnector(FakeConnector):
    """The publishing fake, able to reply and to act on messages (recorded in `actions`)."""

    name = "fakeinbox"
    label = "Fakechat"
    capabilities = _capabilities(
        "PUBLISH_TEXT",
        "PUBLISH_THREAD",
        "REPLY",
        "DIRECT_MESSAGES",
        "DELETE",
        "LIKE",
        "HIDE",
        "DELETE_COMMENTS",
    )
    actions: ClassVar[list[tuple[str, str, Any]]] = []
    refuse: ClassVar[Exception | None] = None

    @classmethod
    def reset(cls) -> None:
        super().reset()
        cls.actions = []
        cls.refuse = None

    def _act(self, what: str, ref: PublishedRef, value: Any = None) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.actions.append((what, ref.external_id, value))

    def like(self, ref: PublishedRef) -> None:
        self._act("like", ref)

    def hide(self, ref: PublishedRef, hidden: bool) -> None:
        self._act("hide", ref, hidden)

    def delete_comment(self, ref: PublishedRef) -> None:
        self._act("delete_comment", ref)

    def delete(self, ref: PublishedRef) -> None:
        self._act("delete", ref)


class ReadOnlyConnector(FakeConnector):
    """A network the inbox reads but cannot answer on."""

    name = "readonly"
    label = "Readonlygram"
    capabilities = _capabilities("PUBLISH_TEXT", "READ_COMMENTS")


@pytest.fixture
def inbox_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeInboxConnector]]:
    monkeypatch.setitem(
        registry.NETWORKS, "fakeinbox", "tests.inbox.conftest_actions.FakeInboxConnector"
    )
    monkeypatch.setitem(
        registry.NETWORKS, "readonly", "tests.inbox.conftest_actions.ReadOnlyConnector"
    )
    FakeInboxConnector.reset()
    yield FakeInboxConnector
    FakeInboxConnector.reset()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def chan(acme: Workspace, inbox_network: type[FakeInboxConnector]) -> Channel:
    return Channel.objects.create(
        workspace=acme, network="fakeinbox", external_id="brand", handle="@acme"
    )


@pytest.fixture
def member(acme: Workspace, make_user: Callable[..., User]) -> Callable[[str, str], Access]:
    """member("moderator", "mo@example.com") → an Access of a new member in that role."""

    def make(role: str, email: str, full_name: str = "") -> Access:
        user = make_user(email, full_name=full_name)
        Membership.objects.create(workspace=acme, user=user, role=role)
        return Access(user=user, workspace=acme, role=role)

    return make


@pytest.fixture
def owner(alice: User, acme: Workspace) -> Access:
    return Access(user=alice, workspace=acme, role=Role.OWNER)


@pytest.fixture
def editor(bob: User, acme: Workspace) -> Access:
    return Access(user=bob, workspace=acme, role=Role.EDITOR)


@pytest.fixture
def analyst(member: Callable[..., Access]) -> Access:
    return member(Role.ANALYST, "ana@example.com", "Ana Lyst")


@pytest.fixture
def moderator(member: Callable[..., Access]) -> Access:
    return member(Role.MODERATOR, "mo@example.com", "Mo Derator")


@pytest.fixture
def stranger(charlie: User, globex: Workspace) -> Access:
    return Access(user=charlie, workspace=globex, role=Role.OWNER)


def make_conversation(
    channel: Channel,
    *,
    kind: str = Kind.MENTION,
    text: str = "Where is my order?",
    external_id: str = "m1",
    author: str = "carol",
    data: dict[str, Any] | None = None,
    in_reply_to: str = "",
) -> Conversation:
    """A conversation with one inbound message from `author` (and their customer)."""
    workspace = channel.workspace
    customer = Customer.objects.create(workspace=workspace, name="")
    identity = Identity.objects.create(
        workspace=workspace,
        customer=customer,
        network=channel.network,
        external_id=f"id-{author}",
        handle=f"@{author}",
        name=f"{author.title()} Jones",
    )
    at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    conversation = Conversation.objects.create(
        workspace=workspace,
        channel=channel,
        kind=kind,
        thread_key=f"{kind}:{external_id}",
        identity=identity,
        customer=customer,
        subject=text[:200],
        opened_at=at,
        last_message_at=at,
        last_inbound_at=at,
        waiting_since=at,
        message_count=1,
        language="en",
    )
    Message.objects.create(
        workspace=workspace,
        conversation=conversation,
        channel=channel,
        direction=Direction.INBOUND,
        kind=kind,
        external_id=external_id,
        in_reply_to=in_reply_to,
        identity=identity,
        text=text,
        url=f"https://fake.example/m/{external_id}",
        data=data if data is not None else {"uri": f"at://{external_id}", "cid": "c1"},
        created_at=at,
    )
    return conversation


@pytest.fixture
def conversation(chan: Channel) -> Conversation:
    return make_conversation(chan)


@pytest.fixture
def other_conversation(globex: Workspace, inbox_network: type[FakeInboxConnector]) -> Conversation:
    channel = Channel.objects.create(
        workspace=globex, network="fakeinbox", external_id="globex", handle="@globex"
    )
    return make_conversation(channel, author="dave")


@pytest.fixture
def sla_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every call of the response-time hooks, as (hook, conversation id)."""
    calls: list[tuple[str, int]] = []

    def spy(name: str) -> Callable[..., None]:
        def hook(conversation: Conversation, *args: Any) -> None:
            calls.append((name, conversation.pk))

        return hook

    for name in ("on_first_response", "on_closed", "recompute"):
        monkeypatch.setattr(sla, name, spy(name))
    return calls


def inbound(conversation: Conversation) -> Message:
    return conversation.messages.filter(direction=Direction.INBOUND).order_by("pk")[0]
