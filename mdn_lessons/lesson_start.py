"""The first cell of every lesson: make runs repeatable and figures uniform."""

from __future__ import annotations

import platform
import random

import matplotlib
import numpy as np
import torch

from . import _validate


def start_lesson(seed: int = 0) -> np.random.Generator:
    """Seed Python, numpy and torch, use one CPU thread, and set the figure style; return a numpy Generator.

    One thread makes every number identical on every machine, whatever ``OMP_NUM_THREADS`` says (two
    threads may add floating-point numbers in another order); the course's models are small enough that
    one thread is also the fastest.
    """
    seed = _validate.positive_int("seed", seed, minimum=0)
    torch.set_num_threads(1)
    random.seed(seed)
    torch.manual_seed(seed)
    matplotlib.rcParams.update({"figure.figsize": (6, 4), "figure.dpi": 80, "axes.grid": True, "grid.alpha": 0.3})
    return np.random.default_rng(seed)


def versions() -> dict[str, str]:
    """The versions that matter for reproducing the course's outputs."""
    import ipywidgets

    return {
        "python": ".".join(platform.python_version_tuple()[:2]),
        "torch": torch.__version__.split("+")[0],
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
        "ipywidgets": ipywidgets.__version__,
    }
