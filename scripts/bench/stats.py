"""Figures as the report prints them: median with min-max and n, percentiles, rotated pairing.

Every benchmark reports through these helpers so that no figure is a lone best-of or a mean that
hides its spread, and every comparison of two paths runs them in rotated order.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from typing import Any


def summary(values: Sequence[float]) -> dict[str, Any]:
    """{median, min, max, n} of the samples (all of them, nothing dropped)."""
    if not values:
        raise ValueError("no samples")
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 300 samples is the 297th smallest)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def fmt(s: dict[str, Any], digits: int = 1, unit: str = "") -> str:
    """"12.3 ms (11.0-14.2, n=11)": the median first, then the spread and the sample count."""
    u = f" {unit}" if unit else ""
    return (f"{s['median']:,.{digits}f}{u} ({s['min']:,.{digits}f}-{s['max']:,.{digits}f}, "
            f"n={s['n']})")


def rotations(names: Sequence[str], rounds: int) -> list[list[str]]:
    """Round r runs ``names`` rotated by r, so each path goes first, second, ... equally often."""
    k = len(names)
    return [list(names[r % k:]) + list(names[:r % k]) for r in range(rounds)]


def paired(runners: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Run every path once per round in rotated order; samples stay paired by round index."""
    out: dict[str, list[float]] = {name: [] for name in runners}
    for order in rotations(list(runners), rounds):
        for name in order:
            out[name].append(runners[name]())
    return out


def ratios(ours: Sequence[float], base: Sequence[float]) -> list[float]:
    """Per-round ratios ours/base of paired samples (a slow moment hits both of a pair)."""
    return [a / b for a, b in zip(ours, base, strict=True)]
