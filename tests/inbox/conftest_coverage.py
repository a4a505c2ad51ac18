"""Fixtures for the coverage, digest and report tests (imported explicitly by those files).

Acme's clock is Europe/Paris. alice owns Acme, bob is an editor (may reply, not configure);
dave is a moderator, erin a manager, fanny an analyst (reads, cannot reply)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hubbub.accounts.models import User
from hubbub.core.models import Membership, Workspace
from hubbub.core.roles import Role
from hubbub.inbox.models import Conversation, Message, Shift
from hubbub.networks.models import Channel

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """paris(2026, 11, 23, 9) → that wall-clock time in Paris, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def member(workspace: Workspace, user: User, role: str) -> User:
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


@pytest.fixture(name="dave")
def dave_fixture(make_user: Callable[..., User], acme: Workspace) -> User:
    return member(acme, make_user("dave@example.com", full_name="Dave Moreau"), Role.MODERATOR)


@pytest.fixture(name="erin")
def erin_fixture(make_user: Callable[..., User], acme: Workspace) -> User:
    return member(acme, make_user("erin@example.com", full_name="Erin Leroy"), Role.MANAGER)


@pytest.fixture(name="fanny")
def fanny_fixture(make_user: Callable[..., User], acme: Workspace) -> User:
    return member(acme, make_user("fanny@example.com", full_name="Fanny Roux"), Role.ANALYST)


def shift(workspace: Workspace, user: User, weekday: int, start: str, end: str) -> Shift:
    return Shift.objects.create(
        workspace=workspace,
        user=user,
        weekday=weekday,
        start=time.fromisoformat(start),
        end=time.fromisoformat(end),
    )


def make_channel(workspace: Workspace, handle: str, network: str = "bluesky") -> Channel:
    return Channel.objects.create(
        workspace=workspace, network=network, external_id=f"id-{handle}", handle=handle
    )


_counter = {"n": 0}


def conversation(
    workspace: Workspace, channel: Channel, opened_at: datetime, **fields: Any
) -> Conversation:
    _counter["n"] += 1
    values: dict[str, Any] = {
        "kind": "comment",
        "thread_key": f"thread-{_counter['n']}",
        "opened_at": opened_at,
        "last_message_at": opened_at,
        "created_at": opened_at,
        "subject": f"question {_counter['n']}",
    }
    values.update(fields)
    return Conversation.objects.create(workspace=workspace, channel=channel, **values)


def inbound(conversation: Conversation, at: datetime, text: str = "hello") -> Message:
    return Message.objects.create(
        workspace=conversation.workspace,
        conversation=conversation,
        channel=conversation.channel,
        direction="in",
        kind=conversation.kind,
        text=text,
        created_at=at,
    )
