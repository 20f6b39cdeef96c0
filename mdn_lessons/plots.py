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
from matplotlib import patheffects

from . import _validate, style
from .density import conditional_density_grid, mixture_density_curve
from .mixture import MixtureParams

DATA_STYLE = {"s": 4, "alpha": 0.35, "color": style.DATA_COLOR, "label": "data", "rasterized": True}
MEAN_LINE_COLOR = "#3f90da"
"""The component-mean lines on a heatmap: petroff10's blue, outlined in white to stand out on dark and bright."""


def component_colors() -> list[str]:
    """The colour of mixture component k is ``component_colors()[k % 8]``: petroff10 without its two greys.

    matplotlib's colour-blind-safe ``petroff10`` (see :mod:`mdn_lessons.style`); the greys are left out so no
    component vanishes into the grey data points.
    """
    return style.component_colors()


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _weight_threshold(min_weight) -> float:
    if isinstance(min_weight, bool) or not isinstance(min_weight, (int, float)) or not 0 <= min_weight < 1:
        raise ValueError(f"min_weight must be a number in [0, 1), got {min_weight!r}")
    return float(min_weight)


def _params_on_grid(model_or_params, x_np: np.ndarray) -> MixtureParams:
    """The mixture on the inputs ``x_np`` (M,): ``model_or_params`` itself, or the MDN called on them as (M, 1)."""
    if isinstance(model_or_params, MixtureParams):
        return model_or_params
    if not callable(model_or_params):
        raise TypeError(f"model_or_params must be an MDN or MixtureParams, got {type(model_or_params).__name__}")
    with torch.no_grad():
        return model_or_params(torch.as_tensor(x_np, dtype=torch.float32).unsqueeze(1))


def _density_image(ax, params: MixtureParams, x_np: np.ndarray, y_grid, vmax: float = 1.0):
    """p(y | x) on ``x_np`` (M,) × ``y_grid`` (G,) as an image on ``ax``, each column divided by its maximum."""
    density = conditional_density_grid(params, y_grid)
    column_max = density.max(axis=0, keepdims=True)
    y_np = _numpy(y_grid).ravel()
    return ax.imshow(
        density / np.where(column_max > 0, column_max, 1.0),
        origin="lower",
        aspect="auto",
        cmap="magma",
        vmin=0,
        vmax=vmax,
        extent=(x_np[0], x_np[-1], y_np[0], y_np[-1]),
        interpolation="nearest",
    )


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
    weighted component π_k N(y; μ_k, σ_k²) is shaded under the total, in :func:`component_colors`.
    """
    ax = _axes(ax)
    if data is not None:
        ax.hist(
            _numpy(data).ravel(), bins=60, density=True, color=style.DATA_COLOR, alpha=0.35, label="data (histogram)"
        )
    grid, total, parts = mixture_density_curve(params, y_grid)
    if components and parts.shape[0] > 1:
        colors = component_colors()
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
    ax.legend(loc="upper right")
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
    colorbar=True,
    min_weight: float = 0.02,
    legend_loc: str = "upper left",
):
    """The conditional density p(y | x) as a heatmap over ``x_grid`` (M,) × ``y_grid`` (G,), with a colourbar.

    model_or_params: an MDN (called on ``x_grid``) or its MixtureParams on ``x_grid``. Each column is
    divided by its maximum, so thin and wide branches are equally visible; the colourbar reads that
    fraction (0 to ``vmax``, default 1). With ``means`` each component's mean μ_k(x) is drawn as a line of
    fixed width, only where its weight π_k(x) is at least ``min_weight``: where a component carries
    almost no probability its mean is not a place where the data are. ``data`` = (x, y) scatters the
    samples. The legend (at ``legend_loc``) names the mean lines and the data, when drawn.

    colorbar: True draws one beside ``ax`` (once: redrawing on the same ``ax`` reuses it), an Axes draws it
    into that Axes (a widget keeps its layout that way), False draws none.
    """
    ax = _axes(ax)
    min_weight = _weight_threshold(min_weight)
    x_grid = _numpy(x_grid).ravel()
    params = _params_on_grid(model_or_params, x_grid)
    image = _density_image(ax, params, x_grid, y_grid, vmax or 1.0)
    y_np = _numpy(y_grid).ravel()
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
        _mean_lines(params, x_grid, ax, min_weight)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, xlim=(x_grid[0], x_grid[-1]), ylim=(y_np[0], y_np[-1]))
    ax.grid(False)
    if means or data is not None:
        legend = ax.legend(loc=legend_loc, facecolor="black", framealpha=0.6, edgecolor="none", labelcolor="white")
        for handle in legend.legend_handles:
            if hasattr(handle, "set_alpha"):
                handle.set_alpha(1.0)
    _heatmap_colorbar(ax, image, colorbar)
    return ax


_COLORBAR_LABEL = "p(y | x) ÷ its maximum over y"


def _heatmap_colorbar(ax, image, colorbar) -> None:
    if colorbar is False or colorbar is None:
        return
    if colorbar is True:
        # One colourbar per axes, however often the axes is cleared and redrawn (widgets, animations): a new
        # one each time would shrink the plot frame by frame.
        existing = getattr(ax, "_mdn_lessons_colorbar", None)
        if existing is not None and existing.ax.figure is ax.figure:
            existing.update_normal(image)
            return
        ax._mdn_lessons_colorbar = ax.figure.colorbar(image, ax=ax, label=_COLORBAR_LABEL, pad=0.02, fraction=0.05)
        return
    if not hasattr(colorbar, "figure") or not hasattr(colorbar, "clear"):
        raise TypeError(f"colorbar must be True, False or a matplotlib Axes to draw it into, got {colorbar!r}")
    colorbar.clear()
    ax.figure.colorbar(image, cax=colorbar, label=_COLORBAR_LABEL)


def _mean_lines(params: MixtureParams, x_grid: np.ndarray, ax, min_weight: float) -> None:
    """Each component's mean μ_k(x), in one colour, where π_k(x) >= min_weight; one legend entry."""
    weights = params.log_weights.exp().detach().numpy()  # (M, K)
    means = params.means[..., 0].detach().numpy()
    outline = [patheffects.withStroke(linewidth=3.2, foreground="white")]
    for k in range(weights.shape[1]):
        ax.plot(
            x_grid,
            np.where(weights[:, k] >= min_weight, means[:, k], np.nan),
            color=MEAN_LINE_COLOR,
            lw=1.6,
            path_effects=outline,
            label=f"means where $\\pi_k \\geq$ {min_weight:g}" if k == 0 else None,
        )


