"""mixture: the one Gaussian mixture of the package agrees with torch.distributions and checks its parameters."""

import math

import pytest
import torch
from torch.distributions import Normal

import mdn_lessons as ml
from mdn_lessons.mixture import Mixture, MixtureParams, gaussian_log_prob, mixture_log_prob


def _random_mixture(batch=(4,), k=3, d=2, seed=0) -> Mixture:
    g = torch.Generator().manual_seed(seed)
    log_weights = torch.log_softmax(torch.randn(*batch, k, generator=g), dim=-1)
    means = 3 * torch.randn(*batch, k, d, generator=g)
    scales = 0.2 + torch.rand(*batch, k, d, generator=g)
    return Mixture(log_weights, means, scales)


@pytest.mark.parametrize("batch", [(5,), (2, 3)])
def test_log_prob_mean_and_variance_agree_with_torch_distributions(batch):
    mixture = _random_mixture(batch)
    dist = mixture.torch_distribution()
    y = 3 * torch.randn(*batch, 2, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(mixture.log_prob(y), dist.log_prob(y))
    torch.testing.assert_close(mixture.mean(), dist.mean)
    torch.testing.assert_close(mixture.variance(), dist.variance, rtol=1e-5, atol=1e-5)


def test_log_prob_broadcasts_many_targets_against_one_mixture_and_keeps_the_graph():
    means = torch.zeros(1, 2, 1, requires_grad=True)
    mixture = Mixture(torch.log(torch.tensor([[0.25, 0.75]])), means, torch.ones(1, 2, 1))
    y = torch.linspace(-2, 2, 7).unsqueeze(1)
    log_p = mixture.log_prob(y)
    assert log_p.shape == (7,)
    torch.testing.assert_close(log_p, Normal(0.0, 1.0).log_prob(y[:, 0]))
    log_p.sum().backward()
    assert means.grad is not None


def test_the_hand_written_gaussian_is_torchs_normal():
    y, mean, scale = torch.randn(10), torch.randn(10), torch.rand(10) + 0.1
    torch.testing.assert_close(gaussian_log_prob(mean, scale, y), Normal(mean, scale).log_prob(y))
    log_weights = torch.log_softmax(torch.randn(10, 4), dim=1)
    means, scales = torch.randn(10, 4, 1), torch.rand(10, 4, 1) + 0.1
    expected = MixtureParams(log_weights, means, scales).distribution().log_prob(y[:, None])
    torch.testing.assert_close(mixture_log_prob(log_weights, means, scales, y[:, None]), expected)


def test_cdf_and_quantile_invert_each_other_and_match_the_component_normals():
    mixture = _random_mixture((6,), k=3, d=1)
    y = torch.linspace(-4, 4, 6)
    weights = mixture.log_weights.exp()
    expected = (weights * Normal(mixture.means[..., 0], mixture.scales[..., 0]).cdf(y[:, None])).sum(-1)
    torch.testing.assert_close(mixture.cdf(y), expected)
    for p in (0.05, 0.5, 0.9):
        torch.testing.assert_close(mixture.cdf(mixture.quantile(p)), torch.full((6,), p), atol=1e-5, rtol=0)
    torch.testing.assert_close(mixture.cdf(torch.full((6,), -math.inf)), torch.zeros(6))


def test_sample_has_the_mixtures_moments_and_keeps_the_batch_shape():
    mixture = _random_mixture((2, 3), k=2, d=1, seed=3)
    draws = mixture.sample(40_000, generator=torch.Generator().manual_seed(0))
    assert draws.shape == (2, 3, 40_000, 1)
    torch.testing.assert_close(draws.mean(dim=-2), mixture.mean(), atol=0.1, rtol=0)
    torch.testing.assert_close(draws.var(dim=-2), mixture.variance(), atol=0.3, rtol=0.05)


def test_mode_and_most_probable_component_mean():
    mixture = Mixture(
        torch.log(torch.tensor([[0.3, 0.7], [0.9, 0.1]])),
        torch.tensor([[[-4.0], [5.0]], [[1.0], [9.0]]]),
        torch.ones(2, 2, 1),
    )
    torch.testing.assert_close(mixture.most_probable_component_mean(), torch.tensor([[5.0], [1.0]]))
    torch.testing.assert_close(mixture.mode(), torch.tensor([[5.0], [1.0]]), atol=1e-3, rtol=0)


def test_a_zero_weight_is_allowed_as_minus_infinity():
    mixture = Mixture(torch.tensor([[0.0, -math.inf]]), torch.tensor([[[0.0], [100.0]]]), torch.ones(1, 2, 1))
    torch.testing.assert_close(mixture.mean(), torch.tensor([[0.0]]))


@pytest.mark.parametrize(
    ("parts", "error", "words"),
    [
        ((torch.zeros(2, 2), torch.zeros(2, 2, 1), torch.ones(2, 2, 1)), ValueError, "exp sums to 1"),
        ((torch.full((2, 2), -math.log(2)), torch.zeros(2, 3, 1), torch.ones(2, 3, 1)), ValueError, "params.means"),
        ((torch.full((2, 2), -math.log(2)), torch.zeros(2, 2, 1), torch.ones(2, 2, 2)), ValueError, "params.scales"),
        ((torch.full((2, 2), -math.log(2)), torch.zeros(2, 2, 1), torch.zeros(2, 2, 1)), ValueError, "> 0"),
        ((torch.full((2, 2), -math.log(2)), torch.full((2, 2, 1), math.nan), torch.ones(2, 2, 1)), ValueError, "NaN"),
        ((torch.full((2, 2), math.inf), torch.zeros(2, 2, 1), torch.ones(2, 2, 1)), ValueError, "log_weights"),
    ],
)
def test_bad_parameters_are_refused_once_at_construction(parts, error, words):
    with pytest.raises(error, match=words):
        Mixture(*parts, name="params")


def test_from_params_and_the_params_record_round_trip():
    with pytest.raises(TypeError, match="params must be a MixtureParams"):
        Mixture.from_params((torch.zeros(1, 1), torch.zeros(1, 1, 1), torch.ones(1, 1, 1)))
    params = MixtureParams(torch.zeros(1, 1), torch.zeros(1, 1, 1), torch.ones(1, 1, 1))
    assert params.mixture().params == params
    assert ml.Mixture is Mixture and ml.MixtureParams is MixtureParams


def test_cdf_and_quantile_need_one_dimensional_targets():
    with pytest.raises(ValueError, match="D = 1"):
        _random_mixture(d=2).quantile(0.5)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        _random_mixture(d=1).quantile(1.0)
