"""tools/figure_makers/mdn_training.py: the README's training GIF shows σ widen first, then tighten."""

from __future__ import annotations

import pytest
import torch

import mdn_lessons as ml
from mdn_lessons.conditional import mean_scale
from tools.figure_makers.mdn_training import NarrowStartMDN, train_with_snapshots


@pytest.fixture(scope="module")
def data():
    x, y = ml.data.inverted_sine(n=3000, noise=1.0, seed=0)
    return x, y, torch.linspace(float(x.min()), float(x.max()), 50).unsqueeze(1)


def test_the_model_starts_narrow_with_the_same_mixture_everywhere(data):
    x, y, x_grid = data
    torch.manual_seed(0)
    with torch.no_grad():
        params = NarrowStartMDN(x, y, n_components=5, start_scale=0.02)(x_grid)
    assert params.log_weights.shape == (50, 5) and params.means.shape == params.scales.shape == (50, 5, 1)
    assert mean_scale(params) == pytest.approx((0.02 + 1e-3) * float(y.std()), rel=0.05)
    assert float(params.means[:, :, 0].std(dim=0).max()) < 0.5  # nearly the same means for every x


def test_sigma_widens_then_tightens(data):
    x, y, x_grid = data
    torch.manual_seed(0)
    steps = (0, 25, 150)
    snapshots = train_with_snapshots(NarrowStartMDN(x, y), x, y, x_grid, steps, steps=150)
    start, widest, later = (mean_scale(snapshots[step]) for step in steps)
    assert widest > 10 * start  # the components widen to cover the data ...
    assert later < widest / 3  # ... then tighten onto the branches


def test_bad_arguments_are_refused(data):
    x, y, x_grid = data
    with pytest.raises(ValueError, match="start_scale must be a number > 0"):
        NarrowStartMDN(x, y, start_scale=0)
    with pytest.raises(ValueError, match="snapshot_steps must be steps from 0 to 10"):
        train_with_snapshots(NarrowStartMDN(x, y), x, y, x_grid, (0, 20), steps=10)
