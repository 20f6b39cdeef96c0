import math
import statistics

import pytest
import torch

import mdn_lessons as ml


def bayes_gap(model, noise, seed, n_test=10000):
    x, y = ml.data.inverted_sine(n=n_test, noise=noise, seed=1000 + seed)
    with torch.no_grad():
        nll = -model.log_prob(x, y).mean()
    return float(nll + ml.data.inverted_sine_log_prob(x, y, noise=noise).mean())


def test_recipe_gets_close_to_the_bayes_limit():
    """The default recipe on a smaller problem than the benchmark: quality, not time."""
    gaps = []
    for seed in range(3):
        x, y = ml.data.inverted_sine(n=2000, noise=1.0, seed=seed)
        torch.manual_seed(seed)
        mdn = ml.MDN(1, 1, n_components=8)
        ml.fit(mdn, x, y, steps=800, seed=seed)
        gaps.append(bayes_gap(mdn, 1.0, seed))
    assert statistics.median(gaps) < 0.10, gaps
    assert max(gaps) < 0.15, gaps


@pytest.mark.parametrize("scale", [0.01, 1000.0])
def test_recipe_works_at_other_scales(scale):
    x, y = ml.data.inverted_sine(n=2000, noise=1.0, seed=0)
    mdn = ml.MDN(1, 1, n_components=8)
    ml.fit(mdn, x * scale, y * scale, steps=800)
    xt, yt = ml.data.inverted_sine(n=10000, noise=1.0, seed=1000)
    with torch.no_grad():
        nll = -mdn.log_prob(xt * scale, yt * scale).mean() - math.log(scale)
    gap = float(nll + ml.data.inverted_sine_log_prob(xt, yt).mean())
    assert gap < 0.15


def test_mse_net_learns_the_forward_problem_and_the_conditional_mean_of_the_inverse():
    x, y = ml.data.sine(n=1000, noise=0.5, seed=0)
    mlp = ml.MLP(1, 1)
    history = ml.fit(mlp, x, y, steps=1500)
    assert history.loss[-1] < 0.6  # close to the noise variance 0.25 (mini-batch MSE)
    xi, yi = ml.data.inverted_sine(n=1000, noise=1.0, seed=0)
    mlp = ml.MLP(1, 1)
    history = ml.fit(mlp, xi, yi, steps=1500)
    assert history.loss[-1] > 5  # the spread between the branches remains


@pytest.mark.parametrize("n_components", [1, 4, 10])
@pytest.mark.parametrize("lr", [1e-4, 1e-1])
def test_never_nan_at_the_widget_extremes(n_components, lr):
    x, y = ml.data.inverted_sine(n=500, noise=0.0, seed=n_components)  # no noise: collapse-prone
    mdn = ml.MDN(1, 1, n_components)
    history = ml.fit(mdn, x, y, lr=lr, steps=300)
    assert all(math.isfinite(v) for v in history.loss)
    with torch.no_grad():
        assert all(torch.isfinite(t).all() for t in mdn(x))


def test_fit_is_repeatable():
    x, y = ml.data.inverted_sine(n=400, seed=0)
    runs = []
    for _ in range(2):
        torch.manual_seed(5)
        runs.append(ml.fit(ml.MDN(1, 1, 3), x, y, steps=50, seed=2).loss)
    assert runs[0] == runs[1]


def test_history_records_every_step_snapshots_and_callbacks():
    x, y = ml.data.inverted_sine(n=300, seed=0)
    calls = []
    grid = torch.linspace(-10, 10, 7)
    history = ml.fit(
        ml.MDN(1, 1, 2),
        x,
        y,
        steps=25,
        callback=lambda s, loss, m: calls.append(s),
        callback_every=10,
        snapshot_every=10,
        snapshot_x=grid,
    )
    assert len(history.loss) == 25
    assert calls == [10, 20, 25]
    assert [s.step for s in history.snapshots] == [0, 10, 20, 25]
    assert history.snapshots[-1].output.means.shape == (7, 2, 1)
    assert history.seconds > 0


def test_callback_can_stop_training():
    x, y = ml.data.inverted_sine(n=300, seed=0)
    history = ml.fit(ml.MLP(1, 1), x, y, steps=100, callback=lambda s, loss, m: s >= 20, callback_every=10)
    assert len(history.loss) == 20


def test_mixture_fit_on_bimodal_data():
    g = torch.Generator().manual_seed(0)
    y = torch.cat([torch.randn(500, 1, generator=g) - 4, torch.randn(500, 1, generator=g) * 0.5 + 3])
    mix = ml.GaussianMixture(2)
    ml.fit(mix, None, y, steps=400, batch_size=1000)
    params = mix()
    means = sorted(params.means[0, :, 0].tolist())
    assert means[0] == pytest.approx(-4, abs=0.2) and means[1] == pytest.approx(3, abs=0.2)
    torch.testing.assert_close(params.log_weights.exp()[0], torch.tensor([0.5, 0.5]), atol=0.05, rtol=0)


