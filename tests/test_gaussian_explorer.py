"""gaussian_explorer: lesson 01's widget; its numbers come from plain functions tested here without a browser."""

import math

import numpy as np
import pytest
import torch

from mdn_lessons import true_distributions as ld
from mdn_lessons.density import GaussianScores, best_gaussian, gaussian_scores, nll_landscape
from mdn_lessons.widgets.gaussian_explorer import GaussianExplorer, scores_text


@pytest.fixture(scope="module")
def y():
    return ld.sample(ld.skewed_p(), 500, seed=0)


def test_best_gaussian_is_the_sample_mean_and_the_std_over_n(y):
    mean, std = best_gaussian(y)
    assert mean == pytest.approx(float(y.double().mean()), abs=1e-9)
    assert std == pytest.approx(float(y.double().std(unbiased=False)), abs=1e-9)


def test_nll_landscape_equals_the_average_per_sample_nll(y):
    means, stds = [0.0, 1.3, 2.0], [0.2, 1.0]
    grid = nll_landscape(y, means, stds)
    assert grid.shape == (2, 3)
    for i, s in enumerate(stds):
        for j, m in enumerate(means):
            normal = torch.distributions.Normal(
                torch.tensor(m, dtype=torch.float64), torch.tensor(s, dtype=torch.float64)
            )
            brute = float(-normal.log_prob(y.double()).mean())
            assert grid[i, j] == pytest.approx(brute, abs=1e-6)


def test_the_best_gaussian_minimises_the_landscape(y):
    mean, std = best_gaussian(y)
    best = gaussian_scores(y, mean, std).nll
    means = np.linspace(mean - 0.5, mean + 0.5, 41)
    stds = np.linspace(std * 0.6, std * 1.4, 41)
    assert nll_landscape(y, means, stds).min() >= best - 1e-9


def test_scores_split_the_expected_nll_into_entropy_plus_kl(y):
    p = ld.skewed_p()
    scores = gaussian_scores(y, 0.5, 0.8, p)
    assert scores.entropy == pytest.approx(ld.entropy(p))
    assert scores.kl == pytest.approx(ld.kl_divergence(p, ld.gaussian_mixture([1.0], [0.5], [0.8])))
    assert scores.expected_nll == pytest.approx(scores.entropy + scores.kl)
    # On 500 samples the average NLL is close to, but not exactly, its expectation.
    assert scores.nll == pytest.approx(scores.expected_nll, abs=0.2)
    assert scores.nll != scores.expected_nll


def test_without_p_only_the_sample_nll_is_known(y):
    scores = gaussian_scores(y, 1.0, 1.0)
    assert scores.kl is None and scores.entropy is None and scores.expected_nll is None
    assert "KL" not in scores_text(scores)


def test_a_narrow_gaussian_on_tight_data_has_a_negative_nll():
    tight = torch.tensor([0.001, -0.002, 0.0, 0.0015])
    mean, std = best_gaussian(tight)
    assert gaussian_scores(tight, mean, std).nll < 0


def test_scores_text_reads_the_numbers_rounded():
    text = scores_text(GaussianScores(1.234, 0.9, 1.5234, 1.519, 1.366, 0.153))
    assert text == (
        "Q = N(1.23, 0.90²) · NLL on the samples 1.523 nats · expected NLL 1.519 = H(P) 1.366 + KL(P‖Q) 0.153"
    )


@pytest.mark.parametrize(
    ("mean", "std", "error", "message"),
    [
        (float("nan"), 1.0, ValueError, "mean must be a finite number"),
        ("1", 1.0, TypeError, "mean must be a finite number"),
        (0.0, 0.0, ValueError, "std must be a finite number > 0"),
        (0.0, -1.0, ValueError, "std must be a finite number > 0"),
    ],
)
def test_scores_refuse_bad_parameters(y, mean, std, error, message):
    with pytest.raises(error, match=message):
        gaussian_scores(y, mean, std)


def test_bad_data_is_refused():
    with pytest.raises(ValueError, match="data must have 1 feature"):
        best_gaussian(torch.zeros(4, 2))
    with pytest.raises(ValueError, match="data contains"):
        nll_landscape(torch.tensor([1.0, float("inf")]), [0.0], [1.0])
    with pytest.raises(ValueError, match="stds must all be > 0"):
        nll_landscape(torch.tensor([1.0, 2.0]), [0.0], [0.0])


def test_widget_sliders_redraw_and_rescore(y):
    p = ld.skewed_p()
    widget = GaussianExplorer(y, p=p, mean=0.0, std=0.5)
    first_picture = widget.plot.value
    assert first_picture[:4] == b"\x89PNG"
    assert widget.status.value == scores_text(gaussian_scores(y, widget.mean_slider.value, 0.5, p))
    widget.mean_slider.value = 1.0  # what dragging the slider does
    assert widget.scores.mean == pytest.approx(1.0)
    assert widget.plot.value != first_picture
    assert "Q = N(1.00, 0.50²)" in widget.status.value


def test_widget_jumps_to_the_best_gaussian_and_clips_to_the_slider_ranges(y):
    widget = GaussianExplorer(y, p=ld.skewed_p())
    best = widget.show_best()
    mean, std = best_gaussian(y)
    assert best.mean == pytest.approx(mean, abs=0.02) and best.std == pytest.approx(std, rel=0.03)
    assert best.kl == pytest.approx(widget.best.kl, abs=0.01)
    far = widget.set(1e6, 1e6)
    assert far.mean == pytest.approx(float(y.max())) and far.std == pytest.approx(widget.std_range[1], rel=1e-6)
    assert math.isfinite(far.nll)


def test_widget_refuses_a_p_that_is_not_a_mixture(y):
    with pytest.raises(TypeError, match="p must be None or MixtureParams"):
        GaussianExplorer(y, p=(1.0, 2.0))
