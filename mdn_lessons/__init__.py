"""Helpers for the course "Mixture Density Networks, step by step".

>>> import mdn_lessons as ml
>>> x, y = ml.data.inverted_sine(n=1000, noise=1.0, seed=0)
>>> mdn = ml.MDN(1, 1, n_components=8)
>>> history = ml.fit(mdn, x, y, seed=0)

Modules: ``data`` (seeded data sets and the exact inverted-sine density), ``losses``, ``models``,
``train`` (``fit``), ``density`` (densities on grids), ``plots``, ``widgets``, ``checks`` (exercise
checkers), ``setup`` (``start_lesson``); and for single lessons: ``lesson_data`` (the secret
distributions P of lessons 01-02), ``em`` (expectation-maximisation), ``conditional`` (binned conditional
means, the true branches), ``answers`` (turning a mixture into answers and judging it), ``robot_arm``
(the two-link arm), ``sequences`` (branching curves, the MDN-RNN), ``correlated_mixture`` (mixtures of
full-covariance Gaussians) and ``strokes`` (pen strokes and the handwriting model).
"""

from . import (
    answers,
    checks,
    conditional,
    correlated_mixture,
    data,
    density,
    em,
    lesson_data,
    losses,
    plots,
    robot_arm,
    sequences,
    strokes,
    widgets,
)
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
    "answers",
    "checks",
    "conditional",
    "correlated_mixture",
    "data",
    "density",
    "em",
    "fit",
    "gaussian_nll",
    "lesson_data",
    "losses",
    "mixture_nll",
    "plots",
    "robot_arm",
    "sequences",
    "start_lesson",
    "strokes",
    "versions",
    "widgets",
]
