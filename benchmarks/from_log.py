"""Tables from the per-seed lines that :func:`benchmarks.methods.measure` prints, for a run cut short.

On a busy machine a full ``make bench`` may not finish in the time at hand; every seed's line is printed as
soon as it is measured, so the finished seeds are not lost:

    python -m benchmarks.from_log LOG [LOG ...] > partial.md

The tables have the same columns as ``make bench``'s and state the seeds each row rests on.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from . import report

_LINE = re.compile(r"^(?P<problem>.+), n=(?P<n>\d+), seed (?P<seed>\d+): (?P<rest>.+)$")
_ENTRY = re.compile(r"(?P<name>\w+) (?P<gap>-?[\d.]+) \((?P<seconds>[\d.]+) s\)")


def parse(paths) -> dict[tuple[str, int], dict[str, dict[str, list[float]]]]:
    """(problem, n) -> method -> {"gap": [...], "seconds": [...], "seeds": [...]}."""
    data: dict = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            match = _LINE.match(line.strip())
            if not match:
                continue
            key = (match["problem"], int(match["n"]))
            for entry in _ENTRY.finditer(match["rest"]):
                slot = data.setdefault(key, {}).setdefault(entry["name"], {"gap": [], "seconds": [], "seeds": []})
                slot["gap"].append(float(entry["gap"]))
                slot["seconds"].append(float(entry["seconds"]))
                slot["seeds"].append(int(match["seed"]))
    return data


def tables(data) -> str:
    lines = [*report.HEADER[:1], report.HEADER[1]]
    lines[0] = lines[0].replace("| data |", "| data (seeds) |")
    verdicts = []
    for (problem, n), results in data.items():
        seeds = ",".join(str(s) for s in results["recipe"]["seeds"])
        label = f"{problem}, n = {n:,} ({seeds})"
        clean = {name: {"gap": r["gap"], "seconds": r["seconds"]} for name, r in results.items()}
        lines += report.rows(label, clean)
        if "gmr" in clean:
            verdicts.append(report.verdict(label, clean))
    return "\n".join([*lines, "", "Against GMR with BIC:", "", *verdicts, ""])


if __name__ == "__main__":
    print(tables(parse(sys.argv[1:])))
