import io

import pytest
import torch
from torch.distributions import MixtureSameFamily

import mdn_lessons as ml


def test_mdn_output_shapes_and_valid_mixture():
    mdn = ml.MDN(3, 2, n_components=4, hidden=(16,))
    params = mdn(torch.randn(10, 3))
    assert isinstance(params, ml.MixtureParams)
    assert params.log_weights.shape == (10, 4)
    assert params.means.shape == params.scales.shape == (10, 4, 2)
    torch.testing.assert_close(params.log_weights.exp().sum(1), torch.ones(10))
    assert (params.scales > 0).all()


def test_mdn_distribution_is_a_mixture_same_family_that_agrees_with_log_prob():
    mdn = ml.MDN(1, 2, n_components=3)
    x, y = torch.randn(6, 1), torch.randn(6, 2)
    dist = mdn.distribution(x)
    assert isinstance(dist, MixtureSameFamily)
    assert dist.batch_shape == (6,) and dist.event_shape == (2,)
    assert dist.sample().shape == (6, 2)
    torch.testing.assert_close(dist.log_prob(y), mdn.log_prob(x, y), atol=1e-5, rtol=1e-5)


def test_mdn_gradients_reach_every_parameter():
    mdn = ml.MDN(1, 1, n_components=3)
    x, y = ml.data.inverted_sine(n=64, seed=0)
    mdn.set_scaling(x, y)
    mdn.objective(x, y).backward()
    for name, parameter in mdn.named_parameters():
        assert parameter.grad is not None and torch.isfinite(parameter.grad).all(), name
        assert parameter.grad.abs().sum() > 0, name


def test_initial_means_spread_over_the_targets():
    mdn = ml.MDN(1, 1, n_components=5)
    x, y = ml.data.inverted_sine(n=500, seed=0)
    mdn.set_scaling(x, y)
    with torch.no_grad():
        means = mdn(x).means[0, :, 0]
    assert len(set(torch.round(means, decimals=3).tolist())) == 5
    assert float(means.min()) < float(y.mean()) < float(means.max())


def test_standardisation_makes_the_model_scale_free():
    x, y = ml.data.inverted_sine(n=200, seed=0)
    small, large = ml.MDN(1, 1, 3), ml.MDN(1, 1, 3)
    large.load_state_dict(small.state_dict())
    small.set_scaling(x, y)
    large.set_scaling(x * 1000, y * 1000)
    with torch.no_grad():
        a, b = small(x), large(x * 1000)
    torch.testing.assert_close(a.means * 1000, b.means, rtol=1e-4, atol=1e-2)
    torch.testing.assert_close(a.log_weights, b.log_weights, rtol=1e-4, atol=1e-5)


def test_saved_model_keeps_its_scaling_after_loading():
    x, y = ml.data.inverted_sine(n=300, seed=0)
    mdn = ml.MDN(1, 1, 3)
    ml.fit(mdn, x * 50 + 7, y * 0.01, steps=20)
    buffer = io.BytesIO()
    torch.save(mdn.state_dict(), buffer)
    buffer.seek(0)
    restored = ml.MDN(1, 1, 3)
    restored.load_state_dict(torch.load(buffer))
    assert restored.scaling_is_set
    with torch.no_grad():
        torch.testing.assert_close(restored(x[:5] * 50 + 7).means, mdn(x[:5] * 50 + 7).means)


def test_mlp_predicts_one_value_per_input():
    mlp = ml.MLP(2, 3)
    assert mlp(torch.randn(4, 2)).shape == (4, 3)
    assert ml.MLP(1, 1)(torch.randn(5)).shape == (5, 1)  # 1-D x is read as N samples of one feature


def test_gaussian_mixture_params_and_log_prob():
    mix = ml.GaussianMixture(3, out_features=2)
    params = mix()
    assert params.log_weights.shape == (1, 3) and params.means.shape == (1, 3, 2)
    y = torch.randn(5, 2)
    torch.testing.assert_close(mix.log_prob(y), mix.distribution().log_prob(y[:, None, :])[:, 0])


def test_min_scale_is_a_floor():
    mdn = ml.MDN(1, 1, 2, min_scale=0.05)
    with torch.no_grad():
        mdn.head.linear.bias.fill_(-1e4)
    with torch.no_grad():
        assert float(mdn(torch.zeros(3, 1)).scales.min()) >= 0.05


