"""Fixtures for the ingestion and polling tests (imported explicitly by them): a network that
pages like a real one, channels on it, published posts, and a clock.

The fake network keeps what it "shows" on the class (one network, many channels): mentions,
direct messages and the comments under each post, each an Incoming. Its cursors follow the
connector contract (hubbub/networks/incoming.py): the items newer than the cursor, oldest
first, at most `limit` a call with `more` when the rest must be read by another call, and the
cursor is the id of the newest item returned.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pydantic
import pytest
import time_machine

from hubbub.core.models import Workspace
from hubbub.networks import registry
from hubbub.networks.base import (
    Account,
    Capability,
    Connector,
    ConnectorError,
    Counting,
    Limits,
    TextLimits,
)
from hubbub.networks.incoming import Author, Incoming, Page
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.publishing.models import Delivery, Post, PostKind, PostStatus, PostVariant
from hubbub.publishing.models.deliveries import DeliveryStatus

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class FakeConfig(pydantic.BaseModel):
    pass


class InboxNetwork(Connector):
    name = "inboxfake"
    label = "Inboxbook"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.READ_COMMENTS,
            Capability.MENTIONS,
            Capability.DIRECT_MESSAGES,
            Capability.REPLY,
        }
    )
    config_model = FakeConfig

    limit: ClassVar[int] = 500
    mentions: ClassVar[dict[str, list[Incoming]]] = {}  # by channel external_id
    messages: ClassVar[dict[str, list[Incoming]]] = {}
    comments: ClassVar[dict[str, list[Incoming]]] = {}  # by post external_id
    calls: ClassVar[list[tuple[str, str, str | None]]] = []  # (method, channel, cursor)
    # method name -> errors to raise on its next calls, in order (None: that call succeeds)
    failures: ClassVar[dict[str, list[ConnectorError | Exception | None]]] = {}

    @classmethod
    def reset(cls) -> None:
        cls.limit = 500
        cls.mentions, cls.messages, cls.comments = {}, {}, {}
        cls.calls, cls.failures = [], {}

    @classmethod
    def fail_next(
        cls, method: str, error: ConnectorError | Exception | None, channel: str = "me"
    ) -> None:
        """The next call of `method` ("mentions", "comments:<post id>") by `channel` fails."""
        cls.failures.setdefault(f"{method}@{channel}", []).append(error)

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(text=TextLimits(max_length=300, counting=Counting.GRAPHEMES))

    def check(self) -> Account:
        return Account(external_id=self.channel.external_id, handle=self.channel.handle, name="")

    def _page(self, method: str, items: list[Incoming], cursor: str | None) -> Page:
        self.calls.append((method, self.channel.external_id, cursor))
        queued = self.failures.get(f"{method}@{self.channel.external_id}")
        if queued:
            error = queued.pop(0)
            if error is not None:
                raise error
        ids = [item.external_id for item in items]
        start = ids.index(cursor) + 1 if cursor in ids else 0
        batch = items[start : start + self.limit]
        more = start + self.limit < len(items)
        if not batch:
            return Page(items=[], cursor=cursor)
        return Page(items=list(batch), cursor=batch[-1].external_id, more=more)

    def fetch_mentions(self, cursor: str | None) -> Page:
        return self._page("mentions", self.mentions.get(self.channel.external_id, []), cursor)

    def fetch_messages(self, cursor: str | None) -> Page:
        return self._page("messages", self.messages.get(self.channel.external_id, []), cursor)

    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        return self._page(
            f"comments:{ref.external_id}", self.comments.get(ref.external_id, []), cursor
        )


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[InboxNetwork]]:
    monkeypatch.setitem(registry.NETWORKS, "inboxfake", "tests.inbox.conftest_ingest.InboxNetwork")
    InboxNetwork.reset()
    yield InboxNetwork
    InboxNetwork.reset()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_channel(
    workspace: Workspace, external_id: str = "me", network: str = "inboxfake"
) -> Channel:
    return Channel.objects.create(
        workspace=workspace, network=network, external_id=external_id, handle=f"@{external_id}"
    )


@pytest.fixture
def channel(acme: Workspace, network: type[InboxNetwork]) -> Channel:
    return make_channel(acme)


def said(
    text: str,
    id: str,
    author: str = "carol",
    at: datetime | None = None,
    in_reply_to: str = "",
    followers: int | None = None,
    **data: Any,
) -> Incoming:
    """An item as a connector returns it; `author` "me" is the channel's own account."""
    return Incoming(
        external_id=id,
        text=text,
        author=Author(
            external_id=author,
            handle=f"@{author}",
            name=author.title(),
            profile_url=f"https://inbox.example/{author}",
            followers_count=followers,
        ),
        created_at=at or NOW - timedelta(minutes=30),
        url=f"https://inbox.example/{author}/{id}",
        in_reply_to=in_reply_to,
        data=data,
    )


def published_post(
    channel: Channel,
    external_id: str,
    at: datetime,
    kind: str = PostKind.POST,
    status: str = DeliveryStatus.PUBLISHED,
) -> Delivery:
    """A post of ours out on `channel` at `at`, as the dispatcher leaves it."""
    post = Post.objects.create(
        workspace=channel.workspace,
        purpose="launch",
        kind=kind,
        status=PostStatus.PUBLISHED,
        scheduled_at=at,
    )
    variant = PostVariant.objects.create(post=post, channel=channel, parts=["Our launch"])
    return Delivery.objects.create(
        workspace=channel.workspace,
        post=post,
        variant=variant,
        channel=channel,
        status=status,
        due_at=at,
        next_attempt_at=at,
        published_at=at if status == DeliveryStatus.PUBLISHED else None,
        published_refs=[
            {
                "external_id": external_id,
                "url": f"https://inbox.example/me/{external_id}",
                "data": {},
            }
        ],
    )


class Hooks:
    """What ingestion hands to targets, rules, webhooks and the language models (recorded)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.fail_rules = False

    def modules(self) -> dict[str, Any]:
        from types import SimpleNamespace

        def apply_rules(message: Any) -> list[Any]:
            self.calls.append(("rules", message.pk))
            if self.fail_rules:
                raise RuntimeError("a broken rule")
            return []

        return {
            "hubbub.inbox.sla": SimpleNamespace(
                on_inbound=lambda c, m, reopened: self.calls.append(("sla", c.pk, m.pk, reopened)),
                on_first_response=lambda c, at: self.calls.append(("first_response", c.pk, at)),
            ),
            "hubbub.inbox.rules": SimpleNamespace(apply_rules=apply_rules),
            "hubbub.inbox.events": SimpleNamespace(
                conversation_created=lambda c: self.calls.append(("created", c.pk))
            ),
            "hubbub.nlp.language": SimpleNamespace(
                detect=lambda text: "fr" if "merci" in text.lower() else "en"
            ),
            "hubbub.nlp.sentiment": SimpleNamespace(
                analyze=lambda text, language: (
                    ("negative", -0.8) if "angry" in text else ("positive", 0.6)
                )
            ),
        }

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [call for call in self.calls if call[0] == name]


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Hooks:
    from hubbub.inbox import ingest

    recorded = Hooks()
    modules = recorded.modules()
    monkeypatch.setattr(ingest, "optional", lambda name: modules.get(name))
    return recorded
