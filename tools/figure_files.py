"""Write the repository's pictures: PNG figures and GIF animations, into ``figures/`` unless told otherwise.

Used by the figure makers of ``make figures`` (``tools/figure_makers/``). Not part of the student package:
it assumes the repository's layout, which a pip-installed ``mdn_lessons`` (as on Colab) does not have.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib import animation

import mdn_lessons as ml
from tools.notebook_kernels import ROOT

FIGURES_DIR = ROOT / "figures"
"""Where :func:`save_figure` writes by default: the repository's ``figures/``."""


def _whole_number(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return value


def save_figure(fig, name: str, directory: Path | str | None = None) -> Path:
    """Save ``fig`` as ``<directory>/<name>.png`` (default: the repository's ``figures/``); returns the path.

    At twice the course's 100 dpi (an 8-inch figure is 1600 px), so it is sharp on a 2x screen; a page
    (GitHub's README) scales it to its column. No software version is written into the file, so the same
    picture gives the same bytes.
    """
    if not isinstance(name, str) or not name or "/" in name or name.endswith(".png"):
        raise ValueError(f"name must be a file name without folder or .png, such as 'teaser', got {name!r}")
    directory = Path(directory) if directory is not None else FIGURES_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    fig.savefig(path, dpi=2 * ml.style.DPI, bbox_inches="tight", metadata={"Software": None})
    return path


def save_animation(fig, draw_frame: Callable[[int], None], n_frames: int, path: Path | str, fps: int = 4) -> Path:
    """Write an animated GIF with matplotlib's Pillow writer: ``draw_frame(i)`` redraws ``fig`` for frame i.

    At the course's 100 dpi (an 8-inch figure is 800 px): a GIF at twice that would be four times the bytes.
    """
    n_frames = _whole_number("n_frames", n_frames)
    fps = _whole_number("fps", fps)
    if not callable(draw_frame):
        raise TypeError(f"draw_frame must be callable as draw_frame(i), got {draw_frame!r}")
    path = Path(path)
    if path.suffix != ".gif":
        raise ValueError(f"path must end in .gif, got {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = animation.PillowWriter(fps=fps)
    with writer.saving(fig, str(path), dpi=ml.style.DPI):
        for i in range(n_frames):
            draw_frame(i)
            writer.grab_frame()
    return path


def animate_snapshots(snapshots: Sequence, x_grid, y_grid, path: Path | str, data=None, fps: int = 4) -> Path:
    """GIF of an MDN's conditional density p(y | x) at each of ``fit``'s snapshots, one frame each.

    snapshots: ``history.snapshots`` from ``ml.fit(..., snapshot_every=..., snapshot_x=x_grid)``, whose
    outputs are MixtureParams on x_grid (M,) or (M, 1); y_grid (G,): where the density is drawn;
    data: optional (x, y) to scatter underneath.
    """
    if not snapshots:
        raise ValueError("snapshots must be a non-empty list: pass snapshot_every and snapshot_x to fit")
    fig, ax = plt.subplots(figsize=ml.style.FIGSIZE)

    def draw(i: int) -> None:
        ax.clear()
        shot = snapshots[i]
        ml.plots.conditional_heatmap(
            shot.output, x_grid, y_grid, ax=ax, data=data, title=f"step {shot.step}: training NLL {shot.loss:.2f}"
        )

    try:
        return save_animation(fig, draw, len(snapshots), path, fps=fps)
    finally:
        plt.close(fig)
