"""true_distributions: the true P's of lessons 01 and 02 sample correctly, and their entropy and KL are exact."""

import math

import numpy as np
import pytest
import torch
from torch.distributions import Normal

import mdn_lessons as ml
from mdn_lessons import true_distributions as ld


def test_gaussian_mixture_builds_one_row_of_mixture_params():
    p = ld.gaussian_mixture([0.25, 0.75], [-1.0, 2.0], [0.5, 1.5])
    assert isinstance(p, ml.MixtureParams)
    assert p.log_weights.shape == (1, 2) and p.means.shape == (1, 2, 1) and p.scales.shape == (1, 2, 1)
    assert torch.allclose(p.log_weights.exp(), torch.tensor([[0.25, 0.75]]))
    assert p.means.dtype == torch.float32


@pytest.mark.parametrize(
    ("weights", "means", "scales", "message"),
    [
        ([0.5, 0.5], [0.0], [1.0, 1.0], "means must hold one value per component"),
        ([0.5, 0.6], [0.0, 1.0], [1.0, 1.0], "weights must sum to 1"),
        ([1.2, -0.2], [0.0, 1.0], [1.0, 1.0], "weights must all be > 0"),
        ([1.0], [0.0], [0.0], "scales must all be > 0"),
        ([1.0], [float("nan")], [1.0], "means contains"),
        ([], [], [], "at least one component"),
    ],
)
def test_gaussian_mixture_refuses_bad_parameters(weights, means, scales, message):
    with pytest.raises(ValueError, match=message):
        ld.gaussian_mixture(weights, means, scales)


def test_gaussian_entropy_matches_the_closed_form():
    for scale in (0.05, 1.0, 7.0):
        p = ld.gaussian_mixture([1.0], [3.0], [scale])
        assert ld.entropy(p) == pytest.approx(0.5 * math.log(2 * math.pi * math.e * scale**2), abs=1e-6)


def test_kl_between_gaussians_matches_the_closed_form():
    p = ld.gaussian_mixture([1.0], [0.5], [1.2])
    q = ld.gaussian_mixture([1.0], [-1.0], [0.7])
    exact = math.log(0.7 / 1.2) + (1.2**2 + 1.5**2) / (2 * 0.7**2) - 0.5
    assert ld.kl_divergence(p, q) == pytest.approx(exact, abs=1e-6)
    assert ld.kl_divergence(p, p) == 0.0


def test_cross_entropy_of_a_gaussian_q_matches_its_moments_formula():
    # E_P[-log N(y; m, s²)] = log s + ½ log 2π + (Var_P + (E_P y - m)²) / (2 s²) for any P.
    p = ld.skewed_p()
    weights, means, scales = np.array([0.7, 0.3]), np.array([1.0, 2.5]), np.array([0.6, 1.1])
    mean = (weights * means).sum()
    variance = (weights * (scales**2 + means**2)).sum() - mean**2
    m, s = 0.3, 0.9
    exact = math.log(s) + 0.5 * math.log(2 * math.pi) + (variance + (mean - m) ** 2) / (2 * s**2)
    assert ld.cross_entropy(p, ld.gaussian_mixture([1.0], [m], [s])) == pytest.approx(exact, abs=1e-6)


def test_mixture_entropy_agrees_with_a_monte_carlo_estimate():
    p = ld.three_bumps_p()
    y = ld.sample(p, 200_000, seed=5)
    estimate = float(-ld.log_density(p, y).double().mean())
    assert ld.entropy(p) == pytest.approx(estimate, abs=0.01)


def test_kl_is_smallest_at_the_moment_matched_gaussian_and_positive_elsewhere():
    p = ld.skewed_p()
    best = ld.kl_divergence(p, ld.gaussian_mixture([1.0], [1.45], [1.0428]))
    assert 0.09 < best < 0.1  # a single Gaussian cannot be P exactly
    for m, s in ((1.2, 1.0428), (1.45, 0.9), (1.7, 1.2)):
        assert ld.kl_divergence(p, ld.gaussian_mixture([1.0], [m], [s])) > best


def test_a_fitted_gaussian_mixture_model_is_accepted_as_q():
    torch.manual_seed(0)
    model = ml.GaussianMixture(2)
    with torch.no_grad():
        params = model()
    assert ld.cross_entropy(ld.skewed_p(), model) == ld.cross_entropy(ld.skewed_p(), params)


def test_sample_is_seeded_and_follows_the_weights():
    p = ld.three_bumps_p()
    a = ld.sample(p, 20_000, seed=3)
    assert a.shape == (20_000, 1) and a.dtype == torch.float32
    assert torch.equal(a, ld.sample(p, 20_000, seed=3))
    assert not torch.equal(a, ld.sample(p, 20_000, seed=4))
    # The bumps are far apart, so the share of samples below -2 is the first weight (0.3).
    assert float((a < -2).float().mean()) == pytest.approx(0.3, abs=0.01)
    assert float(a.mean()) == pytest.approx(0.3 * -4 + 0.2 * 3.5, abs=0.05)


def test_log_density_matches_torch_distributions():
    p = ld.gaussian_mixture([1.0], [1.0], [2.0])
    y = torch.linspace(-5, 5, 11)
    assert torch.allclose(ld.log_density(p, y), Normal(1.0, 2.0).log_prob(y), atol=1e-5)
    mixture = ld.three_bumps_p()
    assert torch.allclose(ld.log_density(mixture, y), mixture.distribution().log_prob(y[:, None]), atol=1e-5)


def test_bad_arguments_are_refused_with_the_argument_named():
    with pytest.raises(TypeError, match="p must be MixtureParams"):
        ld.entropy("not a distribution")
    with pytest.raises(ValueError, match="q must describe one mixture over one feature"):
        two_rows = ml.MixtureParams(torch.zeros(2, 1), torch.zeros(2, 1, 1), torch.ones(2, 1, 1))
        ld.cross_entropy(ld.skewed_p(), two_rows)
    with pytest.raises(ValueError, match="n must be"):
        ld.sample(ld.skewed_p(), 0)
    with pytest.raises(ValueError, match="y must have 1 feature"):
        ld.log_density(ld.skewed_p(), torch.zeros(3, 2))
