import math

import numpy as np
import pytest
import torch

import mdn_lessons as ml
from mdn_lessons.conditional import binned_mean, inverted_sine_branches, mean_scale


def test_binned_mean_matches_a_direct_average_in_every_bin():
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, size=500)
    y = np.sin(x) + rng.normal(size=500)
    result = binned_mean(x, y, bins=8, min_count=1)
    edges = np.linspace(x.min(), x.max(), 9)
    for b in range(8):
        upper = x <= edges[b + 1] if b == 7 else x < edges[b + 1]
        chosen = y[(x >= edges[b]) & upper]
        assert result.counts[b] == len(chosen)
        assert result.means[b] == pytest.approx(chosen.mean(), abs=1e-6)
        assert result.variances[b] == pytest.approx(chosen.var(), abs=1e-6)
    assert result.centres == pytest.approx(0.5 * (edges[:-1] + edges[1:]))
    assert result.counts.sum() == 500  # the default range keeps every sample, the largest x included


def test_binned_mean_recovers_a_linear_conditional_mean():
    x = torch.linspace(0, 10, 10_001)
    result = binned_mean(x, 3 * x - 1, bins=10)
    assert result.means == pytest.approx(3 * result.centres - 1, abs=0.01)
    # Within a bin of width 1, y = 3x varies like 3 × U(0, 1): variance 9 / 12.
    assert result.variances == pytest.approx(9 / 12, abs=0.01)


def test_weighted_bin_variance_is_the_mse_of_predicting_by_the_bin_mean():
    x, y = ml.data.inverted_sine(n=2000, noise=1.0, seed=4)
    result = binned_mean(x, y, bins=20, min_count=1)
    index = np.clip(
        np.searchsorted(np.linspace(float(x.min()), float(x.max()), 21), x[:, 0].numpy(), side="right") - 1, 0, 19
    )
    mse = np.mean((y[:, 0].numpy() - result.means[index]) ** 2)
    assert result.pooled_variance == pytest.approx(mse, rel=1e-5)


def test_pooled_variance_skips_bins_without_an_estimate():
    x = torch.tensor([0.1, 0.2, 0.3, 0.9])
    y = torch.tensor([1.0, 2.0, 3.0, 100.0])
    result = binned_mean(x, y, bins=2, x_range=(0.0, 1.0), min_count=2)
    assert result.pooled_variance == pytest.approx(np.var([1.0, 2.0, 3.0]))
    assert math.isnan(binned_mean(x, y, bins=2, min_count=5).pooled_variance)


def test_inverted_sine_conditional_mean_lies_between_the_branches_at_zero():
    # At x = 0 the inverted sine has three branches, near y = -3.8, 0 and 3.8 (wave is odd), so the
    # conditional mean sits near 0 while the spread is that of three separated branches.
    x, y = ml.data.inverted_sine(n=20_000, noise=1.0, seed=5)
    result = binned_mean(x, y, bins=1, x_range=(-0.5, 0.5))
    assert abs(result.means[0]) < 0.5
    assert result.variances[0] > 5.0


def test_sparse_bins_get_nan_and_out_of_range_samples_are_left_out():
    x = torch.tensor([0.1, 0.2, 0.3, 0.9, 5.0])
    y = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    result = binned_mean(x, y, bins=2, x_range=(0.0, 1.0), min_count=2)
    assert list(result.counts) == [3, 1]
    assert result.means[0] == pytest.approx(2.0)
    assert math.isnan(result.means[1]) and math.isnan(result.variances[1])


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"bins": 0}, ValueError, "bins"),
        ({"bins": 2.5}, TypeError, "bins"),
        ({"min_count": 0}, ValueError, "min_count"),
        ({"x_range": (1.0, 0.0)}, ValueError, "x_range"),
        ({"x_range": (0.0,)}, TypeError, "x_range"),
        ({"x_range": (0.0, float("nan"))}, TypeError, "x_range"),
    ],
)
def test_binned_mean_refuses_bad_settings(kwargs, error, words):
    with pytest.raises(error, match=words):
        binned_mean(torch.rand(10, 1), torch.rand(10, 1), **kwargs)


def test_binned_mean_refuses_bad_data():
    with pytest.raises(ValueError, match="same number of samples"):
        binned_mean(torch.rand(10, 1), torch.rand(9, 1))
    with pytest.raises(ValueError, match="NaN or inf"):
        binned_mean(torch.tensor([0.0, float("nan")]), torch.rand(2))
    with pytest.raises(ValueError, match="feature"):
        binned_mean(torch.rand(10, 2), torch.rand(10, 1))
    with pytest.raises(ValueError, match="constant"):
        binned_mean(torch.ones(10), torch.rand(10))


def test_inverted_sine_branches_trace_the_noise_free_curve():
    x, y = inverted_sine_branches(points=201)
    assert x.shape == y.shape == (201,)
    assert (y[0], y[-1]) == (-10.0, 10.0)
    assert x == pytest.approx(7 * np.sin(0.75 * y) + 0.5 * y)
    with pytest.raises(ValueError, match="points"):
        inverted_sine_branches(points=1)


def test_mean_scale_weights_each_sigma_by_its_mixture_weight():
    weights = torch.tensor([[0.25, 0.75], [1.0, 0.0]])
    scales = torch.tensor([[2.0, 4.0], [1.0, 100.0]]).unsqueeze(-1)
    params = ml.MixtureParams(weights.log(), torch.zeros(2, 2, 1), scales)
    # Row 1: 0.25·2 + 0.75·4 = 3.5; row 2: the switched-off component (σ = 100) does not count: 1.0.
    assert mean_scale(params) == pytest.approx((3.5 + 1.0) / 2)


def test_mean_scale_of_a_fitted_mdn_is_a_positive_float():
    torch.manual_seed(0)
    mdn = ml.MDN(1, 1, n_components=3)
    value = mean_scale(mdn(torch.linspace(-1, 1, 7).unsqueeze(1)))
    assert isinstance(value, float) and value > 0


def test_mean_scale_refuses_what_is_not_a_mixture():
    with pytest.raises(TypeError, match="MixtureParams"):
        mean_scale((torch.zeros(2, 2), torch.zeros(2, 2, 1), torch.ones(2, 2, 1)))
    with pytest.raises(ValueError, match="same N and K"):
        mean_scale(ml.MixtureParams(torch.zeros(2, 3), torch.zeros(2, 2, 1), torch.ones(2, 2, 1)))
