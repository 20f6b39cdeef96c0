import math

import pytest
import torch
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal

import mdn_lessons as ml


def random_mixture(n=7, k=4, d=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    log_weights = torch.log_softmax(torch.randn(n, k, generator=g), dim=1)
    means = torch.randn(n, k, d, generator=g) * 3
    scales = torch.rand(n, k, d, generator=g) + 0.1
    y = torch.randn(n, d, generator=g) * 3
    return log_weights, means, scales, y


def test_gaussian_nll_matches_torch_distributions():
    g = torch.Generator().manual_seed(1)
    mean, scale, y = (
        torch.randn(50, 2, generator=g),
        torch.rand(50, 2, generator=g) + 0.2,
        torch.randn(50, 2, generator=g),
    )
    expected = -Independent(Normal(mean, scale), 1).log_prob(y).mean()
    torch.testing.assert_close(ml.gaussian_nll(mean, scale, y), expected, atol=1e-5, rtol=1e-5)


def test_gaussian_nll_by_hand():
    # One sample y = 1 under N(0, 2²): 0.5 (1/2)² + log 2 + 0.5 log 2π.
    value = ml.gaussian_nll(torch.tensor([0.0]), torch.tensor([2.0]), torch.tensor([1.0]))
    assert float(value) == pytest.approx(0.125 + math.log(2) + 0.5 * math.log(2 * math.pi), abs=1e-6)


def test_gaussian_nll_is_negative_for_a_narrow_density():
    # A density can exceed 1, so an NLL can be below 0: the course's "why is my loss negative?".
    assert float(ml.gaussian_nll(torch.zeros(1), torch.tensor([0.01]), torch.zeros(1))) < 0


def test_mixture_nll_matches_torch_distributions():
    log_weights, means, scales, y = random_mixture()
    reference = MixtureSameFamily(Categorical(logits=log_weights), Independent(Normal(means, scales), 1))
    torch.testing.assert_close(
        ml.mixture_nll(log_weights, means, scales, y), -reference.log_prob(y).mean(), atol=1e-5, rtol=1e-5
    )


def test_mixture_nll_by_hand_for_two_components():
    # p(0) = 0.5 N(0; 0, 1) + 0.5 N(0; 2, 1) = 0.5 (φ(0) + φ(2)).
    log_weights = torch.log(torch.tensor([[0.5, 0.5]]))
    means = torch.tensor([[[0.0], [2.0]]])
    scales = torch.ones(1, 2, 1)
    phi = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731
    expected = -math.log(0.5 * (phi(0.0) + phi(2.0)))
    assert float(ml.mixture_nll(log_weights, means, scales, torch.zeros(1, 1))) == pytest.approx(expected, abs=1e-6)


def test_mixture_nll_stays_finite_far_away_and_with_tiny_scales():
    log_weights = torch.log_softmax(torch.tensor([[0.0, 1.0]]), dim=1).requires_grad_()
    means = torch.tensor([[[0.0], [1.0]]], requires_grad=True)
    scales = torch.tensor([[[1e-6], [1e-4]]], requires_grad=True)
    y = torch.tensor([[1e4]])
    loss = ml.mixture_nll(log_weights, means, scales, y)
    assert torch.isfinite(loss)
    # exp-then-log gives up here: every component density underflows to 0.
    naive = -torch.log((log_weights.exp() * Normal(means[..., 0], scales[..., 0]).log_prob(y).exp()).sum())
    assert torch.isinf(naive)
    loss.backward()
    for tensor in (log_weights, means, scales):
        assert torch.isfinite(tensor.grad).all()


def test_mixture_nll_accepts_1d_targets_for_one_feature():
    log_weights, means, scales, y = random_mixture(d=1)
    torch.testing.assert_close(
        ml.mixture_nll(log_weights, means, scales, y[:, 0]), ml.mixture_nll(log_weights, means, scales, y)
    )


def test_mixture_nll_refuses_mismatched_shapes():
    log_weights, means, scales, y = random_mixture(n=5, k=3, d=2)
    with pytest.raises(ValueError, match=r"means must have shape \(N, K, D\)"):
        ml.mixture_nll(log_weights, means[:, :2], scales, y)
    with pytest.raises(ValueError, match=r"scales must have shape \(N, K, D\)"):
        ml.mixture_nll(log_weights, means, scales[..., :1], y)
    with pytest.raises(ValueError, match=r"log_weights must have shape \(N, K\) with N = len\(y\)"):
        ml.mixture_nll(log_weights, means, scales, y[:4])
    with pytest.raises(ValueError, match=r"log_weights must have shape \(N, K\)"):
        ml.mixture_nll(log_weights[0], means, scales, y)


def test_mixture_nll_refuses_bad_values():
    log_weights, means, scales, y = random_mixture()
    with pytest.raises(ValueError, match="scales must all be > 0"):
        ml.mixture_nll(log_weights, means, -scales, y)
    with pytest.raises(ValueError, match="log_softmax"):
        ml.mixture_nll(log_weights + 1.0, means, scales, y)
    bad = y.clone()
    bad[0, 0] = float("inf")
    with pytest.raises(ValueError, match="y contains NaN or inf"):
        ml.mixture_nll(log_weights, means, scales, bad)


def test_gaussian_nll_refuses_bad_values():
    with pytest.raises(ValueError, match="scale must be > 0"):
        ml.gaussian_nll(torch.zeros(3), torch.tensor([1.0, 0.0, 1.0]), torch.zeros(3))
    with pytest.raises(ValueError, match="mean must have the shape of y"):
        ml.gaussian_nll(torch.zeros(4), torch.ones(3), torch.zeros(3))
    with pytest.raises(ValueError, match="mean contains NaN"):
        ml.gaussian_nll(torch.tensor([float("nan")]), torch.ones(1), torch.zeros(1))


def test_losses_accept_lists_and_numbers():
    assert float(ml.gaussian_nll(0.0, 1.0, [0.0, 0.0])) == pytest.approx(0.5 * math.log(2 * math.pi), abs=1e-6)
