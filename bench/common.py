"""What a benchmark returns, and small timing helpers."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Result:
    """One figure: ``value`` is ours, ``baseline`` the bare library's (or the physical limit) in the same run."""

    name: str
    value: float
    unit: str
    baseline: float | None
    target: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline <= 0:
            return None
        return self.value / self.baseline

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = round(self.ratio, 3) if self.ratio is not None else None
        data["value"] = round(self.value, 6)
        if self.baseline is not None:
            data["baseline"] = round(self.baseline, 6)
        return data


def percentile(samples: list[float], pct: float) -> float:
    """The ``pct`` percentile (0–100) of ``samples``."""
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def time_each(fn: Callable[[int], None], count: int) -> list[float]:
    """Seconds taken by each of ``count`` calls ``fn(i)``."""
    samples = []
    for i in range(count):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return samples


def best_of(fn: Callable[[], None], repeat: int = 3) -> float:
    """The fastest of ``repeat`` runs of ``fn`` (seconds)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


median = statistics.median
