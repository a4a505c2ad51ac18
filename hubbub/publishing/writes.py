"""Write transactions of the dispatcher, one at a time per process on SQLite.

SQLite has one writer at a time. When several threads of a process (the publishing pool)
write at once, the losers wait in SQLite's busy handler, which sleeps 1, 2, 5, 10... ms
between tries: under load most of a worker's time went to those sleeps (measured with
bench/dispatch.py: about 100 deliveries/s instead of over 200). A Python lock queues the
threads instead and hands the database to the next one the moment it is free. Other
processes (the web server, more workers) still meet at SQLite's lock as before.

The lock is only taken outside a transaction: inside one this thread may already hold
SQLite's lock, and waiting for the Python lock then could deadlock with a thread that holds
the Python lock and waits for SQLite's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.db import connection, transaction

_lock = threading.RLock()


@contextmanager
def write() -> Iterator[None]:
    """A write transaction, serialized within the process on SQLite."""
    serialize = connection.vendor == "sqlite" and not connection.in_atomic_block
    with _lock if serialize else nullcontext(), transaction.atomic():
        yield
