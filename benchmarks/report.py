"""Markdown tables of :func:`benchmarks.methods.measure` results, with the recipe compared to each peer."""

from __future__ import annotations

import statistics

from .methods import LABELS


def summary(results) -> dict[str, dict[str, float]]:
    return {
        name: {
            "median_gap": statistics.median(r["gap"]),
            "worst_gap": max(r["gap"]),
            "median_seconds": statistics.median(r["seconds"]),
        }
        for name, r in results.items()
    }


def time_ratio(results, name: str, other: str) -> float:
    """Median over seeds of name's seconds / other's seconds (the pair of each seed ran back to back)."""
    return statistics.median(a / b for a, b in zip(results[name]["seconds"], results[other]["seconds"], strict=True))


def rows(label: str, results) -> list[str]:
    """One table row per method: data set, method, median gap, worst gap, median s, time / recipe's."""
    s = summary(results)
    out = []
    for name in results:
        ratio = "1" if name == "recipe" else f"{time_ratio(results, name, 'recipe'):.2f}"
        out.append(
            f"| {label} | {LABELS[name]} | {s[name]['median_gap']:.3f} | {s[name]['worst_gap']:.3f} | "
            f"{s[name]['median_seconds']:.2f} | {ratio} |"
        )
    return out


HEADER = [
    "| data | method | median gap (nats) | worst gap (nats) | median s per fit | time ÷ recipe's |",
    "|---|---|---:|---:|---:|---:|",
]


def verdict(label: str, results) -> str:
    """Where the recipe stands against GMR with BIC on one data set, said plainly."""
    s = summary(results)
    gap_diff = s["recipe"]["median_gap"] - s["gmr"]["median_gap"]
    speed = time_ratio(results, "gmr", "recipe")
    good = "as good as or better than" if gap_diff <= 0 else f"worse by {gap_diff:.3f} nats than"
    fast = "at least as fast" if speed >= 1 else f"slower (GMR takes {speed:.2f}× the recipe's time)"
    if speed >= 1:
        fast += f" (GMR takes {speed:.2f}× the recipe's time)"
    return f"- {label}: the recipe's median gap is {good} GMR's; the recipe is {fast}."
