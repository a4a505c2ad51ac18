"""`hubbub serve`: the web app and the background worker, started and stopped together.

The worker runs as a child process so a crash in a job cannot take the web server down;
Ctrl-C (SIGINT) or SIGTERM stops the web server, then lets the worker finish its current
job before exiting.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve the web app and run the background worker."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="web server threads")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="serve the web app only (run `hubbub worker` elsewhere)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress.server import create_server

        from hubbub.wsgi import application

        # Bind first: a worker started before a failed bind would outlive this command.
        try:
            server = create_server(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                ident="Hubbub",
                # waitress refuses bodies over 1 GiB by default; a video upload may be larger.
                max_request_body_size=settings.HUBBUB_MAX_VIDEO_BYTES + 1024 * 1024,
            )
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']} ({exc.strerror}): "
                "stop what uses that port, or choose another with --port."
            ) from None
        worker: subprocess.Popen[bytes] | None = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "hubbub.cli", "worker"])

        def stop(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        jobs = "Redis" if settings.REDIS_URL else "SQLite"
        self.stdout.write(
            f"Hubbub is running on http://{options['host']}:{options['port']}/ "
            f"(worker: {'separate' if worker is None else 'started'}, jobs on {jobs}). "
            "Press Ctrl-C to stop."
        )
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("Stopping…")
            server.close()
            if worker is not None:
                _stop_child(worker)
            self.stdout.write("Stopped.")


def _stop_child(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGINT)  # Huey's graceful shutdown: finish the running job
    try:
        child.wait(timeout=20)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
