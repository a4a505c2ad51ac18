"""`python -m bench`: run every benchmark and print its table (about three minutes,
most of it the dispatch benchmark).

Options make a quicker or longer run: --requests, --posts, --rounds, --budget for the HTTP
and text benchmarks; --deliveries, --workers, --dispatch-budget for the dispatch benchmark;
--only to run one benchmark alone.
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
        default=2000,
        help="deliveries of the dispatch benchmark, all due at once (default 2000; "
        "the target is 10000)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="dispatcher threads, as HUBBUB_WORKER_THREADS (default 2, as deployed)",
    )
    parser.add_argument(
        "--dispatch-budget",
        type=float,
        default=20,
        help="seconds the cron baseline's sweep is measured before the rest is "
        "extrapolated (default 20)",
    )
    parser.add_argument(
        "--only",
        choices=BENCHMARKS,
        action="append",
        help="run only this benchmark (repeat for several; default: all)",
    )
    args = parser.parse_args(argv)
    numbers = (args.requests, args.posts, args.rounds, args.budget)
    if min(*numbers, args.deliveries, args.workers, args.dispatch_budget) <= 0:
        parser.error(
            "--requests, --posts, --rounds, --budget, --deliveries, --workers and "
            "--dispatch-budget must be above 0."
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
            report = dispatch.run(args.deliveries, args.workers, args.dispatch_budget)
            print(report, end="\n\n", flush=True)
        print(f"Done in {time.perf_counter() - started:.1f} s.")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
