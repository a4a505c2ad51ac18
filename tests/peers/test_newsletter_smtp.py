"""A newsletter sent for real: connected through the connect action to an SMTP server
running in-process (aiosmtpd, ../shared/peers/README.md "E-mail"), published by the
dispatcher, read back from what the server received; the unsubscribe link followed and
confirmed through the public page; a bouncing address; a retry that sends nothing twice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from hubbub.core.access import access_workspace
from hubbub.networks.models import Channel
from hubbub.networks.newsletter.connect import NewsletterSettings, connect_newsletter
from hubbub.networks.newsletter.models import Sending, Subscriber, SubscriberStatus
from hubbub.networks.outgoing import OutgoingPart
from hubbub.networks.registry import connector_for
from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
from hubbub.publishing.dispatcher import deliver, idempotency_key
from hubbub.publishing.models import Delivery, DeliveryStatus
from tests.networks.newsletter.smtp_server import PASSWORD, USERNAME, Running, smtp_server

pytestmark = [pytest.mark.peers, pytest.mark.usefixtures("private_networks_allowed")]

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PEOPLE = {"ann@example.com": "Ann", "ben@example.org": "Ben", "bounce@example.net": "Bo"}
TEXT = "Spring news\n\nOur new shop opens on Monday: https://acme.example/shop"


@pytest.fixture
def server() -> Iterator[Running]:
    with smtp_server() as running:
        running.recorder.bounce["bounce@example.net"] = (
            "550 5.1.1 <bounce@example.net>: Recipient address rejected: User unknown"
        )
        yield running


@pytest.fixture
def channel(server: Running, alice: Any, acme: Any) -> Channel:
    owner = access_workspace(alice, "acme")
    channel = connect_newsletter(
        owner,
        NewsletterSettings(
            host="127.0.0.1",
            port=server.port,
            security="none",
            username=USERNAME,
            password=PASSWORD,
            from_name="Acme",
            from_address="news@acme.example",
            reply_to="",
            list_name="Acme News",
            postal_address="1 Rue de la Paix, 75002 Paris",
        ),
    )
    for email, name in PEOPLE.items():
        Subscriber.objects.create(channel=channel, email=email, name=name)
    return channel


def unsubscribe_path(message: Any) -> str:
    header = str(message["List-Unsubscribe"]).strip()
    match = re.fullmatch(r"<http://127\.0\.0\.1:8000(/u/[^>]+/)>", header)
    assert match, header
    return match.group(1)


def test_a_newsletter_reaches_each_subscriber_once(
    server: Running, channel: Channel, alice: Any, acme: Any
) -> None:
    owner = access_workspace(alice, "acme")
    with time_machine.travel(NOW, tick=False) as clock:
        post = create_draft(owner, purpose="spring", variants=[VariantInput(channel, [TEXT])])
        schedule_post(owner, post, NOW + timedelta(minutes=5))
        delivery = Delivery.objects.get(post=post)
        clock.move_to(NOW + timedelta(minutes=5))
        deliver(delivery.pk, "w1")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.last_error

    # The two good addresses got one mail each, with their own link and the headers.
    received = server.recorder.received
    assert sorted(r.rcpt_tos[0] for r in received) == ["ann@example.com", "ben@example.org"]
    paths = set()
    for email in ("ann@example.com", "ben@example.org"):
        (message,) = server.recorder.to(email)
        assert message["Subject"] == "Spring news"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Id"] == "Acme News <acme-news.acme.example>"
        paths.add(unsubscribe_path(message))
        html = message.get_body(preferencelist=("html",))
        assert html is not None
        assert '<a href="https://acme.example/shop">' in html.get_content()
    assert len(paths) == 2

    # The bouncing address is marked, with the server's own words.
    bounced = Subscriber.objects.get(email="bounce@example.net")
    assert bounced.status == SubscriberStatus.BOUNCED
    assert "550 5.1.1" in bounced.bounce_message and "User unknown" in bounced.bounce_message

    # Ann follows her link: the page asks, the button unsubscribes her.
    (ann_mail,) = server.recorder.to("ann@example.com")
    path = unsubscribe_path(ann_mail)
    browser = Client(enforce_csrf_checks=True)
    assert b"Stop sending Acme News to ann@example.com?" in browser.get(path).content
    assert Subscriber.objects.get(email="ann@example.com").status == SubscriberStatus.ACTIVE
    assert browser.post(path).status_code == 200
    assert Subscriber.objects.get(email="ann@example.com").status == SubscriberStatus.UNSUBSCRIBED

    # Retrying the same part (its idempotency key) mails nobody again.
    key = idempotency_key(delivery.pk, 0)
    assert Sending.objects.filter(key=key).count() == 3
    connector_for(channel).publish(OutgoingPart(text=TEXT, idempotency_key=key))
    assert len(server.recorder.received) == 2
