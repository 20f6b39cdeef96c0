import itertools
import math

import pytest
import torch
from torch.distributions import MixtureSameFamily

import mdn_lessons as ml
from mdn_lessons.sequences import (
    BRANCHING,
    MDNRNN,
    MSERNN,
    branching_curves,
    branching_log_prob,
    future_shares,
    generate,
)


def next_step_pairs(curves):
    steps = curves.diff(dim=1)
    return steps[:, :-1], steps[:, 1:]


# --- data -------------------------------------------------------------------------------------------------


def test_branching_curves_are_float32_batch_first_and_start_at_zero():
    curves = branching_curves(n=7, length=12, seed=0)
    assert curves.shape == (7, 12, 1) and curves.dtype == torch.float32
    assert torch.equal(curves[:, 0], torch.zeros(7, 1))


def test_branching_curves_are_repeatable_by_seed():
    assert torch.equal(branching_curves(50, 10, seed=3), branching_curves(50, 10, seed=3))
    assert not torch.equal(branching_curves(50, 10, seed=3), branching_curves(50, 10, seed=4))


def test_branching_curves_fork_in_the_stated_proportions():
    n, length = 20_000, 17
    h, p = BRANCHING["branch_prob"], BRANCHING["p_up"]
    final = branching_curves(n, length, seed=0)[:, -1, 0]
    shares = future_shares(final[:, None], start=0.0, margin=0.2)
    still_flat = (1 - h) ** (length - 1)
    # The margin counts the few curves that branched at the very last step as flat, hence the tolerance.
    assert shares["flat"] == pytest.approx(still_flat, abs=0.01)
    assert shares["up"] == pytest.approx(p * (1 - still_flat), abs=0.015)
    assert shares["down"] == pytest.approx((1 - p) * (1 - still_flat), abs=0.015)


