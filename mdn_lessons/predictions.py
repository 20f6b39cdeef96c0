"""From a fitted mixture to answers, and to a verdict on how good the mixture is.

An MDN returns a whole conditional density p(y | x) as :class:`~mdn_lessons.models.MixtureParams`
(log_weights (N, K), means (N, K, D), scales (N, K, D)). An application usually wants something
smaller, and each function here gives one such thing:

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

import math
from numbers import Real

import torch

from . import _validate
from .models import MixtureParams

_BISECTION_STEPS = 60
"""Halvings of the bracket in :func:`mixture_quantile`: 2^-60 of its width is far below float32 precision."""


def _checked(params) -> MixtureParams:
    """``params`` as a detached MixtureParams with consistent shapes, finite values and positive scales."""
    if not isinstance(params, MixtureParams):
        raise TypeError(
            f"params must be a MixtureParams (what an MDN returns, e.g. params = mdn(x)), got {type(params).__name__}"
        )
    log_weights, means, scales = (
        _validate.float_tensor(f"params.{name}", value.detach() if isinstance(value, torch.Tensor) else value)
        for name, value in zip(params._fields, params, strict=True)
    )
    if log_weights.ndim != 2 or log_weights.shape[0] < 1 or log_weights.shape[1] < 1:
        raise ValueError(f"params.log_weights must have shape (N, K) with N, K >= 1, got {tuple(log_weights.shape)}")
    n, k = log_weights.shape
    if means.ndim != 3 or tuple(means.shape[:2]) != (n, k) or means.shape[2] < 1:
        raise ValueError(f"params.means must have shape (N, K, D) = ({n}, {k}, D), got {tuple(means.shape)}")
    if tuple(scales.shape) != tuple(means.shape):
        raise ValueError(
            f"params.scales must have the shape of params.means {tuple(means.shape)}, got {tuple(scales.shape)}"
        )
    if not bool((scales > 0).all()):
        raise ValueError(f"params.scales must all be > 0 (standard deviations), got minimum {float(scales.min()):.3g}")
    total = torch.logsumexp(log_weights, dim=1)
    if not bool(torch.allclose(total, torch.zeros_like(total), atol=1e-4)):
        raise ValueError(
            "params.log_weights must be log-probabilities whose exp sums to 1 over K (use torch.log_softmax); "
            f"logsumexp over K ranges from {float(total.min()):.3g} to {float(total.max()):.3g}"
        )
    return MixtureParams(log_weights, means, scales)


def _one_dimensional(params: MixtureParams) -> None:
    if params.means.shape[2] != 1:
        raise ValueError(f"params must describe one-dimensional targets (D = 1) here, got D = {params.means.shape[2]}")


def _probability(name: str, value) -> float:
    """A number strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number strictly between 0 and 1, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")
    return value


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


@torch.no_grad()
def sample(params: MixtureParams, n_samples: int = 1, temperature: float = 1.0, generator=None) -> torch.Tensor:
    """Draw ``n_samples`` targets from each mixture: shape (N, n_samples, D).

    temperature T > 0 reshapes the mixture before drawing: the weights become π_k^(1/T) renormalised, and
    every scale becomes σ_k·√T. T = 1 samples the model itself; T < 1 favours the heavier components and
    tightens each one (as T → 0 every draw tends to :func:`most_probable_component_mean`); T > 1 evens the
    weights out and widens the components.

    generator: an optional ``torch.Generator`` for repeatable draws (the global torch seed otherwise).
    """
    params = _checked(params)
    n_samples = _validate.positive_int("n_samples", n_samples)
    temperature = _validate.positive_float("temperature", temperature)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    log_weights, means, scales = params
    n, _, d = means.shape
    probabilities = torch.softmax(log_weights / temperature, dim=1)
    chosen = torch.multinomial(probabilities, n_samples, replacement=True, generator=generator)  # (N, S)
    index = chosen.unsqueeze(-1).expand(n, n_samples, d)
    noise = torch.randn(n, n_samples, d, generator=generator)
    return means.gather(1, index) + scales.gather(1, index) * math.sqrt(temperature) * noise


@torch.no_grad()
def most_probable_component_mean(params: MixtureParams) -> torch.Tensor:
    """The mean of the heaviest component of each mixture, shape (N, D): a cheap stand-in for the mode."""
    params = _checked(params)
    best = params.log_weights.argmax(dim=1)
    return params.means[torch.arange(len(best)), best]


@torch.no_grad()
def mixture_mean(params: MixtureParams) -> torch.Tensor:
    """E[y] = Σ_k π_k μ_k for each mixture, shape (N, D): the answer that minimises squared error."""
    params = _checked(params)
    weights = params.log_weights.exp().unsqueeze(-1)
    return (weights * params.means).sum(dim=1)


@torch.no_grad()
def mixture_variance(params: MixtureParams) -> torch.Tensor:
    """Var[y] per feature for each mixture, shape (N, D).

    The law of total variance: the average spread inside the components, Σ_k π_k σ_k², plus the spread of
    the component means around the mixture mean, Σ_k π_k (μ_k − E[y])².
    """
    params = _checked(params)
    weights = params.log_weights.exp().unsqueeze(-1)
    mean = (weights * params.means).sum(dim=1, keepdim=True)
    return (weights * (params.scales**2 + (params.means - mean) ** 2)).sum(dim=1)


