"""Fixtures and helpers shared by the guardrails' tests (imported by each test module: the
curation test folder's conftest is shared by five parts, so these stay in their own file)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.models import Workspace
from hubbub.core.roles import Role
from hubbub.curation import guardrails
from hubbub.curation.models import GuardrailSetting, Persona
from hubbub.networks import registry
from hubbub.networks.models import Channel
from tests.publishing.conftest import NOW
from tests.publishing.fake import FakeConnector


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


def set_mode(workspace: Workspace, rule: str, mode: str, **options: object) -> None:
    GuardrailSetting.objects.update_or_create(
        workspace=workspace, rule=rule, defaults={"mode": mode, "options": options}
    )


def persona(workspace: Workspace, channel: Channel | None = None, **fields: object) -> Persona:
    made = Persona.objects.create(
        workspace=workspace, name=str(fields.pop("name", "Ava")), **fields
    )
    if channel is not None:
        made.channels.add(channel)
    return made


def subject_of_text(
    workspace: Workspace, *parts: str, channel: Channel | None = None, **extra: object
) -> guardrails.Subject:
    text = guardrails.ChannelText(
        (channel.pk,) if channel else (),
        ("Fake · @acme",) if channel else (),
        tuple(parts),
        str(extra.pop("first_comment", "")),
        str(extra.pop("link", "")),
    )
    return guardrails.Subject(workspace=workspace, texts=[text], **extra)  # type: ignore[arg-type]


def found(subject: guardrails.Subject, rule: str) -> list[guardrails.Finding]:
    return [f for f in guardrails.check(subject, network=True) if f.rule == rule]