def test_a_branched_curve_keeps_its_direction_at_the_given_slope():
    curves = branching_curves(2000, 30, p_up=1.0, branch_prob=0.5, slope=0.5, noise=0.01, seed=1)
    steps = curves.diff(dim=1)[..., 0]
    assert (steps > -0.1).all(), "with p_up = 1 no curve may go down"
    ramp = steps[steps > 0.25]
    assert ramp.mean().item() == pytest.approx(0.5, abs=0.005)
    first_ramp = (steps > 0.25).int().argmax(dim=1)
    for row, start in list(enumerate(first_ramp.tolist()))[:200]:
        assert (steps[row, start:] > 0.25).all() or not (steps[row] > 0.25).any()


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n": 0}, "n"),
        ({"length": 1}, "length"),
        ({"p_up": 1.5}, "p_up"),
        ({"branch_prob": -0.1}, "branch_prob"),
        ({"slope": 0.0}, "slope"),
        ({"noise": -1.0}, "noise"),
        ({"seed": -1}, "seed"),
        ({"n": 2.5}, "n"),
    ],
)
def test_branching_curves_bad_arguments_are_named(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        branching_curves(**kwargs)


def _brute_force_log_prob(steps: list[float], p_up, h, slope, noise) -> float:
    """log p(last step | earlier steps) by enumerating every regime path (branch moment and direction)."""

    def joint(values):
        total = 0.0
        n = len(values)
        for branch_at, direction in itertools.product(range(n + 1), (1.0, -1.0)):
            if branch_at == n and direction < 0:
                continue  # "never branched" is one path, counted once
            if branch_at == n:
                prior, path = (1 - h) ** n, [0.0] * n
            else:
                prior = (1 - h) ** branch_at * h * (p_up if direction > 0 else 1 - p_up)
                path = [0.0] * branch_at + [direction] * (n - branch_at)
            density = 1.0
            for value, regime in zip(values, path, strict=True):
                z = (value - slope * regime) / noise
                density *= math.exp(-0.5 * z * z) / (noise * math.sqrt(2 * math.pi))
            total += prior * density
        return total

    return math.log(joint(steps) / joint(steps[:-1]))


def test_branching_log_prob_matches_enumerating_every_regime_path():
    settings = {"p_up": 0.7, "branch_prob": 0.3, "slope": 0.25, "noise": 0.1}
    curves = branching_curves(5, 6, seed=2, **settings)
    log_p = branching_log_prob(curves, **settings)
    assert log_p.shape == (5, 4)
    steps = curves.diff(dim=1)[..., 0].double().tolist()
    for row in range(5):
        for t in range(4):
            expected = _brute_force_log_prob(steps[row][: t + 2], 0.7, 0.3, 0.25, 0.1)
            assert log_p[row, t].item() == pytest.approx(expected, abs=1e-4)


def test_branching_log_prob_is_a_normalised_density_of_the_next_step():
    grid = torch.linspace(-1.0, 1.0, 4001)
    history = torch.tensor([0.0, 0.01, -0.02, 0.015])  # a flat curve so far
    curves = torch.cat([history.expand(len(grid), -1), (history[-1] + grid)[:, None]], dim=1)
    density = branching_log_prob(curves, noise=0.05)[:, -1].double().exp()
    assert torch.trapezoid(density, grid.double()).item() == pytest.approx(1.0, abs=1e-3)


def test_branching_log_prob_refuses_bad_input():
    with pytest.raises(ValueError, match="curves"):
        branching_log_prob(torch.zeros(3, 2, 1))
    with pytest.raises(ValueError, match="noise"):
        branching_log_prob(torch.zeros(3, 5, 1), noise=0.0)
    with pytest.raises(ValueError, match="curves"):
        branching_log_prob(torch.tensor([[0.0, float("nan"), 1.0]]))


def test_future_shares_classifies_by_the_last_value_and_sums_to_one():
    futures = torch.tensor([[0.0, 1.0], [0.0, -1.0], [0.0, 0.05], [5.0, 1.5]])[:, :, None]
    shares = future_shares(futures, start=1.0, margin=0.2)
    assert shares == {"up": 0.25, "down": 0.5, "flat": 0.25}


def test_future_shares_refuses_bad_input():
    with pytest.raises(ValueError, match="start"):
        future_shares(torch.zeros(4, 3), start=[0.0, 1.0], margin=0.1)
    with pytest.raises(ValueError, match="margin"):
        future_shares(torch.zeros(4, 3), start=0.0, margin=-0.1)
    with pytest.raises(ValueError, match="futures"):
        future_shares(torch.zeros(4, 3, 2), start=0.0, margin=0.1)


# --- models -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_mdnrnn_gives_one_valid_mixture_per_sequence_and_step(cell):
    model = MDNRNN(3, 2, n_components=4, hidden_size=8, cell=cell)
    params = model(torch.randn(5, 7, 3))
    assert isinstance(params, ml.MixtureParams)
    assert params.log_weights.shape == (5, 7, 4)
    assert params.means.shape == params.scales.shape == (5, 7, 4, 2)
    torch.testing.assert_close(params.log_weights.exp().sum(-1), torch.ones(5, 7))
    assert (params.scales > 0).all()


def test_mdnrnn_prediction_at_step_t_sees_only_the_steps_up_to_t():
    model = MDNRNN(1, 1, n_components=3, hidden_size=8)
    x = torch.randn(2, 10, 1)
    changed = x.clone()
    changed[:, 6:] = 5.0
    with torch.no_grad():
        a, b = model(x), model(changed)
    torch.testing.assert_close(a.means[:, :6], b.means[:, :6])
    assert not torch.allclose(a.means[:, 6:], b.means[:, 6:])


def test_mdnrnn_distribution_agrees_with_log_prob():
    model = MDNRNN(1, 2, n_components=3, hidden_size=8)
    x, y = torch.randn(4, 6, 1), torch.randn(4, 6, 2)
    dist = model.distribution(x)
    assert isinstance(dist, MixtureSameFamily)
    assert dist.batch_shape == (4, 6) and dist.event_shape == (2,)
    torch.testing.assert_close(dist.log_prob(y), model.log_prob(x, y), atol=1e-5, rtol=1e-5)


def test_msernn_predicts_one_value_per_step_and_a_2d_batch_is_read_as_one_feature():
    model = MSERNN(1, 1, hidden_size=8)
    assert model(torch.randn(3, 9, 1)).shape == (3, 9, 1)
    x = torch.randn(3, 9)
    torch.testing.assert_close(model(x), model(x[:, :, None]))


@pytest.mark.parametrize("model_class", [MDNRNN, MSERNN])
def test_fit_trains_the_sequence_models_unchanged_and_the_loss_falls(model_class):
    x, y = next_step_pairs(branching_curves(300, 12, seed=0))
    model = MDNRNN(1, 1, n_components=3, hidden_size=8) if model_class is MDNRNN else MSERNN(1, 1, hidden_size=8)
    history = ml.fit(model, x, y, steps=80, batch_size=32, lr=0.03)
    assert len(history.loss) == 80 and all(math.isfinite(v) for v in history.loss)
    assert sum(history.loss[-10:]) / 10 < sum(history.loss[:10]) / 10 - (0.5 if model_class is MDNRNN else 0.0)
    assert model.scaling_is_set and model.x_scaler.mean.shape == (1,)


def test_a_trained_mdnrnn_gets_close_to_the_bayes_limit_and_beats_mse():
    train, test = branching_curves(1000, 16, seed=0), branching_curves(300, 16, seed=1)
    x, y = next_step_pairs(train)
    x_test, y_test = next_step_pairs(test)
    torch.manual_seed(0)
    mdn_rnn = MDNRNN(1, 1, n_components=5, hidden_size=16)
    ml.fit(mdn_rnn, x, y, steps=250, lr=0.05, batch_size=64)
    torch.manual_seed(0)
    mse_rnn = MSERNN(1, 1, hidden_size=16)
    ml.fit(mse_rnn, x, y, steps=250, lr=0.05, batch_size=64)
    with torch.no_grad():
        nll = -mdn_rnn.log_prob(x_test, y_test).mean().item()
        sigma = ((mse_rnn(x) - y) ** 2).mean().sqrt()
        mse_nll = ml.gaussian_nll(mse_rnn(x_test).reshape(-1, 1), sigma, y_test.reshape(-1, 1)).item()
    bayes = -branching_log_prob(test).mean().item()
    assert bayes <= nll < bayes + 0.1
    assert nll < mse_nll - 0.5


def test_fit_records_snapshots_of_sequence_models():
    x, y = next_step_pairs(branching_curves(50, 8, seed=0))
    model = MDNRNN(1, 1, n_components=2, hidden_size=4)
    history = ml.fit(model, x, y, steps=4, snapshot_every=2, snapshot_x=x[:3])
    assert [s.step for s in history.snapshots] == [0, 2, 4]
    assert history.snapshots[-1].output.means.shape == (3, 6, 2, 1)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n_components": 0}, "n_components"),
        ({"hidden_size": 0}, "hidden_size"),
        ({"cell": "rnn"}, "cell"),
        ({"num_layers": 0}, "num_layers"),
        ({"min_scale": -1.0}, "min_scale"),
        ({"in_features": 0}, "in_features"),
    ],
)
def test_mdnrnn_bad_arguments_are_named(kwargs, name):
    arguments = {"in_features": 1, "out_features": 1, "n_components": 3} | kwargs
    with pytest.raises((ValueError, TypeError), match=name):
        MDNRNN(**arguments)


