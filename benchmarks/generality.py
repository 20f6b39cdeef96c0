"""The recipe's defaults on other one-to-many problems and other scales, beside its first version and GMR.

Each method on 4,000 points per problem, nothing tuned, gap to the exact Bayes limit on 20,000 fresh
points (see ``benchmarks.methods.GENERALITY``): the inverted sine with sharper branches (noise 0.3), with
inputs and targets multiplied by 0.01 and by 1000 (the NLL shifts by log(scale), subtracted), and Bishop's
(1994) toy problem, x = y + 0.3 sin(2πy) + noise with y ~ U[0, 1], noise 0.05.
Target for the recipe: each median at least as good as v1's, every seed ≤ 0.10.
"""

from __future__ import annotations

from .methods import GENERALITY

SEEDS = range(10)
N = 4_000


def cells(max_seeds: int | None = None) -> list[tuple]:
    """(problem, n, seeds, methods) for each problem."""
    return [(problem, N, SEEDS[:max_seeds], ["recipe", "recipe_v1", "gmr"]) for problem in GENERALITY]
