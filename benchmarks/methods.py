"""The problems and the methods that ``make bench`` compares, and the score: the gap to the Bayes limit.

Problems are one-to-many inverse problems x = curve(y) + noise with y uniform, whose exact conditional
density is known (``ml.data.inverse_problem_log_prob``), optionally with x and y multiplied by a scale.
Methods train on (x, y) of shape (N, 1) each and return a ``log_prob(x, y) -> (N,)`` function:
- ``recipe``: ``ml.fit(ml.MDN(1, 1, n_components=8), x, y, seed=s)``, every default (today's recipe);
- ``recipe_v1``: the same model with the first recipe (fixed 1,500 steps, ``benchmarks.recipe_v1``);
- ``gmr``: Gaussian mixture regression with K in 1..10 chosen by BIC (``benchmarks.gmr``);
- ``baseline``: the original demonstration's setup (below).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

import mdn_lessons as ml
from mdn_lessons.losses import mixture_log_prob

from .recipe_v1 import fit_v1

TEST_SIZE = 20_000
TEST_SEED_OFFSET = 10_000


def bishop_curve(y):
    return y + 0.3 * np.sin(2 * np.pi * y)


@dataclass(frozen=True)
class Problem:
    """x = curve(y) + noise · N(0, 1), y ~ U[y_range], then x and y both multiplied by ``scale``."""

    name: str
    curve: Callable
    noise: float
    y_range: tuple[float, float]
    scale: float = 1.0

    def sample(self, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = ml.data.inverse_problem(self.curve, n=n, noise=self.noise, seed=seed, y_range=self.y_range)
        return x * self.scale, y * self.scale

    def gap(self, log_prob, seed: int) -> float:
        """Mean NLL on fresh points minus the Bayes limit on the same points, in nats."""
        x, y = ml.data.inverse_problem(
            self.curve, n=TEST_SIZE, noise=self.noise, seed=TEST_SEED_OFFSET + seed, y_range=self.y_range
        )
        with torch.no_grad():
            nll = float(-log_prob(x * self.scale, y * self.scale).double().mean()) - math.log(self.scale)
        bayes = float(-ml.data.inverse_problem_log_prob(x, y, self.curve, self.noise, self.y_range).double().mean())
        return nll - bayes


INVERTED_SINE = Problem("inverted sine, noise 1", ml.data.wave, 1.0, (-10.0, 10.0))
GENERALITY = [
    Problem("inverted sine, noise 0.3", ml.data.wave, 0.3, (-10.0, 10.0)),
    Problem("inverted sine × 0.01", ml.data.wave, 1.0, (-10.0, 10.0), 0.01),
    Problem("inverted sine × 1000", ml.data.wave, 1.0, (-10.0, 10.0), 1000.0),
    Problem("Bishop's toy problem, noise 0.05", bishop_curve, 0.05, (0.0, 1.0)),
]


class BaselineMDN(nn.Module):
    """The original setup: one tanh layer of 10 units, heads for π (softmax), μ and σ (exp)."""

    def __init__(self, hidden: int = 10, n_components: int = 5):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(1, hidden), nn.Tanh())
        self.heads = nn.Linear(hidden, 3 * n_components)

    def forward(self, x):
        logits, means, log_scales = self.heads(self.body(x)).chunk(3, dim=1)
        return torch.log_softmax(logits, dim=1), means.unsqueeze(-1), log_scales.exp().unsqueeze(-1)


def baseline(x, y, seed: int, epochs: int = 10_000):
    """Adam at lr 1e-3 for 10,000 full-batch epochs, no standardisation."""
    torch.manual_seed(seed)
    model = BaselineMDN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = -mixture_log_prob(*model(x), y).mean()
        loss.backward()
        optimizer.step()
    return lambda xt, yt: mixture_log_prob(*model(xt), yt)


def recipe(x, y, seed: int):
    torch.manual_seed(seed)
    model = ml.MDN(1, 1, n_components=8)
    ml.fit(model, x, y, seed=seed)
    return model.log_prob


def recipe_v1(x, y, seed: int):
    torch.manual_seed(seed)
    model = ml.MDN(1, 1, n_components=8)
    fit_v1(model, x, y, seed=seed)
    return model.log_prob


def gmr(x, y, seed: int):
    from threadpoolctl import threadpool_limits  # scikit-learn's: imported only when GMR runs

    from .gmr import GaussianMixtureRegression

    with threadpool_limits(1):  # one BLAS thread, as torch gets
        return GaussianMixtureRegression(max_components=10, seed=seed).fit(x, y).log_prob


METHODS = {"recipe": recipe, "recipe_v1": recipe_v1, "gmr": gmr, "baseline": baseline}
LABELS = {
    "recipe": "recipe: `ml.fit(ml.MDN(1, 1, n_components=8), x, y, seed=s)`",
    "recipe_v1": "recipe v1: the same, fixed 1,500 steps",
    "gmr": "GMR: full-covariance GMM on (x, y), K in 1..10 by BIC (scikit-learn)",
    "baseline": "baseline: tanh 10 units, K=5, Adam 1e-3, 10,000 full-batch epochs",
}


def measure(problem: Problem, n: int, seeds, methods) -> dict[str, dict[str, list[float]]]:
    """Every method on every seed, interleaved (seed by seed), on one thread: gaps and seconds per fit."""
    torch.set_num_threads(1)
    results = {name: {"gap": [], "seconds": []} for name in methods}
    for seed in seeds:
        x, y = problem.sample(n, seed)
        for name in methods:
            start = time.perf_counter()
            log_prob = METHODS[name](x, y, seed)
            results[name]["seconds"].append(time.perf_counter() - start)
            results[name]["gap"].append(problem.gap(log_prob, seed))
        print(
            f"{problem.name}, n={n}, seed {seed}: "
            + ", ".join(
                f"{name} {results[name]['gap'][-1]:.3f} ({results[name]['seconds'][-1]:.2f} s)" for name in methods
            ),
            flush=True,
        )
    return results


PROBLEMS = {problem.name: problem for problem in [INVERTED_SINE, *GENERALITY]}


def main(argv=None) -> int:
    """One (problem, n) cell of the benchmark, its per-seed lines printed for ``benchmarks.from_log``.

    python -m benchmarks.methods "inverted sine, noise 0.3" 4000 0-9 recipe,recipe_v1,gmr

    Several cells can then run side by side on a shared machine, each interleaving its methods seed by seed.
    """
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("problem", choices=sorted(PROBLEMS))
    parser.add_argument("n", type=int)
    parser.add_argument("seeds", help="first-last, e.g. 0-9")
    parser.add_argument("methods", help="comma-separated, from " + ", ".join(METHODS))
    args = parser.parse_args(argv)
    first, _, last = args.seeds.partition("-")
    methods = args.methods.split(",")
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        parser.error(f"unknown methods {unknown}; choose from {sorted(METHODS)}")
    measure(PROBLEMS[args.problem], args.n, range(int(first), int(last or first) + 1), methods)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
