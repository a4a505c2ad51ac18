"""A worker process for the exactly-once tests (test_exactly_once_processes.py).

    python -m tests.publishing.worker_script setup COUNT PEER_URL   create the deliveries
    python -m tests.publishing.worker_script work [--start-offset S] [--deadline S]
                                                  [--limit N] [--concurrency N]
    python -m tests.publishing.worker_script report                 print the outcome as JSON

The database comes from the environment (DATABASE_URL, HUBBUB_DATA_DIR) as in production;
the "loopback" network is registered here, never in production code.

The clock: the dispatcher's backoff starts at 30 s and the lease is 5 min. Rather than wait,
`work` passes a `now` to dispatch_due that runs ahead of the wall clock by an offset; when
nothing is due it moves the offset to the next retry time. The offset never reaches the
lease (checked below), so a worker's `now` can never see another live worker's claim as
expired: taking over a claim whose holder is still sending is a lease violation, not the
crash recovery under test. `--start-offset` (past the lease) is how a second worker starts
after the first one was SIGKILLed: its claims look expired, as they would minutes later.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import timedelta

import django


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hubbub.settings")
    django.setup()
    from bench.loopback import DOTTED, NAME
    from hubbub.networks import registry

    registry.NETWORKS[NAME] = DOTTED


def setup(count: int, peer_url: str) -> None:
    from django.utils import timezone

    from bench.scenario import create_due_deliveries

    create_due_deliveries(count, peer_url, timezone.now() - timedelta(seconds=1), "Race")


def work(start_offset: float, deadline: float, limit: int) -> None:
    from django.db.models import Min
    from django.utils import timezone

    from hubbub.publishing import dispatcher
    from hubbub.publishing.models import Delivery, DeliveryStatus
    from hubbub.publishing.models.deliveries import WAITING

    offset = timedelta(seconds=start_offset)
    ceiling = offset + dispatcher.LEASE - timedelta(minutes=1)
    stop = time.monotonic() + deadline
    handled = 0
    while time.monotonic() < stop:
        n = dispatcher.dispatch_due(now=timezone.now() + offset, limit=limit)
        handled += n
        if n:
            continue
        # One query: another worker may claim the last waiting delivery between two.
        first = Delivery.objects.filter(status__in=WAITING).aggregate(first=Min("next_attempt_at"))[
            "first"
        ]
        if first is None:
            if not Delivery.objects.filter(status=DeliveryStatus.CLAIMED).exists():
                break  # no work left for anyone
            time.sleep(0.05)  # another worker holds the rest; it may fail and retry them
            continue
        needed = first - timezone.now() + timedelta(seconds=1)
        if needed > offset:
            if needed > ceiling:
                print(f"next retry is {needed} ahead: past the lease", file=sys.stderr)
                raise SystemExit(3)
            offset = needed
        else:
            time.sleep(0.05)
    print(json.dumps({"handled": handled, "offset": offset.total_seconds()}))


def report() -> None:
    from hubbub.publishing.models import Delivery, DeliveryAttempt

    deliveries = {
        d.pk: {"status": d.status, "refs": d.published_refs, "error": d.last_error}
        for d in Delivery.objects.all()
    }
    outcomes: dict[str, int] = {}
    for outcome in DeliveryAttempt.objects.values_list("outcome", flat=True):
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print(json.dumps({"deliveries": deliveries, "outcomes": outcomes}))


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p_setup = sub.add_parser("setup")
    p_setup.add_argument("count", type=int)
    p_setup.add_argument("peer_url")
    p_work = sub.add_parser("work")
    p_work.add_argument("--start-offset", type=float, default=0.0)
    p_work.add_argument("--deadline", type=float, default=50.0)
    p_work.add_argument("--limit", type=int, default=10)
    # deliveries published at once (HUBBUB_PUBLISH_CONCURRENCY); 1: one after another
    p_work.add_argument("--concurrency", type=int, default=0)
    sub.add_parser("report")
    args = parser.parse_args()
    if args.command == "work" and args.concurrency:
        os.environ["HUBBUB_PUBLISH_CONCURRENCY"] = str(args.concurrency)
    _setup_django()
    if args.command == "setup":
        setup(args.count, args.peer_url)
    elif args.command == "work":
        work(args.start_offset, args.deadline, args.limit)
    else:
        report()


if __name__ == "__main__":
    main()
