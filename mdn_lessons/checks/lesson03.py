"""Checkers for lesson 03, why mean squared error fails on one-to-many data.

* :func:`check_conditional_mean` — E[y | x] at one x from samples: the average of y over a window of x.
* :func:`check_best_single_gaussian_nll` — the best NLL one Gaussian per x can reach: ½ log(2πe Var[y | x]),
  averaged over bins of x.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import _validate
from ..conditional import binned_mean
from ..data import inverted_sine
from ._core import CheckResult, NotAttempted, as_float, expect_function, is_stub, require_answer, run_check

WINDOWS = ((0.0, 0.25), (-5.0, 1.0), (8.0, 0.5), (2.5, 2.0))
"""(x0, half_width) pairs the student's ``conditional_mean`` is tried on."""

BINS = 40
"""The lesson bins the test data with ``binned_mean(x_test, y_test, bins=40)``."""


def _window_mean(values: torch.Tensor, x: torch.Tensor, x0: float, half_width: float) -> float:
    return float(values[(x - x0).abs() < half_width].mean())


def _is_nan(value) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError, RuntimeError):
        return False


def _close(a: float, b: float, tol: float = 1e-4) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def check_conditional_mean(conditional_mean) -> CheckResult:
    """Exercise 1: ``conditional_mean(x, y, x0, half_width)`` returns the mean of the y whose |x - x0| < half_width.

    The function is tried on fresh inverted-sine data (x, y of shape (N, 1)) and several windows.
    """

    def test(problems: list[str]) -> None:
        if not expect_function(conditional_mean, "conditional_mean", problems):
            return
        x, y = inverted_sine(n=400, noise=1.0, seed=303)
        for x0, half_width in WINDOWS:
            answer = conditional_mean(x.clone(), y.clone(), x0, half_width)
            if is_stub(answer):
                raise NotAttempted("not attempted yet: conditional_mean still returns nothing; fill in its body.")
            where = f"conditional_mean(x, y, x0={x0:g}, half_width={half_width:g})"
            number = as_float(answer, where, problems)
            if number is None:
                return
            expected = _window_mean(y, x, x0, half_width)
            if _close(number, expected):
                continue
            if _close(number, _window_mean(x, x, x0, half_width)):
                problems.append(f"{where} averaged the x values in the window; average their y values instead.")
            elif _close(number, float(y.mean())):
                problems.append(f"{where} is the mean of every y; keep only those whose x is within the window.")
            elif _close(number, _window_mean(y, x, x0, 2 * half_width)) or _close(
                number, _window_mean(y, x, x0, half_width / 2)
            ):
                problems.append(
                    f"{where} used a window of the wrong width: half_width is half of it, |x - x0| < half_width."
                )
            else:
                problems.append(
                    f"{where} is {number:.4g}, expected {expected:.4g}: the mean of y[(x - x0).abs() < half_width]."
                )
            return

    return run_check("conditional mean at one x", test)


def _gaussian_entropy(variances: np.ndarray) -> np.ndarray:
    """½ log(2πe s²): the expected NLL of a Gaussian with variance s² on its own samples."""
    return 0.5 * np.log(2 * math.pi * math.e * variances)


def best_single_gaussian_nll(x, y, bins: int = BINS) -> float:
    """½ log(2πe s²) per bin of x, with s² the bin's variance of y, averaged over bins weighted by their counts.

    x, y: (N, 1) samples. This is about the lowest expected NLL of a model that predicts one Gaussian per x.
    """
    binned = binned_mean(x, y, bins=bins)
    filled = ~np.isnan(binned.variances)
    return float(np.average(_gaussian_entropy(binned.variances[filled]), weights=binned.counts[filled]))


def check_best_single_gaussian_nll(answer, x_test, y_test) -> CheckResult:
    """Exercise 2: the best NLL one Gaussian per x can reach on (x_test, y_test), binned into 40 bins of x."""
    x_test = _validate.feature_matrix("x_test", x_test, features=1)
    y_test = _validate.feature_matrix("y_test", y_test, features=1)
    _validate.same_length("x_test", x_test, "y_test", y_test)

    def test(problems: list[str]) -> None:
        require_answer(answer, "`best_single_gaussian_nll`")
        if _is_nan(answer):
            problems.append(
                "best_single_gaussian_nll is NaN: some bins have no estimate (variance NaN); leave them out, "
                "e.g. with filled = ~np.isnan(binned.variances)."
            )
            return
        number = as_float(answer, "best_single_gaussian_nll", problems)
        if number is None:
            return
        expected = best_single_gaussian_nll(x_test, y_test)
        if _close(number, expected, 1e-3):
            return
        binned = binned_mean(x_test, y_test, bins=BINS)
        filled = ~np.isnan(binned.variances)
        variances, counts = binned.variances[filled], binned.counts[filled]
        slips = {
            "the sign is wrong: an NLL is minus a log-density, here +½ log(2πe s²).": -expected,
            "you left out the ½ that the squared term adds on average: the expected NLL is ½ log(2π s²) + ½ "
            "= ½ log(2πe s²).": expected - 0.5,
            "that used the standard deviation s where the variance s² belongs: ½ log(2πe s²).": float(
                np.average(_gaussian_entropy(np.sqrt(variances)), weights=counts)
            ),
            "that is a plain average over the bins; weight each bin by its number of samples (binned.counts), "
            "as an average over the test points would.": float(np.mean(_gaussian_entropy(variances))),
        }
        for hint, value in slips.items():
            if _close(number, value, 1e-3):
                problems.append(hint)
                return
        problems.append(
            f"best_single_gaussian_nll is {number:.4g}, expected about {expected:.4g}: bin the test data with "
            f"conditional.binned_mean(x_test, y_test, bins={BINS}), take ½ log(2πe s²) per bin and average "
            "with the counts as weights."
        )

    return run_check("best NLL of one Gaussian per x", test)
