"""Prove the notebooks' stored outputs are reproducible: nbval, three times in a row, with 1 and 2 threads.

Each run is a full nbval pass (every cell re-run in a fresh kernel and its text output compared with the
committed one), with no network (the offline IPython profile of ``tests/offline``). The default plan is
three consecutive runs with OMP_NUM_THREADS=1, then 2, then unset (the machine's default); any failure makes
the exit status 1, and the failing run's nbval report is printed. The kernels' settings are those of
:mod:`tools.notebook_kernels`.

    python -m tools.check_determinism [--threads 1 2 default] [--repeat N] [--jobs N] [NOTEBOOK_OR_FOLDER ...]

(from the repository root). ``--jobs N`` spreads each run's notebooks over N pytest-xdist workers (each
notebook stays whole on one worker, its cells in order); the runs themselves stay one after the other.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tools.notebook_kernels import ROOT, kernel_env, offline_ipython_dir

SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
DEFAULT_THREADS = ("1", "2", "default")


def plan(threads: Sequence[str], repeat: int) -> list[str]:
    """The thread setting of each run, in order: ``threads`` repeated ``repeat`` times."""
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"repeat must be a whole number >= 1, got {repeat!r}")
    if not threads:
        raise ValueError("threads must name at least one setting: a whole number >= 1, or 'default'")
    for setting in threads:
        if setting != "default" and not (setting.isdigit() and int(setting) >= 1):
            raise ValueError(f"threads must be whole numbers >= 1 or 'default', got {setting!r}")
    return list(threads) * repeat


def xdist_options(jobs: int) -> list[str]:
    """pytest's options for ``jobs`` parallel workers, one notebook per worker at a time (none for 1)."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number >= 1, got {jobs!r}")
    return [] if jobs == 1 else ["-n", str(jobs), "--dist", "loadscope"]


def nbval_run(paths: Sequence[Path], threads: str, ipython_dir: Path, jobs: int = 1) -> subprocess.CompletedProcess:
    """One nbval pass over ``paths`` with OMP/MKL/OpenBLAS threads set to ``threads`` ('default': unset)."""
    env = kernel_env(threads=threads, ipython_dir=ipython_dir)
    command = [
        sys.executable, "-m", "pytest", "-q", "--color=no", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
        "--nbval-sanitize-with", str(SANITIZE), *xdist_options(jobs), *map(str, paths),
    ]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def failure_report(output: str, limit: int = 6000) -> str:
    """The start of pytest's FAILURES section (the first differences) and its short summary, within ``limit``."""
    start = output.rfind("\n", 0, max(output.find("= FAILURES ="), 0)) + 1  # from the start of that line
    summary = output.find("short test summary info")
    head = output[max(start, 0) :][: limit // 2]
    tail = output[max(summary, len(output) - limit // 2) :][: limit // 2] if summary >= 0 else output[-limit // 2 :]
    return head if tail in head else f"{head}\n[...]\n{tail}"


def check(paths: Sequence[Path], threads: Sequence[str] = DEFAULT_THREADS, repeat: int = 1, jobs: int = 1) -> bool:
    """Run the plan, print one line per run (and the report of any failing run); True if every run passed."""
    runs = plan(threads, repeat)
    xdist_options(jobs)  # refuse a bad value before the first run
    missing = [str(p) for p in paths if not Path(p).exists()]
    if not paths or missing:
        raise ValueError(f"paths must be existing notebooks or folders, got {missing or 'none'}")
    passed = True
    with offline_ipython_dir() as ipython_dir:
        for number, setting in enumerate(runs, start=1):
            start = time.perf_counter()
            result = nbval_run(paths, setting, ipython_dir, jobs)
            summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
            verdict = "PASS" if result.returncode == 0 else "FAIL"
            print(f"run {number}/{len(runs)}  OMP_NUM_THREADS={setting:<8} {verdict}  "
                  f"{time.perf_counter() - start:6.1f} s  {summary}", flush=True)  # fmt: skip
            if result.returncode != 0:
                passed = False
                print(failure_report(result.stdout), result.stderr[-2000:], sep="\n", flush=True)
    print("deterministic: every run matched the stored outputs" if passed else "NOT deterministic (see above)")
    return passed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "notebooks"])
    parser.add_argument("--threads", nargs="+", default=list(DEFAULT_THREADS), help="settings, in run order")
    parser.add_argument("--repeat", type=int, default=1, help="how many times to run the whole list of settings")
    parser.add_argument("--jobs", type=int, default=1, help="parallel pytest-xdist workers in each run (1: none)")
    args = parser.parse_args(argv)
    try:
        return 0 if check(args.paths, args.threads, args.repeat, args.jobs) else 1
    except ValueError as error:
        parser.error(str(error))


if __name__ == "__main__":
    sys.exit(main())
