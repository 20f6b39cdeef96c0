"""Re-execute notebooks in place, deterministically, and report how long each took (``make execute``).

Each notebook runs in a fresh kernel from its own folder, with the settings of :mod:`tools.notebook_kernels`
(one thread, a fixed hash seed, no network). What would differ from one run to the next is not stored:
no timing metadata, no widget state (no live kernel backs it), and each widget output's model id is derived
from the notebook's path and the output's place in it instead of being random. Re-executing an unchanged
notebook therefore leaves the file byte-identical, and a diff after ``make execute`` means something changed.

    python -m tools.execute_notebooks [NOTEBOOK_OR_FOLDER ...]   (default: notebooks/; run from the repository root)
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import nbformat

from tools.notebook_kernels import KERNELSPEC, NOTEBOOKS, ROOT, kernel_env, notebook_client, offline_ipython_dir

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/mdn-lessons/mdn-step-by-step/widget-ids")


def notebooks_under(paths: Sequence[str | Path]) -> list[Path]:
    """Every notebook named, and every notebook under each folder named (sorted, checkpoints skipped)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
        else:
            raise ValueError(f"paths must be notebooks or folders, got {name}")
    return found


def notebook_key(path: Path | str) -> str:
    """What names a notebook in its widget ids: its path from the repository root (its file name elsewhere)."""
    path = Path(path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def stable_widget_ids(nb: nbformat.NotebookNode, key: str) -> int:
    """Replace each widget output's random model id by a uuid5 of ``key``, the cell index and the output index.

    A model shown twice gets the same new id both times. Returns how many ids were replaced.
    """
    renamed: dict[str, str] = {}
    for cell_index, cell in enumerate(nb.cells):
        for output_index, output in enumerate(cell.get("outputs", [])):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if not view or "model_id" not in view:
                continue
            old = view["model_id"]
            if old not in renamed:
                renamed[old] = uuid.uuid5(_WIDGET_ID_NAMESPACE, f"{key}/{cell_index}/{output_index}").hex
            view["model_id"] = renamed[old]
    return len(renamed)


def clean(nb: nbformat.NotebookNode, key: str) -> None:
    """Drop what changes from run to run: timings, widget state, random widget ids; fix the kernelspec."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    stable_widget_ids(nb, key)


def execute(path: Path | str, timeout: int = 300, threads: int | str = 1) -> float:
    """Run the notebook at ``path`` from a fresh offline kernel, write it back cleaned; return the seconds taken."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = notebook_client(nb, path, timeout=timeout)
    with offline_ipython_dir() as ipython_dir:
        start = time.perf_counter()
        client.execute(env=kernel_env(threads=threads, ipython_dir=ipython_dir))
        seconds = time.perf_counter() - start
    clean(nb, notebook_key(path))
    nbformat.write(nb, path)
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=[str(NOTEBOOKS)])
    args = parser.parse_args(argv)
    try:
        paths = notebooks_under(args.paths)
    except ValueError as error:
        parser.error(str(error))
    total = 0.0
    for path in paths:
        seconds = execute(path)
        total += seconds
        print(f"{seconds:6.1f} s  {path}", flush=True)
    print(f"{total:6.1f} s  in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
