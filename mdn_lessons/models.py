"""The course's models: the MSE baseline (:class:`MLP`), a plain :class:`GaussianMixture` and the :class:`MDN`.

Every model standardises its inputs and targets inside itself, with the training data's mean and standard
deviation kept as buffers: the same defaults then work for data near 0.01 or near 1000, and a model saved
with ``torch.save(model.state_dict(), ...)`` still works after loading. :func:`mdn_lessons.fit` sets the
statistics the first time it trains a model (see :meth:`Standardizer.fit_`).

What ``fit`` needs from a model is the public interface of :class:`TrainableModel`; :class:`MixtureModel`
and :class:`RegressionModel` implement it for the two kinds of output, and :class:`MixtureHead` is the MDN
output layer that :class:`MDN` and the MDN-RNN (:mod:`mdn_lessons.sequences`) share, with the options
lessons vary on purpose (the σ map, the σ floor, how the means and the scales start).

Shapes: N samples, F input features, K mixture components, D output features. All tensors float32.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import torch
from torch import nn
from torch.distributions import MixtureSameFamily

from . import _validate
from .mixture import MixtureParams, mixture_log_prob

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "silu": nn.SiLU}

SCALE_MAPS = ("softplus", "exp")
"""How a mixture head turns a raw output c into a scale: σ = softplus(c) + min_scale, or σ = exp(c) + min_scale."""

MEAN_STARTS = ("spread", "zero")
"""Where a mixture head starts its K means: spread over the standard-normal quantiles, or all at 0 (standardised)."""

OUTPUT_WEIGHTS = ("small", "zero")
"""How a mixture head starts its output layer's weights: small random (× 0.1), or all zero with equal weights."""


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


def spread_means(n_components: int, features: int) -> torch.Tensor:
    """(K, D) starting means that cover a standardised target: the K standard-normal quantiles per feature.

    Starting every component at the same place lets them all chase the same branch; spread out, each
    starts near a different part of the data. Features beyond the first get the quantiles in a shuffled
    order (torch's global generator) so the components do not start on one diagonal line.
    """
    quantiles = torch.tensor(
        [NormalDist().inv_cdf((k + 0.5) / n_components) for k in range(n_components)], dtype=torch.float32
    )
    columns = [quantiles] + [quantiles[torch.randperm(n_components)] for _ in range(features - 1)]
    return torch.stack(columns, dim=1)


def _choice(name: str, value, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}")
    return value


def scales_from_raw(raw: torch.Tensor, scale_map: str, min_scale: float) -> torch.Tensor:
    """σ from a raw output: ``softplus(raw) + min_scale`` or ``exp(raw) + min_scale`` (``scale_map``).

    softplus grows linearly (no overflow for large raw values) and the floor keeps log σ bounded below, so
    the NLL cannot run off to -inf on a collapsed component; exp with no floor (``min_scale=0``) is the
    textbook choice that lesson 05 breaks on purpose.
    """
    scales = nn.functional.softplus(raw) if scale_map == "softplus" else torch.exp(raw)
    return scales + min_scale if min_scale else scales


def raw_for_scale(scale: float, scale_map: str) -> float:
    """The raw output c with softplus(c) = scale (or exp(c) = scale): how a head starts at a given σ."""
    if scale_map == "exp":
        return math.log(scale)
    return scale + math.log(-math.expm1(-scale))


