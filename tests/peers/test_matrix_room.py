"""A real Matrix homeserver on loopback (Synapse, PyPI matrix-synapse, installed by
scripts/peers-matrix.sh into its own virtualenv): Hubbub connects to a room with a username
and password, posts an announcement with an image and a thread part, reads a member's reply,
mentions and reactions, and redacts what it posted.

The `synapse` fixture (module-scoped) writes a configuration in a temporary folder (SQLite,
one loopback port chosen free, no federation key servers, rate limits raised for a test),
starts the homeserver, waits for /_matrix/client/versions and stops it at the end. It finds
Synapse at $HUBBUB_SYNAPSE_VENV/bin/python, else ${XDG_CACHE_HOME:-~/.cache}/hubbub/peers/
synapse/bin/python; it never skips: a homeserver that cannot start fails the tests, with the
fix. Calls made as the room's other member use plain httpx: they are the test's own hands on
the server, not Hubbub's outbound calls (those go through hubbub.core.http).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from PIL import Image

from hubbub.core.access import ActionError, access_workspace
from hubbub.networks.actions import check_channel
from hubbub.networks.matrix.connect import connect_matrix
from hubbub.networks.matrix.connector import MatrixConnector
from hubbub.networks.models import Channel, Health
from hubbub.networks.outgoing import MediaFile, OutgoingPart, ReplyTarget

pytestmark = [pytest.mark.peers, pytest.mark.usefixtures("private_networks_allowed")]

_HOME = Path(os.environ.get("HOME") or Path.home())
_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or _HOME / ".cache")
VENV = Path(os.environ.get("HUBBUB_SYNAPSE_VENV") or _CACHE / "hubbub" / "peers" / "synapse")
PYTHON = VENV / "bin" / "python"
INSTALL_HINT = "install it with ./scripts/peers-matrix.sh (PyPI matrix-synapse, own venv)"
START_TIMEOUT = 90.0
SERVER_NAME = "localhost"
PASSWORD = "a long test password 4 synapse"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _overrides(port: int) -> str:
    many = "{per_second: 1000, burst_count: 1000}"
    return f"""
listeners:
  - port: {port}
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
trusted_key_servers: []
suppress_key_server_warning: true
report_stats: false
enable_registration: false
# Test passwords: cheap hashing keeps each login fast (the default 12 rounds take ~1 s).
bcrypt_rounds: 4
url_preview_enabled: false
presence:
  enabled: false
rc_message: {many}
rc_joins: {{local: {many}, remote: {many}}}
rc_login: {{address: {many}, account: {many}, failed_attempts: {many}}}
rc_admin_redaction: {many}
rc_invites: {{per_room: {many}, per_user: {many}, per_issuer: {many}}}
"""


@dataclass
class Synapse:
    url: str
    shared_secret: str

    def register(self, localpart: str) -> str:
        """A new user through the shared-secret admin API (what register_new_matrix_user
        does); returns its user id."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = httpx.get(endpoint, timeout=30).json()["nonce"]
        # "Shared-Secret Registration": HMAC-SHA1 of nonce, user, password, "notadmin",
        # NUL-separated.
        message = "\x00".join((nonce, localpart, PASSWORD, "notadmin")).encode()
        mac = hmac.new(self.shared_secret.encode(), message, hashlib.sha1)
        body = {
            "nonce": nonce,
            "username": localpart,
            "password": PASSWORD,
            "admin": False,
            "mac": mac.hexdigest(),
        }
        answer = httpx.post(endpoint, json=body, timeout=30)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["user_id"])

    def login(self, localpart: str) -> Member:
        body = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": localpart},
            "password": PASSWORD,
        }
        answer = httpx.post(f"{self.url}/_matrix/client/v3/login", json=body, timeout=30)
        assert answer.status_code == 200, answer.text
        return Member(self.url, answer.json()["access_token"], answer.json()["user_id"])


