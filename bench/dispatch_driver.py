"""One variant of one dispatch scenario, run in a process of its own by bench/dispatch.py:

    python -m bench.dispatch_driver CONFIG_JSON RESULT_PATH

The database and the job queue come from the environment (DATABASE_URL, HUBBUB_REDIS_URL,
HUBBUB_DATA_DIR), as in a deployment. The driver migrates the (empty) database, creates the
deliveries, starts the processes under measurement (bench/dispatch_worker.py), gives the
deliveries their due times, watches until every delivery is published (SIGKILLing one
process on the way when asked), stops the processes and writes what it saw as JSON.

- ours: `workers` Huey consumer processes (`hubbub worker`); each delivery gets its queued
  job at its due time (`deliver_task.schedule(eta=due)`, what scheduling a post does).
  Due times are spread evenly over `window` seconds starting a little after the setup.
- cron: the due times are spread over the `window` seconds that end when the cron wakes up
  (the minute that just ended), and a cron process wakes up then and publishes everything
  due. If deliveries remain (a retry, a killed process), the next cron process wakes a
  minute later, as cron would start it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CRON_PERIOD = 60.0  # seconds between two cron runs


@dataclass
class Config:
    kind: str  # "ours" or "cron"
    count: int
    peer_url: str
    window: float  # seconds the due times are spread over
    workers: int = 1  # Huey consumer processes (ours)
    kill_at: float = 0.0  # SIGKILL the first process once this fraction is published (0: never)
    timeout: float = 300.0  # seconds after the last due time before giving up
    log_dir: str = ""


@dataclass
class Result:
    due: dict[str, float]  # idempotency key -> due time (epoch seconds)
    first_due: float
    last_due: float
    started: float  # ours: the first due time; cron: its wake-up
    finished: float  # when every delivery was seen published (or the deadline)
    unpublished: int
    statuses: dict[str, int]
    outcomes: dict[str, int]  # attempts by outcome
    maxrss_kib: list[int]  # one per process measured, in start order
    cpu_seconds: float  # used by the measured processes, all together
    setup_margin: float  # seconds between the end of the setup and the first due time
    killed_at: float | None = None
    processes: int = 0
    notes: list[str] = field(default_factory=list)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hubbub.settings")
    import django

    django.setup()
    from django.urls import get_resolver

    from bench.loopback import DOTTED, NAME
    from hubbub.networks import registry

    # The URLs (and API routers) are built from the registered networks: build them before
    # "loopback" joins, which has no package under hubbub.networks to look in.
    get_resolver().url_patterns  # noqa: B018
    registry.NETWORKS[NAME] = DOTTED


class Process:
    """A measured child process; its peak memory comes from wait4() when it ends."""

    def __init__(self, args: list[str], log_path: Path) -> None:
        self.log = log_path.open("wb")
        root = Path(__file__).resolve().parents[1]
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "bench.dispatch_worker", *args],
            cwd=root,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.maxrss_kib: int | None = None
        self.cpu_seconds = 0.0
        self.exit_status: int | None = None

    def poll(self) -> bool:
        """True while it runs."""
        if self.exit_status is not None:
            return False
        pid, status, usage = os.wait4(self.popen.pid, os.WNOHANG)
        if pid == 0:
            return True
        self._ended(status, usage)
        return False

    def _ended(self, status: int, usage: Any) -> None:
        self.exit_status = status
        self.maxrss_kib = usage.ru_maxrss
        self.cpu_seconds = usage.ru_utime + usage.ru_stime
        self.popen.returncode = os.waitstatus_to_exitcode(status)
        self.log.close()

    def stop(self, sig: int = signal.SIGINT, grace: float = 20.0) -> None:
        if not self.poll():
            return
        self.popen.send_signal(sig)
        deadline = time.monotonic() + grace
        while self.poll():
            if time.monotonic() > deadline:
                self.popen.kill()
                deadline = time.monotonic() + 10
            time.sleep(0.05)


def run(config: Config) -> Result:
    from datetime import UTC, datetime

    from django.core.management import call_command
    from django.db.models import Count

    from bench.scenario import create_due_deliveries
    from hubbub.publishing.models import Delivery, DeliveryAttempt, DeliveryStatus, Post
    from hubbub.publishing.tasks import deliver_task

    call_command("migrate", verbosity=0)
    create_due_deliveries(config.count, config.peer_url, datetime(2100, 1, 1, tzinfo=UTC), "Bench")
    rows = list(Delivery.objects.order_by("pk").only("pk", "post_id"))
    log_dir = Path(config.log_dir)
    processes: list[Process] = []
    notes: list[str] = []

    if config.kind == "ours":
        # Started first: they come up while the due times are written and the jobs queued.
        for n in range(config.workers):
            processes.append(Process(["huey"], log_dir / f"worker-{n}.log"))

    # The setup below takes about 1 ms a delivery; the first one is due after it.
    lead = 3.0 + config.count * 0.0012
    start = time.time() + lead
    first_due = start if config.kind == "ours" else start - config.window
    step = config.window / config.count
    due = {row.pk: first_due + n * step for n, row in enumerate(rows)}
    for row in rows:
        row.due_at = row.next_attempt_at = datetime.fromtimestamp(due[row.pk], UTC)
    Delivery.objects.bulk_update(rows, ["due_at", "next_attempt_at"], batch_size=500)
    posts = [Post(pk=row.post_id, scheduled_at=row.due_at) for row in rows]
    Post.objects.bulk_update(posts, ["scheduled_at"], batch_size=500)
    if config.kind == "ours":
        for row in rows:
            deliver_task.schedule(args=(row.pk,), eta=row.due_at)
    margin = start - time.time()
    if margin < 0:
        notes.append(f"the setup overran the first due time by {-margin:.1f} s")

    wake = start
    if config.kind == "cron":
        processes.append(Process(["cron", repr(wake)], log_dir / "cron-0.log"))

    deadline = start + config.window + config.timeout
    killed_at: float | None = None
    waiting = Delivery.objects.exclude(status=DeliveryStatus.PUBLISHED)
    finished = deadline
    while time.time() < deadline:
        left = waiting.count()
        if left == 0:
            finished = time.time()
            break
        if config.kill_at and killed_at is None and left <= config.count * (1 - config.kill_at):
            processes[0].popen.send_signal(signal.SIGKILL)
            killed_at = time.time()
            notes.append(
                f"process 1 of {len(processes)} SIGKILLed {killed_at - start:.1f} s after the "
                f"first due time, {config.count - left:,} deliveries published"
            )
        if config.kind == "cron" and not any(p.poll() for p in processes):
            # This run is over and work remains: the next one wakes at the next minute.
            wake += CRON_PERIOD * max(1, int((time.time() - wake) // CRON_PERIOD) + 1)
            name = f"cron-{len(processes)}.log"
            processes.append(Process(["cron", repr(wake)], log_dir / name))
        time.sleep(0.1)
    else:
        notes.append("gave up waiting: the deadline passed")

    for process in processes:
        process.stop()
    for process in processes:
        if process.popen.returncode not in (0, -signal.SIGKILL, -signal.SIGINT):
            notes.append(
                f"a process exited with {process.popen.returncode}: see {process.log.name}"
            )
    statuses = dict(waiting.model.objects.values_list("status").annotate(n=Count("pk")))
    outcomes = dict(DeliveryAttempt.objects.values_list("outcome").annotate(n=Count("pk")))
    return Result(
        due={f"hubbub-{pk}-0": t for pk, t in due.items()},
        first_due=first_due,
        last_due=first_due + step * (config.count - 1),
        started=start,
        finished=finished,
        unpublished=waiting.count(),
        statuses=statuses,
        outcomes=outcomes,
        maxrss_kib=[p.maxrss_kib or 0 for p in processes],
        cpu_seconds=sum(p.cpu_seconds for p in processes),
        setup_margin=margin,
        killed_at=killed_at,
        processes=len(processes),
        notes=notes,
    )


def main() -> None:
    config = Config(**json.loads(sys.argv[1]))
    _setup_django()
    result = run(config)
    Path(sys.argv[2]).write_text(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
