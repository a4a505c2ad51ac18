"""Inserting many rows in one statement, with their new ids.

Django's bulk_create prepares every value of every row through the field's full conversion
chain; measured at about a quarter of the pipeline's time for mentions (bench/listening_bench.py).
`insert` converts each column once with a converter chosen for its field type, then runs one
multi-row INSERT … RETURNING id per CHUNK rows (PostgreSQL, and SQLite since 3.35), which
gives the ids back in the order of the rows as bulk_create itself relies on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

CHUNK = 400  # rows per statement: 400 x 20 columns stays under SQLite's 32,766 parameters


def _converter(field: models.Field[Any, Any], seen: dict[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value becomes a database value for this column (None: as it is)."""
    if isinstance(field, models.DateTimeField):
        # Rows of a batch share their times (when it was read; a mention's time in each of
        # its matches): each distinct one is converted once.
        adapt = connection.ops.adapt_datetimefield_value

        def convert(value: Any) -> Any:
            found = seen.get(value)
            if found is None:
                found = seen[value] = adapt(value)
            return found

        return convert
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        # Most rows hold an empty object: json.dumps would set up an encoder for each.
        return lambda value: "{}" if value == {} else json.dumps(value, cls=encoder)
    return None


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ids: bool,
    datetimes: dict[Any, Any] | None = None,
) -> list[int]:
    """INSERT `rows` (values in the order of `fields`, as Python values: aware datetimes,
    dicts for JSON) into `model`'s table; the new ids when `ids`, else []. `datetimes`:
    the times converted so far, shared by the inserts of one batch (a mention's time is
    its matches' too)."""
    if not rows:
        return []
    meta = model._meta
    columns = []
    for name in fields:
        found = meta.get_field(name)
        assert isinstance(found, models.Field)
        columns.append(found)
    seen = datetimes if datetimes is not None else {}
    convert = [
        (index, fn) for index, field in enumerate(columns) if (fn := _converter(field, seen))
    ]
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(field.column)) for field in columns)
    # SQLite's own placeholder: Django's SQLite cursor rewrites each %s into ? with a regular
    # expression on every call (thousands a statement here, a fortieth of the listening
    # pipeline's time); a statement already written with ? goes through untouched.
    mark = "?" if connection.vendor == "sqlite" else "%s"
    one = "(" + ", ".join([mark] * len(columns)) + ")"
    # Table and column names come from the model, never from input.
    head = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES "  # noqa: S608
    tail = f" RETURNING {quote(str(meta.pk.column))}" if ids and meta.pk is not None else ""
    new_ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            params: list[Any] = []
            for row in chunk:
                values = list(row)
                for index, fn in convert:
                    values[index] = fn(values[index])
                params.extend(values)
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            if ids:
                new_ids.extend(int(found[0]) for found in cursor.fetchall())
    return new_ids
