"""From a fitted mixture to predictions, and to a verdict on how good the mixture is.

An MDN returns a whole conditional density p(y | x) as :class:`~mdn_lessons.mixture.MixtureParams`
(log_weights (N, K), means (N, K, D), scales (N, K, D)). An application usually wants something
smaller, and each function here gives one such thing (each is a method of
:class:`~mdn_lessons.mixture.Mixture`, called on the checked parameters):

* draws: :func:`sample` (with a temperature),
* one point: :func:`most_probable_component_mean`, :func:`mixture_mode` (a proper mode search) and
  :func:`mixture_mean` (the squared-error answer), with :func:`mixture_variance` for the spread,
* for one-dimensional targets (D = 1): :func:`mixture_cdf`, :func:`mixture_quantile`,
  :func:`central_interval`, and :func:`highest_density_interval` (the shortest region holding a given
  probability, in one or several pieces) with :func:`inside_intervals` to test targets against it.

Judging a fitted mixture on held-out data (D = 1): ``mixture_cdf(params, y)`` evaluated at the true
targets gives the probability-integral-transform (PIT) values, which are uniform on [0, 1] when the
model is calibrated; :func:`ks_distance_to_uniform` measures how far they are from uniform, and
:func:`coverage` says how often the truth falls inside the central intervals.

Every function works without gradients and returns float32 tensors (or plain floats for summaries).
"""

from __future__ import annotations

from numbers import Real

import torch

from . import _validate
from .mixture import Mixture, MixtureParams, mixture_log_prob, probability

HDI_REACH = 6.0
""":func:`highest_density_interval` looks for the region within this many σ_k of some component mean."""

HDI_POINTS_PER_COMPONENT = 97
"""Grid points per component, evenly over μ_k ± HDI_REACH·σ_k (so every component, however narrow, is seen)."""

HDI_SPAN_POINTS = 201
"""Grid points evenly over the whole span of the mixture, between and around the components."""

_HDI_BISECTIONS = 16
"""Halvings of the density threshold's bracket, which starts one grid cell wide (see :func:`_threshold_bracket`)."""


def _checked(params) -> Mixture:
    """``params`` as a detached float32 :class:`Mixture` with consistent shapes, finite values, positive scales."""
    if not isinstance(params, MixtureParams):
        raise TypeError(
            f"params must be a MixtureParams (what an MDN returns, e.g. params = mdn(x)), got {type(params).__name__}"
        )
    parts = (
        _validate.float_tensor(f"params.{name}", value.detach() if isinstance(value, torch.Tensor) else value)
        for name, value in zip(params._fields, params, strict=True)
    )
    mixture = Mixture(*parts, name="params")
    if mixture.log_weights.ndim != 2:
        raise ValueError(
            f"params.log_weights must have shape (N, K) with N, K >= 1, got {tuple(mixture.log_weights.shape)}"
        )
    return mixture


def _one_dimensional(params) -> Mixture:
    mixture = _checked(params)
    if mixture.features != 1:
        raise ValueError(f"params must describe one-dimensional targets (D = 1) here, got D = {mixture.features}")
    return mixture


def _targets(name: str, y, n: int, *, allow_infinite: bool = False) -> torch.Tensor:
    """One-dimensional targets as a float64 column (N,), N matching the mixture; ±inf allowed on request."""
    tensor = _validate.float_tensor(name, y, finite=not allow_infinite)
    if tensor.numel() and bool(torch.isnan(tensor).any()):
        raise ValueError(f"{name} contains NaN; every value must be a number")
    if tensor.ndim == 2 and tensor.shape[1] == 1:
        tensor = tensor[:, 0]
    if tensor.ndim != 1:
        raise ValueError(f"{name} must have shape (N, 1) or (N,), got {tuple(tensor.shape)}")
    if len(tensor) != n:
        raise ValueError(f"{name} must hold one target per mixture, N = {n}, got {len(tensor)}")
    return tensor.double()


def sample(params: MixtureParams, n_samples: int = 1, temperature: float = 1.0, generator=None) -> torch.Tensor:
    """Draw ``n_samples`` targets from each mixture: shape (N, n_samples, D). See :meth:`Mixture.sample`.

    temperature T > 0: the weights become π_k^(1/T) renormalised and every scale σ_k·√T (T < 1 favours the
    heavier components; T → 0 tends to :func:`most_probable_component_mean`). generator: an optional
    ``torch.Generator`` for repeatable draws.
    """
    return _checked(params).sample(n_samples, temperature, generator)


