"""Negative log-likelihoods, written out so a student can read every step.

Both agree with ``torch.distributions`` but are kept by hand on purpose: the mixture NLL is the heart of
an MDN, and the one line that matters is the ``logsumexp``. Computing ``log(sum(weights * exp(log_p)))``
directly underflows to ``log(0) = -inf`` as soon as a target is a few dozen standard deviations from every
component; ``logsumexp`` subtracts the largest term first and never does.
"""

from __future__ import annotations

import math

import torch

from . import _validate

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def gaussian_log_prob(mean: torch.Tensor, scale: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Elementwise log N(y; mean, scale²). No checks: the internal building block."""
    z = (y - mean) / scale
    return -0.5 * z * z - torch.log(scale) - LOG_SQRT_2PI


def mixture_log_prob(
    log_weights: torch.Tensor, means: torch.Tensor, scales: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """log p(y) under a mixture of diagonal Gaussians, shape (N,). No checks: the internal building block.

    log_weights: (N, K), already log-softmaxed; means, scales: (N, K, D); y: (N, D).
    """
    per_component = gaussian_log_prob(means, scales, y.unsqueeze(1)).sum(dim=-1)  # (N, K): log N(y; μ_k, σ_k)
    return torch.logsumexp(log_weights + per_component, dim=1)


def _check_matching(name: str, tensor: torch.Tensor, shape: tuple[int, ...], expected: str) -> None:
    if tuple(tensor.shape) != shape:
        raise ValueError(f"{name} must have shape {expected} = {shape}, got {tuple(tensor.shape)}")


def _check_scales(scales: torch.Tensor) -> None:
    if scales.numel() and not bool((scales > 0).all()):
        raise ValueError(f"scales must all be > 0 (standard deviations), got minimum {float(scales.min()):.3g}")


def _finite(name: str, tensor) -> torch.Tensor:
    """Float32 check that keeps the autograd graph of a tensor that is already float32."""
    if isinstance(tensor, torch.Tensor) and tensor.dtype == torch.float32:
        if tensor.numel() and not bool(torch.isfinite(tensor).all()):
            raise ValueError(f"{name} contains NaN or inf; every value must be finite")
        return tensor
    return _validate.float_tensor(name, tensor)


def gaussian_nll(mean, scale, y) -> torch.Tensor:
    """Mean negative log-likelihood of targets y under N(mean, scale²), a scalar tensor.

    Shapes: y is (N,) or (N, D); mean and scale are the same shape as y or broadcast to it (e.g. a
    scalar). With D > 1 the features are independent: per-sample NLLs are summed over D, then averaged
    over N.
    """
    y = _finite("y", y)
    mean = _finite("mean", mean)
    scale = _finite("scale", scale)
    if y.ndim not in (1, 2) or y.shape[0] < 1:
        raise ValueError(f"y must have shape (N,) or (N, D) with N >= 1, got {tuple(y.shape)}")
    for name, tensor in (("mean", mean), ("scale", scale)):
        try:
            shape = torch.broadcast_shapes(tensor.shape, y.shape)
        except RuntimeError:
            shape = None
        if shape != y.shape:
            raise ValueError(
                f"{name} must have the shape of y {tuple(y.shape)} or broadcast to it, got {tuple(tensor.shape)}"
            )
    if scale.numel() and not bool((scale > 0).all()):
        raise ValueError(f"scale must be > 0 (a standard deviation), got minimum {float(scale.min()):.3g}")
    log_p = gaussian_log_prob(mean, scale, y)
    if log_p.ndim == 2:
        log_p = log_p.sum(dim=1)
    return -log_p.mean()


def mixture_nll(log_weights, means, scales, y) -> torch.Tensor:
    """Mean negative log-likelihood of y under a mixture of K diagonal Gaussians, a scalar tensor.

    NLL_n = -log Σ_k π_nk N(y_n; μ_nk, diag σ_nk²), computed as -logsumexp_k(log π_nk + log N(...)).

    log_weights: (N, K), log mixture weights (use ``torch.log_softmax`` on raw logits);
    means, scales: (N, K, D), scales > 0; y: (N, D) (a 1-D y of length N is read as (N, 1)).
    """
    log_weights = _finite("log_weights", log_weights)
    means = _finite("means", means)
    scales = _finite("scales", scales)
    y = _finite("y", y)
    if y.ndim == 1:
        y = y.unsqueeze(1)
    if y.ndim != 2 or y.shape[0] < 1:
        raise ValueError(f"y must have shape (N, D) with N >= 1, got {tuple(y.shape)}")
    if log_weights.ndim != 2:
        raise ValueError(f"log_weights must have shape (N, K), got {tuple(log_weights.shape)}")
    n, k = log_weights.shape
    d = y.shape[1]
    _check_matching("log_weights", log_weights, (y.shape[0], k), "(N, K) with N = len(y)")
    _check_matching("means", means, (n, k, d), "(N, K, D)")
    _check_matching("scales", scales, (n, k, d), "(N, K, D)")
    _check_scales(scales)
    total = torch.logsumexp(log_weights.detach(), dim=1)
    if not bool(torch.allclose(total, torch.zeros_like(total), atol=1e-4)):
        raise ValueError(
            "log_weights must be log-probabilities whose exp sums to 1 over K (apply torch.log_softmax "
            f"to raw logits); logsumexp over K ranges from {float(total.min()):.3g} to {float(total.max()):.3g}"
        )
    return -mixture_log_prob(log_weights, means, scales, y).mean()
