"""From a fitted mixture to predictions, and to a verdict on how good the mixture is.

An MDN returns a whole conditional density p(y | x) as :class:`~mdn_lessons.mixture.MixtureParams`
(log_weights (N, K), means (N, K, D), scales (N, K, D)). An application usually wants something
smaller, and each function here gives one such thing (each is a method of
:class:`~mdn_lessons.mixture.Mixture`, called on the checked parameters):

* draws: :func:`sample` (with a temperature),
* one point: :func:`most_probable_component_mean`, :func:`mixture_mode` (a proper mode search) and
  :func:`mixture_mean` (the squared-error answer), with :func:`mixture_variance` for the spread,
* for one-dimensional targets (D = 1): :func:`mixture_cdf`, :func:`mixture_quantile` and
  :func:`central_interval`.

Judging a fitted mixture on held-out data (D = 1): ``mixture_cdf(params, y)`` evaluated at the true
targets gives the probability-integral-transform (PIT) values, which are uniform on [0, 1] when the
model is calibrated; :func:`ks_distance_to_uniform` measures how far they are from uniform, and
:func:`coverage` says how often the truth falls inside the central intervals.

Every function works without gradients and returns float32 tensors (or plain floats for summaries).
"""

from __future__ import annotations

from numbers import Real

import torch

from . import _validate
from .mixture import Mixture, MixtureParams, probability


def _checked(params) -> Mixture:
    """``params`` as a detached float32 :class:`Mixture` with consistent shapes, finite values, positive scales."""
    if not isinstance(params, MixtureParams):
        raise TypeError(
            f"params must be a MixtureParams (what an MDN returns, e.g. params = mdn(x)), got {type(params).__name__}"
        )
    parts = (
        _validate.float_tensor(f"params.{name}", value.detach() if isinstance(value, torch.Tensor) else value)
        for name, value in zip(params._fields, params, strict=True)
    )
    mixture = Mixture(*parts, name="params")
    if mixture.log_weights.ndim != 2:
        raise ValueError(
            f"params.log_weights must have shape (N, K) with N, K >= 1, got {tuple(mixture.log_weights.shape)}"
        )
    return mixture


def _one_dimensional(params) -> Mixture:
    mixture = _checked(params)
    if mixture.features != 1:
        raise ValueError(f"params must describe one-dimensional targets (D = 1) here, got D = {mixture.features}")
    return mixture


def _targets(name: str, y, n: int, *, allow_infinite: bool = False) -> torch.Tensor:
    """One-dimensional targets as a float64 column (N,), N matching the mixture; ±inf allowed on request."""
    tensor = _validate.float_tensor(name, y, finite=not allow_infinite)
    if tensor.numel() and bool(torch.isnan(tensor).any()):
        raise ValueError(f"{name} contains NaN; every value must be a number")
    if tensor.ndim == 2 and tensor.shape[1] == 1:
        tensor = tensor[:, 0]
    if tensor.ndim != 1:
        raise ValueError(f"{name} must have shape (N, 1) or (N,), got {tuple(tensor.shape)}")
    if len(tensor) != n:
        raise ValueError(f"{name} must hold one target per mixture, N = {n}, got {len(tensor)}")
    return tensor.double()


def sample(params: MixtureParams, n_samples: int = 1, temperature: float = 1.0, generator=None) -> torch.Tensor:
    """Draw ``n_samples`` targets from each mixture: shape (N, n_samples, D). See :meth:`Mixture.sample`.

    temperature T > 0: the weights become π_k^(1/T) renormalised and every scale σ_k·√T (T < 1 favours the
    heavier components; T → 0 tends to :func:`most_probable_component_mean`). generator: an optional
    ``torch.Generator`` for repeatable draws.
    """
    return _checked(params).sample(n_samples, temperature, generator)


def most_probable_component_mean(params: MixtureParams) -> torch.Tensor:
    """The mean of the heaviest component of each mixture, shape (N, D): a cheap stand-in for the mode."""
    return _checked(params).most_probable_component_mean()


