"""The true distributions P of lessons 01 and 02, with their exact density and entropy.

A lesson plays "nature": it draws samples from a P it secretly knows, lets a model Q learn from the samples
alone, and then judges Q against the truth. Each P is a Gaussian mixture held as a
:class:`~mdn_lessons.MixtureParams` with one row (log_weights (1, K), means and scales (1, K, 1)), so the
package's mixture tools (``params.distribution()``, :func:`mdn_lessons.plots.mixture_density`) work on it.

The quantities that judge a model are integrals over P, computed here by quadrature in float64:
``cross_entropy(p, q)`` = E_P[-log q(Y)] (the NLL Q would get on endless data), ``entropy(p)`` = H(P) (the
best any Q can do) and ``kl_divergence(p, q)`` = the gap between the two.
"""

from __future__ import annotations

import numpy as np
import torch

from . import _validate
from .mixture import Mixture, MixtureParams
from .models import GaussianMixture

_QUADRATURE_POINTS = 4_001  # the trapezoid rule converges geometrically here: 2001 points already give every digit
_QUADRATURE_SPAN = 12.0  # P's mass beyond 12 σ of every component is below 1e-32: nothing is lost


def gaussian_mixture(weights, means, scales) -> MixtureParams:
    """A one-dimensional mixture of K Gaussians as MixtureParams (log_weights (1, K), means/scales (1, K, 1)).

    weights: K positive numbers summing to 1; means: K numbers; scales: K standard deviations > 0.
    A single Gaussian N(m, s²) is ``gaussian_mixture([1.0], [m], [s])``.
    """
    weights = _validate.float_tensor("weights", weights).reshape(-1)
    means = _validate.float_tensor("means", means).reshape(-1)
    scales = _validate.float_tensor("scales", scales).reshape(-1)
    k = weights.numel()
    if k < 1:
        raise ValueError("weights must hold at least one component weight")
    for name, tensor in (("means", means), ("scales", scales)):
        if tensor.numel() != k:
            raise ValueError(f"{name} must hold one value per component ({k}, like weights), got {tensor.numel()}")
    if not bool((weights > 0).all()):
        raise ValueError(f"weights must all be > 0, got minimum {float(weights.min()):.3g}")
    if abs(float(weights.sum()) - 1.0) > 1e-4:
        raise ValueError(f"weights must sum to 1, got a sum of {float(weights.sum()):.6g}")
    log_weights = torch.log(weights / weights.sum())
    return Mixture(log_weights.reshape(1, k), means.reshape(1, k, 1), scales.reshape(1, k, 1)).params


def skewed_p() -> MixtureParams:
    """Lesson 01's P: one lopsided bump (0.7·N(1.0, 0.6²) + 0.3·N(2.5, 1.1²)), mean 1.45, std about 1.04.

    It looks like one hump with a long right tail, so a single Gaussian fits it well but not perfectly:
    the best Gaussian stays about 0.09 nats (KL) away from it.
    """
    return gaussian_mixture([0.7, 0.3], [1.0, 2.5], [0.6, 1.1])


def three_bumps_p() -> MixtureParams:
    """Lesson 02's P: three separate bumps, 0.3·N(-4, 0.6²) + 0.5·N(0, 1) + 0.2·N(3.5, 0.5²).

    No single Gaussian comes close (the best one is about 0.31 nats away); three components fit it exactly.
    """
    return gaussian_mixture([0.3, 0.5, 0.2], [-4.0, 0.0, 3.5], [0.6, 1.0, 0.5])


def _one_mixture(name: str, value) -> MixtureParams:
    """Accept MixtureParams of one 1-D mixture, or a GaussianMixture model (its current parameters)."""
    if isinstance(value, GaussianMixture):
        with torch.no_grad():
            value = value()
    if not isinstance(value, MixtureParams):
        raise TypeError(
            f"{name} must be MixtureParams (e.g. from gaussian_mixture) or a GaussianMixture, "
            f"got {type(value).__name__}"
        )
    if value.log_weights.ndim != 2 or value.log_weights.shape[0] != 1 or value.means.shape[-1] != 1:
        raise ValueError(
            f"{name} must describe one mixture over one feature (log_weights (1, K), means (1, K, 1)), got "
            f"log_weights {tuple(value.log_weights.shape)} and means {tuple(value.means.shape)}"
        )
    return Mixture.from_params(MixtureParams(*(t.detach() for t in value)), name).params


def _numpy_parts(params: MixtureParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights, means and scales of one 1-D mixture as float64 arrays of shape (K,)."""
    log_weights = params.log_weights.reshape(-1).double()
    weights = torch.softmax(log_weights, dim=0).numpy()  # renormalised in float64
    return weights, params.means.reshape(-1).double().numpy(), params.scales.reshape(-1).double().numpy()


def _log_density64(params: MixtureParams, grid: np.ndarray) -> np.ndarray:
    """log p(y) for every grid value, in float64 (the quadrature needs more than float32's 7 digits)."""
    weights, means, scales = (torch.from_numpy(part) for part in _numpy_parts(params))
    mixture = Mixture(weights.log(), means.unsqueeze(-1), scales.unsqueeze(-1))  # one mixture, batch shape ()
    return mixture.log_prob(torch.from_numpy(grid).unsqueeze(-1)).numpy()


def sample(p, n: int, seed: int = 0) -> torch.Tensor:
    """n samples from the mixture p, float32 of shape (n, 1): pick a component by weight, then sample it.

    p: MixtureParams of one 1-D mixture. Seeded by ``seed`` (numpy), so the same on every machine.
    """
    p = _one_mixture("p", p)
    n = _validate.positive_int("n", n)
    seed = _validate.positive_int("seed", seed, minimum=0)
    weights, means, scales = _numpy_parts(p)
    rng = np.random.default_rng(seed)
    component = rng.choice(len(weights), size=n, p=weights)
    values = means[component] + scales[component] * rng.standard_normal(n)
    return torch.tensor(values, dtype=torch.float32).reshape(n, 1)


def log_density(p, y) -> torch.Tensor:
    """log p(y) of the mixture p at each value of y ((N,) or (N, 1)), shape (N,)."""
    p = _one_mixture("p", p)
    y = _validate.feature_matrix("y", y, features=1)
    return Mixture(*(t.expand(len(y), *t.shape[1:]) for t in p)).log_prob(y)


def cross_entropy(p, q) -> float:
    """E_P[-log q(Y)] in nats: the average NLL the model q would get on endlessly many samples from p.

    p, q: MixtureParams of one 1-D mixture each (a GaussianMixture model is accepted for either).
    Computed by the trapezoid rule on a fine grid covering p, in float64.
    """
    p = _one_mixture("p", p)
    q = _one_mixture("q", q)
    _, means, scales = _numpy_parts(p)
    grid = np.linspace(
        (means - _QUADRATURE_SPAN * scales).min(), (means + _QUADRATURE_SPAN * scales).max(), _QUADRATURE_POINTS
    )
    return float(-np.trapezoid(np.exp(_log_density64(p, grid)) * _log_density64(q, grid), grid))


def entropy(p) -> float:
    """The differential entropy H(P) = E_P[-log p(Y)] in nats: the lowest expected NLL any model can reach."""
    return cross_entropy(p, p)


def kl_divergence(p, q) -> float:
    """KL(P‖Q) = E_P[-log q(Y)] - H(P) in nats (>= 0, and 0 only when q = p): how far q is from the best."""
    return cross_entropy(p, q) - entropy(p)
