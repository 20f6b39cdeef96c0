"""Re-execute notebooks in place, deterministically, and report how long each took (``make execute``).

Each notebook runs in a fresh kernel from its own folder, with one BLAS thread and a fixed hash seed;
timing metadata is dropped so a re-run with the same outputs leaves the file byte-identical.

    python tools/execute_notebooks.py [NOTEBOOK_OR_FOLDER ...]   (default: notebooks/)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
DETERMINISTIC_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


def notebooks_under(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.suffix == ".ipynb" and path.exists():
            found.append(path)
        else:
            raise SystemExit(f"not a notebook or folder: {name}")
    return found


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop run-dependent metadata: timings, and widget state that no live kernel will back."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def execute(path: Path, timeout: int = 300) -> float:
    nb = nbformat.read(path, as_version=4)
    os.environ.update(DETERMINISTIC_ENV)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    clean(nb)
    nbformat.write(nb, path)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "notebooks")])
    args = parser.parse_args()
    total = 0.0
    for path in notebooks_under(args.paths):
        seconds = execute(path)
        total += seconds
        print(f"{seconds:6.1f} s  {path}", flush=True)
    print(f"{total:6.1f} s  in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