def test_loss_is_reported_in_data_units():
    # Scaling y by 10 shifts the NLL by log 10 after the same training.
    x, y = ml.data.inverted_sine(n=400, seed=0)
    losses = []
    for scale in (1.0, 10.0):
        torch.manual_seed(0)
        losses.append(ml.fit(ml.MDN(1, 1, 2), x, y * scale, steps=30).loss[-1])
    assert losses[1] - losses[0] == pytest.approx(math.log(10), abs=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"lr": 0}, ValueError, "lr must be a finite number > 0"),
        ({"lr": -0.1}, ValueError, "lr must be a finite number > 0"),
        ({"steps": 0}, ValueError, "steps must be a whole number >= 1"),
        ({"batch_size": 0}, ValueError, "batch_size must be a whole number >= 1"),
        ({"seed": -3}, ValueError, "seed must be a whole number >= 0"),
        ({"callback": 3}, TypeError, "callback must be callable"),
        ({"snapshot_every": 5}, ValueError, "snapshot_x must be given"),
        ({"final_lr_fraction": 2.0}, ValueError, "final_lr_fraction must be in"),
        ({"warmup_steps": 0}, ValueError, "warmup_steps must be a whole number >= 1"),
        ({"clip_norm": float("inf")}, ValueError, "clip_norm must be a finite number > 0"),
    ],
)
def test_fit_refuses_bad_settings(kwargs, error, words):
    x, y = ml.data.inverted_sine(n=50, seed=0)
    with pytest.raises(error, match=words):
        ml.fit(ml.MDN(1, 1, 2), x, y, **kwargs)


def test_fit_refuses_bad_data():
    x, y = ml.data.inverted_sine(n=50, seed=0)
    mdn = ml.MDN(1, 1, 2)
    bad = y.clone()
    bad[7] = float("nan")
    with pytest.raises(ValueError, match="y contains 1 NaN or inf"):
        ml.fit(mdn, x, bad)
    with pytest.raises(ValueError, match="x and y must hold the same number of samples"):
        ml.fit(mdn, x, y[:40])
    with pytest.raises(ValueError, match=r"y must have 1 feature column"):
        ml.fit(mdn, x, torch.zeros(50, 2))
    with pytest.raises(TypeError, match="model must be an mdn_lessons model"):
        ml.fit(torch.nn.Linear(1, 1), x, y)
    with pytest.raises(ValueError, match="x must be None for a GaussianMixture"):
        ml.fit(ml.GaussianMixture(2), x, y)
    assert not mdn.scaling_is_set  # a refused call changes nothing


def test_step_budget_grows_with_the_data_within_bounds():
    budgets = [ml.train.step_budget(n) for n in (10, 1_000, 4_000, 16_000, 64_000, 10**7)]
    assert budgets == sorted(budgets)
    assert budgets[0] == ml.train.BUDGET["min_steps"]
    assert budgets[-1] == ml.train.BUDGET["max_steps"]
    with pytest.raises(ValueError, match="n must be a whole number >= 1"):
        ml.train.step_budget(0)


def test_default_steps_follow_the_training_set_size_for_mixtures_only():
    x, y = ml.data.inverted_sine(n=400, seed=0)
    history = ml.fit(ml.MDN(1, 1, 2), x, y)
    assert history.planned_steps == ml.train.step_budget(400) == history.steps_taken
    history = ml.fit(ml.MLP(1, 1), x, y)  # an MSE model holds nothing out and keeps its fixed length
    assert history.validation_size == 0
    assert history.planned_steps == ml.train.MSE_STEPS == history.steps_taken


def test_mixture_fit_holds_out_a_seeded_slice_and_records_the_validation_curve():
    x, y = ml.data.inverted_sine(n=1000, seed=0)
    torch.manual_seed(0)
    history = ml.fit(ml.MDN(1, 1, 3), x, y, steps=120, eval_every=50, validation_fraction=0.2)
    assert history.validation_size == 200
    assert history.planned_steps == 120
    assert history.validation_steps == [0, 50, 100, 120]
    assert len(history.validation_loss) == 4
    assert all(math.isfinite(v) for v in history.validation_loss)
    assert history.validation_loss[-1] < history.validation_loss[0]  # it learned something


def test_early_stopping_stops_and_restores_the_best_weights():
    # Few points and a long schedule: the held-out NLL turns up long before the end.
    x, y = ml.data.inverted_sine(n=200, noise=1.0, seed=3)
    torch.manual_seed(0)
    mdn = ml.MDN(1, 1, 8, hidden=(128, 128))
    history = ml.fit(mdn, x, y, steps=5000, eval_every=25, patience=3, validation_fraction=0.25)
    assert history.stopped_early
    assert history.steps_taken < 5000
    assert history.steps_taken == history.validation_steps[-1]
    best = min(history.validation_loss)
    assert history.best_step == history.validation_steps[history.validation_loss.index(best)]
    # The model ends with the best weights: its NLL on the same held-out slice is the best recorded.
    split = torch.Generator().manual_seed(0)
    held = torch.randperm(200, generator=split)[: history.validation_size]
    with torch.no_grad():
        nll = float(-mdn.log_prob(x[held], y[held]).mean())
    assert nll == pytest.approx(best, abs=1e-4)


