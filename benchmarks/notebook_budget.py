"""Time and memory of every notebook of the course, against the course's budget (a section of ``make bench``).

Each notebook runs from a fresh kernel in its own folder, one after the other, the way ``make execute``
runs them: with the kernel settings of :mod:`tools.notebook_kernels` (one BLAS thread, fixed hash seed, no
network, figures rendered inline as a student sees them). Measured per notebook: wall-clock seconds from
kernel start to the last cell, and the kernel's peak resident memory (its VmHWM, read by one extra cell
appended to an in-memory copy; the files are never written). Budgets: the whole course within 120 s on two
cores, no notebook over 30 s, no kernel above 1 GB (Binder gives 2 GB).

    python -m benchmarks.notebook_budget [NOTEBOOK ...]   (from the repository root)

prints the table; the exit status is 1 if the course is over budget.

``run()`` returns the markdown section that ``benchmarks/run.py`` writes to ``figures/benchmark.md``.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.notebook_kernels import NOTEBOOKS, ROOT, kernel_env, notebook_client, offline_ipython_dir

# The kernel's high-water mark of resident memory. Linux: VmHWM, which starts afresh at exec (ru_maxrss would
# include the RSS of the process that forked the kernel); elsewhere ru_maxrss (bytes on macOS).
_PEAK_CELL = """\
import re, resource, sys
try:
    with open("/proc/self/status") as status:
        _peak_kb = int(re.search(r"VmHWM:\\s*(\\d+)", status.read()).group(1))
except OSError:
    _peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
print("peak-rss-kb", _peak_kb)"""
_PEAK_LINE = re.compile(r"peak-rss-kb (\d+)")


@dataclass(frozen=True)
class Budget:
    """Limits for the course: total seconds, seconds per notebook, peak kernel memory per notebook (MB)."""

    total_seconds: float = 120.0
    notebook_seconds: float = 30.0
    peak_mb: float = 1024.0

    def __post_init__(self):
        for name in ("total_seconds", "notebook_seconds", "peak_mb"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a number > 0, got {value!r}")


@dataclass(frozen=True)
class Measurement:
    """One notebook's run: ``seconds`` (kernel start to last cell) and the kernel's ``peak_mb``."""

    name: str
    seconds: float
    peak_mb: float

    def within(self, budget: Budget) -> bool:
        return self.seconds <= budget.notebook_seconds and self.peak_mb <= budget.peak_mb


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every lesson and solutions notebook under ``folder``: each lesson followed by its solutions."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"folder must be a directory of notebooks, got {folder}")
    found = [p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    return sorted(found, key=lambda p: (p.name.replace("_solutions", ""), "_solutions" in p.name))


def measure(path: Path, timeout: int = 300) -> Measurement:
    """Run one notebook from a fresh kernel (outputs discarded) and return its time and peak memory."""
    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {path}")
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PEAK_CELL))
    client = notebook_client(nb, path, timeout=timeout)
    with offline_ipython_dir() as ipython_dir:
        env = kernel_env(threads=1, ipython_dir=ipython_dir)
        # As NotebookClient.execute does, but the clock stops at the last cell: shutting the kernel down
        # afterwards sometimes takes seconds that no student waits for.
        client.reset_execution_trackers()
        start = time.perf_counter()
        with client.setup_kernel(env=env):
            client.wait_for_reply(client.kc.kernel_info())
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            seconds = time.perf_counter() - start
    printed = "".join(output.get("text", "") for output in nb.cells[-1].outputs)
    match = _PEAK_LINE.search(printed)
    if not match:
        raise RuntimeError(f"{path.name}: the memory probe printed nothing readable: {printed!r}")
    return Measurement(path.name, seconds, int(match.group(1)) / 1024)


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} CPU cores ({platform.machine()}), Python {platform.python_version()}"


def report(measurements: Sequence[Measurement], budget: Budget = Budget(), where: str = "") -> tuple[str, bool]:
    """The markdown section for these measurements, and whether the course is within ``budget``."""
    if not measurements:
        raise ValueError("measurements must hold at least one notebook's Measurement")
    total = sum(m.seconds for m in measurements)
    peak = max(m.peak_mb for m in measurements)
    failures = [f"{m.name} over budget" for m in measurements if not m.within(budget)]
    if total > budget.total_seconds:
        failures.append(f"whole course {total:.1f} s > {budget.total_seconds:.0f} s")
    lines = [
        "## Notebooks: time and memory",
        "",
        f"Each notebook run from a fresh kernel, one after another, as `make execute` does (one BLAS thread, no "
        f"network){' on ' + where if where else ''}. Budgets: whole course ≤ {budget.total_seconds:.0f} s, each "
        f"notebook ≤ {budget.notebook_seconds:.0f} s, each kernel's peak memory ≤ {budget.peak_mb:.0f} MB "
        f"(Binder gives 2 GB).",
        "",
        "| notebook | seconds | peak kernel RSS (MB) | within budget |",
        "|---|---:|---:|---|",
    ]
    for m in measurements:
        lines.append(f"| {m.name} | {m.seconds:.1f} | {m.peak_mb:.0f} | {'PASS' if m.within(budget) else 'FAIL'} |")
    whole = "PASS" if total <= budget.total_seconds and peak <= budget.peak_mb else "FAIL"
    lines.append(
        f"| **whole course ({len(measurements)} notebooks)** | **{total:.1f}** | **{peak:.0f}** (max) | {whole} |"
    )
    lines += [
        "",
        f"**Result: {'PASS' if not failures else 'FAIL'}**" + (f" ({'; '.join(failures)})" if failures else ""),
    ]
    return "\n".join(lines) + "\n", not failures


def run(paths: Sequence[Path] | None = None, budget: Budget = Budget()) -> str:
    """Measure the notebooks (default: the whole course) and return the markdown section, progress on stderr."""
    paths = course_notebooks() if paths is None else [Path(p) for p in paths]
    if not paths:
        raise ValueError("no notebooks to measure")
    measurements = []
    for path in paths:
        measurements.append(measure(path))
        m, shown = measurements[-1], path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{m.seconds:6.1f} s {m.peak_mb:7.0f} MB  {shown}", file=sys.stderr, flush=True)
    text, _ = report(measurements, budget, where=machine())
    return text


def main(argv: Sequence[str]) -> int:
    text = run([Path(a) for a in argv] if argv else None)
    print(text)
    return 0 if "**Result: PASS**" in text else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
