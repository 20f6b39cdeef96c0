"""Tables from the per-seed lines that :func:`benchmarks.methods.measure` prints, for a run cut short.

On a busy machine a full ``make bench`` may not finish in the time at hand; every seed's line is printed as
soon as it is measured, so the finished seeds are not lost:

    python -m benchmarks.from_log LOG [LOG ...] > partial.md

The tables have ``make bench``'s columns plus the seeds each row rests on (the first line for a
(problem, n, seed, method) wins). Time ratios use the seeds both methods ran, back to back.
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

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


if __name__ == "__main__":
    print(tables(parse(sys.argv[1:])))
