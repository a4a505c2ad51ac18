"""Bulk loading for the benchmarks that build large databases (inbox, measure): SQLite takes
executemany in batches, PostgreSQL takes COPY, what a real bulk load uses on each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def _batches(rows: Iterator[tuple[Any, ...]], size: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    """Rows into `table` (its SQL name), column by column as listed."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3's own cursor: COPY FROM STDIN
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for batch in _batches(rows):
            cursor.executemany(sql, batch)
