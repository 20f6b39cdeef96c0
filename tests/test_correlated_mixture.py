import math

import pytest
import torch
from torch.distributions import MultivariateNormal

import mdn_lessons as ml
from mdn_lessons import correlated_mixture as cm


def _random_bivariate(batch=(5,), k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    log_weights = torch.log_softmax(torch.randn(*batch, k, generator=g), dim=-1)
    means = torch.randn(*batch, k, 2, generator=g)
    scales = 0.2 + torch.rand(*batch, k, 2, generator=g)
    correlations = torch.tanh(2 * torch.randn(*batch, k, generator=g))
    return log_weights, means, scales, correlations


def test_bivariate_log_prob_matches_torch_multivariate_normal():
    log_weights, means, scales, correlations = _random_bivariate(batch=(4, 6))
    mixture = cm.from_correlations(log_weights, means, scales, correlations)
    y = torch.randn(4, 6, 2)
    expected = mixture.distribution().log_prob(y)
    assert torch.allclose(mixture.log_prob(y), expected, atol=1e-5)
    internal = cm.bivariate_mixture_log_prob(log_weights, means, scales, correlations, y)
    assert torch.allclose(internal, expected, atol=1e-5)


def test_the_covariance_is_built_from_scales_and_correlation():
    log_weights, means, scales, correlations = _random_bivariate()
    mixture = cm.from_correlations(log_weights, means, scales, correlations)
    cov = mixture.covariances
    assert torch.allclose(cov[..., 0, 0], scales[..., 0] ** 2, atol=1e-5)
    assert torch.allclose(cov[..., 1, 1], scales[..., 1] ** 2, atol=1e-5)
    assert torch.allclose(cov[..., 0, 1], correlations * scales[..., 0] * scales[..., 1], atol=1e-5)


def test_any_dimension_through_scale_tril_matches_torch():
    g = torch.Generator().manual_seed(1)
    d, k = 4, 3
    raw = torch.randn(7, k, d, d, generator=g)
    tril = torch.tril(raw, diagonal=-1) + torch.diag_embed(0.3 + torch.rand(7, k, d, generator=g))
    log_weights = torch.log_softmax(torch.randn(7, k, generator=g), dim=-1)
    means = torch.randn(7, k, d, generator=g)
    mixture = cm.from_scale_tril(log_weights, means, tril)
    y = torch.randn(7, d, generator=g)
    assert torch.allclose(mixture.log_prob(y), mixture.distribution().log_prob(y), atol=1e-5)
    same = cm.from_covariances(log_weights, means, mixture.covariances)
    assert torch.allclose(same.log_prob(y), mixture.log_prob(y), atol=1e-4)


def test_log_prob_stays_accurate_for_correlations_near_one():
    # Along the ridge of a nearly degenerate ellipse the textbook form cancels; the Cholesky form does not.
    for rho in (0.999, 0.99999, -0.99999):
        means, scales = torch.zeros(1, 1, 2), torch.ones(1, 1, 2)
        y = torch.tensor([[0.7, 0.7 * math.copysign(1, rho) + 1e-3]])
        got = cm.from_correlations(torch.zeros(1, 1), means, scales, torch.tensor([[rho]])).log_prob(y)
        exact = MultivariateNormal(
            torch.zeros(2, dtype=torch.float64),
            torch.tensor([[1.0, rho], [rho, 1.0]], dtype=torch.float64),
        ).log_prob(y.double())
        assert torch.isfinite(got).all()
        assert abs(float(got) - float(exact)) < 1e-3 * max(1.0, abs(float(exact)))


def test_gradients_are_finite_near_the_edge():
    raw = torch.tensor([[8.0, -8.0]], requires_grad=True)
    rho = torch.tanh(raw).clamp(-1 + 1e-6, 1 - 1e-6)
    log_p = cm.bivariate_mixture_log_prob(
        torch.log(torch.full((1, 2), 0.5)), torch.zeros(1, 2, 2), torch.ones(1, 2, 2), rho, torch.tensor([[0.3, 0.2]])
    )
    log_p.sum().backward()
    assert torch.isfinite(log_p).all() and torch.isfinite(raw.grad).all()


def test_sampling_reproduces_the_weights_means_and_covariances():
    log_weights = torch.log(torch.tensor([[0.7, 0.3]]))
    means = torch.tensor([[[-5.0, 0.0], [5.0, 1.0]]])
    scales = torch.tensor([[[1.0, 0.5], [0.5, 2.0]]])
    correlations = torch.tensor([[0.8, -0.6]])
    mixture = cm.from_correlations(log_weights, means, scales, correlations)
    draws = mixture.sample(40_000, generator=torch.Generator().manual_seed(0))[0]
    assert draws.shape == (40_000, 2)
    left = draws[draws[:, 0] < 0]
    assert abs(len(left) / len(draws) - 0.7) < 0.01
    cov = torch.cov(left.T)
    assert abs(float(cov[0, 1] / cov.diag().prod().sqrt()) - 0.8) < 0.02
    assert torch.allclose(left.mean(0), means[0, 0], atol=0.03)


def test_temperature_sharpens_the_choice_and_shrinks_the_covariance():
    log_weights = torch.log(torch.tensor([[0.7, 0.3]]))
    means = torch.tensor([[[-5.0, 0.0], [5.0, 0.0]]])
    mixture = cm.from_correlations(log_weights, means, torch.ones(1, 2, 2), torch.tensor([[0.5, 0.5]]))
    draws = mixture.sample(40_000, temperature=0.5, generator=torch.Generator().manual_seed(0))[0]
    left = draws[draws[:, 0] < 0]
    share = 0.7**2 / (0.7**2 + 0.3**2)
    assert abs(len(left) / len(draws) - share) < 0.01
    cov = torch.cov(left.T)
    assert torch.allclose(cov, 0.5 * torch.tensor([[1.0, 0.5], [0.5, 1.0]]), atol=0.02)


def test_sampling_is_repeatable_with_a_generator_and_keeps_the_batch_shape():
    mixture = cm.from_correlations(*_random_bivariate(batch=(2, 3)))
    a = mixture.sample(4, generator=torch.Generator().manual_seed(3))
    b = mixture.sample(4, generator=torch.Generator().manual_seed(3))
    assert a.shape == (2, 3, 4, 2) and torch.equal(a, b)


@pytest.mark.parametrize("rho", [1.0, -1.0, 1.5])
def test_a_correlation_of_one_or_more_is_refused(rho):
    log_weights, means, scales, correlations = _random_bivariate()
    correlations[0, 0] = rho
    with pytest.raises(ValueError, match="correlations must lie strictly between -1 and 1"):
        cm.from_correlations(log_weights, means, scales, correlations)


def test_bad_factors_and_shapes_are_refused_by_name():
    log_weights = torch.log(torch.full((2, 3), 1 / 3))
    means = torch.zeros(2, 3, 2)
    good = torch.eye(2).expand(2, 3, 2, 2).clone()
    zero_diagonal = good.clone()
    zero_diagonal[0, 0, 1, 1] = 0.0
    with pytest.raises(ValueError, match="scale_tril must have a diagonal > 0"):
        cm.from_scale_tril(log_weights, means, zero_diagonal)
    upper = good.clone()
    upper[1, 2, 0, 1] = 0.5
    with pytest.raises(ValueError, match="scale_tril must be lower triangular"):
        cm.from_scale_tril(log_weights, means, upper)
    with pytest.raises(ValueError, match="scale_tril must have shape"):
        cm.from_scale_tril(log_weights, means, good[:, :2])
    with pytest.raises(ValueError, match="means must have shape"):
        cm.from_correlations(log_weights, torch.zeros(2, 3, 3), torch.ones(2, 3, 2), torch.zeros(2, 3))
    with pytest.raises(ValueError, match="correlations must have shape"):
        cm.from_correlations(log_weights, means, torch.ones(2, 3, 2), torch.zeros(2, 2))
    with pytest.raises(ValueError, match="scales must all be > 0"):
        cm.from_correlations(log_weights, means, torch.zeros(2, 3, 2), torch.zeros(2, 3))
    with pytest.raises(ValueError, match="log_weights must be log-probabilities"):
        cm.from_correlations(torch.zeros(2, 3), means, torch.ones(2, 3, 2), torch.zeros(2, 3))
    not_pd = torch.tensor([[1.0, 2.0], [2.0, 1.0]]).expand(2, 3, 2, 2)
    with pytest.raises(ValueError, match="covariances must be positive definite"):
        cm.from_covariances(log_weights, means, not_pd)
    mixture = cm.from_scale_tril(log_weights, means, good)
    with pytest.raises(ValueError, match="y must have D = 2"):
        mixture.log_prob(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="temperature"):
        mixture.sample(1, temperature=0.0)


def test_the_package_exports_the_module():
    assert ml.correlated_mixture is cm
