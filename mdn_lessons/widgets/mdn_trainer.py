"""Lesson 04's widget: train an MDN on (x, y) data and watch its conditional density p(y | x) form."""

from __future__ import annotations

import torch

from .. import _validate
from ..data import inverted_sine_log_prob
from ..models import MDN
from ..plots import conditional_heatmap, scatter_data
from ..train import fit
from .controls import TrainingWidget


class MDNTrainer(TrainingWidget):
    """Sliders for K and the learning rate, a Train button, and a live heatmap of p(y | x).

    x, y: training data, (N,) or (N, 1) each. ``validation``: optional held-out ``(x, y)``; the status
    line shows the NLL on it (else on the training data, where a flexible model can even beat the Bayes
    limit by fitting the sample's noise). ``noise``: if the data come from ``data.inverted_sine`` with this
    noise, the status line also shows the Bayes limit on the same data and the gap to it.
    """

    title = "Train MDN"
    colorbar = True

    def __init__(
        self,
        x,
        y,
        n_components: int = 5,
        lr: float = 0.02,
        steps: int = 1000,
        redraw_every: int = 100,
        seed: int = 0,
        noise: float | None = None,
        validation=None,
    ):
        self.x = _validate.feature_matrix("x", x, features=1)
        self.y = _validate.feature_matrix("y", y, features=1)
        _validate.same_length("x", self.x, "y", self.y)
        if validation is None:
            self.x_eval, self.y_eval = self.x, self.y
        else:
            if not isinstance(validation, (tuple, list)) or len(validation) != 2:
                raise TypeError("validation must be a pair (x_val, y_val) of held-out data, or None")
            self.x_eval = _validate.feature_matrix("validation x", validation[0], features=1)
            self.y_eval = _validate.feature_matrix("validation y", validation[1], features=1)
            _validate.same_length("validation x", self.x_eval, "validation y", self.y_eval)
            self.evaluated_on = "held-out data"
        self.noise = None if noise is None else _validate.positive_float("noise", noise)
        self.x_grid = torch.linspace(float(self.x.min()), float(self.x.max()), 120)
        self.y_grid = torch.linspace(float(self.y.min()), float(self.y.max()), 120)
        super().__init__(n_components, lr, steps, redraw_every, seed)

    def reference(self) -> float | None:
        if self.noise is None:
            return None
        return float(-inverted_sine_log_prob(self.x_eval, self.y_eval, noise=self.noise).mean())

    def evaluate(self, model) -> float:
        return float(-model.log_prob(self.x_eval, self.y_eval).mean())

    def build_model(self, n_components: int) -> MDN:
        torch.manual_seed(self.seed)
        return MDN(1, 1, n_components)

    def fit_model(self, model, settings, callback):
        return fit(
            model,
            self.x,
            self.y,
            steps=settings.steps,
            lr=settings.lr,
            seed=settings.seed,
            callback=callback,
            callback_every=settings.redraw_every,
        )

    def draw(self, ax, model, caption: str) -> None:
        if model is None:
            scatter_data(self.x, self.y, ax=ax, title="Data: press Train to fit an MDN")
            return
        self._colorbar_ax.set_visible(True)
        conditional_heatmap(
            model, self.x_grid, self.y_grid, ax=ax, title=f"p(y | x) {caption}", colorbar=self._colorbar_ax
        )
