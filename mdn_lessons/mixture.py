"""The one home of the course's distribution: a mixture of K Gaussians with diagonal covariance over D features.

Two objects carry a mixture around:

* :class:`MixtureParams`, the plain record every mixture model returns (log_weights, means, scales). It is
  cheap (no checks), so training uses it; ``params.mixture()`` turns it into a checked :class:`Mixture`.
* :class:`Mixture`, which validates its parameters once, at construction, and then answers questions:
  :meth:`~Mixture.log_prob`, :meth:`~Mixture.mean`, :meth:`~Mixture.variance`, :meth:`~Mixture.sample`,
  :meth:`~Mixture.mode`, and for one-dimensional targets (D = 1) :meth:`~Mixture.cdf` and
  :meth:`~Mixture.quantile`. :meth:`~Mixture.torch_distribution` gives the same mixture as a
  ``torch.distributions.MixtureSameFamily``, and the two agree (the tests check it).

The Gaussian log-density is written out by hand once, in :func:`gaussian_log_prob`, and the mixture's
in :func:`mixture_log_prob`: every other module calls these two. The one line that matters is the
``logsumexp``: computing ``log(sum(weights * exp(log_p)))`` directly underflows to ``log(0) = -inf`` as soon
as a target is a few dozen standard deviations from every component; ``logsumexp`` subtracts the largest
term first and never does.

Shapes: a batch of mixtures has batch shape (...) (N for an MDN, (N, T) for an MDN-RNN); log_weights are
(..., K), means and scales (..., K, D).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import NamedTuple

import torch
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal

from . import _validate

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)

_BISECTION_STEPS = 60
"""Halvings of the bracket in :meth:`Mixture.quantile`: 2^-60 of its width is far below float32 precision."""

_WEIGHT_TOLERANCE = 1e-4
"""How far logsumexp(log_weights) over K may be from 0 (float32 rounding of a log_softmax)."""


def gaussian_log_prob(mean, scale, y):
    """Elementwise log N(y; mean, scale²) = -z²/2 - log σ - log √(2π), with z = (y - mean) / σ. No checks.

    Works on tensors of any (broadcastable) shapes and dtype; the building block of every density here.
    """
    z = (y - mean) / scale
    return -0.5 * z * z - torch.log(scale) - LOG_SQRT_2PI


def mixture_log_prob(
    log_weights: torch.Tensor, means: torch.Tensor, scales: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """log p(y) under a batch of mixtures of diagonal Gaussians, shape (...). No checks: the building block.

    log_weights: (..., K), already log-softmaxed; means, scales: (..., K, D); y: (..., D), broadcast against
    the batch (e.g. y (N, D) against a single mixture with batch shape (1,)).
    """
    per_component = gaussian_log_prob(means, scales, y.unsqueeze(-2)).sum(dim=-1)  # (..., K): log N(y; μ_k, σ_k)
    return torch.logsumexp(log_weights + per_component, dim=-1)


class MixtureParams(NamedTuple):
    """Parameters of a mixture of diagonal Gaussians, one mixture per sample (no checks: see :class:`Mixture`)."""

    log_weights: torch.Tensor
    """(N, K) log mixture weights; ``log_weights.exp()`` sums to 1 over K."""
    means: torch.Tensor
    """(N, K, D) component means."""
    scales: torch.Tensor
    """(N, K, D) component standard deviations, > 0."""

    def distribution(self) -> MixtureSameFamily:
        """The mixture as a torch distribution: batch_shape (N,), event_shape (D,)."""
        return MixtureSameFamily(Categorical(logits=self.log_weights), Independent(Normal(self.means, self.scales), 1))

    def mixture(self) -> Mixture:
        """The same mixture as a checked :class:`Mixture` (raises if the parameters are not a valid mixture)."""
        return Mixture.from_params(self)


def _parameter(name: str, value, allow_minus_inf: bool = False) -> torch.Tensor:
    """A finite floating tensor; float32 and float64 tensors are kept as they are (with their autograd graph).

    With ``allow_minus_inf``, -inf is accepted too (a log-weight of a component with weight 0).
    """
    if not (isinstance(value, torch.Tensor) and value.dtype in (torch.float32, torch.float64)):
        value = _validate.float_tensor(name, value, finite=False)
    finite = torch.isfinite(value)
    if allow_minus_inf:
        finite = finite | (value == -math.inf)
    if value.numel() and not bool(finite.all()):
        bad = int((~finite).sum())
        allowed = "finite (or -inf, a weight of 0)" if allow_minus_inf else "finite"
        raise ValueError(f"{name} contains {bad} NaN or inf value(s); every value must be {allowed}")
    return value


def probability(name: str, value) -> float:
    """A number strictly between 0 and 1, as a float."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number strictly between 0 and 1, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")
    return value


