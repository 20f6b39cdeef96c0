"""One function per figure the lessons draw again and again.

Each takes an optional ``ax`` (a new figure is made when it is None), draws, labels the axes, and returns
the ``ax`` so a lesson can add to it. Densities are computed by :mod:`mdn_lessons.density`; this module
only draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from . import _validate
from .density import conditional_density_grid, mixture_density_curve
from .mixture import MixtureParams

DATA_STYLE = {"s": 4, "alpha": 0.35, "color": "tab:gray", "label": "data", "rasterized": True}


def _component_colors() -> list:
    """tab10 without its grey, which would vanish into the grey data points."""
    return [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 7]


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    return ax


def _numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def scatter_data(x, y, ax=None, title: str = "Data", xlabel: str = "x", ylabel: str = "y"):
    """Scatter plot of samples (x, y), each (N,) or (N, 1)."""
    ax = _axes(ax)
    ax.scatter(_numpy(x).ravel(), _numpy(y).ravel(), **DATA_STYLE)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def mixture_density(
    params: MixtureParams,
    y_grid,
    ax=None,
    data=None,
    components: bool = True,
    title: str = "Mixture density",
    label: str = "mixture",
    xlabel: str = "y",
):
    """A one-dimensional mixture's density over ``y_grid`` (G,), optionally over a histogram of ``data``.

    params: a mixture with N = 1 and D = 1 (e.g. ``GaussianMixture()()``). With ``components`` each
    weighted component π_k N(y; μ_k, σ_k²) is shaded under the total, one colour each.
    """
    ax = _axes(ax)
    if data is not None:
        ax.hist(_numpy(data).ravel(), bins=60, density=True, color="tab:gray", alpha=0.35, label="data (histogram)")
    grid, total, parts = mixture_density_curve(params, y_grid)
    if components and parts.shape[0] > 1:
        colors = _component_colors()
        for k, part in enumerate(parts):
            ax.fill_between(
                grid,
                part,
                color=colors[k % len(colors)],
                alpha=0.35,
                lw=0,
                label="weighted components" if k == 0 else None,
            )
    ax.plot(grid, total, lw=2, label=label, color="black")
    ax.set(title=title, xlabel=xlabel, ylabel="density")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def conditional_heatmap(
    model_or_params: Callable | MixtureParams,
    x_grid,
    y_grid,
    ax=None,
    data=None,
    means: bool = True,
    title: str = "MDN: conditional density p(y | x)",
    xlabel: str = "x",
    ylabel: str = "y",
    vmax: float | None = None,
):
    """The conditional density p(y | x) as a heatmap over ``x_grid`` (M,) × ``y_grid`` (G,).

    model_or_params: an MDN (called on ``x_grid``) or its MixtureParams on ``x_grid``. Each column is
    normalised by its maximum so thin and wide branches are equally visible. With ``means`` the
    component means are drawn on top, line width by weight; ``data`` = (x, y) scatters the samples.
    """
    ax = _axes(ax)
    x_grid = _numpy(x_grid).ravel()
    params = model_or_params if isinstance(model_or_params, MixtureParams) else None
    if params is None:
        with torch.no_grad():
            params = model_or_params(torch.as_tensor(x_grid, dtype=torch.float32).unsqueeze(1))
    density = conditional_density_grid(params, y_grid)
    column_max = density.max(axis=0, keepdims=True)
    shown = density / np.where(column_max > 0, column_max, 1.0)
    y_np = _numpy(y_grid).ravel()
    ax.imshow(
        shown,
        origin="lower",
        aspect="auto",
        cmap="magma",
        vmin=0,
        vmax=vmax or 1.0,
        extent=(x_grid[0], x_grid[-1], y_np[0], y_np[-1]),
        interpolation="nearest",
    )
    if data is not None:
        ax.scatter(
            _numpy(data[0]).ravel(),
            _numpy(data[1]).ravel(),
            s=2,
            alpha=0.25,
            color="white",
            label="data",
            rasterized=True,
        )
    if means:
        _component_means(params, x_grid, ax, color="tab:cyan", bands=False)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, xlim=(x_grid[0], x_grid[-1]), ylim=(y_np[0], y_np[-1]))
    ax.grid(False)
    return ax


def _component_means(params: MixtureParams, x_grid: np.ndarray, ax, color=None, bands: bool = True) -> None:
    weights = params.log_weights.exp().detach().numpy()  # (M, K)
    means = params.means[..., 0].detach().numpy()
    scales = params.scales[..., 0].detach().numpy()
    colors = _component_colors()
    for k in range(weights.shape[1]):
        shade = color or colors[k % len(colors)]
        visible = np.where(weights[:, k] > 0.05, means[:, k], np.nan)
        ax.plot(x_grid, visible, color=shade, lw=1.5, label="component means" if k == 0 else None)
        if bands:
            ax.fill_between(
                x_grid,
                np.where(weights[:, k] > 0.05, means[:, k] - scales[:, k], np.nan),
                means[:, k] + scales[:, k],
                color=shade,
                alpha=0.2,
                lw=0,
                label="mean ± σ" if k == 0 else None,
            )


def component_bands(
    model_or_params: Callable | MixtureParams,
    x_grid,
    ax=None,
    data=None,
    title: str = "MDN components: means and ±σ bands",
    xlabel: str = "x",
    ylabel: str = "y",
):
    """Each component's mean with a ±σ band along ``x_grid`` (M,), drawn where its weight exceeds 5%."""
    ax = _axes(ax)
    x_np = _numpy(x_grid).ravel()
    params = model_or_params if isinstance(model_or_params, MixtureParams) else None
    if params is None:
        with torch.no_grad():
            params = model_or_params(torch.as_tensor(x_np, dtype=torch.float32).unsqueeze(1))
    if data is not None:
        scatter_data(*data, ax=ax)
    _component_means(params, x_np, ax)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(loc="upper right", fontsize="small")
    return ax


