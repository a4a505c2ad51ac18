"""Liking a reply or mention from the inbox: one app.bsky.feed.like record whose key derives
from the liked post, so a second like (a retry, a double click) never doubles it."""

from __future__ import annotations

import json

import httpx
import pytest
import time_machine

from hubbub.networks.base import ConnectorError
from hubbub.networks.bluesky.connector import BlueskyConnector
from hubbub.networks.outgoing import PublishedRef
from tests.networks.bluesky.conftest import DID, xrpc_error
from tests.networks.bluesky.test_publish import BOB_CID, BOB_POST, CREATE, NOW

BOBS = PublishedRef(external_id=BOB_POST, data={"uri": BOB_POST, "cid": BOB_CID})


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_like_is_a_like_record_pointing_at_the_post(xrpc, channel):
    create = xrpc.post(CREATE).respond(200, json={"uri": "at://x", "cid": "y"})

    BlueskyConnector(channel).like(BOBS)

    body = json.loads(create.calls.last.request.content)
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.like"
    assert body["record"]["$type"] == "app.bsky.feed.like"
    assert body["record"]["subject"] == {"uri": BOB_POST, "cid": BOB_CID}
    assert body["record"]["createdAt"].endswith("Z")


def test_liking_twice_targets_the_same_record_and_is_not_an_error(xrpc, channel):
    create = xrpc.post(CREATE)
    create.side_effect = [
        httpx.Response(200, json={"uri": "at://x", "cid": "y"}),
        httpx.Response(400, json=xrpc_error("InvalidRequest", "Record already exists")),
    ]
    connector = BlueskyConnector(channel)

    connector.like(BOBS)
    connector.like(BOBS)

    keys = [json.loads(c.request.content)["rkey"] for c in create.calls]
    assert keys[0] == keys[1]


def test_a_refused_like_says_so(xrpc, channel):
    xrpc.post(CREATE).respond(400, json=xrpc_error("InvalidRequest", "Could not find subject"))

    with pytest.raises(ConnectorError):
        BlueskyConnector(channel).like(BOBS)
