"""Background jobs: the configured queue really carries a task, and the periodic channel
check records what the networks say."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

import pydantic
import pytest
from django.conf import settings
from django.utils.module_loading import import_string
from huey import Huey, RedisHuey, SqliteHuey

from hubbub.core.models import AuditEntry, Workspace
from hubbub.networks import registry
from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connector,
    Counting,
    Limits,
    TextLimits,
)
from hubbub.networks.models import Channel, Health
from hubbub.networks.tasks import check_all_channels


@pytest.fixture
def queue() -> Iterator[Huey]:
    """A real (not immediate) Huey built from settings.HUEY, as the worker builds it; under
    its own queue name so it never meets the suite's other jobs."""
    config = dict(settings.HUEY)
    huey_class = import_string(str(config.pop("huey_class")))
    config.pop("consumer")
    config.pop("name")
    config["immediate"] = False
    huey = huey_class(f"hubbub-test-{uuid.uuid4().hex[:8]}", **config)
    yield huey
    huey.flush()


def test_the_queue_uses_the_configured_storage(queue):
    if settings.REDIS_URL:
        assert isinstance(queue, RedisHuey)
        assert queue.storage.conn.ping() is True
    else:
        assert isinstance(queue, SqliteHuey)
        assert queue.storage.filename == str(settings.DATA_DIR / "jobs.sqlite3")


def test_a_task_goes_through_the_queue_and_back(queue):
    @queue.task()
    def add(a: int, b: int) -> int:
        return a + b

    result = add(2, 3)
    assert queue.pending_count() == 1
    assert result(blocking=False) is None  # not run yet: it waits for a worker
    task = queue.dequeue()
    assert task is not None
    assert task.args == (2, 3)
    assert queue.pending_count() == 0
    queue.execute(task)
    assert result(blocking=False) == 5


class FakeConfig(pydantic.BaseModel):
    outcome: str = "ok"


class FakeConnector(Connector):
    name = "fake"
    label = "Fake network"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PUBLISH_TEXT})
    config_model = FakeConfig
    checked: ClassVar[list[str]] = []

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(text=TextLimits(max_length=500, counting=Counting.CODE_POINTS))

    def check(self) -> Account:
        FakeConnector.checked.append(self.channel.handle)
        outcome = self.config.outcome  # type: ignore[attr-defined]
        if outcome == "revoked":
            raise AuthError(
                "fake refused the credentials; reconnect the channel",
                network_message="The access token was revoked",
                status=401,
            )
        if outcome == "crash":
            raise RuntimeError("a bug in a connector")
        return Account(
            external_id=self.channel.external_id,
            handle=self.channel.handle,
            name="Renamed on the network",
        )


@pytest.fixture
def fake_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(registry.NETWORKS, "fake", f"{__name__}.FakeConnector")
    registry.connector_class.cache_clear()
    FakeConnector.checked.clear()
    yield
    registry.connector_class.cache_clear()


def fake_channel(workspace: Workspace, handle: str, outcome: str, **extra: Any) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="fake",
        external_id=f"id-{handle}",
        handle=handle,
        name=handle,
        config={"outcome": outcome},
        **extra,
    )
    channel.credentials = {"token": "t"}
    channel.save()
    return channel


def test_the_periodic_check_marks_a_revoked_channel_for_reconnection(acme, fake_network):
    crashing = fake_channel(acme, "a-crashing", "crash")
    revoked = fake_channel(acme, "b-revoked", "revoked")
    healthy = fake_channel(acme, "c-healthy", "ok")
    demo = fake_channel(acme, "d-demo", "revoked")
    demo.config = {"demo": True}
    demo.save()
    gone = fake_channel(
        acme, "e-gone", "revoked", disconnected_at=acme.created_at, health=Health.DISCONNECTED
    )

    check_all_channels()

    # A crash on one channel does not stop the others; demo and disconnected ones are skipped.
    assert FakeConnector.checked == ["a-crashing", "b-revoked", "c-healthy"]
    revoked.refresh_from_db()
    assert revoked.health == Health.NEEDS_RECONNECT
    assert revoked.health_message == (
        "fake refused the credentials; reconnect the channel (The access token was revoked)"
    )
    assert revoked.last_checked_at is not None
    entry = AuditEntry.objects.get(action="channel.health", object_id=str(revoked.pk))
    assert entry.workspace == acme
    assert entry.actor is None and entry.via == "system"
    assert entry.before == {"health": "ok", "message": ""}
    assert entry.after == {"health": "needs_reconnect", "message": revoked.health_message}

    healthy.refresh_from_db()
    assert healthy.health == Health.OK
    assert healthy.name == "Renamed on the network"
    crashing.refresh_from_db()
    assert crashing.health == Health.OK
    for unchanged in (demo, gone):
        before = unchanged.health
        unchanged.refresh_from_db()
        assert unchanged.health == before
    # Only the change of health is audited, not every check.
    assert AuditEntry.objects.filter(action="channel.health").count() == 1
    check_all_channels()
    assert AuditEntry.objects.filter(action="channel.health").count() == 1
