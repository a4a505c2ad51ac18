"""Connecting a newsletter: the server is checked (connect, TLS, login; no mail), each
failure says what to fix on the right field, and the password is stored encrypted."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from hubbub.core.models import AuditEntry, Workspace
from hubbub.networks.models import Channel
from tests.networks.newsletter.conftest import make_newsletter
from tests.networks.newsletter.smtp_server import PASSWORD, USERNAME, Running, free_port

URL = "/w/acme/channels/newsletter/connect/"


def form(port: int, **changes: Any) -> dict[str, Any]:
    values = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "username": USERNAME,
        "password": PASSWORD,
        "from_name": "Acme",
        "from_address": "News@Acme.example",
        "reply_to": "",
        "list_name": "Acme News",
        "postal_address": "1 Rue de la Paix\n75002 Paris",
    }
    return {**values, **changes}


def errors(response: Any) -> dict[str, list[str]]:
    return {name: list(errs) for name, errs in response.context["form"].errors.items()}


def test_a_working_server_connects_the_newsletter(alice_client: Client, smtp: Running) -> None:
    response = alice_client.post(URL, form(smtp.port))

    channel = Channel.objects.get(network="newsletter")
    assert response.status_code == 302
    assert response["Location"] == f"/w/acme/channels/newsletter/{channel.pk}/subscribers/"
    assert (channel.name, channel.handle) == ("Acme News", "news@acme.example")
    assert channel.external_id == "acme-news.acme.example"
    assert channel.config["list_id"] == "acme-news.acme.example"
    assert channel.credentials == {"password": PASSWORD}
    assert PASSWORD not in str(channel.config) and PASSWORD not in channel.credentials_encrypted
    assert smtp.recorder.received == []  # checked without sending anything
    assert AuditEntry.objects.filter(action="channel.connect").count() == 1


def test_a_wrong_password_is_said_on_the_password_field(
    alice_client: Client, smtp: Running
) -> None:
    response = alice_client.post(URL, form(smtp.port, password="wrong"))

    assert response.status_code == 200
    (message,) = errors(response)["password"]
    assert "refused the user name or password (535)" in message
    assert not Channel.objects.exists()


def test_a_closed_port_is_said_on_the_host_field(
    alice_client: Client, private_networks_allowed: None
) -> None:
    response = alice_client.post(URL, form(free_port()))

    (message,) = errors(response)["host"]
    assert "refused the connection on port" in message
    assert not Channel.objects.exists()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never greets: a firewall's black hole."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        yield int(listener.getsockname()[1])


def test_a_server_that_never_answers_times_out(
    alice_client: Client, private_networks_allowed: None, silent_port: int, settings: Any
) -> None:
    settings.HUBBUB_SMTP_TIMEOUT = 1

    response = alice_client.post(URL, form(silent_port))

    (message,) = errors(response)["host"]
    assert "did not answer on port" in message and "within 1 seconds" in message


def test_tls_against_a_plain_server_is_a_tls_failure(alice_client: Client, smtp: Running) -> None:
    response = alice_client.post(URL, form(smtp.port, security="tls"))

    (message,) = errors(response)["security"]
    assert message.startswith("The TLS connection to 127.0.0.1 failed")


def test_starttls_is_required_when_chosen(alice_client: Client, smtp: Running) -> None:
    response = alice_client.post(URL, form(smtp.port, security="starttls"))

    (message,) = errors(response)["security"]
    assert "does not offer STARTTLS" in message


def test_plain_smtp_needs_the_server_on_this_machine(alice_client: Client, smtp: Running) -> None:
    response = alice_client.post(URL, form(smtp.port, host="smtp.example.com"))  # public

    assert "Plain SMTP is only allowed to a server on this machine" in str(errors(response))


def test_loopback_is_refused_unless_private_networks_are_allowed(
    alice_client: Client, smtp: Running, settings: Any
) -> None:
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = False

    response = alice_client.post(URL, form(smtp.port))

    assert "private or local address" in str(errors(response))
    assert not Channel.objects.exists()


def test_the_postal_address_is_required_by_law(alice_client: Client, smtp: Running) -> None:
    response = alice_client.post(URL, form(smtp.port, postal_address=""))

    assert errors(response).keys() == {"postal_address"}


def test_the_api_connects_and_hides_the_password(
    alice_client: Client, smtp: Running, acme: Any
) -> None:
    response = alice_client.post(
        "/api/workspaces/acme/channels/newsletter",
        {**form(smtp.port), "postal_address": "1 Main Street"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["network"] == "newsletter" and body["handle"] == "news@acme.example"
    assert PASSWORD not in response.content.decode()


def test_the_api_says_which_field_is_wrong(alice_client: Client, smtp: Running) -> None:
    response = alice_client.post(
        "/api/workspaces/acme/channels/newsletter",
        form(smtp.port, password="wrong"),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["field"] == "password"


def test_the_connect_page_lists_the_workspace_newsletters(
    alice_client: Client, smtp: Running, acme: Workspace
) -> None:
    channel = make_newsletter(acme, smtp.port)

    html = alice_client.get(URL).content.decode()

    assert f'href="/w/acme/channels/newsletter/{channel.pk}/subscribers/"' in html
    assert 'data-testid="newsletter-connect"' in html
