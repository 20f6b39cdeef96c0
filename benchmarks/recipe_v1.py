"""The course's first training recipe (version 1), frozen here so ``make bench`` can run it beside today's.

A copy of ``mdn_lessons.fit`` as it was before early stopping and the data-sized step budget: Adam on
mini-batches of 256 for a fixed 1,500 steps, peak lr 0.02 after a 100-step warm-up, cosine decay to 1%,
gradient-norm clipping at 5, and a host read of the loss every step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import torch

from mdn_lessons import _validate
from mdn_lessons.train import History, Snapshot


def fit_v1(
    model: torch.nn.Module,
    x,
    y,
    steps: int = 1500,
    lr: float = 0.02,
    batch_size: int = 256,
    seed: int = 0,
    callback: Callable[[int, float, torch.nn.Module], Any] | None = None,
    callback_every: int = 100,
    snapshot_every: int | None = None,
    snapshot_x=None,
    clip_norm: float = 5.0,
    final_lr_fraction: float = 0.01,
    warmup_steps: int = 100,
) -> History:
    """Train ``model`` on (x, y) with Adam and return its :class:`History`.

    model: an :class:`~mdn_lessons.MLP` (trained on MSE), :class:`~mdn_lessons.MDN` or
        :class:`~mdn_lessons.GaussianMixture` (trained on NLL).
    x: (N, in_features) inputs; a 1-D x is read as (N, 1). ``None`` for a GaussianMixture.
    y: (N, out_features) targets; a 1-D y is read as (N, 1).
    steps: number of optimiser updates. lr: Adam's peak learning rate, reached after the warm-up and
        decayed along a cosine to ``lr * final_lr_fraction``.
    batch_size: samples per update (the whole set if N is smaller).
    seed: seeds the mini-batch order, so a fit is repeatable for a given model initialisation
        (seed the model too: ``torch.manual_seed`` before building it).
    callback: called as ``callback(step, loss, model)`` every ``callback_every`` steps and after the
        last one (used by the widgets to redraw while training). If it returns True, training stops.
    snapshot_every, snapshot_x: record ``model`` evaluated on ``snapshot_x`` every k steps, for
        animations.
    clip_norm: the largest gradient norm allowed per update.
    warmup_steps: the learning rate rises linearly to ``lr`` over this many steps (at most a tenth of
        ``steps``).

    The first fit of a model also fixes its standardisation statistics from this (x, y).
    """
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

    if not model.scaling_is_set:
        model.set_scaling(x, y)

    n = len(y)
    batch_size = min(batch_size, n)
    warmup = max(1, min(warmup_steps, steps // 10))
    generator = torch.Generator().manual_seed(seed)
    parameters = list(model.parameters())
    optimizer = torch.optim.Adam(parameters, lr=lr, foreach=True)
    history = History()
    start = time.perf_counter()

    @torch.no_grad()
    def record(step: int, loss: float) -> None:
        history.snapshots.append(Snapshot(step, loss, model.snapshot(snapshot_x)))

    model.train()
    if snapshot_every is not None:
        with torch.no_grad():
            record(0, model.to_data_units(float(model.objective(x, y))))

    order = torch.randperm(n, generator=generator)
    cursor = 0
    for step in range(1, steps + 1):
        if batch_size == n:
            xb, yb = x, y
        else:
            if cursor + batch_size > n:
                order = torch.randperm(n, generator=generator)
                cursor = 0
            index = order[cursor : cursor + batch_size]
            cursor += batch_size
            xb = None if x is None else x[index]
            yb = y[index]

        progress = (step - 1) / max(1, steps - 1)
        factor = final_lr_fraction + (1 - final_lr_fraction) * 0.5 * (1 + math.cos(math.pi * progress))
        factor *= min(1.0, step / warmup)
        for group in optimizer.param_groups:
            group["lr"] = lr * factor

        optimizer.zero_grad(set_to_none=True)
        objective = model.objective(xb, yb)
        value = float(objective.detach())
        if not math.isfinite(value):
            raise FloatingPointError(
                f"the training loss became {value} at step {step} (lr={lr}); this should not happen with "
                "the course's models: please report it with the data and settings that caused it"
            )
        objective.backward()
        torch.nn.utils.clip_grad_norm_(parameters, clip_norm, foreach=True)
        optimizer.step()

        loss = model.to_data_units(value)
        history.loss.append(loss)
        if snapshot_every is not None and (step % snapshot_every == 0 or step == steps):
            record(step, loss)
        if callback is not None and (step % callback_every == 0 or step == steps):
            if callback(step, loss, model) is True:
                break

    model.eval()
    history.seconds = time.perf_counter() - start
    return history
