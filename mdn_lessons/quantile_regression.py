"""Quantile regression: a net that predicts a few quantiles of y given x, trained with the pinball loss.

For a probability τ, the pinball (or check) loss of a prediction q for a target y is

    ρ_τ(y − q) = τ (y − q)        if y ≥ q   (q too low: each unit costs τ),
                 (τ − 1)(y − q)   if y < q   (q too high: each unit costs 1 − τ),

and its expected value over p(y | x) is smallest exactly when q is the τ-quantile of p(y | x). One net
with Q outputs, trained on the sum over τ, predicts Q quantile curves at once: central intervals such as
[q_0.05, q_0.95] come for free. What it cannot give is a density (no NLL, no PIT), samples, or modes; and on
multimodal data its curves run through the empty gaps between branches, because a quantile of a mixture
often lies between the bumps.

:class:`QuantileMLP` is the course's :class:`~mdn_lessons.MLP` with Q outputs and this loss, so
:func:`mdn_lessons.fit` trains it with the same recipe as the MDN. Shapes: N samples, F input features,
Q quantiles.
"""

from __future__ import annotations

from numbers import Real

import torch

from . import _validate
from .models import MLP


def _quantile_levels(name: str, quantiles) -> torch.Tensor:
    if isinstance(quantiles, torch.Tensor):
        quantiles = quantiles.tolist()
    if not isinstance(quantiles, (tuple, list)) or not quantiles:
        raise TypeError(f"{name} must be a non-empty tuple of probabilities in (0, 1), got {quantiles!r}")
    for i, tau in enumerate(quantiles):
        if isinstance(tau, bool) or not isinstance(tau, Real) or not 0 < float(tau) < 1:
            raise ValueError(f"{name}[{i}] must be a probability strictly between 0 and 1, got {tau!r}")
    return torch.tensor([float(tau) for tau in quantiles], dtype=torch.float32)


def pinball_loss(predictions, y, quantiles) -> torch.Tensor:
    """Mean pinball loss of quantile predictions (N, Q) for targets y (N, 1) or (N,): a one-number tensor.

    quantiles: the Q probabilities τ, in (0, 1), in the order of the prediction columns. Averaged over the N
    samples and the Q quantiles. Keeps the gradient of ``predictions`` (it is a training loss).
    """
    if not isinstance(predictions, torch.Tensor):
        predictions = _validate.float_tensor("predictions", predictions)
    taus = _quantile_levels("quantiles", quantiles).to(predictions.dtype)
    if predictions.ndim != 2 or predictions.shape[1] != len(taus):
        raise ValueError(
            f"predictions must have shape (N, Q) with Q = {len(taus)} quantiles, got {tuple(predictions.shape)}"
        )
    y = _validate.feature_matrix("y", y, features=1).to(predictions.dtype)
    _validate.same_length("predictions", predictions, "y", y)
    error = y - predictions  # (N, Q): positive where the prediction is too low
    return torch.maximum(taus * error, (taus - 1) * error).mean()


class QuantileMLP(MLP):
    """An :class:`~mdn_lessons.MLP` with one output per quantile, trained with :func:`pinball_loss`.

    ``QuantileMLP(in_features, quantiles=(0.05, 0.5, 0.95))``; train with ``ml.fit(net, x, y, seed=...)``
    (x (N, F), y (N, 1)); ``net(x)`` returns the predicted quantiles, shape (N, Q), in y's units, column j
    for ``quantiles[j]``. Nothing forces the columns into order: curves trained separately can cross.
    """

    def __init__(self, in_features: int, quantiles=(0.05, 0.25, 0.5, 0.75, 0.95), hidden=(64, 64), activation="relu"):
        taus = _quantile_levels("quantiles", quantiles)
        super().__init__(in_features, len(taus), hidden=hidden, activation=activation)
        self.register_buffer("quantiles", taus)

    def check_xy(self, x, y) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.check_x(x)
        y = _validate.feature_matrix("y", y, features=1)
        _validate.same_length("x", x, "y", y)
        return x, y

    def set_scaling(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """Every output column is a quantile of the same y, so all share y's mean and standard deviation."""
        self.x_scaler.fit_(x)
        self.y_scaler.fit_(y.expand(-1, self.out_features))

    def objective(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean pinball loss in standardised units (y (N, 1) broadcast against the Q columns)."""
        return pinball_loss(self.predict_standardised(x), self.y_scaler(y)[:, :1], self.quantiles)

    def to_data_units(self, objective: float) -> float:
        """The pinball loss scales like y: multiply by y's standard deviation."""
        return objective * float(self.y_scaler.std[0])
