import numpy as np
import pytest
import torch
from torch.distributions import Normal

import mdn_lessons as ml


def two_component(n=1):
    return ml.MixtureParams(
        torch.log(torch.tensor([[0.25, 0.75]])).expand(n, 2),
        torch.tensor([[[-2.0], [1.0]]]).expand(n, 2, 1),
        torch.tensor([[[0.5], [1.0]]]).expand(n, 2, 1),
    )


def test_mixture_density_curve_is_the_weighted_sum_and_integrates_to_one():
    grid = torch.linspace(-8, 8, 4001)
    g, total, parts = ml.density.mixture_density_curve(two_component(), grid)
    expected = 0.25 * Normal(-2.0, 0.5).log_prob(grid).exp() + 0.75 * Normal(1.0, 1.0).log_prob(grid).exp()
    np.testing.assert_allclose(total, expected.numpy(), atol=1e-6)
    np.testing.assert_allclose(parts.sum(0), total, atol=1e-6)
    assert parts.shape == (2, 4001)
    assert np.trapezoid(total, g) == pytest.approx(1.0, abs=1e-4)


def test_conditional_density_grid_has_one_column_per_input():
    density = ml.density.conditional_density_grid(two_component(n=3), torch.linspace(-5, 5, 11))
    assert density.shape == (11, 3)
    np.testing.assert_allclose(density[:, 0], density[:, 2])


def test_density_helpers_refuse_bad_arguments():
    with pytest.raises(ValueError, match="y_grid must hold at least 2 points"):
        ml.density.mixture_density_curve(two_component(), torch.zeros(1))
    with pytest.raises(ValueError, match="params must describe one mixture"):
        ml.density.mixture_density_curve(two_component(n=2), torch.linspace(0, 1, 5))
    two_d = ml.MixtureParams(torch.zeros(1, 1), torch.zeros(1, 1, 2), torch.ones(1, 1, 2))
    with pytest.raises(ValueError, match="only one-dimensional targets"):
        ml.density.conditional_density_grid(two_d, torch.linspace(0, 1, 5))
    with pytest.raises(TypeError, match="params must be a MixtureParams"):
        ml.density.conditional_density_grid((1, 2, 3), torch.linspace(0, 1, 5))