@dataclass
class Member:
    """A room member other than Hubbub, doing what a person in Element would."""

    url: str
    token: str
    user_id: str

    def call(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        answer = httpx.request(
            method,
            f"{self.url}/_matrix/client{path}",
            json=body,
            params=params or None,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        assert answer.is_success, (method, path, answer.status_code, answer.text)
        return answer.json()

    def send(self, room_id: str, content: dict[str, Any]) -> str:
        path = f"/v3/rooms/{quote(room_id, safe='')}/send/m.room.message/{uuid.uuid4().hex}"
        return str(self.call("PUT", path, content)["event_id"])

    def event(self, room_id: str, event_id: str) -> dict[str, Any]:
        room, event = quote(room_id, safe=""), quote(event_id, safe="")
        return dict(self.call("GET", f"/v3/rooms/{room}/event/{event}"))


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Synapse exited with {process.returncode}: {_tail(log)}")
        try:
            if httpx.get(f"{url}/_matrix/client/versions", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"Synapse did not answer within {START_TIMEOUT:g} s: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


@pytest.fixture(scope="module")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    if not PYTHON.exists():
        pytest.fail(f"Synapse is not installed at {VENV}: {INSTALL_HINT}")
    folder = tmp_path_factory.mktemp("synapse")
    generated = folder / "homeserver.yaml"
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "synapse.app.homeserver",
            "--server-name",
            SERVER_NAME,
            "--config-path",
            str(generated),
            "--data-directory",
            str(folder),
            "--generate-config",
            "--report-stats=no",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=120,
    )
    secret = next(
        line.split(":", 1)[1].strip().strip('"')
        for line in generated.read_text().splitlines()
        if line.startswith("registration_shared_secret:")
    )
    port = _free_port()
    overrides = folder / "overrides.yaml"
    overrides.write_text(_overrides(port))
    log = folder / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(PYTHON),
                "-m",
                "synapse.app.homeserver",
                "--config-path",
                str(generated),
                "--config-path",
                str(overrides),
            ],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, url, log)
        yield Synapse(url, secret)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def owner(alice, acme):
    return access_workspace(alice, "acme")


@dataclass
class Room:
    room_id: str
    alias: str
    hubbub: str
    fan: Member


def _room(synapse: Synapse, name: str, **extra: Any) -> Room:
    suffix = uuid.uuid4().hex[:8]
    hubbub = synapse.register(f"hubbub{suffix}")
    synapse.register(f"fan{suffix}")
    fan = synapse.login(f"fan{suffix}")
    body = {
        "preset": "private_chat",
        "name": name,
        "room_alias_name": f"news{suffix}",
        "invite": [hubbub],
        **extra,
    }
    room_id = str(fan.call("POST", "/v3/createRoom", body)["room_id"])
    return Room(room_id, f"#news{suffix}:{SERVER_NAME}", hubbub, fan)


@pytest.fixture
def png(tmp_path: Path) -> MediaFile:
    path = tmp_path / "square.png"
    Image.new("RGB", (120, 80), (200, 40, 40)).save(path)
    return MediaFile(path, "image/png", path.stat().st_size, alt_text="A red square")


