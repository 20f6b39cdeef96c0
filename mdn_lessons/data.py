"""Seeded toy data sets, generated in code (no downloads), and the exact density of the inverted sine.

The course's running example is the sine wave turned on its side: draw y uniformly on [-10, 10] and set
``x = 7 sin(0.75 y) + 0.5 y + noise * N(0, 1)``. Predicting y from x is one-to-many: depending on x there
are one, three or five branches. Because we generated the data, its exact conditional density p(y | x) is
known, which gives the best negative log-likelihood any model can reach (the Bayes limit).

One real data set ships with the package: :func:`old_faithful`, the geyser's 272 eruptions (read from a CSV
inside ``mdn_lessons/datasets``, never downloaded).
"""

from __future__ import annotations

import csv
import math
from importlib import resources

import numpy as np
import torch

from . import _validate
from .mixture import gaussian_log_prob

Y_RANGE = (-10.0, 10.0)
"""Interval of the uniform draws (x for :func:`sine`, y for :func:`inverted_sine`)."""


def wave(t):
    """The curve behind both data sets: ``7 sin(0.75 t) + 0.5 t`` (works on tensors and arrays)."""
    sin = torch.sin if isinstance(t, torch.Tensor) else np.sin
    return 7.0 * sin(0.75 * t) + 0.5 * t


def _uniform_and_noise(n, noise, seed, t_range=Y_RANGE):
    n = _validate.positive_int("n", n)
    noise = _validate.positive_float("noise", noise, allow_zero=True)
    seed = _validate.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    t = rng.uniform(*t_range, size=(n, 1))
    eps = rng.standard_normal(size=(n, 1))
    return t, noise * eps


def _checked_range(name: str, value) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}")
    low, high = (_validate.float_tensor(name, v).item() for v in value)
    if not low < high:
        raise ValueError(f"{name} must satisfy low < high, got ({low}, {high})")
    return low, high


