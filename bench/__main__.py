"""`python -m bench`: run every benchmark and print its table (about 30 seconds).

Options make a quicker or longer run: --requests, --posts, --rounds.
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
    parser.add_argument("--requests", type=int, default=2000,
                        help="GET requests per round of the HTTP benchmark (default 2000)")
    parser.add_argument("--posts", type=int, default=10_000,
                        help="posts counted per round of the text benchmark (default 10000)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed rounds per variant; the median is shown (default 3)")
    args = parser.parse_args(argv)
    if min(args.requests, args.posts, args.rounds) < 1:
        parser.error("--requests, --posts and --rounds must be at least 1.")

    # The real settings, on a throw-away data folder: nothing of a real install is touched.
    data_dir = tempfile.mkdtemp(prefix="hubbub-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hubbub.settings"
    os.environ["HUBBUB_DATA_DIR"] = data_dir
    try:
        import django

        django.setup()
        from bench import http_seam, text_count

        started = time.perf_counter()
        print(f"Python {platform.python_version()} on {platform.platform()}, "
              f"{os.cpu_count()} CPUs\n")
        print(http_seam.run(args.requests, args.rounds), end="\n\n", flush=True)
        print(text_count.run(args.posts, args.rounds), end="\n\n", flush=True)
        print(f"Done in {time.perf_counter() - started:.1f} s.")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
