"""How the repository's tools and tests start a notebook's kernel: deterministic, and with no network.

One home for the settings that make a notebook's stored outputs repeatable, used by ``make execute``
(:mod:`tools.execute_notebooks`), ``make determinism`` (:mod:`tools.check_determinism`), the notebook budget
(``benchmarks/notebook_budget.py``), the JupyterLab driver (:mod:`tools.jupyterlab_driver`) and the tests:

- :data:`DETERMINISTIC_ENV`: one BLAS/OpenMP thread and a fixed hash seed in the kernel's environment;
- :data:`OFFLINE_PROFILE`: the IPython profile whose startup file refuses every connection that is not to
  this machine (``tests/offline/ipython``), so a notebook is proven to run with no network;
- :func:`notebook_client`: the ``nbclient`` options (kernel, working folder, no timing metadata).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OFFLINE_PROFILE = ROOT / "tests" / "offline" / "ipython"
"""IPYTHONDIR of the offline kernels (``make nbval`` points IPYTHONDIR at it too)."""

KERNEL_NAME = "python3"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL_NAME}
"""The kernelspec every committed notebook records (whatever the machine that executed it calls its kernel)."""

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
DETERMINISTIC_ENV = {**dict.fromkeys(THREAD_VARIABLES, "1"), "PYTHONHASHSEED": "0"}
"""Set in every kernel that writes or checks stored outputs: one thread for the BLAS libraries and PyTorch,
and a fixed hash seed (set iteration order). ``mdn_lessons.start_lesson`` seeds the random generators."""

# Folders IPython creates in any profile it loads: never copied, never written into the repository.
_RUNTIME_FOLDERS = ("db", "log", "pid", "security", "history.sqlite*")


def kernel_env(
    threads: int | str = 1, ipython_dir: Path | str | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The whole environment of a kernel: ``base`` (default ``os.environ``) with the deterministic settings.

    threads: BLAS/OpenMP threads, a whole number >= 1, or ``"default"`` to leave the thread variables unset
        (the machine's default). ipython_dir: an IPython directory for the kernel, usually a copy of the
        offline profile made by :func:`offline_ipython_dir` (``None``: the user's own).
    """
    if threads != "default" and (isinstance(threads, bool) or not str(threads).isdigit() or int(threads) < 1):
        raise ValueError(f"threads must be a whole number >= 1 or 'default', got {threads!r}")
    env = {key: value for key, value in (os.environ if base is None else base).items() if key not in THREAD_VARIABLES}
    env.update(DETERMINISTIC_ENV)
    for name in THREAD_VARIABLES:
        if threads == "default":
            env.pop(name)
        else:
            env[name] = str(int(threads))
    if ipython_dir is not None:
        env["IPYTHONDIR"] = str(ipython_dir)
    return env


def copy_offline_profile(destination: Path | str) -> Path:
    """Copy the offline IPython profile into ``destination`` (created if needed) and return it.

    Kernels get a private copy because IPython writes run-time folders into the profile it loads.
    """
    destination = Path(destination)
    shutil.copytree(
        OFFLINE_PROFILE, destination, ignore=shutil.ignore_patterns(".gitignore", *_RUNTIME_FOLDERS), dirs_exist_ok=True
    )
    return destination


@contextlib.contextmanager
def offline_ipython_dir() -> Iterator[Path]:
    """A temporary copy of the offline profile, for ``kernel_env(ipython_dir=...)``; removed on exit."""
    with tempfile.TemporaryDirectory(prefix="offline-ipython-") as folder:
        yield copy_offline_profile(folder)


def notebook_client(nb: nbformat.NotebookNode, path: Path | str, timeout: int = 300, **options) -> NotebookClient:
    """An ``nbclient.NotebookClient`` that runs ``nb`` as ``make execute`` does.

    path: the notebook's file; its folder is the kernel's working directory (so ``../figures/x.gif`` works).
    timeout: seconds allowed per cell. No timing metadata is recorded. Start it with
    ``client.execute(env=kernel_env(...))``.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        raise ValueError(f"timeout must be a whole number of seconds >= 1, got {timeout!r}")
    settings = {"kernel_name": KERNEL_NAME, "record_timing": False, **options}
    return NotebookClient(
        nb, timeout=timeout, resources={"metadata": {"path": str(Path(path).resolve().parent)}}, **settings
    )
