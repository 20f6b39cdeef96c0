"""kernel_density: one Gaussian bump per training pair, bandwidths by validation NLL."""

import math

import pytest
import torch

import mdn_lessons as ml
from mdn_lessons import kernel_density as kd
from mdn_lessons.mixture import mixture_log_prob


def test_params_are_the_kernel_formula():
    x = torch.tensor([[0.0], [1.0], [3.0]])
    y = torch.tensor([[5.0], [-1.0], [2.0]])
    model = kd.kernel_conditional_density(x, y, bandwidth_x=0.5, bandwidth_y=0.2)
    params = kd.kernel_params(model, torch.tensor([[0.5], [2.0]]))
    sx, sy = float(x.std(unbiased=False)), float(y.std(unbiased=False))
    squared = ((torch.tensor([[0.5], [2.0]]) - x.T) / sx) ** 2
    torch.testing.assert_close(params.log_weights, torch.log_softmax(-0.5 * squared / 0.25, dim=1))
    torch.testing.assert_close(params.means[0, :, 0], y[:, 0])
    assert torch.allclose(params.scales, torch.tensor(0.2 * sy))


def test_estimate_is_a_density_in_y():
    x, y = ml.data.inverted_sine(n=300, seed=0)
    model = kd.kernel_conditional_density(x, y, 0.1, 0.05)
    grid = torch.linspace(-14, 14, 4001)
    log_p = kd.kernel_log_prob(model, torch.full((len(grid), 1), 1.0), grid[:, None])
    assert float(torch.trapezoid(log_p.exp(), grid)) == pytest.approx(1.0, abs=1e-3)


def test_trimmed_estimate_keeps_the_heavy_components_and_moves_no_density_by_more_than_the_trim():
    x, y = ml.data.inverted_sine(n=800, seed=0)
    model = kd.kernel_conditional_density(x, y, 0.1, 0.05)
    queries = torch.linspace(-10, 10, 41)[:, None]
    grid = torch.linspace(-12, 12, 301)[:, None, None]  # (G, 1, 1) against the (N, K, 1) parameters
    exact, trimmed = kd.kernel_params(model, queries), kd.kernel_params(model, queries, trim=1e-3)
    assert trimmed.log_weights.shape[1] < exact.log_weights.shape[1] // 2  # far neighbours dropped
    torch.testing.assert_close(trimmed.log_weights.exp().sum(dim=1), torch.ones(41))
    p_exact = mixture_log_prob(*exact, grid).exp()
    p_trimmed = mixture_log_prob(*trimmed, grid).exp()
    assert float(((p_trimmed - p_exact).abs() / p_exact.amax(dim=0)).max()) < 1e-3


def test_choice_scores_are_the_validation_nll_of_each_pair():
    x, y = ml.data.inverted_sine(n=200, seed=3)
    choice = kd.choose_bandwidths(x, y, candidates_x=(0.1, 0.3), candidates_y=(0.05, 0.2), seed=4)
    order = torch.randperm(200, generator=torch.Generator().manual_seed(4))
    valid, train = order[:50], order[50:]
    for (h_x, h_y), score in choice.validation_nll.items():
        model = kd.kernel_conditional_density(x[train], y[train], h_x, h_y)
        assert score == pytest.approx(float(-kd.kernel_log_prob(model, x[valid], y[valid]).mean()), abs=1e-5)


def test_choice_is_the_lowest_validation_nll_and_not_on_the_edge_here():
    x, y = ml.data.inverted_sine(n=600, seed=0)
    choice = kd.choose_bandwidths(x, y, seed=0)
    assert len(choice.validation_nll) == 36
    best = min(choice.validation_nll.values())
    assert choice.validation_nll[(choice.bandwidth_x, choice.bandwidth_y)] == best
    assert 0.02 < choice.bandwidth_x < 0.8  # branches need a narrow h_x, noise a non-zero one
    assert 0.01 < choice.bandwidth_y < 0.4  # the default grid brackets the best h_y too
    assert all(math.isfinite(v) for v in choice.validation_nll.values())


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda: kd.kernel_conditional_density(torch.zeros(5, 1), torch.zeros(5, 1), 0.0, 1.0),
            ValueError,
            "bandwidth_x",
        ),
        (
            lambda: kd.kernel_conditional_density(torch.zeros(5, 1), torch.zeros(5, 2), 1.0, 1.0),
            ValueError,
            "y must have 1",
        ),
        (lambda: kd.kernel_params("model", torch.zeros(2, 1)), TypeError, "KernelConditionalDensity"),
        (
            lambda: kd.kernel_params(
                kd.kernel_conditional_density(torch.zeros(5, 1), torch.zeros(5, 1), 1.0, 1.0),
                torch.zeros(2, 1),
                trim=0.5,
            ),
            ValueError,
            "trim",
        ),
        (
            lambda: kd.choose_bandwidths(torch.zeros(5, 1), torch.zeros(5, 1), candidates_x=()),
            TypeError,
            "candidates_x",
        ),
        (
            lambda: kd.choose_bandwidths(torch.zeros(5, 1), torch.zeros(5, 1), candidates_y=(0.1, -1.0)),
            ValueError,
            r"candidates_y\[1\]",
        ),
        (
            lambda: kd.choose_bandwidths(torch.zeros(5, 1), torch.zeros(5, 1), validation_fraction=1.0),
            ValueError,
            "validation_fraction",
        ),
    ],
)
def test_bad_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error, match=words):
        call()
