"""figures/teaser.png: the course in one picture, the MSE net's line against the MDN's density on the inverted sine.

Left: a regression net trained on mean squared error predicts one y per x, the conditional mean, which runs
between the branches. Right: a Mixture Density Network's conditional density p(y | x) sits on every branch.
Both are trained with the course's recipe (``ml.fit`` defaults) on the data of lessons 03 and 04. Drawn in the
course's figure style (8 inches wide, two panels side by side; :mod:`mdn_lessons.style`) and saved at twice
its 100 dpi, so it stays sharp on a 2x screen.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import torch

import mdn_lessons as ml
from mdn_lessons.conditional import inverted_sine_branches
from tools.figure_files import save_figure


def make(out_dir: Path) -> list[Path]:
    ml.start_lesson(seed=0)
    x, y = ml.data.inverted_sine(n=3000, noise=1.0, seed=0)
    torch.manual_seed(0)
    mse_net = ml.MLP(1, 1)
    ml.fit(mse_net, x, y)
    torch.manual_seed(0)
    mdn = ml.MDN(1, 1, n_components=5)
    ml.fit(mdn, x, y)

    x_grid = torch.linspace(float(x.min()), float(x.max()), 300).unsqueeze(1)
    y_grid = torch.linspace(-11, 11, 300)
    with torch.no_grad():
        mse_line = mse_net(x_grid)
    branch_x, branch_y = inverted_sine_branches()

    mse_color = ml.plots.component_colors()[2]  # petroff10's red
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.9), sharex=True, sharey=True, layout="constrained")
    ml.plots.scatter_data(x, y, ax=left, title="Mean squared error: one answer")
    left.plot(branch_x, branch_y, color="black", lw=0.8, ls="--", label="true branches")
    left.plot(x_grid, mse_line, color=mse_color, lw=2.5, label="MSE net")
    fig.legend(*left.get_legend_handles_labels(), loc="outside lower left", ncols=3)  # the data fill the panel
    ml.plots.conditional_heatmap(mdn, x_grid, y_grid, ax=right, means=False, title="MDN: p(y | x)")
    right.plot(x_grid, mse_line, color="white", lw=1.5, ls="--", label="MSE net")
    right.legend(loc="upper left", facecolor="black", framealpha=0.6, edgecolor="none", labelcolor="white")
    fig.suptitle("Predict y from x on the inverted sine, x = 7 sin(0.75 y) + 0.5 y + noise")
    try:
        path = save_figure(fig, "teaser", directory=out_dir)
    finally:
        plt.close(fig)
    return [path]