def most_probable_component_mean(params: MixtureParams) -> torch.Tensor:
    """The mean of the heaviest component of each mixture, shape (N, D): a cheap stand-in for the mode."""
    return _checked(params).most_probable_component_mean()


def mixture_mean(params: MixtureParams) -> torch.Tensor:
    """E[y] = Σ_k π_k μ_k for each mixture, shape (N, D): the answer that minimises squared error."""
    return _checked(params).mean()


def mixture_variance(params: MixtureParams) -> torch.Tensor:
    """Var[y] per feature for each mixture, shape (N, D): Σ_k π_k σ_k² + Σ_k π_k (μ_k − E[y])²."""
    return _checked(params).variance()


def mixture_mode(params: MixtureParams, iterations: int = 100) -> torch.Tensor:
    """The highest point of each mixture's density, shape (N, D), by a mode search (see :meth:`Mixture.mode`)."""
    return _checked(params).mode(iterations)


def mixture_cdf(params: MixtureParams, y) -> torch.Tensor:
    """P(Y ≤ y) under each one-dimensional mixture, F(y) = Σ_k π_k Φ((y − μ_k)/σ_k): shape (N,).

    y: one value per mixture, shape (N, 1) or (N,); ±inf are allowed (F = 0 and 1). Evaluated at the true
    held-out targets, these are the probability-integral-transform (PIT) values of the model.
    """
    mixture = _one_dimensional(params)
    y = _targets("y", y, len(mixture.log_weights), allow_infinite=True)
    return mixture.cdf64(y).float()


def mixture_quantile(params: MixtureParams, probability: float) -> torch.Tensor:
    """The value q with F(q) = probability for each one-dimensional mixture, shape (N,), by bisection."""
    return _one_dimensional(params).quantile(probability)


