"""`python -m bench`: run every benchmark and print its tables (about twelve minutes, most
of it the dispatch benchmark's scenarios, which wait for their deliveries' due times).

Options make a quicker or longer run: --requests, --posts, --rounds, --budget for the HTTP
and text benchmarks; --deliveries, --fault-deliveries, --window, --scenario, --no-burst,
--database-url, --redis-url for the dispatch benchmark; --only to run one benchmark alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time

BENCHMARKS = ("http", "text", "dispatch")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--requests",
        type=int,
        default=2000,
        help="GET requests per round of the HTTP benchmark (default 2000)",
    )
    parser.add_argument(
        "--posts",
        type=int,
        default=10_000,
        help="posts counted per round of the text benchmark (default 10000)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="timed rounds per variant; the median is shown (default 3)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=45,
        help="seconds after which no further timed round starts (default 45)",
    )
    parser.add_argument(
        "--deliveries",
        type=int,
        default=10_000,
        help="deliveries of the dispatch benchmark's embedded and postgres scenarios, due "
        "within one minute (default 10000, the target)",
    )
    parser.add_argument(
        "--fault-deliveries",
        type=int,
        default=2_000,
        help="deliveries of the dispatch benchmark's faults scenario (default 2000)",
    )
    parser.add_argument(
        "--window",
        type=float,
        default=60,
        help="seconds the dispatch benchmark's due times are spread over (default 60)",
    )
    parser.add_argument(
        "--scenario",
        choices=dispatch_scenarios(),
        action="append",
        help="run only this dispatch scenario (repeat for several; default: all)",
    )
    parser.add_argument(
        "--no-burst",
        action="store_true",
        help='skip the embedded scenario\'s "all due at once" run (the capacity)',
    )
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/hubbub_bench",
        help="the PostgreSQL database the dispatch benchmark creates, uses and drops",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="the Redis database the dispatch benchmark empties and uses (default db 14)",
    )
    parser.add_argument(
        "--only",
        choices=BENCHMARKS,
        action="append",
        help="run only this benchmark (repeat for several; default: all)",
    )
    args = parser.parse_args(argv)
    numbers = (args.requests, args.posts, args.rounds, args.budget)
    if min(*numbers, args.deliveries, args.fault_deliveries) <= 0 or args.window < 0:
        parser.error(
            "--requests, --posts, --rounds, --budget, --deliveries and --fault-deliveries "
            "must be above 0, and --window at least 0."
        )
    only = set(args.only or BENCHMARKS)

    # The real settings, on a throw-away data folder: nothing of a real install is touched.
    data_dir = tempfile.mkdtemp(prefix="hubbub-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hubbub.settings"
    os.environ["HUBBUB_DATA_DIR"] = data_dir
    try:
        import django

        django.setup()
        from bench import dispatch, http_seam, text_count

        started = time.perf_counter()
        # The load average says whether other work shared the CPUs during the run.
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(
            f"Python {platform.python_version()} on {platform.platform()}, "
            f"{os.cpu_count()} CPUs, load average {load}\n"
        )
        # The HTTP rounds cost the most: they get the larger share of the time budget.
        if "http" in only:
            report = http_seam.run(args.requests, args.rounds, args.budget * 0.6)
            print(report, end="\n\n", flush=True)
        if "text" in only:
            report = text_count.run(args.posts, args.rounds, args.budget * 0.4)
            print(report, end="\n\n", flush=True)
        if "dispatch" in only:
            options = dispatch.Options(
                deliveries=args.deliveries,
                fault_deliveries=args.fault_deliveries,
                window=args.window,
                burst=not args.no_burst,
                scenarios=tuple(args.scenario or dispatch.SCENARIOS),
                database_url=args.database_url,
                redis_url=args.redis_url,
            )
            report = dispatch.run(options, progress=_progress)
            print(report, end="\n\n", flush=True)
        print(f"Done in {time.perf_counter() - started:.1f} s.")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def dispatch_scenarios() -> tuple[str, ...]:
    return ("embedded", "postgres", "faults")  # bench.dispatch.SCENARIOS, before Django


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
