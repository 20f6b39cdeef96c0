"""Densities on grids, as numpy arrays ready to draw (no plotting here), and the maths of lesson 01's widget.

* :func:`component_log_densities`, :func:`mixture_density_curve`, :func:`conditional_density_grid`: a fitted
  mixture's density over a grid of y values;
* :func:`best_gaussian`, :func:`nll_landscape`, :func:`gaussian_scores`: one Gaussian Q = N(m, s²) against
  samples (the closed-form fit, the NLL over a grid of (m, s), and Q's scores, with KL(P‖Q) when the true P
  is known). :class:`~mdn_lessons.widgets.GaussianExplorer` draws them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np
import torch

from . import _validate
from .mixture import Mixture, MixtureParams, gaussian_log_prob
from .true_distributions import cross_entropy, entropy, gaussian_mixture


def _grid(y_grid) -> torch.Tensor:
    grid = _validate.float_tensor("y_grid", y_grid).reshape(-1)
    if grid.numel() < 2:
        raise ValueError(f"y_grid must hold at least 2 points, got {grid.numel()}")
    return grid


def _one_dimensional(params: MixtureParams) -> Mixture:
    if not isinstance(params, MixtureParams):
        raise TypeError(f"params must be a MixtureParams, got {type(params).__name__}")
    if params.means.shape[-1] != 1:
        raise ValueError(
            f"only one-dimensional targets can be drawn on a grid; these means have D = {params.means.shape[-1]}"
        )
    return Mixture.from_params(params).detach()


@torch.no_grad()
def component_log_densities(params: MixtureParams, y_grid) -> torch.Tensor:
    """log(π_k N(y; μ_k, σ_k²)) for every sample n, component k and grid value y: shape (G, N, K)."""
    mixture = _one_dimensional(params)
    grid = _grid(y_grid)[:, None, None]
    return mixture.log_weights + gaussian_log_prob(mixture.means[..., 0], mixture.scales[..., 0], grid)


def mixture_density_curve(params: MixtureParams, y_grid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a single 1-D mixture (N = 1): the grid (G,), the density (G,) and the weighted components (K, G)."""
    _one_dimensional(params)
    if params.log_weights.shape[0] != 1:
        raise ValueError(f"params must describe one mixture (N = 1), got N = {params.log_weights.shape[0]}")
    parts = component_log_densities(params, y_grid)[:, 0, :].exp()  # (G, K)
    return _grid(y_grid).numpy(), parts.sum(dim=1).numpy(), parts.T.numpy()


def conditional_density_grid(params: MixtureParams, y_grid) -> np.ndarray:
    """p(y | x_m) for each grid value y and each of the M rows of ``params``: shape (G, M)."""
    return torch.logsumexp(component_log_densities(params, y_grid), dim=2).exp().numpy()


# ------------------------------------------------------------------------------ one Gaussian against samples


@dataclass(frozen=True)
class GaussianScores:
    """How well Q = N(mean, std²) explains the data (and P, when P is known). All in nats."""

    mean: float
    std: float
    nll: float
    """Average negative log-likelihood of the samples under Q."""
    expected_nll: float | None = None
    """E_P[-log q(Y)]: the NLL Q would get on endlessly many fresh samples (None if P is unknown)."""
    entropy: float | None = None
    """H(P): the expected NLL of the best possible model, P itself (None if P is unknown)."""
    kl: float | None = None
    """KL(P‖Q) = expected_nll - entropy: how far Q is from P (None if P is unknown)."""


def finite_number(name: str, value) -> float:
    """A finite real number, as a float."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a finite number, got {value!r} ({type(value).__name__})")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return float(value)


def _vector(name: str, values) -> np.ndarray:
    """Finite numbers as a float64 vector (float64 all the way: the landscape is compared to 1e-6)."""
    try:
        vector = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a sequence or array of numbers: {error}") from None
    if vector.size < 1 or not np.isfinite(vector).all():
        raise ValueError(f"{name} must hold at least one value, all finite")
    return vector


def samples(data) -> np.ndarray:
    """One-dimensional samples as a float64 vector (N,); accepts (N,) or (N, 1)."""
    return _validate.feature_matrix("data", data, features=1).double().numpy()[:, 0]


def gaussian_density(mean: float, std: float, y_grid) -> np.ndarray:
    """The density of N(mean, std²) on ``y_grid`` (G,), computed as a mixture with K = 1."""
    return mixture_density_curve(gaussian_mixture([1.0], [mean], [std]), y_grid)[1]


def best_gaussian(data) -> tuple[float, float]:
    """The maximum-likelihood Gaussian for samples of shape (N,) or (N, 1): (sample mean, sample std).

    The std divides by N (not N - 1): that is the value that minimises the average NLL.
    """
    y = samples(data)
    return float(y.mean()), float(y.std())


def nll_landscape(data, means, stds) -> np.ndarray:
    """Average NLL of the data under N(m, s²) for every m in ``means`` (M,) and s in ``stds`` (S,): shape (S, M).

    The average of the per-sample NLLs is the NLL of the sample mean ȳ plus a spread term,
    NLL(m, s) = -log N(ȳ; m, s²) + v / (2 s²), with v the data's variance: exact, and one term per (m, s).
    """
    y = samples(data)
    means, stds = _vector("means", means), _vector("stds", stds)
    if (stds <= 0).any():
        raise ValueError(f"stds must all be > 0, got minimum {stds.min():.3g}")
    m, s = torch.from_numpy(means)[None, :], torch.from_numpy(stds)[:, None]
    at_the_mean = -gaussian_log_prob(m, s, torch.tensor(y.mean(), dtype=torch.float64))
    return (at_the_mean + y.var() / (2 * s**2)).numpy()


def gaussian_scores(data, mean: float, std: float, p=None) -> GaussianScores:
    """Scores of Q = N(mean, std²): its average NLL on ``data`` ((N,) or (N, 1)) and, if P is given, its KL.

    p: the true distribution as MixtureParams of one 1-D mixture (e.g. ``true_distributions.skewed_p()``),
    or None.
    """
    mean = finite_number("mean", mean)
    std = _validate.positive_float("std", std)
    nll = float(nll_landscape(data, [mean], [std])[0, 0])
    if p is None:
        return GaussianScores(mean, std, nll)
    h = entropy(p)
    expected = cross_entropy(p, gaussian_mixture([1.0], [mean], [std]))
    return GaussianScores(mean, std, nll, expected, h, expected - h)
