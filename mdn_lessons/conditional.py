"""Looking at a conditional distribution p(y | x) through data: binned conditional means, true branches, σ.

Lesson 03 shows that a net trained on mean squared error learns the conditional mean E[y | x]; to see
that, :func:`binned_mean` estimates E[y | x] straight from samples, with no model at all.
:func:`inverted_sine_branches` gives the noise-free curve of the inverted sine to draw over any figure,
and :func:`mean_scale` condenses a fitted mixture's standard deviations into one number, used in lesson 04
to follow how the σ bands of an MDN widen and then tighten during training.
"""

from __future__ import annotations

from numbers import Real
from typing import NamedTuple

import numpy as np
import torch

from . import _validate
from .data import Y_RANGE, wave
from .mixture import Mixture, MixtureParams


class BinnedMean(NamedTuple):
    """E[y | x] and Var[y | x] estimated from samples, one value per bin of x (B bins)."""

    centres: np.ndarray
    """(B,) the middle of each bin of x."""
    means: np.ndarray
    """(B,) the mean of the y values in each bin; NaN where a bin holds fewer than ``min_count`` samples."""
    variances: np.ndarray
    """(B,) the variance (divided by the count) of the y values in each bin; NaN like ``means``."""
    counts: np.ndarray
    """(B,) how many samples fell in each bin (int)."""

    @property
    def pooled_variance(self) -> float:
        """The count-weighted average of ``variances`` over the bins that have one: about E_x[Var(y | x)].

        It is the mean squared error of predicting every y (in those bins) by its bin's mean.
        """
        filled = ~np.isnan(self.variances)
        if not filled.any():
            return float("nan")
        return float(np.average(self.variances[filled], weights=self.counts[filled]))


def _x_range(x: torch.Tensor, x_range) -> tuple[float, float]:
    if x_range is None:
        return float(x.min()), float(x.max())
    if not isinstance(x_range, (tuple, list)) or len(x_range) != 2:
        raise TypeError(f"x_range must be None or a pair (low, high), got {x_range!r}")
    low, high = x_range
    for name, value in (("x_range[0]", low), ("x_range[1]", high)):
        if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
            raise TypeError(f"{name} must be a finite number, got {value!r}")
    if not low < high:
        raise ValueError(f"x_range must satisfy low < high, got ({low}, {high})")
    return float(low), float(high)


def binned_mean(x, y, bins: int = 40, x_range=None, min_count: int = 10) -> BinnedMean:
    """The conditional mean E[y | x] (and variance) estimated by averaging y within equal-width bins of x.

    x, y: samples of shape (N, 1) or (N,), same N. bins: number of bins over ``x_range`` (default: from the
    smallest to the largest x; samples outside the range are left out; the last bin includes its right edge).
    min_count: bins with fewer samples get NaN for mean and variance, so a noisy average of two points is
    not drawn as if it were an estimate.

    ``pooled_variance`` (the count-weighted average of ``variances``) is the mean squared error of predicting
    each y by its bin's mean: about the smallest MSE any function of x can reach on these data.
    """
    x_t = _validate.feature_matrix("x", x, features=1)
    y_t = _validate.feature_matrix("y", y, features=1)
    _validate.same_length("x", x_t, "y", y_t)
    bins = _validate.positive_int("bins", bins)
    min_count = _validate.positive_int("min_count", min_count)
    low, high = _x_range(x_t, x_range)
    x, y = x_t[:, 0].double().numpy(), y_t[:, 0].double().numpy()
    if low == high:
        raise ValueError(f"x must not be constant when x_range is None (all values are {low}): no bins to make")

    edges = np.linspace(low, high, bins + 1)
    inside = (x >= low) & (x <= high)
    index = np.clip(np.searchsorted(edges, x[inside], side="right") - 1, 0, bins - 1)
    counts = np.bincount(index, minlength=bins)
    sums = np.bincount(index, weights=y[inside], minlength=bins)
    squares = np.bincount(index, weights=y[inside] ** 2, minlength=bins)
    enough = counts >= min_count
    safe = np.where(enough, counts, 1)
    means = np.where(enough, sums / safe, np.nan)
    variances = np.where(enough, np.maximum(squares / safe - (sums / safe) ** 2, 0.0), np.nan)
    centres = 0.5 * (edges[:-1] + edges[1:])
    return BinnedMean(centres, means, variances, counts)


def inverted_sine_branches(points: int = 1001) -> tuple[np.ndarray, np.ndarray]:
    """The noise-free inverted sine, x = wave(y) for y in [-10, 10], as two arrays (x, y) of shape (points,).

    Drawn as a line with ``ax.plot(x, y)`` it shows the true branches: for a given x, every y where the line
    crosses the vertical at x.
    """
    points = _validate.positive_int("points", points, minimum=2)
    y = np.linspace(*Y_RANGE, points)
    return wave(y), y


def mean_scale(params: MixtureParams) -> float:
    """The mixture's standard deviation in one number: Σ_k π_k σ_k, averaged over the N rows (and D features).

    params: MixtureParams with log_weights (N, K), scales (N, K, D). Weighting by π means a component the
    mixture has switched off does not count.
    """
    if not isinstance(params, MixtureParams):
        raise TypeError(f"params must be a MixtureParams (log_weights, means, scales), got {type(params).__name__}")
    log_weights, _, scales = params
    if log_weights.ndim != 2 or scales.ndim != 3 or scales.shape[:2] != log_weights.shape:
        raise ValueError(
            "params must have log_weights (N, K) and scales (N, K, D) with the same N and K, got "
            f"{tuple(log_weights.shape)} and {tuple(scales.shape)}"
        )
    mixture = Mixture.from_params(params).detach()
    return float((mixture.log_weights.exp().unsqueeze(-1) * mixture.scales).sum(dim=1).mean())
