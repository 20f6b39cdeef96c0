"""The course's models: the MSE baseline (:class:`MLP`), a plain :class:`GaussianMixture` and the :class:`MDN`.

Every model standardises its inputs and targets inside itself, with the training data's mean and standard
deviation kept as buffers: the same defaults then work for data near 0.01 or near 1000, and a model saved
with ``torch.save(model.state_dict(), ...)`` still works after loading. :func:`mdn_lessons.fit` sets the
statistics the first time it trains a model (see :meth:`Standardizer.fit_`).

Shapes: N samples, F input features, K mixture components, D output features. All tensors float32.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import NamedTuple

import torch
from torch import nn
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal

from . import _validate
from .losses import mixture_log_prob

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "silu": nn.SiLU}


class MixtureParams(NamedTuple):
    """Parameters of a mixture of diagonal Gaussians, one mixture per sample."""

    log_weights: torch.Tensor
    """(N, K) log mixture weights; ``log_weights.exp()`` sums to 1 over K."""
    means: torch.Tensor
    """(N, K, D) component means."""
    scales: torch.Tensor
    """(N, K, D) component standard deviations, > 0."""

    def distribution(self) -> MixtureSameFamily:
        """The mixture as a torch distribution: batch_shape (N,), event_shape (D,)."""
        return MixtureSameFamily(Categorical(logits=self.log_weights), Independent(Normal(self.means, self.scales), 1))


class Standardizer(nn.Module):
    """Maps data to zero mean and unit variance per feature, with the statistics kept as buffers.

    Until :meth:`fit_` is called it is the identity (mean 0, std 1).
    """

    def __init__(self, features: int):
        super().__init__()
        self.register_buffer("mean", torch.zeros(features))
        self.register_buffer("std", torch.ones(features))
        self.register_buffer("fitted", torch.tensor(False))

    @torch.no_grad()
    def fit_(self, data: torch.Tensor) -> None:
        """Set the statistics from data of shape (N, features). A constant feature keeps std 1."""
        self.mean.copy_(data.mean(dim=0))
        std = data.std(dim=0, unbiased=False) if len(data) > 1 else torch.zeros_like(self.std)
        self.std.copy_(torch.where(std > 1e-12 * (1 + self.mean.abs()), std, torch.ones_like(std)))
        self.fitted.fill_(True)

    def forward(self, data: torch.Tensor) -> torch.Tensor:
        return (data - self.mean) / self.std

    def inverse(self, data: torch.Tensor) -> torch.Tensor:
        return data * self.std + self.mean


def _body(in_features: int, hidden: tuple[int, ...], activation: str) -> tuple[nn.Sequential, int]:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    layers: list[nn.Module] = []
    width = in_features
    for size in hidden:
        layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
        width = size
    return nn.Sequential(*layers), width


def _spread_means(n_components: int, features: int) -> torch.Tensor:
    """(K, D) starting means that cover a standardised target: the K standard-normal quantiles per feature.

    Starting every component at the same place lets them all chase the same branch; spread out, each
    starts near a different part of the data. Features beyond the first get the quantiles in a shuffled
    order so the components do not start on one diagonal line.
    """
    quantiles = torch.tensor(
        [NormalDist().inv_cdf((k + 0.5) / n_components) for k in range(n_components)], dtype=torch.float32
    )
    columns = [quantiles] + [quantiles[torch.randperm(n_components)] for _ in range(features - 1)]
    return torch.stack(columns, dim=1)


def _inverse_softplus(value: float) -> float:
    return value + math.log(-math.expm1(-value))


class _StandardisedModel(nn.Module):
    """Shared plumbing: input/target standardisation and argument checks at the public boundary."""

    in_features: int
    out_features: int

    def _init_scalers(self, in_features: int, out_features: int) -> None:
        self.x_scaler = Standardizer(in_features)
        self.y_scaler = Standardizer(out_features)

    def set_scaling(self, x: torch.Tensor | None, y: torch.Tensor) -> None:
        """Fix the standardisation statistics from training data (called by ``fit`` on first use)."""
        if x is not None:
            self.x_scaler.fit_(x)
        self.y_scaler.fit_(y)

    @property
    def scaling_is_set(self) -> bool:
        return bool(self.y_scaler.fitted)

    def _check_x(self, x) -> torch.Tensor:
        return _validate.feature_matrix("x", x, features=self.in_features)

    def _check_xy(self, x, y) -> tuple[torch.Tensor, torch.Tensor]:
        x = self._check_x(x)
        y = _validate.feature_matrix("y", y, features=self.out_features)
        _validate.same_length("x", x, "y", y)
        return x, y


class _RegressionModel(_StandardisedModel):
    """Shared code of the models trained on mean squared error: one prediction per input, in data units."""

    def _predict_standardised(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, x) -> torch.Tensor:
        """Predictions in data units, shaped like the targets."""
        return self.y_scaler.inverse(self._predict_standardised(self._check_x(x)))

    def objective(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Training loss on checked tensors: MSE in standardised units (scale-free gradients)."""
        return ((self._predict_standardised(x) - self.y_scaler(y)) ** 2).mean()

    def to_data_units(self, objective: float) -> float:
        """The MSE in the targets' own units, from the standardised objective."""
        return objective * float((self.y_scaler.std**2).mean())

    def snapshot(self, x: torch.Tensor) -> torch.Tensor:
        return self(x).detach()


