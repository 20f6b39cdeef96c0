"""Regenerate every figure in ``figures/`` (``make figures``).

Each module in ``tools/figure_makers/`` has a ``make(out_dir: Path) -> list[Path]`` function that writes its
figures and returns their paths; this script runs them all (or those named on the command line).

    python tools/make_figures.py [MODULE ...]
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"


def main(names: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "tools"))
    torch.set_num_threads(1)
    available = sorted(p.stem for p in (ROOT / "tools" / "figure_makers").glob("*.py") if not p.stem.startswith("_"))
    for name in names or available:
        if name not in available:
            raise SystemExit(f"no figure module {name!r}; available: {', '.join(available)}")
        start = time.perf_counter()
        paths = importlib.import_module(f"figure_makers.{name}").make(FIGURES)
        for path in paths:
            print(f"{time.perf_counter() - start:6.1f} s  {Path(path).relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
