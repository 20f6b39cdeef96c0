"""plots.mixture_parameters: Bishop's diagnostic figure, π_k(x), μ_k(x), σ_k(x) and p(y | x) on a 2×2 grid."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import mdn_lessons as ml


def _params(m=12, k=3):
    """A mixture on m grid points whose component 2 (of k) has weight 0.01 on the left half, 0.5 on the right."""
    x = torch.linspace(-1, 1, m)
    weights = torch.full((m, k), 1.0 / k)
    weights[: m // 2, 2] = 0.01
    weights = weights / weights.sum(dim=1, keepdim=True)
    means = torch.stack([x + 2.0 * j for j in range(k)], dim=1).unsqueeze(-1)
    scales = (0.2 + 0.1 * torch.arange(k, dtype=torch.float32)).expand(m, k).unsqueeze(-1).clone()
    return x, ml.MixtureParams(weights.log(), means, scales)


def test_draws_four_labelled_panels_with_one_line_per_component():
    x, params = _params()
    axes = ml.plots.mixture_parameters(params, x, torch.linspace(-3, 7, 50))
    assert axes.shape == (2, 2)
    for ax in axes.flat:
        assert ax.get_title() and ax.get_ylabel()
    ax_pi, ax_mu, ax_sigma, ax_density = axes.flat
    assert len(ax_pi.get_lines()) == 3
    assert [text.get_text() for text in ax_pi.get_legend().get_texts()] == ["component 1", "component 2", "component 3"]
    np.testing.assert_allclose(ax_pi.get_lines()[2].get_ydata(), params.log_weights[:, 2].exp().numpy(), rtol=1e-6)
    assert len(ax_density.get_images()) == 1
    plt.close("all")


def test_a_components_mean_and_scale_are_faint_where_its_weight_is_negligible():
    x, params = _params()
    axes = ml.plots.mixture_parameters(params, x, torch.linspace(-3, 7, 50), min_weight=0.05)
    for ax, values in ((axes[0, 1], params.means), (axes[1, 0], params.scales)):
        faint, strong = ax.get_lines()[4:6]  # component 3: the faint full line, then the line where it matters
        assert faint.get_alpha() < 0.5 and faint.get_linewidth() < strong.get_linewidth()
        np.testing.assert_allclose(faint.get_ydata(), values[:, 2, 0].numpy(), rtol=1e-6)
        shown = strong.get_ydata()
        assert np.isnan(shown[:6]).all()  # weight about 0.015 there
        np.testing.assert_allclose(shown[6:], values[6:, 2, 0].numpy(), rtol=1e-6)
    plt.close("all")


def test_the_density_panel_has_a_colourbar_and_marks_the_mode():
    x, params = _params()
    axes = ml.plots.mixture_parameters(params, x, torch.linspace(-3, 7, 50))
    figure = axes[0, 0].figure
    assert len(figure.axes) == 5  # four panels and the colourbar
    dots = axes[1, 1].get_lines()[0]
    assert dots.get_label() == "mode of p(y | x)"
    np.testing.assert_allclose(dots.get_ydata(), params.mixture().mode()[:, 0].numpy(), rtol=1e-6)
    shown = axes[1, 1].get_images()[0].get_array()
    np.testing.assert_allclose(np.asarray(shown).max(axis=0), 1.0, rtol=1e-6)  # each column scaled to its max
    plt.close("all")


def test_takes_a_model_and_draws_into_given_axes():
    torch.manual_seed(0)
    mdn = ml.MDN(1, 1, n_components=2)
    fig, axes = plt.subplots(2, 2)
    x_grid = torch.linspace(-2, 2, 9)
    returned = ml.plots.mixture_parameters(mdn, x_grid, torch.linspace(-3, 3, 20), axes=axes)
    assert returned[0, 0] is axes[0, 0]
    assert len(axes[0, 0].get_lines()) == 2
    assert all(math.isfinite(v) for v in axes[0, 0].get_lines()[0].get_ydata())
    plt.close("all")


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"min_weight": 1.5}, ValueError, "min_weight must be a number in"),
        ({"min_weight": True}, ValueError, "min_weight"),
        ({"y_grid": torch.tensor([1.0])}, ValueError, "at least 2 values"),
        ({"x_grid": torch.tensor([0.0, float("nan")])}, ValueError, "finite"),
        ({"model_or_params": 3}, TypeError, "an MDN or MixtureParams"),
        ({"x_grid": torch.linspace(-1, 1, 5)}, ValueError, "M = len(x_grid) = 5"),
        ({"axes": "no"}, ValueError, "2×2 array of axes"),
    ],
)
def test_refuses_bad_arguments_in_words(change, error, words):
    x, params = _params()
    arguments = {"model_or_params": params, "x_grid": x, "y_grid": torch.linspace(-3, 7, 50)} | change
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        ml.plots.mixture_parameters(**arguments)
    plt.close("all")