class MLP(_RegressionModel):
    """A plain regression net trained with mean squared error: the baseline that fails on one-to-many data.

    x: (N, in_features) -> prediction (N, out_features). A 1-D x of length N is read as (N, 1).
    """

    needs_input = True

    def __init__(self, in_features: int, out_features: int, hidden=(20, 20, 20), activation: str = "tanh"):
        super().__init__()
        self.in_features = _validate.positive_int("in_features", in_features)
        self.out_features = _validate.positive_int("out_features", out_features)
        self.hidden = _validate.hidden_sizes("hidden", hidden)
        self._init_scalers(self.in_features, self.out_features)
        self.body, width = _body(self.in_features, self.hidden, activation)
        self.head = nn.Linear(width, self.out_features)

    def _predict_standardised(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(self.x_scaler(x)))


class _MixtureModel(_StandardisedModel):
    """Shared code of the models whose output is a :class:`MixtureParams`."""

    min_scale: float

    def _standardised_params(self, x: torch.Tensor | None) -> MixtureParams:
        raise NotImplementedError

    def _to_data_units(self, params: MixtureParams) -> MixtureParams:
        std = self.y_scaler.std
        return MixtureParams(params.log_weights, self.y_scaler.inverse(params.means), params.scales * std)

    def _scales_from_raw(self, raw: torch.Tensor) -> torch.Tensor:
        # softplus grows linearly (no overflow for large raw values) and the floor keeps
        # log σ bounded below, so the NLL cannot run off to -inf on a collapsed component.
        return nn.functional.softplus(raw) + self.min_scale

    def objective(self, x: torch.Tensor | None, y: torch.Tensor) -> torch.Tensor:
        """Training loss on checked tensors: mean NLL of the standardised targets."""
        params = self._standardised_params(x)
        y_std = self.y_scaler(y)
        if params.log_weights.shape[0] != y_std.shape[0]:
            params = MixtureParams(*(p.expand(len(y_std), *p.shape[1:]) for p in params))
        return -mixture_log_prob(*params, y_std).mean()

    def to_data_units(self, objective: float) -> float:
        """The NLL in the targets' own units: standardising y by σ_y shifts it by Σ log σ_y."""
        return objective + float(torch.log(self.y_scaler.std).sum())

    def snapshot(self, x: torch.Tensor | None) -> MixtureParams:
        return MixtureParams(*(p.detach() for p in self(x)))


