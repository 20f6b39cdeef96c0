"""Mixtures of full-covariance Gaussians: components that may lean, not only stretch along the axes (lesson 09).

A diagonal Gaussian can only be wide or narrow along x and along y; a pen moving up and to the right is
uncertain mostly *along* its direction of travel, an ellipse that leans. Each component here carries a
whole covariance, given either

* for D = 2, as two scales σ_x, σ_y and a correlation ρ ∈ (-1, 1) (Graves 2013 gets ρ as the tanh of a raw
  output), i.e. Σ = [[σ_x², ρσ_xσ_y], [ρσ_xσ_y, σ_y²]]; or
* for any D, as a Cholesky factor ``scale_tril`` L (lower triangular, positive diagonal), Σ = L Lᵀ.

For D = 2 the two are the same: L = [[σ_x, 0], [ρσ_y, σ_y√(1 - ρ²)]]. The log-density is computed through
L (solve L w = y - μ, then log N = -|w|²/2 - Σ log diag L - D/2 log 2π), which stays accurate for ρ close
to ±1, where the textbook form z_x² + z_y² - 2ρ z_x z_y loses every digit to cancellation.

Shapes: any batch shape B (for example (N,) or (N, T)), K components, D features.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch.distributions import Categorical, MixtureSameFamily, MultivariateNormal

from . import _validate

LOG_2PI = math.log(2 * math.pi)


def bivariate_scale_tril(scales: torch.Tensor, correlations: torch.Tensor) -> torch.Tensor:
    """Cholesky factors of 2-D covariances from scales (..., 2) and correlations (...): shape (..., 2, 2).

    No checks: the internal building block. 1 - ρ² is computed as (1 - ρ)(1 + ρ), accurate near ±1.
    """
    sx, sy = scales[..., 0], scales[..., 1]
    zero = torch.zeros_like(sx)
    root = torch.sqrt((1 - correlations) * (1 + correlations))
    return torch.stack([torch.stack([sx, zero], -1), torch.stack([correlations * sy, sy * root], -1)], -2)


def bivariate_log_prob(
    means: torch.Tensor, scales: torch.Tensor, correlations: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """log N(y; μ, Σ(σ, ρ)) of 2-D Gaussians. No checks: the internal building block.

    means, scales: (..., 2); correlations: (...); y: (..., 2) (broadcast against the means). Returns (...).
    Written through the Cholesky factor: w_x = z_x, w_y = (z_y - ρ z_x) / √(1 - ρ²).
    """
    z = (y - means) / scales
    one_minus_rho_sq = (1 - correlations) * (1 + correlations)
    w_y = (z[..., 1] - correlations * z[..., 0]) / torch.sqrt(one_minus_rho_sq)
    return -0.5 * (z[..., 0] ** 2 + w_y**2) - torch.log(scales).sum(-1) - 0.5 * torch.log(one_minus_rho_sq) - LOG_2PI


def bivariate_mixture_log_prob(
    log_weights: torch.Tensor, means: torch.Tensor, scales: torch.Tensor, correlations: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """log p(y) under mixtures of correlated 2-D Gaussians. No checks: the internal building block.

    log_weights: (..., K) log-softmaxed; means, scales: (..., K, 2); correlations: (..., K); y: (..., 2).
    Returns (...).
    """
    per_component = bivariate_log_prob(means, scales, correlations, y.unsqueeze(-2))
    return torch.logsumexp(log_weights + per_component, dim=-1)


def tril_log_prob(means: torch.Tensor, scale_tril: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """log N(y; μ, L Lᵀ) for any D. No checks. means (..., D), scale_tril (..., D, D), y (..., D) -> (...)."""
    diff = y - means
    batch = torch.broadcast_shapes(diff.shape[:-1], scale_tril.shape[:-2])
    d = diff.shape[-1]
    w = torch.linalg.solve_triangular(
        scale_tril.expand(*batch, d, d), diff.expand(*batch, d).unsqueeze(-1), upper=False
    ).squeeze(-1)
    log_det = torch.log(torch.diagonal(scale_tril, dim1=-2, dim2=-1)).sum(-1)
    return -0.5 * (w**2).sum(-1) - log_det - 0.5 * d * LOG_2PI


class CorrelatedMixture(NamedTuple):
    """A batch of mixtures of K full-covariance Gaussians over D features.

    Build it with :func:`from_correlations` (D = 2: scales and ρ) or :func:`from_scale_tril` (any D),
    which check every argument; then ``log_prob(y)``, ``sample(...)`` or ``distribution()``.
    """

    log_weights: torch.Tensor
    """(*B, K) log mixture weights; exp sums to 1 over K."""
    means: torch.Tensor
    """(*B, K, D) component means."""
    scale_tril: torch.Tensor
    """(*B, K, D, D) lower-triangular Cholesky factors with a positive diagonal: Σ_k = L_k L_kᵀ."""

    @property
    def covariances(self) -> torch.Tensor:
        """(*B, K, D, D) the component covariances L Lᵀ."""
        return self.scale_tril @ self.scale_tril.transpose(-1, -2)

    def log_prob(self, y) -> torch.Tensor:
        """log p(y) for targets y of shape (*B, D) (or broadcastable to it): shape (*B,)."""
        y = _validate.float_tensor("y", y)
        d = self.means.shape[-1]
        if y.ndim < 1 or y.shape[-1] != d:
            raise ValueError(f"y must have D = {d} features in its last dimension, got shape {tuple(y.shape)}")
        per_component = tril_log_prob(self.means, self.scale_tril, y.unsqueeze(-2))
        return torch.logsumexp(self.log_weights + per_component, dim=-1)

    def distribution(self) -> MixtureSameFamily:
        """The same mixture as a torch distribution: batch_shape B, event_shape (D,)."""
        return MixtureSameFamily(
            Categorical(logits=self.log_weights), MultivariateNormal(self.means, scale_tril=self.scale_tril)
        )

    def sample(self, n_samples: int = 1, temperature: float = 1.0, generator=None) -> torch.Tensor:
        """Draw ``n_samples`` points from each mixture: shape (*B, n_samples, D).

        temperature T > 0, as in Sketch-RNN: the weights become π_k^(1/T) renormalised and every
        covariance T·Σ_k (every Cholesky factor √T·L_k; a correlation ρ is unchanged). T = 1 samples the
        mixture itself; T < 1 favours the heavy components and tightens them, T > 1 does the opposite.
        generator: an optional ``torch.Generator`` for repeatable draws.
        """
        n_samples = _validate.positive_int("n_samples", n_samples)
        temperature = _validate.positive_float("temperature", temperature)
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
        batch, (k, d) = self.log_weights.shape[:-1], self.means.shape[-2:]
        with torch.no_grad():
            probabilities = torch.softmax(self.log_weights.reshape(-1, k) / temperature, dim=-1)
            chosen = torch.multinomial(probabilities, n_samples, replacement=True, generator=generator)  # (M, S)
            rows = torch.arange(len(chosen)).unsqueeze(1)
            means = self.means.reshape(-1, k, d)[rows, chosen]  # (M, S, D)
            tril = self.scale_tril.reshape(-1, k, d, d)[rows, chosen]  # (M, S, D, D)
            noise = torch.randn(*chosen.shape, d, 1, generator=generator)
            draws = means + math.sqrt(temperature) * (tril @ noise).squeeze(-1)
        return draws.reshape(*batch, n_samples, d)


def _check_log_weights(log_weights) -> torch.Tensor:
    log_weights = _validate.float_tensor("log_weights", log_weights)
    if log_weights.ndim < 1 or log_weights.shape[-1] < 1:
        raise ValueError(f"log_weights must have shape (*B, K) with K >= 1, got {tuple(log_weights.shape)}")
    total = torch.logsumexp(log_weights, dim=-1)
    if not bool(torch.allclose(total, torch.zeros_like(total), atol=1e-4)):
        raise ValueError(
            "log_weights must be log-probabilities whose exp sums to 1 over K (apply torch.log_softmax to raw "
            f"logits); logsumexp over K ranges from {float(total.min()):.3g} to {float(total.max()):.3g}"
        )
    return log_weights


def _check_shape(name: str, tensor: torch.Tensor, shape: tuple[int, ...], expected: str) -> None:
    if tuple(tensor.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {expected} = {tuple(shape)}, got {tuple(tensor.shape)}")


def from_correlations(log_weights, means, scales, correlations) -> CorrelatedMixture:
    """A mixture of correlated 2-D Gaussians from weights, means, scales and correlations.

    log_weights: (*B, K) log-probabilities; means, scales: (*B, K, 2), scales > 0; correlations: (*B, K),
    each strictly inside (-1, 1) (a network gets them as ``torch.tanh(raw)``; ±1 would be a degenerate,
    flat ellipse with no density).
    """
    log_weights = _check_log_weights(log_weights)
    means = _validate.float_tensor("means", means)
    scales = _validate.float_tensor("scales", scales)
    correlations = _validate.float_tensor("correlations", correlations)
    batch_k = tuple(log_weights.shape)
    _check_shape("means", means, (*batch_k, 2), "(*B, K, 2)")
    _check_shape("scales", scales, (*batch_k, 2), "(*B, K, 2)")
    _check_shape("correlations", correlations, batch_k, "(*B, K)")
    if scales.numel() and not bool((scales > 0).all()):
        raise ValueError(f"scales must all be > 0 (standard deviations), got minimum {float(scales.min()):.3g}")
    if correlations.numel() and not bool((correlations.abs() < 1).all()):
        worst = float(correlations.abs().max())
        raise ValueError(
            f"correlations must lie strictly between -1 and 1, got |ρ| = {worst:.6g}; use torch.tanh of a raw "
            "output, or pull the value inside the interval"
        )
    return CorrelatedMixture(log_weights, means, bivariate_scale_tril(scales, correlations))


def from_scale_tril(log_weights, means, scale_tril) -> CorrelatedMixture:
    """A mixture of full-covariance Gaussians over any D from Cholesky factors.

    log_weights: (*B, K); means: (*B, K, D); scale_tril: (*B, K, D, D), lower triangular (zeros above the
    diagonal) with a diagonal > 0, which makes Σ = L Lᵀ positive definite.
    """
    log_weights = _check_log_weights(log_weights)
    means = _validate.float_tensor("means", means)
    scale_tril = _validate.float_tensor("scale_tril", scale_tril)
    if means.ndim < 2 or means.shape[-1] < 1:
        raise ValueError(f"means must have shape (*B, K, D) with D >= 1, got {tuple(means.shape)}")
    d = means.shape[-1]
    _check_shape("means", means, (*log_weights.shape, d), "(*B, K, D)")
    _check_shape("scale_tril", scale_tril, (*log_weights.shape, d, d), "(*B, K, D, D)")
    if scale_tril.numel():
        above = torch.triu(scale_tril, diagonal=1)
        if bool((above != 0).any()):
            raise ValueError(
                "scale_tril must be lower triangular (a Cholesky factor): it has non-zero entries above the "
                f"diagonal, up to {float(above.abs().max()):.3g}"
            )
        diagonal = torch.diagonal(scale_tril, dim1=-2, dim2=-1)
        if not bool((diagonal > 0).all()):
            raise ValueError(
                "scale_tril must have a diagonal > 0, or L Lᵀ is not positive definite; got a diagonal entry of "
                f"{float(diagonal.min()):.3g}"
            )
    return CorrelatedMixture(log_weights, means, scale_tril)


def from_covariances(log_weights, means, covariances) -> CorrelatedMixture:
    """A mixture from covariance matrices (*B, K, D, D), which must be symmetric positive definite."""
    covariances = _validate.float_tensor("covariances", covariances)
    if covariances.ndim < 3 or covariances.shape[-1] != covariances.shape[-2]:
        raise ValueError(f"covariances must have shape (*B, K, D, D), got {tuple(covariances.shape)}")
    if not bool(torch.allclose(covariances, covariances.transpose(-1, -2), atol=1e-6, rtol=1e-5)):
        raise ValueError("covariances must be symmetric matrices")
    factor, info = torch.linalg.cholesky_ex(covariances.double())
    if bool((info != 0).any()):
        raise ValueError(
            f"covariances must be positive definite; {int((info != 0).sum())} of them are not (a variance <= 0, "
            "or a correlation of ±1 or beyond)"
        )
    return from_scale_tril(log_weights, means, factor.float())


__all__ = [
    "CorrelatedMixture",
    "bivariate_log_prob",
    "bivariate_mixture_log_prob",
    "bivariate_scale_tril",
    "from_correlations",
    "from_covariances",
    "from_scale_tril",
    "tril_log_prob",
]
