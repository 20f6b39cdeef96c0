import matplotlib.pyplot as plt
import pytest
import torch

import mdn_lessons as ml


@pytest.fixture
def trained():
    x, y = ml.data.inverted_sine(n=300, seed=0)
    mdn = ml.MDN(1, 1, 3)
    history = ml.fit(mdn, x, y, steps=30, snapshot_every=10, snapshot_x=torch.linspace(-10, 10, 20))
    return x, y, mdn, history


def test_each_plot_draws_labelled_axes(trained):
    x, y, mdn, history = trained
    grid_x, grid_y = torch.linspace(-10, 10, 30), torch.linspace(-10, 10, 40)
    axes = [
        ml.plots.scatter_data(x, y),
        ml.plots.conditional_heatmap(mdn, grid_x, grid_y, data=(x, y)),
        ml.plots.component_bands(mdn, grid_x, data=(x, y)),
        ml.plots.training_curves({"MDN": history.loss}, reference=1.3),
        ml.plots.mixture_density(ml.GaussianMixture(2)(), grid_y, data=y),
    ]
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.has_data()


def test_plots_draw_into_a_given_axis(trained):
    x, y, _, _ = trained
    fig, ax = plt.subplots()
    assert ml.plots.scatter_data(x, y, ax=ax) is ax


def test_plot_helpers_refuse_bad_arguments():
    with pytest.raises(ValueError, match="smooth must be a whole number >= 1"):
        ml.plots.training_curves({"a": [1.0, 2.0]}, smooth=0)


# ---------------------------------------------------------------- mixture_components (lesson 07)


def test_mixture_components_draws_the_histogram_under_one_line_per_component():
    params = ml.MixtureParams(
        torch.log(torch.tensor([[0.2, 0.5, 0.3]])), torch.tensor([[[-1.0], [0.0], [1.0]]]), torch.full((1, 3, 1), 0.1)
    )
    ax = ml.plots.mixture_components(params, torch.linspace(-2, 2, 201), data=torch.randn(500), log_scale=True)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["component 1: π = 0.200", "component 2: π = 0.500", "component 3: π = 0.300", "mixture"]
    colours = {line.get_color() for line in ax.get_lines()[:3]}
    assert len(colours) == 3  # one colour per component
    assert len(ax.patches) == 60 and all(patch.zorder <= ax.get_lines()[0].zorder for patch in ax.patches)
    assert ax.get_yscale() == "log"
    plt.close(ax.figure)
