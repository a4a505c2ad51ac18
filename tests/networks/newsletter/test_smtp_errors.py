"""What each SMTP failure means, against the scripted server at the smtplib seam: which
subscriber got the mail, what is retried, and what a person is told."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hubbub.core.models import Workspace
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from hubbub.networks.models import Channel
from hubbub.networks.newsletter import smtp
from hubbub.networks.newsletter.models import Sending, SendingStatus, Subscriber, SubscriberStatus
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.registry import connector_for
from tests.conftest import PUBLIC_TEST_ADDRESS
from tests.networks.newsletter.conftest import make_newsletter
from tests.networks.newsletter.fake_smtp import FakeServer, Script

HOST = "smtp.acme-mail.example"
NOW = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
PEOPLE = ["a@example.com", "b@example.com", "c@example.com"]
PART = OutgoingPart(text="News", idempotency_key="delivery-3:0")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, fake_dns: dict[str, list[str]]) -> Iterator[FakeServer]:
    fake_dns[HOST] = [PUBLIC_TEST_ADDRESS]
    server = FakeServer()
    monkeypatch.setattr(smtp, "smtp_class", server.smtp_class)
    with time_machine.travel(NOW, tick=False):
        yield server


def make_channel(workspace: Workspace, host: str = HOST, security: str = "starttls") -> Channel:
    channel = make_newsletter(
        workspace,
        587,
        host,
        password="pw",
        security=security,
        username="user",
        from_name="",
        reply_to="",
        postal_address="1 Main Street",
    )
    for email in PEOPLE:
        Subscriber.objects.create(channel=channel, email=email)
    return channel


@pytest.fixture
def channel(acme: Workspace, fake: FakeServer) -> Channel:
    return make_channel(acme)


def mailed(fake: FakeServer) -> list[str]:
    return [d.rcpt_to[0] for d in fake.delivered]


def test_it_connects_to_the_checked_address_over_verified_tls(
    channel: Channel, fake: FakeServer
) -> None:
    connector_for(channel).publish(PART)

    (connection,) = fake.connections  # one connection for the whole list
    assert connection.host == HOST and connection.address == PUBLIC_TEST_ADDRESS
    assert connection.tls and connection.verifies_certificate
    assert connection.login == ("user", "pw")
    assert mailed(fake) == PEOPLE


def test_a_server_that_resolves_to_a_private_address_is_refused(
    acme: Workspace, fake: FakeServer, fake_dns: dict[str, list[str]]
) -> None:
    fake_dns["smtp.internal.example"] = ["10.0.0.25"]
    channel = make_channel(acme, host="smtp.internal.example")

    with pytest.raises(PermanentError, match="private or local address"):
        connector_for(channel).publish(PART)
    assert fake.connections == []


def test_plain_smtp_is_refused_to_anything_but_this_machine(
    acme: Workspace, fake: FakeServer, private_networks_allowed: None
) -> None:
    channel = make_channel(acme, security="none")  # HOST is a public address

    with pytest.raises(PermanentError, match="STARTTLS"):
        connector_for(channel).publish(PART)
    assert fake.connections == []


def test_refused_credentials_need_a_reconnect(channel: Channel, fake: FakeServer) -> None:
    fake.script = Script(auth=b"535 5.7.8 Error: authentication failed: authentication failure")

    with pytest.raises(AuthError) as caught:
        connector_for(channel).publish(PART)

    assert caught.value.needs_reconnect and caught.value.status == 535
    assert caught.value.network_message == (
        "535 5.7.8 Error: authentication failed: authentication failure"
    )
    assert "pw" not in str(caught.value)
    assert not Sending.objects.exists()  # nobody claimed: the retry mails everyone


def test_slow_down_stops_and_the_retry_goes_on_with_those_not_mailed(
    channel: Channel, fake: FakeServer
) -> None:
    fake.script.rcpt["b@example.com"] = b"451 4.7.1 Sending rate exceeded, try again later"
    connector = connector_for(channel)

    with pytest.raises(RateLimited) as caught:
        connector.publish(PART)

    assert caught.value.retry_at == NOW + timedelta(minutes=30)
    assert caught.value.status == 451 and caught.value.sent is False
    assert mailed(fake) == ["a@example.com"]
    assert list(Sending.objects.values_list("subscriber__email", flat=True)) == ["a@example.com"]
    assert connector.find_published(PART) is None

    fake.script = Script()
    assert connector.publish(PART) == PublishedRef(external_id="delivery-3:0")
    assert mailed(fake) == PEOPLE  # b and c once each, a not again


def test_421_is_transient(channel: Channel, fake: FakeServer) -> None:
    fake.script = Script(mail=b"421 4.7.0 smtp.acme-mail.example Service not available")

    with pytest.raises(TransientError) as caught:
        connector_for(channel).publish(PART)

    assert caught.value.status == 421 and not isinstance(caught.value, RateLimited)
    assert mailed(fake) == [] and not Sending.objects.exists()


def test_no_answer_after_the_message_is_never_sent_again(
    channel: Channel, fake: FakeServer
) -> None:
    fake.script = Script(time_out_after_data=True)
    connector = connector_for(channel)

    with pytest.raises(ConnectorError) as caught:
        connector.publish(PART)

    assert caught.value.sent is True and caught.value.permanent is False
    unknown = Sending.objects.get()
    assert (unknown.subscriber.email, unknown.status) == ("a@example.com", SendingStatus.SENDING)
    assert "may have been delivered" in unknown.error
    assert connector.find_published(PART) is None  # b and c are still to be mailed

    fake.script = Script()
    connector.publish(PART)
    assert mailed(fake) == PEOPLE  # a's (possible) mail was not repeated
    assert connector.find_published(PART) == PublishedRef(external_id="delivery-3:0")


def test_a_mailbox_refused_after_data_is_a_bounce(channel: Channel, fake: FakeServer) -> None:
    fake.script = Script(data_end=b"550 5.1.1 <a@example.com>: Recipient address rejected")

    connector_for(channel).publish(PART)

    assert set(Subscriber.objects.values_list("status", flat=True)) == {SubscriberStatus.BOUNCED}


def test_a_message_the_server_rejects_stops_for_a_person(
    channel: Channel, fake: FakeServer
) -> None:
    fake.script = Script(data_end=b"554 5.7.1 Message rejected: content looks like spam")

    with pytest.raises(PermanentError) as caught:
        connector_for(channel).publish(PART)

    assert caught.value.network_message == "554 5.7.1 Message rejected: content looks like spam"
    assert not Sending.objects.exists()  # nobody got it: sent again once it is fixed
    assert set(Subscriber.objects.values_list("status", flat=True)) == {SubscriberStatus.ACTIVE}


def test_a_server_that_closes_between_messages_gets_a_new_connection(
    channel: Channel, fake: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.networks.newsletter import fake_smtp

    taken = {"n": 0}
    original = fake_smtp._Socket._command

    def one_message_a_session(self: fake_smtp._Socket, line: str) -> None:
        if line.upper().startswith("MAIL") and taken["n"] == 1 and len(fake.connections) == 1:
            self.replies.append(b"")  # the server hangs up (EOF)
            return
        if line.upper().startswith("MAIL"):
            taken["n"] += 1
        original(self, line)

    monkeypatch.setattr(fake_smtp._Socket, "_command", one_message_a_session)

    connector_for(channel).publish(PART)

    assert mailed(fake) == PEOPLE and len(fake.connections) == 2