def sine(n: int = 1000, noise: float = 1.0, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The forward problem: x ~ U[-10, 10], y = 7 sin(0.75 x) + 0.5 x + noise * N(0, 1).

    Returns ``(x, y)``, float32 tensors of shape (n, 1). One x gives one y (plus noise): MSE works here.
    """
    t, eps = _uniform_and_noise(n, noise, seed)
    x = t
    y = wave(t) + eps
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def inverse_problem(curve, n: int = 1000, noise: float = 1.0, seed: int = 0, y_range=Y_RANGE):
    """Any inverse problem of the same kind: y ~ U[y_range], x = curve(y) + noise * N(0, 1).

    curve: a function of a numpy array, e.g. ``lambda y: y + 0.3 * np.sin(2 * np.pi * y)`` (Bishop's
    1994 toy problem on y_range (0, 1)). Returns ``(x, y)``, float32 tensors of shape (n, 1).
    """
    if not callable(curve):
        raise TypeError(f"curve must be a function of y, got {type(curve).__name__}")
    y_range = _checked_range("y_range", y_range)
    y, eps = _uniform_and_noise(n, noise, seed, y_range)
    x = curve(y) + eps
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def inverted_sine(n: int = 1000, noise: float = 1.0, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The inverse problem: y ~ U[-10, 10], x = 7 sin(0.75 y) + 0.5 y + noise * N(0, 1).

    Returns ``(x, y)``, float32 tensors of shape (n, 1); the task is to predict y from x, which has
    several answers for one x (five near x = 0).
    """
    return inverse_problem(wave, n, noise, seed, Y_RANGE)


def inverse_problem_log_prob(x, y, curve, noise: float, y_range=Y_RANGE) -> torch.Tensor:
    """Exact log p(y | x) of :func:`inverse_problem` data, shape (N,).

    Bayes' rule with the uniform prior on y: p(y | x) = N(x; curve(y), noise²) / Z(x) for y in y_range
    (and 0 outside), where Z(x) = ∫ N(x; curve(t), noise²) dt over y_range is computed by the trapezoid
    rule on a grid fine enough to resolve the narrowest branch. ``-log_prob.mean()`` on held-out data is
    the Bayes limit: no model can have a lower expected NLL.

    x, y: shape (N, 1) or (N,), same N. noise must be > 0 (with no noise the density is not defined).
    """
    x = _validate.feature_matrix("x", x, features=1)
    y = _validate.feature_matrix("y", y, features=1)
    _validate.same_length("x", x, "y", y)
    noise = _validate.positive_float("noise", noise)
    if not callable(curve):
        raise TypeError(f"curve must be a function of y, got {type(curve).__name__}")
    low, high = _checked_range("y_range", y_range)

    x64 = x[:, 0].double()
    y64 = y[:, 0].double()
    noise64 = torch.tensor(noise, dtype=torch.float64)

    def log_likelihood(x_col, t):  # log N(x; curve(t), noise²)
        return gaussian_log_prob(torch.as_tensor(curve(t.numpy()), dtype=torch.float64), noise64, x_col)

    # A branch's width in y is noise / |curve'(y)|: keep >= 10 grid points per width at the steepest slope.
    probe = np.linspace(low, high, 100_001)
    steepest = float(np.max(np.abs(np.diff(curve(probe)) / np.diff(probe)))) or 1.0
    spacing = min((high - low) / 2000, noise / steepest / 10)
    points = int(math.ceil((high - low) / spacing)) + 1
    grid = torch.linspace(low, high, points, dtype=torch.float64)
    grid_values = torch.as_tensor(curve(grid.numpy()), dtype=torch.float64)
    log_w = torch.full((points,), math.log(grid[1] - grid[0]), dtype=torch.float64)
    log_w[[0, -1]] -= math.log(2.0)

    log_z = torch.empty_like(x64)
    chunk = max(1, 2_000_000 // points)
    for start in range(0, len(x64), chunk):
        x_chunk = x64[start : start + chunk, None]
        log_z[start : start + chunk] = torch.logsumexp(gaussian_log_prob(grid_values, noise64, x_chunk) + log_w, dim=1)

    log_p = log_likelihood(x64, y64) - log_z
    inside = (y64 >= low) & (y64 <= high)
    log_p = torch.where(inside, log_p, torch.full_like(log_p, -math.inf))
    return log_p.to(torch.float32)


def inverted_sine_log_prob(x, y, noise: float = 1.0) -> torch.Tensor:
    """Exact log p(y | x) of :func:`inverted_sine` data, shape (N,): the Bayes limit of the course.

    See :func:`inverse_problem_log_prob`. x, y: shape (N, 1) or (N,), same N; noise > 0.
    """
    return inverse_problem_log_prob(x, y, wave, noise, Y_RANGE)


OLD_FAITHFUL_COLUMNS = ("eruptions", "waiting")
"""The two columns of :func:`old_faithful`: eruption duration and waiting time, both in minutes."""


def old_faithful(predict: str = "eruptions") -> tuple[torch.Tensor, torch.Tensor]:
    """The Old Faithful geyser's 272 eruptions (R's ``faithful``: Härdle 1991; Azzalini and Bowman 1990).

    Each row is one eruption: its duration ("eruptions", 1.6 to 5.1 minutes) and the waiting time to the
    next eruption ("waiting", 43 to 96 minutes), in R's row order. Measurements, so there is no seed and no
    known Bayes limit. The file and its source are in ``mdn_lessons/datasets``.

    predict: the column to use as the target y, "eruptions" (default: duration from waiting time, whose
        conditional is bimodal for middling waits) or "waiting"; the other column is the input x.
    Returns ``(x, y)``, float32 tensors of shape (272, 1), in minutes.
    """
    if not isinstance(predict, str) or predict not in OLD_FAITHFUL_COLUMNS:
        raise ValueError(f"predict must be one of {OLD_FAITHFUL_COLUMNS}, got {predict!r}")
    table = resources.files("mdn_lessons.datasets").joinpath("old_faithful.csv")
    with table.open("r", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = {
        name: torch.tensor([[float(row[name])] for row in rows], dtype=torch.float32) for name in OLD_FAITHFUL_COLUMNS
    }
    other = "waiting" if predict == "eruptions" else "eruptions"
    return columns[other], columns[predict]
