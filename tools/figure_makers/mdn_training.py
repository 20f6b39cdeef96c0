"""figures/mdn_training.gif: an MDN's σ bands widen to cover the inverted sine, then tighten onto each branch.

The picture tells the story of lesson 04: an MDN whose components start narrow first widens them (while a
component is narrower than the data it must explain, the NLL's gradient pushes σ up: d NLL / d log σ =
1 - z²), bends their means towards the branches, then tightens each onto its branch. ``ml.MDN`` does not
show the first act: its components start as wide as 1/K of the targets' spread, already covering the data,
and barely widen before they tighten. So the animation trains :class:`NarrowStartMDN`, an MDN like lesson
04's hand-built one (σ starts at 2% of the targets' spread), on lesson 04's data, and draws one frame per
snapshot: each component's mean and ±σ band where its weight exceeds 5%, over the data and the true
branches. Each title gives the step and the mean σ on that frame. Everything here is importable; nothing
is read from the lesson's notebook.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch import nn

import mdn_lessons as ml
from mdn_lessons.conditional import inverted_sine_branches, mean_scale
from tools.figure_files import save_animation

FRAME_STEPS = (*range(0, 60, 5), 60, 70, 80, 100, 125, 150, 200, 300, 400, 600, 1000, 1500)
"""Dense frames while σ widens and the means bend (the first 60 steps), sparse ones while the bands settle."""
HOLD_LAST = 6
"""The trained model's frame is repeated so the loop pauses on it."""


class NarrowStartMDN(nn.Module):
    """An MDN for one input and one output whose K components all start narrow.

    x (N, 1) -> MixtureParams(log_weights (N, K), means (N, K, 1), scales (N, K, 1)), in the data's units.
    Inside, x and y are standardised with the training data's mean and standard deviation. A tanh body of
    two ``hidden``-wide layers feeds three heads (weight logits, means, raw scales); at the start their
    output weights are small, so every x gets nearly the same mixture: means spread evenly over ±1.5
    standard deviations of y, every σ equal to ``start_scale`` standard deviations (softplus of the raw
    scale, plus a floor ``min_scale``).
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, n_components: int = 5, hidden: int = 64,
                 start_scale: float = 0.02, min_scale: float = 1e-3):  # fmt: skip
        super().__init__()
        if isinstance(start_scale, bool) or not isinstance(start_scale, (int, float)) or not start_scale > 0:
            raise ValueError(f"start_scale must be a number > 0, got {start_scale!r}")
        self.x_mean, self.x_std = float(x.mean()), float(x.std())
        self.y_mean, self.y_std = float(y.mean()), float(y.std())
        self.min_scale = min_scale
        self.body = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.logit_head = nn.Linear(hidden, n_components)
        self.mean_head = nn.Linear(hidden, n_components)
        self.scale_head = nn.Linear(hidden, n_components)
        with torch.no_grad():
            for head in (self.logit_head, self.mean_head, self.scale_head):
                head.weight.mul_(0.1)
            self.mean_head.bias.copy_(torch.linspace(-1.5, 1.5, n_components))
            self.scale_head.bias.fill_(math.log(math.expm1(start_scale)))  # softplus(bias) = start_scale

    def forward(self, x: torch.Tensor) -> ml.MixtureParams:
        features = self.body((x - self.x_mean) / self.x_std)
        log_weights = torch.log_softmax(self.logit_head(features), dim=1)
        means = self.y_mean + self.y_std * self.mean_head(features)
        scales = self.y_std * (nn.functional.softplus(self.scale_head(features)) + self.min_scale)
        return ml.MixtureParams(log_weights, means.unsqueeze(-1), scales.unsqueeze(-1))


def train_with_snapshots(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, x_grid: torch.Tensor, snapshot_steps: Sequence[int],
    steps: int = 1500, lr: float = 0.01, batch_size: int = 256, seed: int = 0,
) -> dict[int, ml.MixtureParams]:  # fmt: skip
    """Adam on the mixture NLL (cosine learning-rate decay, seeded mini-batches of x (N, 1), y (N, 1)).

    Returns ``{step: the model's MixtureParams on x_grid (M, 1)}`` for each step in ``snapshot_steps``
    (0 = before training, ``steps`` = the trained model). Snapshots draw no random numbers.
    """
    if not snapshot_steps or any(not 0 <= step <= steps for step in snapshot_steps):
        raise ValueError(f"snapshot_steps must be steps from 0 to {steps}, got {snapshot_steps!r}")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    generator = torch.Generator().manual_seed(seed)
    snapshots: dict[int, ml.MixtureParams] = {}
    for step in range(steps + 1):
        if step in snapshot_steps:
            with torch.no_grad():
                snapshots[step] = model(x_grid)
        if step == steps:
            break
        batch = torch.randint(len(x), (batch_size,), generator=generator)
        loss = ml.mixture_nll(*model(x[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    return snapshots


def make(out_dir: Path) -> list[Path]:
    ml.start_lesson(seed=0)
    x, y = ml.data.inverted_sine(n=3000, noise=1.0, seed=0)  # lesson 04's training data
    x_grid = torch.linspace(float(x.min()), float(x.max()), 200).unsqueeze(1)
    torch.manual_seed(0)
    snapshots = train_with_snapshots(NarrowStartMDN(x, y), x, y, x_grid, FRAME_STEPS, steps=FRAME_STEPS[-1])
    frames = [*FRAME_STEPS] + [FRAME_STEPS[-1]] * HOLD_LAST
    branch_x, branch_y = inverted_sine_branches()

    fig, ax = plt.subplots(figsize=(8.0, 4.2))
    fig.subplots_adjust(left=0.08, right=0.75, bottom=0.12, top=0.92)  # room for the legend on the right

    def draw(i: int) -> None:
        step = frames[i]
        params = snapshots[step]
        ax.clear()
        ax.plot(branch_x, branch_y, color="black", lw=0.6, ls="--", label="true branches")
        title = f"MDN started narrow, step {step:4d}: mean σ = {mean_scale(params):.2f}"
        ml.plots.component_bands(params, x_grid, ax=ax, data=(x, y), title=title)
        ax.set(xlim=(float(x_grid[0]), float(x_grid[-1])), ylim=(-12.5, 12.5))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))

    try:
        path = save_animation(fig, draw, len(frames), Path(out_dir) / "mdn_training.gif", fps=4)
    finally:
        plt.close(fig)
    return [path]
