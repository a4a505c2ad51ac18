"""A benchmark-only connector that publishes to bench/peer.py over real HTTP.

It goes through hubbub.core.http.request like every real connector, so the seam's checks,
time-outs and Retry-After are the production code paths. Registered as "loopback" in
hubbub.networks.registry.NETWORKS inside the benchmark's own processes only, never in
production code.
"""

from __future__ import annotations

from typing import Any

import pydantic

from hubbub.core import http
from hubbub.networks.base import (
    Account,
    Capability,
    Connector,
    Counting,
    Limits,
    RateLimited,
    TextLimits,
    TransientError,
    classify_response,
    from_outbound,
)
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

NAME = "loopback"
DOTTED = "bench.loopback.LoopbackConnector"


class LoopbackConfig(pydantic.BaseModel):
    base_url: str  # the fault peer's address, e.g. http://127.0.0.1:40123


class LoopbackConnector(Connector):
    name = NAME
    label = "Loopback"
    capabilities = frozenset({Capability.PUBLISH_TEXT, Capability.PUBLISH_THREAD})
    config_model = LoopbackConfig
    config: LoopbackConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(text=TextLimits(max_length=500, counting=Counting.GRAPHEMES))

    def check(self) -> Account:
        return Account(external_id="1", handle=self.channel.handle, name="Loopback")

    def _call(self, method: str, **kw: Any) -> Any:
        try:
            response = http.request(method, f"{self.config.base_url}/posts", **kw)
        except http.OutboundError as exc:
            raise from_outbound(exc, self.label) from None
        return response

    def publish(self, part: OutgoingPart) -> PublishedRef:
        reply_to = part.reply_to.parent.external_id if part.reply_to else None
        response = self._call(
            "POST",
            json={"idempotency_key": part.idempotency_key, "text": part.text, "reply_to": reply_to},
        )
        if response.status_code == 429:
            raise RateLimited("Loopback rate limit reached", http.retry_at(response), status=429)
        if response.status_code >= 500:
            raise TransientError(
                f"Loopback is unavailable (HTTP {response.status_code})",
                status=response.status_code,
            )
        if response.status_code != 200:
            raise classify_response(response, self.label)
        return _ref(response.json())

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        response = self._call("GET", params={"key": part.idempotency_key})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise classify_response(response, self.label)
        return _ref(response.json())


def _ref(body: dict[str, Any]) -> PublishedRef:
    return PublishedRef(
        external_id=str(body["id"]), url=str(body["url"]), data={"key": body["key"]}
    )
