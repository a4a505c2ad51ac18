"""Publishing N deliveries due in the same minute: our dispatcher beside a once-a-minute cron.

Both variants run on the embedded default (SQLite in a throw-away data folder, migrated
first) against bench/peer.py, a local HTTP network answering every POST after 50 ms, through
the real connector path (bench/loopback.py → hubbub.core.http.request). Each variant runs in
a fresh process of its own, so its peak memory (maxrss) is its own and neither warms the
other's caches; the peer runs in this process, which otherwise only waits.

- **Ours** (the dispatcher as deployed): `hubbub worker` runs 2 Huey thread workers
  (HUBBUB_WORKER_THREADS). The stand-in is 2 threads, each a plain loop calling
  `dispatcher.dispatch_due(limit=10)` and sleeping 50 ms when nothing is due. Huey itself
  (its queue and its scheduler, which moves an `eta` task to the queue within about a
  second) is not in the measure. The batch stays small because dispatch_due claims its whole
  batch at once, then publishes one by one: a large batch would hold deliveries the other
  worker could be sending.
- **Baseline** (the Mixpost design): a cron job that wakes once a minute and publishes
  everything due, one after another, with the same per-delivery code (`dispatcher.deliver`),
  so the difference is the scheduling, not the publishing.

The due times: every delivery is due at "setup done + 2 s", and ours starts polling before
that. The cron would wake at its next whole minute, up to 60 s later. Rather than wait real
minutes, the baseline starts its sweep at the due time and the wait for the minute boundary
is added to its lateness analytically: for deliveries due at a uniformly random moment of
the minute, that wait is uniform in [0, 60) s, and one seeded draw (the same every run) is
added to every delivery. The cron's sweep itself is measured, but only for `budget` seconds
(sending is sequential: 10,000 deliveries at 50 ms take over 8 minutes); the rest of its
deliveries are extrapolated at the measured rate, and the table says how many were measured.

Lateness is the peer's arrival time of a delivery's POST minus its due_at (same machine,
same wall clock). Deliveries/s: deliveries published divided by the time from the due time
to the last arrival (for the cron, from its wake-up). Duplicates: keys the peer received
more than once. Losses: deliveries not published when the variant ended (ours is stopped
after a generous bound; the cron's unmeasured part is not counted as lost).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import resource
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection

from bench.measure import table
from bench.peer import FaultPeer, FaultPlan

LATENCY = 0.05  # seconds the peer waits before every answer
DUE_IN = 2.0  # seconds from the end of the setup to the due time
BATCH = 10  # dispatch_due's limit per call in "ours"
IDLE = 0.05  # seconds a worker of "ours" sleeps when nothing is due
CRON_SEED = 60  # the seed of the cron's minute-boundary draw
BASELINE = "baseline: cron once a minute"
OURS = "ours: dispatch_due"


@dataclass(frozen=True)
class Outcome:
    """What a variant's process reports; lateness and duplicates come from the peer."""

    due_at: float  # time.time() of the due time
    started_at: float  # when it began publishing (the cron: its sweep, before the offset)
    keys: list[str]  # the idempotency key of every delivery
    unpublished: int  # deliveries not published when it ended
    measured: int  # deliveries it got to (all for ours; the cron stops at its budget)
    maxrss_kib: int


# --- the variant's own process --------------------------------------------------------------