@pytest.mark.parametrize(
    ("build", "error", "words"),
    [
        (lambda: ml.MDN(1, 1, 0), ValueError, "n_components must be a whole number >= 1"),
        (lambda: ml.MDN(0, 1, 2), ValueError, "in_features must be a whole number >= 1"),
        (lambda: ml.MDN(1, 0, 2), ValueError, "out_features must be a whole number >= 1"),
        (lambda: ml.MDN(1, 1, 2.0), TypeError, "n_components must be a whole number"),
        (lambda: ml.MDN(1, 1, 2, hidden=(8, 0)), ValueError, r"hidden\[1\] must be a whole number >= 1"),
        (lambda: ml.MDN(1, 1, 2, hidden="big"), TypeError, "hidden must be a tuple of layer widths"),
        (lambda: ml.MDN(1, 1, 2, activation="sigmoid"), ValueError, "activation must be one of"),
        (lambda: ml.MDN(1, 1, 2, min_scale=-1), ValueError, "min_scale must be a finite number >= 0"),
        (lambda: ml.MLP(0, 1), ValueError, "in_features"),
        (lambda: ml.GaussianMixture(0), ValueError, "n_components"),
    ],
)
def test_models_refuse_bad_construction(build, error, words):
    with pytest.raises(error, match=words):
        build()


def test_models_refuse_bad_inputs():
    mdn = ml.MDN(2, 1, 2)
    with pytest.raises(ValueError, match=r"x must have 2 feature column\(s\)"):
        mdn(torch.zeros(3, 1))
    with pytest.raises(ValueError, match=r"x must have shape \(N, features\)"):
        mdn(torch.zeros(3, 2, 1))
    with pytest.raises(ValueError, match="x contains 1 NaN or inf"):
        mdn(torch.tensor([[0.0, float("nan")]]))
    with pytest.raises(ValueError, match="x and y must hold the same number of samples"):
        mdn.log_prob(torch.zeros(3, 2), torch.zeros(4, 1))
    with pytest.raises(TypeError, match="x must hold real numbers"):
        mdn(torch.zeros(3, 2, dtype=torch.bool))


# ------------------------------------------------------------------------- the mixture head and its options


def test_mdn_and_mdn_rnn_share_one_mixture_head_and_the_public_training_interface():
    from mdn_lessons.models import MixtureHead, TrainableModel
    from mdn_lessons.sequences import MDNRNN, MSERNN

    models = [ml.MDN(1, 1, 2), MDNRNN(1, 1, 2), ml.MLP(1, 1), ml.GaussianMixture(2), MSERNN(1, 1)]
    assert isinstance(models[0].head, MixtureHead) and isinstance(models[1].head, MixtureHead)
    for model in models:
        assert isinstance(model, TrainableModel)
        for name in ("needs_input", "scaling_is_set", "set_scaling", "check_xy", "check_x", "objective"):
            assert hasattr(model, name), name


def test_the_scale_map_and_the_floor_are_options():
    torch.manual_seed(0)
    exp_mdn = ml.MDN(1, 1, 3, scale_map="exp", min_scale=0)
    with torch.no_grad():
        exp_mdn.head.linear.weight.zero_()
        exp_mdn.head.linear.bias[6:] = torch.tensor([-1.0, 0.0, 2.0])
        torch.testing.assert_close(exp_mdn(torch.zeros(1, 1)).scales[0, :, 0], torch.tensor([-1.0, 0.0, 2.0]).exp())
    assert exp_mdn.min_scale == 0


def test_how_the_head_starts_is_an_option():
    torch.manual_seed(0)
    spread = ml.MDN(1, 1, 4)
    zero_means = ml.MDN(1, 1, 4, mean_start="zero", start_scale=0.5)
    identical = ml.MDN(1, 1, 4, output_weights="zero", mean_start="zero")
    x = torch.linspace(-1, 1, 5).unsqueeze(1)
    with torch.no_grad():
        spread_means = spread(x).means[0, :, 0]
        assert bool((spread_means.diff() > 0).all())  # the standard-normal quantiles, in order
        params = zero_means(x)
        assert float(params.means.abs().max()) < 1.0  # near 0: only the small output weights move them
        torch.testing.assert_close(zero_means.head.scales(zero_means.head.linear.bias[8:]), torch.full((4,), 0.501))
        params = identical(x)
    for part in params:  # every input and every component alike
        assert bool((part == part[0, 0]).all())


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"scale_map": "relu"}, "scale_map must be one of 'softplus', 'exp'"),
        ({"mean_start": "random"}, "mean_start must be one of"),
        ({"output_weights": "large"}, "output_weights must be one of"),
        ({"start_scale": 0}, "start_scale must be a finite number > 0"),
    ],
)
def test_bad_head_options_are_refused(options, words):
    with pytest.raises(ValueError, match=words):
        ml.MDN(1, 1, 2, **options)
