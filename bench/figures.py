"""One row of the benchmark's report."""

from __future__ import annotations

from dataclasses import dataclass

from bench.load import Load


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    # throughput rows (wrk): latencies of the subject and of the baseline
    p50_ms: float | None = None
    p99_ms: float | None = None
    baseline_p50_ms: float | None = None
    baseline_p99_ms: float | None = None

    @classmethod
    def load(
        cls, name: str, subject: Load, baseline_name: str = "", baseline: Load | None = None,
        target: float | None = None,
    ) -> Figure:  # fmt: skip
        """A throughput row: requests/s against a baseline's, the ratio's target when there is one."""
        ratio = subject.requests_per_second / baseline.requests_per_second if baseline else None
        return cls(
            name, subject.requests_per_second, "req/s", baseline_name,
            baseline.requests_per_second if baseline else None, ratio,
            "" if target is None else f"≥ {target}",
            None if target is None or ratio is None else ratio >= target,
            subject.p50_ms, subject.p99_ms,
            baseline.p50_ms if baseline else None, baseline.p99_ms if baseline else None,
        )  # fmt: skip
