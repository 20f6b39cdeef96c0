"""mdn_lessons.style: the course's figure sizes, its colour-blind-safe palette and sharp notebook output."""

import matplotlib
import matplotlib.pyplot as plt
import pytest

import mdn_lessons as ml
from mdn_lessons import style


@pytest.fixture(autouse=True)
def _restore_rc():
    with matplotlib.rc_context():
        yield


def test_the_palette_is_matplotlibs_petroff10_when_it_has_it():
    if "petroff10" not in matplotlib.color_sequences:
        pytest.skip(f"matplotlib {matplotlib.__version__} has no petroff10")
    expected = [matplotlib.colors.to_hex(color) for color in matplotlib.color_sequences["petroff10"]]
    assert style.palette() == expected == list(style.PETROFF10)


def test_an_older_matplotlib_gets_the_same_colours(monkeypatch):
    monkeypatch.setattr(matplotlib, "color_sequences", {"tab10": matplotlib.color_sequences["tab10"]})
    assert style.palette() == list(style.PETROFF10)


def test_component_colours_are_the_palette_without_its_greys():
    colors = style.component_colors()
    assert len(colors) == 8 == len(set(colors))
    assert colors == [color for color in style.palette() if color not in ("#94a4a2", "#717581")]
    for color in colors:  # no grey left: a grey's red, green and blue are within a few percent of each other
        red, green, blue = matplotlib.colors.to_rgb(color)
        assert max(red, green, blue) - min(red, green, blue) > 0.1, color
    assert ml.plots.component_colors() == colors


def test_apply_sets_the_figure_size_dpi_and_colour_cycle():
    matplotlib.rcParams.update({"figure.dpi": 72, "figure.figsize": (15, 4)})
    style.apply()
    fig = plt.figure()
    try:
        assert fig.dpi == 100
        assert tuple(fig.get_size_inches()) == (6.4, 4.0)
        assert fig.get_size_inches()[0] <= style.MAX_WIDTH
    finally:
        plt.close(fig)
    cycle = [entry["color"] for entry in matplotlib.rcParams["axes.prop_cycle"]]
    assert cycle == style.palette()
    assert matplotlib.font_manager.FontProperties(size=matplotlib.rcParams["legend.fontsize"]).get_size_in_points() >= 8


def test_start_lesson_applies_the_style():
    matplotlib.rcParams["figure.dpi"] = 80
    ml.start_lesson(seed=0)
    assert matplotlib.rcParams["figure.dpi"] == 100
    assert [entry["color"] for entry in matplotlib.rcParams["axes.prop_cycle"]] == style.palette()


def test_retina_output_is_asked_for_only_inside_ipython(monkeypatch):
    import IPython
    import matplotlib_inline.backend_inline as inline

    calls = []
    monkeypatch.setattr(inline, "set_matplotlib_formats", lambda *formats: calls.append(formats))
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    style.apply()
    assert calls == []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    style.apply()
    assert calls == [("retina",)]