def test_bad_sequence_batches_are_refused_with_the_argument_named():
    model = MDNRNN(2, 1, n_components=2, hidden_size=4)
    with pytest.raises(ValueError, match=r"x must be a batch of sequences of shape \(N, T, 2\)"):
        model(torch.zeros(5, 2))
    with pytest.raises(ValueError, match="x must have 2 feature"):
        model(torch.zeros(5, 4, 3))
    with pytest.raises(ValueError, match="x and y must hold the same number of sequences and steps"):
        ml.fit(model, torch.zeros(5, 4, 2), torch.zeros(5, 3, 1), steps=1)
    with pytest.raises(ValueError, match="y must have 1 feature"):
        ml.fit(model, torch.zeros(5, 4, 2), torch.zeros(5, 4, 2), steps=1)
    with pytest.raises(ValueError, match="x contains"):
        model(torch.full((2, 3, 2), float("nan")))


# --- generation -------------------------------------------------------------------------------------------


def _trained_pair():
    x, y = next_step_pairs(branching_curves(200, 10, seed=0))
    torch.manual_seed(0)
    mdn_rnn = MDNRNN(1, 1, n_components=3, hidden_size=8)
    ml.fit(mdn_rnn, x, y, steps=30, batch_size=64)
    torch.manual_seed(0)
    mse_rnn = MSERNN(1, 1, hidden_size=8)
    ml.fit(mse_rnn, x, y, steps=30, batch_size=64)
    return mdn_rnn, mse_rnn


