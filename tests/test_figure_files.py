"""tools/figure_files.py writes PNG figures and GIF animations, and refuses what it cannot write."""

import matplotlib.pyplot as plt
import pytest
import torch
from PIL import Image

import mdn_lessons as ml
from tools import figure_files


@pytest.fixture
def trained():
    x, y = ml.data.inverted_sine(n=300, seed=0)
    mdn = ml.MDN(1, 1, 3)
    history = ml.fit(mdn, x, y, steps=30, snapshot_every=10, snapshot_x=torch.linspace(-10, 10, 20))
    return x, y, history


def test_save_figure_writes_the_same_png_bytes_twice(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    png = figure_files.save_figure(fig, "line", directory=tmp_path)
    assert png == tmp_path / "line.png"
    with Image.open(png) as image:
        assert image.format == "PNG"
    first = png.read_bytes()
    assert figure_files.save_figure(fig, "line", directory=tmp_path).read_bytes() == first


def test_figures_go_to_the_repository_figures_folder_by_default():
    assert figure_files.FIGURES_DIR.name == "figures"
    assert (figure_files.FIGURES_DIR.parent / "mdn_lessons" / "__init__.py").exists()


def test_animate_snapshots_writes_one_frame_per_snapshot(trained, tmp_path):
    x, y, history = trained
    gif = figure_files.animate_snapshots(
        history.snapshots, torch.linspace(-10, 10, 20), torch.linspace(-10, 10, 25), tmp_path / "train.gif", data=(x, y)
    )
    with Image.open(gif) as image:
        assert image.format == "GIF" and image.n_frames == len(history.snapshots) == 4


def test_save_animation_calls_draw_once_per_frame(tmp_path):
    fig, ax = plt.subplots()
    drawn = []

    def draw(i):
        drawn.append(i)
        ax.clear()
        ax.plot([0, i], [0, 1])

    gif = figure_files.save_animation(fig, draw, 3, tmp_path / "sub" / "a.gif", fps=2)
    assert drawn == [0, 1, 2] and gif.exists()


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="snapshots must be a non-empty list"):
        figure_files.animate_snapshots([], [0, 1], [0, 1], tmp_path / "a.gif")
    with pytest.raises(ValueError, match="n_frames must be a whole number >= 1"):
        figure_files.save_animation(plt.figure(), lambda i: None, 0, tmp_path / "a.gif")
    with pytest.raises(ValueError, match="fps must be a whole number >= 1"):
        figure_files.save_animation(plt.figure(), lambda i: None, 1, tmp_path / "a.gif", fps=0.5)
    with pytest.raises(ValueError, match="path must end in .gif"):
        figure_files.save_animation(plt.figure(), lambda i: None, 1, tmp_path / "a.png")
    with pytest.raises(TypeError, match="draw_frame must be callable"):
        figure_files.save_animation(plt.figure(), None, 1, tmp_path / "a.gif")
    with pytest.raises(ValueError, match="name must be a file name"):
        figure_files.save_figure(plt.figure(), "a.png", directory=tmp_path)
