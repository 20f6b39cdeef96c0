"""The first cell of every lesson: make runs repeatable and figures uniform."""

from __future__ import annotations

import platform
import random
import re
import tomllib
import warnings
from importlib import metadata
from pathlib import Path

import matplotlib
import numpy as np
import torch

from . import _validate, style

DISTRIBUTION = "mdn-lessons"
_TORCH_REQUIREMENT = re.compile(r"^torch\s*(?:==|>=|~=)\s*(\d+)\.(\d+)")
_MAJOR_MINOR = re.compile(r"^(\d+)\.(\d+)")


def _major_minor(version: str) -> tuple[int, int]:
    """``'2.13.0+cpu'`` -> ``(2, 13)``."""
    match = _MAJOR_MINOR.match(version)
    if not match:
        raise ValueError(f"version must start with MAJOR.MINOR, got {version!r}")
    return int(match[1]), int(match[2])


OLDEST_TORCH = (2, 4)
"""The oldest torch the course's code runs on: ``ml.fit`` uses Adam's fused CPU kernel, new in torch 2.4."""


def required_torch() -> tuple[int, int] | None:
    """The torch the course was tested with, as (major, minor): the torch pinned in the package's requirements.

    Read from the installed package's metadata (pip, Colab) or, in a source checkout that was never
    installed, from ``pyproject.toml``; None if neither can be found.
    """
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        if not pyproject.exists():
            return None
        requirements = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    for requirement in requirements:
        match = _TORCH_REQUIREMENT.match(requirement.strip())
        if match:
            return int(match[1]), int(match[2])
    return None


def check_torch_version(found: str | None = None) -> None:
    """Check torch ``found`` (default: this kernel's) against what the course needs, naming both versions.

    Older than :data:`OLDEST_TORCH`: RuntimeError, since the lessons would fail some cells later. Older than
    the tested version (:func:`required_torch`), as a kernel on Colab may be: a UserWarning that the lessons
    should run but their last digits may differ from the stored outputs.
    """
    found = torch.__version__ if found is None else found
    version = _major_minor(found)
    if version < OLDEST_TORCH:
        raise RuntimeError(
            f"This course needs torch {OLDEST_TORCH[0]}.{OLDEST_TORCH[1]} or newer, but this kernel has torch "
            f"{found}. Install a newer one (`make setup` in the course's folder, or `pip install --upgrade "
            "torch`), then restart the kernel."
        )
    tested = required_torch()
    if tested is not None and version < tested:
        warnings.warn(
            f"This course was tested with torch {tested[0]}.{tested[1]}; this kernel has torch {found}. The "
            "lessons should run, but some printed numbers may differ in their last digits from the course's.",
            UserWarning,
            stacklevel=3,
        )


def start_lesson(seed: int = 0) -> np.random.Generator:
    """Check torch, seed Python, numpy and torch, use one CPU thread, set the figure style; return a numpy Generator.

    A torch older than the course needs is refused here, in the first cell, with both versions named,
    rather than by a confusing error some cells later; one older than the course was tested with gets a
    warning. One thread makes every number identical on every machine, whatever ``OMP_NUM_THREADS`` says
    (two threads may add floating-point numbers in another order); the course's models are small enough
    that one thread is also the fastest. The figure style (:mod:`mdn_lessons.style`): 100 dpi, 6.4 × 4 inch
    figures, none wider than 8 inches (a notebook column's 800 px), sharp PNGs on a 2x screen, and
    matplotlib's colour-blind-safe ``petroff10`` colours.
    """
    seed = _validate.positive_int("seed", seed, minimum=0)
    check_torch_version()
    torch.set_num_threads(1)
    random.seed(seed)
    torch.manual_seed(seed)
    style.apply()
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
