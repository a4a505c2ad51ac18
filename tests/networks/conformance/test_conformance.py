"""The conformance suite (issue 4, "One conformance suite that every connector passes"): the
same scenarios, parametrised over every connector in hubbub.networks.registry.NETWORKS,
against recorded answers shaped from each network's documented examples (see adapters.py).

Scenarios: publish text (the request asserted field by field); publish with an image (alt
text sent where the network has it); over-limit text refused by check_variant before any
request; 429 → RateLimited with retry_at from the network's own header or field; revoked
authorization → needs_reconnect; a time-out after sending → sent=True, then find_published
finds the part (can_look_up) or refuses without resending (can_look_up=False); declared
capabilities.

Next steps, not written yet because no connector implements them: an expired token refreshed
then the call succeeds, as one scenario over every network with expiring tokens (only
Bluesky's expire today; tests/networks/bluesky covers it); fetching comments and mentions
with a cursor (nothing missed, nothing fetched twice); reading metrics.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
import time_machine
from PIL import Image

from hubbub.core.models import Workspace
from hubbub.networks.base import Capability, Connector, ConnectorError, RateLimited
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.networks.registry import NETWORKS, connector_class
from hubbub.publishing.validation import check_variant
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.conformance.adapters import ADAPTERS, ALT, Adapter


def test_every_registered_network_has_an_adapter() -> None:
    assert set(ADAPTERS) == set(NETWORKS)


@pytest.fixture(params=sorted(NETWORKS))
def adapter(request: pytest.FixtureRequest, fake_dns: dict[str, list[str]]) -> Iterator[Adapter]:
    chosen = ADAPTERS[request.param]
    for host in chosen.hosts:
        fake_dns[host] = [PUBLIC_TEST_ADDRESS]
    with time_machine.travel(chosen.now, tick=False):
        yield chosen


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """Every outbound call must match a route; nothing reaches a network."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def channel(adapter: Adapter, acme: Workspace) -> Channel:
    return adapter.channel(acme)


@pytest.fixture
def connector(channel: Channel) -> Connector:
    return connector_class(channel.network)(channel)


@pytest.fixture
def png(tmp_path: Path) -> MediaFile:
    path = tmp_path / "square.png"
    Image.new("RGB", (120, 80), (200, 40, 40)).save(path)
    return MediaFile(path, "image/png", path.stat().st_size, alt_text=ALT)


def test_publish_text(adapter: Adapter, router: respx.MockRouter, connector: Connector) -> None:
    route = adapter.text_route(router)

    ref = connector.publish(adapter.part())

    assert route.call_count == 1
    assert len(router.calls) == 1  # nothing else was called
    adapter.assert_text_request(route.calls.last.request)
    assert ref == adapter.published()
    assert ref.external_id and ref.url.startswith("https://")


def test_publish_with_an_image(
    adapter: Adapter, router: respx.MockRouter, connector: Connector, png: MediaFile
) -> None:
    assert Capability.PUBLISH_IMAGE in connector.capabilities
    routes = adapter.image_routes(router)

    ref = connector.publish(adapter.part(media=(png,)))

    assert all(route.call_count == 1 for route in routes)
    assert len(router.calls) == len(routes)
    adapter.assert_image_requests(routes, png.path.read_bytes())
    assert ref.external_id == adapter.published().external_id


def test_over_limit_text_is_refused_before_any_request(
    adapter: Adapter, router: respx.MockRouter, channel: Channel, connector: Connector
) -> None:
    route = adapter.text_route(router)
    limit = connector.limits().text.max_length
    at_limit = "x" * limit
    assert connector.limits().text.count(at_limit) == limit

    assert check_variant(channel, [at_limit]) == []
    problems = check_variant(channel, [at_limit + "x"])

    assert len(problems) == 1
    assert problems[0].field == "parts.0"
    assert str(limit) in problems[0].message and str(limit + 1) in problems[0].message
    assert not route.called and not router.calls


def test_a_rate_limit_says_when_to_come_back(
    adapter: Adapter, router: respx.MockRouter, connector: Connector
) -> None:
    reset = adapter.rate_limited(router)

    with pytest.raises(RateLimited) as caught:
        connector.publish(adapter.part())

    assert caught.value.retry_at == reset
    assert caught.value.permanent is False and caught.value.needs_reconnect is False
    assert caught.value.status == 429


def test_revoked_authorization_needs_a_reconnect(
    adapter: Adapter, router: respx.MockRouter, connector: Connector
) -> None:
    adapter.revoked(router)

    with pytest.raises(ConnectorError) as caught:
        connector.publish(adapter.part())

    assert caught.value.needs_reconnect is True
    assert caught.value.permanent is True
    assert caught.value.network_message  # the network's own words, kept for the person


def test_a_time_out_after_sending_is_reconciled_without_resending(
    adapter: Adapter, router: respx.MockRouter, connector: Connector
) -> None:
    send = adapter.text_route(router)
    send.mock(side_effect=httpx.ReadTimeout("timed out"))
    part = adapter.part()

    with pytest.raises(ConnectorError) as caught:
        connector.publish(part)

    assert caught.value.sent is True and caught.value.permanent is False
    assert send.call_count == 1 and len(router.calls) == 1
    lookup = adapter.lookup_route(router)
    if connector.can_look_up:
        assert lookup is not None
        assert connector.find_published(part) == adapter.published()
        assert lookup.call_count == 1
    else:
        assert lookup is None
        # "Not found" would make the dispatcher send again: it refuses instead.
        with pytest.raises(ConnectorError) as refused:
            connector.find_published(part)
        assert refused.value.permanent is True and refused.value.needs_reconnect is False
    assert send.call_count == 1  # never sent again


def test_capabilities_are_declared(adapter: Adapter, connector: Connector) -> None:
    cls = type(connector)
    assert isinstance(cls.capabilities, frozenset)
    assert cls.capabilities and all(isinstance(c, Capability) for c in cls.capabilities)
    assert Capability.PUBLISH_TEXT in cls.capabilities
    assert isinstance(cls.can_look_up, bool)
    # What a connector declares, it implements: the base class's refusals are overridden.
    for capability, method in (
        (Capability.PUBLISH_TEXT, "publish"),
        (Capability.PUBLISH_TEXT, "find_published"),
        (Capability.DELETE, "delete"),
    ):
        overridden = inspect.getattr_static(cls, method) is not inspect.getattr_static(
            Connector, method
        )
        assert overridden == (capability in cls.capabilities), (capability, method)


def test_an_undeclared_media_kind_is_never_sent(
    adapter: Adapter, router: respx.MockRouter, channel: Channel, tmp_path: Path
) -> None:
    """A connector is never asked to post a video it did not declare: check_variant refuses
    it first. One that declares PUBLISH_VIDEO accepts the same small video."""
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    video = MediaFile(path, "video/mp4", path.stat().st_size, duration_seconds=5)

    problems = check_variant(channel, ["A clip"], media=[(0, video)])

    declared = Capability.PUBLISH_VIDEO in connector_class(channel.network).capabilities
    assert (problems == []) == declared, problems
    assert not router.calls
