"""Lesson 01's widget: slide a Gaussian Q over samples of P and watch its NLL and its KL divergence to P.

The numbers behind the picture come from plain functions, tested without a browser:
:func:`best_gaussian` (the closed-form fit), :func:`gaussian_scores` (NLL on the samples, and, when the
true P is known, expected NLL = H(P) + KL(P‖Q)), :func:`nll_landscape` (the NLL over a grid of means and
standard deviations) and :func:`scores_text` (the status line).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from numbers import Real

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from .. import _validate
from ..density import mixture_density_curve
from ..lesson_data import cross_entropy, entropy, gaussian_mixture
from ..models import MixtureParams

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


@dataclass(frozen=True)
class GaussianScores:
    """How well Q = N(mean, std²) explains the data (and P, when P is known). All in nats."""

    mean: float
    std: float
    nll: float
    """Average negative log-likelihood of the samples under Q."""
    expected_nll: float | None = None
    """E_P[-log q(Y)]: the NLL Q would get on endlessly many fresh samples (None if P is unknown)."""
    entropy: float | None = None
    """H(P): the expected NLL of the best possible model, P itself (None if P is unknown)."""
    kl: float | None = None
    """KL(P‖Q) = expected_nll - entropy: how far Q is from P (None if P is unknown)."""


def _finite_number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a finite number, got {value!r} ({type(value).__name__})")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return float(value)


def _gaussian_density(mean: float, std: float, grid: np.ndarray) -> np.ndarray:
    """The density of N(mean, std²) on ``grid`` (G,), drawn with the package's mixture tools (K = 1)."""
    return mixture_density_curve(gaussian_mixture([1.0], [mean], [std]), grid)[1]


def _vector(name: str, values) -> np.ndarray:
    """Finite numbers as a float64 vector (float64 all the way: the landscape is compared to 1e-6)."""
    try:
        vector = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a sequence or array of numbers: {error}") from None
    if vector.size < 1 or not np.isfinite(vector).all():
        raise ValueError(f"{name} must hold at least one value, all finite")
    return vector


def _samples(data) -> np.ndarray:
    """The data as a float64 vector (N,); accepts (N,) or (N, 1)."""
    return _validate.feature_matrix("data", data, features=1).double().numpy()[:, 0]


def best_gaussian(data) -> tuple[float, float]:
    """The maximum-likelihood Gaussian for samples of shape (N,) or (N, 1): (sample mean, sample std).

    The std divides by N (not N - 1): that is the value that minimises the average NLL.
    """
    y = _samples(data)
    return float(y.mean()), float(y.std())


def nll_landscape(data, means, stds) -> np.ndarray:
    """Average NLL of the data under N(m, s²) for every m in ``means`` (M,) and s in ``stds`` (S,): shape (S, M).

    Uses NLL(m, s) = log s + ½ log 2π + (v + (ȳ - m)²) / (2 s²), with ȳ and v the data's mean and variance,
    which equals the average of the per-sample NLLs exactly.
    """
    y = _samples(data)
    means, stds = _vector("means", means), _vector("stds", stds)
    if (stds <= 0).any():
        raise ValueError(f"stds must all be > 0, got minimum {stds.min():.3g}")
    spread = y.var() + (y.mean() - means[None, :]) ** 2
    return np.log(stds[:, None]) + LOG_SQRT_2PI + spread / (2 * stds[:, None] ** 2)


def gaussian_scores(data, mean: float, std: float, p=None) -> GaussianScores:
    """Scores of Q = N(mean, std²): its average NLL on ``data`` ((N,) or (N, 1)) and, if P is given, its KL.

    p: the true distribution as MixtureParams of one 1-D mixture (e.g. ``lesson_data.skewed_p()``), or None.
    """
    mean = _finite_number("mean", mean)
    std = _validate.positive_float("std", std)
    nll = float(nll_landscape(data, [mean], [std])[0, 0])
    if p is None:
        return GaussianScores(mean, std, nll)
    h = entropy(p)
    expected = cross_entropy(p, gaussian_mixture([1.0], [mean], [std]))
    return GaussianScores(mean, std, nll, expected, h, expected - h)


