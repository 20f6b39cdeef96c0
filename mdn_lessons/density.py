"""Densities of fitted mixtures on grids, as numpy arrays ready to draw (no plotting here)."""

from __future__ import annotations

import numpy as np
import torch

from . import _validate
from .losses import gaussian_log_prob
from .models import MixtureParams


def _grid(y_grid) -> torch.Tensor:
    grid = _validate.float_tensor("y_grid", y_grid).reshape(-1)
    if grid.numel() < 2:
        raise ValueError(f"y_grid must hold at least 2 points, got {grid.numel()}")
    return grid


def _one_dimensional(params: MixtureParams) -> None:
    if not isinstance(params, MixtureParams):
        raise TypeError(f"params must be a MixtureParams, got {type(params).__name__}")
    if params.means.shape[-1] != 1:
        raise ValueError(
            f"only one-dimensional targets can be drawn on a grid; these means have D = {params.means.shape[-1]}"
        )


@torch.no_grad()
def component_log_densities(params: MixtureParams, y_grid) -> torch.Tensor:
    """log(π_k N(y; μ_k, σ_k²)) for every sample n, component k and grid value y: shape (G, N, K)."""
    _one_dimensional(params)
    grid = _grid(y_grid)[:, None, None]
    return params.log_weights + gaussian_log_prob(params.means[..., 0], params.scales[..., 0], grid)


def mixture_density_curve(params: MixtureParams, y_grid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a single 1-D mixture (N = 1): the grid (G,), the density (G,) and the weighted components (K, G)."""
    _one_dimensional(params)
    if params.log_weights.shape[0] != 1:
        raise ValueError(f"params must describe one mixture (N = 1), got N = {params.log_weights.shape[0]}")
    parts = component_log_densities(params, y_grid)[:, 0, :].exp()  # (G, K)
    return _grid(y_grid).numpy(), parts.sum(dim=1).numpy(), parts.T.numpy()


def conditional_density_grid(params: MixtureParams, y_grid) -> np.ndarray:
    """p(y | x_m) for each grid value y and each of the M rows of ``params``: shape (G, M)."""
    return torch.logsumexp(component_log_densities(params, y_grid), dim=2).exp().numpy()