class TrainableModel(nn.Module):
    """What :func:`mdn_lessons.fit` needs from a model: the public interface of every course model.

    A model standardises inputs and targets inside itself (:class:`Standardizer` buffers ``x_scaler`` and
    ``y_scaler``) and provides:

    * ``needs_input``: False for a model of y alone (``fit(model, None, y)``), True otherwise;
    * :meth:`check_x`, :meth:`check_xy`: the model's argument checks, returning float32 tensors of the
      shapes it reads ((N, F) and (N, D) here; (N, T, F) and (N, T, D) for a sequence model);
    * :attr:`scaling_is_set` and :meth:`set_scaling`: the standardisation statistics, fixed once from
      training data;
    * :meth:`objective`: the training loss on checked tensors, in standardised units (what is minimised);
    * :meth:`to_data_units`: that loss in the targets' own units (what is reported);
    * :meth:`snapshot`: the model's output on some inputs, detached, for animations.
    """

    needs_input: bool = True
    in_features: int
    out_features: int

    def init_scalers(self, in_features: int, out_features: int) -> None:
        """Create the standardisation buffers (identity until :meth:`set_scaling`)."""
        self.x_scaler = Standardizer(in_features)
        self.y_scaler = Standardizer(out_features)

    def set_scaling(self, x: torch.Tensor | None, y: torch.Tensor) -> None:
        """Fix the standardisation statistics from training data (called by ``fit`` on first use)."""
        if x is not None:
            self.x_scaler.fit_(x)
        self.y_scaler.fit_(y)

    @property
    def scaling_is_set(self) -> bool:
        """Whether :meth:`set_scaling` has run (``fit`` calls it only on a model's first fit)."""
        return bool(self.y_scaler.fitted)

    def check_x(self, x) -> torch.Tensor:
        """Inputs as a finite float32 tensor of shape (N, in_features); a 1-D x is read as (N, 1)."""
        return _validate.feature_matrix("x", x, features=self.in_features)

    def check_xy(self, x, y) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs (N, in_features) and targets (N, out_features), checked, with the same N."""
        x = self.check_x(x)
        y = _validate.feature_matrix("y", y, features=self.out_features)
        _validate.same_length("x", x, "y", y)
        return x, y

    def objective(self, x: torch.Tensor | None, y: torch.Tensor) -> torch.Tensor:
        """The training loss on checked tensors, a scalar tensor in standardised units."""
        raise NotImplementedError

    def to_data_units(self, objective: float) -> float:
        """The value of :meth:`objective` converted to the targets' own units."""
        raise NotImplementedError

    def snapshot(self, x):
        """The model's output on (checked) inputs x, detached."""
        raise NotImplementedError