def scores_text(scores: GaussianScores) -> str:
    """The status line, e.g. ``Q = N(1.20, 0.90²) · NLL 1.523 nats · expected NLL 1.519 = H(P) 1.366 + KL 0.153``."""
    text = f"Q = N({scores.mean:.2f}, {scores.std:.2f}²) · NLL on the samples {scores.nll:.3f} nats"
    if scores.kl is not None:
        text += f" · expected NLL {scores.expected_nll:.3f} = H(P) {scores.entropy:.3f} + KL(P‖Q) {scores.kl:.3f}"
    return text


class GaussianExplorer:
    """Sliders for the mean and std of a Gaussian Q, drawn over a histogram of the data, with a live NLL.

    data: samples of shape (N,) or (N, 1). p: the true P (MixtureParams of one 1-D mixture) or None; when
    given, its density is drawn too and the status line shows H(P) and KL(P‖Q). The right-hand panel maps
    the NLL over (mean, std), with the current Q (dot) and the best Gaussian (star, the closed-form fit).
    Display the widget by leaving it as the last expression of a cell; ``set(mean, std)`` moves the sliders
    and ``show_best()`` does what the button does.
    """

    def __init__(self, data, p=None, mean: float | None = None, std: float | None = None):
        self.data = _samples(data)
        if p is not None and not isinstance(p, MixtureParams):
            raise TypeError(
                "p must be None or MixtureParams of one 1-D mixture (e.g. lesson_data.skewed_p()), "
                f"got {type(p).__name__}"
            )
        self.p = p
        self.best_mean, self.best_std = best_gaussian(self.data)
        self.best = gaussian_scores(self.data, self.best_mean, self.best_std, p)  # also checks p
        low, high = float(self.data.min()), float(self.data.max())
        pad = 0.1 * (high - low) + 1e-3
        self.y_grid = np.linspace(low - pad, high + pad, 300)
        spread = max(self.best_std, 1e-6)
        self.mean_range = (low, high)
        self.std_range = (spread / 10, spread * 4)
        mean = self.best_mean - spread if mean is None else mean
        std = 2 * spread if std is None else std
        self.mean_slider = widgets.FloatSlider(
            value=float(np.clip(mean, *self.mean_range)),
            min=self.mean_range[0],
            max=self.mean_range[1],
            step=(high - low) / 200 or 1e-3,
            description="mean μ",
            readout_format=".2f",
            continuous_update=False,
        )
        self.std_slider = widgets.FloatLogSlider(
            value=float(np.clip(std, *self.std_range)),
            base=10,
            min=math.log10(self.std_range[0]),
            max=math.log10(self.std_range[1]),
            step=0.01,
            description="std σ",
            readout_format=".3f",
            continuous_update=False,
        )
        self.best_button = widgets.Button(description="Jump to best", icon="star")
        self.status = widgets.Label()
        # An Image widget, not an Output widget: redrawing changes widget state only, so nothing leaks
        # into the cell's outputs (nbval would see it).
        self.plot = widgets.Image(format="png")
        self._quiet = False  # True while set() moves both sliders, so they trigger one redraw, not two
        for slider in (self.mean_slider, self.std_slider):
            slider.style = {"description_width": "60px"}
            slider.observe(self._on_slider, names="value")
        self.best_button.on_click(lambda _button: self.show_best())
        self.ui = widgets.VBox(
            [
                widgets.HBox([self.mean_slider, self.std_slider, self.best_button]),
                self.plot,
                self.status,
            ]
        )
        self.landscape_means = np.linspace(*self.mean_range, 120)
        self.landscape_stds = np.linspace(*self.std_range, 120)
        self.landscape = nll_landscape(self.data, self.landscape_means, self.landscape_stds)
        self.true_density = None if p is None else mixture_density_curve(p, self.y_grid)[1]
        self.best_density = _gaussian_density(self.best_mean, self.best_std, self.y_grid)
        self.histogram = np.histogram(self.data, bins=50, density=True)
        self._fig, (self._density_ax, self._landscape_ax) = plt.subplots(1, 2, figsize=(10, 3.8))
        # Fixed margins instead of bbox_inches="tight", which would draw the figure twice per redraw.
        self._fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.92, wspace=0.22)
        plt.close(self._fig)  # drawn only into the Image widget, never as a stray cell output
        self._draw_fixed_parts()
        self.scores = None
        self.redraw()

    def set(self, mean: float, std: float) -> GaussianScores:
        """Move the sliders (clipped to their ranges) and return the scores of the new Q."""
        mean = _finite_number("mean", mean)
        std = _validate.positive_float("std", std)
        self._quiet = True
        try:
            self.mean_slider.value = float(np.clip(mean, *self.mean_range))
            self.std_slider.value = float(np.clip(std, *self.std_range))
        finally:
            self._quiet = False
        self.redraw()
        return self.scores

    def show_best(self) -> GaussianScores:
        """Move the sliders to the best Gaussian (sample mean and std)."""
        return self.set(self.best_mean, self.best_std)

    def _on_slider(self, _change) -> None:
        if not self._quiet:
            self.redraw()

    def _draw_fixed_parts(self) -> None:
        """Draw what never changes (data, P, best Gaussian, NLL contours) once; redraw moves only Q."""
        ax = self._density_ax
        ax.stairs(*self.histogram, fill=True, color="tab:gray", alpha=0.35, label="data (histogram)")
        if self.true_density is not None:
            ax.plot(self.y_grid, self.true_density, color="black", lw=1.5, ls=":", label="true P")
        ax.plot(self.y_grid, self.best_density, color="tab:green", ls="--", lw=1.2, label="best Gaussian")
        (self._q_line,) = ax.plot(self.y_grid, self.best_density, color="tab:blue", lw=2, label="your Q")
        ax.set(title="Q over the data", xlabel="y", ylabel="density")
        ax.legend(loc="upper right", fontsize="small")

        ax = self._landscape_ax
        levels = self.best.nll + np.array([0.05, 0.2, 0.5, 1.0, 2.0, 4.0])
        contours = ax.contour(
            self.landscape_means, self.landscape_stds, self.landscape, levels=levels, cmap="viridis_r", linewidths=1
        )
        ax.clabel(contours, fmt="%.2f", fontsize=7)
        ax.plot(
            self.best_mean,
            self.best_std,
            "*",
            color="tab:green",
            ms=14,
            label=f"best: μ={self.best_mean:.2f}, σ={self.best_std:.2f}, NLL {self.best.nll:.3f}",
        )
        (self._q_dot,) = ax.plot([self.best_mean], [self.best_std], "o", color="tab:blue", ms=8, clip_on=False)
        ax.set(
            title="NLL on the samples over (μ, σ)",
            xlabel="mean μ",
            ylabel="std σ",
            xlim=self.mean_range,
            ylim=self.std_range,
        )

    def redraw(self) -> None:
        """Score Q for the sliders' values, move its curve and its dot, and refresh the picture."""
        mean, std = float(self.mean_slider.value), float(self.std_slider.value)
        self.scores = gaussian_scores(self.data, mean, std, self.p)
        self.status.value = scores_text(self.scores)
        self._q_line.set_ydata(_gaussian_density(mean, std, self.y_grid))
        self._density_ax.relim()
        self._density_ax.autoscale_view()
        self._q_dot.set_data([mean], [std])
        self._q_dot.set_label(f"your Q: NLL {self.scores.nll:.3f}")
        self._landscape_ax.legend(loc="upper right", fontsize="small")
        buffer = io.BytesIO()
        self._fig.savefig(buffer, format="png", dpi=80)
        self.plot.value = buffer.getvalue()

    def _ipython_display_(self):
        display(self.ui)
