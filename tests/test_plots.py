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


# ------------------------------------------------------------------ lesson 05: single answers and regions

THREE = ml.MixtureParams(
    torch.log(torch.tensor([[0.5, 0.3, 0.2]])),
    torch.tensor([[[-4.0], [2.0], [6.0]]]),
    torch.tensor([[[2.0], [0.6], [0.5]]]),
)


def test_answers_and_regions_are_drawn_on_the_density():
    y_grid = torch.linspace(-12, 10, 200)
    answers = {"mean": ml.predictions.mixture_mean(THREE), "mode": ml.predictions.mixture_mode(THREE)}
    ax = ml.plots.answers_on_density(THREE, y_grid, answers, title="answers")
    assert ax.get_title() == "answers" and ax.get_xlabel() == "y" and ax.get_ylabel() == "density"
    assert [line.get_label() for line in ax.get_lines()] == ["p(y | x)", "mean", "mode"]
    assert ax.get_lines()[2].get_xdata()[0] == pytest.approx(float(answers["mode"]))

    (shortest,) = ml.predictions.highest_density_interval(THREE, 0.8)
    lower, upper = ml.predictions.central_interval(THREE, 0.8)
    regions = {"shortest": shortest, "central": torch.stack([lower, upper], dim=1)}
    ax = ml.plots.regions_on_density(THREE, y_grid, regions, title="regions")
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    length = float((shortest[:, 1] - shortest[:, 0]).sum())
    assert labels[1] == f"shortest: length {length:.1f}" and labels[2].startswith("central: length")
    assert ax.get_ylim()[0] < 0  # the bars sit below the curve


def test_regions_along_x_draws_one_bar_per_piece_and_checks_the_count():
    x_grid = torch.linspace(-1, 1, 3)
    regions = [torch.tensor([[0.0, 1.0]]), torch.tensor([[0.0, 1.0], [2.0, 3.0]]), torch.tensor([[5.0, 6.0]])]
    ax = ml.plots.regions_along_x(x_grid, regions, title="along x")
    assert len(ax.patches) == 4 and ax.get_title() == "along x"
    with pytest.raises(ValueError, match="one entry per input"):
        ml.plots.regions_along_x(x_grid, regions[:2])
