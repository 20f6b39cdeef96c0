"""``make bench``: every benchmark, printed and written to ``figures/benchmark.md``.

Run from the repository root as ``python -m benchmarks.run`` (``make bench``). Sections: the recipe against
its first version, Gaussian mixture regression and the original baseline as the amount of data grows
(``fit_quality``), the same on other problems and scales (``generality``), and the notebooks' run time and
memory (``notebook_budget``).

    python -m benchmarks.run [--sections fit_quality,generality] [--max-seeds 3] [--out PATH]

``--max-seeds`` caps every section's seeds (a quicker, noisier run; the tables say so).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["fit_quality", "generality", "notebook_budget"]


def header() -> list[str]:
    return [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {platform.machine()} with Python {platform.python_version()}, "
        f"torch {torch.__version__}.",
        "",
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated, from " + ", ".join(SECTIONS))
    parser.add_argument("--max-seeds", type=int, default=None, help="cap on the seeds of every section")
    parser.add_argument("--out", type=Path, default=ROOT / "figures" / "benchmark.md")
    args = parser.parse_args(argv)
    names = [name for name in args.sections.split(",") if name]
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; choose from {SECTIONS}")
    if args.max_seeds is not None and args.max_seeds < 1:
        parser.error("--max-seeds must be >= 1")
    parts = header()
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        section = module.run(max_seeds=args.max_seeds) if name != "notebook_budget" else module.run()
        print(section, flush=True)
        parts.append(section)
    args.out.write_text("\n".join(parts) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
