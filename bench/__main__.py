"""`python -m bench`: run every benchmark and print its table (under a minute).

Options make a quicker or longer run: --requests, --posts, --rounds, --budget.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time


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
    args = parser.parse_args(argv)
    if min(args.requests, args.posts, args.rounds, args.budget) <= 0:
        parser.error("--requests, --posts, --rounds and --budget must be above 0.")

    # The real settings, on a throw-away data folder: nothing of a real install is touched.
    data_dir = tempfile.mkdtemp(prefix="hubbub-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hubbub.settings"
    os.environ["HUBBUB_DATA_DIR"] = data_dir
    try:
        import django

        django.setup()
        from bench import http_seam, text_count

        started = time.perf_counter()
        # The load average says whether other work shared the CPUs during the run.
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(
            f"Python {platform.python_version()} on {platform.platform()}, "
            f"{os.cpu_count()} CPUs, load average {load}\n"
        )
        # The HTTP rounds cost the most: they get the larger share of the time budget.
        print(http_seam.run(args.requests, args.rounds, args.budget * 0.6), end="\n\n", flush=True)
        print(text_count.run(args.posts, args.rounds, args.budget * 0.4), end="\n\n", flush=True)
        print(f"Done in {time.perf_counter() - started:.1f} s.")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