def test_validation_loss_is_in_data_units():
    x, y = ml.data.inverted_sine(n=400, seed=0)
    curves = []
    for scale in (1.0, 10.0):
        torch.manual_seed(0)
        curves.append(
            ml.fit(ml.MDN(1, 1, 2), x, y * scale, steps=60, eval_every=20, validation_fraction=0.1).validation_loss
        )
    assert [b - a for a, b in zip(*curves, strict=True)] == pytest.approx([math.log(10)] * 4, abs=1e-3)


def test_too_few_samples_to_hold_out_is_refused():
    x, y = ml.data.inverted_sine(n=ml.train.MIN_SAMPLES_FOR_VALIDATION - 1, seed=0)
    with pytest.raises(ValueError, match="validation_fraction needs at least 20 samples to hold some out, got 19"):
        ml.fit(ml.MDN(1, 1, 2), x, y, steps=40, validation_fraction=0.5)
    history = ml.fit(ml.MDN(1, 1, 2), x, y, steps=40)  # the recipe holds nothing out
    assert history.validation_size == 0
    assert history.validation_loss == [] and history.best_step is None
    assert history.steps_taken == 40 and not history.stopped_early


def test_the_recipe_holds_nothing_out_and_the_mse_models_ignore_validation():
    x, y = ml.data.inverted_sine(n=400, seed=0)
    history = ml.fit(ml.MDN(1, 1, 2), x, y, steps=60)
    assert history.validation_size == 0 and history.steps_taken == 60
    history = ml.fit(ml.MLP(1, 1), x, y, steps=60, validation_fraction=0.2)
    assert history.validation_size == 0 and history.steps_taken == 60


def test_plain_mixture_fit_stops_early_too():
    y = torch.randn(2000, 1, generator=torch.Generator().manual_seed(1))
    mix = ml.GaussianMixture(2)
    history = ml.fit(mix, None, y, steps=3000, eval_every=20, validation_fraction=0.1)
    assert history.validation_size == 200
    assert history.stopped_early and history.steps_taken < 3000


class _LossBecomesNaN(ml.MDN):
    """An MDN whose training loss turns NaN at its 7th evaluation: fit must notice."""

    calls = 0

    def objective(self, x, y):
        self.calls += 1
        value = super().objective(x, y)
        return value * float("nan") if self.calls >= 7 else value


def test_a_nan_loss_is_reported_with_its_step():
    x, y = ml.data.inverted_sine(n=300, seed=0)
    with pytest.raises(FloatingPointError, match="the training loss became nan at step 7"):
        ml.fit(_LossBecomesNaN(1, 1, 2), x, y, steps=200)


@pytest.mark.parametrize("fraction", [0.0, -0.1, 0.51, 1.0, float("nan")])
def test_fit_refuses_a_validation_fraction_outside_zero_to_half(fraction):
    x, y = ml.data.inverted_sine(n=100, seed=0)
    with pytest.raises(ValueError, match="validation_fraction must be"):
        ml.fit(ml.MDN(1, 1, 2), x, y, validation_fraction=fraction)


@pytest.mark.parametrize(("name", "value"), [("eval_every", 0), ("patience", 0), ("steps", 1.5)])
def test_fit_refuses_bad_early_stopping_settings(name, value):
    x, y = ml.data.inverted_sine(n=100, seed=0)
    with pytest.raises((ValueError, TypeError), match=f"{name} must be a whole number >= 1"):
        ml.fit(ml.MDN(1, 1, 2), x, y, **{name: value})


@pytest.mark.parametrize(
    ("betas", "error"),
    [
        ((0.9, 1.0), ValueError),
        ((-0.1, 0.99), ValueError),
        ((0.9,), TypeError),
        (0.9, TypeError),
        ((0.9, "a"), TypeError),
    ],
)
def test_fit_refuses_adam_betas_outside_zero_to_one(betas, error):
    x, y = ml.data.inverted_sine(n=100, seed=0)
    with pytest.raises(error, match="betas must be"):
        ml.fit(ml.MDN(1, 1, 2), x, y, steps=5, betas=betas)


def test_adam_betas_reach_the_optimiser():
    # Same start and batches: only the second beta differs, so the losses part after the first step.
    x, y = ml.data.inverted_sine(n=400, seed=0)
    runs = []
    for betas in [(0.9, 0.95), (0.9, 0.999)]:
        torch.manual_seed(0)
        runs.append(ml.fit(ml.MDN(1, 1, 3), x, y, steps=20, seed=0, betas=betas).loss)
    assert runs[0][0] == runs[1][0]
    assert runs[0][1:] != runs[1][1:]
    assert ml.train.RECIPE["betas"] == (0.9, 0.95)
