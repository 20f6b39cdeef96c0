"""Fit quality and speed against the amount of data: the recipe beside its first version and its peers.

The inverted sine with noise 1 at n = 1,000, 4,000, 16,000 and 64,000 training points. Every method runs
on the same seeds, interleaved seed by seed, on one CPU thread, so machine noise hits all alike (see
``benchmarks.methods``). The original baseline (10,000 full-batch epochs) runs at n = 1,000 only, its own
setting: at larger n it would take minutes per fit.
The score is the gap between the held-out NLL on 20,000 fresh points and the Bayes limit on those points.
"""

from __future__ import annotations

from .methods import INVERTED_SINE

SIZES = {1_000: range(10), 4_000: range(10), 16_000: range(10), 64_000: range(5)}
TARGETS = {1_000: 0.12, 4_000: 0.035, 64_000: 0.016}
"""The recipe's median gap targets on the inverted sine, noise 1 (at n = 4,000 also ≤ half v1's time)."""


def cells(max_seeds: int | None = None) -> list[tuple]:
    """(problem, n, seeds, methods) for each size."""
    return [
        (INVERTED_SINE, n, seeds[:max_seeds], ["recipe", "recipe_v1", "gmr"] + (["baseline"] if n == 1_000 else []))
        for n, seeds in SIZES.items()
    ]