class Mixture:
    """A batch of mixtures of K Gaussians with diagonal covariance over D features, checked once.

    log_weights: (..., K) log mixture weights (``torch.log_softmax`` of raw logits): their exp sums to 1 over K.
    means, scales: (..., K, D); scales > 0. Every value finite. Tensors of dtype float32 or float64 keep
    their dtype and autograd graph (so ``log_prob`` can be trained through); anything else becomes float32.
    ``name`` prefixes the argument names in error messages (e.g. ``"params"`` gives ``params.scales``).

    ``batch_shape`` is ``log_weights.shape[:-1]``: N mixtures for an MDN's output on N inputs.
    """

    def __init__(self, log_weights, means, scales, name: str | None = None):
        prefix = f"{name}." if name else ""
        log_weights = _parameter(f"{prefix}log_weights", log_weights, allow_minus_inf=True)
        means = _parameter(f"{prefix}means", means)
        scales = _parameter(f"{prefix}scales", scales)
        if log_weights.ndim < 1 or log_weights.shape[-1] < 1 or log_weights.numel() < 1:
            raise ValueError(
                f"{prefix}log_weights must have shape (..., K) with K >= 1 and at least one mixture, "
                f"got {tuple(log_weights.shape)}"
            )
        k = log_weights.shape[-1]
        if means.ndim != log_weights.ndim + 1 or means.shape[:-1] != log_weights.shape or means.shape[-1] < 1:
            raise ValueError(
                f"{prefix}means must have shape (..., K, D) = {(*log_weights.shape, 'D')} to match "
                f"{prefix}log_weights (..., K) with K = {k}, got {tuple(means.shape)}"
            )
        if scales.shape != means.shape:
            raise ValueError(
                f"{prefix}scales must have the shape of {prefix}means {tuple(means.shape)}, got {tuple(scales.shape)}"
            )
        if not bool((scales > 0).all()):
            raise ValueError(
                f"{prefix}scales must all be > 0 (standard deviations), got minimum {float(scales.min()):.3g}"
            )
        total = torch.logsumexp(log_weights.detach(), dim=-1)
        if not bool(torch.allclose(total, torch.zeros_like(total), atol=_WEIGHT_TOLERANCE)):
            raise ValueError(
                f"{prefix}log_weights must be log-probabilities whose exp sums to 1 over K (apply torch.log_softmax "
                f"to raw logits); logsumexp over K ranges from {float(total.min()):.3g} to {float(total.max()):.3g}"
            )
        self.log_weights, self.means, self.scales = log_weights, means, scales

    @classmethod
    def from_params(cls, params, name: str = "params") -> Mixture:
        """The checked mixture of a :class:`MixtureParams` (what every mixture model returns)."""
        if not isinstance(params, MixtureParams):
            raise TypeError(
                f"{name} must be a MixtureParams (what an MDN returns, e.g. params = mdn(x)), "
                f"got {type(params).__name__}"
            )
        return cls(*params, name=name)

    # ------------------------------------------------------------------------------------------- shape

    @property
    def batch_shape(self) -> torch.Size:
        """The shape of the batch of mixtures, (...)."""
        return self.log_weights.shape[:-1]

    @property
    def n_components(self) -> int:
        """K."""
        return self.log_weights.shape[-1]

    @property
    def features(self) -> int:
        """D, the dimension of a target."""
        return self.means.shape[-1]

    @property
    def params(self) -> MixtureParams:
        """The parameters as the plain :class:`MixtureParams` record."""
        return MixtureParams(self.log_weights, self.means, self.scales)

    def detach(self) -> Mixture:
        """The same mixture without the autograd graph."""
        mixture = object.__new__(Mixture)
        mixture.log_weights, mixture.means, mixture.scales = (t.detach() for t in self.params)
        return mixture

    def torch_distribution(self) -> MixtureSameFamily:
        """The same mixture as ``torch.distributions.MixtureSameFamily``: batch_shape (...), event_shape (D,)."""
        return self.params.distribution()

    def __repr__(self) -> str:
        return f"Mixture(batch_shape={tuple(self.batch_shape)}, K={self.n_components}, D={self.features})"

    # --------------------------------------------------------------------------------------- densities

    def log_prob(self, y) -> torch.Tensor:
        """log p(y) for targets y of shape (..., D) (broadcast against the batch): shape (...).

        Differentiable with respect to the parameters (a target of shape (N, D) against a single mixture,
        batch shape (1,), gives (N,)).
        """
        y = _parameter("y", y)
        if y.ndim < 1 or y.shape[-1] != self.features:
            raise ValueError(f"y must have shape (..., D) with D = {self.features}, got {tuple(y.shape)}")
        return mixture_log_prob(self.log_weights, self.means, self.scales, y.to(self.means.dtype))

    def _one_dimensional(self) -> None:
        if self.features != 1:
            raise ValueError(f"params must describe one-dimensional targets (D = 1) here, got D = {self.features}")

    @torch.no_grad()
    def cdf(self, y) -> torch.Tensor:
        """P(Y ≤ y) for one-dimensional mixtures (D = 1), F(y) = Σ_k π_k Φ((y − μ_k)/σ_k): shape (...), float32.

        y: one value per mixture, shape (...) or (..., 1), or anything that broadcasts to the batch; ±inf
        are allowed (F = 0 and 1). Evaluated at the true held-out targets, these are the PIT values.
        """
        self._one_dimensional()
        y = _validate.float_tensor("y", y, finite=False)
        if y.numel() and bool(torch.isnan(y).any()):
            raise ValueError("y contains NaN; every value must be a number")
        if y.ndim == len(self.batch_shape) + 1 and y.shape[-1] == 1:
            y = y[..., 0]
        return self.cdf64(y.double()).float()

    def cdf64(self, y: torch.Tensor) -> torch.Tensor:
        """The CDF in float64, no checks: y of shape (...) or (..., S) with ``S`` values per mixture (then (..., S))."""
        means, scales = self.means[..., 0].double(), self.scales[..., 0].double()  # (..., K)
        weights = self.log_weights.double().exp()
        extra = y.ndim > len(self.batch_shape)
        y = y if extra else y.unsqueeze(-1)  # (..., S)
        per_component = torch.special.ndtr((y.unsqueeze(-1) - means.unsqueeze(-2)) / scales.unsqueeze(-2))
        cdf = (weights.unsqueeze(-2) * per_component).sum(-1).clamp(0.0, 1.0)  # (..., S)
        return cdf if extra else cdf[..., 0]

    @torch.no_grad()
    def quantile(self, probability_: float) -> torch.Tensor:
        """The value q with F(q) = probability for each one-dimensional mixture, shape (...), float32.

        A mixture has no closed-form quantile, so it is found by bisection on the CDF. The bracket is exact:
        at the smallest of the components' own quantiles every component CDF (and so the mixture's) is at
        most ``probability``; at the largest, at least.
        """
        self._one_dimensional()
        p = probability("probability", probability_)
        means, scales = self.means[..., 0].double(), self.scales[..., 0].double()
        own = means + scales * torch.special.ndtri(torch.tensor(p, dtype=torch.float64))  # (..., K)
        low, high = own.min(dim=-1).values, own.max(dim=-1).values
        for _ in range(_BISECTION_STEPS):
            middle = 0.5 * (low + high)
            below = self.cdf64(middle) < p
            low = torch.where(below, middle, low)
            high = torch.where(below, high, middle)
        return (0.5 * (low + high)).float()

    # ------------------------------------------------------------------------------------ one answer

    @torch.no_grad()
    def mean(self) -> torch.Tensor:
        """E[y] = Σ_k π_k μ_k, shape (..., D): the answer that minimises squared error."""
        weights = self.log_weights.exp().unsqueeze(-1)
        return (weights * self.means).sum(dim=-2)

    @torch.no_grad()
    def variance(self) -> torch.Tensor:
        """Var[y] per feature, shape (..., D), by the law of total variance.

        The average spread inside the components, Σ_k π_k σ_k², plus the spread of the component means
        around the mixture mean, Σ_k π_k (μ_k − E[y])².
        """
        weights = self.log_weights.exp().unsqueeze(-1)
        mean = (weights * self.means).sum(dim=-2, keepdim=True)
        return (weights * (self.scales**2 + (self.means - mean) ** 2)).sum(dim=-2)

    @torch.no_grad()
    def most_probable_component_mean(self) -> torch.Tensor:
        """The mean of the heaviest component of each mixture, shape (..., D): a cheap stand-in for the mode."""
        best = self.log_weights.argmax(dim=-1, keepdim=True)  # (..., 1)
        return self.means.gather(-2, best.unsqueeze(-1).expand(*best.shape, self.features)).squeeze(-2)

    @torch.no_grad()
    def mode(self, iterations: int = 100) -> torch.Tensor:
        """The highest point of each mixture's density, shape (..., D), float32, found by a mode search.

        A Gaussian mixture's modes lie near its component means, but not exactly on them when components
        overlap. Starting from every component mean, each start climbs the density with the fixed-point
        iteration y ← Σ_k r_k(y) μ_k/σ_k² / Σ_k r_k(y)/σ_k² (per feature), where r_k(y) is component k's
        share of the density at y; this never goes downhill. The start that ends highest wins.

        iterations: fixed-point steps per start (the climb usually settles within a few dozen).
        """
        iterations = _validate.positive_int("iterations", iterations)
        log_weights, means, scales = (t.double().reshape(-1, *t.shape[len(self.batch_shape) :]) for t in self.params)
        starts = means.unsqueeze(1)  # (B, 1, K, D): the component means seen from every start
        precisions = scales.pow(-2).unsqueeze(1)  # (B, 1, K, D)
        y = means.clone()  # (B, S = K starts, D)
        for _ in range(iterations):
            log_parts = log_weights.unsqueeze(1) + gaussian_log_prob(starts, scales.unsqueeze(1), y.unsqueeze(2)).sum(
                -1
            )
            shares = torch.softmax(log_parts, dim=2).unsqueeze(-1)  # (B, S, K, 1)
            y = (shares * precisions * starts).sum(2) / (shares * precisions).sum(2)
        height = mixture_log_prob(log_weights.unsqueeze(1), starts, scales.unsqueeze(1), y)  # (B, S)
        best = height.argmax(dim=1)
        return y[torch.arange(len(best)), best].float().reshape(*self.batch_shape, self.features)

    # -------------------------------------------------------------------------------------------- draws

    @torch.no_grad()
    def sample(self, n_samples: int = 1, temperature: float = 1.0, generator=None) -> torch.Tensor:
        """Draw ``n_samples`` targets from each mixture: shape (..., n_samples, D).

        (Unlike ``torch.distributions``, the draws of one mixture sit together after its batch index, the
        way the lessons use them.) temperature T > 0 reshapes the mixture before drawing: the weights become
        π_k^(1/T) renormalised, and every scale becomes σ_k·√T. T = 1 samples the mixture itself; T < 1
        favours the heavier components and tightens each one (as T → 0 every draw tends to
        :meth:`most_probable_component_mean`); T > 1 evens the weights out and widens the components.

        generator: an optional ``torch.Generator`` for repeatable draws (the global torch seed otherwise).
        """
        n_samples = _validate.positive_int("n_samples", n_samples)
        temperature = _validate.positive_float("temperature", temperature)
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
        k, d = self.n_components, self.features
        log_weights, means, scales = (
            self.log_weights.reshape(-1, k),
            self.means.reshape(-1, k, d),
            self.scales.reshape(-1, k, d),
        )
        n = len(log_weights)
        probabilities = torch.softmax(log_weights / temperature, dim=1)
        chosen = torch.multinomial(probabilities, n_samples, replacement=True, generator=generator)  # (B, S)
        index = chosen.unsqueeze(-1).expand(n, n_samples, d)
        noise = torch.randn(n, n_samples, d, generator=generator, dtype=means.dtype)
        draws = means.gather(1, index) + scales.gather(1, index) * math.sqrt(temperature) * noise
        return draws.reshape(*self.batch_shape, n_samples, d)


__all__ = ["LOG_SQRT_2PI", "Mixture", "MixtureParams", "gaussian_log_prob", "mixture_log_prob", "probability"]
