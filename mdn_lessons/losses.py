"""Negative log-likelihoods, the losses the course's models train on.

Both agree with ``torch.distributions``. The densities they average are written out by hand once, in
:mod:`mdn_lessons.mixture` (:func:`gaussian_log_prob`, :func:`mixture_log_prob`, imported here so
``ml.losses.mixture_log_prob`` reads as before); the mixture NLL is the heart of an MDN, and the one line that
matters there is the ``logsumexp``.
"""

from __future__ import annotations

import torch

from . import _validate
from .mixture import LOG_SQRT_2PI, Mixture, gaussian_log_prob, mixture_log_prob


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
    for name, tensor, shape, expected in (
        ("log_weights", log_weights, (y.shape[0], k), "(N, K) with N = len(y)"),
        ("means", means, (n, k, d), "(N, K, D)"),
        ("scales", scales, (n, k, d), "(N, K, D)"),
    ):
        if tuple(tensor.shape) != shape:
            raise ValueError(f"{name} must have shape {expected} = {shape}, got {tuple(tensor.shape)}")
    mixture = Mixture(log_weights, means, scales)  # positive scales, weights that sum to 1
    return -mixture_log_prob(mixture.log_weights, mixture.means, mixture.scales, y).mean()


__all__ = ["LOG_SQRT_2PI", "gaussian_log_prob", "gaussian_nll", "mixture_log_prob", "mixture_nll"]
