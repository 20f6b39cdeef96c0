"""quantile_regression: the pinball loss is minimised by the quantile; QuantileMLP trains with ml.fit."""

import pytest
import torch

import mdn_lessons as ml
from mdn_lessons import quantile_regression as qr


def test_pinball_loss_value_and_gradient():
    predictions = torch.tensor([[0.0, 1.0], [2.0, 2.0]], requires_grad=True)
    y = torch.tensor([[1.0], [1.0]])
    loss = qr.pinball_loss(predictions, y, (0.1, 0.9))
    # errors y - q: [[1, 0], [-1, -1]] -> [[0.1, 0], [0.9, 0.1]]
    assert float(loss.detach()) == pytest.approx((0.1 + 0.0 + 0.9 + 0.1) / 4)
    loss.backward()
    assert predictions.grad is not None and torch.isfinite(predictions.grad).all()


def test_a_constant_minimising_the_pinball_loss_is_the_quantile():
    y = torch.randn(4001, 1, generator=torch.Generator().manual_seed(0)) ** 3
    candidates = torch.linspace(-3, 3, 1201)
    for tau in (0.1, 0.5, 0.8):
        losses = torch.stack([qr.pinball_loss(c.expand(len(y), 1), y, (tau,)) for c in candidates])
        best = float(candidates[losses.argmin()])
        assert best == pytest.approx(float(torch.quantile(y, tau)), abs=0.02)


def test_quantile_mlp_learns_intervals_of_a_noisy_line():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(1000, 1, generator=g) * 4
    y = 2 * x + 1 + 0.5 * torch.randn(1000, 1, generator=g)
    torch.manual_seed(0)
    net = qr.QuantileMLP(1, quantiles=(0.1, 0.5, 0.9))
    ml.fit(net, x, y, seed=0, steps=600)
    with torch.no_grad():
        q = net(torch.tensor([[1.0], [3.0]]))
    assert q.shape == (2, 3)
    expected = torch.tensor([[3.0, 3.0, 3.0], [7.0, 7.0, 7.0]]) + 0.5 * torch.tensor([-1.2816, 0.0, 1.2816])
    torch.testing.assert_close(q, expected, atol=0.25, rtol=0)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: qr.pinball_loss(torch.zeros(3, 2), torch.zeros(3, 1), (0.5,)), ValueError, "Q = 1"),
        (lambda: qr.pinball_loss(torch.zeros(3, 1), torch.zeros(4, 1), (0.5,)), ValueError, "same number"),
        (lambda: qr.pinball_loss(torch.zeros(3, 1), torch.zeros(3, 1), (1.5,)), ValueError, r"quantiles\[0\]"),
        (lambda: qr.pinball_loss(torch.zeros(3, 1), torch.zeros(3, 1), ()), TypeError, "quantiles"),
        (lambda: qr.QuantileMLP(1, quantiles=(0.5, 0.0)), ValueError, r"quantiles\[1\]"),
        (lambda: qr.QuantileMLP(0), ValueError, "in_features"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error, match=words):
        call()
