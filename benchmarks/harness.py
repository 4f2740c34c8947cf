"""A small timeit-style harness for a stateful, in-process subject.

Why not pyperf: pyperf runs each benchmark in ~20 fresh worker processes, one
benchmark after the other. The subject here is a process-wide simulator with
10 000+ sessions to set up per process, and the issue asks for *ratios* that
hold on a noisy shared machine. So instead, in one process:

* every contender is warmed up and calibrated (loops per block so a block
  lasts ``block_s``);
* contenders that are compared are **interleaved**: each round times one block
  of each, in an order rotated every round, so load changes hit all of them;
* a result is the median over rounds of the time per operation, with the
  quartiles (IQR) as its spread, and a ratio is the median of the per-round
  ratios (paired: both blocks ran within the same few milliseconds).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: One timed block: runs the operation ``loops`` times, returns seconds per operation.
Block = Callable[[int], float]


def loop_block(operation: Callable[[], Any]) -> Block:
    """A block for a no-argument callable (the loop overhead, ~30 ns, is included)."""

    def block(loops: int) -> float:
        clock = time.perf_counter
        start = clock()
        for _ in range(loops):
            operation()
        return (clock() - start) / loops

    return block


@dataclass
class Sample:
    """Seconds per operation, one value per round."""

    values: list[float] = field(default_factory=list)
    loops: int = 1

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def quartiles(self) -> tuple[float, float]:
        if len(self.values) < 2:
            return self.values[0], self.values[0]
        q1, _, q3 = statistics.quantiles(self.values, n=4, method="inclusive")
        return q1, q3

    def as_json(self) -> dict[str, Any]:
        q1, q3 = self.quartiles
        return {"median_s": self.median, "q1_s": q1, "q3_s": q3, "rounds": len(self.values),
                "loops_per_round": self.loops, "values_s": self.values}


def calibrate(block: Block, block_s: float, *, max_loops: int = 10_000_000) -> int:
    """Warm up, then the loop count that makes one block last about ``block_s``."""
    loops = 1
    while True:
        per_op = block(loops)
        elapsed = per_op * loops
        if elapsed >= block_s / 4 or loops >= max_loops:
            break
        loops = min(max_loops, loops * 10 if elapsed < block_s / 40 else loops * 4)
    return max(1, min(max_loops, math.ceil(block_s / max(per_op, 1e-12))))


def interleave(blocks: dict[str, Block], rounds: int, loops: dict[str, int]) -> dict[str, Sample]:
    """Time ``rounds`` blocks of each contender, order rotated every round."""
    names = list(blocks)
    samples = {name: Sample(loops=loops[name]) for name in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            samples[name].values.append(blocks[name](loops[name]))
    return samples


def paired_ratio(numerator: Sample, denominator: Sample) -> dict[str, float]:
    """Median and quartiles of the per-round ratios numerator/denominator."""
    ratios = [a / b for a, b in zip(numerator.values, denominator.values, strict=True)]
    sample = Sample(ratios)
    q1, q3 = sample.quartiles
    return {"median": sample.median, "q1": q1, "q3": q3}
