"""Exactly-once across real OS processes, over real HTTP, with faults injected.

The workers are separate Python processes (tests/publishing/worker_script.py) publishing to
a local HTTP peer (fault_peer.py) through the loopback connector and hubbub.core.http. They
need a database every process can open, with committed rows: each test makes its own (a
SQLite file in tmp_path, or a scratch PostgreSQL database when DATABASE_URL points to
PostgreSQL), migrates it and fills it in subprocesses, and reads the outcome the same way.
The test process itself never touches that database, so no database fixture is used.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.loopback import LoopbackConnector
from bench.peer import FaultPeer, FaultPlan
from hubbub.networks.base import ConnectorError, RateLimited, TransientError
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart
from hubbub.publishing import dispatcher

ROOT = Path(__file__).resolve().parents[2]


# --- the scratch database and the worker processes ----------------------------------------


@pytest.fixture
def scratch_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of every subprocess: a fresh, migrated database of its own."""
    env = dict(os.environ)
    env.pop("HUBBUB_REDIS_URL", None)  # nothing is enqueued; keep the queue local
    env.update(
        DJANGO_SETTINGS_MODULE="hubbub.settings",
        HUBBUB_DATA_DIR=str(tmp_path),
        HUBBUB_JOBS_IMMEDIATE="false",
        HUBBUB_ALLOW_PRIVATE_NETWORKS="true",
        # The peer holds a "timeout after accept" answer for 2 s.
        HUBBUB_HTTP_TIMEOUT="1",
    )
    admin_url = os.environ.get("DATABASE_URL", "")
    scratch = ""
    if urlsplit(admin_url).scheme.startswith("postgres"):
        import psycopg

        scratch = f"hubbub_race_{secrets.token_hex(4)}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(admin_url)._replace(path=f"/{scratch}"))
    else:
        env.pop("DATABASE_URL", None)  # the SQLite file in HUBBUB_DATA_DIR
    try:
        _run(env, "-m", "hubbub.cli", "migrate", "-v", "0")
        yield env
    finally:
        if scratch:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _script(env: dict[str, str], *args: str) -> str:
    return _run(env, "-m", "tests.publishing.worker_script", *args)


def _start_worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.publishing.worker_script", "work", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(worker: subprocess.Popen[str]) -> None:
    out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, f"worker failed:\n{out}\n{err}"