class RegressionModel(TrainableModel):
    """Shared code of the models trained on mean squared error: one prediction per input, in data units.

    A subclass implements :meth:`predict_standardised`.
    """

    def predict_standardised(self, x: torch.Tensor) -> torch.Tensor:
        """Predictions in standardised units for checked inputs x."""
        raise NotImplementedError

    def forward(self, x) -> torch.Tensor:
        """Predictions in data units, shaped like the targets."""
        return self.y_scaler.inverse(self.predict_standardised(self.check_x(x)))

    def objective(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Training loss on checked tensors: MSE in standardised units (scale-free gradients)."""
        return ((self.predict_standardised(x) - self.y_scaler(y)) ** 2).mean()

    def to_data_units(self, objective: float) -> float:
        """The MSE in the targets' own units, from the standardised objective."""
        return objective * float((self.y_scaler.std**2).mean())

    def snapshot(self, x: torch.Tensor) -> torch.Tensor:
        return self(x).detach()


class MLP(RegressionModel):
    """A plain regression net trained with mean squared error: the baseline that fails on one-to-many data.

    x: (N, in_features) -> prediction (N, out_features). A 1-D x of length N is read as (N, 1).
    """

    needs_input = True

    def __init__(self, in_features: int, out_features: int, hidden=(20, 20, 20), activation: str = "tanh"):
        super().__init__()
        self.in_features = _validate.positive_int("in_features", in_features)
        self.out_features = _validate.positive_int("out_features", out_features)
        self.hidden = _validate.hidden_sizes("hidden", hidden)
        self.init_scalers(self.in_features, self.out_features)
        self.body, width = _body(self.in_features, self.hidden, activation)
        self.head = nn.Linear(width, self.out_features)

    def predict_standardised(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(self.x_scaler(x)))


class MixtureModel(TrainableModel):
    """Shared code of the models whose output is a :class:`~mdn_lessons.mixture.MixtureParams`.

    A subclass implements :meth:`standardised_params`; the loss is the mean NLL of the standardised targets.
    """

    def standardised_params(self, x: torch.Tensor | None) -> MixtureParams:
        """The mixture for checked inputs x, in standardised units of y."""
        raise NotImplementedError

    def params_to_data_units(self, params: MixtureParams) -> MixtureParams:
        """Standardised mixture parameters -> the same mixture in the targets' units."""
        std = self.y_scaler.std
        return MixtureParams(params.log_weights, self.y_scaler.inverse(params.means), params.scales * std)

    def forward(self, x) -> MixtureParams:
        """Mixture parameters for each input, in data units."""
        return self.params_to_data_units(self.standardised_params(self.check_x(x)))

    def distribution(self, x) -> MixtureSameFamily:
        """p(y | x) as a torch distribution (batch_shape the inputs', event_shape (D,))."""
        return self(x).distribution()

    def objective(self, x: torch.Tensor | None, y: torch.Tensor) -> torch.Tensor:
        """Training loss on checked tensors: mean NLL of the standardised targets."""
        params = self.standardised_params(x)
        y_std = self.y_scaler(y)
        if params.log_weights.shape[0] != y_std.shape[0]:
            params = MixtureParams(*(p.expand(len(y_std), *p.shape[1:]) for p in params))
        return -mixture_log_prob(*params, y_std).mean()

    def to_data_units(self, objective: float) -> float:
        """The NLL in the targets' own units: standardising y by σ_y shifts it by Σ log σ_y."""
        return objective + float(torch.log(self.y_scaler.std).sum())

    def snapshot(self, x: torch.Tensor | None) -> MixtureParams:
        return MixtureParams(*(p.detach() for p in self(x)))


class MixtureHead(nn.Module):
    """The output layer of an MDN: features (..., H) -> a mixture over D features, in standardised units.

    One ``nn.Linear`` (``self.linear``) with K + 2·K·D outputs, split into K logits (softmax: the weights),
    K·D means, and K·D raw scales that :func:`scales_from_raw` turns into σ. The same maths as three layers,
    with fewer, larger operations per step. Returns :class:`MixtureParams` with log_weights (..., K), means
    and scales (..., K, D).

    The options are what lessons vary on purpose (the defaults are the course's recipe):

    * ``scale_map``: ``"softplus"`` (σ = softplus(c) + min_scale) or ``"exp"`` (σ = exp(c) + min_scale);
    * ``min_scale``: the σ floor in standardised units, >= 0 (0: no floor);
    * ``mean_start``: ``"spread"`` (the K standard-normal quantiles, see :func:`spread_means`) or
      ``"zero"`` (every mean at the targets' mean);
    * ``start_scale``: σ of every component at the start, before the floor is added (default 1/K);
    * ``output_weights``: ``"small"`` (random weights × 0.1: every input starts with nearly the same
      mixture; training then bends each component towards its branch) or ``"zero"`` (zero weights and equal
      logits: every input and every component alike, which no gradient can tell apart).
    """

    def __init__(
        self,
        in_features: int,
        n_components: int,
        out_features: int,
        scale_map: str = "softplus",
        min_scale: float = 1e-3,
        mean_start: str = "spread",
        start_scale: float | None = None,
        output_weights: str = "small",
    ):
        super().__init__()
        self.n_components = k = _validate.positive_int("n_components", n_components)
        self.out_features = d = _validate.positive_int("out_features", out_features)
        self.scale_map = _choice("scale_map", scale_map, SCALE_MAPS)
        self.min_scale = _validate.positive_float("min_scale", min_scale, allow_zero=True)
        self.mean_start = _choice("mean_start", mean_start, MEAN_STARTS)
        self.start_scale = 1.0 / k if start_scale is None else _validate.positive_float("start_scale", start_scale)
        self.output_weights = _choice("output_weights", output_weights, OUTPUT_WEIGHTS)
        self.linear = nn.Linear(_validate.positive_int("in_features", in_features), k + 2 * k * d)
        with torch.no_grad():
            if self.output_weights == "zero":
                self.linear.weight.zero_()
                self.linear.bias[:k] = 0.0
            else:
                self.linear.weight.mul_(0.1)
            means = spread_means(k, d) if self.mean_start == "spread" else torch.zeros(k, d)
            self.linear.bias[k : k + k * d] = means.reshape(-1)
            self.linear.bias[k + k * d :] = raw_for_scale(self.start_scale, self.scale_map)

    def scales(self, raw: torch.Tensor) -> torch.Tensor:
        """σ from raw outputs, with this head's map and floor."""
        return scales_from_raw(raw, self.scale_map, self.min_scale)

    def forward(self, features: torch.Tensor) -> MixtureParams:
        """Features (..., H) -> standardised MixtureParams: log_weights (..., K), means and scales (..., K, D)."""
        k, d = self.n_components, self.out_features
        batch = features.shape[:-1]
        logits, means, raw_scales = self.linear(features).split([k, k * d, k * d], dim=-1)
        return MixtureParams(
            torch.log_softmax(logits, dim=-1),
            means.reshape(*batch, k, d),
            self.scales(raw_scales.reshape(*batch, k, d)),
        )


class MDN(MixtureModel):
    """A Mixture Density Network: a net whose outputs are the parameters of a Gaussian mixture over y.

    A shared body (``hidden`` layers) feeds a :class:`MixtureHead` (``self.head``): mixture weights
    (softmax over K logits), means, and scales (softplus plus a floor ``min_scale``, in standardised
    units). Diagonal Gaussians, any D. ``scale_map``, ``min_scale``, ``mean_start``, ``start_scale`` and
    ``output_weights`` are the head's options (see :class:`MixtureHead`); the defaults are the recipe.

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
        scale_map: str = "softplus",
        mean_start: str = "spread",
        start_scale: float | None = None,
        output_weights: str = "small",
    ):
        super().__init__()
        self.in_features = _validate.positive_int("in_features", in_features)
        self.out_features = _validate.positive_int("out_features", out_features)
        self.n_components = _validate.positive_int("n_components", n_components)
        self.hidden = _validate.hidden_sizes("hidden", hidden)
        self.init_scalers(self.in_features, self.out_features)
        self.body, width = _body(self.in_features, self.hidden, activation)
        self.head = MixtureHead(
            width, self.n_components, self.out_features, scale_map, min_scale, mean_start, start_scale, output_weights
        )

    @property
    def min_scale(self) -> float:
        """The σ floor, in standardised units (the head's)."""
        return self.head.min_scale

    def standardised_params(self, x: torch.Tensor) -> MixtureParams:
        return self.head(self.body(self.x_scaler(x)))

    def log_prob(self, x, y) -> torch.Tensor:
        """log p(y | x) for each row, shape (N,)."""
        x, y = self.check_xy(x, y)
        return mixture_log_prob(*self(x), y)


class GaussianMixture(MixtureModel):
    """A plain (unconditional) mixture of K diagonal Gaussians over D features, fitted by gradient descent.

    It takes no input: ``mixture()`` returns ``MixtureParams`` with N = 1 (log_weights (1, K), means and
    scales (1, K, D)); ``fit(mixture, None, y)`` trains it on targets y of shape (N, D). Scales are
    softplus plus a floor ``min_scale`` (standardised units), starting at 1/√K.
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
        self.means = nn.Parameter(spread_means(k, d))
        self.raw_scales = nn.Parameter(torch.full((k, d), raw_for_scale(1.0 / math.sqrt(k), "softplus")))

    def set_scaling(self, x, y: torch.Tensor) -> None:
        self.y_scaler.fit_(y)

    def standardised_params(self, x=None) -> MixtureParams:
        log_weights = torch.log_softmax(self.logits, dim=0).unsqueeze(0)
        scales = scales_from_raw(self.raw_scales, "softplus", self.min_scale)
        return MixtureParams(log_weights, self.means.unsqueeze(0), scales.unsqueeze(0))

    def forward(self, x=None) -> MixtureParams:
        """The mixture's parameters in data units, with a batch of one (x is ignored)."""
        return self.params_to_data_units(self.standardised_params())

    def distribution(self, x=None) -> MixtureSameFamily:
        """The mixture as a torch distribution: batch_shape (1,), event_shape (D,)."""
        return self().distribution()

    def log_prob(self, y) -> torch.Tensor:
        """log p(y) for each row of y (N, D), shape (N,)."""
        y = _validate.feature_matrix("y", y, features=self.out_features)
        params = MixtureParams(*(p.expand(len(y), *p.shape[1:]) for p in self()))
        return mixture_log_prob(*params, y)


__all__ = [
    "ACTIVATIONS",
    "GaussianMixture",
    "MDN",
    "MLP",
    "MixtureHead",
    "MixtureModel",
    "MixtureParams",
    "RegressionModel",
    "SCALE_MAPS",
    "Standardizer",
    "TrainableModel",
    "raw_for_scale",
    "scales_from_raw",
    "spread_means",
]
