"""Helpers for the course "Mixture Density Networks, step by step".

>>> import mdn_lessons as ml
>>> x, y = ml.data.inverted_sine(n=1000, noise=1.0, seed=0)
>>> mdn = ml.MDN(1, 1, n_components=8)
>>> history = ml.fit(mdn, x, y, seed=0)

Modules: ``data`` (seeded data sets and the exact inverted-sine density), ``mixture`` (the Gaussian
mixture: ``Mixture``, ``MixtureParams`` and the log-densities), ``losses``, ``models``, ``train`` (``fit``),
``density`` (densities on grids, the maths of lesson 01's widget), ``plots``, ``widgets``, ``checks``
(exercise checkers), ``lesson_start`` (``start_lesson``); and for single lessons: ``true_distributions``
(the true distributions P of lessons 01-02 and the integrals that judge a model against them), ``em``
(expectation-maximisation), ``conditional`` (binned conditional means, the true branches), ``predictions``
(turning a mixture into predictions and judging its calibration), ``robot_arm`` (the two-link arm),
``sequences`` (branching curves, the MDN-RNN), ``correlated_mixture`` (mixtures of full-covariance
Gaussians) and ``strokes`` (pen strokes and the handwriting model).
"""

from . import (
    checks,
    conditional,
    correlated_mixture,
    data,
    density,
    em,
    losses,
    mixture,
    plots,
    predictions,
    robot_arm,
    sequences,
    strokes,
    style,
    true_distributions,
    widgets,
)
from .lesson_start import start_lesson, versions
from .losses import gaussian_nll, mixture_nll
from .mixture import Mixture, MixtureParams
from .models import MDN, MLP, GaussianMixture, TrainableModel
from .train import RECIPE, History, Snapshot, fit

__version__ = "0.1.0"

__all__ = [
    "GaussianMixture",
    "History",
    "MDN",
    "MLP",
    "Mixture",
    "MixtureParams",
    "RECIPE",
    "Snapshot",
    "TrainableModel",
    "checks",
    "conditional",
    "correlated_mixture",
    "data",
    "density",
    "em",
    "fit",
    "gaussian_nll",
    "losses",
    "mixture",
    "mixture_nll",
    "plots",
    "predictions",
    "robot_arm",
    "sequences",
    "start_lesson",
    "strokes",
    "style",
    "true_distributions",
    "versions",
    "widgets",
]