def _component_means(params: MixtureParams, x_grid: np.ndarray, ax, min_weight: float) -> None:
    """Each component's mean and ±σ band in its own colour, where its weight is at least ``min_weight``."""
    weights = params.log_weights.exp().detach().numpy()  # (M, K)
    means = params.means[..., 0].detach().numpy()
    scales = params.scales[..., 0].detach().numpy()
    colors = component_colors()
    for k in range(weights.shape[1]):
        shade = colors[k % len(colors)]
        shown = weights[:, k] >= min_weight
        ax.plot(x_grid, np.where(shown, means[:, k], np.nan), color=shade, lw=1.5,
                label="component means" if k == 0 else None)  # fmt: skip
        ax.fill_between(
            x_grid,
            np.where(shown, means[:, k] - scales[:, k], np.nan),
            np.where(shown, means[:, k] + scales[:, k], np.nan),
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
    min_weight: float = 0.05,
):
    """Each component's mean with a ±σ band along ``x_grid`` (M,), drawn where its weight is at least 5%.

    One colour per component (:func:`component_colors`); ``min_weight`` changes the 5%.
    """
    ax = _axes(ax)
    min_weight = _weight_threshold(min_weight)
    x_np = _numpy(x_grid).ravel()
    params = _params_on_grid(model_or_params, x_np)
    if data is not None:
        scatter_data(*data, ax=ax)
    _component_means(params, x_np, ax, min_weight)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(loc="upper right")
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

    reference: a horizontal line such as the Bayes-limit NLL. The y axis is linear: an NLL can be negative
    (a density above 1), which a log axis cannot show.
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
    ax.legend()
    return ax


# ------------------------------------------------------------------------------------------------------------
# Bishop's diagnostic figure (lesson 04): the mixture's parameters against x, beside the density they make.


