"""Regenerate every figure in ``figures/`` (``make figures``).

Each module in ``tools/figure_makers/`` has a ``make(out_dir: Path) -> list[Path]`` function that writes its
figures and returns their paths; this script runs them all (or those named on the command line).

    python -m tools.make_figures [MODULE ...]   (from the repository root)
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import torch

from tools.figure_files import FIGURES_DIR
from tools.notebook_kernels import ROOT

MAKERS = Path(__file__).resolve().parent / "figure_makers"


def available() -> list[str]:
    """The figure makers' module names, sorted."""
    return sorted(p.stem for p in MAKERS.glob("*.py") if not p.stem.startswith("_"))


def main(names: list[str]) -> int:
    torch.set_num_threads(1)
    for name in names or available():
        if name not in available():
            raise SystemExit(f"no figure module {name!r}; available: {', '.join(available())}")
        start = time.perf_counter()
        paths = importlib.import_module(f"tools.figure_makers.{name}").make(FIGURES_DIR)
        for path in paths:
            print(f"{time.perf_counter() - start:6.1f} s  {Path(path).resolve().relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
