"""Expectation-maximisation (EM) for a Gaussian mixture: the classic alternative to gradient descent.

EM alternates two steps that each have a closed form:

* E-step: with the current parameters, each component's responsibility for each sample,
  r_nk = π_k N(y_n; μ_k, σ_k²) / Σ_j π_j N(y_n; μ_j, σ_j²) (computed in log space with logsumexp);
* M-step: each component refits itself to the samples, weighted by its responsibilities:
  N_k = Σ_n r_nk, π_k = N_k / N, μ_k = Σ_n r_nk y_n / N_k, σ_k² = Σ_n r_nk (y_n - μ_k)² / N_k.

Every round lowers (never raises) the NLL. Diagonal Gaussians over D features; the maths runs in float64
and the parameters come back as float32 :class:`~mdn_lessons.MixtureParams` with one row (N = 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from . import _validate
from .mixture import MixtureParams, gaussian_log_prob


@dataclass
class EMResult:
    """What :func:`fit_em` returns: the fitted mixture and the NLL before each M-step."""

    params: MixtureParams
    """The fitted mixture: log_weights (1, K), means and scales (1, K, D)."""
    nll: list[float] = field(default_factory=list)
    """Mean NLL of the data (nats per sample) under the parameters at the start of each round."""


def _params(name: str, params, features: int) -> MixtureParams:
    """One mixture over ``features`` features: log_weights (1, K), means and scales (1, K, features).

    Only the shapes are checked, not the values (see :class:`~mdn_lessons.mixture.Mixture`): lesson 02 runs
    :func:`e_step` on a component whose σ has collapsed to exactly 0, to show the NaN that follows.
    """
    if not isinstance(params, MixtureParams):
        raise TypeError(f"{name} must be MixtureParams, got {type(params).__name__}")
    k = params.log_weights.shape[-1]
    if (
        tuple(params.log_weights.shape) != (1, k)
        or tuple(params.means.shape) != (1, k, features)
        or tuple(params.scales.shape) != (1, k, features)
    ):
        raise ValueError(
            f"{name} must describe one mixture over {features} feature(s): log_weights (1, K), means and scales "
            f"(1, K, {features}); got {tuple(params.log_weights.shape)}, {tuple(params.means.shape)}, "
            f"{tuple(params.scales.shape)}"
        )
    return params


def _joint_log_prob(params: MixtureParams, y: torch.Tensor) -> torch.Tensor:
    """log(π_k N(y_n; μ_k, σ_k²)) in float64, shape (N, K)."""
    log_weights, means, scales = (t.detach().double() for t in params)
    per_feature = gaussian_log_prob(means, scales, y.double().unsqueeze(1))  # (N, K, D)
    return log_weights + per_feature.sum(dim=-1)


def e_step(params: MixtureParams, y) -> tuple[torch.Tensor, float]:
    """Responsibilities r (N, K) of each component for each sample, and the mean NLL of y (a float).

    params: one mixture (log_weights (1, K), means and scales (1, K, D)); y: (N, D), a 1-D y is read as (N, 1).
    Rows of r sum to 1. Computed in log space, so a sample far from every component still gets finite values.
    """
    y = _validate.feature_matrix("y", y)
    params = _params("params", params, y.shape[1])
    joint = _joint_log_prob(params, y)
    log_total = torch.logsumexp(joint, dim=1, keepdim=True)
    return torch.exp(joint - log_total).float(), float(-log_total.mean())


def m_step(y, responsibilities, min_scale: float = 0.0) -> MixtureParams:
    """The mixture that maximises the likelihood of y when sample n belongs to component k with weight r_nk.

    y: (N, D) (1-D read as (N, 1)); responsibilities: (N, K), non-negative, each row summing to 1.
    min_scale: a floor for every σ (0 means none), the remedy for a component collapsing onto one sample.
    Returns MixtureParams with log_weights (1, K), means and scales (1, K, D).
    """
    y = _validate.feature_matrix("y", y)
    r = _validate.float_tensor("responsibilities", responsibilities)
    min_scale = _validate.positive_float("min_scale", min_scale, allow_zero=True)
    if r.ndim != 2:
        raise ValueError(f"responsibilities must have shape (N, K), got {tuple(r.shape)}")
    _validate.same_length("y", y, "responsibilities", r)
    if bool((r < 0).any()) or not bool(torch.allclose(r.sum(dim=1), torch.ones(len(r)), atol=1e-4)):
        raise ValueError("responsibilities must be >= 0 with every row summing to 1 (one distribution per sample)")
    y64, r64 = y.double(), r.double()
    n_k = r64.sum(dim=0)  # (K,): how many samples each component owns
    empty = torch.nonzero(n_k <= 0).flatten().tolist()
    if empty:
        raise ValueError(f"component(s) {empty} own no sample (all responsibilities 0): dead, EM cannot update them")
    means = (r64.T @ y64) / n_k[:, None]  # (K, D)
    # Σ r (y - μ)² directly, not E[y²] - μ²: the short form loses every digit once σ is tiny.
    variances = (r64[:, :, None] * (y64[:, None, :] - means) ** 2).sum(dim=0) / n_k[:, None]
    scales = variances.sqrt().clamp_min(min_scale)
    weights = n_k / n_k.sum()
    return MixtureParams(
        torch.log(weights).float().unsqueeze(0), means.float().unsqueeze(0), scales.float().unsqueeze(0)
    )


def initial_params(y, n_components: int, seed: int = 0) -> MixtureParams:
    """A sensible start: equal weights, the data's spread as every σ, and means at k-means++ picks of y.

    k-means++ picks the first mean at a random sample and each next one at a sample drawn with probability
    proportional to its squared distance from the means already picked, so the starts spread over the
    data's bumps instead of landing twice in the same one. Seeded (numpy). Shapes as in :func:`m_step`.
    """
    y = _validate.feature_matrix("y", y)
    k = _validate.positive_int("n_components", n_components)
    seed = _validate.positive_int("seed", seed, minimum=0)
    if k > len(y):
        raise ValueError(f"n_components must be at most the number of samples ({len(y)}), got {k}")
    data = y.double().numpy()
    rng = np.random.default_rng(seed)
    picks = [int(rng.integers(len(data)))]
    for _ in range(1, k):
        distance = ((data[:, None, :] - data[picks][None]) ** 2).sum(axis=2).min(axis=1)
        total = distance.sum()
        probabilities = distance / total if total > 0 else np.full(len(data), 1.0 / len(data))
        picks.append(int(rng.choice(len(data), p=probabilities)))
    means = torch.tensor(data[picks], dtype=torch.float32)
    spread = y.std(dim=0, unbiased=False).clamp_min(1e-6)
    return MixtureParams(torch.full((1, k), -float(np.log(k))), means.unsqueeze(0), spread.expand(1, k, -1).clone())


def fit_em(
    y,
    n_components: int | None = None,
    init: MixtureParams | None = None,
    steps: int = 100,
    seed: int = 0,
    min_scale: float = 1e-3,
    tol: float = 1e-6,
) -> EMResult:
    """Fit a Gaussian mixture to y (N, D) by EM, starting from ``init`` or from :func:`initial_params`.

    Give either n_components (start from k-means++ picks, seeded by ``seed``) or init (MixtureParams with
    one row). Runs at most ``steps`` rounds and stops early once the NLL improves by less than ``tol``.
    min_scale: floor for every σ in data units (0 allows a component to collapse onto one sample).
    """
    y = _validate.feature_matrix("y", y)
    steps = _validate.positive_int("steps", steps)
    tol = _validate.positive_float("tol", tol, allow_zero=True)
    if (n_components is None) == (init is None):
        raise ValueError("give exactly one of n_components (to start from k-means++ picks) or init (MixtureParams)")
    params = initial_params(y, n_components, seed) if init is None else _params("init", init, y.shape[1])
    result = EMResult(params)
    for _ in range(steps):
        responsibilities, nll = e_step(params, y)
        converged = bool(result.nll) and result.nll[-1] - nll < tol
        result.nll.append(nll)
        if converged:
            break
        params = m_step(y, responsibilities, min_scale)
        result.params = params
    return result