def _report(env: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(_script(env, "report"))
    return result


@pytest.fixture
def peer_factory() -> Iterator[list[FaultPeer]]:
    peers: list[FaultPeer] = []
    yield peers
    for peer in peers:
        peer.stop()


def _peer(peers: list[FaultPeer], plan: FaultPlan) -> FaultPeer:
    peer = FaultPeer(plan).start()
    peers.append(peer)
    return peer


def _assert_exactly_once(peer: FaultPeer, report: dict[str, Any], count: int) -> None:
    deliveries = report["deliveries"]
    statuses = {d["status"] for d in deliveries.values()}
    assert statuses == {"published"}, {
        pk: d for pk, d in deliveries.items() if d["status"] != "published"
    }
    seen = peer.snapshot()
    keys = {dispatcher.idempotency_key(int(pk), 0) for pk in deliveries}
    assert len(keys) == count
    assert set(seen) == keys  # none lost
    assert {k: n for k, n in seen.items() if n != 1} == {}  # none duplicated
    # and each delivery points at the post the network made for its own key
    for pk, d in deliveries.items():
        assert [r["data"]["key"] for r in d["refs"]] == [dispatcher.idempotency_key(int(pk), 0)]


# --- the tests ------------------------------------------------------------------------------


def test_two_worker_processes_publish_each_delivery_once_despite_faults(
    scratch_env: dict[str, str], peer_factory: list[FaultPeer]
) -> None:
    plan = FaultPlan(
        latency=0.02, timeout_after_accept=0.10, server_error=0.05, rate_limited=0.05, seed=3
    )
    peer = _peer(peer_factory, plan)
    _script(scratch_env, "setup", "200", peer.url)

    workers = [_start_worker(scratch_env, "--deadline", "45") for _ in range(2)]
    for worker in workers:
        _finish(worker)

    report = _report(scratch_env)
    _assert_exactly_once(peer, report, 200)
    # the faults did happen, and each kind took its own path through the dispatcher
    assert peer.faults["timeout"] > 5 and peer.faults["500"] > 2 and peer.faults["429"] > 2
    outcomes = report["outcomes"]
    assert outcomes["unknown"] == peer.faults["timeout"]
    assert outcomes["reconciled_found"] == peer.faults["timeout"]
    assert outcomes["transient"] == peer.faults["500"]
    assert outcomes["rate_limited"] == peer.faults["429"]
    assert outcomes["published"] == 200 - peer.faults["timeout"]


def test_a_worker_killed_mid_publish_leaves_nothing_lost_or_doubled(
    scratch_env: dict[str, str], peer_factory: list[FaultPeer]
) -> None:
    peer = _peer(peer_factory, FaultPlan(latency=1.0))
    scratch_env["HUBBUB_HTTP_TIMEOUT"] = "5"  # a slow answer, not a time-out
    _script(scratch_env, "setup", "8", peer.url)

    # One delivery at a time: the kill catches exactly one part in flight.
    first = _start_worker(scratch_env, "--deadline", "30", "--concurrency", "1")
    deadline = time.monotonic() + 30
    while True:  # kill it while a request has reached the peer and waits for its answer
        waiting = peer.oldest_in_flight()
        if peer.accepted_count() >= 3 and waiting is not None and 0.1 < waiting < 0.8:
            break
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the worker never got three posts out"
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    while peer.oldest_in_flight() is not None:  # the peer finishes the orphaned request
        time.sleep(0.05)
    before = peer.snapshot()
    assert 3 <= sum(before.values()) < 8

    # The dead worker's lease (5 min) has not run out on the wall clock: the second worker
    # starts with its clock past it, as a worker would minutes later.
    past_lease = (dispatcher.LEASE + timedelta(minutes=1)).total_seconds()
    second = _start_worker(scratch_env, "--start-offset", str(past_lease), "--deadline", "30")
    _finish(second)

    report = _report(scratch_env)
    _assert_exactly_once(peer, report, 8)
    # the part the killed worker had in flight was found on the network, not sent again
    assert report["outcomes"]["reconciled_found"] == 1
    assert report["outcomes"]["published"] == 7


def test_a_worker_killed_with_a_whole_batch_in_flight_leaves_nothing_lost_or_doubled(
    scratch_env: dict[str, str], peer_factory: list[FaultPeer]
) -> None:
    peer = _peer(peer_factory, FaultPlan(latency=1.0))
    scratch_env["HUBBUB_HTTP_TIMEOUT"] = "5"
    _script(scratch_env, "setup", "12", peer.url)

    # Four deliveries published at once, from a batch of four.
    args = ("--deadline", "30", "--limit", "4", "--concurrency", "4")
    first = _start_worker(scratch_env, *args)
    deadline = time.monotonic() + 30
    while True:  # kill it while the whole batch waits for the network's answers
        waiting = peer.oldest_in_flight()
        if peer.in_flight_count() == 4 and waiting is not None and 0.1 < waiting < 0.8:
            break
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the worker never had four posts in flight"
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    while peer.oldest_in_flight() is not None:
        time.sleep(0.05)
    assert sum(peer.snapshot().values()) == 4

    past_lease = (dispatcher.LEASE + timedelta(minutes=1)).total_seconds()
    second = _start_worker(scratch_env, "--start-offset", str(past_lease), *args)
    _finish(second)

    report = _report(scratch_env)
    _assert_exactly_once(peer, report, 12)
    # all four were found on the network, none sent again; the other eight went out once
    assert report["outcomes"]["reconciled_found"] == 4
    assert report["outcomes"]["published"] == 8


# --- the loopback connector in-process: each answer maps to the right error ----------------


@pytest.fixture
def loopback(settings: Any, peer_factory: list[FaultPeer]) -> tuple[FaultPeer, LoopbackConnector]:
    settings.HUBBUB_ALLOW_PRIVATE_NETWORKS = True
    settings.HUBBUB_HTTP_TIMEOUT = 1
    peer = _peer(peer_factory, FaultPlan(latency=0.0, hold_seconds=1.5))
    channel = Channel(network="loopback", config={"base_url": peer.url})
    return peer, LoopbackConnector(channel)


def test_it_publishes_and_finds_the_post_by_its_key(
    loopback: tuple[FaultPeer, LoopbackConnector],
) -> None:
    peer, connector = loopback
    part = OutgoingPart(text="Hello", idempotency_key="hubbub-1-0")
    assert connector.find_published(part) is None
    ref = connector.publish(part)
    assert peer.posts["hubbub-1-0"]["text"] == "Hello"
    found = connector.find_published(part)
    assert found is not None and found.external_id == ref.external_id == "p1"


def test_it_maps_429_to_rate_limited_with_the_retry_time(
    loopback: tuple[FaultPeer, LoopbackConnector],
) -> None:
    peer, connector = loopback
    peer.plan.rate_limited = 1.0
    with pytest.raises(RateLimited) as caught:
        connector.publish(OutgoingPart(text="Hello", idempotency_key="k"))
    assert caught.value.retry_at is not None and not caught.value.sent
    assert peer.snapshot() == {}


def test_it_maps_500_to_a_transient_error(
    loopback: tuple[FaultPeer, LoopbackConnector],
) -> None:
    peer, connector = loopback
    peer.plan.server_error = 1.0
    with pytest.raises(TransientError) as caught:
        connector.publish(OutgoingPart(text="Hello", idempotency_key="k"))
    assert not caught.value.permanent and not caught.value.sent


def test_it_reports_a_timeout_after_accept_as_outcome_unknown(
    loopback: tuple[FaultPeer, LoopbackConnector],
) -> None:
    peer, connector = loopback
    peer.plan.timeout_after_accept = 1.0
    with pytest.raises(ConnectorError) as caught:
        connector.publish(OutgoingPart(text="Hello", idempotency_key="k"))
    assert caught.value.sent and not caught.value.permanent
    assert peer.snapshot() == {"k": 1}