def mixture_mean(params: MixtureParams) -> torch.Tensor:
    """E[y] = Σ_k π_k μ_k for each mixture, shape (N, D): the answer that minimises squared error."""
    return _checked(params).mean()


def mixture_variance(params: MixtureParams) -> torch.Tensor:
    """Var[y] per feature for each mixture, shape (N, D): Σ_k π_k σ_k² + Σ_k π_k (μ_k − E[y])²."""
    return _checked(params).variance()


def mixture_mode(params: MixtureParams, iterations: int = 100) -> torch.Tensor:
    """The highest point of each mixture's density, shape (N, D), by a mode search (see :meth:`Mixture.mode`)."""
    return _checked(params).mode(iterations)


def mixture_cdf(params: MixtureParams, y) -> torch.Tensor:
    """P(Y ≤ y) under each one-dimensional mixture, F(y) = Σ_k π_k Φ((y − μ_k)/σ_k): shape (N,).

    y: one value per mixture, shape (N, 1) or (N,); ±inf are allowed (F = 0 and 1). Evaluated at the true
    held-out targets, these are the probability-integral-transform (PIT) values of the model.
    """
    mixture = _one_dimensional(params)
    y = _targets("y", y, len(mixture.log_weights), allow_infinite=True)
    return mixture.cdf64(y).float()


def mixture_quantile(params: MixtureParams, probability: float) -> torch.Tensor:
    """The value q with F(q) = probability for each one-dimensional mixture, shape (N,), by bisection."""
    return _one_dimensional(params).quantile(probability)


def central_interval(params: MixtureParams, level: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The central interval holding probability ``level`` of each one-dimensional mixture: (lower, upper), each (N,).

    lower and upper are the (1 − level)/2 and (1 + level)/2 quantiles, e.g. the 5% and 95% quantiles for
    level = 0.9. For a multimodal mixture this interval can span empty gaps between branches: it has the
    promised coverage, but it is not the shortest region that does.
    """
    level = probability("level", level)
    return mixture_quantile(params, (1 - level) / 2), mixture_quantile(params, (1 + level) / 2)


def ks_distance_to_uniform(u) -> float:
    """The Kolmogorov–Smirnov distance between the empirical distribution of ``u`` and Uniform(0, 1).

    u: values in [0, 1], any shape (e.g. PIT values, (N,)). The largest gap between the empirical CDF and
    the diagonal; for N values truly drawn uniformly it is about 0.87/√N on average and rarely above
    1.36/√N (the 5% critical value).
    """
    u = _validate.float_tensor("u", u).reshape(-1).double()
    if u.numel() < 1:
        raise ValueError("u must hold at least one value")
    if bool(((u < 0) | (u > 1)).any()):
        raise ValueError(
            f"u must lie in [0, 1] (PIT values), got values from {float(u.min()):.3g} to {float(u.max()):.3g}"
        )
    u = u.sort().values
    n = u.numel()
    rank = torch.arange(1, n + 1, dtype=torch.float64)
    return float(torch.maximum(rank / n - u, u - (rank - 1) / n).max())


def coverage(params: MixtureParams, y, levels=(0.5, 0.9)) -> dict[float, float]:
    """How often the true target falls inside each central interval: ``{level: observed fraction}``.

    params: N one-dimensional mixtures; y: the N true targets, (N, 1) or (N,); levels: numbers in (0, 1).
    A calibrated model gives fractions close to the levels. y lies inside the central ``level`` interval
    exactly when its PIT value F(y) lies in [(1 − level)/2, (1 + level)/2], which is how it is counted.
    """
    mixture = _one_dimensional(params)
    if isinstance(levels, Real):
        levels = (levels,)
    if not isinstance(levels, (tuple, list)) or not levels:
        raise TypeError(f"levels must be a non-empty tuple or list of numbers in (0, 1), got {levels!r}")
    levels = [probability(f"levels[{i}]", level) for i, level in enumerate(levels)]
    y = _targets("y", y, len(mixture.log_weights))
    u = mixture.cdf64(y)
    return {level: float(((u >= (1 - level) / 2) & (u <= (1 + level) / 2)).double().mean()) for level in levels}
