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
from ._core import (
    CaseCalls,
    CheckResult,
    NotAttempted,
    Refused,
    as_float,
    expect_function,
    is_stub,
    require_answer,
    run_check,
    show_pair,
)

LESSON_WINDOW = (0.0, 0.25)
"""The window the lesson itself asks about: conditional_mean(x, y, 0.0, 0.25) on its training data."""
WINDOWS = (LESSON_WINDOW, (-5.0, 1.0), (8.0, 0.5), (2.5, 2.0))
"""(x0, half_width) pairs the student's ``conditional_mean`` is tried on, on fresh data."""

BINS = 40
"""The lesson bins the test data with ``binned_mean(x_test, y_test, bins=40)``."""

MEAN_TOLERANCE = 1e-4
"""Absolute and relative. The nearest slip, a window twice or half as wide, moves the mean by 0.31 or more on
the first two cases (by 0.004 on the least favourable one); float32 averages of a few hundred values are
exact to about 1e-6."""

NLL_TOLERANCE = 2e-5
"""Absolute, in nats. Binning with another number of bins is the slip to catch: on the lesson's test data the
nearest one (66 bins) lands 6.4e-5 from the 40-bin value, the next ones (55, 30, 41) 2.5e-4 to 6e-4; a third of
the nearest gap is 2e-5, far above the 1e-9 by which float64 and float32 computations of the same bins differ.
The value printed to three decimals (2.826) is too coarse for that, and is refused with this tolerance said."""


def _window_mean(values: torch.Tensor, x: torch.Tensor, x0: float, half_width: float) -> float:
    return float(values.double()[(x - x0).abs() < half_width].mean())


def _is_nan(value) -> bool:
    try:
        return isinstance(value, (float, np.floating, torch.Tensor, np.ndarray)) and math.isnan(float(value))
    except (TypeError, ValueError, RuntimeError):
        return False


def _close(a: float, b: float, tol: float = MEAN_TOLERANCE) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _mean_cases() -> list[tuple[str, torch.Tensor, torch.Tensor, float, float]]:
    """(data, x, y, x0, half_width): the lesson's own question first, then fresh data and other windows."""
    x_lesson, y_lesson = inverted_sine(n=3000, noise=1.0, seed=0)
    x, y = inverted_sine(n=400, noise=1.0, seed=303)
    return [("the lesson's data", x_lesson, y_lesson, *LESSON_WINDOW)] + [
        ("fresh data", x, y, x0, half_width) for x0, half_width in WINDOWS
    ]


def check_conditional_mean(conditional_mean) -> CheckResult:
    """Exercise 1: ``conditional_mean(x, y, x0, half_width)`` returns the mean of the y whose |x - x0| < half_width.

    The function is tried on the lesson's training data, then on fresh inverted-sine data (x, y of shape
    (N, 1)) and several windows.
    """

    def test(problems: list[str]) -> None:
        if not expect_function(conditional_mean, "conditional_mean", problems):
            return
        cases = _mean_cases()
        expected_values = [_window_mean(y, x, x0, half_width) for _, x, y, x0, half_width in cases]
        calls = CaseCalls(
            conditional_mean,
            [{"x": x, "y": y, "x0": x0, "half_width": half_width} for _, x, y, x0, half_width in cases],
            name="conditional_mean",
            stub_message="not attempted yet: conditional_mean still returns nothing; fill in its body.",
        )
        for index, ((data, x, y, x0, half_width), expected) in enumerate(zip(cases, expected_values, strict=True)):
            slips = {
                "averaged the x values in the window; average their y values instead.": _window_mean(
                    x, x, x0, half_width
                ),
                "is the mean of every y; keep only those whose x is within the window.": float(y.double().mean()),
                "used a window of the wrong width: half_width is half of it, |x - x0| < half_width.": _window_mean(
                    y, x, x0, 2 * half_width
                ),
                "used a window of the wrong width (half of it): |x - x0| < half_width.": _window_mean(
                    y, x, x0, half_width / 2
                ),
            }
            call = calls[index]
            where = f"conditional_mean(x, y, x0={x0:g}, half_width={half_width:g}) on {data}"
            number = as_float(call.result, where, problems)
            if number is None:
                return
            if _close(number, expected):
                continue
            slip = next((text for text, value in slips.items() if _close(number, value)), None)
            shown, wanted = show_pair(number, expected, MEAN_TOLERANCE)
            if slip:
                problems.append(f"{where} {slip}")
            elif calls.same_elsewhere(index):
                problems.append(
                    f"{where} is {shown}, expected {wanted}: the same number as for another window or data set. "
                    "Compute it from the arguments x, y, x0 and half_width, not from notebook variables."
                )
            else:
                problems.append(
                    f"{where} is {shown}, expected {wanted} (within {MEAN_TOLERANCE:g}): the mean of "
                    "y[(x - x0).abs() < half_width]."
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
        # The answer is a value, not code: check its type first, then compute what it should be.
        if is_stub(answer):  # a short line: the generic message wraps in a notebook column
            raise NotAttempted("not attempted yet: best_single_gaussian_nll is still `...`; fill it in.")
        require_answer(answer, "`best_single_gaussian_nll`")
        if callable(answer):
            raise Refused("best_single_gaussian_nll should be a number, not a function: call it and keep the number.")
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
            "that used log base 10; the NLL is in nats (natural log, np.log).": float(
                np.average(0.5 * np.log10(2 * math.pi * math.e * variances), weights=counts)
            ),
            "that used each bin's unbiased variance (dividing by n - 1); binned.variances divides by n.": float(
                np.average(_gaussian_entropy(variances * counts / (counts - 1)), weights=counts)
            ),
        }
        if abs(number - expected) <= NLL_TOLERANCE:
            return
        for hint, value in slips.items():
            if abs(number - value) <= NLL_TOLERANCE:
                problems.append(hint)
                return
        shown, wanted = show_pair(number, expected, NLL_TOLERANCE)
        other_bins = next(
            (
                b
                for b in range(2, 201)
                if b != BINS and abs(best_single_gaussian_nll(x_test, y_test, b) - number) <= 1e-6
            ),
            None,
        )
        if other_bins is not None:
            problems.append(
                f"best_single_gaussian_nll is {shown}, expected about {wanted} (within {NLL_TOLERANCE:g}): that is "
                f"the value for {other_bins} bins; the exercise bins the test data into {BINS}."
            )
            return
        problems.append(
            f"best_single_gaussian_nll is {shown}, expected about {wanted} (within {NLL_TOLERANCE:g}, closer than "
            "a value rounded to three decimals: other numbers of bins land within 1e-4): bin the test data with "
            f"conditional.binned_mean(x_test, y_test, bins={BINS}), take ½ log(2πe s²) per bin and average "
            "with the counts as weights."
        )

    return run_check("best NLL of one Gaussian per x", test)
