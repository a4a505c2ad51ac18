"""Timing and memory measurement shared by the benchmarks, and the table they print."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    operations: int
    seconds: float  # median of the timed rounds
    rounds: int  # how many timed rounds ran (fewer than asked when the budget ran out)
    peak_bytes: int  # peak Python allocation during the traced round
    traced_operations: int  # how many operations the traced round ran

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds

    @property
    def micros_per_operation(self) -> float:
        return self.seconds / self.operations * 1e6


# A variant runs `count` operations starting at operation `start` (the text benchmark
# counts posts[start:start + count]; a request is a request, whatever its number).
Variant = Callable[[int, int], object]


def compare(
    variants: Mapping[str, Variant],
    operations: int,
    *,
    block: int,
    rounds: int,
    budget: float,
    traced_operations: int,
) -> dict[str, Measurement]:
    """Trace each variant once for memory, then time them all, interleaved, `rounds` times.

    Memory is measured in its own, shorter round because tracemalloc slows Python down
    several times and would distort the timing; the peak of work done one operation after
    another does not grow with their number unless something leaks. That round also warms
    caches up.

    A timed round runs each variant's `operations` in blocks of `block`, alternating
    variants block by block (a, b, a, b...): drift and bursts of other load on the machine
    then fall on every variant alike instead of on whichever ran during them. At least one
    timed round runs; further ones only while they fit in `budget` seconds, so a slow or
    busy machine still finishes in bounded time.
    """
    started = time.perf_counter()
    traced = min(operations, traced_operations)
    peaks: dict[str, int] = {}
    for name, run in variants.items():
        gc.collect()
        tracemalloc.start()
        try:
            run(0, traced)
            peaks[name] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _round in range(rounds):
        round_started = time.perf_counter()
        spent = dict.fromkeys(variants, 0.0)
        gc.collect()
        for first in range(0, operations, block):
            count = min(block, operations - first)
            for name, run in variants.items():
                run_started = time.perf_counter()
                run(first, count)
                spent[name] += time.perf_counter() - run_started
        for name, seconds in spent.items():
            times[name].append(seconds)
        now = time.perf_counter()
        if now - started + (now - round_started) > budget:
            break
    return {
        name: Measurement(
            operations, statistics.median(times[name]), len(times[name]), peaks[name], traced
        )
        for name in variants
    }


def overhead(baseline: float, ours: float) -> str:
    """How much more ours costs than the baseline, in % (negative: ours is cheaper)."""
    if baseline == 0:
        return "n/a"
    ratio = ours / baseline
    if ratio >= 10:  # "+94,497 %" is hard to picture; the factor says it at a glance
        return f"{(ratio - 1) * 100:+,.0f} % ({ratio:,.0f} times)"
    return f"{(ratio - 1) * 100:+.1f} %"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, aligned so it also reads well in a terminal."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join("-" * (width + 1) + (":" if i else "-") for i, width in enumerate(widths))
        + "|"
    )
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def kib(size: int) -> str:
    return f"{size / 1024:,.1f}"