def test_generate_shapes_and_repeatability_with_a_seeded_generator():
    mdn_rnn, _ = _trained_pair()
    prefix = torch.zeros(4, 1)
    a = generate(mdn_rnn, prefix, n_steps=6, n_samples=20, generator=torch.Generator().manual_seed(5))
    b = generate(mdn_rnn, prefix, n_steps=6, n_samples=20, generator=5)
    c = generate(mdn_rnn, prefix, n_steps=6, n_samples=20, generator=6)
    assert a.shape == (20, 6, 1) and a.dtype == torch.float32
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert a.std(dim=0).max() > 0, "samples from the same prefix should differ"


def test_generate_feeds_the_models_own_outputs_back_in():
    mdn_rnn, mse_rnn = _trained_pair()
    prefix = torch.tensor([0.0, 0.01, -0.01])
    rollout = generate(mse_rnn, prefix, n_steps=5, n_samples=3)
    assert rollout.shape == (3, 5, 1)
    assert torch.equal(rollout[0], rollout[1]), "an MSE net has nothing to sample: every continuation is the same"
    with torch.no_grad():
        # Teacher-forcing the rollout reproduces it step by step.
        replay = mse_rnn(torch.cat([prefix[:, None], rollout[0, :-1]])[None])[0, len(prefix) - 1 :]
    torch.testing.assert_close(replay, rollout[0], atol=1e-5, rtol=1e-5)

    sample = generate(mdn_rnn, prefix, n_steps=3, n_samples=1, temperature=1e-6, generator=0)
    with torch.no_grad():
        params = mdn_rnn(prefix[None, :, None])
    best = params.log_weights[0, -1].argmax()
    assert sample[0, 0, 0].item() == pytest.approx(params.means[0, -1, best, 0].item(), abs=1e-3)


def test_generate_leaves_the_models_mode_as_it_was():
    mdn_rnn, _ = _trained_pair()
    mdn_rnn.train()
    generate(mdn_rnn, torch.zeros(3, 1), n_steps=2, generator=0)
    assert mdn_rnn.training


def test_generate_refuses_bad_input_with_the_argument_named():
    mdn_rnn, _ = _trained_pair()
    prefix = torch.zeros(3, 1)
    with pytest.raises(ValueError, match="n_steps"):
        generate(mdn_rnn, prefix, n_steps=0)
    with pytest.raises(ValueError, match="n_samples"):
        generate(mdn_rnn, prefix, n_steps=2, n_samples=0)
    with pytest.raises(ValueError, match="temperature"):
        generate(mdn_rnn, prefix, n_steps=2, temperature=0.0)
    with pytest.raises(TypeError, match="generator"):
        generate(mdn_rnn, prefix, n_steps=2, generator="seed")
    with pytest.raises(ValueError, match="prefix"):
        generate(mdn_rnn, torch.zeros(3, 2), n_steps=2)
    with pytest.raises(ValueError, match="prefix"):
        generate(mdn_rnn, torch.zeros(0, 1), n_steps=2)
    with pytest.raises(TypeError, match="model"):
        generate(ml.MDN(1, 1, 2), prefix, n_steps=2)
    with pytest.raises(ValueError, match="in_features"):
        generate(MDNRNN(2, 1, n_components=2), torch.zeros(3, 2), n_steps=2)
