"""A connector for tests: records what it publishes, and fails on demand.

State lives on the class (one network, many channel instances); the `fake_network` fixture
resets it for every test.
"""

from __future__ import annotations

from typing import ClassVar

import pydantic

from hubbub.networks.base import (
    Account,
    Capability,
    Connector,
    ConnectorError,
    Counting,
    Limits,
    MediaLimits,
    TextLimits,
)
from hubbub.networks.outgoing import OutgoingPart, PublishedRef


class FakeConfig(pydantic.BaseModel):
    pass


class FakeConnector(Connector):
    name = "fake"
    label = "Fakebook"
    capabilities = frozenset(
        {Capability.PUBLISH_TEXT, Capability.PUBLISH_IMAGE, Capability.PUBLISH_THREAD}
    )
    config_model = FakeConfig

    # what the network holds, by idempotency key, in the order it was published
    published: ClassVar[dict[str, PublishedRef]] = {}
    calls: ClassVar[list[OutgoingPart]] = []
    lookups: ClassVar[list[str]] = []
    # the next publish() calls fail with these, in order: (error, record_first)
    failures: ClassVar[list[tuple[ConnectorError, bool] | None]] = []  # None: that call succeeds

    @classmethod
    def reset(cls) -> None:
        cls.published = {}
        cls.calls = []
        cls.lookups = []
        cls.failures = []

    @classmethod
    def fail_next(cls, error: ConnectorError, *, after_recording: bool = False) -> None:
        cls.failures.append((error, after_recording))

    @classmethod
    def succeed_next(cls) -> None:
        cls.failures.append(None)

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            text=TextLimits(max_length=300, counting=Counting.GRAPHEMES),
            media=MediaLimits(
                max_images=4, max_image_bytes=1_000_000, image_formats=("image/jpeg", "image/png")
            ),
        )

    def check(self) -> Account:
        return Account(external_id="1", handle=self.channel.handle, name="Fake")

    def publish(self, part: OutgoingPart) -> PublishedRef:
        self.calls.append(part)
        scripted = self.failures.pop(0) if self.failures else None
        if scripted is not None:
            error, record_first = scripted
            if record_first:
                self._store(part)
            raise error
        return self._store(part)

    def _store(self, part: OutgoingPart) -> PublishedRef:
        n = len(self.published) + 1
        ref = PublishedRef(
            external_id=f"post-{n}", url=f"https://fake.example/p/{n}", data={"n": n}
        )
        self.published[part.idempotency_key] = ref
        return ref

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        self.lookups.append(part.idempotency_key)
        return self.published.get(part.idempotency_key)
