"""Lesson 01's widget: slide a Gaussian Q over samples of P and watch its NLL and its KL divergence to P.

The numbers behind the picture come from plain functions in :mod:`mdn_lessons.density`, tested without a
browser: ``best_gaussian`` (the closed-form fit), ``gaussian_scores`` (NLL on the samples, and, when the
true P is known, expected NLL = H(P) + KL(P‖Q)) and ``nll_landscape`` (the NLL over a grid of means and
standard deviations); :func:`scores_text` writes the status line.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

from .. import _validate, style
from ..density import (
    GaussianScores,
    best_gaussian,
    finite_number,
    gaussian_density,
    gaussian_scores,
    mixture_density_curve,
    nll_landscape,
    samples,
)
from ..mixture import MixtureParams
from .figure import FigureWidget

Q_COLOR, BEST_COLOR = style.palette()[0], style.palette()[2]  # petroff10's blue and red


def scores_text(scores: GaussianScores) -> str:
    """The status line, e.g. ``Q = N(1.20, 0.90²) · NLL 1.523 nats · expected NLL 1.519 = H(P) 1.366 + KL 0.153``."""
    text = f"Q = N({scores.mean:.2f}, {scores.std:.2f}²) · NLL on the samples {scores.nll:.3f} nats"
    if scores.kl is not None:
        text += f" · expected NLL {scores.expected_nll:.3f} = H(P) {scores.entropy:.3f} + KL(P‖Q) {scores.kl:.3f}"
    return text


class GaussianExplorer(FigureWidget):
    """Sliders for the mean and std of a Gaussian Q, drawn over a histogram of the data, with a live NLL.

    data: samples of shape (N,) or (N, 1). p: the true P (MixtureParams of one 1-D mixture) or None; when
    given, its density is drawn too and the status line shows H(P) and KL(P‖Q). The right-hand panel maps
    the NLL over (mean, std), with the current Q (dot) and the best Gaussian (star, the closed-form fit).
    Display the widget by leaving it as the last expression of a cell; ``set(mean, std)`` moves the sliders
    and ``show_best()`` does what the button does.
    """

    def __init__(self, data, p=None, mean: float | None = None, std: float | None = None):
        self.data = samples(data)
        if p is not None and not isinstance(p, MixtureParams):
            raise TypeError(
                "p must be None or MixtureParams of one 1-D mixture (e.g. true_distributions.skewed_p()), "
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
        self._density_ax, self._landscape_ax = self.make_figure(
            dict(left=0.08, right=0.98, bottom=0.14, top=0.91, wspace=0.28), figsize=(8.0, 3.6), nrows=1, ncols=2
        )
        self._quiet = False  # True while set() moves both sliders, so they trigger one redraw, not two
        for slider in (self.mean_slider, self.std_slider):
            slider.style = {"description_width": "60px"}
            slider.observe(self._on_slider, names="value")
        self.best_button.on_click(lambda _button: self._move(self.best_mean, self.best_std))
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
        self.best_density = gaussian_density(self.best_mean, self.best_std, self.y_grid)
        self.histogram = np.histogram(self.data, bins=50, density=True)
        self._draw_fixed_parts()
        self.scores = None
        self.redraw()

    def set(self, mean: float, std: float) -> GaussianScores:
        """Move the sliders (clipped to their ranges) and return the scores of the new Q.

        Also updates the picture saved with the notebook (what a notebook shows before it is run).
        """
        scores = self._move(mean, std)
        self.update_saved_picture()
        return scores

    def _move(self, mean: float, std: float) -> GaussianScores:
        mean = finite_number("mean", mean)
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
        ax.stairs(*self.histogram, fill=True, color=style.DATA_COLOR, alpha=0.35, label="data (histogram)")
        if self.true_density is not None:
            ax.plot(self.y_grid, self.true_density, color="black", lw=1.5, ls=":", label="true P")
        ax.plot(self.y_grid, self.best_density, color=BEST_COLOR, ls="--", lw=1.2, label="best Gaussian")
        (self._q_line,) = ax.plot(self.y_grid, self.best_density, color=Q_COLOR, lw=2, label="your Q")
        ax.set(title="Q over the data", xlabel="y", ylabel="density")
        ax.legend(loc="upper right")

        ax = self._landscape_ax
        levels = self.best.nll + np.array([0.05, 0.2, 0.5, 1.0, 2.0, 4.0])
        contours = ax.contour(
            self.landscape_means, self.landscape_stds, self.landscape, levels=levels, cmap="viridis_r", linewidths=1
        )
        ax.clabel(contours, fmt="%.2f", fontsize=8)
        ax.plot(
            self.best_mean,
            self.best_std,
            "*",
            color=BEST_COLOR,
            ms=14,
            label=f"best: μ={self.best_mean:.2f}, σ={self.best_std:.2f}, NLL {self.best.nll:.3f}",
        )
        (self._q_dot,) = ax.plot([self.best_mean], [self.best_std], "o", color=Q_COLOR, ms=8, clip_on=False)
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
        self._q_line.set_ydata(gaussian_density(mean, std, self.y_grid))
        self._density_ax.relim()
        self._density_ax.autoscale_view()
        self._q_dot.set_data([mean], [std])
        self._q_dot.set_label(f"your Q: NLL {self.scores.nll:.3f}")
        self._landscape_ax.legend(loc="upper right")
        self.render()


__all__ = ["GaussianExplorer", "scores_text"]