def central_interval(params: MixtureParams, level: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The central interval holding probability ``level`` of each one-dimensional mixture: (lower, upper), each (N,).

    lower and upper are the (1 − level)/2 and (1 + level)/2 quantiles, e.g. the 5% and 95% quantiles for
    level = 0.9. For a multimodal mixture this interval can span empty gaps between branches: it has the
    promised coverage, but it is not the shortest region that does.
    """
    level = probability("level", level)
    return mixture_quantile(params, (1 - level) / 2), mixture_quantile(params, (1 + level) / 2)


def ks_distance_to_uniform(u) -> float:
    """The Kolmogorov–Smirnov distance between the empirical distribution of ``u`` and Uniform(0, 1).

    u: values in [0, 1], any shape (e.g. PIT values, (N,)). The largest gap between the empirical CDF and
    the diagonal; for N values truly drawn uniformly it is about 0.87/√N on average and rarely above
    1.36/√N (the 5% critical value).
    """
    u = _validate.float_tensor("u", u).reshape(-1).double()
    if u.numel() < 1:
        raise ValueError("u must hold at least one value")
    if bool(((u < 0) | (u > 1)).any()):
        raise ValueError(
            f"u must lie in [0, 1] (PIT values), got values from {float(u.min()):.3g} to {float(u.max()):.3g}"
        )
    u = u.sort().values
    n = u.numel()
    rank = torch.arange(1, n + 1, dtype=torch.float64)
    return float(torch.maximum(rank / n - u, u - (rank - 1) / n).max())


def coverage(params: MixtureParams, y, levels=(0.5, 0.9)) -> dict[float, float]:
    """How often the true target falls inside each central interval: ``{level: observed fraction}``.

    params: N one-dimensional mixtures; y: the N true targets, (N, 1) or (N,); levels: numbers in (0, 1).
    A calibrated model gives fractions close to the levels. y lies inside the central ``level`` interval
    exactly when its PIT value F(y) lies in [(1 − level)/2, (1 + level)/2], which is how it is counted.
    """
    mixture = _one_dimensional(params)
    if isinstance(levels, Real):
        levels = (levels,)
    if not isinstance(levels, (tuple, list)) or not levels:
        raise TypeError(f"levels must be a non-empty tuple or list of numbers in (0, 1), got {levels!r}")
    levels = [probability(f"levels[{i}]", level) for i, level in enumerate(levels)]
    y = _targets("y", y, len(mixture.log_weights))
    u = mixture.cdf64(y)
    return {level: float(((u >= (1 - level) / 2) & (u <= (1 + level) / 2)).double().mean()) for level in levels}


def _density_grid(mixture: Mixture) -> tuple[torch.Tensor, torch.Tensor]:
    """Each one-dimensional mixture's density on its own sorted grid, in float64: grid and density, (N, P) each.

    The grid joins HDI_POINTS_PER_COMPONENT points over μ_k ± HDI_REACH·σ_k for every component to
    HDI_SPAN_POINTS points over the whole span, so a narrow component is resolved as well as a wide one.
    """
    means, scales = mixture.means[..., 0].double(), mixture.scales[..., 0].double()  # (N, K)
    steps = torch.linspace(-HDI_REACH, HDI_REACH, HDI_POINTS_PER_COMPONENT, dtype=torch.float64)
    local = (means.unsqueeze(-1) + scales.unsqueeze(-1) * steps).flatten(1)  # (N, K * points)
    low = (means - HDI_REACH * scales).min(dim=1, keepdim=True).values
    high = (means + HDI_REACH * scales).max(dim=1, keepdim=True).values
    span = low + (high - low) * torch.linspace(0, 1, HDI_SPAN_POINTS, dtype=torch.float64)  # (N, span points)
    grid = torch.cat([local, span], dim=1).sort(dim=1).values  # (N, P)
    log_density = mixture_log_prob(  # each mixture (batch (N, 1)) at its own P grid points: (N, P)
        mixture.log_weights.double().unsqueeze(1),
        mixture.means.double().unsqueeze(1),
        mixture.scales.double().unsqueeze(1),
        grid.unsqueeze(-1),
    )
    return grid, log_density.exp()  # far from every component the density is 0


def _level_reached(heights: torch.Tensor, cell_mass: torch.Tensor, level: float) -> torch.Tensor:
    """Per mixture (N,): the largest h such that the cells with heights >= h hold at least ``level``."""
    order = heights.argsort(dim=1, descending=True)
    held = cell_mass.gather(1, order).cumsum(dim=1)
    reached = torch.searchsorted(held, torch.full((len(held), 1), level, dtype=held.dtype)).clamp_max(held.shape[1] - 1)
    return heights.gather(1, order.gather(1, reached))[:, 0]


def _mass_above(threshold: torch.Tensor, cells: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """The probability of {y : p(y) >= threshold} per mixture (N,), for the density linear inside each grid cell.

    cells: (lower end, upper end, width, probability) of every cell, each (N, P - 1). In a cell that crosses h
    the part above h is a trapezoid from the crossing to the upper end, of area width·(upper² − h²)/(2·(upper −
    lower)).
    """
    lower, upper, width, cell_mass = cells
    h = threshold.unsqueeze(1)
    crossing = width * (upper * upper - h * h) / (2 * (upper - lower).clamp_min(torch.finfo(upper.dtype).tiny))
    part = torch.where(lower >= h, cell_mass, torch.where(upper > h, crossing, 0.0))
    return part.sum(dim=1)


def _crossings(grid: torch.Tensor, density: torch.Tensor, threshold: torch.Tensor, rows, inside, outside):
    """Where the density crosses the threshold between grid points ``inside`` (>= h) and ``outside`` (< h)."""
    h = threshold[rows]
    p_in, p_out = density[rows, inside], density[rows, outside]
    return grid[rows, inside] + (p_in - h) / (p_in - p_out) * (grid[rows, outside] - grid[rows, inside])


def _pieces(grid: torch.Tensor, density: torch.Tensor, threshold: torch.Tensor) -> list[torch.Tensor]:
    """The runs of each grid (N, P) where density >= threshold (N,): N tensors (M, 2) of [lower, upper] rows."""
    above = torch.nn.functional.pad(density >= threshold.unsqueeze(1), (1, 1))  # (N, P + 2): below h off the grid
    change = above.int().diff(dim=1)  # (N, P + 1): +1 where a run starts, -1 just after it ends
    last = grid.shape[1] - 1
    start_rows, starts = (change == 1).nonzero(as_tuple=True)  # starts: the first grid index of each run
    end_rows, ends = (change == -1).nonzero(as_tuple=True)
    ends = ends - 1  # the last grid index of each run
    lower = torch.where(
        starts > 0,
        _crossings(grid, density, threshold, start_rows, starts, (starts - 1).clamp_min(0)),
        grid[:, 0][start_rows],
    )
    upper = torch.where(
        ends < last,
        _crossings(grid, density, threshold, end_rows, ends, (ends + 1).clamp_max(last)),
        grid[:, -1][end_rows],
    )
    counts = torch.bincount(start_rows, minlength=len(grid)).tolist()
    return list(torch.stack([lower, upper], dim=1).float().split(counts))


def highest_density_interval(params: MixtureParams, level: float) -> list[torch.Tensor]:
    """The shortest region holding probability ``level`` of each one-dimensional mixture, in one or more pieces.

    The region is {y : p(y) >= h}, with the density threshold h chosen so that it holds probability
    ``level``; no region of the same probability is shorter. For a single Gaussian it is the central
    interval; for a mixture with separate branches it is one piece per branch that is dense enough, and it
    leaves out the gaps that :func:`central_interval` spans.

    params: N one-dimensional mixtures (D = 1); level: in (0, 1). Returns a list of N float32 tensors, one per
    mixture, each of shape (M, 2): M >= 1 pieces as rows [lower, upper], sorted and disjoint. Computed on a grid
    that resolves every component (:data:`HDI_POINTS_PER_COMPONENT` points across each), with the density taken
    as linear between grid points; the pieces' probability is within about 1e-3 of ``level``.
    """
    mixture = _one_dimensional(params)
    level = probability("level", level)
    grid, density = _density_grid(mixture)
    left, right = density[:, :-1], density[:, 1:]
    width = grid.diff(dim=1)
    total = (0.5 * width * (left + right)).sum(dim=1, keepdim=True)  # 1, up to the trapezoid rule's error
    width = width / total  # so that every probability below is a share of the grid's total
    cell_mass = 0.5 * width * (left + right)  # the trapezoid rule, exact for the linear density
    lower, upper = torch.minimum(left, right), torch.maximum(left, right)
    cells = (lower, upper, width, cell_mass)
    # A cell lies wholly above h if its lower end does and partly if its upper end does, so the h that the two
    # sums give for ``level`` bracket the true one; bisection then narrows the bracket.
    low, high = _level_reached(lower, cell_mass, level), _level_reached(upper, cell_mass, level)
    for _ in range(_HDI_BISECTIONS):
        middle = 0.5 * (low + high)
        enough = _mass_above(middle, cells) >= level
        low = torch.where(enough, middle, low)
        high = torch.where(enough, high, middle)
    return _pieces(grid, density, low)


def inside_intervals(intervals, y) -> torch.Tensor:
    """Whether each target lies inside its mixture's region: a bool tensor (N,).

    intervals: a list of N tensors of shape (M, 2), rows [lower, upper] (what :func:`highest_density_interval`
    returns); y: the N targets, (N, 1) or (N,). The share of True values is the region's observed coverage.
    """
    if not isinstance(intervals, (list, tuple)) or not intervals:
        raise TypeError(
            "intervals must be a non-empty list of (M, 2) tensors, one per mixture "
            f"(what highest_density_interval returns), got {type(intervals).__name__}"
        )
    pieces = []
    for i, piece in enumerate(intervals):
        piece = _validate.float_tensor(f"intervals[{i}]", piece)
        if piece.ndim != 2 or piece.shape[1] != 2 or piece.shape[0] < 1:
            raise ValueError(f"intervals[{i}] must have shape (M, 2) with M >= 1, got {tuple(piece.shape)}")
        pieces.append(piece)
    targets = _targets("y", y, len(pieces)).float()
    rows = torch.repeat_interleave(torch.arange(len(pieces)), torch.tensor([len(piece) for piece in pieces]))
    stacked = torch.cat(pieces)
    hits = ((stacked[:, 0] <= targets[rows]) & (targets[rows] <= stacked[:, 1])).float()
    return torch.zeros(len(pieces)).index_add_(0, rows, hits) > 0
