"""Publishing N deliveries due within the same minute: our dispatcher beside a once-a-minute
cron, on the embedded default and on PostgreSQL + Redis, with and without faults.

Every variant runs the production code, in processes of its own, against bench/peer.py (a
local HTTP network answering every POST after 50 ms) through the real connector path
(bench/loopback.py → hubbub.core.http.request). bench/dispatch_driver.py sets each variant
up and watches it; bench/dispatch_worker.py is the process measured.

Scenarios (each: the cron baseline, then ours):
1. embedded: SQLite + Huey-on-SQLite, one `hubbub worker` process (2 Huey threads, as
   deployed); the deliveries' due times spread evenly over one minute. Then "ours, all due
   at once": the same deliveries due at the same instant, which measures how fast the
   worker drains a backlog (its capacity), where the spread minute only needs 1/60 of N a
   second.
2. postgres: PostgreSQL + Redis, 2 `hubbub worker` processes.
3. faults: as 2, with the peer injecting 10 % timeouts after accepting the post (outcome
   unknown: reconciled before any resend), 5 % 500 and 5 % 429 (Retry-After: 1), at most one
   fault per delivery, and the first worker process SIGKILLed once 30 % are published. The
   lease is 20 s here (HUBBUB_PUBLISH_LEASE; 5 min by default) and the HTTP time-out 1 s, so
   the killed worker's deliveries are taken over within the run: by the minute sweep after
   the lease. The cron's process is killed the same way and the next minute's run finishes.

Ours: each delivery's job is queued with eta = due time (what scheduling a post does); Huey
moves it to the queue within its 1 s scheduler tick, and the job publishes its delivery with
whatever else is due, in concurrent batches (hubbub.publishing.dispatcher.deliver_due).
Baseline: the design of Mixpost and others, a cron job that wakes once a minute and
publishes everything that came due during the minute; it uses our publishing code,
concurrency included, so the difference is when the work starts.

Measures: lateness = the peer's arrival time of a delivery's first POST minus its due time
(same machine, same clock); time = from the first due time (the cron: its wake-up) to the
last arrival; deliveries/s = deliveries published / time (for a spread minute this is
bounded by the rate they come due); duplicates = deliveries the peer received more than
once; lost = deliveries not published at the end or never received by the peer; peak memory
= the largest maxrss of the measured processes (per process, not summed).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.dispatch_driver import Config
from bench.measure import table
from bench.peer import FaultPeer, FaultPlan

LATENCY = 0.05  # seconds the peer waits before every answer
ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("embedded", "postgres", "faults")
FAULTS = FaultPlan(
    latency=LATENCY,
    timeout_after_accept=0.10,
    server_error=0.05,
    rate_limited=0.05,
    max_faults_per_key=1,
    seed=7,
)


@dataclass(frozen=True)
class Options:
    deliveries: int = 10_000
    fault_deliveries: int = 2_000
    window: float = 60.0
    burst: bool = True
    scenarios: tuple[str, ...] = SCENARIOS
    database_url: str = "postgresql://postgres@127.0.0.1:5432/hubbub_bench"
    redis_url: str = "redis://127.0.0.1:6379/14"


@dataclass
class Row:
    scenario: str
    variant: str
    deliveries: int
    published: int = 0
    seconds: float = 0.0
    lateness: list[float] = field(default_factory=list)
    duplicates: int = 0
    lost: int = 0
    maxrss_kib: int = 0
    cpu_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)


# --- the databases each variant gets -------------------------------------------------------


def _postgres_admin(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def _fresh_postgres(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_postgres_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_postgres(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_postgres_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()  # the benchmark's own database number


def unavailable(options: Options) -> str:
    """Why PostgreSQL + Redis cannot be used, or ""."""
    try:
        import psycopg
        import redis

        with psycopg.connect(_postgres_admin(options.database_url), connect_timeout=3):
            pass
        redis.Redis.from_url(options.redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:  # any reason: the scenarios are skipped with it
        return str(exc).strip().splitlines()[0]
    return ""


# --- one variant ---------------------------------------------------------------------------


def _variant(
    scenario: str,
    variant: str,
    config: dict[str, Any],
    plan: FaultPlan,
    env_extra: dict[str, str],
    postgres: Options | None,
) -> Row:
    data_dir = tempfile.mkdtemp(prefix=f"hubbub-bench-{scenario}-")
    env = dict(os.environ)
    for name in ("DATABASE_URL", "HUBBUB_REDIS_URL"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="hubbub.settings",
        HUBBUB_DATA_DIR=data_dir,
        HUBBUB_JOBS_IMMEDIATE="false",
        HUBBUB_ALLOW_PRIVATE_NETWORKS="true",  # the peer is on 127.0.0.1
        **env_extra,
    )
    if postgres is not None:
        _fresh_postgres(postgres.database_url)
        _fresh_redis(postgres.redis_url)
        env.update(DATABASE_URL=postgres.database_url, HUBBUB_REDIS_URL=postgres.redis_url)
    peer = FaultPeer(FaultPlan(**asdict(plan))).start()
    result_path = Path(data_dir) / "result.json"
    try:
        settings = Config(peer_url=peer.url, log_dir=data_dir, **config)
        timeout = settings.window + settings.timeout + 120
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.dispatch_driver",
                json.dumps(asdict(settings)),
                str(result_path),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0 or not result_path.exists():
            raise RuntimeError(
                f"The {scenario} {variant} variant failed:\n{done.stdout}\n{done.stderr}"
            )
        result = json.loads(result_path.read_text())
        return _row(scenario, variant, settings.count, result, peer)
    finally:
        peer.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
        if postgres is not None:
            _drop_postgres(postgres.database_url)


def _row(scenario: str, variant: str, count: int, result: dict[str, Any], peer: FaultPeer) -> Row:
    due: dict[str, float] = result["due"]
    accepted = peer.snapshot()
    arrivals = {key: peer.received[key] for key in due if key in peer.received}
    lateness = sorted(arrivals[key] - due[key] for key in arrivals)
    last = max(arrivals.values(), default=result["started"])
    return Row(
        scenario=scenario,
        variant=variant,
        deliveries=count,
        published=count - result["unpublished"],
        seconds=last - result["started"],
        lateness=lateness,
        duplicates=sum(1 for key in due if accepted.get(key, 0) > 1),
        lost=max(result["unpublished"], count - len(arrivals)),
        maxrss_kib=max(result["maxrss_kib"], default=0),
        cpu_seconds=result["cpu_seconds"],
        notes=result["notes"],
        faults=dict(peer.faults),
        outcomes=result["outcomes"],
    )


# --- the scenarios -------------------------------------------------------------------------


def run(options: Options, progress: Any = None) -> str:
    rows: list[Row] = []
    skipped = ""
    say = progress or (lambda line: None)
    latency_only = FaultPlan(latency=LATENCY)
    ours_embedded = {"workers": 1}
    if "embedded" in options.scenarios:
        n, window = options.deliveries, options.window
        say(f"dispatch: embedded, cron baseline ({n:,} deliveries)…")
        rows.append(_variant("embedded", "cron", _cfg("cron", n, window), latency_only, {}, None))
        say("dispatch: embedded, ours…")
        rows.append(
            _variant(
                "embedded", "ours", _cfg("ours", n, window, **ours_embedded), latency_only, {}, None
            )
        )
        if options.burst:
            say("dispatch: embedded, ours, all due at once…")
            rows.append(
                _variant(
                    "embedded",
                    "ours, all due at once",
                    _cfg("ours", n, 0.0, **ours_embedded),
                    latency_only,
                    {},
                    None,
                )
            )
    wanted = [s for s in ("postgres", "faults") if s in options.scenarios]
    if wanted:
        skipped = unavailable(options)
    if wanted and not skipped:
        if "postgres" in wanted:
            n, window = options.deliveries, options.window
            for variant, workers in (("cron", 1), ("ours", 2)):
                say(f"dispatch: postgres, {variant}…")
                config = _cfg(variant, n, window, workers=workers)
                rows.append(_variant("postgres", variant, config, latency_only, {}, options))
        if "faults" in wanted:
            n, window = options.fault_deliveries, options.window
            env = {"HUBBUB_PUBLISH_LEASE": "20", "HUBBUB_HTTP_TIMEOUT": "1"}
            for variant, workers in (("cron", 1), ("ours", 2)):
                say(f"dispatch: faults, {variant}…")
                config = _cfg(variant, n, window, workers=workers, kill_at=0.3, timeout=400)
                rows.append(_variant("faults", variant, config, FAULTS, env, options))
    return report(options, rows, skipped if wanted else "")


def _cfg(kind: str, count: int, window: float, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "count": count, "window": window, **extra}


# --- the table -----------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(fraction * 1000) - 1]


def report(options: Options, rows: list[Row], skipped: str) -> str:
    headers = [
        "scenario",
        "variant",
        "deliveries",
        "time (s)",
        "deliveries/s",
        "late p50 (s)",
        "late p99 (s)",
        "late max (s)",
        "duplicates",
        "lost",
        "peak memory (MiB)",
        "CPU ms/delivery",
    ]
    cells = []
    for row in rows:
        late = row.lateness
        rate = row.published / row.seconds if row.seconds > 0 else 0.0
        cells.append(
            [
                row.scenario,
                "baseline: cron once a minute" if row.variant == "cron" else row.variant,
                f"{row.deliveries:,}",
                f"{row.seconds:.1f}",
                f"{rate:,.0f}",
                f"{_percentile(late, 0.5):.2f}",
                f"{_percentile(late, 0.99):.2f}",
                f"{max(late, default=float('nan')):.2f}",
                str(row.duplicates),
                str(row.lost),
                f"{row.maxrss_kib / 1024:,.0f}",
                f"{row.cpu_seconds * 1000 / max(1, row.published):.1f}",
            ]
        )
    lines = [
        f"Dispatch: deliveries due within one minute ({options.window:g} s), a local peer "
        f"answering after {LATENCY * 1000:.0f} ms; every variant in processes of its own.",
        "embedded = SQLite + Huey-on-SQLite, 1 `hubbub worker` process; postgres = PostgreSQL "
        "+ Redis, 2 worker processes; faults = postgres with 10 % timeouts after accept, "
        "5 % 500, 5 % 429 and one worker SIGKILLed at 30 %.",
        "Lateness: peer arrival minus due time. Deliveries/s: published / time; over a spread "
        'minute it cannot exceed the rate deliveries come due ("all due at once" shows the '
        "capacity).",
        "",
        table(headers, cells),
    ]
    for row in rows:
        if row.faults or row.notes:
            detail = ", ".join(f"{k} {v}" for k, v in sorted(row.faults.items()))
            outcomes = ", ".join(f"{k} {v}" for k, v in sorted(row.outcomes.items()))
            text = f"{row.scenario}, {row.variant}: "
            if detail:
                text += f"faults injected: {detail}; attempts: {outcomes}"
            if row.notes:
                text += ("; " if detail else "") + "; ".join(row.notes)
            lines.append(text)
    if skipped:
        lines.append(f"PostgreSQL + Redis scenarios skipped: {skipped}")
    return "\n".join(lines)


def main() -> None:
    """`python -m bench.dispatch`: this benchmark alone, with its defaults."""
    print(run(Options(), progress=lambda line: print(line, file=sys.stderr, flush=True)))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"Done in {time.perf_counter() - started:.0f} s.")
