"""Checkers for lesson 00 (welcome): counting branches, and how many nats knowing x can save."""

from __future__ import annotations

import math

import numpy as np

from ..data import Y_RANGE, inverted_sine, inverted_sine_log_prob, wave
from ._core import CheckResult, Refused, as_float, require_answer, run_check, show_pair

SAVING_TOLERANCE = 0.01
"""Nats, absolute. The nearest slip, the Bayes limit of the lesson's 2000 training points instead of the 5000
held-out ones, lies 0.028 away (a uniform over x's range instead of y's, or log 10 for log 20, 0.26 or more); a
third of that is 0.01. So 1.67, typed from the lesson's printed numbers (log 20 = 3.00 minus 1.33), is accepted."""
LESSON_TRAINING_DATA = {"n": 2000, "noise": 1.0, "seed": 0}
"""The lesson's training points, ``ml.data.inverted_sine(n=2000, noise=1.0, seed=0)``: the usual wrong data."""


def true_branch_count(x0: float) -> int:
    """How many y in [-10, 10] satisfy wave(y) = x0 (the noise-free branches at x0)."""
    t = np.linspace(*Y_RANGE, 400_001)
    above = wave(t) >= x0  # not np.sign: a root that falls exactly on a grid point would count twice
    return int(np.count_nonzero(above[1:] != above[:-1]))


def _whole_number(answer, what: str, problems: list[str]) -> int | None:
    """``answer`` as an int (a Python, NumPy or one-element tensor whole number), or None with a problem."""
    if isinstance(answer, (int, np.integer)) and not isinstance(answer, (bool, np.bool_)):
        return int(answer)  # exact, however large: 10**400 is simply too many branches
    number = as_float(answer, what, problems)
    if number is None:
        return None
    if number != int(number):
        problems.append(f"{what} should be a whole number of branches, got {number}")
        return None
    return int(number)


def check_branch_count(x0: float, answer) -> CheckResult:
    """Exercise 1: the number of branches of the noise-free inverted sine at x = x0."""

    def test(problems):
        expected = true_branch_count(x0)
        require_answer(answer, "`n_branches`")
        count = _whole_number(answer, "n_branches", problems)
        if count is None:
            return
        if count != expected:
            digits = len(str(abs(count)))
            counted = f"{count} branches" if digits <= 12 else f"far too many branches (a number with {digits} digits)"
            direction = "" if digits > 12 else (", too many" if count > expected else ", too few")
            problems.append(
                f"at x = {x0:g} you counted {counted}{direction}. Count the places where "
                "wave(y) - x0 changes sign on a fine grid of y in [-10, 10] (where wave(y) >= x0 flips)."
            )

    return run_check(f"Branches at x = {x0:g}", test)


def _bayes_nll(x, y, noise: float) -> float:
    """The Bayes-limit NLL, -mean log p(y | x), of inverted-sine data (x, y), in float64."""
    return float(-inverted_sine_log_prob(x, y, noise=noise).double().mean())


def _log_y_range(low: float = Y_RANGE[0], high: float = Y_RANGE[1]) -> float:
    """-log of the uniform density on [low, high]: the NLL of every y in it under that uniform."""
    return math.log(high - low)


def _saving_slips(x, y, expected: float, bayes: float, noise: float) -> dict[str, float]:
    """{the sentence that names a slip: the number that slip gives}."""
    uniform = _log_y_range()
    x_low, x_high = float(x.min()), float(x.max())
    x_train, y_train = inverted_sine(**LESSON_TRAINING_DATA)
    return {
        "nats_saved_by_x has the wrong sign: the model that ignores x has the higher NLL, so the saving is its NLL "
        "minus the Bayes limit.": -expected,
        "that is the NLL of the model that ignores x; the saving is that NLL minus the Bayes limit, the NLL of the "
        "exact p(y | x).": uniform,
        "that is the Bayes limit itself; the saving is the NLL of the model that ignores x minus it.": bayes,
        "that adds the two NLLs; the saving is their difference.": uniform + bayes,
        "the uniform density on [-10, 10] is 1/20, so its NLL is -log(1/20) = +log 20; it looks as if log(1/20) "
        "went in with the wrong sign.": -uniform - bayes,
        "that uses log 10 (a width of 10); y is uniform on [-10, 10], an interval of width 20.": math.log(10) - bayes,
        "that uses log₁₀; NLLs are in nats, with the natural log: log 20 ≈ 3.00.": math.log10(20) - bayes,
        "that uses the density 1/20 itself; the NLL of the uniform model is -log(1/20) = log 20.": 1 / 20 - bayes,
        "that is a uniform over the range of x; the model ignores x but still gives a density for y, uniform on "
        "y's range [-10, 10].": math.log(x_high - x_low) - bayes,
        "that subtracts the Bayes limit of the training points (x, y); use the held-out x_test, y_test, as the "
        "lesson's Bayes limit does.": uniform - _bayes_nll(x_train, y_train, noise),
    }


def check_nats_saved_by_x(x, y, answer, noise: float = 1.0) -> CheckResult:
    """Exercise 2: the most any model can save, in nats per sample, by looking at x on the inverted sine.

    A model that ignores x can do no better than the distribution of y alone, uniform on [-10, 10], whose NLL
    is log 20 for every sample; a model that uses x can do no better than the Bayes limit on (x, y), the held-out
    data (N, 1). The answer is the difference, log 20 minus the Bayes limit (about 1.67 nats).
    """

    def test(problems):
        # The answer is a value, not code: check its type first, since the exact density takes a second.
        require_answer(answer, "`nats_saved_by_x`")
        if callable(answer):
            raise Refused("nats_saved_by_x should be a number, not a function: call it and keep the number.")
        number = as_float(answer, "nats_saved_by_x", problems)
        if number is None:
            return
        bayes = _bayes_nll(x, y, noise)
        expected = _log_y_range() - bayes
        if abs(number - expected) <= SAVING_TOLERANCE:
            return
        shown, wanted = show_pair(number, expected, SAVING_TOLERANCE)
        text = f"nats_saved_by_x is {shown}, expected about {wanted} (within {SAVING_TOLERANCE:g})"
        slip = next(
            (
                words
                for words, value in _saving_slips(x, y, expected, bayes, noise).items()
                if abs(number - value) <= 1e-3
            ),
            None,
        )
        if slip is None and 0 < expected - number <= 0.3:
            slip = (
                "a little less than the most any model can save: is that a trained model's NLL (such as the "
                "MDN's) in place of the Bayes limit? The question is about the best possible model."
            )
        problems.append(
            f"{text}: {slip}"
            if slip
            else f"{text}. Work out the NLL of a model that ignores x (y alone is uniform on [-10, 10]), then "
            "subtract the Bayes limit printed above."
        )

    return run_check("How much is x worth?", test)
