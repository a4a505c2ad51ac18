"""Timing and memory measurement shared by the benchmarks, and the table they print."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    operations: int
    seconds: float  # median of the timed rounds
    peak_bytes: int  # peak Python allocation during one extra, traced round

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds

    @property
    def micros_per_operation(self) -> float:
        return self.seconds / self.operations * 1e6


def compare(
    variants: dict[str, Callable[[], object]], operations: int, rounds: int
) -> dict[str, Measurement]:
    """Time every variant `rounds` times, interleaved, then trace each once for memory.

    Interleaving (a, b, a, b...) spreads drift (CPU frequency, caches, other load) over all
    variants instead of favouring whichever ran first. Memory is measured in a separate
    round because tracemalloc slows Python down several times and would distort the timing.
    """
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _round in range(rounds):
        for name, run in variants.items():
            gc.collect()
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    peaks: dict[str, int] = {}
    for name, run in variants.items():
        gc.collect()
        tracemalloc.start()
        try:
            run()
            peaks[name] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return {
        name: Measurement(operations, statistics.median(times[name]), peaks[name])
        for name in variants
    }


def overhead(baseline: float, ours: float) -> str:
    """How much more ours costs than the baseline, in % (negative: ours is cheaper)."""
    if baseline == 0:
        return "n/a"
    return f"{(ours - baseline) / baseline * 100:+.1f} %"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, aligned so it also reads well in a terminal."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(
        "-" * (width + 1) + (":" if i else "-") for i, width in enumerate(widths)
    ) + "|"
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def kib(size: int) -> str:
    return f"{size / 1024:,.1f}"
