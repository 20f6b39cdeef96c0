"""What every training widget shares: the controls, and the pure logic behind them.

The logic (what a slider value means, which steps trigger a redraw, what the status line says) lives in
plain functions so it is tested without a browser; the classes only wire ipywidgets to it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import ipywidgets as widgets
import torch

from .. import _validate
from .figure import FigureWidget

COMPONENTS_RANGE = (1, 10)
LR_RANGE = (1e-4, 1e-1)
FIGSIZE = (6.4, 3.6)
"""The plot of a training widget, in inches: 640 × 360 px on the page, as wide as a lesson's figure."""
QUEUED_CLICK_SECONDS = 0.5
"""A click the kernel reads this soon after a run ends was made during the run (see ``_on_train_click``)."""


@dataclass(frozen=True)
class TrainSettings:
    """What one press of Train does, checked: K in 1..10, lr in [1e-4, 1e-1], steps >= 1."""

    n_components: int
    lr: float
    steps: int
    redraw_every: int
    seed: int = 0

    def __post_init__(self):
        k = _validate.positive_int("n_components", self.n_components)
        if not COMPONENTS_RANGE[0] <= k <= COMPONENTS_RANGE[1]:
            raise ValueError(f"n_components must be between {COMPONENTS_RANGE[0]} and {COMPONENTS_RANGE[1]}, got {k}")
        lr = _validate.positive_float("lr", self.lr)
        if not LR_RANGE[0] * (1 - 1e-9) <= lr <= LR_RANGE[1] * (1 + 1e-9):
            raise ValueError(f"lr must be between {LR_RANGE[0]:g} and {LR_RANGE[1]:g}, got {lr:g}")
        _validate.positive_int("steps", self.steps)
        _validate.positive_int("redraw_every", self.redraw_every)
        _validate.positive_int("seed", self.seed, minimum=0)


def status_text(step: int, steps: int, loss: float, reference: float | None = None, on: str = "training data") -> str:
    """The line under the plot.

    For example ``step 300/1000 · NLL 1.412 nats on held-out data (Bayes limit 1.331, gap 0.081)``.
    """
    if not math.isfinite(loss):
        return f"step {step}/{steps} · NLL is {loss}: training failed"
    text = f"step {step}/{steps} · NLL {loss:.3f} nats on {on}"
    if reference is not None:
        text += f" (Bayes limit {reference:.3f}, gap {loss - reference:.3f})"
    return text


class TrainingWidget(FigureWidget):
    """Sliders for the number of components and the learning rate, a Train button, a live plot.

    Subclasses say what to build (``build_model``), what to train it on (``fit_model``) and how to draw
    it (``draw``); this class owns the controls and the redraw loop. Display the widget by leaving it
    as the last expression of a cell; ``train()`` does what the button does.
    """

    title = "Train"
    colorbar = False
    """True: the plot gets a thin axes on its right for a colourbar (``self._colorbar_ax``, hidden at first)."""

    def __init__(self, n_components: int, lr: float, steps: int, redraw_every: int, seed: int = 0):
        TrainSettings(n_components, lr, steps, redraw_every, seed)  # refuse bad defaults up front
        self.steps = steps
        self.redraw_every = redraw_every
        self.seed = seed
        self.components_slider = widgets.IntSlider(
            value=n_components,
            min=COMPONENTS_RANGE[0],
            max=COMPONENTS_RANGE[1],
            description="components",
            continuous_update=False,
        )
        self.lr_slider = widgets.FloatLogSlider(
            value=lr,
            base=10,
            min=math.log10(LR_RANGE[0]),
            max=math.log10(LR_RANGE[1]),
            step=0.25,
            description="learning rate",
            readout_format=".0e",
            continuous_update=False,
        )
        self.train_button = widgets.Button(description=self.title, button_style="primary", icon="play")
        self.status = widgets.Label(value="Press Train to fit.")
        if self.colorbar:
            self._ax, self._colorbar_ax = self.make_figure(
                dict(left=0.1, right=0.9, bottom=0.13, top=0.91, wspace=0.04),
                figsize=FIGSIZE,
                ncols=2,
                width_ratios=(32, 1),
            )
            self._colorbar_ax.set_visible(False)
        else:
            self._ax = self.make_figure(dict(left=0.1, right=0.97, bottom=0.13, top=0.91), figsize=FIGSIZE)
            self._colorbar_ax = None
        self._training = False
        self._last_run_ended = -math.inf
        self.train_button.on_click(self._on_train_click)
        style = {"description_width": "110px"}
        for control in (self.components_slider, self.lr_slider):
            control.style = style
        self.model = None
        self.history = None
        self.ui = widgets.VBox(
            [
                widgets.HBox([self.components_slider, self.lr_slider, self.train_button]),
                self.plot,
                self.status,
            ]
        )
        self.redraw(None, "untrained")

    def settings(self) -> TrainSettings:
        return TrainSettings(
            self.components_slider.value, self.lr_slider.value, self.steps, self.redraw_every, self.seed
        )

    def build_model(self, n_components: int):
        raise NotImplementedError

    def fit_model(self, model, settings: TrainSettings, callback):
        raise NotImplementedError

    def draw(self, ax, model, caption: str) -> None:
        """Draw ``model`` (None before training) on ``ax``; ``caption`` is e.g. "after step 300/1000".

        With ``colorbar``, ``self._colorbar_ax`` is a thin axes on the right, hidden until made visible.
        """
        raise NotImplementedError

    evaluated_on = "training data"
    """What :meth:`evaluate` measures on, for the status line."""

    def reference(self) -> float | None:
        """The best NLL possible on the evaluation data, shown beside the current one (None if unknown)."""
        return None

    def evaluate(self, model) -> float:
        """The NLL on the evaluation data (the status line shows it; a mini-batch's loss is too noisy)."""
        raise NotImplementedError

    def redraw(self, model, caption: str) -> None:
        self.plot.value = self._draw_picture(model, caption)

    def _draw_picture(self, model, caption: str) -> bytes:
        self._ax.clear()
        self.draw(self._ax, model, caption)
        return self.picture()

    def _on_train_click(self, _button) -> None:
        """Train, unless this click was made while a run was going on.

        The kernel reads widget messages one at a time: clicks made during a run (a double-click, or
        impatience) wait in its queue, are read the moment the run ends, and would each start another run.
        The button is disabled during a run, but a click can reach the kernel before the browser has
        heard so. Such queued clicks arrive within milliseconds of the end; a student's next click comes later.
        """
        if self._training or time.monotonic() - self._last_run_ended < QUEUED_CLICK_SECONDS:
            return
        self._train()

    def train(self):
        """Build a fresh model from the sliders and train it, redrawing as it goes. Returns the History.

        What the Train button does; called from code, it also updates the picture saved with the notebook.
        """
        history = self._train()
        self.update_saved_picture()
        return history

    def _train(self):
        settings = self.settings()
        self._training = True
        self.train_button.disabled = True
        try:
            self.model = self.build_model(settings.n_components)
            reference = self.reference()

            def on_progress(step, _batch_loss, model):
                with torch.no_grad():
                    text = status_text(step, settings.steps, self.evaluate(model), reference, self.evaluated_on)
                # The picture takes a while to draw: draw it first, then show it and its status line together,
                # so the status never names a step the picture does not show yet.
                picture = self._draw_picture(model, f"after step {step}/{settings.steps}")
                self.plot.value = picture
                self.status.value = text

            self.history = self.fit_model(self.model, settings, on_progress)
        finally:
            self._training = False
            self._last_run_ended = time.monotonic()
            self.train_button.disabled = False
        return self.history
