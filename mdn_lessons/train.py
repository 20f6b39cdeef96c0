"""One training loop for every model of the course: the MSE net, the plain mixture, the MDN and the MDN-RNN.

The defaults are the course's training recipe (see :data:`RECIPE`), chosen so that
``fit(MDN(1, 1, n_components=8), x, y, seed=s)`` gets close to the Bayes limit of the inverted sine for
any amount of data, in seconds on one CPU thread, and never produces NaN for any learning rate the widgets
offer:

* inputs and targets standardised inside the model (so any data scale works),
* Adam with mini-batches and a peak learning rate of 0.01, its average of squared gradients over a short
  memory (``betas=(0.9, 0.95)``; measured, closer to the Bayes limit than PyTorch's 0.999 at n = 1,000 and
  on thin branches, see figures/benchmark.md); the learning rate warms up linearly (a full-size step on the
  random first guess lets one component grab all the data and starves the others to death), then decays
  along a cosine to 0.1% of ``lr`` (fast progress, then a fine finish; measured, thin branches end closer
  to the Bayes limit than with 1%, and nothing else moves, see figures/benchmark.md),
* a step budget that grows with the amount of data (:func:`step_budget`): small data overfit if trained
  as long as large data need. It knows only n, not how sharp the problem is: data with very thin branches
  (the inverted sine with noise 0.3) still gain from more steps (pass ``steps``),
* for the mixture models, early stopping on request (``validation_fraction``): a seeded slice of the data
  is held out, its NLL is measured every ``eval_every`` steps, training stops once it has not improved for
  ``patience`` checks, and the weights with the best held-out NLL are restored. It is not the default:
  measured on the inverted sine, the data-sized budget alone is better (early stopping trains on 10%
  less data and stops while the learning rate is still high; see figures/benchmark.md),
* gradient-norm clipping (one bad batch cannot throw the parameters far),
* in the model: a σ floor and means initialised spread over the targets.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from . import _validate

RECIPE = {
    "steps": None,
    "lr": 0.01,
    "batch_size": 256,
    "clip_norm": 5.0,
    "final_lr_fraction": 0.001,
    "warmup_steps": 100,
    "betas": (0.9, 0.95),
    "validation_fraction": None,
    "eval_every": 50,
    "patience": 4,
}
"""The defaults of :func:`fit`. ``steps=None`` means :func:`step_budget` of the training set's size."""

BUDGET = {"per_sqrt_sample": 12.0, "min_steps": 200, "max_steps": 1500}
""":func:`step_budget`: ``per_sqrt_sample · √n`` steps, clipped to [min_steps, max_steps]."""

MSE_STEPS = 1500
"""The MSE models' default number of steps (they are the lessons' foil, trained the same for any n)."""

MIN_SAMPLES_FOR_VALIDATION = 20
"""Early stopping needs at least this many samples (see ``validation_fraction`` in :func:`fit`)."""

MIN_IMPROVEMENT = 1e-3
"""A held-out NLL must fall by more than this (nats, standardised units) to reset the patience count."""


def step_budget(n: int) -> int:
    """The recipe's number of optimiser steps for ``n`` training samples (see :data:`BUDGET`).

    About 100 passes over the data for n = 1,000, falling to a few passes at n = 64,000: small data are
    overfitted by long training, while large data need the steps to fit the fine detail.
    """
    n = _validate.positive_int("n", n)
    steps = round(BUDGET["per_sqrt_sample"] * math.sqrt(n))
    return int(min(BUDGET["max_steps"], max(BUDGET["min_steps"], steps)))


@dataclass
class Snapshot:
    """The model's output on ``snapshot_x`` after ``step`` updates (MixtureParams or predictions)."""

    step: int
    loss: float
    output: Any


