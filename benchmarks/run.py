"""``make bench``: every benchmark, printed and written to ``figures/benchmark.md``.

Sections: fit quality and speed against the baseline (``fit_quality``), the same defaults on other
problems and scales (``generality``), and the notebooks' run time and memory (``notebook_budget``).
"""

from __future__ import annotations

import importlib
import platform
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["fit_quality", "generality", "notebook_budget"]


def main() -> int:
    sys.path.insert(0, str(Path(__file__).parent))
    parts = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {platform.machine()} with Python {platform.python_version()}, "
        f"torch {torch.__version__}.",
        "",
    ]
    for name in SECTIONS:
        if not (Path(__file__).parent / f"{name}.py").exists():
            continue
        section = importlib.import_module(name).run()
        print(section, flush=True)
        parts.append(section)
    out = ROOT / "figures" / "benchmark.md"
    out.write_text("\n".join(parts) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
