"""The helpers every connector shares (hubbub.networks.base): reading stored secrets, reading
files to attach, calling through the outbound seam, and the errors no documented code
explains. Each network's own tests cover them in context; these pin their words."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    TransientError,
    network_request,
    open_media,
    read_media,
    rejected,
    revoked,
    unavailable,
    upload_file,
)
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.networks.registry import connector_for


def telegram_channel(acme: Workspace, **credentials: str) -> Channel:
    made = Channel(workspace=acme, network="telegram", external_id="-100123", handle="@acme")
    made.credentials = credentials
    made.save()
    return made


@pytest.mark.django_db
def test_a_stored_secret_is_read_back(acme: Workspace) -> None:
    connector = connector_for(telegram_channel(acme, bot_token="123:abc"))
    assert connector.stored_secret("bot_token") == "123:abc"


@pytest.mark.django_db
def test_a_missing_secret_asks_for_a_reconnect(acme: Workspace) -> None:
    connector = connector_for(telegram_channel(acme, bot_token=""))
    with pytest.raises(AuthError) as caught:
        connector.stored_secret("bot_token")
    assert caught.value.needs_reconnect
    assert str(caught.value) == "The channel has no Telegram credentials: reconnect it."


@pytest.mark.django_db
def test_a_secret_the_server_cannot_decrypt_asks_for_a_reconnect(acme: Workspace) -> None:
    channel = telegram_channel(acme, bot_token="123:abc")
    channel.credentials_encrypted = "gAAAAA-encrypted-with-a-key-now-gone"
    connector = connector_for(channel)
    with pytest.raises(AuthError) as caught:
        connector.stored_secret("bot_token")
    assert caught.value.needs_reconnect
    assert str(caught.value) == (
        "The stored Telegram credentials cannot be read (the server's secret key changed): "
        "reconnect the channel."
    )


def test_a_file_to_attach_is_read_and_a_missing_one_refused(tmp_path: Path) -> None:
    path = tmp_path / "latte.jpg"
    path.write_bytes(b"\xff\xd8jpeg")
    media = MediaFile(path, "image/jpeg", 6)
    assert read_media(media) == b"\xff\xd8jpeg"
    assert upload_file(media) == ("latte.jpg", b"\xff\xd8jpeg", "image/jpeg")
    with open_media(media) as handle:
        assert handle.read(2) == b"\xff\xd8"

    path.unlink()
    with pytest.raises(PermanentError) as caught:
        read_media(media)
    assert caught.value.message.startswith(
        "The file latte.jpg to attach cannot be read (No such file or directory)"
    )
    with pytest.raises(PermanentError) as opening:
        open_media(media)
    assert opening.value.message == caught.value.message


def test_a_call_without_an_answer_is_a_connector_error() -> None:
    # The seam refuses a private address before sending anything: nothing was sent.
    with pytest.raises(ConnectorError) as caught:
        network_request("Example", "GET", "https://127.0.0.1/")
    assert caught.value.message.startswith("Example: ")
    assert caught.value.permanent and caught.value.sent is False


def test_a_call_returns_any_answer(fake_dns: dict[str, list[str]]) -> None:
    with respx.mock(assert_all_mocked=True) as router:
        router.get("https://api.example/x").respond(404, json={"error": "gone"})
        response = network_request("Example", "GET", "https://api.example/x")
    assert response.status_code == 404


def test_undocumented_errors_are_transient_or_permanent() -> None:
    response = httpx.Response(503, headers={"Retry-After": "30"})
    later = unavailable(response, "Example", "busy")
    assert isinstance(later, TransientError) and later.retry_at is not None
    assert (
        str(later) == "Example is unavailable right now (HTTP 503): Hubbub will try again. (busy)"
    )
    refused = rejected("Example", 422, "Text is spam")
    assert refused.permanent and refused.status == 422
    assert refused.message == "Example rejected the request (HTTP 422)"


def test_a_refused_authorization_asks_to_connect_again() -> None:
    error = revoked("X", "Unauthorized", 401)
    assert error.needs_reconnect and error.status == 401 and error.network_message
    assert error.message == "X no longer accepts this authorization: connect the account again."