@dataclass
class History:
    """What :func:`fit` recorded."""

    loss: list[float] = field(default_factory=list)
    """Training loss after each step (mini-batch mean, in the targets' units: MSE or NLL in nats)."""
    snapshots: list[Snapshot] = field(default_factory=list)
    """The model's output every ``snapshot_every`` steps (and before the first step), if asked for."""
    seconds: float = 0.0
    """Wall-clock time of the whole fit."""
    planned_steps: int = 0
    """The length of the learning-rate schedule: ``steps``, or the recipe's budget for the data's size."""
    validation_size: int = 0
    """Samples held out for early stopping (0: none, every sample trained on)."""
    validation_steps: list[int] = field(default_factory=list)
    """The steps after which the held-out NLL was measured."""
    validation_loss: list[float] = field(default_factory=list)
    """The held-out NLL (nats, data units) at each of ``validation_steps``."""
    best_step: int | None = None
    """The step whose weights the model ends with (the lowest held-out NLL); None without a hold-out."""
    stopped_early: bool = False
    """True if training stopped before ``planned_steps`` because the held-out NLL stopped improving."""

    @property
    def final_loss(self) -> float:
        return self.loss[-1]

    @property
    def steps_taken(self) -> int:
        """Optimiser steps actually made."""
        return len(self.loss)


def _hold_out(x, y, fraction: float, generator: torch.Generator):
    """Split (x, y) along the first dimension into a training part and a held-out part of ``fraction``."""
    n = len(y)
    n_val = max(1, round(fraction * n))
    order = torch.randperm(n, generator=generator)
    train, val = order[n_val:], order[:n_val]
    if x is None:
        return None, y[train], None, y[val]
    return x[train], y[train], x[val], y[val]


