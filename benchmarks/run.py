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
import sys
from pathlib import Path

from . import from_log, notebook_budget
from .methods import measure

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["fit_quality", "generality", "notebook_budget"]


def measured(cells) -> dict:
    """Run every (problem, n, seeds, methods) cell: the data of :func:`benchmarks.from_log.document`."""
    data: dict = {}
    for problem, n, seeds, methods in cells:
        results = measure(problem, n, seeds, methods)
        data[(problem.name, n)] = {
            name: {seed: (gap, seconds) for seed, gap, seconds in zip(seeds, r["gap"], r["seconds"], strict=True)}
            for name, r in results.items()
        }
    return data


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
    cells = [
        cell
        for name in names
        if name != "notebook_budget"
        for cell in importlib.import_module(f"benchmarks.{name}").cells(args.max_seeds)
    ]
    parts = [from_log.document(measured(cells), from_log.MAKE_BENCH)] if cells else ["# Benchmarks", ""]
    if "notebook_budget" in names:
        parts.append(notebook_budget.run())
    text = "\n".join(parts) + "\n"
    print(text, flush=True)
    args.out.write_text(text)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