def _log_density(params: MixtureParams, y: torch.Tensor) -> torch.Tensor:
    """log p(y) for y of shape (N, S, D) under each row's mixture: (N, S)."""
    z = (y.unsqueeze(2) - params.means.unsqueeze(1)) / params.scales.unsqueeze(1)  # (N, S, K, D)
    log_components = (-0.5 * z**2 - torch.log(params.scales.unsqueeze(1)) - 0.5 * math.log(2 * math.pi)).sum(-1)
    return torch.logsumexp(params.log_weights.unsqueeze(1) + log_components, dim=2)


@torch.no_grad()
def mixture_mode(params: MixtureParams, iterations: int = 100) -> torch.Tensor:
    """The highest point of each mixture's density, shape (N, D), found by a mode search.

    A Gaussian mixture's modes lie near its component means, but not exactly on them when components
    overlap. Starting from every component mean, each start climbs the density with the fixed-point
    iteration y ← Σ_k r_k(y) μ_k/σ_k² / Σ_k r_k(y)/σ_k² (per feature), where r_k(y) is component k's share
    of the density at y; this never goes downhill. The start that ends highest wins.

    iterations: fixed-point steps per start (the climb usually settles within a few dozen).
    """
    params = _checked(params)
    iterations = _validate.positive_int("iterations", iterations)
    p64 = MixtureParams(*(t.double() for t in params))
    log_weights, means, scales = p64
    precisions = scales.pow(-2).unsqueeze(1)  # (N, 1, K, D)
    y = means.clone()  # (N, S = K starts, D)
    for _ in range(iterations):
        z = (y.unsqueeze(2) - means.unsqueeze(1)) / scales.unsqueeze(1)
        log_parts = log_weights.unsqueeze(1) + (-0.5 * z**2 - torch.log(scales.unsqueeze(1))).sum(-1)  # (N, S, K)
        shares = torch.softmax(log_parts, dim=2).unsqueeze(-1)  # (N, S, K, 1)
        y = (shares * precisions * means.unsqueeze(1)).sum(2) / (shares * precisions).sum(2)
    best = _log_density(p64, y).argmax(dim=1)
    return y[torch.arange(len(best)), best].float()


@torch.no_grad()
def mixture_cdf(params: MixtureParams, y) -> torch.Tensor:
    """P(Y ≤ y) under each one-dimensional mixture, F(y) = Σ_k π_k Φ((y − μ_k)/σ_k): shape (N,).

    y: one value per mixture, shape (N, 1) or (N,); ±inf are allowed (F = 0 and 1). Evaluated at the true
    held-out targets, these are the probability-integral-transform (PIT) values of the model.
    """
    params = _checked(params)
    _one_dimensional(params)
    y = _targets("y", y, len(params.log_weights), allow_infinite=True)
    return _cdf64(params, y).float()


def _cdf64(params: MixtureParams, y: torch.Tensor) -> torch.Tensor:
    """Mixture CDF in float64 at y (N,) or (N, S) (broadcast against the N mixtures)."""
    means, scales = params.means[..., 0].double(), params.scales[..., 0].double()  # (N, K)
    weights = params.log_weights.double().exp()
    if y.ndim == 1:
        y = y.unsqueeze(1)
    per_component = torch.special.ndtr((y.unsqueeze(-1) - means.unsqueeze(1)) / scales.unsqueeze(1))  # (N, S, K)
    cdf = (weights.unsqueeze(1) * per_component).sum(-1).clamp(0.0, 1.0)
    return cdf[:, 0] if cdf.shape[1] == 1 else cdf


@torch.no_grad()
def mixture_quantile(params: MixtureParams, probability: float) -> torch.Tensor:
    """The value q with F(q) = probability for each one-dimensional mixture, shape (N,).

    A mixture has no closed-form quantile, so it is found by bisection on :func:`mixture_cdf`. The
    bracket is exact: at the smallest of the components' own quantiles every component CDF (and so the
    mixture's) is at most ``probability``; at the largest, at least.
    """
    params = _checked(params)
    _one_dimensional(params)
    probability = _probability("probability", probability)
    means, scales = params.means[..., 0].double(), params.scales[..., 0].double()
    own = means + scales * torch.special.ndtri(torch.tensor(probability, dtype=torch.float64))  # (N, K)
    low, high = own.min(dim=1).values, own.max(dim=1).values
    for _ in range(_BISECTION_STEPS):
        middle = 0.5 * (low + high)
        below = _cdf64(params, middle) < probability
        low = torch.where(below, middle, low)
        high = torch.where(below, high, middle)
    return (0.5 * (low + high)).float()


def central_interval(params: MixtureParams, level: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The central interval holding probability ``level`` of each one-dimensional mixture: (lower, upper), each (N,).

    lower and upper are the (1 − level)/2 and (1 + level)/2 quantiles, e.g. the 5% and 95% quantiles for
    level = 0.9. For a multimodal mixture this interval can span empty gaps between branches: it has the
    promised coverage, but it is not the shortest region that does.
    """
    level = _probability("level", level)
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
    params = _checked(params)
    _one_dimensional(params)
    if isinstance(levels, Real):
        levels = (levels,)
    if not isinstance(levels, (tuple, list)) or not levels:
        raise TypeError(f"levels must be a non-empty tuple or list of numbers in (0, 1), got {levels!r}")
    levels = [_probability(f"levels[{i}]", level) for i, level in enumerate(levels)]
    y = _targets("y", y, len(params.log_weights))
    u = _cdf64(params, y)
    return {level: float(((u >= (1 - level) / 2) & (u <= (1 + level) / 2)).double().mean()) for level in levels}
