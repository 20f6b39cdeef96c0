"""Seeded toy data sets, generated in code (no downloads), and the exact density of the inverted sine.

The course's running example is the sine wave turned on its side: draw y uniformly on [-10, 10] and set
``x = 7 sin(0.75 y) + 0.5 y + noise * N(0, 1)``. Predicting y from x is one-to-many: depending on x there
are one to six branches. Because we generated the data, its exact conditional density p(y | x) is
known, which gives the best negative log-likelihood any model can reach (the Bayes limit).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from . import _validate

Y_RANGE = (-10.0, 10.0)
"""Interval of the uniform draws (x for :func:`sine`, y for :func:`inverted_sine`)."""


def wave(t):
    """The curve behind both data sets: ``7 sin(0.75 t) + 0.5 t`` (works on tensors and arrays)."""
    sin = torch.sin if isinstance(t, torch.Tensor) else np.sin
    return 7.0 * sin(0.75 * t) + 0.5 * t


def _uniform_and_noise(n, noise, seed):
    n = _validate.positive_int("n", n)
    noise = _validate.positive_float("noise", noise, allow_zero=True)
    seed = _validate.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    t = rng.uniform(*Y_RANGE, size=(n, 1))
    eps = rng.standard_normal(size=(n, 1))
    return t, noise * eps


def sine(n: int = 1000, noise: float = 1.0, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The forward problem: x ~ U[-10, 10], y = 7 sin(0.75 x) + 0.5 x + noise * N(0, 1).

    Returns ``(x, y)``, float32 tensors of shape (n, 1). One x gives one y (plus noise): MSE works here.
    """
    t, eps = _uniform_and_noise(n, noise, seed)
    x = t
    y = wave(t) + eps
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def inverted_sine(n: int = 1000, noise: float = 1.0, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The inverse problem: y ~ U[-10, 10], x = 7 sin(0.75 y) + 0.5 y + noise * N(0, 1).

    Returns ``(x, y)``, float32 tensors of shape (n, 1); the task is to predict y from x, which has up to
    several answers for one x (six near x = 0).
    """
    t, eps = _uniform_and_noise(n, noise, seed)
    y = t
    x = wave(t) + eps
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def inverted_sine_log_prob(x, y, noise: float = 1.0) -> torch.Tensor:
    """Exact log p(y | x) of :func:`inverted_sine` data, shape (N,).

    Bayes' rule with the uniform prior on y: p(y | x) = N(x; wave(y), noise²) / Z(x) for y in [-10, 10]
    (and 0 outside), where Z(x) = ∫ N(x; wave(t), noise²) dt over [-10, 10] is computed by the
    trapezoid rule on a grid fine enough to resolve the narrowest branch. ``-log_prob.mean()`` on held-out
    data is the Bayes limit: no model can have a lower expected NLL.

    x, y: shape (N, 1) or (N,), same N. noise must be > 0 (with no noise the density is not defined).
    """
    x = _validate.feature_matrix("x", x, features=1)
    y = _validate.feature_matrix("y", y, features=1)
    _validate.same_length("x", x, "y", y)
    noise = _validate.positive_float("noise", noise)

    x64 = x[:, 0].double()
    y64 = y[:, 0].double()
    log_norm = -0.5 * math.log(2 * math.pi) - math.log(noise)

    def log_likelihood(x_col, t):
        return log_norm - 0.5 * ((x_col - wave(t)) / noise) ** 2

    # The branch is narrowest where the slope |wave'| = |5.25 cos + 0.5| peaks at 5.75: keep >= 10 grid
    # points per standard deviation of the branch in y, which is noise / 5.75.
    spacing = min(0.01, noise / 5.75 / 10)
    points = int(math.ceil((Y_RANGE[1] - Y_RANGE[0]) / spacing)) + 1
    grid = torch.linspace(*Y_RANGE, points, dtype=torch.float64)
    log_w = torch.full((points,), math.log(grid[1] - grid[0]), dtype=torch.float64)
    log_w[[0, -1]] -= math.log(2.0)

    log_z = torch.empty_like(x64)
    chunk = max(1, 2_000_000 // points)
    for start in range(0, len(x64), chunk):
        x_chunk = x64[start : start + chunk, None]
        log_z[start : start + chunk] = torch.logsumexp(log_likelihood(x_chunk, grid) + log_w, dim=1)

    log_p = log_likelihood(x64, y64) - log_z
    inside = (y64 >= Y_RANGE[0]) & (y64 <= Y_RANGE[1])
    log_p = torch.where(inside, log_p, torch.full_like(log_p, -math.inf))
    return log_p.to(torch.float32)
