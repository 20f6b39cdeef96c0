import matplotlib
import matplotlib.pyplot as plt
import numpy as np
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


def _two_components(x_grid):
    """Component 0 everywhere; component 1 only for x > 0 (weight 1e-3 below): means 2 and -2."""
    m = len(x_grid)
    second = torch.where(torch.as_tensor(x_grid) > 0, 0.5, 1e-3)
    weights = torch.stack([1 - second, second], dim=1)
    means = torch.tensor([2.0, -2.0]).expand(m, 2).unsqueeze(-1)
    return ml.MixtureParams(weights.log(), means.clone(), torch.ones(m, 2, 1))


def test_heatmap_has_a_colourbar_and_a_legend_naming_the_mean_lines_and_the_data():
    x_grid, y_grid = torch.linspace(-3, 3, 50), torch.linspace(-5, 5, 60)
    ax = ml.plots.conditional_heatmap(_two_components(x_grid), x_grid, y_grid, data=(torch.zeros(5), torch.zeros(5)))
    colorbars = [other for other in ax.figure.axes if other is not ax]
    assert len(colorbars) == 1 and "p(y | x)" in colorbars[0].get_ylabel()
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["data", "means where $\\pi_k \\geq$ 0.02"]
    plt.close(ax.figure)


def test_heatmap_mean_lines_stop_where_the_weight_is_negligible():
    x_grid, y_grid = torch.linspace(-3, 3, 50), torch.linspace(-5, 5, 60)
    ax = ml.plots.conditional_heatmap(_two_components(x_grid), x_grid, y_grid)
    first, second = (line.get_ydata() for line in ax.get_lines())
    assert np.isfinite(first).all()  # weight ~1 everywhere
    positive = x_grid.numpy() > 0
    assert np.isfinite(second[positive]).all() and np.isnan(second[~positive]).all()
    # A higher threshold hides the second component's line everywhere (its weight is 0.5 at most).
    ax = ml.plots.conditional_heatmap(_two_components(x_grid), x_grid, y_grid, min_weight=0.6)
    assert np.isnan(ax.get_lines()[1].get_ydata()).all()
    plt.close("all")


def test_heatmap_redrawn_on_the_same_axes_keeps_one_colourbar_and_its_size():
    x_grid, y_grid = torch.linspace(-3, 3, 20), torch.linspace(-5, 5, 20)
    fig, ax = plt.subplots()
    positions = []
    for _ in range(3):
        ax.clear()
        ml.plots.conditional_heatmap(_two_components(x_grid), x_grid, y_grid, ax=ax)
        positions.append(ax.get_position().bounds)
    assert len(fig.axes) == 2
    assert positions[0] == positions[1] == positions[2]
    plt.close(fig)


def test_heatmap_colourbar_into_given_axes_or_none():
    x_grid, y_grid = torch.linspace(-3, 3, 20), torch.linspace(-5, 5, 20)
    fig, (ax, cax) = plt.subplots(1, 2, width_ratios=(20, 1))
    ml.plots.conditional_heatmap(_two_components(x_grid), x_grid, y_grid, ax=ax, colorbar=cax)
    ml.plots.conditional_heatmap(_two_components(x_grid), x_grid, y_grid, ax=ax, colorbar=cax)
    assert len(fig.axes) == 2 and "p(y | x)" in cax.get_ylabel()
    ax = ml.plots.conditional_heatmap(_two_components(x_grid), x_grid, y_grid, colorbar=False, means=False)
    assert ax.figure.axes == [ax] and ax.get_legend() is None
    with pytest.raises(TypeError, match="colorbar must be True, False or a matplotlib Axes"):
        ml.plots.conditional_heatmap(_two_components(x_grid), x_grid, y_grid, colorbar="yes")
    with pytest.raises(ValueError, match=r"min_weight must be a number in \[0, 1\)"):
        ml.plots.conditional_heatmap(_two_components(x_grid), x_grid, y_grid, min_weight=1.5)
    plt.close("all")


def test_components_are_drawn_in_the_course_palette():
    x_grid = torch.linspace(-3, 3, 20)
    ax = ml.plots.component_bands(_two_components(x_grid), x_grid, min_weight=0.0)
    drawn = [matplotlib.colors.to_hex(line.get_color()) for line in ax.get_lines()]
    assert drawn == ml.plots.component_colors()[:2]
    params = ml.MixtureParams(torch.tensor([[0.5, 0.5]]).log(), torch.tensor([[[-2.0], [2.0]]]), torch.ones(1, 2, 1))
    ax = ml.plots.mixture_density(params, torch.linspace(-5, 5, 50))
    shaded = [matplotlib.colors.to_hex(area.get_facecolor()[0]) for area in ax.collections]
    assert shaded == ml.plots.component_colors()[:2]
    plt.close("all")


def test_new_figures_fit_the_column_after_start_lesson(trained):
    x, y, mdn, history = trained
    ml.start_lesson(seed=0)
    grid_x, grid_y = torch.linspace(-10, 10, 30), torch.linspace(-10, 10, 40)
    for ax in (
        ml.plots.conditional_heatmap(mdn, grid_x, grid_y),
        ml.plots.training_curves({"MDN": history.loss}, reference=-0.5),
        ml.plots.scatter_data(x, y),
    ):
        width, _ = ax.figure.get_size_inches()
        assert width <= ml.style.MAX_WIDTH and ax.figure.dpi == ml.style.DPI
        assert ax.get_yscale() == "linear"  # an NLL can be negative
        legend = ax.get_legend()
        if legend is not None:
            assert min(text.get_fontsize() for text in legend.get_texts()) >= 8
    plt.close("all")


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