def test_connect_post_read_replies_and_redact(synapse: Synapse, owner, png: MediaFile) -> None:
    room = _room(synapse, "Acme news")
    localpart = room.hubbub.split(":")[0].removeprefix("@")

    channel = connect_matrix(owner, synapse.url, room.alias, username=localpart, password=PASSWORD)

    channel.refresh_from_db()
    assert (channel.network, channel.external_id) == ("matrix", room.room_id)
    assert (channel.handle, channel.name) == (room.alias, "Acme news")
    assert channel.profile_url == f"https://matrix.to/#/{quote(room.alias, safe='!')}"
    assert channel.config["homeserver"] == synapse.url
    assert channel.config["room_id"] == room.room_id
    assert channel.config["user_id"] == room.hubbub
    assert channel.config["max_upload_bytes"] == 50 * 1024 * 1024  # Synapse's default 50M
    assert PASSWORD not in str(channel.credentials) and channel.credentials["access_token"]
    members = room.fan.call("GET", f"/v3/rooms/{quote(room.room_id, safe='')}/joined_members")
    assert room.hubbub in members["joined"]  # the invitation was accepted by connecting
    assert check_channel(channel).health == Health.OK

    conn = MatrixConnector(channel)
    announcement = OutgoingPart(
        text="Hubbub 2.0 is out: 🎉 «thread» below", idempotency_key="d1:0", media=(png,)
    )
    ref = conn.publish(announcement)
    text_id, image_id = ref.data["event_ids"]
    assert ref.external_id == text_id
    text_event = room.fan.event(room.room_id, text_id)
    assert text_event["content"] == {"msgtype": "m.text", "body": announcement.text}
    image = room.fan.event(room.room_id, image_id)["content"]
    assert image["msgtype"] == "m.image" and image["body"] == "A red square"
    assert image["url"].startswith(f"mxc://{SERVER_NAME}/")
    assert image["info"] == {"mimetype": "image/png", "size": png.size, "w": 120, "h": 80}

    # The same part again (a retry): the same transaction ids, no second message.
    assert conn.publish(announcement).data["event_ids"] == [text_id, image_id]
    assert conn.find_published(announcement) == ref

    second = OutgoingPart(
        text="Part 2: details.",
        idempotency_key="d1:1",
        reply_to=ReplyTarget(root=ref, parent=ref),
    )
    part2 = conn.publish(second)
    relation = room.fan.event(room.room_id, part2.external_id)["content"]["m.relates_to"]
    assert relation["rel_type"] == "m.thread" and relation["event_id"] == text_id

    # The other member replies in the thread, and reacts.
    reply_id = room.fan.send(
        room.room_id,
        {
            "msgtype": "m.text",
            "body": "Congrats <b>team</b> & thanks",
            "m.relates_to": {
                "rel_type": "m.thread",
                "event_id": text_id,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": part2.external_id},
            },
        },
    )
    reaction = {"m.relates_to": {"rel_type": "m.annotation", "event_id": text_id, "key": "👍"}}
    room.fan.call(
        "PUT",
        f"/v3/rooms/{quote(room.room_id, safe='')}/send/m.reaction/{uuid.uuid4().hex}",
        reaction,
    )

    first = conn.fetch_comments(ref, None)
    assert [(c.external_id, c.text, c.author.handle) for c in first.items] == [
        (reply_id, "Congrats <b>team</b> & thanks", room.fan.user_id)
    ]
    assert first.cursor
    again = conn.fetch_comments(ref, first.cursor)
    assert again.items == [] and again.cursor == first.cursor

    metrics = conn.fetch_metrics([ref])
    assert metrics[text_id].likes == 1 and metrics[text_id].comments == 1

    # Mentions: one message naming the account, one not; then nothing new.
    room.fan.send(room.room_id, {"msgtype": "m.text", "body": "unrelated chat"})
    mention_id = room.fan.send(
        room.room_id,
        {
            "msgtype": "m.text",
            "body": f"{localpart}: can you post the changelog?",
            "m.mentions": {"user_ids": [room.hubbub]},
        },
    )
    mentions = conn.fetch_mentions(None)
    assert [m.external_id for m in mentions.items] == [mention_id]
    assert mentions.cursor
    quiet = conn.fetch_mentions(mentions.cursor)
    assert quiet.items == [] and quiet.cursor
    later_id = room.fan.send(
        room.room_id, {"msgtype": "m.text", "body": f"ping {room.hubbub}", "m.mentions": {}}
    )
    plain_id = room.fan.send(room.room_id, {"msgtype": "m.text", "body": f"ping {room.hubbub}"})
    newer = conn.fetch_mentions(quiet.cursor)
    # m.mentions present but empty: not a mention, whatever the body says.
    assert [m.external_id for m in newer.items] == [plain_id] and later_id != plain_id

    conn.delete(ref)
    for event_id in (text_id, image_id):
        gone = room.fan.event(room.room_id, event_id)
        assert gone["content"] == {} and "redacted_because" in gone["unsigned"]
    conn.delete(ref)  # deleting again is not an error


def test_a_token_connects_and_a_muted_account_is_told_why(synapse: Synapse, owner) -> None:
    # A room where sending messages needs power level 50: the invited account has 0.
    room = _room(synapse, "Read-only", power_level_content_override={"events_default": 50})
    localpart = room.hubbub.split(":")[0].removeprefix("@")
    token = synapse.login(localpart).token

    with pytest.raises(ActionError) as caught:
        connect_matrix(owner, synapse.url, room.room_id, access_token=token)

    assert caught.value.field == "room"
    assert "power level does not allow sending messages" in caught.value.message
    assert not Channel.objects.exists()


def test_a_wrong_password_and_an_unknown_alias_are_refused(synapse: Synapse, owner) -> None:
    room = _room(synapse, "Elsewhere")
    localpart = room.hubbub.split(":")[0].removeprefix("@")

    with pytest.raises(ActionError) as wrong:
        connect_matrix(owner, synapse.url, room.alias, username=localpart, password="nope")
    with pytest.raises(ActionError) as unknown:
        connect_matrix(
            owner, synapse.url, "#nowhere:localhost", username=localpart, password=PASSWORD
        )

    assert wrong.value.field == "password"
    assert unknown.value.field == "room" and "#nowhere:localhost" in unknown.value.message
    assert not Channel.objects.exists()
