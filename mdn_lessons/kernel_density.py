"""Kernel conditional density estimation: p(y | x) from the training pairs themselves, no fitting at all.

Put a Gaussian kernel on every training pair (x_i, y_i). For a query x, training pair i gets the weight
w_i(x) ∝ exp(−‖x − x_i‖² / 2h_x²) (how close its input is), and the estimate is the mixture

    p(y | x) = Σ_i w_i(x) N(y; y_i, h_y²),

one component per training pair. Two numbers decide everything: the input bandwidth h_x (how far to look
for neighbours) and the output bandwidth h_y (how much to blur each neighbour's y). Both are measured in
standard deviations of the training data (every input feature and y standardised), and chosen by the
held-out NLL on a validation split (:func:`choose_bandwidths`).

The result is an ordinary :class:`~mdn_lessons.MixtureParams` with K = number of training pairs, so every
tool of :mod:`mdn_lessons.answers` works on it. Shapes: N queries, M training pairs, F input features.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from . import _validate
from .mixture import MixtureParams, gaussian_log_prob, mixture_log_prob


@dataclass
class KernelConditionalDensity:
    """The training pairs and the two bandwidths: everything a kernel estimate needs.

    Build it with :func:`kernel_conditional_density`; evaluate it with :func:`kernel_params`.
    """

    x: torch.Tensor
    """(M, F) training inputs."""
    y: torch.Tensor
    """(M, 1) training targets."""
    bandwidth_x: float
    """h_x, in standard deviations of each input feature."""
    bandwidth_y: float
    """h_y, in standard deviations of y."""


def kernel_conditional_density(x, y, bandwidth_x: float, bandwidth_y: float) -> KernelConditionalDensity:
    """Keep the training pairs x (M, F), y (M, 1) and the bandwidths (> 0, in standard deviations)."""
    x = _validate.feature_matrix("x", x)
    y = _validate.feature_matrix("y", y, features=1)
    _validate.same_length("x", x, "y", y)
    return KernelConditionalDensity(
        x.clone(),
        y.clone(),
        _validate.positive_float("bandwidth_x", bandwidth_x),
        _validate.positive_float("bandwidth_y", bandwidth_y),
    )


def _check_model(model) -> KernelConditionalDensity:
    if not isinstance(model, KernelConditionalDensity):
        raise TypeError(
            f"model must be a KernelConditionalDensity (from kernel_conditional_density), got {type(model).__name__}"
        )
    return model


def _input_spread(model: KernelConditionalDensity) -> torch.Tensor:
    return model.x.std(dim=0, unbiased=False).clamp_min(1e-12)


def _output_scale(model: KernelConditionalDensity) -> float:
    return model.bandwidth_y * float(model.y.std(unbiased=False).clamp_min(1e-12))


def _log_weights(squared_distances: torch.Tensor, bandwidth_x: float) -> torch.Tensor:
    """log w_i(x) from squared standardised input distances (N, M): a log-softmax over the M training pairs."""
    return torch.log_softmax(-0.5 * squared_distances / bandwidth_x**2, dim=1)


@torch.no_grad()
def kernel_params(model: KernelConditionalDensity, x, trim: float | None = None) -> MixtureParams:
    """The estimate p(y | x) for each query x (N, F): MixtureParams with log_weights (N, M), means and
    scales (N, M, 1), one component per training pair.

    trim: None (exact) or a share in (0, 0.5): keep only the K' heaviest components of every query, with K' the
        smallest number whose kept weights sum to at least 1 − trim in every row, and renormalise. A picture over
        a fine grid of y (plots, with a (grid, N, K) tensor inside) then costs M / K' times less, and no density
        moves by more than a share ``trim`` of itself; keep the exact estimate for NLLs.
    """
    model = _check_model(model)
    x = _validate.feature_matrix("x", x, features=model.x.shape[1])
    if trim is not None:
        trim = _validate.positive_float("trim", trim)
        if trim >= 0.5:
            raise ValueError(f"trim must be a share between 0 and 0.5 (for example 1e-4), got {trim}")
    spread = _input_spread(model)
    squared = torch.cdist(x / spread, model.x / spread).pow(2)  # (N, M)
    log_weights = _log_weights(squared, model.bandwidth_x)
    means = model.y.T.expand(len(x), -1).unsqueeze(-1)  # (N, M, 1)
    if trim is not None:
        sorted_log_weights, order = log_weights.sort(dim=1, descending=True)
        kept_mass = sorted_log_weights.exp().cumsum(dim=1)  # (N, M)
        needed = int((kept_mass < 1 - trim).sum(dim=1).max()) + 1  # the heaviest `needed` reach 1 − trim in every row
        keep = order[:, : min(needed, log_weights.shape[1])]
        log_weights = torch.log_softmax(log_weights.gather(1, keep), dim=1)
        means = model.y[keep]  # (N, K', 1)
    return MixtureParams(log_weights, means.clone(), torch.full_like(means, _output_scale(model)))


def kernel_log_prob(model: KernelConditionalDensity, x, y) -> torch.Tensor:
    """log p(y | x) under the kernel estimate, shape (N,): x (N, F), y (N, 1)."""
    params = kernel_params(model, x)
    y = _validate.feature_matrix("y", y, features=1)
    _validate.same_length("x", params.log_weights, "y", y)
    return mixture_log_prob(*params, y)


def _candidates(name: str, values) -> list[float]:
    if not isinstance(values, (tuple, list)) or not values:
        raise TypeError(f"{name} must be a non-empty tuple or list of bandwidths > 0, got {values!r}")
    return [_validate.positive_float(f"{name}[{i}]", value) for i, value in enumerate(values)]


@dataclass
class BandwidthChoice:
    """What :func:`choose_bandwidths` found: the best pair and the validation NLL of every pair tried."""

    bandwidth_x: float
    bandwidth_y: float
    validation_nll: dict[tuple[float, float], float]
    """{(h_x, h_y): mean NLL of the validation split in nats}."""


def choose_bandwidths(
    x,
    y,
    candidates_x=(0.02, 0.05, 0.1, 0.2, 0.4, 0.8),
    candidates_y=(0.01, 0.02, 0.05, 0.1, 0.2, 0.4),
    validation_fraction: float = 0.25,
    seed: int = 0,
) -> BandwidthChoice:
    """Choose (h_x, h_y) by the held-out NLL: keep a random ``validation_fraction`` of the pairs aside,
    build the estimate from the rest for every pair of candidates, and pick the lowest validation NLL.

    x: (M, F), y: (M, 1). Too small a bandwidth copies the noise of the training pairs (and gives the
    validation points almost no density); too large blurs the branches together.
    """
    x = _validate.feature_matrix("x", x)
    y = _validate.feature_matrix("y", y, features=1)
    _validate.same_length("x", x, "y", y)
    candidates_x = _candidates("candidates_x", candidates_x)
    candidates_y = _candidates("candidates_y", candidates_y)
    validation_fraction = _validate.positive_float("validation_fraction", validation_fraction)
    if validation_fraction >= 1:
        raise ValueError(f"validation_fraction must be between 0 and 1, got {validation_fraction}")
    seed = _validate.positive_int("seed", seed, minimum=0)
    n_valid = max(1, int(round(validation_fraction * len(x))))
    if n_valid >= len(x):
        raise ValueError(f"x holds {len(x)} samples: too few to keep {n_valid} aside for validation")
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    valid, train = order[:n_valid], order[n_valid:]
    # The same sums as kernel_log_prob for every pair, with the distances computed once, each h_x's weights
    # once and each h_y's Gaussian terms once: (len(x) + len(y) candidates) matrices instead of their product.
    reference = kernel_conditional_density(x[train], y[train], candidates_x[0], candidates_y[0])
    spread = _input_spread(reference)
    with torch.no_grad():
        squared = torch.cdist(x[valid] / spread, x[train] / spread).pow(2)  # (V, M)
        log_weights = {h_x: _log_weights(squared, h_x) for h_x in candidates_x}
        y_spread = float(y[train].std(unbiased=False).clamp_min(1e-12))
        scores = {}
        for h_y in candidates_y:
            scale = torch.tensor(h_y * y_spread)
            log_normal = gaussian_log_prob(y[train].T, scale, y[valid])  # (V, M): log N(y_v; y_i, (h_y·s_y)²)
            for h_x in candidates_x:
                scores[(h_x, h_y)] = float(-torch.logsumexp(log_weights[h_x] + log_normal, dim=1).mean())
    scores = {(h_x, h_y): scores[(h_x, h_y)] for h_x in candidates_x for h_y in candidates_y}
    best = min(scores, key=lambda pair: (scores[pair], pair))
    if not math.isfinite(scores[best]):
        raise ValueError("every bandwidth pair gave an infinite validation NLL; try larger candidates")
    return BandwidthChoice(best[0], best[1], scores)
