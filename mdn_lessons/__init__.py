"""Helpers for the course "Mixture Density Networks, step by step".

>>> import mdn_lessons as ml
>>> x, y = ml.data.inverted_sine(n=1000, noise=1.0, seed=0)
>>> mdn = ml.MDN(1, 1, n_components=8)
>>> history = ml.fit(mdn, x, y, seed=0)

Modules: ``data`` (seeded data sets and the exact inverted-sine density), ``losses``, ``models``,
``train`` (``fit``), ``density`` (densities on grids), ``plots``, ``widgets``, ``checks`` (exercise
checkers) and ``setup`` (``start_lesson``).
"""

from . import checks, data, density, losses, plots, widgets
from .losses import gaussian_nll, mixture_nll
from .models import MDN, MLP, GaussianMixture, MixtureParams
from .setup import start_lesson, versions
from .train import RECIPE, History, Snapshot, fit

__version__ = "0.1.0"

__all__ = [
    "GaussianMixture",
    "History",
    "MDN",
    "MLP",
    "MixtureParams",
    "RECIPE",
    "Snapshot",
    "checks",
    "data",
    "density",
    "fit",
    "gaussian_nll",
    "losses",
    "mixture_nll",
    "plots",
    "start_lesson",
    "versions",
    "widgets",
]