def _adam_betas(betas) -> tuple[float, float]:
    """Adam's two decay rates, checked: a pair of numbers in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2) of numbers in [0, 1), got {betas!r}")
    checked = tuple(_validate.positive_float("betas", b, allow_zero=True) for b in betas)
    if not all(b < 1 for b in checked):
        raise ValueError(f"betas must be a pair of numbers in [0, 1), got {betas!r}")
    return checked


def fit(
    model: torch.nn.Module,
    x,
    y,
    steps: int | None = RECIPE["steps"],
    lr: float = RECIPE["lr"],
    batch_size: int = RECIPE["batch_size"],
    seed: int = 0,
    callback: Callable[[int, float, torch.nn.Module], Any] | None = None,
    callback_every: int = 100,
    snapshot_every: int | None = None,
    snapshot_x=None,
    clip_norm: float = RECIPE["clip_norm"],
    final_lr_fraction: float = RECIPE["final_lr_fraction"],
    warmup_steps: int = RECIPE["warmup_steps"],
    betas: tuple[float, float] = RECIPE["betas"],
    validation_fraction: float | None = RECIPE["validation_fraction"],
    eval_every: int = RECIPE["eval_every"],
    patience: int = RECIPE["patience"],
) -> History:
    """Train ``model`` on (x, y) with Adam and return its :class:`History`.

    model: an :class:`~mdn_lessons.MLP` or MSE RNN (trained on MSE), or a mixture model
        (:class:`~mdn_lessons.MDN`, :class:`~mdn_lessons.GaussianMixture`, MDN-RNN; trained on NLL).
    x: (N, in_features) inputs (N sequences for the recurrent models); a 1-D x is read as (N, 1).
        ``None`` for a GaussianMixture.
    y: (N, out_features) targets; a 1-D y is read as (N, 1).
    steps: the length of the learning-rate schedule, in optimiser updates. None (the recipe) takes
        :func:`step_budget` of the number of training samples for a mixture model, and
        :data:`MSE_STEPS` for an MSE model. lr: Adam's peak learning rate, reached
        after the warm-up and decayed along a cosine to ``lr * final_lr_fraction`` at ``steps``.
    batch_size: samples per update (the whole set if N is smaller).
    seed: seeds the hold-out split and the mini-batch order, so a fit is repeatable for a given model
        initialisation (seed the model too: ``torch.manual_seed`` before building it).
    callback: called as ``callback(step, loss, model)`` every ``callback_every`` steps and after the
        last one (used by the widgets to redraw while training). If it returns True, training stops.
    snapshot_every, snapshot_x: record ``model`` evaluated on ``snapshot_x`` every k steps, for
        animations.
    clip_norm: the largest gradient norm allowed per update.
    warmup_steps: the learning rate rises linearly to ``lr`` over this many steps (at most a tenth of
        ``steps``).
    betas: Adam's decay rates of its running means of the gradient and of its square, each in [0, 1). The
        recipe's 0.95 for the second (PyTorch's default is 0.999, a memory of about 1,000 steps, longer than
        most runs here) keeps each step's size matched to the gradients of the last few dozen steps, which
        grow as the components sharpen.
    validation_fraction: for mixture models, early stopping: the share of the samples held out (a seeded
        random choice), in (0, 0.5]. The held-out NLL is measured every ``eval_every`` steps; training
        stops when it has not improved (by more than :data:`MIN_IMPROVEMENT`) for ``patience``
        measurements, and the model ends with the weights of its best measurement. The data need at least
        :data:`MIN_SAMPLES_FOR_VALIDATION` samples. None (the recipe) trains on every sample for all
        ``steps``. The MSE models ignore it (the lessons show them trained to the end).

    The first fit of a model also fixes its standardisation statistics from the training part of (x, y).
    Raises FloatingPointError if the training loss becomes NaN or inf (checked every ``eval_every``
    steps, at every callback and snapshot, and at the end).
    """
    if steps is not None:
        steps = _validate.positive_int("steps", steps)
    lr = _validate.positive_float("lr", lr)
    batch_size = _validate.positive_int("batch_size", batch_size)
    seed = _validate.positive_int("seed", seed, minimum=0)
    callback_every = _validate.positive_int("callback_every", callback_every)
    clip_norm = _validate.positive_float("clip_norm", clip_norm)
    final_lr_fraction = _validate.positive_float("final_lr_fraction", final_lr_fraction)
    if final_lr_fraction > 1:
        raise ValueError(f"final_lr_fraction must be in (0, 1], got {final_lr_fraction}")
    warmup_steps = _validate.positive_int("warmup_steps", warmup_steps)
    betas = _adam_betas(betas)
    if validation_fraction is not None:
        validation_fraction = _validate.positive_float("validation_fraction", validation_fraction)
        if validation_fraction > 0.5:
            raise ValueError(
                f"validation_fraction must be in (0, 0.5] (or None to hold nothing out), got {validation_fraction}"
            )
    eval_every = _validate.positive_int("eval_every", eval_every)
    patience = _validate.positive_int("patience", patience)
    if not hasattr(model, "objective"):
        raise TypeError(f"model must be an mdn_lessons model (MLP, MDN or GaussianMixture), got {type(model).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable as callback(step, loss, model), got {callback!r}")

    if model.needs_input:
        x, y = model.check_xy(x, y)
    else:
        if x is not None:
            raise ValueError(f"x must be None for a {type(model).__name__}, which takes no input")
        y = _validate.feature_matrix("y", y, features=model.out_features)
    if snapshot_every is not None:
        snapshot_every = _validate.positive_int("snapshot_every", snapshot_every)
        if model.needs_input:
            if snapshot_x is None:
                raise ValueError("snapshot_x must be given with snapshot_every: the inputs to record the model on")
            snapshot_x = model.check_x(snapshot_x)

    generator = torch.Generator().manual_seed(seed)
    is_mixture = hasattr(model, "n_components")  # the models whose objective is an NLL
    history = History()
    x_val = y_val = None
    if is_mixture and validation_fraction is not None:
        if len(y) < MIN_SAMPLES_FOR_VALIDATION:
            raise ValueError(
                f"validation_fraction needs at least {MIN_SAMPLES_FOR_VALIDATION} samples to hold some out, got "
                f"{len(y)}; pass validation_fraction=None to train on all of them"
            )
        x, y, x_val, y_val = _hold_out(x, y, validation_fraction, generator)
        history.validation_size = len(y_val)

    if not model.scaling_is_set:
        model.set_scaling(x, y)

    n = len(y)
    if steps is None:
        steps = step_budget(n) if is_mixture else MSE_STEPS
    history.planned_steps = steps
    batch_size = min(batch_size, n)
    warmup = max(1, min(warmup_steps, steps // 10))
    parameters = list(model.parameters())
    # The fused Adam does the whole update in one kernel: a quarter less time per step than foreach here.
    optimizer = torch.optim.Adam(parameters, lr=lr, betas=betas, fused=True)
    start = time.perf_counter()

    pending: list[torch.Tensor] = []  # this stretch's losses, read on the host only when something needs them

    def flush() -> None:
        """Move the pending losses into history.loss (one host read), refusing NaN and inf."""
        if not pending:
            return
        values = torch.stack(pending).tolist()
        pending.clear()
        first = len(history.loss) + 1
        history.loss.extend(model.to_data_units(v) for v in values)
        for offset, value in enumerate(values):
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"the training loss became {value} at step {first + offset} (lr={lr}); this should not happen "
                    "with the course's models: please report it with the data and settings that caused it"
                )

    @torch.no_grad()
    def record(step: int, loss: float) -> None:
        history.snapshots.append(Snapshot(step, loss, model.snapshot(snapshot_x)))

    best_state: dict[str, torch.Tensor] | None = None
    best_value = math.inf
    patience_mark = math.inf
    checks_without_improvement = 0

    @torch.no_grad()
    def validate(step: int) -> bool:
        """Measure the held-out NLL, keep the best weights; True when it has stopped improving."""
        nonlocal best_state, best_value, patience_mark, checks_without_improvement
        model.eval()
        value = float(model.objective(x_val, y_val))
        model.train()
        history.validation_steps.append(step)
        history.validation_loss.append(model.to_data_units(value))
        if value < best_value:
            best_value = value
            history.best_step = step
            best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        if value < patience_mark - MIN_IMPROVEMENT:
            patience_mark = value
            checks_without_improvement = 0
        else:
            checks_without_improvement += 1
        return checks_without_improvement >= patience

    model.train()
    if snapshot_every is not None:
        with torch.no_grad():
            record(0, model.to_data_units(float(model.objective(x, y))))
    if history.validation_size:
        validate(0)

    full_batch = batch_size == n
    xb, yb = x, y
    cursor = n  # start with a fresh permutation
    for step in range(1, steps + 1):
        if not full_batch:
            if cursor + batch_size > n:
                # One gather per pass over the data; the mini-batches are then slices (views, no copy).
                order = torch.randperm(n, generator=generator)
                x_epoch = None if x is None else x[order]
                y_epoch = y[order]
                cursor = 0
            xb = None if x is None else x_epoch[cursor : cursor + batch_size]
            yb = y_epoch[cursor : cursor + batch_size]
            cursor += batch_size

        progress = (step - 1) / max(1, steps - 1)
        factor = final_lr_fraction + (1 - final_lr_fraction) * 0.5 * (1 + math.cos(math.pi * progress))
        factor *= min(1.0, step / warmup)
        for group in optimizer.param_groups:
            group["lr"] = lr * factor

        optimizer.zero_grad(set_to_none=True)
        objective = model.objective(xb, yb)
        objective.backward()
        torch.nn.utils.clip_grad_norm_(parameters, clip_norm, foreach=True)
        optimizer.step()
        pending.append(objective.detach())

        stop = False
        if history.validation_size and (step % eval_every == 0 or step == steps):
            stop = validate(step) and step < steps
            history.stopped_early = stop
        last = step == steps or stop
        wants_snapshot = snapshot_every is not None and (step % snapshot_every == 0 or last)
        wants_callback = callback is not None and (step % callback_every == 0 or last)
        if wants_snapshot or wants_callback or step % eval_every == 0 or last:
            flush()
        if wants_snapshot:
            record(step, history.loss[-1])
        if wants_callback and callback(step, history.loss[-1], model) is True:
            break
        if stop:
            break
    flush()

    if best_state is not None and history.best_step != len(history.loss):
        model.load_state_dict(best_state)
    model.eval()
    history.seconds = time.perf_counter() - start
    return history
