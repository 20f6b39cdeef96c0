"""mixture_regression: full-covariance EM on the joint, conditioned on x, K by BIC."""

import math

import pytest
import torch
from torch.distributions import MultivariateNormal

from mdn_lessons import mixture_regression as mr
from mdn_lessons.losses import mixture_log_prob


def _two_blobs(n=600, seed=0):
    g = torch.Generator().manual_seed(seed)
    first = MultivariateNormal(torch.tensor([-2.0, 1.0]), torch.tensor([[1.0, 0.8], [0.8, 1.0]]))
    second = MultivariateNormal(torch.tensor([3.0, -2.0]), torch.tensor([[0.5, -0.2], [-0.2, 0.3]]))
    torch.manual_seed(seed)
    picks = torch.rand(n, generator=g) < 0.3
    return torch.where(picks[:, None], first.sample((n,)), second.sample((n,)))


def test_em_never_raises_the_nll_and_recovers_a_known_mixture():
    data = _two_blobs()
    mixture = mr.fit_joint_mixture(data, 2, seed=0)
    assert all(b <= a + 1e-9 for a, b in zip(mixture.nll, mixture.nll[1:], strict=False))
    order = mixture.means[:, 0].argsort()
    torch.testing.assert_close(
        mixture.means[order], torch.tensor([[-2.0, 1.0], [3.0, -2.0]], dtype=torch.float64), atol=0.25, rtol=0
    )
    torch.testing.assert_close(
        mixture.log_weights[order].exp(), torch.tensor([0.3, 0.7], dtype=torch.float64), atol=0.06, rtol=0
    )
    assert float(mixture.covariances[order[0], 0, 1]) > 0.5 and float(mixture.covariances[order[1], 0, 1]) < 0


def test_conditioning_is_bayes_rule_on_the_joint_density():
    data = _two_blobs()
    mixture = mr.fit_joint_mixture(data, 2, seed=0)
    x = torch.tensor([[-2.0], [0.5], [3.0]])
    params = mr.condition_on_inputs(mixture, x)
    assert params.log_weights.shape == (3, 2) and params.means.shape == params.scales.shape == (3, 2, 1)
    # p(y | x) = p(x, y) / p(x): the ratio at two y for the same x is the ratio of joint densities.
    for y_value in (-1.0, 0.0, 2.0):
        y = torch.full((3, 1), y_value)
        conditional = mixture_log_prob(*params, y)
        joint = mr.joint_log_prob(mixture, torch.cat([x, y], 1))
        grid = torch.linspace(-15, 15, 6001)
        pairs = torch.cat([x.repeat_interleave(len(grid), 0), grid.repeat(3)[:, None]], 1)
        marginal = torch.logsumexp(mr.joint_log_prob(mixture, pairs).view(3, -1).double(), 1) + math.log(
            float(grid[1] - grid[0])
        )
        torch.testing.assert_close(conditional.double(), joint.double() - marginal, atol=2e-3, rtol=0)


def test_one_component_gives_the_textbook_conditional():
    mixture = mr.JointMixture(
        torch.zeros(1, dtype=torch.float64),
        torch.tensor([[1.0, 2.0]], dtype=torch.float64),
        torch.tensor([[[4.0, 1.2], [1.2, 1.0]]], dtype=torch.float64),
    )
    params = mr.condition_on_inputs(mixture, torch.tensor([[3.0]]))
    assert float(params.means) == pytest.approx(2.0 + 1.2 / 4.0 * 2.0)
    assert float(params.scales) ** 2 == pytest.approx(1.0 - 1.2**2 / 4.0, rel=1e-5)


def test_bic_prefers_the_true_number_of_components():
    data = _two_blobs()
    chosen = mr.fit_mixture_regression(data[:, :1], data[:, 1:], n_components=(1, 2, 3, 4), seed=0)
    assert chosen.n_components == 2
    single = mr.fit_mixture_regression(data[:, :1], data[:, 1:], n_components=3, seed=0)
    assert single.n_components == 3


def test_matches_scikit_learn_when_installed():
    mixture_module = pytest.importorskip("sklearn.mixture")
    data = _two_blobs()
    ours = mr.fit_joint_mixture(data, 2, seed=0, min_variance=1e-6, tol=1e-10, steps=500)
    theirs = mixture_module.GaussianMixture(2, covariance_type="full", reg_covar=1e-6, tol=1e-10, random_state=0).fit(
        data.numpy()
    )
    assert float(mr.joint_log_prob(ours, data).mean()) == pytest.approx(theirs.score(data.numpy()), abs=1e-3)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: mr.fit_joint_mixture(torch.zeros(10, 1), 2), ValueError, "at least two columns"),
        (lambda: mr.fit_joint_mixture(torch.randn(10, 2), 0), ValueError, "n_components"),
        (lambda: mr.fit_joint_mixture(torch.randn(10, 2), 11), ValueError, "at most the number of samples"),
        (lambda: mr.fit_joint_mixture(torch.randn(10, 2), 2, min_variance=0), ValueError, "min_variance"),
        (lambda: mr.condition_on_inputs("mixture", torch.zeros(3, 1)), TypeError, "JointMixture"),
        (lambda: mr.fit_mixture_regression(torch.randn(10, 1), torch.randn(9, 1)), ValueError, "same number"),
        (
            lambda: mr.fit_mixture_regression(torch.randn(10, 1), torch.randn(10, 1), n_components=()),
            ValueError,
            "non-empty",
        ),
        (
            lambda: mr.fit_mixture_regression(torch.randn(10, 1), torch.randn(10, 1), n_components=(2, "3")),
            TypeError,
            r"n_components\[1\]",
        ),
    ],
)
def test_bad_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_conditioning_checks_the_input_width():
    mixture = mr.fit_joint_mixture(torch.randn(50, 3, generator=torch.Generator().manual_seed(0)), 1)
    with pytest.raises(ValueError, match="2 feature column"):
        mr.condition_on_inputs(mixture, torch.zeros(4, 1))
