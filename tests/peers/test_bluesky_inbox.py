"""The inbox on a real Bluesky network (Bluesky's reference PDS and AppView on loopback): the
brand publishes through the dispatcher, another account replies to the post and mentions
the brand, the worker's polling brings both into the inbox, and a reply written in the inbox
goes out through the dispatcher and appears on the network exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from hubbub.core.access import Access, access_workspace
from hubbub.core.models import Workspace
from hubbub.inbox import actions, tasks_polling
from hubbub.inbox import receivers as _receivers  # noqa: F401  (connected when the app loads)
from hubbub.inbox.models import Conversation, Direction, InboxSource, Kind, Message, Status
from hubbub.networks.bluesky.connect import connect_bluesky
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.dispatcher import deliver
from hubbub.publishing.models import Delivery, DeliveryStatus
from tests.peers.bluesky_net import BlueskyNet
from tests.peers.test_bluesky_reading import Fan, eventually

pytestmark = [pytest.mark.peers, pytest.mark.usefixtures("private_networks_allowed")]


@pytest.fixture
def owner(alice: Any, acme: Workspace) -> Access:
    return access_workspace(alice, "acme")


@pytest.fixture
def channel(bluesky_net: BlueskyNet, owner: Access) -> Channel:
    handle, password, _did = bluesky_net.create_account("brand")
    app_password = bluesky_net.create_app_password(handle, password)
    return connect_bluesky(owner, handle, app_password, bluesky_net.pds_url)


def publish(owner: Access, channel: Channel, text: str) -> Delivery:
    """Written in Hubbub, scheduled, and sent by the dispatcher when due (Hubbub's clock
    moved two minutes on for the send)."""
    planned = (datetime.now(UTC) + timedelta(minutes=2)).replace(microsecond=0)
    draft = create_draft(owner, purpose="launch", variants=[VariantInput(channel, [text])])
    schedule_post(owner, draft, planned)
    delivery = Delivery.objects.get(post=draft)
    with time_machine.travel(planned, tick=True):
        deliver(delivery.pk, "w1")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.last_error
    return delivery


def worker_minute(commits: Callable[..., Any]) -> dict[str, Message]:
    """The worker's polling job, as it runs each minute (a minute taken to have passed
    since the last run: every source is due), and what runs once it commits; then what
    the inbox holds."""
    InboxSource.objects.update(next_poll_at=timezone.now())
    with commits(execute=True):
        tasks_polling.poll_inbox()
    return inbound()


def inbound() -> dict[str, Message]:
    return {
        m.external_id: m
        for m in Message.objects.filter(direction=Direction.INBOUND).select_related(
            "conversation", "identity"
        )
    }


def brand_replies_under(net: BlueskyNet, channel: Channel, uri: str) -> list[dict[str, Any]]:
    """Our posts in the thread under `uri`, as the network shows it to anyone."""
    token = str(channel.credentials["accessJwt"])
    answer = net.get("app.bsky.feed.getPostThread", token, uri=uri, depth="10")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        for reply in node.get("replies") or ():
            post = reply.get("post") or {}
            if post.get("author", {}).get("did") == channel.external_id:
                found.append(post)
            walk(reply)

    walk(answer.json()["thread"])
    return found


def test_replies_and_mentions_reach_the_inbox_and_an_answer_goes_out_once(
    bluesky_net: BlueskyNet,
    channel: Channel,
    owner: Access,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    commits = django_capture_on_commit_callbacks
    delivery = publish(owner, channel, "Our spring launch is live. What do you think?")
    post = delivery.refs()[0]
    fan = Fan(bluesky_net)
    reply = fan.reply("Love it, but is there a <b>blue</b> one? 💙", root=post, parent=post)
    mention = fan.mention(channel, before="Hey ")

    # The worker reads the channel until the AppView has indexed both.
    seen = eventually(
        lambda: worker_minute(commits),
        lambda found: reply["uri"] in found and mention["uri"] in found,
    )

    comment, mentioned = seen[reply["uri"]], seen[mention["uri"]]
    assert comment.text == "Love it, but is there a <b>blue</b> one? 💙"
    assert comment.conversation.kind == Kind.COMMENT
    assert comment.conversation.root_url == post.url
    assert comment.identity.external_id == fan.did
    assert comment.identity.handle == f"@{fan.handle}"
    assert mentioned.conversation.kind == Kind.MENTION
    assert mentioned.text == f"Hey @{channel.handle}, how are you?"
    assert mentioned.conversation != comment.conversation
    assert Conversation.objects.count() == 2
    assert all(c.status == Status.OPEN for c in Conversation.objects.all())

    # Answered from the inbox; once committed, the worker's dispatcher sends it.
    conversation = comment.conversation
    with commits(execute=True):
        answer = actions.reply(owner, conversation, "Thank you! Blue arrives in May.")
    answer.refresh_from_db()
    assert answer.direction == Direction.OUTBOUND and answer.delivery_id is not None
    sent = Delivery.objects.get(pk=answer.delivery_id)
    assert sent.status == DeliveryStatus.PUBLISHED, sent.last_error

    # On the network: once, under the fan's reply, in the post's thread.
    ours = eventually(
        lambda: brand_replies_under(bluesky_net, channel, post.external_id),
        lambda found: len(found) >= 1,
    )
    assert [p["record"]["text"] for p in ours] == ["Thank you! Blue arrives in May."]
    assert ours[0]["record"]["reply"]["parent"]["uri"] == reply["uri"]
    assert ours[0]["record"]["reply"]["root"]["uri"] == post.external_id
    assert answer.external_id == ours[0]["uri"]

    # The fan answers our answer: the same conversation goes on. Our own reply is never
    # read back as something the customer wrote.
    again = fan.reply(
        "Great, thanks!",
        root=post,
        parent=PublishedRef(ours[0]["uri"], data={"uri": ours[0]["uri"], "cid": ours[0]["cid"]}),
    )
    latest = eventually(lambda: worker_minute(commits), lambda found: again["uri"] in found)
    assert latest[again["uri"]].conversation == conversation
    assert set(latest) == {reply["uri"], mention["uri"], again["uri"]}
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN  # the customer wrote last
    assert conversation.message_count == 3
    assert len(brand_replies_under(bluesky_net, channel, post.external_id)) == 1