def training_curves(
    curves: dict[str, Sequence[float]],
    ax=None,
    reference: float | None = None,
    reference_label: str = "Bayes limit",
    title: str = "Training loss",
    ylabel: str = "loss",
    smooth: int = 25,
):
    """Loss per step for one or more runs (``{"label": history.loss, ...}``), smoothed by a running mean.

    reference: a horizontal line such as the Bayes-limit NLL.
    """
    ax = _axes(ax)
    smooth = _validate.positive_int("smooth", smooth)
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if len(values) >= smooth > 1:
            values = np.convolve(values, np.ones(smooth) / smooth, mode="valid")
        ax.plot(np.arange(1, len(values) + 1), values, label=label)
    if reference is not None:
        ax.axhline(reference, color="black", ls=":", label=reference_label)
    ax.set(title=title, xlabel="step", ylabel=ylabel)
    ax.legend(fontsize="small")
    return ax


# ------------------------------------------------------------------ lesson 05: single answers and regions


def answers_on_density(params: MixtureParams, y_grid, answers: dict, ax=None, title: str = "Single answers"):
    """A one-dimensional mixture's density over ``y_grid`` (G,) with one vertical line per single answer.

    params: one mixture (N = 1, D = 1); answers: ``{name: value}``, each value a number or a one-number tensor
    (e.g. ``predictions.mixture_mode(params)``). Lines take the colours C1, C2, ... and alternate their dashes.
    """
    ax = _axes(ax)
    grid, total, _ = mixture_density_curve(params, y_grid)
    ax.plot(grid, total, color="black", lw=2, label="p(y | x)")
    for index, (name, value) in enumerate(answers.items()):
        ax.axvline(float(value), color=f"C{index + 1}", lw=2, ls=("-", "--", ":")[index % 3], label=name)
    ax.set(title=title, xlabel="y", ylabel="density")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def regions_on_density(params: MixtureParams, y_grid, regions: dict, ax=None, title: str = "Regions"):
    """A one-dimensional mixture's density over ``y_grid`` (G,) with each region drawn as bars below the curve.

    params: one mixture (N = 1, D = 1); regions: ``{name: pieces}``, pieces a tensor (M, 2) of rows
    [lower, upper] (``predictions.highest_density_interval(params, level)[0]``, or a central interval stacked
    as one row). Each region gets its own row of bars, colour C1, C2, ..., and its total length in the legend;
    the density under the first region's pieces is shaded in its colour.
    """
    ax = _axes(ax)
    grid, total, _ = mixture_density_curve(params, y_grid)
    ax.plot(grid, total, color="black", lw=2, label="p(y | x)")
    step = 0.07 * float(total.max())
    for index, (name, pieces) in enumerate(regions.items()):
        pieces = _numpy(pieces).reshape(-1, 2)
        length = float((pieces[:, 1] - pieces[:, 0]).sum())
        height = -step * (index + 1)
        ax.hlines([height] * len(pieces), pieces[:, 0], pieces[:, 1], color=f"C{index + 1}", lw=6)
        ax.plot([], [], color=f"C{index + 1}", lw=6, label=f"{name}: length {length:.1f}")
        if index == 0:
            inside = ((grid[:, None] >= pieces[:, 0]) & (grid[:, None] <= pieces[:, 1])).any(axis=1)
            ax.fill_between(grid, total, where=inside, color=f"C{index + 1}", alpha=0.3, lw=0)
    ax.set(title=title, xlabel="y", ylabel="density", ylim=(-step * (len(regions) + 1), 1.3 * float(total.max())))
    ax.legend(loc="upper left", fontsize="small")
    return ax


def regions_along_x(x_grid, regions, ax=None, color: str = "C1", label: str = "region", title: str = "Regions"):
    """Regions of y drawn along x: for each input x_m of ``x_grid`` (M,), its pieces as vertical bars.

    regions: a list of M tensors (M_m, 2), rows [lower, upper] (what ``predictions.highest_density_interval``
    returns for the M inputs). Neighbouring bars touch, so a region that changes slowly looks like a band.
    """
    ax = _axes(ax)
    x_np = _numpy(x_grid).ravel()
    if len(regions) != len(x_np):
        raise ValueError(f"regions must hold one entry per input of x_grid ({len(x_np)}), got {len(regions)}")
    width = float(np.min(np.diff(x_np))) if len(x_np) > 1 else 1.0
    xs, lows, highs = [], [], []
    for x_value, pieces in zip(x_np, regions, strict=True):
        pieces = _numpy(pieces).reshape(-1, 2)
        xs += [x_value] * len(pieces)
        lows += pieces[:, 0].tolist()
        highs += pieces[:, 1].tolist()
    ax.bar(xs, np.subtract(highs, lows), bottom=lows, width=width, color=color, alpha=0.35, lw=0, label=label)
    ax.set(title=title, xlabel="x", ylabel="y")
    return ax
