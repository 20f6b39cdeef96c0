"""Fit quality and speed against the amount of data: the recipe beside its first version and its peers.

The inverted sine with noise 1 at n = 1,000, 4,000, 16,000 and 64,000 training points. Every method runs
on the same seeds, interleaved seed by seed, on one CPU thread, so machine noise hits all alike (see
``benchmarks.methods``). The original baseline (10,000 full-batch epochs) runs at n = 1,000 only, its own
setting: at larger n it would take minutes per fit.
The score is the gap between the held-out NLL on 20,000 fresh points and the Bayes limit on those points.
"""

from __future__ import annotations

from . import report
from .methods import INVERTED_SINE, measure

SIZES = {1_000: range(10), 4_000: range(10), 16_000: range(10), 64_000: range(5)}
TARGETS = {1_000: 0.12, 4_000: 0.035, 64_000: 0.016}


def run(max_seeds: int | None = None) -> str:
    sizes = {n: seeds[:max_seeds] for n, seeds in SIZES.items()}
    lines = [
        "## Fit quality and speed against the amount of data: inverted sine, noise 1",
        "",
        "Gap = held-out NLL on 20,000 fresh points minus the Bayes limit on them (nats); seconds per fit on one "
        "CPU thread; all methods interleaved seed by seed in one run. "
        + ", ".join(f"n = {n:,}: seeds 0-{len(seeds) - 1}" for n, seeds in sizes.items())
        + ". The last column is each method's time over the recipe's, the median "
        "over seeds of the per-seed ratio.",
        "",
        *report.HEADER,
    ]
    verdicts, targets = [], []
    for n, seeds in sizes.items():
        methods = ["recipe", "recipe_v1", "gmr"] + (["baseline"] if n == 1_000 else [])
        results = measure(INVERTED_SINE, n, seeds, methods)
        label = f"n = {n:,}"
        lines += report.rows(label, results)
        verdicts.append(report.verdict(label, results))
        s = report.summary(results)
        if n in TARGETS:
            gap = s["recipe"]["median_gap"]
            text = f"- {label}: median gap {gap:.3f} (target ≤ {TARGETS[n]})"
            if n == 4_000:
                ratio = report.time_ratio(results, "recipe", "recipe_v1")
                text += f", time {ratio:.2f}× v1's (target ≤ 0.5)"
                met = gap <= TARGETS[n] and ratio <= 0.5
            else:
                met = gap <= TARGETS[n]
            targets.append(text + (": met." if met else ": NOT met."))
    lines += ["", "Targets for the recipe:", "", *targets, "", "Against GMR with BIC:", "", *verdicts, ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
