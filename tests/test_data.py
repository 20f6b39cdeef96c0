import math

import numpy as np
import pytest
import torch

import mdn_lessons as ml


@pytest.mark.parametrize("make", [ml.data.sine, ml.data.inverted_sine])
def test_generators_return_seeded_float32_columns(make):
    x, y = make(n=500, noise=0.5, seed=3)
    assert x.shape == y.shape == (500, 1)
    assert x.dtype == y.dtype == torch.float32
    x2, y2 = make(n=500, noise=0.5, seed=3)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    x3, _ = make(n=500, noise=0.5, seed=4)
    assert not torch.equal(x, x3)


def test_sine_is_the_forward_problem():
    x, y = ml.data.sine(n=2000, noise=0.0, seed=0)
    assert float(x.min()) >= -10 and float(x.max()) <= 10
    torch.testing.assert_close(y, 7 * torch.sin(0.75 * x) + 0.5 * x)


def test_inverted_sine_swaps_the_roles_and_adds_noise_to_x():
    x, y = ml.data.inverted_sine(n=20000, noise=1.0, seed=0)
    assert float(y.min()) >= -10 and float(y.max()) <= 10
    residual = x - ml.data.wave(y)
    assert abs(float(residual.mean())) < 0.03
    assert abs(float(residual.std()) - 1.0) < 0.03


def test_inverted_sine_log_prob_integrates_to_one_over_y():
    x = torch.tensor([[-9.0], [-2.0], [0.0], [3.3], [11.0]])
    grid = torch.linspace(-10, 10, 8001)
    for noise in (1.0, 0.3):
        logp = ml.data.inverted_sine_log_prob(x.repeat_interleave(len(grid), 0), grid.repeat(len(x)), noise=noise)
        density = logp.exp().view(len(x), -1).double()
        mass = torch.trapezoid(density, grid.double(), dim=1)
        torch.testing.assert_close(mass, torch.ones(len(x), dtype=torch.float64), atol=2e-3, rtol=0)


def test_inverted_sine_log_prob_is_bayes_rule_at_a_point():
    # p(y | x) ∝ N(x; wave(y), σ²): the ratio of two y for the same x needs no normaliser.
    x = torch.tensor([[1.0], [1.0]])
    y = torch.tensor([[0.5], [-4.0]])
    logp = ml.data.inverted_sine_log_prob(x, y, noise=1.0)
    expected = (
        -0.5 * (1.0 - float(ml.data.wave(torch.tensor(0.5)))) ** 2
        + 0.5 * (1.0 - float(ml.data.wave(torch.tensor(-4.0)))) ** 2
    )
    assert float(logp[0] - logp[1]) == pytest.approx(expected, abs=1e-4)


def test_inverted_sine_log_prob_is_minus_inf_outside_the_prior():
    logp = ml.data.inverted_sine_log_prob(torch.zeros(2, 1), torch.tensor([[10.5], [-12.0]]))
    assert torch.isinf(logp).all() and (logp < 0).all()


def test_bayes_limit_beats_a_wrong_density():
    x, y = ml.data.inverted_sine(n=5000, noise=1.0, seed=1)
    bayes = -ml.data.inverted_sine_log_prob(x, y, noise=1.0).mean()
    uniform = math.log(20.0)  # NLL of the prior alone
    assert 1.0 < float(bayes) < uniform


def test_log_prob_accepts_1d_inputs():
    x, y = ml.data.inverted_sine(n=10, seed=0)
    torch.testing.assert_close(ml.data.inverted_sine_log_prob(x[:, 0], y[:, 0]), ml.data.inverted_sine_log_prob(x, y))


def test_wave_works_on_numpy_and_torch():
    t = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(ml.data.wave(t), ml.data.wave(torch.tensor(t)).numpy())


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"n": 0}, ValueError, "n must be a whole number >= 1"),
        ({"n": 2.5}, TypeError, "n must be a whole number"),
        ({"noise": -0.1}, ValueError, "noise must be a finite number >= 0"),
        ({"noise": float("nan")}, ValueError, "noise"),
        ({"seed": -1}, ValueError, "seed must be a whole number >= 0"),
    ],
)
def test_generators_refuse_bad_arguments(kwargs, error, words):
    for make in (ml.data.sine, ml.data.inverted_sine):
        with pytest.raises(error, match=words):
            make(**kwargs)


def test_log_prob_refuses_bad_arguments():
    x, y = ml.data.inverted_sine(n=10, seed=0)
    with pytest.raises(ValueError, match="noise must be a finite number > 0"):
        ml.data.inverted_sine_log_prob(x, y, noise=0.0)
    with pytest.raises(ValueError, match="x and y must hold the same number of samples"):
        ml.data.inverted_sine_log_prob(x, y[:5])
    bad = x.clone()
    bad[3] = float("nan")
    with pytest.raises(ValueError, match="x contains 1 NaN or inf"):
        ml.data.inverted_sine_log_prob(bad, y)
    with pytest.raises(ValueError, match=r"y must have 1 feature column"):
        ml.data.inverted_sine_log_prob(x, torch.zeros(10, 2))
    with pytest.raises(TypeError, match="x must be a tensor or array of real numbers"):
        ml.data.inverted_sine_log_prob("abc", y)


def bishop_curve(y):
    return y + 0.3 * np.sin(2 * np.pi * y)


def test_inverse_problem_generalises_the_inverted_sine():
    x, y = ml.data.inverse_problem(ml.data.wave, n=300, noise=1.0, seed=2)
    xs, ys = ml.data.inverted_sine(n=300, noise=1.0, seed=2)
    assert torch.equal(x, xs) and torch.equal(y, ys)
    torch.testing.assert_close(
        ml.data.inverse_problem_log_prob(x, y, ml.data.wave, noise=1.0), ml.data.inverted_sine_log_prob(x, y)
    )


def test_inverse_problem_log_prob_integrates_to_one_for_another_curve():
    x = torch.tensor([[0.1], [0.5], [0.9]])
    grid = torch.linspace(0, 1, 4001)
    logp = ml.data.inverse_problem_log_prob(
        x.repeat_interleave(len(grid), 0), grid.repeat(len(x)), bishop_curve, noise=0.05, y_range=(0, 1)
    )
    mass = torch.trapezoid(logp.exp().view(len(x), -1).double(), grid.double(), dim=1)
    torch.testing.assert_close(mass, torch.ones(3, dtype=torch.float64), atol=2e-3, rtol=0)
    x_data, y_data = ml.data.inverse_problem(bishop_curve, n=500, noise=0.05, seed=0, y_range=(0, 1))
    assert float(y_data.min()) >= 0 and float(y_data.max()) <= 1


def test_inverse_problem_refuses_bad_arguments():
    with pytest.raises(TypeError, match="curve must be a function of y"):
        ml.data.inverse_problem(3.0)
    with pytest.raises(ValueError, match="y_range must satisfy low < high"):
        ml.data.inverse_problem(bishop_curve, y_range=(1, 0))
    with pytest.raises(TypeError, match=r"y_range must be a pair \(low, high\)"):
        ml.data.inverse_problem_log_prob([0.0], [0.0], bishop_curve, noise=0.1, y_range=1.0)
