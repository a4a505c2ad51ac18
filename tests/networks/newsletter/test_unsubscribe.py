"""The public unsubscribe link: GET asks, POST (a person's button or RFC 8058 one-click)
unsubscribes; a forged or altered link does nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from hubbub.core.models import Workspace
from hubbub.networks.newsletter import tokens
from hubbub.networks.newsletter.models import Subscriber, SubscriberStatus
from tests.networks.newsletter.conftest import make_newsletter


@pytest.fixture
def ann(acme: Workspace) -> Subscriber:
    channel = make_newsletter(acme, 2525)
    return Subscriber.objects.create(channel=channel, email="ann@example.com")


def path(subscriber: Subscriber) -> str:
    return tokens.unsubscribe_url(subscriber.pk).removeprefix("http://127.0.0.1:8000")


def status(subscriber: Subscriber) -> str:
    subscriber.refresh_from_db()
    return subscriber.status


def test_opening_the_link_only_asks(ann: Subscriber) -> None:
    response = Client().get(path(ann))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop sending Acme News to ann@example.com?" in html
    assert 'method="post"' in html
    assert status(ann) == SubscriberStatus.ACTIVE  # a mail scanner following links is harmless


def test_the_button_unsubscribes_without_a_session(ann: Subscriber) -> None:
    client = Client(enforce_csrf_checks=True)  # as a stranger's browser: no cookie, no token

    response = client.post(path(ann))

    assert response.status_code == 200
    assert "You will receive no more e-mails from Acme News." in response.content.decode()
    assert status(ann) == SubscriberStatus.UNSUBSCRIBED
    assert ann.unsubscribed_at is not None
    again = client.get(path(ann))
    assert 'data-testid="already"' in again.content.decode()


def test_one_click_unsubscribes_as_rfc_8058_says(ann: Subscriber) -> None:
    response = Client(enforce_csrf_checks=True).post(
        path(ann),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert status(ann) == SubscriberStatus.UNSUBSCRIBED


def test_an_altered_link_does_nothing(ann: Subscriber) -> None:
    other = Subscriber.objects.create(channel=ann.channel, email="ben@example.org")
    signature = tokens.make(other.pk).split(".", 1)[1]
    token = tokens.make(ann.pk)
    forged = [
        f"{ann.pk}.{signature}",  # ben's signature on ann's id
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character changed
        f"{ann.pk}",  # no signature
    ]

    for attempt in forged:
        assert Client().post(f"/u/{attempt}/").status_code == 404
    assert status(ann) == SubscriberStatus.ACTIVE


def test_a_removed_subscribers_link_says_it_does_not_work(ann: Subscriber) -> None:
    url = path(ann)
    ann.delete()

    response = Client().get(url)

    assert response.status_code == 404
    assert "This unsubscribe link does not work" in response.content.decode()
