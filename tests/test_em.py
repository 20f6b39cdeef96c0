"""em: EM for Gaussian mixtures lowers the NLL every round and recovers a known mixture."""

import math

import pytest
import torch

import mdn_lessons as ml
from mdn_lessons import em
from mdn_lessons import true_distributions as ld


@pytest.fixture(scope="module")
def y():
    return ld.sample(ld.three_bumps_p(), 1000, seed=0)


def test_e_step_gives_responsibilities_and_the_nll(y):
    p = ld.three_bumps_p()
    responsibilities, nll = em.e_step(p, y)
    assert responsibilities.shape == (1000, 3)
    assert torch.allclose(responsibilities.sum(dim=1), torch.ones(1000), atol=1e-6)
    assert nll == pytest.approx(float(-ld.log_density(p, y).mean()), abs=1e-5)
    # A sample far from every component still gets finite responsibilities (log space).
    far, far_nll = em.e_step(p, torch.tensor([[500.0]]))
    assert torch.isfinite(far).all() and math.isfinite(far_nll)


def test_m_step_with_hard_assignments_is_the_per_group_mean_and_std():
    y = torch.tensor([0.0, 1.0, 2.0, 10.0, 14.0])
    responsibilities = torch.tensor([[1.0, 0.0]] * 3 + [[0.0, 1.0]] * 2)
    params = em.m_step(y, responsibilities)
    assert torch.allclose(params.log_weights.exp(), torch.tensor([[0.6, 0.4]]))
    assert torch.allclose(params.means.reshape(-1), torch.tensor([1.0, 12.0]))
    assert torch.allclose(params.scales.reshape(-1), torch.tensor([math.sqrt(2 / 3), 2.0]))


def test_m_step_floor_and_bad_responsibilities():
    y = torch.tensor([1.0, 1.0, 5.0])
    responsibilities = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert em.m_step(y, responsibilities).scales.min() == 0  # collapsed onto repeated values
    assert float(em.m_step(y, responsibilities, min_scale=0.1).scales.min()) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="every row summing to 1"):
        em.m_step(y, torch.full((3, 2), 0.4))
    with pytest.raises(ValueError, match="same number of samples"):
        em.m_step(y, responsibilities[:2])
    with pytest.raises(ValueError, match="own no sample"):
        em.m_step(y, torch.tensor([[1.0, 0.0]] * 3))


def test_fit_em_lowers_the_nll_every_round_and_recovers_p(y):
    result = em.fit_em(y, 3, seed=0)
    steps = torch.tensor(result.nll)
    assert bool((steps[1:] <= steps[:-1] + 1e-9).all()), "EM never raises the NLL"
    order = torch.argsort(result.params.means.reshape(-1))
    assert torch.allclose(result.params.means.reshape(-1)[order], torch.tensor([-4.0, 0.0, 3.5]), atol=0.1)
    assert torch.allclose(result.params.log_weights.exp().reshape(-1)[order], torch.tensor([0.3, 0.5, 0.2]), atol=0.03)
    assert ld.kl_divergence(ld.three_bumps_p(), result.params) < 0.02


def test_fit_em_agrees_with_gradient_descent(y):
    result = em.fit_em(y, 3, seed=1)
    torch.manual_seed(0)
    mixture = ml.GaussianMixture(3)
    history = ml.fit(mixture, None, y, steps=400, lr=0.05, batch_size=len(y))
    assert result.nll[-1] == pytest.approx(history.loss[-1], abs=2e-3)


def test_initial_params_spread_over_the_bumps(y):
    start = em.initial_params(y, 3, seed=0)
    assert start.means.shape == (1, 3, 1)
    near = [float((start.means.reshape(-1) - centre).abs().min()) for centre in (-4.0, 0.0, 3.5)]
    assert max(near) < 2.0, "k-means++ puts a start in every bump"
    assert torch.equal(start.means, em.initial_params(y, 3, seed=0).means)


def test_fit_em_arguments_are_checked(y):
    with pytest.raises(ValueError, match="exactly one of n_components"):
        em.fit_em(y)
    with pytest.raises(ValueError, match="exactly one of n_components"):
        em.fit_em(y, 2, init=ld.three_bumps_p())
    with pytest.raises(ValueError, match="n_components must be at most"):
        em.initial_params(y[:2], 3)
    with pytest.raises(ValueError, match="init must describe one mixture"):
        em.fit_em(torch.zeros(5, 2), init=ld.three_bumps_p())
    with pytest.raises(TypeError, match="params must be MixtureParams"):
        em.e_step((1, 2, 3), y)