class MDN(_MixtureModel):
    """A Mixture Density Network: a net whose outputs are the parameters of a Gaussian mixture over y.

    A shared body (``hidden`` layers) feeds three heads: mixture weights (softmax over K logits), means,
    and scales (softplus plus a floor ``min_scale``, in standardised units). Diagonal Gaussians, any D.

    ``mdn(x)`` with x of shape (N, in_features) (1-D read as (N, 1)) returns ``MixtureParams`` with
    log_weights (N, K), means (N, K, D), scales (N, K, D) in data units; ``mdn.distribution(x)`` is the
    same as a ``torch.distributions.MixtureSameFamily`` with batch_shape (N,) and event_shape (D,).
    """

    needs_input = True

    def __init__(
        self,
        in_features: int,
        out_features: int,
        n_components: int,
        hidden=(64, 64),
        activation: str = "relu",
        min_scale: float = 1e-3,
    ):
        super().__init__()
        self.in_features = _validate.positive_int("in_features", in_features)
        self.out_features = _validate.positive_int("out_features", out_features)
        self.n_components = _validate.positive_int("n_components", n_components)
        self.hidden = _validate.hidden_sizes("hidden", hidden)
        self.min_scale = _validate.positive_float("min_scale", min_scale)
        self._init_scalers(self.in_features, self.out_features)
        k, d = self.n_components, self.out_features
        self.body, width = _body(self.in_features, self.hidden, activation)
        # The three heads (K logits, K·D means, K·D raw scales) share one Linear layer: the same maths
        # as three layers, with fewer, larger operations per step.
        self.heads = nn.Linear(width, k + 2 * k * d)
        with torch.no_grad():
            # Small output weights: at the start every x gets the same spread-out mixture (the
            # components tile the targets); training then bends each component towards its branch.
            self.heads.weight.mul_(0.1)
            self.heads.bias[k : k + k * d] = _spread_means(k, d).reshape(-1)
            self.heads.bias[k + k * d :] = _inverse_softplus(1.0 / k)

    def _standardised_params(self, x: torch.Tensor) -> MixtureParams:
        n, k, d = len(x), self.n_components, self.out_features
        logits, means, raw_scales = self.heads(self.body(self.x_scaler(x))).split([k, k * d, k * d], dim=1)
        log_weights = torch.log_softmax(logits, dim=1)
        means = means.reshape(n, k, d)
        scales = self._scales_from_raw(raw_scales.reshape(n, k, d))
        return MixtureParams(log_weights, means, scales)

    def forward(self, x) -> MixtureParams:
        """Mixture parameters for each input row, in data units."""
        return self._to_data_units(self._standardised_params(self._check_x(x)))

    def distribution(self, x) -> MixtureSameFamily:
        """p(y | x) as a torch distribution: batch_shape (N,), event_shape (D,)."""
        return self(x).distribution()

    def log_prob(self, x, y) -> torch.Tensor:
        """log p(y | x) for each row, shape (N,)."""
        x, y = self._check_xy(x, y)
        return mixture_log_prob(*self(x), y)


class GaussianMixture(_MixtureModel):
    """A plain (unconditional) mixture of K diagonal Gaussians over D features, fitted by gradient descent.

    It takes no input: ``mixture()`` returns ``MixtureParams`` with N = 1 (log_weights (1, K), means and
    scales (1, K, D)); ``fit(mixture, None, y)`` trains it on targets y of shape (N, D).
    """

    needs_input = False

    def __init__(self, n_components: int, out_features: int = 1, min_scale: float = 1e-3):
        super().__init__()
        self.in_features = 0
        self.out_features = _validate.positive_int("out_features", out_features)
        self.n_components = _validate.positive_int("n_components", n_components)
        self.min_scale = _validate.positive_float("min_scale", min_scale)
        self.y_scaler = Standardizer(self.out_features)
        k, d = self.n_components, self.out_features
        self.logits = nn.Parameter(torch.zeros(k))
        self.means = nn.Parameter(_spread_means(k, d))
        self.raw_scales = nn.Parameter(torch.full((k, d), _inverse_softplus(1.0 / math.sqrt(k))))

    def set_scaling(self, x, y: torch.Tensor) -> None:
        self.y_scaler.fit_(y)

    def _standardised_params(self, x=None) -> MixtureParams:
        log_weights = torch.log_softmax(self.logits, dim=0).unsqueeze(0)
        return MixtureParams(log_weights, self.means.unsqueeze(0), self._scales_from_raw(self.raw_scales).unsqueeze(0))

    def forward(self, x=None) -> MixtureParams:
        """The mixture's parameters in data units, with a batch of one (x is ignored)."""
        return self._to_data_units(self._standardised_params())

    def distribution(self, x=None) -> MixtureSameFamily:
        """The mixture as a torch distribution: batch_shape (1,), event_shape (D,)."""
        return self().distribution()

    def log_prob(self, y) -> torch.Tensor:
        """log p(y) for each row of y (N, D), shape (N,)."""
        y = _validate.feature_matrix("y", y, features=self.out_features)
        params = MixtureParams(*(p.expand(len(y), *p.shape[1:]) for p in self()))
        return mixture_log_prob(*params, y)