def mixture_parameters(
    model_or_params: Callable | MixtureParams,
    x_grid,
    y_grid,
    axes=None,
    min_weight: float = 0.05,
    title: str = "The mixture's parameters as functions of x",
):
    """π_k(x), μ_k(x) and σ_k(x) of a one-dimensional MDN along ``x_grid`` (M,), and p(y | x) with its mode.

    A 2×2 grid: the weights π_k(x) (top left), the means μ_k(x) (top right), the scales σ_k(x) (bottom left),
    each component in its own colour (matplotlib's cycle, C0, C1, ...), and the conditional density on
    ``x_grid`` × ``y_grid`` (G,) (bottom right), each column scaled to its maximum, with a colourbar and the
    mode of p(y | x) as dots. Where a component's weight is below ``min_weight`` its mean and scale are drawn
    faint and thin: there they hardly change the density.

    model_or_params: an MDN with one input and one output (called on ``x_grid`` as (M, 1)), or its
    MixtureParams on ``x_grid``: log_weights (M, K), means and scales (M, K, 1).
    axes: a 2×2 array of axes to draw into (None: a new 8 × 6.5 in figure). Returns the 2×2 array of axes.
    """
    x_np = _numpy(x_grid).ravel()
    y_np = _numpy(y_grid).ravel()
    if x_np.size < 2 or y_np.size < 2:
        raise ValueError(f"x_grid and y_grid must hold at least 2 values each, got {x_np.size} and {y_np.size}")
    if not np.isfinite(x_np).all() or not np.isfinite(y_np).all():
        raise ValueError("x_grid and y_grid must be finite")
    min_weight = _weight_threshold(min_weight)
    params = _params_on_grid(model_or_params, x_np)
    if params.means.ndim != 3 or params.means.shape[-1] != 1 or params.means.shape[0] != x_np.size:
        raise ValueError(
            f"the mixture must have means of shape (M, K, 1) with M = len(x_grid) = {x_np.size}, "
            f"got {tuple(params.means.shape)}"
        )
    if axes is None:
        _, axes = plt.subplots(2, 2, figsize=(8, 6.5), sharex=True, layout="constrained")
    axes = np.asarray(axes)
    if axes.shape != (2, 2):
        raise ValueError(f"axes must be a 2×2 array of axes, got shape {axes.shape}")
    weights = params.log_weights.detach().exp().numpy()  # (M, K)
    means = params.means[..., 0].detach().numpy()
    scales = params.scales[..., 0].detach().numpy()
    ax_pi, ax_mu, ax_sigma, ax_density = axes.flat
    for k in range(weights.shape[1]):
        color = f"C{k % 10}"
        ax_pi.plot(x_np, weights[:, k], color=color, lw=1.5, label=f"component {k + 1}")
        for ax, values in ((ax_mu, means[:, k]), (ax_sigma, scales[:, k])):
            ax.plot(x_np, values, color=color, lw=0.8, alpha=0.3)
            ax.plot(x_np, np.where(weights[:, k] >= min_weight, values, np.nan), color=color, lw=1.8)
    ax_pi.set(title="weights π_k(x)", ylabel="π_k", ylim=(0, 1.02))
    ax_mu.set(title="means μ_k(x)", ylabel="μ_k")
    ax_sigma.set(title="scales σ_k(x)", xlabel="x", ylabel="σ_k", ylim=(0, None))
    ax_pi.legend(loc="upper right", fontsize="small", ncols=2)
    image = _density_image(ax_density, params, x_np, y_grid)
    plt.colorbar(image, ax=ax_density, label="p(y | x) / its maximum over y")
    mode = params.mixture().mode()[:, 0].numpy()
    ax_density.plot(x_np, mode, ls="none", marker=".", ms=2.5, color="tab:cyan", label="mode of p(y | x)")
    ax_density.set(title="p(y | x) and its mode", xlabel="x", ylabel="y", ylim=(y_np[0], y_np[-1]))
    ax_density.grid(False)
    ax_density.legend(loc="lower right", fontsize="small")
    axes[0, 0].figure.suptitle(title)
    return axes


# ---------------------------------------------------------------- lesson 07: a mixture drawn component by component


def mixture_components(
    params: MixtureParams,
    y_grid,
    ax=None,
    data=None,
    log_scale: bool = False,
    title: str = "Mixture density",
    label: str = "mixture",
    xlabel: str = "y",
):
    """One 1-D mixture over ``y_grid`` (G,): each weighted component as its own line, the total on top.

    params: a mixture with N = 1 and D = 1. data: optional samples, drawn first as a grey histogram, so that no
    curve hides it. Every component gets its own colour from the default colour cycle and its own legend entry
    with its weight π_k. log_scale: a logarithmic density axis (the lesson sets its limits), where small
    components and small bins stay visible.
    """
    ax = _axes(ax)
    if data is not None:
        ax.hist(
            _numpy(data).ravel(), bins=60, density=True, color="0.8", edgecolor="0.55", lw=0.5, label="data (histogram)"
        )
    grid, total, parts = mixture_density_curve(params, y_grid)
    weights = params.log_weights[0].detach().exp()
    for k, part in enumerate(parts):
        ax.plot(
            grid, part, color=f"C{k % 10}", lw=1.5, ls="--", label=f"component {k + 1}: π = {float(weights[k]):.3f}"
        )
    ax.plot(grid, total, color="black", lw=1.2, label=label)
    if log_scale:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel="density")
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