def _child(
    kind: str,
    data_dir: str,
    peer_url: str,
    count: int,
    workers: int,
    budget: float,
    answer: Connection,
) -> None:
    """Runs in a spawned process: a fresh Django on its own data folder."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="hubbub.settings",
        HUBBUB_DATA_DIR=data_dir,
        HUBBUB_JOBS_IMMEDIATE="false",
        HUBBUB_ALLOW_PRIVATE_NETWORKS="true",  # the peer is on 127.0.0.1
    )
    for name in ("DATABASE_URL", "HUBBUB_REDIS_URL"):  # the embedded default
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    from bench import loopback
    from bench.http_seam import log_lines_to_devnull
    from hubbub.networks import registry

    registry.NETWORKS[loopback.NAME] = loopback.DOTTED
    call_command("migrate", verbosity=0)
    with log_lines_to_devnull():  # the seam's log line per call is formatted, not printed
        due_at = _make_deliveries(count, peer_url)
        if kind == "ours":
            started, measured = _ours(due_at, workers, budget)
        else:
            started, measured = _cron(due_at, budget)
    from hubbub.publishing.models import Delivery, DeliveryStatus

    answer.send(
        Outcome(
            due_at=due_at,
            started_at=started,
            keys=[f"hubbub-{pk}-0" for pk in Delivery.objects.values_list("pk", flat=True)],
            unpublished=Delivery.objects.exclude(status=DeliveryStatus.PUBLISHED).count(),
            measured=measured,
            maxrss_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        )
    )


def _make_deliveries(count: int, peer_url: str) -> float:
    """Creates `count` one-part deliveries on one channel, all due DUE_IN seconds after the
    setup ends; returns that due time."""
    from datetime import UTC, datetime

    from bench.scenario import create_due_deliveries
    from hubbub.publishing.models import Delivery, Post

    create_due_deliveries(count, peer_url, datetime.now(UTC).replace(year=2100), "Bench")
    # The due time is set once everything exists, so the setup's length does not eat into it.
    due = time.time() + DUE_IN
    due_dt = datetime.fromtimestamp(due, UTC)
    Post.objects.update(scheduled_at=due_dt)
    Delivery.objects.update(due_at=due_dt, next_attempt_at=due_dt)
    return due


def _ours(due_at: float, workers: int, budget: float) -> tuple[float, int]:
    import threading

    from django.db import connection

    from hubbub.publishing import dispatcher
    from hubbub.publishing.models import Delivery, DeliveryStatus
    from hubbub.publishing.models.deliveries import WAITING

    stop = due_at + budget
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while time.time() < stop:
                if dispatcher.dispatch_due(limit=BATCH):
                    continue
                if (
                    time.time() >= due_at
                    and not Delivery.objects.filter(
                        status__in=[*WAITING, DeliveryStatus.CLAIMED]
                    ).exists()
                ):
                    return  # nothing left for anyone
                time.sleep(IDLE)
        except BaseException as exc:  # reported by the main thread, not lost in this one
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return due_at, Delivery.objects.count()


def _cron(due_at: float, budget: float) -> tuple[float, int]:
    from hubbub.publishing import dispatcher

    time.sleep(max(0.0, due_at - time.time()))
    started = time.time()
    stop = started + budget
    measured = 0
    # One sweep: everything due, in due order, one after another.
    for pk in dispatcher.due_ids(limit=10**9):
        if time.time() >= stop:
            break
        dispatcher.deliver(pk)
        measured += 1
    return started, measured


# --- this process: the peer, the variants, the table ----------------------------------------


@contextlib.contextmanager
def _peer() -> Iterator[FaultPeer]:
    peer = FaultPeer(FaultPlan(latency=LATENCY)).start()
    try:
        yield peer
    finally:
        peer.stop()


def _variant(kind: str, count: int, workers: int, budget: float) -> tuple[Outcome, FaultPeer]:
    import shutil
    import tempfile

    context = multiprocessing.get_context("spawn")  # a fresh interpreter: its own Django
    data_dir = tempfile.mkdtemp(prefix=f"hubbub-bench-{kind}-")
    try:
        with _peer() as peer:
            receiving, sending = context.Pipe(duplex=False)
            args = (kind, data_dir, peer.url, count, workers, budget, sending)
            process = context.Process(target=_child, args=args, daemon=True)
            process.start()
            sending.close()
            try:
                # Setup and migration, the work itself, and a margin: bounded in any case.
                if not receiving.poll(budget + 120):
                    raise RuntimeError(f"The {kind} variant did not finish in {budget + 120} s.")
                outcome: Outcome = receiving.recv()
            except EOFError:
                raise RuntimeError(
                    f"The {kind} variant's process failed (exit code {process.exitcode}); "
                    "its error is printed above."
                ) from None
            finally:
                process.join(10)
                if process.is_alive():
                    process.terminate()
            return outcome, peer
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@dataclass(frozen=True)
class Figures:
    published: int
    per_second: float
    lateness: list[float]  # seconds, one per published delivery
    duplicates: int
    lost: int
    measured: int
    maxrss_kib: int


def _figures(outcome: Outcome, peer: FaultPeer, offset: float = 0.0) -> Figures:
    accepted = peer.snapshot()
    arrivals = sorted(peer.received[key] for key in outcome.keys if key in peer.received)
    lateness = [arrival - outcome.due_at + offset for arrival in arrivals]
    span = (arrivals[-1] - outcome.started_at) if arrivals else 0.0
    return Figures(
        published=len(arrivals),
        per_second=len(arrivals) / span if span > 0 else 0.0,
        lateness=lateness,
        duplicates=sum(1 for n in accepted.values() if n > 1),
        # the cron's unmeasured deliveries are not lost: it was stopped before them
        lost=(
            outcome.unpublished
            if outcome.measured == len(outcome.keys)
            else outcome.measured - len(arrivals)
        ),
        measured=outcome.measured,
        maxrss_kib=outcome.maxrss_kib,
    )


def _extrapolate(figures: Figures, total: int) -> list[float]:
    """The cron's lateness for all `total` deliveries: the unmeasured ones follow at the
    measured pace, one after another."""
    late = figures.lateness
    if len(late) >= total or len(late) < 2:
        return late
    step = (late[-1] - late[0]) / (len(late) - 1)
    return late + [late[-1] + step * (n + 1) for n in range(total - len(late))]


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.1f}"


def _percentile(values: list[float], fraction: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(fraction * 1000) - 1]


def run(deliveries: int, workers: int, budget: float) -> str:
    ours_outcome, ours_peer = _variant("ours", deliveries, workers, budget=max(budget, 600))
    ours = _figures(ours_outcome, ours_peer)
    cron_outcome, cron_peer = _variant("cron", deliveries, 1, budget=budget)
    # The wait for the minute boundary, drawn once with a fixed seed (see the docstring).
    offset = random.Random(CRON_SEED).uniform(0, 60)
    cron = _figures(cron_outcome, cron_peer, offset)
    cron_late = _extrapolate(cron, deliveries)
    return report(deliveries, workers, offset, ours, cron, cron_late)


def report(
    deliveries: int,
    workers: int,
    offset: float,
    ours: Figures,
    cron: Figures,
    cron_late: list[float],
) -> str:
    ours_late = ours.lateness or [float("nan")]
    cron_late = cron_late or [float("nan")]

    def seconds(values: list[float], fraction: float) -> str:
        return f"{_percentile(values, fraction):.2f}"

    partial = cron.measured < deliveries
    star = " *" if partial else ""
    rows = [
        ["deliveries/s", f"{cron.per_second:,.1f}", f"{ours.per_second:,.1f}"],
        ["lateness p50 (s)", seconds(cron_late, 0.5) + star, seconds(ours_late, 0.5)],
        ["lateness p99 (s)", seconds(cron_late, 0.99) + star, seconds(ours_late, 0.99)],
        ["lateness max (s)", f"{max(cron_late):.2f}{star}", f"{max(ours_late):.2f}"],
        ["duplicates", str(cron.duplicates), str(ours.duplicates)],
        [
            "lost (not published at the end)",
            f"{cron.lost} of {cron.measured:,} measured" if partial else str(cron.lost),
            str(ours.lost),
        ],
        ["peak memory, maxrss (MiB)", _mib(cron.maxrss_kib), _mib(ours.maxrss_kib)],
    ]
    title = (
        f"Dispatch: {deliveries:,} deliveries due at the same moment, SQLite, a local peer "
        f"answering after {LATENCY * 1000:.0f} ms.\n"
        f"Ours: {workers} threads each looping on dispatch_due(limit={BATCH}), a stand-in for "
        f"`hubbub worker`'s {workers} Huey thread workers (Huey's queue is not measured).\n"
        f"Baseline: one sweep publishing everything due in sequence; its wake-up at the next "
        f"whole minute adds {offset:.1f} s (a seeded draw in [0, 60) s) to its lateness."
    )
    if partial:
        title += (
            f"\n* The cron sweep was measured for its first {cron.measured:,} deliveries "
            f"(--dispatch-budget); the rest of its lateness is extrapolated at the measured pace."
        )
    return title + "\n\n" + table(["measure", BASELINE, OURS], rows)
