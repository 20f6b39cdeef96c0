"""figures/mdn_training.gif: an MDN's σ bands widen to cover the inverted sine, then tighten onto each branch.

The animation is lesson 04's own run. The lesson writes its hand-built MDN (the class ``HandBuiltMDN``) and
its plain training loop (``train``) in code cells for students to read and edit; those cells, with the setup
and data cells, carry the tag ``hand-built-mdn``. This module runs the tagged cells, so the code exists once
(in the lesson), then trains exactly as the lesson does, with more snapshot steps, and draws one frame per
snapshot. Snapshots are taken under ``torch.no_grad`` and draw no random numbers, so the frames show the
same trajectory as the lesson's pictures; each title gives the step and the mean σ measured on that frame.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import torch

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "notebooks" / "04_mdn.ipynb"
TAG = "hand-built-mdn"
NEEDED = ("ml", "conditional", "x", "y", "HandBuiltMDN", "train")
FRAME_STEPS = (*range(0, 60, 5), 60, 70, 80, 100, 125, 150, 200, 300, 400, 600, 1000, 1500)
"""Dense frames while σ widens and the means bend (the first 60 steps), sparse ones while the bands settle."""
HOLD_LAST = 6
"""The trained model's frame is repeated so the loop pauses on it."""


def lesson_code(path: Path = LESSON, tag: str = TAG) -> dict:
    """Run the code cells of ``path`` tagged ``tag``, in order, in a fresh namespace, and return the namespace."""
    notebook = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "lesson04_hand_built"}
    cells = [cell for cell in notebook.cells if cell.cell_type == "code" and tag in cell.metadata.get("tags", [])]
    for index, cell in enumerate(cells):
        exec(compile(cell.source, f"{path.name}, tagged cell {index}", "exec"), namespace)
    missing = [name for name in NEEDED if name not in namespace]
    if missing:
        raise RuntimeError(f"the cells of {path} tagged {tag!r} must define {', '.join(missing)}")
    return namespace


def make(out_dir: Path) -> list[Path]:
    lesson = lesson_code()
    ml, conditional, x, y = (lesson[name] for name in NEEDED[:4])
    x_grid = torch.linspace(float(x.min()), float(x.max()), 200).unsqueeze(1)  # the lesson's grid
    torch.manual_seed(0)
    model = lesson["HandBuiltMDN"](x, y)
    _, _, snapshots = lesson["train"](model, x, y, snapshot_steps=FRAME_STEPS, x_grid=x_grid)
    frames = [*FRAME_STEPS] + [FRAME_STEPS[-1]] * HOLD_LAST
    branch_x, branch_y = conditional.inverted_sine_branches()

    fig, ax = plt.subplots(figsize=(7.8, 4.4))
    fig.subplots_adjust(left=0.08, right=0.77, bottom=0.12, top=0.92)  # room for the legend on the right

    def draw(i: int) -> None:
        step = frames[i]
        params = snapshots[step]
        ax.clear()
        ax.plot(branch_x, branch_y, color="black", lw=0.6, ls="--", label="true branches")
        title = f"Hand-built MDN, step {step:4d}: mean σ = {conditional.mean_scale(params):.2f}"
        ml.plots.component_bands(params, x_grid, ax=ax, data=(x, y), title=title)
        ax.set(xlim=(float(x_grid[0]), float(x_grid[-1])), ylim=(-12.5, 12.5))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")

    try:
        path = ml.plots.save_animation(fig, draw, len(frames), Path(out_dir) / "mdn_training.gif", fps=4)
    finally:
        plt.close(fig)
    return [path]
