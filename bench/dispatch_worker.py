"""The processes the dispatch benchmark measures, each started by bench/dispatch_driver.py.

    python -m bench.dispatch_worker huey            `hubbub worker`: Huey's consumer as deployed
    python -m bench.dispatch_worker cron WAKE_AT    the baseline: one sweep at WAKE_AT (epoch s)

Both run the production code under the production settings (the database and the queue come
from the environment, as in a deployment); the only addition is the benchmark's "loopback"
network, registered here and never in production code.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any


def _setup() -> None:
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


def huey() -> None:
    from django.core.management import call_command

    call_command("run_huey")  # what `hubbub worker` runs, with the settings' worker options


def cron(wake_at: float) -> None:
    """What a once-a-minute cron job does (Mixpost's design): wake up, publish everything
    due, exit. It publishes with our own code, batches and concurrency included, so the
    difference with ours is when the work starts, not how fast it goes."""
    from hubbub.publishing import dispatcher

    time.sleep(max(0.0, wake_at - time.time()))
    dispatcher.drain()
    dispatcher.shutdown_pool()


def _sample_stacks(path: str) -> None:
    """HUBBUB_BENCH_PROFILE=FILE: every 5 ms, note what each busy thread is running; at exit,
    write the functions seen most often (self and cumulative) to FILE. A poor man's
    profiler that sees every thread, where cProfile sees one."""
    import atexit
    import collections
    import threading

    own: collections.Counter[str] = collections.Counter()
    cumulative: collections.Counter[str] = collections.Counter()
    idle = ("wait", "select", "poll", "sleep", "_wait_for_tstate_lock", "accept", "get")
    samples = [0]

    def sample() -> None:
        me = threading.get_ident()
        while True:
            for ident, frame in sys._current_frames().items():
                if ident == me or frame.f_code.co_name in idle:
                    continue
                samples[0] += 1
                seen = set()
                own[f"{frame.f_code.co_name} {frame.f_code.co_filename}:{frame.f_lineno}"] += 1
                f: Any = frame
                while f is not None:
                    name = f"{f.f_code.co_name} {f.f_code.co_filename}"
                    if name not in seen:
                        seen.add(name)
                        cumulative[name] += 1
                    f = f.f_back
            time.sleep(0.005)

    def write() -> None:
        total = max(1, samples[0])
        with open(path, "w") as out:
            out.write(f"{total} busy-thread samples\n\nself:\n")
            for name, n in own.most_common(40):
                out.write(f"{n / total:6.1%} {name}\n")
            out.write("\ncumulative:\n")
            for name, n in cumulative.most_common(80):
                out.write(f"{n / total:6.1%} {name}\n")

    threading.Thread(target=sample, daemon=True, name="bench-sampler").start()
    atexit.register(write)


def _profile_threads(directory: str) -> None:
    """HUBBUB_BENCH_CPROFILE=DIR: cProfile every thread (the main one, Huey's workers, the
    publishing pool) on its own CPU clock, and write one DIR/<pid>-<n>.prof per thread when
    it ends. Where the sampler above sees threads waiting, this sees what costs CPU. Merge
    them with pstats.Stats(*files)."""
    import atexit
    import cProfile
    import itertools
    import threading

    numbers = itertools.count()
    os.makedirs(directory, exist_ok=True)

    def dump(profile: cProfile.Profile) -> None:
        profile.disable()
        profile.dump_stats(os.path.join(directory, f"{os.getpid()}-{next(numbers)}.prof"))

    run = threading.Thread.run

    def profiled_run(self: threading.Thread) -> None:
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        try:
            run(self)
        finally:
            dump(profile)

    threading.Thread.run = profiled_run  # type: ignore[method-assign]
    main_profile = cProfile.Profile(time.thread_time)
    main_profile.enable()
    atexit.register(dump, main_profile)


def _note_rusage(path: str) -> None:
    """HUBBUB_BENCH_RUSAGE=FILE: append this process's user and system CPU seconds (and
    context switches) to FILE at exit: what the driver's single CPU figure is made of."""
    import atexit
    import resource

    def write() -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open(path, "a") as out:
            out.write(
                f"user {usage.ru_utime:.2f} s, system {usage.ru_stime:.2f} s, "
                f"context switches {usage.ru_nvcsw} voluntary {usage.ru_nivcsw} forced\n"
            )

    atexit.register(write)


def main() -> None:
    if os.environ.get("HUBBUB_BENCH_PROFILE"):
        _sample_stacks(os.environ["HUBBUB_BENCH_PROFILE"])
    if os.environ.get("HUBBUB_BENCH_CPROFILE"):
        _profile_threads(os.environ["HUBBUB_BENCH_CPROFILE"])
    if os.environ.get("HUBBUB_BENCH_RUSAGE"):
        _note_rusage(os.environ["HUBBUB_BENCH_RUSAGE"])
    _setup()
    if sys.argv[1] == "huey":
        huey()
    elif sys.argv[1] == "cron":
        cron(float(sys.argv[2]))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]!r}: use huey or cron")


if __name__ == "__main__":
    main()
