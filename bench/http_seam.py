"""What Hubbub's outbound HTTP seam costs over the plain httpx client it wraps.

`hubbub.core.http.request` adds, per call: the URL and address checks (SSRF guard), a
timeout object, and one log line. Both clients send N sequential GETs over a kept-alive
connection to a JSON server on 127.0.0.1 and check each status.

The server runs in another process so that its threads do not compete with the client for
the GIL: the figures are the client's cost, not the server's.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from collections.abc import Iterator

import httpx
from django.test import override_settings

from bench import json_server
from bench.measure import Measurement, compare, kib, overhead, table

WARM_UP = 50
TRACED = 500  # requests in the round traced for memory
BLOCK = 50  # requests each client sends before the other takes its turn
BASELINE = "httpx.Client"
OURS = "hubbub.core.http.request"


@contextlib.contextmanager
def json_server_process() -> Iterator[str]:
    """Starts the JSON server and yields its base URL; stops it on exit."""
    context = multiprocessing.get_context("spawn")  # no fork of a process holding threads
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=json_server.serve, args=(sending,), daemon=True)
    process.start()
    try:
        if not receiving.poll(15):
            raise RuntimeError("The benchmark's JSON server did not start within 15 seconds.")
        port = receiving.recv()
        yield f"http://127.0.0.1:{port}/api/v1/statuses/1"
    finally:
        process.terminate()
        process.join(5)


@contextlib.contextmanager
def log_lines_to_devnull() -> Iterator[None]:
    """Keeps the seam's log line per call (its cost is part of the seam) off the terminal."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    with open(os.devnull, "w") as devnull:
        previous = [h.setStream(devnull) for h in handlers]
        try:
            yield
        finally:
            for handler, stream in zip(handlers, previous, strict=True):
                if stream is not None:
                    handler.setStream(stream)


def _check(response: httpx.Response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"The JSON server answered {response.status_code}, expected 200.")


def run(requests: int, rounds: int, budget: float) -> str:
    from hubbub.core import http  # after django.setup()

    with (
        json_server_process() as url,
        override_settings(HUBBUB_ALLOW_PRIVATE_NETWORKS=True),  # the server is on loopback
        log_lines_to_devnull(),
        httpx.Client(timeout=20) as client,
    ):

        def baseline(_first: int, count: int) -> None:
            for _ in range(count):
                _check(client.get(url))

        def ours(_first: int, count: int) -> None:
            for _ in range(count):
                _check(http.request("GET", url))

        # Open the connections and create the seam's shared client before timing.
        baseline(0, WARM_UP)
        ours(0, WARM_UP)
        results = compare(
            {BASELINE: baseline, OURS: ours},
            requests,
            block=BLOCK,
            rounds=rounds,
            budget=budget,
            traced_operations=TRACED,
        )
    return report(results, requests)


def report(results: dict[str, Measurement], requests: int) -> str:
    base, ours = results[BASELINE], results[OURS]
    rows = [
        [
            "time (s)",
            f"{base.seconds:.3f}",
            f"{ours.seconds:.3f}",
            overhead(base.seconds, ours.seconds),
        ],
        [
            "per request (µs)",
            f"{base.micros_per_operation:.0f}",
            f"{ours.micros_per_operation:.0f}",
            overhead(base.micros_per_operation, ours.micros_per_operation),
        ],
        [
            "throughput (req/s)",
            f"{base.per_second:,.0f}",
            f"{ours.per_second:,.0f}",
            overhead(base.per_second, ours.per_second),
        ],
        [
            f"peak memory, {base.traced_operations:,} requests (KiB)",
            kib(base.peak_bytes),
            kib(ours.peak_bytes),
            overhead(base.peak_bytes, ours.peak_bytes),
        ],
    ]
    title = (
        f"HTTP seam: {requests:,} sequential GETs to 127.0.0.1, "
        f"median of {base.rounds} timed rounds"
    )
    return (
        title
        + "\n\n"
        + table(["measure", f"baseline: {BASELINE}", f"ours: {OURS}", "overhead"], rows)
    )
