"""Lesson 02's widget: fit a Gaussian mixture with K components to one-dimensional data, live."""

from __future__ import annotations

import torch

from .. import _validate, style
from ..models import GaussianMixture
from ..plots import mixture_density
from ..train import fit
from .controls import TrainingWidget


class MixtureExplorer(TrainingWidget):
    """Sliders for K and the learning rate, a Train button, and the fitted density over the histogram.

    y: samples of shape (N,) or (N, 1). The plot is redrawn every ``redraw_every`` steps.
    """

    title = "Train mixture"

    def __init__(
        self, y, n_components: int = 3, lr: float = 0.05, steps: int = 400, redraw_every: int = 50, seed: int = 0
    ):
        self.y = _validate.feature_matrix("y", y, features=1)
        low, high = float(self.y.min()), float(self.y.max())
        pad = 0.1 * (high - low) + 1e-3
        self.y_grid = torch.linspace(low - pad, high + pad, 400)
        super().__init__(n_components, lr, steps, redraw_every, seed)

    def evaluate(self, model) -> float:
        return float(-model.log_prob(self.y).mean())

    def build_model(self, n_components: int) -> GaussianMixture:
        torch.manual_seed(self.seed)
        return GaussianMixture(n_components)

    def fit_model(self, model, settings, callback):
        return fit(
            model,
            None,
            self.y,
            steps=settings.steps,
            lr=settings.lr,
            seed=settings.seed,
            batch_size=len(self.y),
            callback=callback,
            callback_every=settings.redraw_every,
        )

    def draw(self, ax, model, caption: str) -> None:
        if model is None:
            ax.hist(self.y.numpy().ravel(), bins=60, density=True, color=style.DATA_COLOR, alpha=0.35)
            ax.set(title="Data: press Train to fit a mixture", xlabel="y", ylabel="density")
            return
        with torch.no_grad():
            mixture_density(model(), self.y_grid, ax=ax, data=self.y, title=f"Fitted mixture {caption}")
