"""The recipe's defaults on other one-to-many problems and other scales, beside its first version and GMR.

Each method on 4,000 points per problem, nothing tuned, gap to the exact Bayes limit on 20,000 fresh
points (see ``benchmarks.methods.GENERALITY``): the inverted sine with sharper branches (noise 0.3), with
inputs and targets multiplied by 0.01 and by 1000 (the NLL shifts by log(scale), subtracted), and Bishop's
(1994) toy problem, x = y + 0.3 sin(2πy) + noise with y ~ U[0, 1], noise 0.05.
"""

from __future__ import annotations

from . import report
from .methods import GENERALITY, measure

SEEDS = range(10)
N = 4_000


def run(max_seeds: int | None = None) -> str:
    seeds = SEEDS[:max_seeds]
    lines = [
        "## Generality: the same defaults on other problems and scales",
        "",
        f"n = {N:,} training points, seeds 0-{len(seeds) - 1}, methods interleaved seed by seed on one thread. "
        "Target for the recipe: each median at least as good as v1's, every seed ≤ 0.10.",
        "",
        *report.HEADER,
    ]
    verdicts, targets = [], []
    for problem in GENERALITY:
        results = measure(problem, N, seeds, ["recipe", "recipe_v1", "gmr"])
        lines += report.rows(problem.name, results)
        verdicts.append(report.verdict(problem.name, results))
        s = report.summary(results)
        met = s["recipe"]["median_gap"] <= s["recipe_v1"]["median_gap"] and s["recipe"]["worst_gap"] <= 0.10
        targets.append(
            f"- {problem.name}: median {s['recipe']['median_gap']:.3f} (v1 {s['recipe_v1']['median_gap']:.3f}), "
            f"worst {s['recipe']['worst_gap']:.3f}: {'met' if met else 'NOT met'}."
        )
    lines += ["", "Targets for the recipe:", "", *targets, "", "Against GMR with BIC:", "", *verdicts, ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
