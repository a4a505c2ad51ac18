"""The conformance suite (issue 4, "One conformance suite that every connector passes"): the
same scenarios, parametrised over every connector in hubbub.networks.registry.NETWORKS,
against recorded answers shaped from each network's documented examples (see adapters.py).

Scenarios: publish text (the request asserted field by field), over the networks that
declare PUBLISH_TEXT, while those whose every post carries media (Limits.requires_media:
YouTube) refuse text alone in check_variant, and publish their scenario part with its media
in the other scenarios; publish with an image (alt
text sent where the network has it), over the networks that declare PUBLISH_IMAGE, while
the others refuse an image in check_variant before any request; over-limit text refused by
check_variant before any request; 429 → RateLimited with retry_at from the network's own
header or field; revoked authorization → needs_reconnect; a time-out after sending →
sent=True, then find_published finds the part (can_look_up) or refuses without resending
(can_look_up=False); declared capabilities.

An expired access token is refreshed before the call, which then succeeds (networks whose
tokens expire); comments and mentions are read with a cursor over a simulated network that
pages (nothing missed, nothing fetched twice); metrics are read. Each reading scenario runs
over the networks that declare the capability; test_capabilities_are_declared proves that
the others do not implement it either.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import time_machine
from PIL import Image

from hubbub.core.models import Workspace
from hubbub.networks.base import Capability, Connector, ConnectorError, RateLimited
from hubbub.networks.incoming import Incoming
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.networks.registry import NETWORKS, connector_class
from hubbub.publishing.validation import check_variant
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.conformance.adapters import ADAPTERS, ALT, Adapter, Said


def test_every_registered_network_has_an_adapter() -> None:
    assert set(ADAPTERS) == set(NETWORKS)


def _resolving(network: str, fake_dns: dict[str, list[str]]) -> Adapter:
    """The network's adapter, its hosts resolving to a public address (the seam's guard)."""
    adapter = ADAPTERS[network]
    for host in adapter.hosts:
        fake_dns[host] = [PUBLIC_TEST_ADDRESS]
    return adapter


@pytest.fixture(params=sorted(NETWORKS))
def adapter(request: pytest.FixtureRequest, fake_dns: dict[str, list[str]]) -> Iterator[Adapter]:
    chosen = _resolving(request.param, fake_dns)
    with time_machine.travel(chosen.now, tick=False):
        yield chosen


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """Every outbound call must match a route; nothing reaches a network. Networks not
    reached over HTTP (the newsletter's SMTP) put their own seam in place meanwhile, and
    record what they send in router.calls too."""
    with (
        respx.mock(assert_all_called=False, assert_all_mocked=True) as mock,
        contextlib.ExitStack() as seams,
    ):
        for each in ADAPTERS.values():
            seams.enter_context(each.seam(mock))
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


def _declaring(capability: Capability) -> list[str]:
    return sorted(n for n in NETWORKS if capability in connector_class(n).capabilities)


def _requiring_media() -> list[str]:
    return sorted(n for n in NETWORKS if connector_class(n).default_limits().requires_media)


# A network publishes posts when it declares one of these; a video-only network (YouTube)
# declares PUBLISH_VIDEO without PUBLISH_TEXT.
PUBLISHING = frozenset(
    {Capability.PUBLISH_TEXT, Capability.PUBLISH_IMAGE, Capability.PUBLISH_VIDEO}
)


@pytest.mark.parametrize("network", _declaring(Capability.PUBLISH_TEXT))
def test_publish_text(
    network: str, router: respx.MockRouter, acme: Workspace, fake_dns: dict[str, list[str]]
) -> None:
    adapter = _resolving(network, fake_dns)
    with time_machine.travel(adapter.now, tick=False):
        connector = connector_class(network)(adapter.channel(acme))
        route = adapter.text_route(router)

        ref = connector.publish(adapter.part())

    assert route.call_count == 1
    assert len(router.calls) == adapter.text_calls  # nothing else was called
    adapter.assert_text_request(route.calls.last.request)
    assert ref == adapter.published()
    assert ref.external_id
    if adapter.post_urls:
        assert ref.url.startswith("https://")
    else:  # the network says nothing about the post it made (Slack's webhooks answer "ok")
        assert ref.url == ""


@pytest.mark.parametrize("network", _requiring_media())
def test_text_alone_is_refused_where_media_is_required(
    network: str, router: respx.MockRouter, acme: Workspace, fake_dns: dict[str, list[str]]
) -> None:
    """Networks whose every post is a video or a picture (Limits.requires_media: YouTube,
    Instagram) are never asked to publish text alone: check_variant refuses it while
    composing, before any request. (Their scenario part carries its media.)"""
    adapter = ADAPTERS[network]
    with time_machine.travel(adapter.now, tick=False):
        channel = adapter.channel(acme)
        problems = check_variant(channel, [adapter.part().text])

    assert [p.field for p in problems] == ["media"], problems
    assert not router.calls


@pytest.mark.parametrize("network", _declaring(Capability.PUBLISH_IMAGE))
def test_publish_with_an_image(
    network: str,
    router: respx.MockRouter,
    acme: Workspace,
    fake_dns: dict[str, list[str]],
    png: MediaFile,
) -> None:
    adapter = _resolving(network, fake_dns)
    with time_machine.travel(adapter.now, tick=False):
        channel = adapter.channel(acme)
        assert check_variant(channel, [adapter.part().text], media=[(0, png)]) == []
        routes = adapter.image_routes(router)

        ref = connector_class(network)(channel).publish(adapter.part(media=(png,)))

    assert all(route.call_count == 1 for route in routes)
    assert len(router.calls) == len(routes)
    adapter.assert_image_requests(routes, png.path.read_bytes())
    assert ref.external_id == adapter.published().external_id


def test_an_undeclared_image_is_never_sent(
    adapter: Adapter, router: respx.MockRouter, channel: Channel, png: MediaFile
) -> None:
    """A network without PUBLISH_IMAGE (Slack's webhooks cannot upload) is never asked to
    post one: check_variant refuses it while composing, before any request. The others
    accept the same small image (test_publish_with_an_image then publishes it)."""
    problems = check_variant(channel, ["A picture"], media=[(0, png)])

    declared = Capability.PUBLISH_IMAGE in connector_class(channel.network).capabilities
    assert (problems == []) == declared, problems
    assert not router.calls


def test_over_limit_text_is_refused_before_any_request(
    adapter: Adapter, router: respx.MockRouter, channel: Channel, connector: Connector
) -> None:
    route = adapter.text_route(router)
    limit = connector.limits().text.max_length
    at_limit = "x" * limit
    assert connector.limits().text.count(at_limit) == limit

    media = [(0, m) for m in adapter.part().media]  # what a media-only network requires
    assert check_variant(channel, [at_limit], media=media) == []
    problems = check_variant(channel, [at_limit + "x"], media=media)

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
    assert caught.value.status == adapter.rate_limit_status  # HTTP 429, SMTP 451


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
    assert send.call_count == 1 and len(router.calls) == 1 + adapter.setup_calls
    lookup = adapter.lookup_route(router)
    if connector.can_look_up and adapter.finds_in_own_records:
        # Hubbub's own records of what it sent answer: no request at all.
        assert lookup is None
        calls = len(router.calls)
        assert connector.find_published(part) == adapter.published()
        assert len(router.calls) == calls
    elif connector.can_look_up:
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
    publishes = bool(PUBLISHING & cls.capabilities)
    assert publishes
    assert isinstance(cls.can_look_up, bool)
    # What a connector declares, it implements: the base class's refusals are overridden.
    for method in ("publish", "find_published"):
        overridden = inspect.getattr_static(cls, method) is not inspect.getattr_static(
            Connector, method
        )
        assert overridden == publishes, method
    for capability, method in (
        (Capability.DELETE, "delete"),
        (Capability.READ_COMMENTS, "fetch_comments"),
        (Capability.MENTIONS, "fetch_mentions"),
        (Capability.METRICS, "fetch_metrics"),
        (Capability.SEARCH, "search"),
        (Capability.DIRECT_MESSAGES, "fetch_messages"),
        (Capability.LIKE, "like"),
        (Capability.HIDE, "hide"),
        (Capability.DELETE_COMMENTS, "delete_comment"),
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


def test_an_expired_token_is_refreshed_then_the_call_succeeds(
    adapter: Adapter, router: respx.MockRouter, channel: Channel
) -> None:
    refresh = adapter.expire(router, channel)
    if refresh is None:
        # Tokens that never expire, or cannot be refreshed: nothing may pretend otherwise.
        assert channel.token_expires_at is None or not _overrides(channel, "refresh_if_due")
        return
    send = adapter.text_route(router)
    connector = connector_class(channel.network)(channel)

    ref = connector.publish(adapter.part())

    assert refresh.call_count == 1 and send.call_count == 1
    assert ref.external_id == adapter.published().external_id
    channel.refresh_from_db()
    # None where a new session can always be opened (Bluesky's app password): nothing to warn.
    assert channel.token_expires_at is None or channel.token_expires_at > adapter.now
    adapter.assert_refreshed(channel, send.calls.last.request)


def _overrides(channel: Channel, method: str) -> bool:
    cls = connector_class(channel.network)
    return inspect.getattr_static(cls, method) is not inspect.getattr_static(Connector, method)


def _said(number: int, kind: str) -> Said:
    return Said(
        number=number,
        text=f"{kind} {number}: <b>great</b> & more",
        author_id=f"{9000 + number % 3}",
        author_handle=f"fan{number % 3}",
        at=datetime(2026, 1, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=number),
    )


def _check_items(adapter: Adapter, got: list[Incoming], expected: list[Said]) -> None:
    assert [i.external_id for i in got] == [adapter.incoming_id(s) for s in expected]
    for item, said in zip(got, expected, strict=True):
        assert item.text == said.text  # plain text, as written: escaping is the page's job
        assert item.author.handle == adapter.incoming_handle(said)
        assert item.created_at == said.at


def _read_twice(adapter: Adapter, fetch: Any, network_items: list[Said], kind: str) -> None:
    first = fetch(None)
    _check_items(adapter, first.items, network_items)
    assert first.cursor and first.more is False
    # Two more arrive; the next call returns exactly those, then nothing.
    network_items += [_said(n, kind) for n in (500, 501)]
    second = fetch(first.cursor)
    _check_items(adapter, second.items, network_items[-2:])
    third = fetch(second.cursor)
    assert third.items == [] and third.cursor


@pytest.mark.parametrize("network", _declaring(Capability.READ_COMMENTS))
def test_comments_are_read_with_a_cursor(
    network: str, router: respx.MockRouter, acme: Workspace, fake_dns: dict[str, list[str]]
) -> None:
    adapter = _resolving(network, fake_dns)
    comments = [_said(n, "comment") for n in range(1, int(adapter.page_size * 2.5) + 1)]
    with time_machine.travel(adapter.now, tick=False):
        connector = connector_class(network)(adapter.channel(acme))
        adapter.serve_comments(router, comments)
        target = adapter.comment_target()
        _read_twice(adapter, lambda c: connector.fetch_comments(target, c), comments, "comment")


@pytest.mark.parametrize("network", _declaring(Capability.MENTIONS))
def test_mentions_are_read_with_a_cursor(
    network: str, router: respx.MockRouter, acme: Workspace, fake_dns: dict[str, list[str]]
) -> None:
    adapter = _resolving(network, fake_dns)
    mentions = [_said(n, "mention") for n in range(1, int(adapter.page_size * 2.5) + 1)]
    with time_machine.travel(adapter.now, tick=False):
        connector = connector_class(network)(adapter.channel(acme))
        adapter.serve_mentions(router, mentions)
        _read_twice(adapter, connector.fetch_mentions, mentions, "mention")


@pytest.mark.parametrize("network", _declaring(Capability.METRICS))
def test_metrics_are_read(
    network: str, router: respx.MockRouter, acme: Workspace, fake_dns: dict[str, list[str]]
) -> None:
    adapter = _resolving(network, fake_dns)
    with time_machine.travel(adapter.now, tick=False):
        connector = connector_class(network)(adapter.channel(acme))
        expected = adapter.serve_metrics(router)
        ref = adapter.published()

        got = connector.fetch_metrics([ref])

    assert got == {ref.external_id: expected}
    assert any(value is not None for value in vars(expected).values())
