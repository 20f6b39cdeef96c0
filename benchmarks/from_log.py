"""``figures/benchmark.md`` from the per-seed lines that :func:`benchmarks.methods.measure` prints.

On a busy machine a full ``make bench`` may not finish in the time at hand; every seed's line is printed as
soon as it is measured, so the finished seeds are not lost. Cells can also run side by side
(``python -m benchmarks.methods PROBLEM N SEEDS METHODS > cell.log``), each interleaving its methods:

    python -m benchmarks.from_log LOG [LOG ...] > figures/benchmark.md

The tables have ``make bench``'s columns plus the seeds each row rests on (the first line for a
(problem, n, seed, method) wins). Time ratios use the seeds both methods ran, back to back. The closing
section, where the recipe is not ahead, is written from the same numbers.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import sys
from pathlib import Path

import torch

from mdn_lessons.train import BUDGET, RECIPE

from .fit_quality import TARGETS
from .methods import LABELS

_LINE = re.compile(r"^(?P<problem>.+), n=(?P<n>\d+), seed (?P<seed>\d+): (?P<rest>.+)$")
_ENTRY = re.compile(r"(?P<name>\w+) (?P<gap>-?[\d.]+) \((?P<seconds>[\d.]+) s\)")


def parse(paths) -> dict[tuple[str, int], dict[str, dict[int, tuple[float, float]]]]:
    """(problem, n) -> method -> seed -> (gap, seconds)."""
    data: dict = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            match = _LINE.match(line.strip())
            if not match:
                continue
            key = (match["problem"], int(match["n"]))
            for entry in _ENTRY.finditer(match["rest"]):
                runs = data.setdefault(key, {}).setdefault(entry["name"], {})
                runs.setdefault(int(match["seed"]), (float(entry["gap"]), float(entry["seconds"])))
    return data


def _seeds(runs) -> str:
    seeds = sorted(runs)
    return f"{seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else ",".join(map(str, seeds))


def _ratio(a, b) -> float:
    common = sorted(set(a) & set(b))
    return statistics.median(a[s][1] / b[s][1] for s in common)


def _median_gap(runs) -> float:
    return statistics.median(g for g, _ in runs.values())


def tables(data) -> str:
    lines = [
        "| data | method | seeds | median gap (nats) | worst gap (nats) | median s per fit | time ÷ recipe's |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    targets, verdicts = [], []
    for (problem, n), results in data.items():
        label = f"{problem}, n = {n:,}"
        for name, runs in results.items():
            ratio = "1" if name == "recipe" else f"{_ratio(runs, results['recipe']):.2f}"
            gaps = [g for g, _ in runs.values()]
            lines.append(
                f"| {label} | {LABELS[name]} | {_seeds(runs)} | {statistics.median(gaps):.3f} | {max(gaps):.3f} | "
                f"{statistics.median(s for _, s in runs.values()):.2f} | {ratio} |"
            )
        recipe = results["recipe"]
        gap, worst = _median_gap(recipe), max(g for g, _ in recipe.values())
        if problem.startswith("inverted sine, noise 1") and n in TARGETS:
            text = f"- {label}: median gap {gap:.3f} (target ≤ {TARGETS[n]})"
            met = gap <= TARGETS[n]
            if n == 4_000:
                ratio = _ratio(recipe, results["recipe_v1"])
                text += f", time {ratio:.2f}× v1's (target ≤ 0.5)"
                met = met and ratio <= 0.5
            targets.append(text + (": met." if met else ": NOT met."))
        elif not problem.startswith("inverted sine, noise 1"):
            v1 = _median_gap(results["recipe_v1"])
            met = gap <= v1 and worst <= 0.10
            targets.append(
                f"- {label}: median {gap:.3f} (v1 {v1:.3f}), worst {worst:.3f} (target: median ≤ v1's, worst ≤ 0.10): "
                + ("met." if met else "NOT met.")
            )
        if "gmr" in results:
            diff = gap - _median_gap(results["gmr"])
            speed = _ratio(results["gmr"], recipe)
            verdicts.append(
                f"- {label}: median gap "
                + ("at least as good as GMR's" if diff <= 0 else f"worse than GMR's by {diff:.3f} nats")
                + f" ({gap:.3f} against {_median_gap(results['gmr']):.3f}); "
                + ("at least as fast" if speed >= 1 else "slower")
                + f" (GMR takes {speed:.2f}× the recipe's time)."
            )
    return "\n".join(
        [*lines, "", "Targets for the recipe:", "", *targets, "", "Against GMR with BIC:", "", *verdicts, ""]
    )


def _versions() -> str:
    try:
        import sklearn

        learn = f", scikit-learn {sklearn.__version__}"
    except ImportError:  # GMR is a bench-only peer
        learn = ""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = f", load average {os.getloadavg()[0]:.1f} when written" if hasattr(os, "getloadavg") else ""
    machine = f"{cores} CPU cores ({platform.machine()}{load})"
    return f"{machine}, Python {platform.python_version()}, torch {torch.__version__}{learn}"


SIDE_BY_SIDE = (
    "Each (data set, n) cell ran as its own process (`python -m benchmarks.methods`), one thread, its methods "
    "interleaved seed by seed, so machine load hits them alike. The cells ran side by side on a machine shared "
    "with other jobs: seconds are inflated and noisy, and only the *ratios* (each the median of per-seed ratios "
    "between methods that ran back to back) mean much. A full `make bench` on a quiet machine writes this file "
    "again with every seed."
)
"""How a run cut short was made (the default of :func:`introduction`)."""

MAKE_BENCH = (
    "Written by `make bench`: every cell in turn, one thread, the methods interleaved seed by seed. The last "
    "column is the median of per-seed time ratios between methods that ran back to back."
)


def introduction(data, how: str = SIDE_BY_SIDE) -> str:
    """How the numbers were made and what each method is (from the recipe's own constants)."""
    seeds = sorted({seed for results in data.values() for runs in results.values() for seed in runs})
    budget = (
        f"{BUDGET['per_sqrt_sample']:g}·√n steps clipped to [{BUDGET['min_steps']}, {BUDGET['max_steps']}], "
        f"Adam with betas {RECIPE['betas']}, peak lr {RECIPE['lr']}, mini-batches of {RECIPE['batch_size']}, "
        f"a cosine decay to {RECIPE['final_lr_fraction']:g} of the peak"
    )
    return "\n".join(
        [
            "# Benchmarks",
            "",
            f"Measured on {_versions()}.",
            "",
            how + f" The **seeds** column gives the seeds behind each row (seeds {seeds[0]}-{seeds[-1]} at most).",
            "",
            "Gap = held-out NLL on 20,000 fresh points minus the exact Bayes limit on the same points (nats).",
            "Methods:",
            f"- **recipe**: today's `ml.fit` defaults: {budget}, no per-step host read, fused Adam.",
            "- **recipe v1**: the same model with the first recipe: a fixed 1,500 steps, Adam's default betas, "
            "peak lr 0.02 (`benchmarks/recipe_v1.py`).",
            "- **GMR**: a full-covariance Gaussian mixture on the standardised joint (x, y), K = 1..10 chosen by "
            "BIC, then conditioned on x analytically (scikit-learn, one BLAS thread).",
            "- **baseline**: the original demonstration, 10,000 full-batch epochs, run only at n = 1,000.",
            "",
            "## All data sets side by side",
            "",
            "The inverted sine with noise 1 at four sizes, and the generality problems at n = 4,000: the inverted "
            "sine with noise 0.3, with x and y × 0.01 and × 1000, and Bishop's x = y + 0.3 sin 2πy, noise 0.05.",
            "",
        ]
    )


def not_ahead(data) -> str:
    """The closing section: every cell where GMR is faster or closer, and where v1 is closer, with the why."""
    slower, worse, behind_v1 = [], [], []
    for (problem, n), results in data.items():
        label = f"{problem}, n = {n:,}"
        recipe = results["recipe"]
        gap = _median_gap(recipe)
        if "gmr" in results:
            speed = _ratio(results["gmr"], recipe)
            if speed < 1:
                slower.append(f"{label} ({speed:.2f}×)")
            if round(_median_gap(results["gmr"]), 3) < round(gap, 3):  # as the tables print them
                worse.append(f"{label} ({gap:.3f} against GMR's {_median_gap(results['gmr']):.3f})")
        if "recipe_v1" in results and round(_median_gap(results["recipe_v1"]), 3) < round(gap, 3):
            behind_v1.append(f"{label} ({gap:.3f} against v1's {_median_gap(results['recipe_v1']):.3f})")
    lines = ["### Where the recipe is not ahead, and why", ""]
    if slower:
        lines += [
            "- **Speed against GMR.** GMR with BIC takes less time than the recipe on: "
            + "; ".join(slower)
            + " (GMR's time ÷ the recipe's). A step of the recipe costs mostly fixed overhead, not arithmetic "
            "(its forward and backward pass take about 0.8 ms on a batch of 16 and 1.2 ms on the recipe's 256), "
            "so the time is the number of steps; fewer steps cost gap at n ≥ 4,000, and a higher learning rate or "
            "larger batches did not buy the same gap in fewer steps in our trials. Writing the loss's gradient out "
            "by hand (lesson 04's formulas, a third fewer operations) did not save measurable time (0.96 against "
            "0.98 ms per forward and backward pass, the fastest of 60 alternating runs) and was not kept. GMR's EM "
            "on a 2-D joint is cheap until n is large, where the recipe's fixed cap on steps wins."
        ]
    if worse:
        lines += [
            "- **Gap against GMR.** GMR's median gap is lower on: "
            + "; ".join(worse)
            + ". With little data a joint Gaussian mixture with few components, chosen by BIC, overfits less "
            "than a 64-unit network on a typical seed; see the worst-gap column for the other side."
        ]
    else:
        lines += ["- **Gap against GMR.** The recipe's median gap is at least as good as GMR's on every data set."]
    if behind_v1:
        lines += [
            "- **Behind the first recipe.** v1's median gap is lower on: "
            + "; ".join(behind_v1)
            + ". The step budget knows only n, not how sharp the problem is: sharp problems (thin branches, "
            "like the inverted sine with noise 0.3) still gain from v1's 1,500 steps, at about twice the time "
            "(`ml.fit(..., steps=1500)` gives them). Two adaptive budgets were tried in shorter runs (3 seeds) "
            "and not kept: early stopping on a 10% held-out slice, and a constant learning rate cooled down once "
            "the held-out NLL stops falling. At a high learning rate the held-out NLL is too noisy to say when to "
            "stop, and the slice held out costs gap at n = 1,000 and 4,000."
        ]
    return "\n".join(lines) + "\n"


def document(data, how: str = SIDE_BY_SIDE) -> str:
    """The whole benchmark page for data (problem, n) -> method -> seed -> (gap, seconds)."""
    return "\n".join([introduction(data, how), tables(data), not_ahead(data)])


if __name__ == "__main__":
    print(document(parse(sys.argv[1:])))
